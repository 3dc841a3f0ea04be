"""HTML of career ladders: a worker sees where she stands on each ladder and her next step; admins record steps
reached elsewhere; the partnership sees advancement and retention."""

from __future__ import annotations

from typing import Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import ADMINS, require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.audit.queries import record
from lms.deps import Db, Tx, User
from lms.errors import Invalid
from lms.i18n import N_, request_language
from lms.programs import common
from lms.programs.pathways import queries
from lms.programs.pathways.schemas import StepRecordForm
from lms.web import page


class PathwayPages(Controller):
    path = "/programs/pathways"
    include_in_schema = False
    guards = [require_login]

    @get("/", operation_id="page_programs_pathways")
    async def mine(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return page(
            request,
            "programs/pathways.html.jinja2",
            ladders=await queries.ladders_of(db, user_id=user.id),
            **common.page_helpers(request_language(request)),
        )

    @get("/report", operation_id="page_programs_pathways_report", guards=[require_role(*ADMINS)])
    async def report(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        """Partnership-wide counts (no names): advancement and retention on each ladder; the form for steps elsewhere."""
        return page(
            request,
            "programs/pathways_report.html.jinja2",
            steps=await queries.advancement(db),
            outside=await queries.outside_steps(db),
            today=common.today(),
            **common.page_helpers(request_language(request)),
        )

    @post("/records", operation_id="page_programs_pathways_record", guards=[require_role(*ADMINS)])
    async def record_step(self, tx: Tx, user: User, data: URLEncodedBody[StepRecordForm]) -> Redirect:
        ladder, _slash, position = data.step.partition("/")
        if not position.isdigit():
            raise Invalid(N_("step: choose a step"), field="step")
        reached_on = common.parse_date(data.reached_on, "reached_on")
        done = await queries.record_step(
            tx, viewer=user, email=data.worker.strip(), ladder=ladder, position=int(position), reached_on=reached_on
        )
        if not done["worker"]:
            raise Invalid(N_("worker: no worker of your clinic has this email"), field="worker")
        if not done["step"]:
            raise Invalid(N_("step: not a step reached outside this service"), field="step")
        await record(
            tx,
            actor_id=user.id,
            action="pathways.step_recorded",
            subject=data.step,
            detail={"worker": data.worker.strip()},
        )
        return Redirect("/programs/pathways/report?recorded=1", status_code=303)
