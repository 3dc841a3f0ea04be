"""Use cases of preceptorship: logging supervised hours, the preceptor's sign-off or return, evaluations, and a new
assignment."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_, Text
from lms.programs import common
from lms.programs.preceptorship import queries
from lms.programs.preceptorship.schemas import (
    HOURS_STATUS_NAMES,
    RATINGS,
    EvaluationForm,
    HoursForm,
    NewPreceptorshipForm,
    SignForm,
)


def _optional_uuid(value: str, field: str) -> UUID | None:
    if not value.strip():
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        raise Invalid(N_("%(field)s: not a valid id"), params={"field": field}, field=field) from None


async def log_hours(conn: asyncpg.Connection, *, user: CurrentUser, form: HoursForm) -> UUID:
    preceptorship_id = await queries.active_of(
        conn, user_id=user.id, preceptorship_id=_optional_uuid(form.preceptorship, "preceptorship")
    )
    if preceptorship_id is None:
        raise Invalid(N_("preceptorship: you have no active preceptor assignment"), field="preceptorship")
    day = common.parse_date(form.day, "day")
    if day > common.today() + timedelta(days=1):
        raise Invalid(N_("day: supervised hours are logged once they happened"), field="day")
    minutes = common.hours_to_minutes(form.hours, "hours", allow_zero=False)
    if minutes > 16 * 60:
        raise Invalid(N_("hours: at most 16 hours in a day"), field="hours")
    activity = " ".join(form.activity.split())
    if not 2 <= len(activity) <= 300:
        raise Invalid(N_("activity: say what you did under supervision (2 to 300 characters)"), field="activity")
    return await queries.add_hours(conn, preceptorship_id=preceptorship_id, day=day, minutes=minutes, activity=activity)


async def sign(conn: asyncpg.Connection, *, viewer: CurrentUser, entry_id: UUID, form: SignForm) -> None:
    entry = await queries.entry_for_preceptor(conn, entry_id=entry_id, viewer=viewer)
    if entry is None:
        raise NotFound(N_("no such entry of a worker you precept"), field="entry_id")
    if form.decision not in ("sign", "return"):
        raise Invalid(N_("decision: sign or return"), field="decision")
    note = " ".join(form.note.split())
    if form.decision == "return" and not note:
        raise Invalid(N_("note: say what to correct when you return hours"), field="note")
    if len(note) > 1000:
        raise Invalid(N_("note: at most 1,000 characters"), field="note")
    if entry["status"] != "submitted":
        raise Conflict(
            N_("these hours were decided already: %(status)s"),
            params={"status": Text(HOURS_STATUS_NAMES[entry["status"]])},
            field="entry_id",
        )
    status = "signed" if form.decision == "sign" else "returned"
    await queries.decide(conn, entry_id=entry_id, status=status, note=note or None, actor_id=viewer.id)
    await record(conn, actor_id=viewer.id, action=f"preceptorship.hours_{status}", subject=str(entry_id))


async def evaluate(
    conn: asyncpg.Connection, *, viewer: CurrentUser, preceptorship_id: UUID, form: EvaluationForm
) -> None:
    found = await queries.for_preceptor(conn, preceptorship_id=preceptorship_id, viewer=viewer)
    if found is None:
        raise NotFound(N_("no such worker you precept"), field="preceptorship_id")
    if form.competency not in found["items"]:
        raise Invalid(N_("competency: not a competency of this role"), field="competency")
    if not form.rating.isdigit() or int(form.rating) not in RATINGS:
        raise Invalid(N_("rating: 1 to 4"), field="rating")
    note = " ".join(form.note.split()) or None
    if note and len(note) > 1000:
        raise Invalid(N_("note: at most 1,000 characters"), field="note")
    await queries.evaluate(
        conn,
        preceptorship_id=preceptorship_id,
        competency=form.competency,
        rating=int(form.rating),
        note=note,
        actor_id=viewer.id,
    )
    await record(
        conn,
        actor_id=viewer.id,
        action="preceptorship.evaluated",
        subject=str(preceptorship_id),
        detail={"competency": form.competency, "rating": int(form.rating)},
    )


async def create(conn: asyncpg.Connection, *, actor: CurrentUser, form: NewPreceptorshipForm) -> UUID:
    role_key, _slash, board = form.requirement.partition("/")
    starts_on = common.parse_date(form.starts_on, "starts_on")
    made = await queries.create(
        conn,
        worker_email=form.worker.strip(),
        preceptor_email=form.preceptor.strip(),
        role_key=role_key,
        board=board,
        starts_on=starts_on,
        actor_id=actor.id,
    )
    if not made["requirement"]:
        raise Invalid(N_("requirement: choose a role and board"), field="requirement")
    if made["worker"] is None:
        raise Invalid(N_("worker: no active worker with a clinic has this email"), field="worker")
    if made["preceptor"] is None:
        raise Invalid(N_("preceptor: no active user has this email"), field="preceptor")
    if made["id"] is None:
        raise Invalid(N_("preceptor: a worker cannot precept herself"), field="preceptor")
    await record(conn, actor_id=actor.id, action="preceptorship.created", subject=str(made["id"]))
    return made["id"]
