"""Career ladders in a real browser at 360 px: a program admin adds a step to a ladder on her phone and moves it up;
the worker, on hers, sees her next step change to it."""

from __future__ import annotations

import re

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import shot, sign_in
from tests.helpers import make_clinic, make_user
from tests.integration.test_offline_soak import ServerThread

NARROW = {"width": 360, "height": 740}


@pytest.fixture
async def live(settings, conn):
    await make_clinic(conn, "clinica-romero")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="clinica-romero", name="Ana Pérez")
    pat = await make_user(conn, "pat@example.org", "program_admin", name="Pat Nguyen")
    # the dental assistant courses elsewhere (step 1) are behind her: her next step is the RDA licence
    await conn.execute(
        """INSERT INTO ladder_step_records (user_id, step_id, reached_on, recorded_by)
           SELECT $1, s.id, current_date - 30, $2 FROM ladder_steps s JOIN career_ladders l ON l.id = s.ladder_id
           WHERE l.key = 'da-rda' AND s.position = 1""",
        ana.id,
        pat.id,
    )
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url}


def test_a_program_admin_adds_a_ladder_step_and_the_worker_sees_her_next_step_change(in_browser, live):
    in_browser(lambda chromium: journey(chromium, live["base"]))


def fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], page.url


def journey(chromium, base: str) -> None:
    phone = chromium.new_context(viewport=NARROW)
    ana = phone.new_page()
    sign_in(ana, base, "ana@example.org")
    ana.goto(f"{base}/programs/pathways")
    assert ana.inner_text("#ladder-da-rda .next-step") == "Your next step: Registered Dental Assistant licence (RDA)"
    fits(ana)

    other = chromium.new_context(viewport=NARROW)
    admin = other.new_page()
    sign_in(admin, base, "pat@example.org")
    admin.goto(f"{base}/programs/pathways/ladders")
    fits(admin)
    admin.click("#ladders a[href='/programs/pathways/ladders/da-rda']")
    admin.wait_for_load_state()
    admin.fill("#s-name_en", "Radiation safety certificate")
    admin.fill("#s-name_es", "Certificado de seguridad radiológica")
    admin.select_option("#s-reached-by", "outside:")
    admin.fill("#s-approval", "DBC-RS-2026")
    admin.click("#add-step button[type=submit]")
    admin.wait_for_url(re.compile(r"saved=1"))
    steps = admin.locator("#ladder-steps > li strong")
    assert steps.all_inner_texts()[-1] == "Radiation safety certificate"
    fits(admin)
    shot(admin, "ladder-step-added-360")
    # it goes before the licence
    admin.click("button[aria-label='Move up: Radiation safety certificate']")
    admin.wait_for_load_state()
    assert steps.all_inner_texts() == [
        "Dental Assistant: infection control and radiation safety courses",
        "Radiation safety certificate",
        "Registered Dental Assistant licence (RDA)",
    ]
    other.close()

    ana.reload()
    assert ana.inner_text("#ladder-da-rda .next-step") == "Your next step: Radiation safety certificate"
    assert "1 of 3 steps reached." in ana.inner_text("#ladder-da-rda")
    fits(ana)
    shot(ana, "worker-next-ladder-step-changed-360")
    phone.close()
