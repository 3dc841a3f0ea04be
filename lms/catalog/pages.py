"""HTML for workers: the catalogue by track, a course page, and the activity player, in the learner's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, PathParameter, QueryParameter
from litestar.response import Template
from markupsafe import Markup, escape

from lms.catalog import queries, service
from lms.catalog.cache import catalog_cache
from lms.catalog.content import TRACKS
from lms.catalog.language import content_language, pick
from lms.deps import connection
from lms.errors import NotFound
from lms.i18n import N_, request_language
from lms.learning import page_data as learning_pages
from lms.media.delivery import lesson_media, visitor_media
from lms.web import KeptPage, fill_kept, is_visitor_page, page, render_kept, render_part, serve_kept, slot
from lms.schemas import VersionInPath, VersionInQuery

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
TRACK_NAMES = {
    "MA": N_("Medical Assistant"), "DA": N_("Dental Assistant"), "CHW": N_("Community Health Worker"),
    "EHR": N_("Electronic Health Records"), "CE": N_("Continuing Education"),
}
KIND_NAMES = {"lesson": N_("Lesson"), "quiz": N_("Quiz"), "in_person": N_("In-person session"), "checkoff": N_("Skills checkoff")}


def text_picker(language: str, available: list[str]):
    """``t(map)`` for templates: the text in the content language, flagged when it fell back to another."""

    def t(texts: dict[str, str]) -> str:
        return pick(texts, language, available)[0]

    def missing(texts: dict[str, str]) -> bool:
        return pick(texts, language, available)[1] != language

    return t, missing


def _by_track(rows: list[dict[str, Any]], lang: str) -> dict[str, list[dict[str, Any]]]:
    tracks: dict[str, list[dict[str, Any]]] = {track: [] for track in TRACKS}
    for row in rows:
        title, used = pick(row["title"], lang, row["languages"])
        summary, _ = pick(row["summary"], used, row["languages"])
        tracks[row["track"]].append({**row, "title_text": title, "summary_text": summary, "text_lang": used})
    return tracks


def rendered_content(request: Request[Any, Any, Any], template: str, **context: Any) -> Markup:
    """A page's ``content`` block alone, rendered with the context ``page()`` gives, to keep. The page is then
    served by ``<template>`` with only that block replaced (catalog/cached.html.jinja2), so its other blocks, the
    CSRF token and the signed-in person's header stay per request."""
    tpl = request.app.template_engine.engine.get_template(template)
    full = page(request, template, **context).context
    return Markup("".join(tpl.blocks["content"](tpl.new_context(full))))


