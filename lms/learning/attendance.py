"""Attendance as minutes actually present.

A scan (the QR code or the short code typed by hand) records the arrival and leaves the record open; a second scan
checks out, the instructor's "close the roster" closes every open record, and a session that has ended closes what
is still open at its end. Only a closed record counts: the `attended` statement, completion and credit all wait for
it, so nothing rests on minutes that have not happened. Minutes run from max(arrival, start) to min(leaving, end),
rounded down.

The instructor's corrections (late, left early, absent, added) go through ``save_roster``: each change is kept in the
audit log with who, when and why, and the enrolments it touches are re-evaluated in the same transaction (a
completion that no longer holds is withdrawn; the credit feature supersedes or revokes its certificate).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import AuditEntry, record, record_many
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_, Text
from lms.learning import attendance_queries, xapi
from lms.learning.completion import complete_if_done, reevaluate
from lms.learning.schemas import Attendance, AttendanceState, RosterMark
from lms.xapi.service import store_trusted

# A second scan this soon after the first is the same arrival (a double tap, a reload), not a check-out.
REPEAT_SECONDS = 120
# Check-in opens this long before the session starts.
EARLY_CHECKIN = timedelta(hours=2)


async def record_scan(
    conn: asyncpg.Connection,
    *,
    session_id: UUID,
    user_id: UUID,
    scanned_at: datetime,
    method: str,
    base_url: str,
) -> Attendance:
    """A worker scanned (or typed) the session's code: the first scan is her arrival, a later one her check-out."""
    await attendance_queries.lock_worker_scans(conn, session_id=session_id, user_id=user_id)
    row = await attendance_queries.scan_state(conn, session_id=session_id, user_id=user_id)
    if row is None:
        raise NotFound(N_("no such session, or it was cancelled"))
    if row["enrollment_id"] is None:
        raise Forbidden(N_("you are not enrolled in this course; ask the instructor"), field="enrollment")
    now = datetime.now(UTC)
    if row["arrived_at"] is None:
        if row["roster_closed_at"] is not None or scanned_at >= row["ends_at"]:
            raise Conflict(N_("this session has ended; ask the instructor to add you to the roster"), field="session")
        if scanned_at < row["starts_at"] - EARLY_CHECKIN:
            raise Conflict(N_("this session has not started yet; scan the code again when it starts"), field="session")
        await attendance_queries.add_arrival(
            conn,
            session_id=session_id,
            user_id=user_id,
            enrollment_id=row["enrollment_id"],
            arrived_at=scanned_at,
            method=method,
        )
        return _attendance(session_id, user_id, scanned_at, None, 0, method, row, state="arrived", now=now)
    if (
        row["left_at"] is None
        and (now - row["recorded_at"]).total_seconds() >= REPEAT_SECONDS
        and scanned_at > row["arrived_at"]
    ):
        closed = await attendance_queries.close_worker_record(
            conn, session_id=session_id, user_id=user_id, left_at=scanned_at
        )
        await _attended(conn, closed, base_url=base_url)
        c = closed[0]
        return _attendance(
            session_id, user_id, c["arrived_at"], c["left_at"], c["minutes"], row["method"], row, state="left", now=now
        )
    return _attendance(
        session_id,
        user_id,
        row["arrived_at"],
        row["left_at"],
        row["minutes"],
        row["method"],
        row,
        state="already",
        now=now,
    )


