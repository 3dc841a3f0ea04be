"""HTML: the draft as a learner will see it, before publishing: in a phone-sized frame (360 px wide, as on the small
phones many workers use), in each language of the course, with the lesson's video, images and files."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from lms.accounts.auth import STAFF, require_role
from lms.catalog import service
from lms.catalog.authoring import find_activity
from lms.catalog.authoring_pages import Code
from lms.catalog.content import kind_of
from lms.catalog.language import KIND_NAMES, content_language, text_picker
from lms.catalog.schemas import ActivityPage
from lms.deps import Db, User
from lms.i18n import request_language, set_request_language, ui_language
from lms.security import content_security_policy
from lms.web import page

PHONE_WIDTH = 360  # CSS pixels of a small Android phone: the narrowest screen the pages are made for
PHONE_HEIGHT = 720

# The preview page is shown inside the frame page of the same site: it may be framed by this origin only.
FRAMED_BY_SELF = {"x-frame-options": "SAMEORIGIN"}


def _framable(response: Template, csp: str) -> Template:
    response.headers.update(
        {**FRAMED_BY_SELF, "content-security-policy": csp.replace("frame-ancestors 'none'", "frame-ancestors 'self'")}
    )
    return response


def _framing(response: Template, csp: str) -> Template:
    """The frame page shows a page of this site in its frame (the site's policy allows only the packages' origin)."""
    response.headers["content-security-policy"] = csp.replace("frame-src ", "frame-src 'self' ", 1)
    return response


class PreviewPages(Controller):
    path = "/author"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/{code:str}/preview", operation_id="page_author_preview_frame")
    async def frame(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: User,
        code: Code,
        lang: FromQuery[str] = "",
        key: FromQuery[str] = "",
    ) -> Template:
        """The phone frame: the course's languages and activities around a 360 px wide view of one activity."""
        doc = await service.load_draft(db, code, editor=user)
        clang = content_language(lang or request_language(request), doc.languages)
        keys = [a.key for m in doc.modules for a in m.activities]
        shown = key if key in keys else (keys[0] if keys else None)
        t, _missing = text_picker(clang, doc.languages)  # the outline in the language being previewed
        response = page(
            request,
            "authoring/preview_frame.html.jinja2",
            doc=doc,
            clang=clang,
            shown=shown,
            t=t,
            kind_names=KIND_NAMES,
            kind_of=kind_of,
            width=PHONE_WIDTH,
            height=PHONE_HEIGHT,
        )
        return _framing(response, content_security_policy(request.app.state.settings))

    @get("/{code:str}/preview/{key:str}", operation_id="page_author_preview")
    async def preview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: User,
        code: Code,
        key: FromPath[str],
        lang: FromQuery[str] = "en",
        ui: FromQuery[str] = "",
    ) -> Template:
        """The draft activity exactly as a learner would see it, in the chosen language (pages and buttons too, when
        the service speaks it), with its media signed as a learner would get them."""
        doc = await service.load_draft(db, code, editor=user)
        m, a = find_activity(doc, key)
        activity = doc.modules[m].activities[a]
        keys = [x.key for module in doc.modules for x in module.activities]
        index = keys.index(key)
        row = service.activity_row(doc.modules[m].key, index + 1, activity)
        view = ActivityPage(
            id=uuid4(),
            version_id=uuid4(),
            code=code,
            version=0,
            languages=doc.languages,
            course_title=doc.title,
            module_key=doc.modules[m].key,
            module_title=doc.modules[m].title,
            key=key,
            kind=row["kind"],
            minutes=activity.minutes,
            title=activity.title,
            body_html=row["body_html"],
            learner=row["learner"],
            previous_key=keys[index - 1] if index else None,
            next_key=keys[index + 1] if index + 1 < len(keys) else None,
        )
        clang = content_language(lang, doc.languages)
        as_learner = ui == "learner"  # in the phone frame: the pages and buttons in the learner's language too
        if as_learner and (interface := ui_language(clang)) is not None:
            set_request_language(request, interface)
        t, missing = text_picker(clang, doc.languages)
        media = (
            await service.draft_lesson_media(db, request.app.state.storage, doc=doc, key=key, language=clang)
            if row["kind"] == "lesson"
            else None
        )
        response = page(
            request,
            "catalog/activity.html.jinja2",
            a=view,
            clang=clang,
            t=t,
            missing=missing,
            media=media,
            kind_names=KIND_NAMES,
            language_missing=False,
            preview_lang=clang,
            link_base=f"/author/{code}/preview",
            link_suffix=f"?lang={clang}" + ("&ui=learner" if as_learner else ""),
        )
        return _framable(response, content_security_policy(request.app.state.settings))
