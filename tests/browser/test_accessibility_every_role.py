"""axe-core finds no serious or critical accessibility problem on any kind of page the demo's people reach: the worker,
the instructor, the clinic admin and the program admin, each at phone width in their own language, following the
links of their pages from the home page."""

from __future__ import annotations

import asyncio

import pytest

from lms.accounts.secrets import hash_password
from lms.app import create_app
from lms.embedded.ports import free_port
from lms.seed import seed_if_empty
from tests.browser.conftest import PHONE, sign_in
from tests.helpers import PASSWORD
from tests.integration.test_every_page_in_every_language import NOT_PAGES, _page_shape
from tests.integration.test_offline_soak import ServerThread

PEOPLE = {
    "ana.worker@example.org": "es",
    "maria.instructor@example.org": "es",
    "clinic.admin@example.org": "en",
    "program.admin@example.org": "en",
}
PAGES_PER_PERSON = 24


@pytest.fixture
async def demo(settings, conn):
    assert await seed_if_empty(conn, settings.replace(seed_demo=True), say=lambda _msg: None)
    await conn.execute(
        "UPDATE users SET password_hash = $1 WHERE email = ANY($2::text[])", await hash_password(PASSWORD), list(PEOPLE)
    )
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield served.public_base_url
    await asyncio.sleep(0)


def test_every_role_s_pages_have_no_serious_accessibility_problem(in_browser, axe_js, demo):
    problems: list[str] = []
    checked: dict[str, int] = {}

    def journey(chromium) -> None:
        seen: set[str] = set()
        for email, language in PEOPLE.items():
            context = chromium.new_context(viewport=PHONE, bypass_csp=True)  # lets the test inject axe
            page = context.new_page()
            sign_in(page, demo, email)
            context.add_cookies([{"name": "lms_lang", "value": language, "url": demo}])
            queue, count = ["/"], 0
            while queue and count < PAGES_PER_PERSON:
                path = queue.pop(0)
                shape = f"{email}:{_page_shape(path)}" if path != "/" else email
                if shape in seen or NOT_PAGES.search(path.split("?")[0]) or path.startswith("/login"):
                    continue
                seen.add(shape)
                answer = page.goto(demo + path)
                if answer is None or answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                    continue
                count += 1
                queue += [
                    href.split("#")[0]
                    for href in page.eval_on_selector_all(
                        "a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
                    )
                    if not href.startswith("//")
                ]
                page.add_script_tag(path=str(axe_js))
                result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                for violation in result["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
                        problems.append(
                            f"{email} {path}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
                        )
            checked[email] = count
            context.close()

    in_browser(journey, timeout=600)
    assert all(count >= 8 for count in checked.values()), checked
    assert not problems, "\n".join(problems)
