"""SQL of preceptorship. A record is read by the worker, her preceptor, her clinic's admins and the program admins,
in the WHERE (lms.programs.common.sees); sign-offs and evaluations by the preceptor (or a program admin)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.programs.common import sees, viewer_args
from lms.programs.preceptorship.schemas import Preceptorship

_RECORD = """
SELECT p.id, p.user_id, u.display_name AS worker, p.preceptor_id, pr.display_name AS preceptor, p.clinic_id, c.name AS clinic,
       p.role_key, p.board, q.name AS role_name, q.required_hours, p.starts_on, p.status,
       (SELECT coalesce(sum(h.minutes) FILTER (WHERE h.status = 'signed'), 0) FROM supervised_hours h WHERE h.preceptorship_id = p.id)::int AS signed_minutes,
       (SELECT coalesce(sum(h.minutes) FILTER (WHERE h.status = 'submitted'), 0) FROM supervised_hours h WHERE h.preceptorship_id = p.id)::int AS pending_minutes,
       (SELECT coalesce(json_agg(json_build_object('key', i.key, 'name', i.name, 'kind', i.kind, 'retired', i.retired_at IS NOT NULL,
                                                   'rating', e.rating, 'note', e.note, 'evaluated_on', e.evaluated_on)
                                 ORDER BY i.kind, i.position, i.key), '[]')
        FROM supervision_items i
        LEFT JOIN preceptor_evaluations e ON e.preceptorship_id = p.id AND e.competency = i.key
        WHERE i.role_key = p.role_key AND i.board = p.board AND (i.retired_at IS NULL OR e.competency IS NOT NULL)) AS evaluations,
       (SELECT coalesce(json_agg(json_build_object('id', h.id, 'day', h.day, 'minutes', h.minutes, 'activity', h.activity,
                                                   'status', h.status, 'note', h.note) ORDER BY h.day DESC, h.created_at DESC), '[]')
        FROM supervised_hours h WHERE h.preceptorship_id = p.id) AS entries
FROM preceptorships p
JOIN supervision_requirements q ON q.role_key = p.role_key AND q.board = p.board
JOIN users u ON u.id = p.user_id JOIN users pr ON pr.id = p.preceptor_id JOIN clinics c ON c.id = p.clinic_id
"""


def _record(row: Any) -> Preceptorship:
    return msgspec.convert(dict(row), Preceptorship, strict=False)


async def own(conn: asyncpg.Connection, *, user_id: UUID) -> list[Preceptorship]:
    return [_record(r) for r in await conn.fetch(f"{_RECORD} WHERE p.user_id = $1 ORDER BY p.starts_on DESC", user_id)]


async def listed(conn: asyncpg.Connection, *, viewer: CurrentUser, precepted_only: bool) -> list[Preceptorship]:
    rows = await conn.fetch(
        f"""{_RECORD} WHERE {sees("p", "preceptor_id", 1)} AND (NOT $4 OR p.preceptor_id = $1) AND p.user_id <> $1
            ORDER BY p.status = 'active' DESC, u.display_name, p.id LIMIT 200""",
        *viewer_args(viewer),
        precepted_only,
    )
    return [_record(r) for r in rows]


async def active_of(conn: asyncpg.Connection, *, user_id: UUID, preceptorship_id: UUID | None) -> UUID | None:
    return await conn.fetchval(
        """SELECT id FROM preceptorships WHERE user_id = $1 AND status = 'active' AND ($2::uuid IS NULL OR id = $2)
           ORDER BY starts_on DESC LIMIT 1""",
        user_id,
        preceptorship_id,
    )


async def add_hours(
    conn: asyncpg.Connection, *, preceptorship_id: UUID, day: date, minutes: int, activity: str
) -> UUID:
    return await conn.fetchval(
        "INSERT INTO supervised_hours (preceptorship_id, day, minutes, activity) VALUES ($1, $2, $3, $4) RETURNING id",
        preceptorship_id,
        day,
        minutes,
        activity,
    )


async def entry_for_preceptor(
    conn: asyncpg.Connection, *, entry_id: UUID, viewer: CurrentUser
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT h.id, h.status, h.preceptorship_id FROM supervised_hours h JOIN preceptorships p ON p.id = h.preceptorship_id
           WHERE h.id = $1 AND (p.preceptor_id = $2 OR $3 = 'program_admin') FOR UPDATE OF h""",
        entry_id,
        viewer.id,
        viewer.role,
    )


async def decide(conn: asyncpg.Connection, *, entry_id: UUID, status: str, note: str | None, actor_id: UUID) -> None:
    await conn.execute(
        "UPDATE supervised_hours SET status = $2, note = $3, decided_by = $4, decided_at = now() WHERE id = $1",
        entry_id,
        status,
        note,
        actor_id,
    )


async def for_preceptor(
    conn: asyncpg.Connection, *, preceptorship_id: UUID, viewer: CurrentUser
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT p.id, (SELECT coalesce(array_agg(i.key), '{}') FROM supervision_items i
                         WHERE i.role_key = p.role_key AND i.board = p.board AND i.retired_at IS NULL) AS items
           FROM preceptorships p WHERE p.id = $1 AND (p.preceptor_id = $2 OR $3 = 'program_admin')""",
        preceptorship_id,
        viewer.id,
        viewer.role,
    )


async def evaluate(
    conn: asyncpg.Connection, *, preceptorship_id: UUID, competency: str, rating: int, note: str | None, actor_id: UUID
) -> None:
    await conn.execute(
        """INSERT INTO preceptor_evaluations (preceptorship_id, competency, rating, note, evaluated_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (preceptorship_id, competency) DO UPDATE
           SET rating = EXCLUDED.rating, note = EXCLUDED.note, evaluated_by = EXCLUDED.evaluated_by, evaluated_on = current_date""",
        preceptorship_id,
        competency,
        rating,
        note,
        actor_id,
    )


async def requirements(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT role_key, board, name, required_hours FROM supervision_requirements ORDER BY role_key, board"
    )


async def create(
    conn: asyncpg.Connection,
    *,
    worker_email: str,
    preceptor_email: str,
    role_key: str,
    board: str,
    starts_on: date,
    actor_id: UUID,
) -> dict[str, Any]:
    row = await conn.fetchrow(
        """WITH q AS (SELECT role_key, board FROM supervision_requirements WHERE role_key = $3 AND board = $4),
                w AS (SELECT id, clinic_id FROM users WHERE email = lower($1) AND role = 'worker' AND active AND clinic_id IS NOT NULL),
                m AS (SELECT id FROM users WHERE email = lower($2) AND active),
                made AS (INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on, created_by)
                         SELECT w.id, m.id, w.clinic_id, q.role_key, q.board, $5, $6 FROM q, w, m WHERE w.id <> m.id RETURNING id)
           SELECT EXISTS (SELECT 1 FROM q) AS requirement, (SELECT id FROM w) AS worker, (SELECT id FROM m) AS preceptor,
                  (SELECT id FROM made) AS id""",
        worker_email,
        preceptor_email,
        role_key,
        board,
        starts_on,
        actor_id,
    )
    return dict(row)