def _attendance(
    session_id: UUID,
    user_id: UUID,
    arrived: datetime,
    left: datetime | None,
    minutes: int,
    method: str,
    row: Any,
    *,
    state: AttendanceState,
    now: datetime,
) -> Attendance:
    if left is None:  # open: what has happened so far, shown to her, counted for nothing yet
        end = min(now, row["ends_at"])
        minutes = max(int((end - max(arrived, row["starts_at"])).total_seconds() // 60), 0)
    return Attendance(
        session_id=session_id,
        user_id=user_id,
        arrived_at=arrived,
        left_at=left,
        minutes=minutes,
        method=method,
        session_minutes=row["session_minutes"],
        ends_at=row["ends_at"],
        created=state == "arrived",
        state=state,
        final=left is not None,
    )


async def _attended(conn: asyncpg.Connection, rows: list[Any], *, base_url: str) -> None:
    """Attendance made final: an `attended` statement per worker, then completion for those enrolments."""
    for r in rows:
        statement = xapi.build_statement(
            base_url=base_url,
            user_id=r["user_id"],
            verb="attended",
            code=r["code"],
            version=r["version"],
            key=r["activity_key"],
            title=r["activity_title"],
            registration=r["enrollment_id"],
            language=r["language"],
            timestamp=r["left_at"],
            result={"duration": f"PT{r['minutes']}M", "completion": True},
        )
        await store_trusted(conn, statement, base_url=base_url)
    if rows:
        await complete_if_done(conn, sorted({r["enrollment_id"] for r in rows}), base_url=base_url)


async def close_ended(
    conn: asyncpg.Connection, *, base_url: str, user_id: UUID | None = None, session_id: UUID | None = None
) -> int:
    """Close what is still open in sessions that have ended, at their end (for one worker, one session, or all)."""
    rows = await attendance_queries.close_ended_records(conn, user_id=user_id, session_id=session_id)
    await _attended(conn, rows, base_url=base_url)
    return len(rows)


async def close_all_ended(pool: asyncpg.Pool, *, base_url: str) -> int:
    """The periodic job's half of "the session end closes it": every record still open in a session that has ended is
    closed at that end, and its completion and certificate are evaluated then, without waiting for anyone to open a
    page. One transaction, so a failure leaves the records open for the next tick."""
    async with pool.acquire() as conn, conn.transaction():
        return await close_ended(conn, base_url=base_url)


async def close_roster(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser, base_url: str) -> int:
    """The instructor closes the roster: open records end now (or at the session's end), later scans are refused."""
    if await attendance_queries.mark_roster_closed(conn, session_id=session_id, actor=actor) is None:
        raise NotFound(N_("no such session of yours"))
    rows = await attendance_queries.close_session_records(conn, session_id=session_id)
    await _attended(conn, rows, base_url=base_url)
    await record(
        conn,
        actor_id=actor.id,
        action="attendance.roster_closed",
        subject=str(session_id),
        detail={"closed": [str(r["user_id"]) for r in rows]},
    )
    return len(rows)


def _kind(before: Any, after: tuple[datetime, datetime | None] | None) -> str:
    if before is None:
        return "added"
    if after is None:
        return "absent"
    if after[0] > before["arrived_at"]:
        return "late"
    if after[1] is not None and (before["left_at"] is None or after[1] < before["left_at"]):
        return "left_early"
    return "corrected"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def save_roster(
    conn: asyncpg.Connection,
    *,
    session_id: UUID,
    actor: CurrentUser,
    marks: list[RosterMark],
    base_url: str,
    reason: str = "",
) -> int:
    """The instructor's roster. Present with times: those times (a correction replaces what was there); present
    without times: the whole session unless a record exists (a scan stands); absent: a record there is removed. A
    change to an existing record needs a reason. Every worker must be enrolled, every time within reason, or nothing
    is saved. Returns how many records changed."""
    session = await attendance_queries.lock_session_run_by(conn, session_id=session_id, actor=actor)
    if session is None:
        raise NotFound(N_("no such session of yours"))
    ids = [m.user_id for m in marks]
    if len(set(ids)) != len(ids):
        raise Invalid(N_("marks: a worker is listed twice"), field="marks")
    rows = await attendance_queries.roster_workers(
        conn, session_id=session_id, user_ids=ids, version_id=session["version_id"]
    )
    known = {r["user_id"]: r for r in rows}
    now = datetime.now(UTC)
    starts, ends = session["starts_at"], session["ends_at"]
    upserts: list[tuple[UUID, UUID, datetime, datetime | None]] = []
    removed: list[UUID] = []
    audit: list[AuditEntry] = []
    for i, mark in enumerate(marks):
        current = known[mark.user_id]
        who = current["display_name"] or str(mark.user_id)  # the roster page names the worker, the API the field
        if current["enrollment_id"] is None:
            raise Invalid(
                N_("%(name)s is not enrolled in this version of the course, so the roster cannot count them."),
                field=f"marks[{i}].user_id",
                params={"name": who},
            )
        before = current if current["arrived_at"] is not None else None
        after: tuple[datetime, datetime | None] | None
        if mark.present and starts > now:
            raise Invalid(
                N_("%(name)s: the session has not started yet; mark who came once it has"),
                params={"name": who},
                field=f"marks[{i}].present",
            )
        if not mark.present:
            if before is None:
                continue
            after = None
        elif mark.arrived_at is None and mark.left_at is None:
            if before is not None:
                continue
            after = (starts, ends if ends <= now else None)
        else:
            for name, what in (("arrived_at", Text(N_("arrival"))), ("left_at", Text(N_("departure")))):
                value = getattr(mark, name)
                if value is not None and value.tzinfo is None:
                    raise Invalid(
                        N_("%(name)s, %(what)s: give the time with its offset"),
                        params={"name": who, "what": what},
                        field=f"marks[{i}].{name}",
                    )
                if value is not None and value > now + timedelta(minutes=1):
                    raise Invalid(
                        N_("%(name)s, %(what)s: this time has not happened yet"),
                        params={"name": who, "what": what},
                        field=f"marks[{i}].{name}",
                    )
            arrived = max(mark.arrived_at or starts, starts)
            left = min(mark.left_at, ends) if mark.left_at is not None else (ends if ends <= now else None)
            if arrived >= ends:
                raise Invalid(
                    N_("%(name)s: the arrival is after the session ended"),
                    params={"name": who},
                    field=f"marks[{i}].arrived_at",
                )
            if left is not None and left < arrived:
                raise Invalid(
                    N_("%(name)s: the departure is before the arrival"),
                    params={"name": who},
                    field=f"marks[{i}].left_at",
                )
            if before is not None and (before["arrived_at"], before["left_at"]) == (arrived, left):
                continue
            after = (arrived, left)
        if before is not None and not reason.strip():
            raise Invalid(N_("reason: say why the recorded attendance is corrected"), field="reason")
        kind = _kind(before, after)
        if after is None:
            removed.append(mark.user_id)
        else:
            upserts.append((mark.user_id, current["enrollment_id"], after[0], after[1]))
        audit.append(
            AuditEntry(
                actor_id=actor.id,
                action="attendance.corrected",
                subject=str(session_id),
                detail={
                    "user_id": str(mark.user_id),
                    "kind": kind,
                    "reason": reason.strip(),
                    "before": None
                    if before is None
                    else {
                        "arrived_at": _iso(before["arrived_at"]),
                        "left_at": _iso(before["left_at"]),
                        "minutes": before["minutes"],
                    },
                    "after": None if after is None else {"arrived_at": _iso(after[0]), "left_at": _iso(after[1])},
                },
            )
        )
    if removed:
        await attendance_queries.remove_records(conn, session_id=session_id, user_ids=removed)
    changed = []
    if upserts:
        changed = await attendance_queries.put_roster_records(
            conn, session_id=session_id, records=upserts, recorded_by=actor.id
        )
    await record_many(conn, audit)
    await _attended(conn, [r for r in changed if r["left_at"] is not None], base_url=base_url)
    touched = sorted({known[a]["enrollment_id"] for a in removed} | {u[1] for u in upserts})
    await reevaluate(
        conn, touched, actor_id=actor.id, reason=reason.strip() or "attendance corrected", base_url=base_url
    )
    return len(audit)


def typed_marks(payload: list[dict[str, Any]]) -> list[RosterMark]:
    return [msgspec.convert(m, RosterMark) for m in payload]
