"""HTML of apprentice proposals: a clinic admin proposes one of her clinic's workers for an apprenticeship program
and follows the answer; a program admin accepts (naming the mentor) or declines with a reason."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import ADMINS, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, Tx, User
from lms.i18n import request_language
from lms.programs import common
from lms.programs.apprenticeship import queries as apprenticeship
from lms.programs.proposals import queries, service
from lms.programs.proposals.schemas import ProposalDecisionForm, ProposalForm
from lms.web import page


class ProposalPages(Controller):
    path = "/programs/proposals"
    include_in_schema = False
    guards = [require_role(*ADMINS)]

    @get("/", operation_id="page_programs_proposals")
    async def proposals(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        proposing = user.role == "clinic_admin"
        return page(
            request,
            "programs/proposals.html.jinja2",
            proposals=await queries.listed(db, viewer=user),
            workers=await queries.clinic_workers(db, clinic_id=user.clinic_id) if proposing else [],
            programs=await apprenticeship.programs(db) if proposing else [],
            proposing=proposing,
            **common.page_helpers(request_language(request)),
        )

    @post("/", operation_id="page_programs_proposal_create", guards=[require_role("clinic_admin")])
    async def propose(self, tx: Tx, user: User, data: URLEncodedBody[ProposalForm]) -> Redirect:
        await service.propose(tx, viewer=user, form=data)
        return Redirect("/programs/proposals?proposed=1", status_code=303)

    @post(
        "/{proposal_id:uuid}/decision",
        operation_id="page_programs_proposal_decide",
        guards=[require_role("program_admin")],
    )
    async def decide(
        self, tx: Tx, user: User, proposal_id: FromPath[UUID], data: URLEncodedBody[ProposalDecisionForm]
    ) -> Redirect:
        made = await service.decide(tx, viewer=user, proposal_id=proposal_id, form=data)
        if made is not None:
            return Redirect(f"/programs/apprentices/{made}?started=1", status_code=303)
        return Redirect("/programs/proposals?declined=1", status_code=303)
