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
from lms.i18n import N_
from lms.learning import xapi
from lms.learning.completion import complete_if_done, reevaluate
from lms.learning.schemas import Attendance, AttendanceState, RosterMark
from lms.xapi.service import store_trusted

# A second scan this soon after the first is the same arrival (a double tap, a reload), not a check-out.
REPEAT_SECONDS = 120
# Check-in opens this long before the session starts.
EARLY_CHECKIN = timedelta(hours=2)
_RUNS = "(s.instructor_id = {me} OR {role} = 'program_admin')"
_MINUTES = "greatest(floor(extract(epoch FROM {left} - greatest({arrived}, s.starts_at)) / 60), 0)::int"


async def _lock_worker(conn: asyncpg.Connection, session_id: UUID, user_id: UUID) -> None:
    """Scans of one worker for one session run one at a time: a double tap sees the first scan's record."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('attendance:' || $1::uuid::text || ':' || $2::uuid::text, 0))",
        session_id,
        user_id,
    )


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
    await _lock_worker(conn, session_id, user_id)
    row = await conn.fetchrow(
        """SELECT s.id, s.starts_at, s.ends_at, s.minutes AS session_minutes, s.roster_closed_at, e.id AS enrollment_id,
                  t.arrived_at, t.left_at, t.minutes, t.method, t.recorded_at
           FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id
           LEFT JOIN enrollments e ON e.user_id = $2 AND e.version_id = a.version_id
           LEFT JOIN attendance t ON t.session_id = s.id AND t.user_id = $2
           WHERE s.id = $1 AND s.cancelled_at IS NULL""",
        session_id,
        user_id,
    )
    if row is None:
        raise NotFound("no such session, or it was cancelled")
    if row["enrollment_id"] is None:
        raise Forbidden("you are not enrolled in this course; ask the instructor", field="enrollment")
    now = datetime.now(UTC)
    if row["arrived_at"] is None:
        if row["roster_closed_at"] is not None or scanned_at >= row["ends_at"]:
            raise Conflict("this session has ended; ask the instructor to add you to the roster", field="session")
        if scanned_at < row["starts_at"] - EARLY_CHECKIN:
            raise Conflict("this session has not started yet; scan the code again when it starts", field="session")
        await conn.execute(
            """INSERT INTO attendance (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
               VALUES ($1, $2, $3, $4, NULL, 0, $2, $5)""",
            session_id,
            user_id,
            row["enrollment_id"],
            scanned_at,
            method,
        )
        return _attendance(session_id, user_id, scanned_at, None, 0, method, row, state="arrived", now=now)
    if (
        row["left_at"] is None
        and (now - row["recorded_at"]).total_seconds() >= REPEAT_SECONDS
        and scanned_at > row["arrived_at"]
    ):
        closed = await _close(
            conn,
            "t.session_id = $1 AND t.user_id = $2",
            [session_id, user_id],
            left="least($3::timestamptz, s.ends_at)",
            extra=[scanned_at],
            base_url=base_url,
        )
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


_CLOSED_ROWS = """SELECT n.session_id, n.user_id, n.enrollment_id, n.arrived_at, n.left_at, n.minutes, n.recorded_at, s.language,
                         c.code, v.version, a.key AS activity_key, a.title AS activity_title
                  FROM n JOIN inperson_sessions s ON s.id = n.session_id JOIN version_activities a ON a.id = s.activity_id
                  JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id"""


async def _close(
    conn: asyncpg.Connection, where: str, args: list[Any], *, left: str, extra: list[Any] | None = None, base_url: str
) -> list[Any]:
    """Close the open records matching ``where`` at ``left`` (an SQL time), then emit and complete for them."""
    rows = await conn.fetch(
        f"""WITH n AS (UPDATE attendance t SET left_at = greatest({left}, t.arrived_at),
                           minutes = {_MINUTES.format(left=left, arrived="t.arrived_at")}
                       FROM inperson_sessions s
                       WHERE s.id = t.session_id AND t.left_at IS NULL AND {where}
                       RETURNING t.session_id, t.user_id, t.enrollment_id, t.arrived_at, t.left_at, t.minutes, t.recorded_at)
            {_CLOSED_ROWS}""",
        *args,
        *(extra or []),
    )
    await _attended(conn, rows, base_url=base_url)
    return rows


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
    rows = await _close(
        conn,
        "s.ends_at <= now() AND ($1::uuid IS NULL OR t.user_id = $1) AND ($2::uuid IS NULL OR t.session_id = $2)",
        [user_id, session_id],
        left="s.ends_at",
        base_url=base_url,
    )
    return len(rows)


async def close_all_ended(pool: asyncpg.Pool, *, base_url: str) -> int:
    """The periodic job's half of "the session end closes it": every record still open in a session that has ended is
    closed at that end, and its completion and certificate are evaluated then, without waiting for anyone to open a
    page. One transaction, so a failure leaves the records open for the next tick."""
    async with pool.acquire() as conn, conn.transaction():
        return await close_ended(conn, base_url=base_url)


async def close_roster(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser, base_url: str) -> int:
    """The instructor closes the roster: open records end now (or at the session's end), later scans are refused."""
    found = await conn.fetchval(
        f"""UPDATE inperson_sessions s SET roster_closed_at = coalesce(s.roster_closed_at, least(now(), s.ends_at))
            WHERE s.id = $1 AND s.cancelled_at IS NULL AND {_RUNS.format(me="$2", role="$3")} RETURNING s.id""",
        session_id,
        actor.id,
        actor.role,
    )
    if found is None:
        raise NotFound("no such session of yours")
    rows = await _close(conn, "t.session_id = $1", [session_id], left="least(now(), s.ends_at)", base_url=base_url)
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
    session = await conn.fetchrow(
        f"""SELECT s.id, s.starts_at, s.ends_at, a.version_id FROM inperson_sessions s
            JOIN version_activities a ON a.id = s.activity_id
            WHERE s.id = $1 AND {_RUNS.format(me="$2", role="$3")} FOR UPDATE OF s""",
        session_id,
        actor.id,
        actor.role,
    )
    if session is None:
        raise NotFound("no such session of yours")
    ids = [m.user_id for m in marks]
    if len(set(ids)) != len(ids):
        raise Invalid("marks: a worker is listed twice", field="marks")
    rows = await conn.fetch(
        """SELECT x.user_id, u.display_name, e.id AS enrollment_id, t.arrived_at, t.left_at, t.minutes
           FROM unnest($2::uuid[]) AS x(user_id)
           LEFT JOIN users u ON u.id = x.user_id
           LEFT JOIN enrollments e ON e.user_id = x.user_id AND e.version_id = $3
           LEFT JOIN attendance t ON t.session_id = $1 AND t.user_id = x.user_id""",
        session_id,
        ids,
        session["version_id"],
    )
    known = {r["user_id"]: r for r in rows}
    now = datetime.now(UTC)
    starts, ends = session["starts_at"], session["ends_at"]
    upserts: list[tuple[UUID, UUID, datetime, datetime | None]] = []
    removed: list[UUID] = []
    audit: list[AuditEntry] = []
    for i, mark in enumerate(marks):
        current = known[mark.user_id]
        if current["enrollment_id"] is None:
            raise Invalid(
                N_("%(name)s is not enrolled in this version of the course, so the roster cannot count them."),
                field=f"marks[{i}].user_id",
                params={"name": current["display_name"] or str(mark.user_id)},
            )
        before = current if current["arrived_at"] is not None else None
        after: tuple[datetime, datetime | None] | None
        if mark.present and starts > now:
            raise Invalid(
                f"marks[{i}].present: the session has not started yet; mark who came once it has",
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
            for name in ("arrived_at", "left_at"):
                value = getattr(mark, name)
                if value is not None and value.tzinfo is None:
                    raise Invalid(f"marks[{i}].{name}: give the time with its offset", field=f"marks[{i}].{name}")
                if value is not None and value > now + timedelta(minutes=1):
                    raise Invalid(f"marks[{i}].{name}: this time has not happened yet", field=f"marks[{i}].{name}")
            arrived = max(mark.arrived_at or starts, starts)
            left = min(mark.left_at, ends) if mark.left_at is not None else (ends if ends <= now else None)
            if arrived >= ends:
                raise Invalid(f"marks[{i}].arrived_at: after the session ended", field=f"marks[{i}].arrived_at")
            if left is not None and left < arrived:
                raise Invalid(f"marks[{i}].left_at: before the arrival (negative minutes)", field=f"marks[{i}].left_at")
            if before is not None and (before["arrived_at"], before["left_at"]) == (arrived, left):
                continue
            after = (arrived, left)
        if before is not None and not reason.strip():
            raise Invalid("reason: say why the recorded attendance is corrected", field="reason")
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
        await conn.execute(
            "DELETE FROM attendance WHERE session_id = $1 AND user_id = ANY($2::uuid[])", session_id, removed
        )
    changed = []
    if upserts:
        changed = await conn.fetch(
            f"""WITH x AS (SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[])
                           AS x(user_id, enrollment_id, arrived_at, left_at)),
                     n AS (INSERT INTO attendance AS t (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
                           SELECT s.id, x.user_id, x.enrollment_id, x.arrived_at, x.left_at,
                                  CASE WHEN x.left_at IS NULL THEN 0 ELSE {_MINUTES.format(left="x.left_at", arrived="x.arrived_at")} END,
                                  $6, 'roster'
                           FROM x CROSS JOIN inperson_sessions s WHERE s.id = $1
                           ON CONFLICT (session_id, user_id) DO UPDATE
                               SET arrived_at = EXCLUDED.arrived_at, left_at = EXCLUDED.left_at, minutes = EXCLUDED.minutes,
                                   recorded_by = EXCLUDED.recorded_by, method = 'roster', recorded_at = now()
                           RETURNING t.session_id, t.user_id, t.enrollment_id, t.arrived_at, t.left_at, t.minutes, t.recorded_at)
                {_CLOSED_ROWS}""",
            session_id,
            [u[0] for u in upserts],
            [u[1] for u in upserts],
            [u[2] for u in upserts],
            [u[3] for u in upserts],
            actor.id,
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
