"""A worker takes a SCORM 1.2 and a SCORM 2004 course unit (one SCO each, written in tests/scorm_scos.py) in Debian's
chromium on a 360-pixel-wide phone: the SCO fills the screen below the player's bar, finds the API that scorm-again
provides on the content origin, and she comes back to the course when it finishes. She suspends the 1.2 SCO (from
inside it) and the 2004 SCO (with the player's own exit control), both resume where she left, she passes both, and the
course is complete with its certificate."""

from __future__ import annotations

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import ARTIFACTS, sign_in, sql, wait_for
from tests.browser.test_journeys import CERTIFICATE
from tests.helpers import make_clinic, make_user, token_for
from tests.integration.test_offline_soak import ServerThread
from tests.scorm_scos import UNIT_12, UNIT_2004, publish_scorm_course

CODE = "SCO-201"
PHONE_360 = {"width": 360, "height": 740}


@pytest.fixture
async def world(client, conn):
    keys = await publish_scorm_course(client, conn, CODE)
    await make_clinic(conn, "clinica-romero")
    worker = await make_user(
        conn, "ana@example.org", "worker", clinic="clinica-romero", language="en", name="Ana Pérez"
    )
    enrolled = await client.post("/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, worker.id))
    assert enrolled.status_code == 201, enrolled.text
    return {"keys": keys, "worker": worker}


@pytest.fixture
def live(settings, world):
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url, "settings": served, **world}


def test_scorm_12_and_2004_on_a_phone_suspend_resume_pass_and_certificate(in_browser, live):
    base, settings, keys = live["base"], live["settings"], live["keys"]
    assert settings.content_origin_url == base.replace("127.0.0.1", "localhost")

    def attempt(unit: str, column: str) -> str | None:
        return sql(
            settings, f"SELECT {column} FROM scorm_attempts WHERE unit_id = $1 ORDER BY number DESC LIMIT 1", unit
        )

    def journey(browser) -> None:
        context = browser.new_context(viewport=PHONE_360, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        sign_in(page, base, "ana@example.org")

        def start(unit: str) -> object:
            activity = f"{base}/courses/{CODE}/v/1/{keys[unit]}"
            page.goto(activity)
            page.click(f"form[action$='/{keys[unit]}/scorm'] button[type=submit]")
            sco = page.frame_locator(".player-frame").frame_locator("#sco")
            sco.locator("#api").filter(has_text="API found").wait_for()
            return sco

        def back_in_course(unit: str) -> None:
            page.wait_for_url(f"{base}/courses/{CODE}/v/1/{keys[unit]}")

        # SCORM 1.2: the SCO fills the phone below the player's bar; it suspends itself and she is back in the course
        sco = start(UNIT_12)
        assert sco.locator("#entry").inner_text() == "entry=ab-initio"
        frame = page.locator(".player-frame").bounding_box()
        bar = page.locator(".player-bar").bounding_box()
        assert frame["x"] == 0 and frame["width"] == PHONE_360["width"]
        assert frame["y"] == pytest.approx(bar["y"] + bar["height"], abs=2)
        assert frame["y"] + frame["height"] == pytest.approx(PHONE_360["height"], abs=2)
        inner = page.frame_locator(".player-frame").locator("#sco").bounding_box()
        assert inner["width"] == PHONE_360["width"] and inner["height"] == pytest.approx(frame["height"], abs=2)
        page.screenshot(path=str(ARTIFACTS / "scorm12-phone-360.png"))
        sco.locator("#suspend").click()
        back_in_course(UNIT_12)
        assert wait_for(lambda: attempt(UNIT_12, "exit") == "suspend", "the 1.2 SCO's suspend to reach the server")

        # resumed where she left; she passes
        sco = start(UNIT_12)
        assert sco.locator("#entry").inner_text() == "entry=resume"
        assert sco.locator("#place").inner_text() == "place=answers=b,c@page-2"
        sco.locator("#finish").click()
        back_in_course(UNIT_12)
        assert attempt(UNIT_12, "success") == "passed"

        # SCORM 2004: she leaves with the player's "back" control; the SCO is suspended for her
        sco = start(UNIT_2004)
        assert sco.locator("#entry").inner_text() == "entry=ab-initio"
        page.locator(".player-exit").click()
        back_in_course(UNIT_2004)
        assert wait_for(lambda: attempt(UNIT_2004, "exit") == "suspend", "the 2004 SCO suspended by the exit control")
        sco = start(UNIT_2004)
        assert sco.locator("#entry").inner_text() == "entry=resume"
        sco.locator("#finish").click()
        back_in_course(UNIT_2004)
        page.screenshot(path=str(ARTIFACTS / "scorm-back-in-course.png"))

        # the course is complete and her certificate is there
        page.goto(f"{base}/my/certificates")
        assert CERTIFICATE.search(page.inner_text("main")), page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / "scorm-certificate.png"), full_page=True)
        context.close()

    in_browser(journey)
    assert (
        sql(
            settings,
            "SELECT count(*) FROM certificates c JOIN users u ON u.id = c.user_id WHERE u.email = $1",
            "ana@example.org",
        )
        == 1
    )
    assert sql(settings, "SELECT count(*) FROM package_completions") == 2
