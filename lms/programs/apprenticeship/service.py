"""Use cases of the apprenticeship: logging a week, fixing a returned one, the mentor's decision, competencies,
completion and placement, a new apprentice, and the state's export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_, Text
from lms.programs import common
from lms.programs.apprenticeship import queries
from lms.programs.apprenticeship.schemas import (
    WEEK_STATUS_NAMES,
    Apprenticeship,
    DecisionForm,
    NewApprenticeshipForm,
    OutcomeForm,
)


def week_lines(form: dict[str, Any], keys: list[str]) -> dict[str, int]:
    """The hours of a week form (`wp-<work process>` fields) as minutes; at least some, at most 80 hours."""
    lines = {key: common.hours_to_minutes(str(form.get(f"wp-{key}", "")), f"wp-{key}") for key in keys}
    total = sum(lines.values())
    if total == 0:
        raise Invalid(N_("hours: give the hours of at least one work process"), field="hours")
    if total > common.MAX_WEEK_MINUTES:
        raise Invalid(N_("hours: a week holds at most 80 hours of on-the-job learning"), field="hours")
    return lines


async def log_week(conn: asyncpg.Connection, *, user: CurrentUser, form: dict[str, Any]) -> UUID:
    mine = await queries.own(conn, user_id=user.id)
    if mine is None or mine.status != "active":
        raise Invalid(N_("you have no active apprenticeship to log hours in"), field="apprenticeship")
    week_start = common.monday_of(common.parse_date(str(form.get("week_start", "")), "week_start"))
    if week_start < common.monday_of(mine.starts_on):
        raise Invalid(
            N_("week_start: your apprenticeship started on %(starts_on)s"),
            params={"starts_on": mine.starts_on},
            field="week_start",
        )
    if week_start > common.today():
        raise Invalid(N_("week_start: a week can be logged once it has started"), field="week_start")
    lines = week_lines(form, [w.key for w in mine.work_processes if not w.retired])
    week_id = await queries.insert_week(conn, apprenticeship_id=mine.id, week_start=week_start, lines=lines)
    if week_id is None:
        raise Conflict(
            N_("week_start: the week of %(week_start)s is already logged; change it from your list of weeks"),
            params={"week_start": week_start},
            field="week_start",
        )
    return week_id


async def fix_week(conn: asyncpg.Connection, *, user: CurrentUser, week_id: UUID, form: dict[str, Any]) -> None:
    """She changes a week her mentor returned (or has not decided yet) and sends it again."""
    week = await queries.own_week(conn, week_id=week_id, user_id=user.id)
    if week is None:
        raise NotFound(N_("no such week of yours"), field="week_id")
    if week["status"] == "approved":
        raise Conflict(N_("this week is approved already and can no longer change"), field="week_id")
    lines = week_lines(form, await queries.work_process_keys(conn, apprenticeship_id=week["apprenticeship_id"]))
    await queries.replace_week(conn, week_id=week_id, lines=lines)


async def decide_week(conn: asyncpg.Connection, *, viewer: CurrentUser, week_id: UUID, form: DecisionForm) -> UUID:
    """The mentor approves a week, or returns it with a note saying what to fix. Answers the apprenticeship's id."""
    week = await queries.week_for_mentor(conn, week_id=week_id, viewer=viewer)
    if week is None:
        raise NotFound(N_("no such week of an apprentice you mentor"), field="week_id")
    if form.decision not in ("approve", "return"):
        raise Invalid(N_("decision: approve or return"), field="decision")
    note = form.note.strip()
    if form.decision == "return" and not note:
        raise Invalid(N_("note: say what to fix when you return a week"), field="note")
    if len(note) > 1000:
        raise Invalid(N_("note: at most 1,000 characters"), field="note")
    if week["status"] != "submitted":
        raise Conflict(
            N_("this week was decided already: %(status)s"),
            params={"status": Text(WEEK_STATUS_NAMES[week["status"]])},
            field="week_id",
        )
    status = "approved" if form.decision == "approve" else "returned"
    await queries.decide_week(conn, week_id=week_id, status=status, note=note or None, actor_id=viewer.id)
    await record(
        conn,
        actor_id=viewer.id,
        action=f"apprenticeship.week_{status}",
        subject=str(week_id),
        detail={"apprenticeship": str(week["apprenticeship_id"]), "week_start": week["week_start"].isoformat()},
    )
    return week["apprenticeship_id"]


async def sign_competency(
    conn: asyncpg.Connection, *, viewer: CurrentUser, apprenticeship_id: UUID, competency: str
) -> None:
    found = await queries.for_mentor(conn, apprenticeship_id=apprenticeship_id, viewer=viewer)
    if found is None:
        raise NotFound(N_("no such apprentice of yours"), field="apprenticeship_id")
    if not await queries.sign_competency(
        conn,
        apprenticeship_id=apprenticeship_id,
        program_id=found["program_id"],
        competency=competency.strip(),
        actor_id=viewer.id,
    ):
        raise Invalid(N_("competency: not a competency of this program"), field="competency")
    await record(
        conn,
        actor_id=viewer.id,
        action="apprenticeship.competency_signed",
        subject=str(apprenticeship_id),
        detail={"competency": competency.strip()},
    )


