"""The programs in a real browser: an apprentice logs a week on her phone, her mentor returns it from her desk with a
note, she fixes it, it is approved and her hours and wage step move; a tuition request goes through her clinic's and
then the partnership's approval while she watches its status; a worker sees her next step on a career ladder."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.app import create_app
from lms.clinic_time import today as clinic_today
from lms.embedded.ports import free_port
from tests.browser.conftest import PHONE, shot, sign_in, sql
from tests.helpers import make_clinic, make_user
from tests.integration.test_offline_soak import ServerThread

DESK = {"width": 1280, "height": 900}


@pytest.fixture
async def people(conn):
    await make_clinic(conn, "clinica-romero")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="clinica-romero", name="Ana Pérez")
    mentor = await make_user(conn, "lupe@example.org", "instructor", name="Lupe Mentor")
    await make_user(conn, "rosa@example.org", "clinic_admin", clinic="clinica-romero", name="Rosa Díaz")
    await make_user(conn, "pat@example.org", "program_admin", name="Pat Nguyen")
    program = await conn.fetchval("SELECT id FROM apprenticeship_programs WHERE key = 'chw'")
    today = clinic_today()
    apprenticeship = await conn.fetchval(
        """INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        program,
        ana.id,
        ana.clinic_id,
        mentor.id,
        today - timedelta(days=120),
    )
    for weeks_ago in range(3, 9):  # 480 approved hours: wage step 1, 20 hours short of step 2
        week = await conn.fetchval(
            """INSERT INTO ojt_weeks (apprenticeship_id, week_start, status) VALUES ($1, $2, 'approved') RETURNING id""",
            apprenticeship,
            today - timedelta(days=today.weekday() + 7 * weeks_ago),
        )
        await conn.execute("INSERT INTO ojt_hours (week_id, work_process, minutes) VALUES ($1, 'outreach', 4800)", week)
    return {"ana": ana}


@pytest.fixture
def live(settings, people):
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url, "settings": served, "people": people}


def test_apprentice_mentor_tuition_and_ladder_journeys(in_browser, live):
    in_browser(lambda chromium: journeys(chromium, live))


def journeys(chromium, live) -> None:
    base, settings = live["base"], live["settings"]
    last_week = clinic_today() - timedelta(days=clinic_today().weekday() + 7)

    # ---- the apprentice logs last week on her phone
    phone = chromium.new_context(viewport=PHONE)
    apprentice = phone.new_page()
    sign_in(apprentice, base, "ana@example.org")
    apprentice.goto(f"{base}/programs/apprenticeship")
    assert apprentice.inner_text("#ojt-approved") == "480" and "Step 1" in apprentice.inner_text("#wage-step")
    apprentice.fill("#week_start", last_week.isoformat())
    apprentice.fill("#new-wp-outreach", "16")
    apprentice.fill("#new-wp-navigation", "10")
    apprentice.click("form[action='/programs/apprenticeship/weeks'] button[type=submit]")
    apprentice.wait_for_url(re.compile(r"sent=1"))
    assert "26 hours" in apprentice.content()
    shot(apprentice, "apprentice-week-sent")

    # ---- her mentor returns it from her desk with a note
    desk = chromium.new_context(viewport=DESK)
    mentor = desk.new_page()
    sign_in(mentor, base, "lupe@example.org")
    mentor.goto(f"{base}/programs")
    mentor.click("#waiting-weeks a")
    mentor.wait_for_load_state()
    mentor.fill("form[action$='/decision'] textarea[name=note]", "Navigation was 6 hours that week, not 10.")
    mentor.click("form[action$='/decision'] button[value=return]")
    mentor.wait_for_url(re.compile(r"decided=return"))
    shot(mentor, "mentor-returned-week")

    # ---- she reads the note, fixes the week and sends it again
    apprentice.goto(f"{base}/programs/apprenticeship")
    assert "Navigation was 6 hours that week, not 10." in apprentice.content()
    apprentice.fill("input[id^='fix-'][id$='wp-navigation']", "6")
    apprentice.click("form[action^='/programs/apprenticeship/weeks/'] button[type=submit]")
    apprentice.wait_for_url(re.compile(r"sent=1"))
    assert "22 hours" in apprentice.content()

    # ---- the mentor approves it; her hours and wage step move
    mentor.goto(f"{base}/programs")
    mentor.click("#waiting-weeks a")
    mentor.wait_for_load_state()
    mentor.click("form[action$='/decision'] button[value=approve]")
    mentor.wait_for_url(re.compile(r"decided=approve"))
    apprentice.goto(f"{base}/programs/apprenticeship")
    assert apprentice.inner_text("#ojt-approved") == "502"
    assert "Step 2" in apprentice.inner_text("#wage-step") and "$23.50" in apprentice.inner_text("#wage-step")
    shot(apprentice, "apprentice-step-2")
    assert sql(settings, "SELECT status FROM ojt_weeks WHERE week_start = $1", last_week) == "approved"

    # ---- a tuition request: she applies on her phone, her clinic then the partnership approve it
    apprentice.goto(f"{base}/programs/tuition")
    apprentice.select_option("#t-field", "nursing")
    apprentice.fill("#t-program", "Vocational Nursing (LVN)")
    apprentice.fill("#t-school", "Santa Ana College")
    apprentice.fill("#t-term", "Spring")
    apprentice.fill("#t-year", str(clinic_today().year))
    apprentice.fill("#t-cost", "2400")
    apprentice.click("form[action='/programs/tuition'] button[type=submit]")
    apprentice.wait_for_load_state()
    request_url = apprentice.url
    assert "Waiting for your clinic" in apprentice.inner_text("#status")

    for email, status in (
        ("rosa@example.org", "Approved by your clinic; waiting for the partnership"),
        ("pat@example.org", "Approved; payment on its way"),
    ):
        approver = chromium.new_context(viewport=DESK)
        admin = approver.new_page()
        sign_in(admin, base, email)
        admin.goto(f"{base}/programs/tuition/desk")
        admin.click("#tuition-requests a")
        admin.wait_for_load_state()
        admin.click("#decision button[value=approve]")
        admin.wait_for_load_state()
        shot(admin, f"tuition-approved-by-{email.split('@')[0]}")
        approver.close()
        apprentice.goto(request_url)
        assert status in apprentice.inner_text("#status")
    assert "Partnership approved $2,400.00" in apprentice.content()
    shot(apprentice, "tuition-approved")

    # ---- the career ladder: approved is not yet reimbursed, so the LVN step waits for the payment
    sql(
        settings,
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'CCBMA_CMA', current_date)",
        live["people"]["ana"].id,
    )
    apprentice.goto(f"{base}/programs/pathways")
    nursing = apprentice.locator("#ladder-ma-lvn-rn .next-step")
    assert nursing.inner_text() == "Your next step: Vocational nursing program (LVN), tuition reimbursed"
    payer = chromium.new_context(viewport=DESK)
    admin = payer.new_page()
    sign_in(admin, base, "pat@example.org")
    admin.goto(request_url)
    admin.click("#decision button[value=pay]")
    admin.wait_for_load_state()
    payer.close()
    apprentice.goto(f"{base}/programs/pathways")
    assert nursing.inner_text() == "Your next step: Registered Nurse licence (RN)"
    shot(apprentice, "worker-next-ladder-step")
    desk.close()
    phone.close()
