"""The programs' home: one page that shows each person what is theirs. A worker finds her apprenticeship,
preceptorship, tuition requests and career ladders; a mentor or preceptor the weeks and hours waiting for her; a clinic
admin her clinic's participants; a program admin everyone, with the forms that start a program."""

from __future__ import annotations

from typing import Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get
from litestar.response import Template

from lms.accounts.auth import require_login
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, User
from lms.i18n import request_language
from lms.programs import common
from lms.programs.apprenticeship import queries as apprenticeship
from lms.programs.preceptorship import queries as preceptorship
from lms.programs.preceptorship.schemas import RATINGS
from lms.web import page


class ProgramsHome(Controller):
    path = "/programs"
    include_in_schema = False
    guards = [require_login]

    @get("/", operation_id="page_programs_home")
    async def home(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        desk = user.role in ("clinic_admin", "program_admin")
        return page(
            request,
            "programs/home.html.jinja2",
            mine=await apprenticeship.own(db, user_id=user.id),
            mentored=await apprenticeship.listed(db, viewer=user, mentored_only=True),
            waiting=await apprenticeship.waiting_weeks(db, mentor_id=user.id),
            apprenticeships=await apprenticeship.listed(db, viewer=user) if desk else [],
            programs=await apprenticeship.programs(db) if user.role == "program_admin" else [],
            precepted=await preceptorship.listed(db, viewer=user, precepted_only=True),
            preceptorships=await preceptorship.listed(db, viewer=user, precepted_only=False) if desk else [],
            requirements=await preceptorship.requirements(db) if user.role == "program_admin" else [],
            ratings=RATINGS,
            desk=desk,
            today=common.today(),
            **common.page_helpers(request_language(request)),
        )
