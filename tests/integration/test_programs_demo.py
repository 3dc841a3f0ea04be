"""The demo data of a fresh database shows each program: Ana's apprenticeship with a week returned and one waiting for
María, Sam's preceptorship, and tuition requests at the clinic's and the partnership's step."""

from __future__ import annotations

from lms.seed import seed_if_empty
from lms.programs.apprenticeship import queries as apprenticeship


async def test_the_demo_database_shows_the_programs(conn, settings):
    assert await seed_if_empty(conn, settings.replace(seed_demo=True), say=lambda _msg: None)
    ana = await conn.fetchval("SELECT id FROM users WHERE email = 'ana.worker@example.org'")
    record = await apprenticeship.own(conn, user_id=ana)
    assert record is not None and record.approved_minutes == 3 * 2160 and record.pending_minutes == 2160
    assert [w.status for w in record.weeks][:2] == ["submitted", "returned"] and record.wage_step.step == 1
    assert await conn.fetchval("SELECT count(*) FROM supervised_hours WHERE status = 'signed'") == 1
    assert sorted(r["status"] for r in await conn.fetch("SELECT status FROM tuition_requests")) == ["clinic_approved", "submitted"]
