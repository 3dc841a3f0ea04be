"""JSON: a worker moves her enrolment to another version of a course; an instructor unenrols a worker. The same rules,
checks in the query and audit records as the pages (lms/learning/lifecycle.py, lifecycle_pages.py)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
import msgspec
from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from lms.accounts.auth import require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.catalog.content import CourseCode
from lms.deps import SettingsDep, Tx, User
from lms.learning import lifecycle, queries
from lms.learning.schemas import Enrollment
from lms.schemas import Request, VersionNumber


class MoveRequest(Request):
    code: CourseCode
    version: VersionNumber  # the published version to move to


class UnenrolRequest(Request):
    reason: Annotated[str, msgspec.Meta(max_length=500)]  # 3 to 500 characters once trimmed; kept in the audit log


class EnrollmentLifecycleController(Controller):
    path = "/api/v1/enrollments"
    tags = ["learning"]

    @post("/move", operation_id="enrollments_move", guards=[require_login], status_code=200)
    async def move(self, tx: Tx, user: User, settings: SettingsDep, data: JSONBody[MoveRequest]) -> Enrollment:
        """Move the caller's open enrolment in this course to another published version. What is the same in both
        versions is carried over; the old enrolment ends, keeping its records. Asked twice, nothing changes."""
        moved = await lifecycle.move(
            tx, user=user, code=data.code, to_version=data.version, base_url=settings.public_base_url
        )
        found = await queries.get_own(tx, enrollment_id=moved, user_id=user.id)
        assert found is not None  # just opened (or already open) for this caller in this transaction
        return found

    @post(
        "/{enrollment_id:uuid}/unenrol",
        operation_id="enrollments_unenrol",
        guards=[require_role("instructor", "program_admin")],
        status_code=204,
    )
    async def unenrol(self, tx: Tx, user: User, enrollment_id: FromPath[UUID], data: JSONBody[UnenrolRequest]) -> None:
        """End a worker's open enrolment, with a reason: a program admin, an owner of the course, or an instructor of
        a session of its version she registered for or attended. Her records and certificate stay."""
        await lifecycle.unenrol(tx, actor=user, enrollment_id=enrollment_id, reason=data.reason)
