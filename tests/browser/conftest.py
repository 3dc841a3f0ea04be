"""Real-browser tests: Debian's chromium driven by Playwright (sync API, so these tests are plain functions), against a
real `lms` HTTP server (uvicorn in a thread) on a free port, over this run's own PostgreSQL and SeaweedFS.

Playwright never downloads a browser here: it launches /usr/bin/chromium (infra/test installs it when missing).
Screenshots at phone width go to tests/artifacts/browser/."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.helpers import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


def _axe_script() -> Path | None:
    try:
        import axe_playwright_python
    except ImportError:
        return None
    found = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    return found if found.exists() else None


@pytest.fixture(scope="session")
def in_browser():
    """Run ``journey(browser)`` in a thread of its own: Playwright's sync API keeps an event loop running in the thread
    that starts it, and the test's own fixtures need the main thread free of one."""
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        pytest.skip(
            "Debian's chromium is not installed (infra/test installs it when run as root: apt-get install chromium)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: pip install -e '.[test]'")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def run(journey, timeout: float = 180) -> None:
        failure: list[BaseException] = []

        def target() -> None:
            try:
                with sync_api.sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=str(executable), args=CHROMIUM_ARGS, headless=True
                    )
                    try:
                        journey(browser)
                    finally:
                        browser.close()
            except BaseException as exc:  # noqa: BLE001 - handed to the test's thread below
                failure.append(exc)

        thread = threading.Thread(target=target, name="browser")
        thread.start()
        thread.join(timeout)
        assert not thread.is_alive(), f"the browser journey took more than {timeout} s"
        if failure:
            raise failure[0]

    return run


@pytest.fixture(scope="session")
def axe_js() -> Path:
    found = _axe_script()
    if found is None:
        pytest.skip("axe-core is missing: pip install -e '.[test]' (axe-playwright-python ships axe.min.js)")
    return found


def sql(settings, query: str, *args: Any) -> Any:
    """A synchronous look at the database (these tests are plain functions: Playwright's sync API needs that)."""

    async def run() -> Any:
        conn = await asyncpg.connect(settings.database_url)
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:  # the browser's thread has Playwright's loop running: use another
        return pool.submit(asyncio.run, run()).result()


def wait_for(check, what: str, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would; the page is then wherever the service sent her."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
