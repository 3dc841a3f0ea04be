"""HTML: the outbox, where program admins read messages no channel could carry (and the ones that failed)."""

from __future__ import annotations

from typing import Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get
from litestar.response import Template

from lms.accounts.auth import require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, SettingsDep
from lms.messages import queries
from lms.settings import Settings  # noqa: F401 (see lms.deps)
from lms.web import page


class OutboxPages(Controller):
    include_in_schema = False
    guards = [require_role("program_admin")]

    @get("/admin/outbox", operation_id="page_outbox")
    async def outbox(self, request: Request[Any, Any, Any], db: Db, settings: SettingsDep) -> Template:
        lines = await queries.outbox(db)
        return page(
            request,
            "messages/outbox.html.jinja2",
            lines=lines,
            sends_email=settings.sends_email,
            sends_sms=settings.sends_sms,
        )
