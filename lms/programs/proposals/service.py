"""Use cases of apprentice proposals: a clinic admin proposes one of her workers for an apprenticeship program; a
program admin accepts (the apprenticeship starts today, with the mentor she names) or declines with a reason. Each
error names its field; each change is audited."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_
from lms.programs import common
from lms.programs.proposals import queries
from lms.programs.proposals.schemas import ProposalDecisionForm, ProposalForm

MAX_TEXT = 1000


def _text(value: str, field: str) -> str:
    text = " ".join(value.split())
    if len(text) > MAX_TEXT:
        raise Invalid(
            N_("%(field)s: at most %(count)s characters"), field=field, params={"field": field, "count": MAX_TEXT}
        )
    return text


async def propose(conn: asyncpg.Connection, *, viewer: CurrentUser, form: ProposalForm) -> UUID:
    try:
        user_id = UUID(form.worker.strip())
    except ValueError:
        raise Invalid(N_("worker: choose a worker of your clinic"), field="worker") from None
    note = _text(form.note, "note") or None
    made = await queries.propose(conn, viewer=viewer, user_id=user_id, program_key=form.program.strip(), note=note)
    if made["program"] is None:
        raise Invalid(N_("program: no such apprenticeship program"), field="program")
    if made["worker"] is None:
        raise Invalid(N_("worker: choose an active worker of your clinic"), field="worker")
    if made["enrolled"]:
        raise Conflict(N_("worker: already an apprentice in this program"), field="worker")
    if made["id"] is None:
        raise Conflict(
            N_("worker: already proposed for this program; the partnership has not answered yet"), field="worker"
        )
    await record(
        conn,
        actor_id=viewer.id,
        action="apprenticeship.proposed",
        subject=str(made["id"]),
        detail={"program": form.program.strip(), "worker": str(user_id)},
    )
    return made["id"]


async def decide(
    conn: asyncpg.Connection, *, viewer: CurrentUser, proposal_id: UUID, form: ProposalDecisionForm
) -> UUID | None:
    """Answers the new apprenticeship's id when accepted, None when declined."""
    found = await queries.lock(conn, proposal_id=proposal_id)
    if found is None:
        raise NotFound(N_("no such proposal"), field="proposal_id")
    if form.decision not in ("accept", "decline"):
        raise Invalid(N_("decision: accept or decline"), field="decision")
    if found["status"] != "proposed":
        raise Conflict(N_("this proposal has been answered already"), field="proposal_id")
    if form.decision == "decline":
        reason = _text(form.reason, "reason")
        if len(reason) < 2:
            raise Invalid(N_("reason: say why, for the clinic that proposed her"), field="reason")
        await queries.decline(conn, proposal_id=proposal_id, reason=reason, actor_id=viewer.id)
        await record(conn, actor_id=viewer.id, action="apprenticeship.proposal_declined", subject=str(proposal_id))
        return None
    mentor = form.mentor.strip()
    if not mentor:
        raise Invalid(N_("mentor: give the mentor's email"), field="mentor")
    made = await queries.accept(
        conn, proposal_id=proposal_id, mentor_email=mentor, starts_on=common.today(), actor_id=viewer.id
    )
    if made["worker"] is None:
        raise Conflict(N_("worker: no longer an active worker of the clinic that proposed her"), field="worker")
    if made["mentor"] is None:
        raise Invalid(N_("mentor: no active user other than the apprentice has this email"), field="mentor")
    if made["id"] is None:
        raise Conflict(N_("worker: already an apprentice in this program"), field="worker")
    await record(
        conn,
        actor_id=viewer.id,
        action="apprenticeship.proposal_accepted",
        subject=str(proposal_id),
        detail={"apprenticeship": str(made["id"])},
    )
    return made["id"]
