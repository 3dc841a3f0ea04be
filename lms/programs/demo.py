"""A little demo data so a newcomer sees the programs on a fresh database: an apprentice with weeks approved, one
waiting for her mentor and one returned; a preceptorship with hours; tuition requests at two steps."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from lms.programs.common import monday_of, today


async def seed_programs(conn: asyncpg.Connection, *, apprentice: str, mentor: str, second_worker: str) -> None:
    """``apprentice``, ``mentor`` and ``second_worker`` are the emails of demo users already created."""
    ids = {
        r["email"]: r
        for r in await conn.fetch(
            "SELECT id, email, clinic_id FROM users WHERE email = ANY($1::text[])", [apprentice, mentor, second_worker]
        )
    }
    ana, maria, sam = ids[apprentice], ids[mentor], ids[second_worker]
    this_monday = monday_of(today())
    apprenticeship = await conn.fetchval(
        """INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on)
           SELECT id, $1, $2, $3, $4 FROM apprenticeship_programs WHERE key = 'chw' RETURNING id""",
        ana["id"],
        ana["clinic_id"],
        maria["id"],
        this_monday - timedelta(weeks=12),
    )
    weeks = [
        (12, "approved", None),
        (11, "approved", None),
        (10, "approved", None),
        (2, "returned", "Outreach was 10 hours that week."),
        (1, "submitted", None),
    ]
    for weeks_ago, status, note in weeks:
        week = await conn.fetchval(
            "INSERT INTO ojt_weeks (apprenticeship_id, week_start, status, note) VALUES ($1, $2, $3, $4) RETURNING id",
            apprenticeship,
            this_monday - timedelta(weeks=weeks_ago),
            status,
            note,
        )
        await conn.execute(
            """INSERT INTO ojt_hours (week_id, work_process, minutes)
               VALUES ($1, 'outreach', 960), ($1, 'navigation', 900), ($1, 'documentation', 300)""",
            week,
        )
    await conn.execute(
        """INSERT INTO competency_signoffs (apprenticeship_id, competency, signed_by, signed_on)
                          VALUES ($1, 'communication', $2, $3)""",
        apprenticeship,
        maria["id"],
        this_monday - timedelta(weeks=4),
    )
    preceptorship = await conn.fetchval(
        """INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on)
           VALUES ($1, $2, $3, 'rda', 'DBC', $4) RETURNING id""",
        sam["id"],
        maria["id"],
        sam["clinic_id"],
        this_monday - timedelta(weeks=3),
    )
    await conn.execute(
        """INSERT INTO supervised_hours (preceptorship_id, day, minutes, activity, status)
           VALUES ($1, $2, 240, 'Coronal polishing', 'signed'), ($1, $3, 180, 'Radiographs, full mouth series', 'submitted')""",
        preceptorship,
        this_monday - timedelta(days=9),
        this_monday - timedelta(days=2),
    )
    await conn.execute(
        """INSERT INTO tuition_requests (user_id, clinic_id, field, program, school, term, year, cost_cents, status,
                                         clinic_decided_at, clinic_decided_by)
           VALUES ($1, $2, 'nursing', 'Vocational Nursing (LVN)', 'Santa Ana College', 'Spring', $3, 240000, 'submitted', NULL, NULL),
                  ($4, $5, 'dental', 'Registered Dental Assistant program', 'Foothill College', 'Fall', $3, 180000, 'clinic_approved', now(), NULL)""",
        ana["id"],
        ana["clinic_id"],
        today().year,
        sam["id"],
        sam["clinic_id"],
    )
