"""axe-core finds no serious or critical accessibility problem on any kind of page the demo's people reach, in every
shipped language: the worker, the instructor, the clinic admin and the program admin, each on a 360 px phone, following
the links of their pages from the home page and the app's other start pages in their own language; then each kind of page
found is opened again in every other language. No page is wider than the phone (longer words in Vietnamese or Tagalog
must wrap, not push the page sideways), and each page says which language it is in.

In the other languages the colour-contrast rule is left out: colours do not change with the language and it is half
of axe's time; every rule that words can break (names, labels, lang, titles, targets) runs in all five."""

from __future__ import annotations

import asyncio

import pytest

from lms.accounts.secrets import hash_password
from lms.app import create_app
from lms.embedded.ports import free_port
from lms.i18n import UI_LANGUAGES
from lms.seed import seed_if_empty
from tests.browser.conftest import sign_in
from tests.helpers import PASSWORD
from tests.integration.test_every_page_in_every_language import NOT_PAGES, _page_shape, _readable_pages
from tests.integration.test_offline_soak import ServerThread

PEOPLE = {
    "ana.worker@example.org": "es",
    "maria.instructor@example.org": "es",
    "clinic.admin@example.org": "en",
    "program.admin@example.org": "en",
}
LANGUAGES = ("en", "es", "zh-Hant", "vi", "tl")
SMALL_PHONE = {"width": 360, "height": 740}
PAGES_PER_PERSON = 40
# What a sighted phone user or a screen reader meets: the page's own problems, and whether it fits the screen.
LOOK = """async (contrast) => {
  const result = await axe.run(document, {resultTypes: ['violations'], rules: {'color-contrast': {enabled: contrast}}});
  const wide = document.documentElement.scrollWidth - window.innerWidth;
  const sticking = wide > 1 ? [...document.querySelectorAll('main *, header *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap, pre, .visually-hidden'))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ': ' + (e.textContent || '').trim().slice(0, 40)) : [];
  return {violations: result.violations, wide, sticking, lang: document.documentElement.lang};
}"""


@pytest.fixture
async def demo(settings, conn):
    assert await seed_if_empty(conn, settings.replace(seed_demo=True), say=lambda _msg: None)
    await conn.execute(
        "UPDATE users SET password_hash = $1 WHERE email = ANY($2::text[])", await hash_password(PASSWORD), list(PEOPLE)
    )
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    app = create_app(served)
    with ServerThread(app, port):
        yield served.public_base_url, _readable_pages(app)
    await asyncio.sleep(0)


def _look(page, path: str, who: str, language: str, problems: list[str], *, contrast: bool) -> None:
    found = page.evaluate(LOOK, contrast)
    for violation in found["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
            problems.append(
                f"{who} {language} {path}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
            )
    if found["wide"] > 1:
        problems.append(f"{who} {language} {path}: {found['wide']} px wider than the phone: {found['sticking']}")
    if found["lang"] != language:
        problems.append(f"{who} {language} {path}: the page says it is in {found['lang']!r}")


def test_every_role_s_pages_have_no_serious_accessibility_problem_in_any_language(in_browser, axe_js, demo):
    base, starts = demo
    assert set(LANGUAGES) == set(UI_LANGUAGES), "a shipped language is missing from this test"
    problems: list[str] = []
    checked: dict[str, int] = {}

    def journey(chromium) -> None:
        shown_in_every_language: set[str] = set()
        for email, own in PEOPLE.items():
            context = chromium.new_context(viewport=SMALL_PHONE, bypass_csp=True)  # lets the test inject axe
            context.add_init_script(path=str(axe_js))
            page = context.new_page()
            sign_in(page, base, email)
            # Found by following links in her own language, every page looked at with every rule.
            context.add_cookies([{"name": "lms_lang", "value": own, "url": base}])
            queue, pages, shapes = ["/", *starts], [], set()
            while queue and len(pages) < PAGES_PER_PERSON:
                path = queue.pop(0)
                shape = _page_shape(path)
                if shape in shapes or NOT_PAGES.search(path.split("?")[0]) or path.startswith("/login"):
                    continue
                shapes.add(shape)
                answer = page.goto(base + path)
                if answer is None or answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                    continue
                pages.append(path)
                queue += [
                    href.split("#")[0]
                    for href in page.eval_on_selector_all(
                        "a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
                    )
                    if not href.startswith("//")
                ]
                _look(page, path, email, own, problems, contrast=True)
            checked[f"{email} {own}"] = len(pages)
            # Each kind of page once more in every other language (a kind another role showed already is not repeated).
            fresh = [path for path in pages if _page_shape(path) not in shown_in_every_language]
            shown_in_every_language.update(_page_shape(path) for path in fresh)
            for language in LANGUAGES:
                if language == own:
                    continue
                context.add_cookies([{"name": "lms_lang", "value": language, "url": base}])
                for path in fresh:
                    answer = page.goto(base + path)
                    if answer is not None and answer.status == 200:
                        checked[f"every role {language}"] = checked.get(f"every role {language}", 0) + 1
                        _look(page, path, email, language, problems, contrast=False)
            context.close()

    in_browser(journey, timeout=1200)
    assert all(count >= 10 for count in checked.values()), checked
    assert not problems, "\n".join(problems)
