"""HTML for everyone: the catalogue by track, in the reader's language, with a search (a course's own pages are in
lms.learning.pages: what they show depends on the worker's enrolment)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from markupsafe import Markup

from lms.catalog import queries, service
from lms.catalog.cache import catalog_cache
from lms.catalog.content import TRACKS
from lms.catalog.language import TRACK_NAMES, pick
from lms.deps import connection
from lms.i18n import request_language
from lms.web import page, rendered_block


def _by_track(rows: list[dict[str, Any]], lang: str) -> dict[str, list[dict[str, Any]]]:
    tracks: dict[str, list[dict[str, Any]]] = {track: [] for track in TRACKS}
    for row in rows:
        title, used = pick(row["title"], lang, row["languages"])
        summary, _ = pick(row["summary"], used, row["languages"])
        tracks[row["track"]].append({**row, "title_text": title, "summary_text": summary, "text_lang": used})
    return tracks


class CatalogPages(Controller):
    """The catalogue's data, and for visitors its rendered list, are kept per language until a version is published or
    retired (lms/catalog/cache.py): the page borrows a connection only on a miss, and its frame (header, language
    switch with the visitor's CSRF token) is rendered for each request. A search is its own page, not kept."""

    include_in_schema = False

    @get("/", operation_id="page_catalogue")
    async def catalogue(
        self,
        request: Request[Any, Any, Any],
        q: FromQuery[str] = "",
        track: FromQuery[str] = "",
        language: FromQuery[str] = "",
        delivery: FromQuery[str] = "",
        credit_body: Annotated[str, QueryParameter(name="body")] = "",
    ) -> Template:
        lang, state = request_language(request), request.app.state
        cache = catalog_cache(state)
        filters = service.catalogue_filters(q=q, track=track, language=language, delivery=delivery, body=credit_body)

        async def choices() -> dict[str, list[str]]:
            async with connection(state) as db:
                return await queries.catalogue_choices(db)

        shown: dict[str, Any] = {
            "track_names": TRACK_NAMES,
            "filters": filters,
            "choices": await cache.current(state, ("catalogue choices",), choices),
        }
        if filters.chosen:
            async with connection(state) as db:
                rows = await queries.search_catalogue(
                    db,
                    text=filters.q or None,
                    track=filters.track,
                    language=filters.language,
                    delivery=filters.delivery,
                    body=filters.body,
                )
            return page(request, "catalog/catalogue.html.jinja2", tracks=_by_track(rows, lang), **shown)

        async def load() -> dict[str, list[dict[str, Any]]]:
            async with connection(state) as db:
                return _by_track(await queries.catalogue(db), lang)

        context: dict[str, Any] = {"tracks": await cache.current(state, ("catalogue", lang), load), **shown}
        if request.scope.get("user") is not None:
            return page(request, "catalog/catalogue.html.jinja2", **context)

        async def render() -> Markup:
            return rendered_block(request, "catalog/catalogue.html.jinja2", **context)

        content = await cache.current(state, ("catalogue content", lang), render)
        return page(
            request, "_kept_block.html.jinja2", extends="catalog/catalogue.html.jinja2", content=content, **context
        )
