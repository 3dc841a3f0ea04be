"""A worker takes a cmi5 course on a 360-pixel-wide phone: each AU (a real page whose script speaks cmi5: fetch,
LMS.LaunchData, learner preferences, initialized / completed / terminated) opens full screen from the content origin,
the player's way back and the AU's own exit (its returnURL) return to the course, and when both AUs are done the course is complete with a certificate."""

from __future__ import annotations

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import ARTIFACTS, sign_in, sql
from tests.browser.test_journeys import CERTIFICATE
from tests.cmi5_au import cmi5_course_zip
from tests.helpers import make_clinic, make_user, token_for
from tests.integration.test_offline_soak import ServerThread
from tests.package_zips import au_iri

CODE = "CMI5-201"
PHONE_360 = {"width": 360, "height": 740}


@pytest.fixture
async def course(client, conn):
    owner = await make_user(conn, "maria@example.org", "instructor", name="María López")
    headers = await token_for(conn, owner.id)
    draft = {
        "code": CODE,
        "track": "MA",
        "languages": ["en"],
        "title": {"en": "Hand hygiene"},
        "summary": {"en": "Clean hands."},
        "modules": [{"key": "hygiene", "title": {"en": "Hygiene"}, "activities": []}],
    }
    assert (await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=draft, headers=headers)).status_code == 200
    package = await client.post(
        f"/api/v1/courses/{CODE}/packages",
        headers=headers,
        data={"language": "en"},
        files={"file": ("hygiene.zip", cmi5_course_zip(), "application/zip")},
    )
    assert package.status_code == 201, package.text
    attached = await client.post(
        f"/api/v1/courses/{CODE}/packages/{package.json()['id']}/activities",
        headers=headers,
        json={"module": "hygiene", "minutes": {au_iri(1): 15, au_iri(2): 20}},
    )
    assert attached.status_code == 200, attached.text
    assert (await client.post(f"/api/v1/authoring/courses/{CODE}/publish", headers=headers)).status_code in (200, 201)
    await make_clinic(conn, "clinica-romero")
    worker = await make_user(
        conn, "lupe@example.org", "worker", clinic="clinica-romero", language="en", name="Lupe Ramos"
    )
    assert (
        await client.post("/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, worker.id))
    ).status_code == 201
    return [r["key"] for r in await conn.fetch("SELECT key FROM version_activities ORDER BY position")]


@pytest.fixture
def live(settings, course):
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield served, course


def test_a_worker_takes_a_cmi5_course_full_screen_on_a_phone_and_gets_her_certificate(in_browser, live):
    settings, keys = live
    in_browser(lambda chromium: cmi5_journey(chromium, settings, keys))


def cmi5_journey(chromium, settings, keys: list[str]) -> None:
    base = settings.public_base_url
    context = chromium.new_context(viewport=PHONE_360)
    page = context.new_page()
    sign_in(page, base, "lupe@example.org")
    for n, key in enumerate(keys, start=1):
        page.goto(f"{base}/courses/{CODE}/v/1/{key}")
        page.get_by_role("button", name="Start").click()
        page.wait_for_load_state()
        frame_element = page.locator("iframe.player-frame")
        au = frame_element.content_frame
        au.locator("#status").filter(has_text="finished").wait_for(timeout=20_000)
        assert au.locator("#language").text_content() == "en"  # her language, from the learner preferences
        src = frame_element.get_attribute("src") or ""
        assert src.startswith(base.replace("127.0.0.1", "localhost") + "/content/")  # the content origin, not ours
        box = frame_element.bounding_box()
        bar = page.locator(".player-bar").bounding_box()
        assert box and bar and box["width"] == PHONE_360["width"]
        assert abs(box["height"] + bar["height"] - PHONE_360["height"]) <= 2  # the rest of the screen, below the bar
        page.screenshot(path=str(ARTIFACTS / f"cmi5-au-{n}-phone.png"))
        if n == 1:  # the player's own way back
            page.get_by_role("link", name="Back to the course").click()
        else:  # the AU's exit: its returnURL tells the player she is done
            au.get_by_role("button", name="Exit").click()
        page.wait_for_url(f"{base}/courses/{CODE}/v/1/{key}")
    assert sql(settings, "SELECT count(*) FROM package_completions") == 2
    assert sql(settings, "SELECT completed_at IS NOT NULL FROM enrollments")
    page.goto(f"{base}/my/certificates")
    page.screenshot(path=str(ARTIFACTS / "cmi5-certificate-phone.png"), full_page=True)
    assert CERTIFICATE.search(page.inner_text("main")), page.inner_text("main")[:1000]
    context.close()
