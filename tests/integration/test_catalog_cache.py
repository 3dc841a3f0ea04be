"""The catalogue and course pages are cached, and never show what is no longer published: a publish or a retirement
shows at once in the process that made it, and within a second everywhere else (another replica)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from lms.catalog import cache as catalog_cache
from lms.catalog import service
from lms.deps import provide_tx
from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_clinic, make_user, publish_folder, sign_in
from tests.integration.learning_fixtures import queued_statement

SPANISH = {"accept-language": "es"}
DENTAL_ES = "Control de infecciones para asistentes dentales"


async def test_a_published_course_shows_in_the_catalogue_at_once(client, conn):
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")
    before = await client.get("/", headers=SPANISH)
    assert "MA-VS-101" in before.text and "DA-IC-101" not in before.text

    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    after = await client.get("/", headers=SPANISH)
    assert "DA-IC-101" in after.text and DENTAL_ES in after.text


async def test_a_new_version_shows_on_the_course_page_at_once(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    first = await client.get("/courses/DA-IC-101", headers=SPANISH)
    assert "Versión 1" in first.text

    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    latest = await client.get("/courses/DA-IC-101", headers=SPANISH)
    assert "Versión 2" in latest.text
    old = await client.get("/courses/DA-IC-101?version=1", headers=SPANISH)
    assert "Versión 1" in old.text and "La versión más reciente es la 2" in old.text


async def test_a_retired_version_leaves_the_catalogue_at_once(client, conn):
    await make_user(conn, "pat@example.org", "program_admin")
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")
    assert "DA-IC-101" in (await client.get("/", headers=SPANISH)).text

    async with conn.transaction():
        await service.retire(conn, code="DA-IC-101", version=1, editor=None, reason="replaced by the 2026 edition")
    catalogue = await client.get("/", headers=SPANISH)
    assert "DA-IC-101" not in catalogue.text and "MA-VS-101" in catalogue.text
    assert (await client.get("/courses/DA-IC-101", headers=SPANISH)).status_code == 404


async def test_a_retirement_made_by_another_replica_shows_within_a_second(client, conn, monkeypatch):
    monkeypatch.setattr(catalog_cache, "GENERATION_SECONDS", 0.3)
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")
    assert "DA-IC-101" in (await client.get("/", headers=SPANISH)).text
    generation = await conn.fetchval("SELECT generation FROM catalogue_generation")

    # Another process retires it: nothing in this process hears of it, only PostgreSQL knows.
    await conn.execute(
        """UPDATE course_versions v SET status = 'retired', retired_at = now()
           FROM courses c WHERE c.id = v.course_id AND c.code = 'DA-IC-101'"""
    )
    assert await conn.fetchval("SELECT generation FROM catalogue_generation") > generation

    await asyncio.sleep(0.35)
    catalogue = await client.get("/", headers=SPANISH)
    assert "DA-IC-101" not in catalogue.text and "MA-VS-101" in catalogue.text


async def test_lesson_pages_of_a_version_stay_as_published(client, conn):
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")
    detail = (await client.get("/api/v1/courses/MA-VS-101")).json()
    key = detail["modules"][0]["activities"][0]["key"]
    first = await client.get(f"/courses/MA-VS-101/v/1/{key}", headers=SPANISH)
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")  # version 2: version 1's pages do not move
    again = await client.get(f"/courses/MA-VS-101/v/1/{key}", headers=SPANISH)
    assert first.status_code == again.status_code == 200
    assert first.text.split("<article")[1] == again.text.split("<article")[1]
    assert (await client.get(f"/courses/MA-VS-101/v/3/{key}", headers=SPANISH)).status_code == 404


async def test_a_visitors_page_carries_each_visitors_own_csrf_token(app, conn):
    """The language switch in a visitor's page works for every visitor."""
    from litestar.testing import AsyncTestClient

    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    lesson = "/courses/DA-IC-101/v/1/" + await conn.fetchval(
        "SELECT a.key FROM version_activities a JOIN course_versions v ON v.id = a.version_id ORDER BY a.position LIMIT 1"
    )
    tokens = []
    for _ in range(2):
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as visitor:
            for path in ("/", "/courses/DA-IC-101", lesson):
                first = await visitor.get(path, headers=SPANISH)
                again = await visitor.get(path, headers=SPANISH)
                assert again.text == first.text and DENTAL_ES in again.text
            token = csrf_from(again.text)
            english = await visitor.post("/language", data={"_csrf_token": token, "language": "en", "next": lesson})
            assert english.status_code == 200 and english.url.path == lesson  # switched, and back on the lesson
            assert '<html lang="en">' in english.text and csrf_from(english.text) == token
            tokens.append(token)
    assert tokens[0] != tokens[1]


