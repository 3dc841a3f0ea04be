"""The demo data of a fresh database shows each program: Ana's apprenticeship with a week returned and one waiting for
María, Sam's preceptorship, and tuition requests at the clinic's and the partnership's step."""

from __future__ import annotations

from lms.programs.apprenticeship import queries as apprenticeship
from lms.seed import seed_if_empty


async def test_the_demo_database_shows_the_programs(conn, settings):
    assert await seed_if_empty(conn, settings.replace(seed_demo=True), say=lambda _msg: None)
    ana = await conn.fetchval("SELECT id FROM users WHERE email = 'ana.worker@example.org'")
    record = await apprenticeship.own(conn, user_id=ana)
    assert record is not None and record.approved_minutes == 3 * 2160 and record.pending_minutes == 2160
    assert [w.status for w in record.weeks][:2] == ["submitted", "returned"] and record.wage_step.step == 1
    assert await conn.fetchval("SELECT count(*) FROM supervised_hours WHERE status = 'signed'") == 1
    assert sorted(r["status"] for r in await conn.fetch("SELECT status FROM tuition_requests")) == [
        "clinic_approved",
        "submitted",
    ]


async def test_a_worker_reads_her_own_programs_as_json(client, conn, settings):
    from tests.helpers import token_for

    await seed_if_empty(conn, settings.replace(seed_demo=True), say=lambda _msg: None)
    ana, sam = [
        await conn.fetchval("SELECT id FROM users WHERE email = $1", e)
        for e in ("ana.worker@example.org", "sam.worker@example.org")
    ]
    mine = (await client.get("/api/v1/me/programs", headers=await token_for(conn, ana))).json()
    assert mine["apprenticeship"]["apprentice"] == "Ana Martínez" and len(mine["apprenticeship"]["weeks"]) == 5
    assert [r["program"] for r in mine["tuition_requests"]] == ["Vocational Nursing (LVN)"] and mine[
        "preceptorships"
    ] == []
    assert {ladder["key"] for ladder in mine["ladders"]} == {"ma-lvn-rn", "da-rda", "chw"}
    his = (await client.get("/api/v1/me/programs", headers=await token_for(conn, sam))).json()
    assert his["apprenticeship"] is None and "Ana" not in str(his) and his["preceptorships"][0]["board"] == "DBC"
    assert (await client.get("/api/v1/me/programs")).status_code == 401
