"""The SQL of the programs' demo data (lms/programs/demo.py): records written straight in the state a demo shows
(weeks approved or returned, hours signed), which the programs' own flows reach only step by step."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg


async def users_by_email(conn: asyncpg.Connection, emails: list[str]) -> list[Any]:
    """Id, email and clinic of each user with one of these emails."""
    return await conn.fetch("SELECT id, email, clinic_id FROM users WHERE email = ANY($1::text[])", emails)


async def add_chw_apprenticeship(
    conn: asyncpg.Connection, *, user_id: UUID, clinic_id: UUID, mentor_id: UUID, starts_on: date
) -> UUID:
    found: UUID = await conn.fetchval(
        """INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on)
           SELECT id, $1, $2, $3, $4 FROM apprenticeship_programs WHERE key = 'chw' RETURNING id""",
        user_id,
        clinic_id,
        mentor_id,
        starts_on,
    )
    return found


async def add_week(
    conn: asyncpg.Connection, *, apprenticeship_id: UUID, week_start: date, status: str, note: str | None
) -> UUID:
    found: UUID = await conn.fetchval(
        "INSERT INTO ojt_weeks (apprenticeship_id, week_start, status, note) VALUES ($1, $2, $3, $4) RETURNING id",
        apprenticeship_id,
        week_start,
        status,
        note,
    )
    return found


async def add_demo_week_hours(conn: asyncpg.Connection, *, week_id: UUID) -> None:
    """A full week: outreach, navigation and documentation (36 hours)."""
    await conn.execute(
        """INSERT INTO ojt_hours (week_id, work_process, minutes)
           VALUES ($1, 'outreach', 960), ($1, 'navigation', 900), ($1, 'documentation', 300)""",
        week_id,
    )


async def sign_communication(
    conn: asyncpg.Connection, *, apprenticeship_id: UUID, signed_by: UUID, signed_on: date
) -> None:
    await conn.execute(
        """INSERT INTO competency_signoffs (apprenticeship_id, competency, signed_by, signed_on)
                          VALUES ($1, 'communication', $2, $3)""",
        apprenticeship_id,
        signed_by,
        signed_on,
    )


async def add_rda_preceptorship(
    conn: asyncpg.Connection, *, user_id: UUID, preceptor_id: UUID, clinic_id: UUID, starts_on: date
) -> UUID:
    found: UUID = await conn.fetchval(
        """INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on)
           VALUES ($1, $2, $3, 'rda', 'DBC', $4) RETURNING id""",
        user_id,
        preceptor_id,
        clinic_id,
        starts_on,
    )
    return found


async def add_demo_supervised_hours(
    conn: asyncpg.Connection, *, preceptorship_id: UUID, signed_day: date, submitted_day: date
) -> None:
    """One day signed, one waiting for the preceptor."""
    await conn.execute(
        """INSERT INTO supervised_hours (preceptorship_id, day, minutes, activity, status)
           VALUES ($1, $2, 240, 'Coronal polishing', 'signed'), ($1, $3, 180, 'Radiographs, full mouth series', 'submitted')""",
        preceptorship_id,
        signed_day,
        submitted_day,
    )


async def add_demo_tuition_requests(conn: asyncpg.Connection, *, first: Any, second: Any, year: int) -> None:
    """The first worker's request waits for her clinic; the second's for the partnership. ``first`` and ``second``:
    rows with ``id`` and ``clinic_id``."""
    await conn.execute(
        """INSERT INTO tuition_requests (user_id, clinic_id, field, program, school, term, year, cost_cents, status,
                                         clinic_decided_at, clinic_decided_by)
           VALUES ($1, $2, 'nursing', 'Vocational Nursing (LVN)', 'Santa Ana College', 'Spring', $3, 240000, 'submitted', NULL, NULL),
                  ($4, $5, 'dental', 'Registered Dental Assistant program', 'Foothill College', 'Fall', $3, 180000, 'clinic_approved', now(), NULL)""",
        first["id"],
        first["clinic_id"],
        year,
        second["id"],
        second["clinic_id"],
    )
