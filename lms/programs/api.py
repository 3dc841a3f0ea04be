"""JSON: a worker's own programs in one answer (for a phone that works offline and syncs)."""

from __future__ import annotations

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, get

from lms.accounts.auth import require_login
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, User
from lms.programs.apprenticeship import queries as apprenticeship
from lms.programs.apprenticeship.schemas import Apprenticeship
from lms.programs.pathways import queries as pathways
from lms.programs.pathways.schemas import Ladder
from lms.programs.preceptorship import queries as preceptorship
from lms.programs.preceptorship.schemas import Preceptorship
from lms.programs.tuition import queries as tuition
from lms.programs.tuition.schemas import TuitionRequest
from lms.schemas import Response


class MyPrograms(Response):
    apprenticeship: Apprenticeship | None
    preceptorships: list[Preceptorship]
    tuition_requests: list[TuitionRequest]
    ladders: list[Ladder]


class MyProgramsController(Controller):
    path = "/api/v1/me/programs"
    tags = ["programs"]
    guards = [require_login]

    @get("/", operation_id="programs_mine")
    async def mine(self, db: Db, user: User) -> MyPrograms:
        """The caller's apprenticeship (hours by work process, weeks, wage steps), preceptorships (supervised hours,
        evaluations), tuition requests (status, amounts) and career ladders (steps reached): hers only."""
        return MyPrograms(
            apprenticeship=await apprenticeship.own(db, user_id=user.id),
            preceptorships=await preceptorship.own(db, user_id=user.id),
            tuition_requests=await tuition.own(db, user_id=user.id),
            ladders=await pathways.ladders_of(db, user_id=user.id),
        )
