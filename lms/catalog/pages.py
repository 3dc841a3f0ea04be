"""HTML for workers: the catalogue by track, a course page, and the activity player, in the learner's language."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get
from litestar.params import FromPath, PathParameter, QueryParameter
from litestar.response import Template
from markupsafe import Markup

from lms.deps import Db
from lms.catalog import queries
from lms.catalog.cache import catalog_cache
from lms.catalog.content import TRACKS
from lms.catalog.language import content_language, pick
from lms.errors import NotFound
from lms.i18n import N_, request_language
from lms.learning import page_data as learning_pages
from lms.media.delivery import lesson_media
from lms.web import page

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


async def _tracks(db: asyncpg.Connection, lang: str) -> dict[str, list[dict[str, Any]]]:
    tracks: dict[str, list[dict[str, Any]]] = {track: [] for track in TRACKS}
    for row in await queries.catalogue(db):
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
    include_in_schema = False

    @get("/", operation_id="page_catalogue")
    async def catalogue(self, request: Request[Any, Any, Any], db: Db) -> Template:
        lang = request_language(request)

        async def render() -> Markup:
            tracks = await _tracks(db, lang)
            return rendered_content(request, "catalog/catalogue.html.jinja2", tracks=tracks, track_names=TRACK_NAMES)

        content = await catalog_cache(request.app.state).current(db, ("catalogue", lang), render)
        return page(request, "catalog/cached.html.jinja2", extends="catalog/catalogue.html.jinja2", content=content)

    @get("/courses/{code:str}", operation_id="page_course")
    async def course(
        self, request: Request[Any, Any, Any], db: Db, code: Code,
        version: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> Template:
        detail = await catalog_cache(request.app.state).current(
            db, ("course", code, version), lambda: queries.version_detail(db, code=code, version=version))
        if detail is None:
            raise NotFound()
        clang = content_language(request_language(request), detail.languages)
        t, missing = text_picker(clang, detail.languages)
        learning = await learning_pages.for_course_page(db, user=request.scope.get("user"), version_id=detail.id)
        return page(request, "catalog/course.html.jinja2", course=detail, clang=clang, t=t, missing=missing, learning=learning,
                    track_names=TRACK_NAMES, kind_names=KIND_NAMES, language_missing=clang.split("-")[0] != request_language(request))

    @get("/courses/{code:str}/v/{version:int}/{key:str}", operation_id="page_activity")
    async def activity(
        self, request: Request[Any, Any, Any], db: Db, code: Code, version: FromPath[int], key: FromPath[str],
    ) -> Template:
        # One injected dependency: with several, Litestar resolves them in an anyio task group (~0.1 ms a request on
        # the page workers open most). The store and the caller come from the app and the scope directly.
        storage, user = request.app.state.storage, request.scope.get("user")
        cache = catalog_cache(request.app.state)
        activity = await cache.lesson((code, version, key), lambda: queries.activity_page(db, code=code, version=version, key=key))
        if activity is None:
            raise NotFound()
        clang = content_language(request_language(request), activity.languages)
        t, missing = text_picker(clang, activity.languages)
        if user is None:  # what a visitor sees of a published lesson depends on nothing else: keep it rendered

            async def render() -> Markup:
                media = await lesson_media(db, storage, user=None, version_id=activity.version_id, learner=activity.learner, language=clang)
                return rendered_content(request, "catalog/activity.html.jinja2", a=activity, clang=clang, t=t, missing=missing,
                                        media=media, learning=None, kind_names=KIND_NAMES,
                                        language_missing=clang.split("-")[0] != request_language(request))

            content = await cache.lesson(("html", code, version, key, request_language(request)), render)
            return page(request, "catalog/cached.html.jinja2", extends="catalog/activity.html.jinja2", a=activity, t=t,
                        content=content)
        media = await lesson_media(db, storage, user=user, version_id=activity.version_id, learner=activity.learner, language=clang)
        learning = await learning_pages.for_activity_page(db, user=user, activity=activity, base_url=request.app.state.settings.public_base_url, language=clang)
        return page(request, "catalog/activity.html.jinja2", a=activity, clang=clang, t=t, missing=missing, media=media, learning=learning,
                    kind_names=KIND_NAMES, language_missing=clang.split("-")[0] != request_language(request))
