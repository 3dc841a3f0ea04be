"""A program admin builds an apprenticeship program on her phone (360 px): the program, two work processes and two
wage steps; she starts an apprentice in it; the apprentice logs a week by those work processes, her mentor approves
it, and she reaches the second wage step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.app import create_app
from lms.clinic_time import today as clinic_today
from lms.embedded.ports import free_port
from tests.browser.test_journeys import shot, sign_in, sql
from tests.helpers import make_clinic, make_user
from tests.integration.test_offline_soak import ServerThread

NARROW = {"width": 360, "height": 780}


@pytest.fixture
async def people(conn):
    await make_clinic(conn, "clinica-romero")
    await make_user(conn, "ana@example.org", "worker", clinic="clinica-romero", name="Ana Pérez")
    await make_user(conn, "lupe@example.org", "instructor", name="Lupe Mentor")
    await make_user(conn, "pat@example.org", "program_admin", name="Pat Nguyen")


@pytest.fixture
def live(settings, people):
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url, "settings": served}


def test_a_program_admin_builds_a_program_on_her_phone_and_an_apprentice_reaches_its_wage_step(in_browser, live):
    in_browser(lambda chromium: journey(chromium, live))


def fits(page) -> bool:
    """Nothing wider than the screen: no sideways scrolling at 360 px."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def journey(chromium, live) -> None:
    base, settings = live["base"], live["settings"]
    last_week = clinic_today() - timedelta(days=clinic_today().weekday() + 7)

    # ---- the program admin creates the program from the standards page
    phone = chromium.new_context(viewport=NARROW)
    admin = phone.new_page()
    sign_in(admin, base, "pat@example.org")
    admin.goto(f"{base}/programs/standards")
    form = admin.locator("#new-program")
    form.locator("#new-program-key").fill("chw-2027")
    form.locator("#new-program-name-en").fill("CHW apprenticeship 2027")
    form.locator("#new-program-name-es").fill("Aprendizaje de CHW 2027")
    form.locator("#ojt-new").fill("100")
    form.locator("#ri-new").fill("0")
    form.locator("button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/programs/standards/apprenticeship/chw-2027\?saved=1"))
    assert "CHW apprenticeship 2027" in admin.inner_text("h1")

    # ---- two work processes and two wage steps
    for name_en, name_es, hours in (("Outreach", "Alcance", "60"), ("Care navigation", "Orientación", "40")):
        work = admin.locator("#new-work-process")
        work.locator("#new-wp-name-en").fill(name_en)
        work.locator("#new-wp-name-es").fill(name_es)
        work.locator("#new-wp-hours").fill(hours)
        work.locator("button[type=submit]").click()
        admin.wait_for_url(re.compile(r"saved=1"))
    for from_hours, wage in (("0", "20.00"), ("40", "22.50")):
        step = admin.locator("#new-wage-step")
        step.locator("#ws-hours").fill(from_hours)
        step.locator("#ws-wage").fill(wage)
        step.locator("button[type=submit]").click()
        admin.wait_for_url(re.compile(r"saved=1"))
    steps = admin.inner_text("#wage-steps")
    assert "From 0 approved hours: $20.00" in steps and "From 40 approved hours: $22.50" in steps
    assert admin.locator("details.item summary").all_inner_texts() == [
        "1. Outreach: 60 hours",
        "2. Care navigation: 40 hours",
    ]
    assert fits(admin)
    shot(admin, "program-admin-program-content-360")

    # ---- she starts Ana's apprenticeship in it, Lupe mentoring
    admin.goto(f"{base}/programs")
    admin.select_option("#a-program", "chw-2027")
    admin.fill("#a-apprentice", "ana@example.org")
    admin.fill("#a-mentor", "lupe@example.org")
    admin.fill("#a-starts", (last_week - timedelta(days=14)).isoformat())
    admin.click("form[action='/programs/apprentices'] button[type=submit]")
    admin.wait_for_url(re.compile(r"/programs/apprentices/"))

    # ---- the apprentice logs last week by the new work processes
    worker = chromium.new_context(viewport=NARROW)
    apprentice = worker.new_page()
    sign_in(apprentice, base, "ana@example.org")
    apprentice.goto(f"{base}/programs/apprenticeship")
    assert "Step 1: $20.00" in apprentice.inner_text("#wage-step")
    apprentice.fill("#week_start", last_week.isoformat())
    apprentice.fill("#new-wp-outreach", "30")
    apprentice.fill("#new-wp-care-navigation", "15")
    apprentice.click("form[action='/programs/apprenticeship/weeks'] button[type=submit]")
    apprentice.wait_for_url(re.compile(r"sent=1"))
    assert fits(apprentice)

    # ---- her mentor approves it; she reaches the second step
    desk = chromium.new_context(viewport=NARROW)
    mentor = desk.new_page()
    sign_in(mentor, base, "lupe@example.org")
    mentor.goto(f"{base}/programs")
    mentor.click("#waiting-weeks a")
    mentor.wait_for_load_state()
    mentor.click("form[action$='/decision'] button[value=approve]")
    mentor.wait_for_url(re.compile(r"decided=approve"))
    apprentice.goto(f"{base}/programs/apprenticeship")
    assert apprentice.inner_text("#ojt-approved") == "45"
    assert "Step 2: $22.50" in apprentice.inner_text("#wage-step")
    assert "Top step reached" in apprentice.inner_text("#next-wage-step")
    shot(apprentice, "apprentice-wage-step-of-edited-program-360")
    assert (
        sql(
            settings,
            """SELECT string_agg(h.work_process || '=' || h.minutes, ',' ORDER BY h.work_process) FROM ojt_hours h
               JOIN ojt_weeks w ON w.id = h.week_id WHERE w.status = 'approved'""",
        )
        == "care-navigation=900,outreach=1800"
    )
    desk.close()
    worker.close()
    phone.close()
