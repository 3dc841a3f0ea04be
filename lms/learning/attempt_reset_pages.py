"""HTML: an instructor gives a worker her quiz attempts back, from the learners page."""

from __future__ import annotations

from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from lms.accounts.auth import STAFF, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Tx, User
from lms.learning.attempt_resets import reset_attempts
from lms.schemas import Form, safe_next


class ResetForm(Form):
    reason: str = ""
    next: str = "/teach"


class AttemptResetPages(Controller):
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @post("/teach/enrollments/{enrollment_id:uuid}/quizzes/{key:str}/reset", operation_id="page_teach_reset_attempts")
    async def reset(
        self, tx: Tx, user: User, enrollment_id: FromPath[UUID], key: FromPath[str], data: URLEncodedBody[ResetForm]
    ) -> Redirect:
        await reset_attempts(tx, actor_id=user.id, enrollment_id=enrollment_id, quiz_key=key[:100], reason=data.reason)
        return Redirect(safe_next(data.next, "/teach") + "?reset=1", status_code=303)