class CatalogPages(Controller):
    """The pages every worker opens. They take no injected connection: a visitor's page is kept whole in memory
    (lms/catalog/cache.py) and needs none, and the others borrow one only when they query."""

    include_in_schema = False

    @get("/", operation_id="page_catalogue")
    async def catalogue(
        self, request: Request[Any, Any, Any], q: FromQuery[str] = "", track: FromQuery[str] = "", language: FromQuery[str] = "",
        delivery: FromQuery[str] = "", credit_body: Annotated[str, QueryParameter(name="body")] = "",
    ) -> Template | Response[str]:
        lang, state = request_language(request), request.app.state
        cache = catalog_cache(state)
        filters = service.catalogue_filters(q=q, track=track, language=language, delivery=delivery, body=credit_body)

        async def choices() -> dict[str, list[str]]:
            async with connection(state) as db:
                return await queries.catalogue_choices(db)

        shown = {"track_names": TRACK_NAMES, "filters": filters, "choices": await cache.current(state, ("catalogue choices",), choices)}
        if filters.chosen:  # a search: its own page, not kept
            async with connection(state) as db:
                rows = await queries.search_catalogue(db, text=filters.q or None, track=filters.track, language=filters.language,
                                                      delivery=filters.delivery, body=filters.body)
            return page(request, "catalog/catalogue.html.jinja2", tracks=_by_track(rows, lang), **shown)

        async def render() -> Markup:
            async with connection(state) as db:
                tracks = _by_track(await queries.catalogue(db), lang)
            return rendered_content(request, "catalog/catalogue.html.jinja2", tracks=tracks, **shown)

        content = await cache.current(state, ("catalogue", lang), render)
        context = {"extends": "catalog/catalogue.html.jinja2", "content": content}
        if is_visitor_page(request):
            return serve_kept(request, await cache.current(state, ("catalogue page", lang), _whole(request, "catalog/cached.html.jinja2", context)))
        return page(request, "catalog/cached.html.jinja2", **context)

    @get("/courses/{code:str}", operation_id="page_course")
    async def course(
        self, request: Request[Any, Any, Any], code: Code, version: VersionInQuery = None,
    ) -> Template | Response[str]:
        state, user = request.app.state, request.scope.get("user")
        cache = catalog_cache(state)

        async def load() -> Any:
            async with connection(state) as db:
                return await queries.version_detail(db, code=code, version=version)

        detail = await cache.current(state, ("course", code, version), load)
        if detail is None:
            raise NotFound()
        clang = content_language(request_language(request), detail.languages)
        t, missing = text_picker(clang, detail.languages)
        context = {"course": detail, "clang": clang, "t": t, "missing": missing, "track_names": TRACK_NAMES,
                   "kind_names": KIND_NAMES, "language_missing": clang.split("-")[0] != request_language(request)}
        if is_visitor_page(request, f"version={version}"):
            key = ("course page", code, version, request_language(request))
            return serve_kept(request, await cache.current(state, key, _whole(request, "catalog/course.html.jinja2", {**context, "learning": None})))
        async with connection(state) as db:
            learning = await learning_pages.for_course_page(db, user=user, version_id=detail.id)
        return page(request, "catalog/course.html.jinja2", learning=learning, **context)

    @get("/courses/{code:str}/v/{version:int}/{key:str}", operation_id="page_activity")
    async def activity(
        self, request: Request[Any, Any, Any], code: Code, version: VersionInPath, key: FromPath[str],
    ) -> Template | Response[bytes]:
        state, user = request.app.state, request.scope.get("user")
        cache = catalog_cache(state)

        async def load() -> Any:
            async with connection(state) as db:
                return await queries.activity_page(db, code=code, version=version, key=key)

        activity = await cache.lesson((code, version, key), load)
        if activity is None:
            raise NotFound()
        clang = content_language(request_language(request), activity.languages)
        t, missing = text_picker(clang, activity.languages)
        context = {"a": activity, "clang": clang, "t": t, "missing": missing, "kind_names": KIND_NAMES,
                   "language_missing": clang.split("-")[0] != request_language(request)}
        if user is None:  # what a visitor sees of a published lesson depends on nothing else
            context.update(media=visitor_media(activity.learner), learning=None)
            if not is_visitor_page(request):
                return page(request, "catalog/activity.html.jinja2", **context)
            kept = await cache.lesson(("page", code, version, key, request_language(request)),
                                      _whole(request, "catalog/activity.html.jinja2", context))
            return serve_kept(request, kept)
        async with connection(state) as db:
            media = await lesson_media(db, state.storage, user=user, version_id=activity.version_id, learner=activity.learner, language=clang)
            learning = await learning_pages.for_activity_page(db, user=user, activity=activity, base_url=state.settings.public_base_url, language=clang)
        if request.scope.get("query_string"):
            return page(request, "catalog/activity.html.jinja2", media=media, learning=learning, **context)
        # The page is the same for everyone with this role but for their media links and their progress: kept with
        # slots for those two, which are rendered alone.
        kept = await cache.lesson(("page", code, version, key, request_language(request), user.role), _whole(
            request, "catalog/activity.html.jinja2",
            {**context, "media_slot": slot("media"), "learning_slot": slot("learning"), "xapi_user": slot("user_id")}))
        mine = {**context, "media": media, "learning": learning}
        shown_media = render_part(request, "media/_lesson_media.html.jinja2", **mine) if media.status != "none" else ""
        if activity.kind != "lesson" or learning is None:
            return serve_kept(request, kept, media=shown_media, learning=render_part(request, "learning/_activity.html.jinja2", **mine),
                              user_id=str(user.id))
        # A lesson's own part is one of three (not enrolled, to do, done), kept too, with slots for this person's
        # statement, its id and their own id.
        part = await cache.lesson(
            ("lesson part", code, version, key, request_language(request), learning.enrollment_id is None, learning.done),
            _whole(request, "learning/_activity.html.jinja2", {**context, "xapi_user": slot("user_id"), "learning": {
                "enrollment_id": learning.enrollment_id, "done": learning.done,
                "statement_json": slot("statement"), "statement_id": slot("statement_id")}}))
        mine_filled = fill_kept(request, part, statement=escape(learning.statement_json or ""),
                                statement_id=str(learning.statement_id), user_id=str(user.id))
        return serve_kept(request, kept, media=shown_media, learning=mine_filled, user_id=str(user.id))


def _whole(request: Request[Any, Any, Any], template: str, context: dict[str, Any]) -> Callable[[], Awaitable[KeptPage]]:
    """The loader a cache calls on a miss: a page (or a part of one) rendered once, with its slots."""

    async def render() -> KeptPage:
        return render_kept(request, template, **context)

    return render
