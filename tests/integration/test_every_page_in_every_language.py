"""Every page a signed-in person can open, as each role of the demo database and in each shipped language other than
English, answers without a server error, every link between them leads somewhere, and no page shows an interface
sentence left in English.

"Left in English" means: a text on the page is exactly a sentence of the catalogues (a msgid) whose translation in
that language differs from it. Names, course content and codes are not msgids, so they never count.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from lms.accounts.secrets import hash_password
from lms.i18n import LANGUAGE_COOKIE, translations
from lms.seed import seed_if_empty
from tests.helpers import PASSWORD, sign_in

LANGUAGES = ("es", "zh-Hant", "vi", "tl")
CATALOGUE = {"es": "es", "zh-Hant": "zh_Hant", "vi": "vi", "tl": "tl"}
PEOPLE = (
    "ana.worker@example.org",
    "maria.instructor@example.org",
    "clinic.admin@example.org",
    "program.admin@example.org",
)
# Pages that are not for reading here: sign-out, downloads, feeds, the service worker, machine-readable documents, and
# the content origin's pages (packages run on another host name).
NOT_PAGES = re.compile(
    r"^/(api|xapi|content|static|media|sw\.js|logout|health|metrics|schema|\.well-known)|\.(csv|ics|json|svg|pdf)$|/export|/feed|/contexts"
)


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])
        for name, value in attrs:
            if name in ("title", "aria-label", "alt", "placeholder") and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _untranslated(language: str) -> set[str]:
    """The catalogue's sentences (two words or more) whose translation in this language is not the English text."""
    catalog = translations(CATALOGUE[language])
    found = set()
    for message in catalog._catalog:  # noqa: SLF001 - gettext's own table of the compiled catalogue
        if (
            isinstance(message, str)
            and message
            and "%" not in message
            and len(message.split()) >= 2
            and catalog.gettext(message) != message
        ):
            found.add(" ".join(message.split()))
    return found


def _readable_pages(app) -> list[str]:
    paths = set()
    for route in app.routes:
        if "GET" in getattr(route, "methods", ()) and "{" not in route.path and not NOT_PAGES.search(route.path):
            paths.add(route.path)
    return sorted(paths)


def _page_shape(link: str) -> str:
    """One page of each kind is enough: a link's path with ids, codes and numbers made alike, its query dropped."""
    path = re.sub(r"/([0-9a-f-]{36}|[A-Z0-9][A-Z0-9-]{2,31}|\d+)(?=/|$)", "/_", link.split("?")[0])
    return re.sub(r"(/_/v/_|/activities|/preview)/[^/]+", r"\1/_", path)


async def _read(
    client, path: str, language: str, english: set[str], problems: list[str], who: str, linked: bool = True
) -> list[str]:
    """Open a page; note a server error, a broken link or an English sentence; return the page's links."""
    answer = await client.get(path)
    if answer.status_code >= 500 or (linked and answer.status_code in (400, 404, 410)):
        problems.append(f"{who} {language} {path}: {answer.status_code}")
    if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
        return []
    parser = _Texts()
    parser.feed(answer.text)
    left = sorted({text for text in parser.texts if text in english})
    if left:
        problems.append(f"{who} {language} {path}: {left[:5]}")
    return parser.links


async def test_every_page_speaks_each_language_for_every_role(app, client, conn, settings):
    assert await seed_if_empty(conn, settings.replace(seed_demo=True), say=lambda _msg: None)
    await conn.execute(
        "UPDATE users SET password_hash = $1 WHERE email = ANY($2::text[])", await hash_password(PASSWORD), list(PEOPLE)
    )
    starts = _readable_pages(app)
    assert {"/", "/my", "/reports", "/people"} <= set(starts)
    english = {language: _untranslated(language) for language in LANGUAGES}
    problems: list[str] = []
    opened: dict[str, int] = {}
    for email in PEOPLE:
        client.cookies.clear()
        assert (await sign_in(client, email)).status_code in (302, 303)
        # Found in the first language by following the links of the pages a role starts from; read in all of them.
        client.cookies.set(LANGUAGE_COOKIE, LANGUAGES[0])
        pages, shapes, queue = [], set(), list(starts)
        while queue and len(pages) < 80:
            path = queue.pop(0)
            if _page_shape(path) in shapes or NOT_PAGES.search(path.split("?")[0]):
                continue
            shapes.add(_page_shape(path))
            pages.append(path)
            queue += await _read(
                client, path, LANGUAGES[0], english[LANGUAGES[0]], problems, email, linked=path not in starts
            )
        opened[email] = len(pages)
        for language in LANGUAGES[1:]:
            client.cookies.set(LANGUAGE_COOKIE, language)
            for path in pages:
                await _read(client, path, language, english[language], problems, email, linked=path not in starts)
    assert all(count >= 10 for count in opened.values()), opened
    assert not problems, "\n".join(problems)
