"""Only a course's owners (and program admins) change its media library (the catalogue checks its own routes)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from lms.accounts.auth import require_login
from lms.errors import NotFound
from lms.i18n import N_
from lms.media import queries


async def require_course_editor(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """For routes under a course's ``{code}``: the caller owns the course or is a program admin (checked by the
    query's WHERE); anyone else is told there is no such course to change."""
    await require_login(connection, handler)
    code = connection.path_params["code"]
    async with connection.app.state.pool.acquire() as conn:
        if not await queries.may_edit_course(conn, code=code, editor=connection.scope["user"]):
            raise NotFound(
                N_("no course %(code)s that you may change (its owners and program admins may)"), params={"code": code}
            )
