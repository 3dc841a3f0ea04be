"""The apprenticeship end to end over HTTP: a program admin starts it, the apprentice logs weeks, her mentor returns
one with a note and approves it once fixed, hours and the wage step move, related instruction counts completions,
competencies and placement are recorded, the state export carries it all, and no one else sees any of it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from lms.clinic_time import today as clinic_today
from tests.integration.programs_world import build, get_page, post_form


def monday(weeks_ago: int) -> date:
    today = clinic_today()
    return today - timedelta(days=today.weekday() + 7 * weeks_ago)


@pytest.fixture
async def world(conn):
    return await build(conn)


async def start(client, world, starts_on: date | None = None) -> str:
    made = await post_form(
        client,
        "/programs/apprentices",
        world["program"],
        {
            "program": "chw",
            "apprentice": "ana@example.org",
            "mentor": "mentor@example.org",
            "starts_on": (starts_on or monday(20)).isoformat(),
        },
    )
    assert made.status_code == 303, made.text
    return made.headers["location"].rsplit("/", 1)[1]


async def test_a_week_is_returned_fixed_and_approved_and_the_hours_and_wage_step_move(client, conn, world):
    apprenticeship_id = await start(client, world)
    # 480 approved hours so far: step 1; the week below brings her over 500, to step 2.
    for weeks_ago in range(4, 10):  # six approved weeks of 80 hours
        earlier = await conn.fetchval(
            "INSERT INTO ojt_weeks (apprenticeship_id, week_start, status) VALUES ($1, $2, 'approved') RETURNING id",
            apprenticeship_id,
            monday(weeks_ago),
        )
        await conn.execute(
            "INSERT INTO ojt_hours (week_id, work_process, minutes) VALUES ($1, 'outreach', $2)", earlier, 80 * 60
        )
    page = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert page.status_code == 200
    assert re.search(r'id="ojt-approved">480<', page.text) and "Step 1" in page.text

    sent = await post_form(
        client,
        "/programs/apprenticeship/weeks",
        world["ana"],
        {
            "week_start": (monday(1) + timedelta(days=2)).isoformat(),
            "wp-outreach": "12",
            "wp-navigation": "10.5",
            "wp-education": "",
        },
    )
    assert sent.status_code == 303, sent.text
    week_id = await conn.fetchval("SELECT id FROM ojt_weeks WHERE week_start = $1", monday(1))
    assert week_id is not None  # stored under the week's Monday

    # the same week twice is refused, naming the field; nothing changes
    again = await post_form(
        client,
        "/programs/apprenticeship/weeks",
        world["ana"],
        {"week_start": monday(1).isoformat(), "wp-outreach": "1"},
    )
    assert again.status_code == 409 and "already logged" in again.text
    # bad hours name the field
    bad = await post_form(
        client,
        "/programs/apprenticeship/weeks",
        world["ana"],
        {"week_start": monday(2).isoformat(), "wp-outreach": "7.1"},
    )
    assert bad.status_code == 400 and "wp-outreach" in bad.text
    too_many = await post_form(
        client,
        "/programs/apprenticeship/weeks",
        world["ana"],
        {"week_start": monday(2).isoformat(), "wp-outreach": "81"},
    )
    assert too_many.status_code == 400 and "80 hours" in too_many.text
    assert await conn.fetchval("SELECT count(*) FROM ojt_weeks") == 7

    # another worker cannot decide on it; the mentor sees it waiting and returns it with a note
    refused = await post_form(client, f"/programs/weeks/{week_id}/decision", world["bea"], {"decision": "approve"})
    assert refused.status_code == 404
    home = await get_page(client, "/programs", world["mentor"])
    assert "Ana Apprentice" in home.text and "22.5" in home.text
    no_note = await post_form(
        client, f"/programs/weeks/{week_id}/decision", world["mentor"], {"decision": "return", "note": " "}
    )
    assert no_note.status_code == 400 and "note" in no_note.text
    returned = await post_form(
        client,
        f"/programs/weeks/{week_id}/decision",
        world["mentor"],
        {"decision": "return", "note": "Navigation was 8.5 hours that week."},
    )
    assert returned.status_code == 303
    page = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert "Navigation was 8.5 hours that week." in page.text and "Fix and send again" in page.text

    fixed = await post_form(
        client, f"/programs/apprenticeship/weeks/{week_id}", world["ana"], {"wp-outreach": "12", "wp-navigation": "8.5"}
    )
    assert fixed.status_code == 303, fixed.text
    other = await post_form(client, f"/programs/apprenticeship/weeks/{week_id}", world["bea"], {"wp-outreach": "1"})
    assert other.status_code == 404
    approved = await post_form(client, f"/programs/weeks/{week_id}/decision", world["mentor"], {"decision": "approve"})
    assert approved.status_code == 303
    twice = await post_form(client, f"/programs/weeks/{week_id}/decision", world["mentor"], {"decision": "approve"})
    assert twice.status_code == 409

    page = await get_page(client, "/programs/apprenticeship", world["ana"])
    assert re.search(r'id="ojt-approved">500.5<', page.text)
    assert "Step 2" in page.text and "$23.50" in page.text
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action LIKE 'apprenticeship.week_%'") == 2


async def test_related_instruction_competencies_placement_and_the_state_export(client, conn, world):
    apprenticeship_id = await start(client, world)
    record = await get_page(client, f"/programs/apprentices/{apprenticeship_id}", world["admin_a"])
    assert record.status_code == 200 and "Ana Apprentice" in record.text
    for outsider in ("bea", "carl", "admin_b"):
        seen = await get_page(client, f"/programs/apprentices/{apprenticeship_id}", world[outsider])
        assert seen.status_code == 404, outsider

    signed = await post_form(
        client, f"/programs/apprentices/{apprenticeship_id}/competencies", world["mentor"], {"competency": "referrals"}
    )
    assert signed.status_code == 303
    unknown = await post_form(
        client, f"/programs/apprentices/{apprenticeship_id}/competencies", world["mentor"], {"competency": "juggling"}
    )
    assert unknown.status_code == 400
    by_clinic = await post_form(
        client, f"/programs/apprentices/{apprenticeship_id}/competencies", world["admin_a"], {"competency": "ethics"}
    )
    assert by_clinic.status_code == 404  # clinic admins record outcomes; the mentor signs competencies

    half = await post_form(
        client,
        f"/programs/apprentices/{apprenticeship_id}/outcome",
        world["admin_a"],
        {"placed_on": clinic_today().isoformat()},
    )
    assert half.status_code == 400 and "placement" in half.text
    elsewhere = await post_form(
        client,
        f"/programs/apprentices/{apprenticeship_id}/outcome",
        world["admin_b"],
        {"completed_on": clinic_today().isoformat()},
    )
    assert elsewhere.status_code == 404
    done = await post_form(
        client,
        f"/programs/apprentices/{apprenticeship_id}/outcome",
        world["admin_a"],
        {
            "completed_on": clinic_today().isoformat(),
            "placed_on": clinic_today().isoformat(),
            "placement": "CHW, Clinic A",
        },
    )
    assert done.status_code == 303, done.text

    exported = await client.get("/programs/apprenticeship/export.csv", headers=world["admin_a"].headers)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert (
        row["apprentice"] == "Ana Apprentice" and row["status"] == "completed" and row["placement"] == "CHW, Clinic A"
    )
    assert (
        row["competencies_signed"] == "1" and row["ojt_hours_required"] == "2000" and row["ri_hours_required"] == "144"
    )
    other_clinic = await client.get("/programs/apprenticeship/export.csv", headers=world["admin_b"].headers)
    assert list(csv.DictReader(io.StringIO(other_clinic.content.decode("utf-8-sig")))) == []
    assert (await client.get("/programs/apprenticeship/export.csv", headers=world["ana"].headers)).status_code == 403


async def test_related_instruction_counts_this_services_completions_since_the_start(client, conn, world):
    from lms.accounts.schemas import CurrentUser
    from tests.integration.test_reports import complete, publish

    await publish(conn, "CHW", "CE")
    apprenticeship_id = await start(client, world, starts_on=clinic_today() - timedelta(days=30))
    ana = CurrentUser(
        id=world["ana"].id,
        email="ana@example.org",
        display_name="Ana Apprentice",
        role="worker",
        clinic_id=world.clinics["clinic-a"],
        local_id=None,
        language="en",
    )
    await complete(conn, ana, "CHW")
    await complete(conn, ana, "CE", at=datetime.now(UTC) - timedelta(days=60))  # before the apprenticeship: not counted
    minutes = await conn.fetchval(
        """SELECT (c.facts ->> 'contact_minutes')::int FROM certificates c JOIN course_versions v ON v.id = c.version_id
           JOIN courses k ON k.id = v.course_id WHERE k.code = 'CHW-CORE-101'"""
    )
    assert minutes > 0
    page = await get_page(client, f"/programs/apprentices/{apprenticeship_id}", world["mentor"])
    shown = re.search(r'id="ri-hours">([^<]*)<', page.text).group(1)
    assert shown == f"{minutes / 60:,.2f}".rstrip("0").rstrip(".")
    await conn.execute("UPDATE certificates SET revoked_at = now(), revoked_reason = 'issued in error'")
    page = await get_page(client, f"/programs/apprentices/{apprenticeship_id}", world["mentor"])
    assert re.search(r'id="ri-hours">0<', page.text)

    # Training done elsewhere counts once her clinic approved it, and only when it began after the start.
    async def outside(started_on: date, minutes: int, status: str) -> None:
        await conn.execute(
            """INSERT INTO outside_records (user_id, provider, approval_number, title, started_on, ended_on, minutes,
                   delivery, body, source, recorded_by, status, reviewed_by, reviewed_at, review_reason)
               VALUES ($1::uuid, 'Valley Adult School', 'DHCS-77', $2, $3, $3, $4, 'in_person', 'DHCS_CHW', 'worker', $1, $5::text,
                       CASE WHEN $5 = 'pending' THEN NULL ELSE $1::uuid END, CASE WHEN $5 = 'pending' THEN NULL ELSE now() END,
                       CASE WHEN $5 = 'rejected' THEN 'not a CHW course' END)""",
            world["ana"].id,
            f"Course of {minutes} minutes",
            started_on,
            minutes,
            status,
        )

    await outside(clinic_today() - timedelta(days=10), 270, "approved")
    await outside(clinic_today() - timedelta(days=9), 600, "pending")
    await outside(clinic_today() - timedelta(days=8), 900, "rejected")
    await outside(clinic_today() - timedelta(days=90), 1200, "approved")  # before the apprenticeship
    page = await get_page(client, f"/programs/apprentices/{apprenticeship_id}", world["mentor"])
    assert re.search(r'id="ri-hours">4.5<', page.text)
