"""HTML for workers: the catalogue by track, a course page, and the activity player, in the learner's language."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get
from litestar.params import FromPath, PathParameter, QueryParameter
from litestar.response import Template

from lms.deps import Db
from lms.catalog import queries
from lms.catalog.content import TRACKS
from lms.catalog.language import content_language, pick
from lms.errors import NotFound
from lms.i18n import N_, request_language
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


class CatalogPages(Controller):
    include_in_schema = False

    @get("/", operation_id="page_catalogue")
    async def catalogue(self, request: Request[Any, Any, Any], db: Db) -> Template:
        lang = request_language(request)
        rows = await queries.catalogue(db)
        tracks: dict[str, list[dict[str, Any]]] = {track: [] for track in TRACKS}
        for row in rows:
            title, used = pick(row["title"], lang, row["languages"])
            summary, _ = pick(row["summary"], used, row["languages"])
            tracks[row["track"]].append({**row, "title_text": title, "summary_text": summary, "text_lang": used})
        return page(request, "catalog/catalogue.html.jinja2", tracks=tracks, track_names=TRACK_NAMES)

    @get("/courses/{code:str}", operation_id="page_course")
    async def course(
        self, request: Request[Any, Any, Any], db: Db, code: Code,
        version: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> Template:
        detail = await queries.version_detail(db, code=code, version=version)
        if detail is None:
            raise NotFound()
        clang = content_language(request_language(request), detail.languages)
        t, missing = text_picker(clang, detail.languages)
        return page(request, "catalog/course.html.jinja2", course=detail, clang=clang, t=t, missing=missing,
                    track_names=TRACK_NAMES, kind_names=KIND_NAMES, language_missing=clang.split("-")[0] != request_language(request))

    @get("/courses/{code:str}/v/{version:int}/{key:str}", operation_id="page_activity")
    async def activity(self, request: Request[Any, Any, Any], db: Db, code: Code, version: FromPath[int], key: FromPath[str]) -> Template:
        activity = await queries.activity_page(db, code=code, version=version, key=key)
        if activity is None:
            raise NotFound()
        clang = content_language(request_language(request), activity.languages)
        t, missing = text_picker(clang, activity.languages)
        return page(request, "catalog/activity.html.jinja2", a=activity, clang=clang, t=t, missing=missing,
                    kind_names=KIND_NAMES, language_missing=clang.split("-")[0] != request_language(request))
