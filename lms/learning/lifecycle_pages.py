"""HTML: a worker moves to a newer version of a course (from the course page); an instructor unenrols a worker (from
the learners page). The rules are in lms/learning/lifecycle.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, post
from litestar.params import FromPath, PathParameter, URLEncodedBody
from litestar.response import Redirect

from lms.accounts.auth import require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import SettingsDep, Tx, User
from lms.errors import Invalid
from lms.i18n import N_
from lms.learning import lifecycle
from lms.schemas import Form, safe_next

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]


class MoveForm(Form):
    version: str = ""


class UnenrolForm(Form):
    reason: str = ""
    next: str = "/teach"


class MovePages(Controller):
    include_in_schema = False
    guards = [require_login]

    @post("/courses/{code:str}/move", operation_id="page_enrollment_move")
    async def move(
        self, tx: Tx, user: User, settings: SettingsDep, code: Code, data: URLEncodedBody[MoveForm]
    ) -> Redirect:
        if not data.version.isdigit() or not 1 <= int(data.version) <= 100_000:
            raise Invalid(N_("Give the version to move to."), field="version")
        await lifecycle.move(tx, user=user, code=code, to_version=int(data.version), base_url=settings.public_base_url)
        return Redirect(f"/courses/{code}?version={int(data.version)}", status_code=303)


class UnenrolPages(Controller):
    include_in_schema = False
    guards = [require_role("instructor", "program_admin")]

    @post("/teach/enrollments/{enrollment_id:uuid}/unenrol", operation_id="page_teach_unenrol")
    async def unenrol(
        self, tx: Tx, user: User, enrollment_id: FromPath[UUID], data: URLEncodedBody[UnenrolForm]
    ) -> Redirect:
        await lifecycle.unenrol(tx, actor=user, enrollment_id=enrollment_id, reason=data.reason)
        return Redirect(safe_next(data.next, "/teach") + "?unenrolled=1", status_code=303)
