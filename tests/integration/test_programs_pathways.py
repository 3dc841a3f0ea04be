"""Career ladders: a worker sees where she stands on each ladder and her next step, as the records of the other
features and admins' records of programs elsewhere move her up; the partnership sees advancement and retention."""

from __future__ import annotations

import re
from datetime import timedelta

from lms.clinic_time import today as clinic_today
from tests.integration.programs_world import build, get_page, post_form


def next_step(html: str, ladder: str) -> str:
    section = re.search(rf'id="ladder-{ladder}".*?</section>', html, re.S).group(0)
    found = re.search(r'class="next-step">([^<]*)<', section)
    return found.group(1) if found else ""


async def test_a_worker_sees_her_next_step_move_as_she_climbs(client, conn):
    world = await build(conn)
    page = (await get_page(client, "/programs/pathways", world["ana"])).text
    assert next_step(page, "ma-lvn-rn") == "Your next step: Certified Medical Assistant (CCBMA)"

    # her clinic records her CCBMA credential: the next step is the LVN program with tuition reimbursed
    await conn.execute(
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'CCBMA_CMA', '2026-01-01')",
        world["ana"].id,
    )
    page = (await get_page(client, "/programs/pathways", world["ana"])).text
    assert next_step(page, "ma-lvn-rn") == "Your next step: Vocational nursing program (LVN), tuition reimbursed"
    assert "1 of 3 steps reached." in page
    # the partnership approves her LVN tuition: approved is not yet reimbursed, so she has not moved
    request_id = await conn.fetchval(
        """INSERT INTO tuition_requests (user_id, clinic_id, field, program, school, term, year, cost_cents, status, approved_cents, approved_at)
           VALUES ($1, $2, 'nursing', 'LVN', 'City College', 'Fall', 2026, 100000, 'approved', 100000, now()) RETURNING id""",
        world["ana"].id,
        world.clinics["clinic-a"],
    )
    page = (await get_page(client, "/programs/pathways", world["ana"])).text
    assert next_step(page, "ma-lvn-rn") == "Your next step: Vocational nursing program (LVN), tuition reimbursed"
    paid = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["program"], {"decision": "pay", "amount": "1000"}
    )
    assert paid.status_code == 303
    page = (await get_page(client, "/programs/pathways", world["ana"])).text
    assert next_step(page, "ma-lvn-rn") == "Your next step: Registered Nurse licence (RN)"

    # the RN licence is recorded by her clinic admin (a program elsewhere); another clinic's admin cannot
    elsewhere = await post_form(
        client,
        "/programs/pathways/records",
        world["admin_b"],
        {"worker": "ana@example.org", "step": "ma-lvn-rn/3", "reached_on": clinic_today().isoformat()},
    )
    assert elsewhere.status_code == 400 and "worker" in elsewhere.text
    not_outside = await post_form(
        client,
        "/programs/pathways/records",
        world["admin_a"],
        {"worker": "ana@example.org", "step": "ma-lvn-rn/1", "reached_on": clinic_today().isoformat()},
    )
    assert not_outside.status_code == 400 and "step" in not_outside.text
    tomorrow = await post_form(
        client,
        "/programs/pathways/records",
        world["admin_a"],
        {
            "worker": "ana@example.org",
            "step": "ma-lvn-rn/3",
            "reached_on": (clinic_today() + timedelta(days=1)).isoformat(),
        },
    )
    assert tomorrow.status_code == 400 and "future" in tomorrow.text
    recorded = await post_form(
        client,
        "/programs/pathways/records",
        world["admin_a"],
        {"worker": "ana@example.org", "step": "ma-lvn-rn/3", "reached_on": clinic_today().isoformat()},
    )
    assert recorded.status_code == 303
    page = (await get_page(client, "/programs/pathways", world["ana"])).text
    assert "Every step reached." in re.search(r'id="ladder-ma-lvn-rn".*?</section>', page, re.S).group(0)
    # another worker's ladder has not moved
    assert next_step((await get_page(client, "/programs/pathways", world["bea"])).text, "ma-lvn-rn").endswith("(CCBMA)")

    # advancement and retention: Ana reached three steps; once she leaves her clinic she is no longer retained
    report = (await get_page(client, "/programs/pathways/report", world["program"])).text
    rows = re.findall(
        r"<th scope=\"row\">(\d)\. ([^<]*)</th><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", report
    )
    assert ("1", "Certified Medical Assistant (CCBMA)", "1", "1") in rows and (
        "3",
        "Registered Nurse licence (RN)",
        "1",
        "1",
    ) in rows
    await conn.execute("UPDATE users SET active = false WHERE id = $1", world["ana"].id)
    report = (await get_page(client, "/programs/pathways/report", world["program"])).text
    assert ("3", "Registered Nurse licence (RN)", "1", "0") in re.findall(
        r"<th scope=\"row\">(\d)\. ([^<]*)</th><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", report
    )
    assert (await get_page(client, "/programs/pathways/report", world["ana"])).status_code in (302, 303, 401, 403)
