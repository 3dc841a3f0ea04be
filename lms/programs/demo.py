"""A little demo data so a newcomer sees the programs on a fresh database: an apprentice with weeks approved, one
waiting for her mentor and one returned; a preceptorship with hours; tuition requests at two steps."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from lms.programs import demo_queries
from lms.programs.common import monday_of, today


async def seed_programs(conn: asyncpg.Connection, *, apprentice: str, mentor: str, second_worker: str) -> None:
    """``apprentice``, ``mentor`` and ``second_worker`` are the emails of demo users already created."""
    ids = {r["email"]: r for r in await demo_queries.users_by_email(conn, [apprentice, mentor, second_worker])}
    ana, maria, sam = ids[apprentice], ids[mentor], ids[second_worker]
    this_monday = monday_of(today())
    apprenticeship = await demo_queries.add_chw_apprenticeship(
        conn,
        user_id=ana["id"],
        clinic_id=ana["clinic_id"],
        mentor_id=maria["id"],
        starts_on=this_monday - timedelta(weeks=12),
    )
    weeks = [
        (12, "approved", None),
        (11, "approved", None),
        (10, "approved", None),
        (2, "returned", "Outreach was 10 hours that week."),
        (1, "submitted", None),
    ]
    for weeks_ago, status, note in weeks:
        week = await demo_queries.add_week(
            conn,
            apprenticeship_id=apprenticeship,
            week_start=this_monday - timedelta(weeks=weeks_ago),
            status=status,
            note=note,
        )
        await demo_queries.add_demo_week_hours(conn, week_id=week)
    await demo_queries.sign_communication(
        conn, apprenticeship_id=apprenticeship, signed_by=maria["id"], signed_on=this_monday - timedelta(weeks=4)
    )
    preceptorship = await demo_queries.add_rda_preceptorship(
        conn,
        user_id=sam["id"],
        preceptor_id=maria["id"],
        clinic_id=sam["clinic_id"],
        starts_on=this_monday - timedelta(weeks=3),
    )
    await demo_queries.add_demo_supervised_hours(
        conn,
        preceptorship_id=preceptorship,
        signed_day=this_monday - timedelta(days=9),
        submitted_day=this_monday - timedelta(days=2),
    )
    await demo_queries.add_demo_tuition_requests(conn, first=ana, second=sam, year=today().year)
