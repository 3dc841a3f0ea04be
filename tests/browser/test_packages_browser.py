"""A package's page in a real browser, in the player on a 360-pixel phone: its script runs, but on the content origin
(another host name), where the service's cookies are not, and it cannot reach into the service's page around it."""

from __future__ import annotations

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.helpers import make_user, token_for
from tests.integration.test_offline_soak import ServerThread
from tests.integration.test_packages import CODE, draft
from tests.package_zips import scorm12_zip

SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture
async def package(client, conn) -> str:
    instructor = await make_user(conn, "maria@example.org", "instructor")
    headers = await token_for(conn, instructor.id)
    assert (
        await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=draft(), headers=headers)
    ).status_code == 200
    imported = await client.post(
        f"/api/v1/courses/{CODE}/packages",
        headers=headers,
        data={"language": "en"},
        files={"file": ("pulse.zip", scorm12_zip(), "application/zip")},
    )
    assert imported.status_code == 201, imported.text
    return imported.json()["id"]


@pytest.fixture
def served(settings, package):
    port = free_port()
    settings = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(settings), port):
        yield settings, package


def test_a_package_script_runs_on_the_content_origin_without_the_service_cookies(in_browser, served):
    in_browser(lambda chromium: journey(chromium, *served))


def journey(chromium, settings, package_id: str) -> None:
    base = settings.public_base_url
    context = chromium.new_context(viewport=SMALL_PHONE, locale="en-US")
    page = context.new_page()
    sign_in(page, base, "maria@example.org")
    assert any(c["name"] == "lms_session" for c in context.cookies(base))

    page.goto(f"{base}/author/{CODE}/packages/{package_id}/play/1")
    frame_element = page.wait_for_selector("iframe.player-frame")
    frame = frame_element.content_frame()
    frame.wait_for_selector("#status:text('script ran')", timeout=15_000)  # the package's own script ran
    origin = frame.evaluate("location.origin")
    assert origin == settings.content_origin_url and origin != base
    assert frame.evaluate("document.cookie") == ""  # the service's session is not there to read
    reach = frame.evaluate(
        """() => { try { return window.parent.document.cookie; } catch (e) { return 'blocked: ' + e.name; } }"""
    )
    assert reach == "blocked: SecurityError"
    answer = frame.evaluate(f"""async () => {{
        try {{ const r = await fetch("{base}/api/v1/me", {{credentials: "include"}}); return String(r.status) + (await r.text()); }}
        catch (e) {{ return 'blocked'; }} }}""")
    assert "maria@example.org" not in answer  # no signed-in answer to the package, whatever the browser allows

    box = frame_element.bounding_box()
    assert box and box["width"] == SMALL_PHONE["width"] and box["height"] > SMALL_PHONE["height"] * 0.85
    page.screenshot(path=str(ARTIFACTS / "package-player-phone.png"))
    page.click("a.player-exit")
    page.wait_for_url(f"{base}/author/{CODE}/packages/{package_id}")
    context.close()