def _optional_date(value: str, field: str) -> date | None:
    return common.parse_date(value, field) if value.strip() else None


async def record_outcome(
    conn: asyncpg.Connection, *, viewer: CurrentUser, apprenticeship_id: UUID, form: OutcomeForm
) -> None:
    """Completion and job placement, recorded by the apprentice's clinic or the partnership."""
    found = await queries.for_clinic(conn, apprenticeship_id=apprenticeship_id, viewer=viewer)
    if found is None:
        raise NotFound(N_("no such apprenticeship at your clinic"), field="apprenticeship_id")
    completed_on = _optional_date(form.completed_on, "completed_on")
    placed_on = _optional_date(form.placed_on, "placed_on")
    placement = form.placement.strip() or None
    for day, field in ((completed_on, "completed_on"), (placed_on, "placed_on")):
        if day and (day < found["starts_on"] or day > common.today() + timedelta(days=1)):
            raise Invalid(
                N_("%(field)s: between the start (%(starts_on)s) and today"),
                params={"field": field, "starts_on": found["starts_on"]},
                field=field,
            )
    if (placed_on is None) != (placement is None):
        raise Invalid(N_("placement: give both the placement date and the job (title and employer)"), field="placement")
    if placement and not 2 <= len(placement) <= 200:
        raise Invalid(N_("placement: 2 to 200 characters"), field="placement")
    await queries.set_outcome(
        conn, apprenticeship_id=apprenticeship_id, completed_on=completed_on, placed_on=placed_on, placement=placement
    )
    await record(
        conn,
        actor_id=viewer.id,
        action="apprenticeship.outcome",
        subject=str(apprenticeship_id),
        detail={
            "completed_on": completed_on and completed_on.isoformat(),
            "placed_on": placed_on and placed_on.isoformat(),
        },
    )


async def create(conn: asyncpg.Connection, *, actor: CurrentUser, form: NewApprenticeshipForm) -> UUID:
    starts_on = common.parse_date(form.starts_on, "starts_on")
    made = await queries.create(
        conn,
        program_key=form.program.strip(),
        apprentice_email=form.apprentice.strip(),
        mentor_email=form.mentor.strip(),
        starts_on=starts_on,
        actor_id=actor.id,
    )
    if made["program"] is None:
        raise Invalid(N_("program: no such apprenticeship program"), field="program")
    if made["apprentice"] is None:
        raise Invalid(N_("apprentice: no active worker with a clinic has this email"), field="apprentice")
    if made["mentor"] is None:
        raise Invalid(N_("mentor: no active user has this email"), field="mentor")
    if made["apprentice"] == made["mentor"]:
        raise Invalid(N_("mentor: an apprentice cannot mentor herself"), field="mentor")
    if made["id"] is None:
        raise Conflict(N_("apprentice: already in this program"), field="apprentice")
    await record(conn, actor_id=actor.id, action="apprenticeship.created", subject=str(made["id"]))
    return made["id"]


EXPORT_HEADER = [
    "program",
    "apprentice",
    "employer_clinic",
    "mentor",
    "start_date",
    "status",
    "ojt_hours_required",
    "ojt_hours_approved",
    "ojt_hours_awaiting_approval",
    "ri_hours_required",
    "ri_hours",
    "competencies_signed",
    "competencies_total",
    "wage_step",
    "hourly_wage",
    "journeyworker_wage_percent",
    "completion_requirements_met",
    "completion_date",
    "placement_date",
    "placement",
    "work_process_hours",
]


def export_table(records: list[Apprenticeship]) -> list[list[Any]]:
    """One row per apprentice, as the state's apprenticeship reporting asks: hours by work process, related
    instruction, competencies, wage step, completion and placement."""
    rows = []
    for a in records:
        step = a.wage_step
        rows.append(
            [
                a.program_key,
                a.apprentice,
                a.clinic,
                a.mentor,
                a.starts_on,
                a.status,
                a.ojt_hours,
                common.hours(a.approved_minutes),
                common.hours(a.pending_minutes),
                a.ri_hours,
                common.hours(a.ri_minutes),
                a.signed_competencies,
                sum(1 for c in a.competencies if not c.retired),
                step.step if step else "",
                common.dollars(step.hourly_cents) if step else "",
                step.journeyworker_percent if step and step.journeyworker_percent else "",
                "yes" if a.completion_met else "no",
                a.completed_on,
                a.placed_on,
                a.placement,
                "; ".join(f"{w.key}={common.hours(w.approved_minutes)}" for w in a.work_processes),
            ]
        )
    return rows
