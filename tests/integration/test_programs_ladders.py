"""Career ladders edited on the web: a program admin creates a ladder and adds, moves and retires steps of each kind,
every change audited and bad input refused naming the field; a worker's next step follows the edited ladder. The
advancement report (who reached each step in a period, who is still at a member clinic, by clinic and local, as a page
and CSV) is checked against counts worked out here from the inserted rows."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from lms.clinic_time import today as clinic_today
from tests.integration.programs_world import build, get_page, post_form
from tests.integration.test_programs_pathways import next_step

NEW = "/programs/pathways/ladders"


def steps_shown(html: str) -> list[str]:
    listed = re.search(r'<ol id="ladder-steps">(.*?)</ol>', html, re.S).group(1)
    return re.findall(r"<strong>([^<]*)</strong>", listed)


def step_ids(html: str) -> list[str]:
    listed = re.search(r'<ol id="ladder-steps">(.*?)</ol>', html, re.S).group(1)
    return re.findall(r'data-step="([0-9a-f-]{36})"', listed)


async def test_a_program_admin_builds_a_ladder_and_the_workers_next_step_follows_it(client, conn):
    world = await build(conn)
    admin = world["program"]
    made = await post_form(
        client,
        NEW,
        admin,
        {"key": "chw-ma", "name_en": "CHW to Medical Assistant", "name_es": "De CHW a MA", "track": "CHW"},
    )
    assert made.status_code == 303 and made.headers["location"].startswith(f"{NEW}/chw-ma")

    # bad input: a 4xx naming the field, and nothing written
    for form, field in (
        ({"key": "Bad Key!", "name_en": "Ladder"}, "key"),
        ({"key": "chw-ma", "name_en": "Again"}, "key"),  # taken
        ({"key": "no-name", "name_en": ""}, "name_en"),
        ({"key": "long-name", "name_en": "x" * 201}, "name_en"),
        ({"key": "bad-track", "name_en": "Ladder", "track": "XYZ"}, "track"),
    ):
        refused = await post_form(client, NEW, admin, form)
        assert refused.status_code in (400, 409) and field in refused.text, (form, refused.status_code)
    assert await conn.fetchval("SELECT count(*) FROM career_ladders WHERE key <> ALL('{ma-lvn-rn,da-rda,chw}')") == 1
    for form, field in (
        ({"name_en": "Step", "reached_by": "diploma:x"}, "reached_by"),
        ({"name_en": "Step", "reached_by": "credential:NOPE"}, "reached_by"),
        ({"name_en": "Step", "reached_by": "tuition:astrology"}, "reached_by"),
        ({"name_en": "Step", "reached_by": "course:NO-SUCH-COURSE"}, "reached_by"),
        ({"name_en": "Step", "reached_by": "outside:", "approval_number": "9" * 101}, "approval_number"),
        ({"name_en": "", "reached_by": "outside:"}, "name_en"),
        ({"name_en": "Step", "name_vi": "v" * 201, "reached_by": "outside:"}, "name_vi"),
    ):
        refused = await post_form(client, f"{NEW}/chw-ma/steps", admin, form)
        assert refused.status_code == 400 and field in refused.text, (form, refused.text[:300])
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM ladder_steps s JOIN career_ladders l ON l.id = s.ladder_id WHERE l.key = 'chw-ma'"
        )
        == 0
    )
    assert (
        await post_form(client, f"{NEW}/no-such/steps", admin, {"name_en": "Step", "reached_by": "outside:"})
    ).status_code == 404

    # steps of each kind, each with what reaches it
    for form in (
        {"name_en": "CHW apprenticeship", "name_es": "Aprendizaje de CHW", "reached_by": "apprenticeship:chw"},
        {"name_en": "Medical assistant program", "reached_by": "outside:", "approval_number": "MA-2026-77"},
        {"name_en": "CMA credential", "reached_by": "credential:CCBMA_CMA"},
        {"name_en": "Nursing degree", "reached_by": "tuition:nursing"},
    ):
        added = await post_form(client, f"{NEW}/chw-ma/steps", admin, form)
        assert added.status_code == 303, added.text
    page = (await get_page(client, f"{NEW}/chw-ma", admin)).text
    assert steps_shown(page) == ["CHW apprenticeship", "Medical assistant program", "CMA credential", "Nursing degree"]

    ana = world["ana"]
    mine = (await get_page(client, "/programs/pathways", ana)).text
    assert next_step(mine, "chw-ma") == "Your next step: CHW apprenticeship"
    # in Spanish, the Spanish name (a step without one falls back to English)
    await conn.execute("UPDATE users SET language = 'es' WHERE id = $1", world["bea"].id)
    spanish = (await get_page(client, "/programs/pathways", world["bea"])).text
    assert "Aprendizaje de CHW" in spanish and "Medical assistant program" in spanish

    # the apprenticeship step moves to the end: her next step is the program elsewhere
    ids = step_ids(page)
    for _ in range(3):
        moved = await post_form(client, f"{NEW}/chw-ma/steps/{ids[0]}/move", admin, {"direction": "down"})
        assert moved.status_code == 303
    page = (await get_page(client, f"{NEW}/chw-ma", admin)).text
    assert steps_shown(page) == ["Medical assistant program", "CMA credential", "Nursing degree", "CHW apprenticeship"]
    assert (
        await post_form(client, f"{NEW}/chw-ma/steps/{ids[0]}/move", admin, {"direction": "sideways"})
    ).status_code == 400
    assert next_step((await get_page(client, "/programs/pathways", ana)).text, "chw-ma") == (
        "Your next step: Medical assistant program"
    )

    # an approved outside record with the step's approval number reaches it, with no one recording it by hand
    await conn.execute(
        """INSERT INTO outside_records (user_id, provider, approval_number, title, started_on, ended_on, minutes, delivery,
                                        body, source, recorded_by, status, reviewed_by, reviewed_at)
           VALUES ($1, 'City College', 'MA-2026-77', 'Medical assistant program', current_date - 200, current_date - 10,
                   6000, 'in_person', 'CCBMA', 'worker', $1, 'approved', $2, now())""",
        ana.id,
        world["admin_a"].id,
    )
    assert next_step((await get_page(client, "/programs/pathways", ana)).text, "chw-ma") == (
        "Your next step: CMA credential"
    )
    # retiring the credential step: workers no longer see it, and her next step is the nursing degree
    retired = await post_form(client, f"{NEW}/chw-ma/steps/{step_ids(page)[1]}/retire", admin, {})
    assert retired.status_code == 303
    mine = (await get_page(client, "/programs/pathways", ana)).text
    assert next_step(mine, "chw-ma") == "Your next step: Nursing degree" and "CMA credential" not in mine
    assert "1 of 3 steps reached." in mine
    page = (await get_page(client, f"{NEW}/chw-ma", admin)).text
    assert "CMA credential" in re.search(r'id="retired-steps">(.*?)</ul>', page, re.S).group(1)

    # the ladder renamed, then retired: workers no longer see it
    saved = await post_form(
        client, f"{NEW}/chw-ma", admin, {"name_en": "CHW onward to MA", "track": "MA", "retired": "on"}
    )
    assert saved.status_code == 303
    assert 'id="ladder-chw-ma"' not in (await get_page(client, "/programs/pathways", ana)).text

    actions = [
        r["action"]
        for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE action LIKE 'pathways.%' AND actor_id = $1 ORDER BY id", admin.id
        )
    ]
    assert actions == [
        "pathways.ladder_created",
        *["pathways.step_added"] * 4,
        *["pathways.step_moved"] * 3,
        "pathways.step_retired",
        "pathways.ladder_updated",
    ]
    # only program admins edit ladders
    for who in ("admin_a", "ana", "mentor"):
        tried = await post_form(
            client, f"{NEW}/chw-ma/steps", world[who], {"name_en": "Mine", "reached_by": "outside:"}
        )
        assert tried.status_code in (302, 303, 401, 403) and "/programs/pathways/ladders/" not in tried.headers.get(
            "location", ""
        )


async def test_advancement_and_retention_by_period_clinic_and_local_match_the_records(client, conn):
    world = await build(conn)
    local_x = await conn.fetchval("INSERT INTO union_locals (slug, name) VALUES ('seiu-x', 'SEIU X') RETURNING id")
    await conn.execute("UPDATE users SET local_id = $1 WHERE email IN ('ana@example.org', 'carl@example.org')", local_x)
    today = clinic_today()
    old = today - timedelta(days=500)
    # the CCBMA credential (step 1 of ma-lvn-rn): Ana and Carl this year, Bea long ago
    for who, when in (("ana", today - timedelta(days=20)), ("carl", today - timedelta(days=40)), ("bea", old)):
        await conn.execute(
            """INSERT INTO worker_credentials (user_id, credential, cycle_start, recorded_at)
               VALUES ($1, 'CCBMA_CMA', $2, $3)""",
            world[who].id,
            when,
            datetime.combine(when, datetime.min.time(), UTC) + timedelta(hours=20),
        )
    # tuition for nursing (step 2) reimbursed for Ana and Carl this year; Bea's approved but not paid yet, Bea's
    # other request only submitted: neither reaches the step
    for who, status in (("ana", "paid"), ("carl", "paid"), ("bea", "approved"), ("bea", "submitted")):
        await conn.execute(
            """INSERT INTO tuition_requests (user_id, clinic_id, field, program, school, term, year, cost_cents, status,
                                             approved_cents, approved_at, paid_cents, paid_at)
               VALUES ($1, (SELECT clinic_id FROM users WHERE id = $1), 'nursing', 'LVN', 'City College', 'Fall', 2026,
                       100000, $2, CASE WHEN $2 <> 'submitted' THEN 100000 END,
                       CASE WHEN $2 <> 'submitted' THEN now() - interval '9 days' END,
                       CASE WHEN $2 = 'paid' THEN 100000 END, CASE WHEN $2 = 'paid' THEN now() - interval '3 days' END)""",
            world[who].id,
            status,
        )
    # Carl left his clinic: still counted as reaching, no longer retained
    await conn.execute("UPDATE users SET active = false, deactivated_at = now() WHERE id = $1", world["carl"].id)

    start, end = today - timedelta(days=365), today
    # worked out from the rows: (ladder, position) -> worker -> first day reached
    people = {
        r["id"]: r
        for r in await conn.fetch(
            """SELECT u.id, u.active, c.name AS clinic, l.name AS local FROM users u
               LEFT JOIN clinics c ON c.id = u.clinic_id LEFT JOIN union_locals l ON l.id = u.local_id
               WHERE u.role = 'worker'"""
        )
    }
    firsts: dict[tuple[str, int], dict] = defaultdict(dict)
    for r in await conn.fetch("SELECT user_id, recorded_at FROM worker_credentials WHERE credential = 'CCBMA_CMA'"):
        day = r["recorded_at"].astimezone(__import__("zoneinfo").ZoneInfo("America/Los_Angeles")).date()
        firsts[("ma-lvn-rn", 1)][r["user_id"]] = day
    for r in await conn.fetch("SELECT user_id, status, paid_at FROM tuition_requests WHERE field = 'nursing'"):
        if r["status"] == "paid":
            day = r["paid_at"].astimezone(__import__("zoneinfo").ZoneInfo("America/Los_Angeles")).date()
            firsts[("ma-lvn-rn", 2)][r["user_id"]] = day
    want: dict[tuple, tuple[int, int]] = {}
    for (ladder, position), reached in firsts.items():
        counted = [u for u, day in reached.items() if start <= day <= end]
        want[(ladder, position, "all", "")] = (len(counted), sum(1 for u in counted if people[u]["active"]))
        for dimension in ("clinic", "local"):
            groups: dict[str, list] = defaultdict(list)
            for u in counted:
                groups[people[u][dimension] or "Not recorded"].append(u)
            for label, members in groups.items():
                want[(ladder, position, dimension, label)] = (
                    len(members),
                    sum(1 for u in members if people[u]["active"]),
                )
    assert want[("ma-lvn-rn", 1, "all", "")] == (2, 1) and want[("ma-lvn-rn", 2, "all", "")] == (2, 1)  # it bites

    qs = f"start={start.isoformat()}&end={end.isoformat()}"
    exported = await get_page(client, f"/programs/pathways/report.csv?{qs}", world["program"])
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    got = {
        (r["ladder"], int(r["position"]), r["group"], r["group_name"]): (int(r["reached"]), int(r["retained"]))
        for r in rows
        if r["group"] != "all" or int(r["reached"])
    }
    assert got == want

    # a retired step keeps who reached it in the report (workers no longer see it)
    await conn.execute(
        """UPDATE ladder_steps s SET retired_at = now() FROM career_ladders l
           WHERE l.id = s.ladder_id AND l.key = 'ma-lvn-rn' AND s.position = 1"""
    )
    again = await get_page(client, f"/programs/pathways/report.csv?{qs}", world["program"])
    kept = {
        (r["group"], r["group_name"]): (int(r["reached"]), int(r["retained"]))
        for r in csv.DictReader(io.StringIO(again.text.lstrip("\ufeff")))
        if (r["ladder"], r["position"]) == ("ma-lvn-rn", "1")
    }
    assert kept[("all", "")] == want[("ma-lvn-rn", 1, "all", "")]
    assert "Certified Medical Assistant" not in (await get_page(client, "/programs/pathways", world["ana"])).text

    page = (await get_page(client, f"/programs/pathways/report?{qs}", world["program"])).text
    by_clinic = re.search(r'id="advancement-by-clinic">(.*?)</table>', page, re.S).group(1)
    assert re.search(
        r"Certified Medical Assistant \(CCBMA\)</th><td>Clinic B</td><td class=\"num\">1</td><td class=\"num\">0</td>",
        by_clinic,
    )

    # a clinic admin sees her own clinic's workers only
    mine = await get_page(client, f"/programs/pathways/report.csv?{qs}", world["admin_a"])
    names = {r["group_name"] for r in csv.DictReader(io.StringIO(mine.text.lstrip("\ufeff"))) if r["group"] == "clinic"}
    assert names == {"Clinic A"}
    # a period that ends before anything was reached counts nothing
    earlier = await get_page(
        client,
        f"/programs/pathways/report.csv?start={(old - timedelta(days=5)).isoformat()}&end={(old - timedelta(days=1)).isoformat()}",
        world["program"],
    )
    assert all(r["reached"] == "0" for r in csv.DictReader(io.StringIO(earlier.text.lstrip("\ufeff"))))
    assert (await get_page(client, "/programs/pathways/report?start=2026-13-01", world["program"])).status_code == 400


def ladder_section(html: str, ladder: str) -> str:
    return re.search(rf'id="ladder-{ladder}".*?</section>', html, re.S).group(0)


async def test_a_renamed_or_restored_step_keeps_its_place_and_who_reached_it(client, conn):
    world = await build(conn)
    admin, ana = world["program"], world["ana"]
    # Ana holds the CCBMA credential: step 1 of the nursing ladder is reached
    await conn.execute(
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'CCBMA_CMA', '2026-01-01')",
        ana.id,
    )
    page = (await get_page(client, f"{NEW}/ma-lvn-rn", admin)).text
    before, ids = steps_shown(page), step_ids(page)
    first = ids[0]

    # bad input names the field and changes nothing; another ladder's path does not reach the step
    for form, field in (({"name_en": ""}, "name_en"), ({"name_en": "CMA", "name_tl": "t" * 201}, "name_tl")):
        refused = await post_form(client, f"{NEW}/ma-lvn-rn/steps/{first}/name", admin, form)
        assert refused.status_code == 400 and field in refused.text, (form, refused.text[:300])
    assert (await post_form(client, f"{NEW}/da-rda/steps/{first}/name", admin, {"name_en": "X1"})).status_code == 404
    assert steps_shown((await get_page(client, f"{NEW}/ma-lvn-rn", admin)).text) == before
    # only program admins rename
    for who in ("admin_a", "ana"):
        tried = await post_form(client, f"{NEW}/ma-lvn-rn/steps/{first}/name", world[who], {"name_en": "Mine"})
        assert tried.status_code in (302, 303, 401, 403)

    renamed = await post_form(
        client,
        f"{NEW}/ma-lvn-rn/steps/{first}/name",
        admin,
        {"name_en": "Medical Assistant certified (CCBMA)", "name_es": "Asistente médica certificada (CCBMA)"},
    )
    assert renamed.status_code == 303
    page = (await get_page(client, f"{NEW}/ma-lvn-rn", admin)).text
    assert steps_shown(page) == ["Medical Assistant certified (CCBMA)", *before[1:]] and step_ids(page) == ids
    mine = ladder_section((await get_page(client, "/programs/pathways", ana)).text, "ma-lvn-rn")
    assert "1 of 3 steps reached." in mine and "Medical Assistant certified (CCBMA)</li>" in mine
    assert next_step(mine, "ma-lvn-rn") == "Your next step: Vocational nursing program (LVN), tuition reimbursed"
    await conn.execute("UPDATE users SET language = 'es' WHERE id = $1", world["bea"].id)
    assert "Asistente médica certificada (CCBMA)" in (await get_page(client, "/programs/pathways", world["bea"])).text

    # retired, workers no longer see it; restored, it is back in its place and still reached
    assert (await post_form(client, f"{NEW}/ma-lvn-rn/steps/{first}/retire", admin, {})).status_code == 303
    mine = ladder_section((await get_page(client, "/programs/pathways", ana)).text, "ma-lvn-rn")
    assert "0 of 2 steps reached." in mine and "CCBMA" not in mine
    page = (await get_page(client, f"{NEW}/ma-lvn-rn", admin)).text
    assert f'action="{NEW}/ma-lvn-rn/steps/{first}/restore"' in re.search(
        r'id="retired-steps">(.*?)</ul>', page, re.S
    ).group(1)
    restored = await post_form(client, f"{NEW}/ma-lvn-rn/steps/{first}/restore", admin, {})
    assert restored.status_code == 303
    page = (await get_page(client, f"{NEW}/ma-lvn-rn", admin)).text
    assert step_ids(page) == ids and 'id="retired-steps"' not in page
    mine = ladder_section((await get_page(client, "/programs/pathways", ana)).text, "ma-lvn-rn")
    assert "1 of 3 steps reached." in mine
    assert next_step(mine, "ma-lvn-rn") == "Your next step: Vocational nursing program (LVN), tuition reimbursed"
    assert (await post_form(client, f"{NEW}/ma-lvn-rn/steps/{ids[-1]}/restore", admin, {})).status_code == 303
    assert (await post_form(client, f"{NEW}/da-rda/steps/{first}/restore", admin, {})).status_code == 404

    actions = [
        r["action"]
        for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE action LIKE 'pathways.%' AND actor_id = $1 ORDER BY id", admin.id
        )
    ]
    assert actions == ["pathways.step_renamed", "pathways.step_retired", "pathways.step_restored"]
