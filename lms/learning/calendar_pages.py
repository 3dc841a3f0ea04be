"""HTML and iCalendar: My sessions, and the feed a phone calendar subscribes to."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from lms.accounts.auth import require_login
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.catalog.language import content_language, pick
from lms.deps import Db, SettingsDep, User
from lms.i18n import request_language
from lms.learning import calendar
from lms.settings import Settings  # noqa: F401 (see lms.deps)
from lms.web import page


class CalendarPages(Controller):
    include_in_schema = False

    @get("/my/sessions", operation_id="page_my_sessions", guards=[require_login])
    async def my_sessions(self, request: Request[Any, Any, Any], db: Db, user: User, settings: SettingsDep) -> Template:
        sessions = await calendar.my_sessions(db, user.id)
        base = settings.public_base_url.rstrip("/")
        path = calendar.feed_path(settings.secret_key, user.id)
        language = request_language(request)

        def course_title(session: calendar.MySession) -> tuple[str, str]:
            return pick(session.titles, content_language(language, session.languages), session.languages)

        return page(
            request,
            "learning/my_sessions.html.jinja2",
            sessions=sessions,
            course_title=course_title,
            feed_url=base + path,
            webcal_url="webcal://" + urlsplit(base).netloc + path,
        )

    @get("/calendar/{user_id:uuid}/{signature:str}", operation_id="calendar_feed")
    async def feed(
        self, db: Db, settings: SettingsDep, user_id: FromPath[UUID], signature: FromPath[str]
    ) -> Response[bytes]:
        body = await calendar.feed(
            db,
            secret_key=settings.secret_key,
            user_id=user_id,
            signature=signature[:80],
            host=urlsplit(settings.public_base_url).hostname or "lms",
        )
        return Response(
            body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "no-store"}
        )  # her session times and places