async def test_a_lesson_page_shows_each_signed_in_worker_their_own_progress(client, conn):
    """One worker's progress never shows on another's lesson page."""
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    key = await conn.fetchval(
        "SELECT a.key FROM version_activities a JOIN course_versions v ON v.id = a.version_id WHERE a.kind = 'lesson' ORDER BY a.position LIMIT 1"
    )
    lesson = f"/courses/DA-IC-101/v/1/{key}"
    await make_clinic(conn, "st-johns")
    pages = {}
    for email in ("ana@example.org", "bo@example.org"):
        await make_user(conn, email, "worker", clinic="st-johns")
        client.cookies.clear()
        await sign_in(client, email)
        course = await client.get("/courses/DA-IC-101?version=1")
        await client.post("/courses/DA-IC-101/v/1/enroll", data={"_csrf_token": csrf_from(course.text)})
        page = await client.get(lesson)
        assert "Mark as done" in page.text and "Done ✓" not in page.text and "Sign out" in page.text
        if email.startswith("ana"):
            done = await client.post(
                f"/learn/DA-IC-101/v/1/{key}/done", data={"_csrf_token": csrf_from(page.text), "next": lesson}
            )
            assert done.status_code == 200 and "Done ✓" in done.text  # back on the lesson: Ana's page says done
            page = done
        pages[email] = page.text
    assert "Done ✓" in pages["ana@example.org"] and "Done ✓" not in pages["bo@example.org"]
    assert csrf_from(pages["ana@example.org"]) != csrf_from(pages["bo@example.org"])
    # The statement the phone queues, its id and the queue's owner are each worker's own.
    for email, text in pages.items():
        user_id, enrollment_id = await conn.fetchrow(
            "SELECT u.id, e.id FROM users u JOIN enrollments e ON e.user_id = u.id WHERE u.email = $1", email
        )
        statement = queued_statement(text)
        assert statement["actor"]["account"]["name"] == str(user_id)
        assert statement["context"]["registration"] == str(enrollment_id)
        assert f'name="statement_id" value="{statement["id"]}"' in text and f'data-xapi-user="{user_id}"' in text
    again = await client.get(lesson)  # Bo again: a fresh statement id, so the same tap never counts twice
    assert queued_statement(again.text)["id"] != queued_statement(pages["bo@example.org"])["id"]


@asynccontextmanager
async def on_this_loop(app) -> AsyncIterator[httpx.AsyncClient]:
    """The app's pool and caches on the test's own event loop, so the test can hold a request's transaction too."""
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as client,
    ):
        yield client


async def test_a_catalogue_read_while_a_publish_is_committing_is_not_kept_as_current(app, conn):
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")
    async with on_this_loop(app) as client:
        assert "DA-IC-101" not in (await client.get("/", headers=SPANISH)).text

        publishing_request = provide_tx(app.state)  # the transaction an instructor's "Publish" runs in
        tx = await publishing_request.__anext__()
        await publish_folder(tx, COURSES_DIR / "DA-IC-101")
        # A worker opens the catalogue before that commit: it cannot show the course yet ...
        assert "DA-IC-101" not in (await client.get("/", headers=SPANISH)).text
        with pytest.raises(StopAsyncIteration):
            await publishing_request.__anext__()  # the request's transaction commits

        # ... and what it read is not what the next visitor gets: the course shows at once, not a second later.
        assert DENTAL_ES in (await client.get("/", headers=SPANISH)).text


async def test_a_publish_that_rolls_back_leaves_the_catalogue_as_it_was(app, conn):
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")
    async with on_this_loop(app) as client:
        publishing_request = provide_tx(app.state)
        tx = await publishing_request.__anext__()
        await publish_folder(tx, COURSES_DIR / "DA-IC-101")
        with pytest.raises(RuntimeError):
            await publishing_request.athrow(RuntimeError("the handler failed after publishing"))
        catalogue = await client.get("/", headers=SPANISH)
        assert "MA-VS-101" in catalogue.text and "DA-IC-101" not in catalogue.text
