"""A program admin edits the programs' content in the web: she creates an apprenticeship program, its work processes,
wage steps and competencies, and a preceptorship role's competencies and evaluation items. The apprentice's progress,
her wage step and the state export follow the edited data; something records use is retired, never deleted; every
change is audited; bad input is refused naming the field with nothing written; wages stay within the people who may
see them, in the query itself."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from lms.accounts.schemas import CurrentUser
from lms.clinic_time import today as clinic_today
from lms.programs.apprenticeship import queries as apprenticeship
from tests.integration.programs_world import build, get_page, post_form

BASE = "/programs/standards/apprenticeship/chw-2027"


def monday(weeks_ago: int) -> date:
    today = clinic_today()
    return today - timedelta(days=today.weekday() + 7 * weeks_ago)


@pytest.fixture
async def world(conn):
    return await build(conn)


async def as_user(conn, person) -> CurrentUser:
    row = await conn.fetchrow(
        "SELECT id, email, display_name, role, clinic_id, local_id, language FROM users WHERE id = $1", person.id
    )
    return CurrentUser(**dict(row))


async def build_program(client, world) -> None:
    """A hybrid program of 100 hours: two work processes, one competency, two wage steps (the second a percentage of
    the journeyworker's $30.00)."""
    admin = world["program"]
    steps = [
        (
            "/programs/standards/programs",
            {
                "key": "chw-2027",
                "name-en": "CHW apprenticeship 2027",
                "name-es": "Aprendizaje de CHW 2027",
                "model": "hybrid",
                "ojt_hours": "100",
                "ri_hours": "0",
            },
        ),
        (f"{BASE}/work-processes", {"name-en": "Outreach", "name-es": "Alcance", "hours": "60"}),
        (f"{BASE}/work-processes", {"name-en": "Care navigation", "name-vi": "Điều phối chăm sóc", "hours": "40"}),
        (f"{BASE}/competencies", {"name-en": "Makes referrals", "name-es": "Hace referencias"}),
        (
            "/programs/standards/apprenticeship",
            {"program": "chw-2027", "model": "hybrid", "ojt_hours": "100", "ri_hours": "0", "journeyworker_wage": "30"},
        ),
        (f"{BASE}/wage-steps", {"from_hours": "0", "wage": "20.00"}),
        (f"{BASE}/wage-steps", {"from_hours": "50", "from_competencies": "1", "percent": "90"}),
    ]
    for url, data in steps:
        done = await post_form(client, url, admin, data)
        assert done.status_code == 303, (url, done.text)


async def test_a_program_built_in_the_web_drives_progress_wage_steps_and_the_export(client, conn, world):
    await build_program(client, world)
    editor = await get_page(client, BASE, world["program"])
    assert editor.status_code == 200
    assert "Outreach" in editor.text and "Care navigation" in editor.text and "Makes referrals" in editor.text
    assert "$20.00" in editor.text and "90% of the journeyworker wage ($27.00)" in editor.text
    names = await conn.fetchval(
        """SELECT json_object_agg(w.key, w.name) FROM apprenticeship_work_processes w
           JOIN apprenticeship_programs p ON p.id = w.program_id WHERE p.key = 'chw-2027'"""
    )
    assert names == {
        "outreach": {"en": "Outreach", "es": "Alcance"},
        "care-navigation": {"en": "Care navigation", "vi": "Điều phối chăm sóc"},
    }

    started = await post_form(
        client,
        "/programs/apprentices",
        world["program"],
        {
            "program": "chw-2027",
            "apprentice": "ana@example.org",
            "mentor": "mentor@example.org",
            "starts_on": monday(5).isoformat(),
        },
    )
    assert started.status_code == 303, started.text
    apprenticeship_id = started.headers["location"].rsplit("/", 1)[1]
    mine = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert 'name="wp-outreach"' in mine.text and 'name="wp-care-navigation"' in mine.text
    assert "wp-navigation" not in mine.text  # the seeded program's work processes are not hers
    assert re.search(r'id="wage-step">Step 1: \$20.00<', mine.text)

    sent = await post_form(
        client,
        "/programs/apprenticeship/weeks",
        world["ana"],
        {"week_start": monday(1).isoformat(), "wp-outreach": "30", "wp-care-navigation": "25"},
    )
    assert sent.status_code == 303, sent.text
    week_id = await conn.fetchval("SELECT id FROM ojt_weeks WHERE apprenticeship_id = $1", apprenticeship_id)
    await post_form(client, f"/programs/weeks/{week_id}/decision", world["mentor"], {"decision": "approve"})
    # 55 approved hours, but the second step also wants a competency signed off
    mine = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert re.search(r'id="ojt-approved">55<', mine.text) and "Step 1: $20.00" in mine.text
    assert "from 50 approved hours and 1 competencies signed off" in mine.text
    signed = await post_form(
        client,
        f"/programs/apprentices/{apprenticeship_id}/competencies",
        world["mentor"],
        {"competency": "makes-referrals"},
    )
    assert signed.status_code == 303
    for person in ("ana", "mentor", "admin_a", "program"):
        url = "/programs/apprenticeship" if person == "ana" else f"/programs/apprentices/{apprenticeship_id}"
        shown = await get_page(client, url, world[person])
        assert re.search(r'id="wage-step">Step 2: \$27.00 \(90% of the journeyworker wage\)<', shown.text), person
        assert re.search(r'id="completion-met">Not yet met<', shown.text)  # 55 of 100 hours

    exported = await client.get("/programs/apprenticeship/export.csv", headers=world["admin_a"].headers)
    row = next(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert (row["program"], row["wage_step"], row["hourly_wage"], row["journeyworker_wage_percent"]) == (
        "chw-2027",
        "2",
        "27.00",
        "90",
    )
    assert row["work_process_hours"] == "outreach=30; care-navigation=25"
    assert (row["ojt_hours_required"], row["competencies_signed"], row["completion_requirements_met"]) == (
        "100",
        "1",
        "no",
    )

    # Outreach has hours logged: removing it retires it. An unused competency is deleted outright.
    retired = await post_form(client, f"{BASE}/remove", world["program"], {"kind": "work_process", "item": "outreach"})
    assert retired.status_code == 303 and "removed=retired" in retired.headers["location"]
    await post_form(client, f"{BASE}/competencies", world["program"], {"name-en": "Keeps records"})
    deleted = await post_form(
        client, f"{BASE}/remove", world["program"], {"kind": "competency", "item": "keeps-records"}
    )
    assert "removed=deleted" in deleted.headers["location"]
    assert await conn.fetchval("SELECT count(*) FROM apprenticeship_competencies WHERE key = 'keeps-records'") == 0
    assert await conn.fetchval(
        "SELECT retired_at IS NOT NULL FROM apprenticeship_work_processes WHERE key = 'outreach' AND position = 1"
        " AND program_id = (SELECT id FROM apprenticeship_programs WHERE key = 'chw-2027')"
    )
    mine = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert 'name="wp-outreach"' not in mine.text  # no new hours under it
    assert re.search(r"Outreach <span class=\"tag\">retired</span></th><td class=\"num\">30<", mine.text)
    assert re.search(r'id="ojt-approved">55<', mine.text)  # her approved hours stand
    renamed = await post_form(
        client,
        f"{BASE}/work-processes",
        world["program"],
        {"item": "care-navigation", "name-en": "Care coordination", "hours": "100", "position": "1"},
    )
    assert renamed.status_code == 303
    mine = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert "Care coordination (hours)" in mine.text and "Care navigation" not in mine.text

    step = await conn.fetchval("SELECT id FROM apprenticeship_wage_steps WHERE journeyworker_percent = 90")
    await post_form(client, f"{BASE}/remove", world["program"], {"kind": "wage_step", "item": str(step)})
    mine = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert "Step 1: $20.00" in mine.text and "Top step reached" in mine.text

    actions = await conn.fetch("SELECT action, subject FROM audit_log WHERE action LIKE 'programs.%' ORDER BY id")
    assert [(a["action"], a["subject"]) for a in actions] == [
        ("programs.apprenticeship_program_created", "chw-2027"),
        ("programs.work_process_added", "chw-2027/outreach"),
        ("programs.work_process_added", "chw-2027/care-navigation"),
        ("programs.competency_added", "chw-2027/makes-referrals"),
        ("programs.apprenticeship_standard_set", "chw-2027"),
        ("programs.wage_step_added", "chw-2027"),
        ("programs.wage_step_added", "chw-2027"),
        ("programs.work_process_retired", "chw-2027/outreach"),
        ("programs.competency_added", "chw-2027/keeps-records"),
        ("programs.competency_deleted", "chw-2027/keeps-records"),
        ("programs.work_process_changed", "chw-2027/care-navigation"),
        ("programs.wage_step_deleted", "chw-2027"),
    ]


async def test_wages_are_seen_by_her_people_only_in_the_query(client, conn, world):
    await build_program(client, world)
    await post_form(
        client,
        "/programs/apprentices",
        world["program"],
        {
            "program": "chw-2027",
            "apprentice": "ana@example.org",
            "mentor": "mentor@example.org",
            "starts_on": monday(5).isoformat(),
        },
    )
    apprenticeship_id = await conn.fetchval("SELECT id FROM apprenticeships")
    # the query itself answers nothing to a clinic admin of another clinic or another worker
    for person, sees in (("ana", True), ("mentor", True), ("admin_a", True), ("program", True), ("admin_b", False)):
        found = await apprenticeship.get(
            conn, apprenticeship_id=apprenticeship_id, viewer=await as_user(conn, world[person])
        )
        assert (found is not None and found.wage_step.hourly_cents == 2000) if sees else found is None, person
    for person in ("bea", "carl"):
        viewer = await as_user(conn, world[person])
        assert await apprenticeship.get(conn, apprenticeship_id=apprenticeship_id, viewer=viewer) is None
        assert await apprenticeship.export_rows(conn, viewer=viewer) == []
    assert await apprenticeship.export_rows(conn, viewer=await as_user(conn, world["admin_b"])) == []
    for person in ("admin_b", "bea", "carl"):
        page = await get_page(client, f"/programs/apprentices/{apprenticeship_id}", world[person])
        assert page.status_code == 404 and "$20.00" not in page.text
    other = await client.get("/programs/apprenticeship/export.csv", headers=world["admin_b"].headers)
    assert "20.00" not in other.content.decode("utf-8-sig")
    # the editor (the program's wages) is the program admins' alone
    for person in ("ana", "mentor", "admin_a", "admin_b"):
        assert (await get_page(client, BASE, world[person])).status_code == 403
        refused = await post_form(client, f"{BASE}/wage-steps", world[person], {"from_hours": "10", "wage": "99"})
        assert refused.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM apprenticeship_wage_steps WHERE hourly_cents = 9900") == 0


CONTENT_TABLES = """SELECT md5(concat(
    (SELECT json_agg(p ORDER BY key) FROM (SELECT key, name, model, ojt_hours, ri_hours, journeyworker_cents
                                           FROM apprenticeship_programs) p),
    (SELECT json_agg(w ORDER BY program_id, key) FROM apprenticeship_work_processes w),
    (SELECT json_agg(c ORDER BY program_id, key) FROM apprenticeship_competencies c),
    (SELECT json_agg(s ORDER BY program_id, from_hours) FROM apprenticeship_wage_steps s),
    (SELECT json_agg(i ORDER BY role_key, board, key) FROM supervision_items i),
    (SELECT count(*) FROM audit_log)))"""


BAD_INPUT = [
    (
        "/programs/standards/programs",
        {"key": "Bad Key", "name-en": "X", "model": "time", "ojt_hours": "1"},
        400,
        "key",
    ),
    (
        "/programs/standards/programs",
        {"key": "chw", "name-en": "Again", "model": "time", "ojt_hours": "10", "ri_hours": "1"},
        409,
        "key",
    ),
    ("/programs/standards/programs", {"key": "new-one", "name-es": "Solo", "model": "time"}, 400, "name-en"),
    ("/programs/standards/programs", {"key": "new-one", "name-en": "X", "name-es": "x" * 201}, 400, "name-es"),
    ("/programs/standards/programs", {"key": "new-one", "name-en": "X", "model": "vibes"}, 400, "model"),
    (
        "/programs/standards/programs",
        {"key": "new-one", "name-en": "X", "model": "time", "ojt_hours": "0", "ri_hours": "1"},
        400,
        "ojt_hours",
    ),
    ("/programs/standards/apprenticeship/chw/work-processes", {"name-en": "X", "hours": "-1"}, 400, "hours"),
    ("/programs/standards/apprenticeship/chw/work-processes", {"name-en": "X", "hours": "1e3"}, 400, "hours"),
    (
        "/programs/standards/apprenticeship/chw/work-processes",
        {"name-en": "X", "hours": "10", "position": "1000"},
        400,
        "position",
    ),
    (
        "/programs/standards/apprenticeship/chw/work-processes",
        {"item": "juggling", "name-en": "X", "hours": "10"},
        400,
        "item",
    ),
    ("/programs/standards/apprenticeship/nope/competencies", {"name-en": "X"}, 404, "program"),
    (
        "/programs/standards/apprenticeship/chw/wage-steps",
        {"from_hours": "10", "wage": "20", "percent": "50"},
        400,
        "wage",
    ),
    ("/programs/standards/apprenticeship/chw/wage-steps", {"from_hours": "10"}, 400, "wage"),
    ("/programs/standards/apprenticeship/chw/wage-steps", {"from_hours": "10", "percent": "150"}, 400, "percent"),
    ("/programs/standards/apprenticeship/chw/wage-steps", {"from_hours": "10", "wage": "12.345"}, 400, "wage"),
    ("/programs/standards/apprenticeship/chw/wage-steps", {"from_hours": "20001", "wage": "12"}, 400, "from_hours"),
    (
        "/programs/standards/apprenticeship/chw/wage-steps",
        {"from_hours": "10", "from_competencies": "4", "wage": "12"},
        400,
        "from_competencies",
    ),
    ("/programs/standards/apprenticeship/chw/wage-steps", {"from_hours": "500", "wage": "12"}, 409, "from_hours"),
    ("/programs/standards/apprenticeship/chw/remove", {"kind": "program", "item": "outreach"}, 400, "kind"),
    ("/programs/standards/apprenticeship/chw/remove", {"kind": "competency", "item": "juggling"}, 400, "item"),
    ("/programs/standards/apprenticeship/chw/remove", {"kind": "wage_step", "item": "not-an-id"}, 400, "item"),
    (
        "/programs/standards/apprenticeship",
        {"program": "chw", "model": "time", "ojt_hours": "10", "ri_hours": "1", "journeyworker_wage": "-3"},
        400,
        "journeyworker_wage",
    ),
    ("/programs/standards/supervision/rn/BRN/items", {"name-en": "X", "kind": "quiz"}, 400, "kind"),
    ("/programs/standards/supervision/rn/FAA/items", {"name-en": "X", "kind": "competency"}, 404, "requirement"),
    ("/programs/standards/supervision/rn/BRN/remove", {"item": "juggling"}, 400, "item"),
]


async def test_bad_input_is_refused_naming_the_field_and_nothing_changes(client, conn, world):
    # one database for every case: each must leave it as it was
    before = await conn.fetchval(CONTENT_TABLES)
    for url, data, status, field in BAD_INPUT:
        refused = await post_form(client, url, world["program"], data)
        # a form's field is named beside the error; an unknown program or role in the address is simply not found
        assert refused.status_code == status and (status == 404 or field in refused.text), (url, data)
        assert await conn.fetchval(CONTENT_TABLES) == before, (url, data)


async def test_a_roles_competencies_and_evaluation_items_are_edited_and_retired(client, conn, world):
    admin = world["program"]
    base = "/programs/standards/supervision/rn/BRN"
    page = await get_page(client, base, admin)
    assert page.status_code == 200 and "Patient assessment" in page.text
    added = await post_form(
        client,
        f"{base}/items",
        admin,
        {"name-en": "Professional conduct", "name-es": "Conducta profesional", "kind": "evaluation"},
    )
    assert added.status_code == 303, added.text
    await post_form(
        client,
        f"{base}/items",
        admin,
        {"item": "assessment", "name-en": "Head-to-toe assessment", "kind": "competency", "position": "1"},
    )
    preceptorship_id = await conn.fetchval(
        """INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on)
           VALUES ($1, $2, $3, 'rn', 'BRN', current_date) RETURNING id""",
        world["ana"].id,
        world["mentor"].id,
        world.clinics["clinic-a"],
    )
    for item in ("professional-conduct", "assessment"):
        rated = await post_form(
            client,
            f"/programs/preceptees/{preceptorship_id}/evaluations",
            world["mentor"],
            {"competency": item, "rating": "3"},
        )
        assert rated.status_code == 303, rated.text
    retired = await post_form(client, f"{base}/remove", admin, {"item": "assessment"})
    assert "removed=retired" in retired.headers["location"]
    deleted = await post_form(client, f"{base}/remove", admin, {"item": "medications"})
    assert "removed=deleted" in deleted.headers["location"]

    mine = await get_page(client, "/programs/preceptorship", world["ana"])
    assert "Head-to-toe assessment" in mine.text and "Professional conduct" in mine.text
    assert "Safe medication administration" not in mine.text
    assert re.search(r"Professional conduct <span class=\"tag\">evaluation</span>", mine.text)
    assert re.search(r"Head-to-toe assessment <span class=\"tag\">retired</span>", mine.text)
    again = await post_form(
        client,
        f"/programs/preceptees/{preceptorship_id}/evaluations",
        world["mentor"],
        {"competency": "assessment", "rating": "4"},
    )
    assert again.status_code == 400  # a retired item takes no new ratings
    assert await conn.fetchval("SELECT rating FROM preceptor_evaluations WHERE competency = 'assessment'") == 3
    for who in ("ana", "mentor", "admin_a"):
        assert (await get_page(client, base, world[who])).status_code == 403
    actions = await conn.fetchval(
        "SELECT array_agg(action ORDER BY id) FROM audit_log WHERE action LIKE 'programs.supervision_item%'"
    )
    assert actions == [
        "programs.supervision_item_added",
        "programs.supervision_item_changed",
        "programs.supervision_item_retired",
        "programs.supervision_item_deleted",
    ]


async def test_a_retired_work_process_or_evaluation_item_is_restored_and_counts_again(client, conn, world):
    admin, ana = world["program"], world["ana"]
    base = "/programs/standards/apprenticeship/chw"
    apprenticeship_id = await conn.fetchval(
        """INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on)
           SELECT id, $1, $2, $3, $4 FROM apprenticeship_programs WHERE key = 'chw' RETURNING id""",
        ana.id,
        world.clinics["clinic-a"],
        world["mentor"].id,
        monday(6),
    )
    week = await conn.fetchval(
        "INSERT INTO ojt_weeks (apprenticeship_id, week_start, status) VALUES ($1, $2, 'approved') RETURNING id",
        apprenticeship_id,
        monday(3),
    )
    await conn.execute("INSERT INTO ojt_hours (week_id, work_process, minutes) VALUES ($1, 'outreach', 600)", week)
    retired = await post_form(client, f"{base}/remove", admin, {"kind": "work_process", "item": "outreach"})
    assert "removed=retired" in retired.headers["location"]
    assert 'name="wp-outreach"' not in (await get_page(client, "/programs/apprenticeship", ana)).text
    page = (await get_page(client, base, admin)).text
    assert re.search(
        rf'<form method="post" action="{base}/restore">\s*<input[^>]*>\s*<input type="hidden" name="kind" '
        r'value="work_process"><input type="hidden" name="item" value="outreach">',
        page,
    )

    # bad input names the field and restores nothing; only program admins restore
    for data, field in (
        ({"kind": "work_process", "item": "no-such"}, "item"),
        ({"kind": "wage_step", "item": "outreach"}, "kind"),
    ):
        refused = await post_form(client, f"{base}/restore", admin, data)
        assert refused.status_code == 400 and field in refused.text, (data, refused.text[:300])
    assert (
        await post_form(client, f"{base}/restore", admin, {"kind": "work_process", "item": "care-navigation"})
    ).status_code == 400  # in force already
    for who in ("admin_a", "ana", "mentor"):
        tried = await post_form(client, f"{base}/restore", world[who], {"kind": "work_process", "item": "outreach"})
        assert tried.status_code in (302, 303, 401, 403) and "restored=1" not in tried.headers.get("location", "")
    assert (
        await post_form(
            client, "/programs/standards/apprenticeship/no-such/restore", admin, {"kind": "work_process", "item": "x"}
        )
    ).status_code == 404

    restored = await post_form(client, f"{base}/restore", admin, {"kind": "work_process", "item": "outreach"})
    assert restored.status_code == 303 and restored.headers["location"].endswith("?restored=1")
    assert "Restored: it is in force again" in (await get_page(client, f"{base}?restored=1", admin)).text
    mine = (await get_page(client, "/programs/apprenticeship", ana)).text
    assert 'name="wp-outreach"' in mine and "Outreach and community engagement <span" not in mine
    logged = await post_form(
        client, "/programs/apprenticeship/weeks", ana, {"week_start": monday(1).isoformat(), "wp-outreach": "8"}
    )
    assert logged.status_code == 303
    assert (
        await conn.fetchval(
            """SELECT sum(h.minutes) FROM ojt_hours h JOIN ojt_weeks w ON w.id = h.week_id
           WHERE w.apprenticeship_id = $1 AND h.work_process = 'outreach'""",
            apprenticeship_id,
        )
        == 600 + 8 * 60
    )

    # a preceptorship role's evaluation item: rated, retired (no new ratings), restored (rated again)
    role = "/programs/standards/supervision/rn/BRN"
    preceptorship_id = await conn.fetchval(
        """INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on)
           VALUES ($1, $2, $3, 'rn', 'BRN', current_date) RETURNING id""",
        ana.id,
        world["mentor"].id,
        world.clinics["clinic-a"],
    )
    rate = f"/programs/preceptees/{preceptorship_id}/evaluations"
    assert (
        await post_form(client, rate, world["mentor"], {"competency": "assessment", "rating": "2"})
    ).status_code == 303
    await post_form(client, f"{role}/remove", admin, {"item": "assessment"})
    assert (
        await post_form(client, rate, world["mentor"], {"competency": "assessment", "rating": "3"})
    ).status_code == 400
    assert (await post_form(client, f"{role}/restore", admin, {"item": "assessment"})).status_code == 303
    assert (
        await post_form(client, rate, world["mentor"], {"competency": "assessment", "rating": "4"})
    ).status_code == 303
    assert await conn.fetchval("SELECT rating FROM preceptor_evaluations WHERE competency = 'assessment'") == 4
    assert not re.search(
        r"Patient assessment <span class=\"tag\">retired</span>",
        (await get_page(client, "/programs/preceptorship", ana)).text,
    )

    actions = await conn.fetchval(
        "SELECT array_agg(action || ' ' || subject ORDER BY id) FROM audit_log WHERE action LIKE 'programs.%'"
    )
    assert actions == [
        "programs.work_process_retired chw/outreach",
        "programs.work_process_restored chw/outreach",
        "programs.supervision_item_retired rn/BRN/assessment",
        "programs.supervision_item_restored rn/BRN/assessment",
    ]
