"""Copying a course or one of its versions: into a new course the copier owns (with its own copies of the media, and
no credit approvals), or into the course's draft to start again from a version."""

from __future__ import annotations

from uuid import UUID

from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_owner, make_user, publish_folder, sign_in
from tests.integration.test_author_preview import _draft_with_a_video

CODE = "DA-IC-101"


async def _copy(client, code: str, **form: str):
    page = await client.get(f"/author/{code}/copy")
    return await client.post(
        f"/author/{code}/copy", data={"_csrf_token": csrf_from(page.text), **form}, follow_redirects=False
    )


async def test_any_instructor_copies_a_published_version_into_a_new_course_she_owns(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_user(conn, "pablo@example.org", "instructor")
    await sign_in(client, "pablo@example.org")
    page = await client.get(f"/author/{CODE}/copy")
    assert page.status_code == 200 and 'value="draft"' not in page.text  # not his draft: versions only

    made = await _copy(client, CODE, source="1", target="new", new_code="da-ic-102")
    assert made.status_code == 303 and made.headers["location"] == "/author/DA-IC-102?saved=true"
    copy = await conn.fetchval("SELECT draft FROM courses WHERE code = 'DA-IC-102'")
    original = await conn.fetchval("SELECT content FROM course_versions")
    assert copy["code"] == "DA-IC-102" and copy["approvals"] == [] and original["approvals"]
    assert copy["modules"] == original["modules"] and copy["title"] == original["title"]
    assert (
        await conn.fetchval("""SELECT u.email FROM course_owners o JOIN courses c ON c.id = o.course_id
                                  JOIN users u ON u.id = o.user_id WHERE c.code = 'DA-IC-102'""")
        == "pablo@example.org"
    )
    assert (await client.get("/author/DA-IC-102")).status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'course.copied'") == 1

    taken = await _copy(client, CODE, source="1", target="new", new_code="DA-IC-102")
    assert taken.status_code == 409 and "already exists" in taken.text
    bad = await _copy(client, CODE, source="1", target="new", new_code="x")
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    not_his = await _copy(client, CODE, source="draft", target="new", new_code="DA-IC-103")
    assert not_his.status_code == 404 and await conn.fetchval("SELECT count(*) FROM courses") == 2
    not_his_draft = await _copy(client, CODE, source="1", target="draft")
    assert not_his_draft.status_code == 404


async def test_a_draft_copied_into_a_new_course_brings_its_own_copy_of_the_video(client, conn, settings):
    from lms.storage import Storage

    video_id = await _draft_with_a_video(client, conn)
    made = await _copy(client, CODE, source="draft", target="new", new_code="DA-IC-301")
    assert made.status_code == 303, made.text
    copy = await conn.fetchval("SELECT draft FROM courses WHERE code = 'DA-IC-301'")
    ref = next(a for m in copy["modules"] for a in m["activities"] if a["key"] == "hand-hygiene")["media"][0]
    assert ref["file"] != video_id
    rows = await conn.fetch("""SELECT m.id, m.kind, m.storage_key, m.video_id FROM media m JOIN courses c ON c.id = m.course_id
                               WHERE c.code = 'DA-IC-301' ORDER BY m.kind DESC""")
    assert [r["kind"] for r in rows] == ["video", "captions"] and rows[0]["id"] == UUID(ref["file"])
    assert rows[1]["video_id"] == rows[0]["id"] and all(r["storage_key"].startswith("media/DA-IC-301/") for r in rows)
    storage = Storage(settings)
    assert (await storage.head(rows[0]["storage_key"]))["ContentLength"] > 0

    preview = await client.get("/author/DA-IC-301/preview/hand-hygiene", params={"lang": "es"})
    assert "<video" in preview.text and 'srclang="es"' in preview.text
    # the original's file can go without taking the copy's with it
    library = await client.get(f"/author/{CODE}/media")
    assert library.status_code == 200


async def test_an_owner_starts_the_draft_again_from_a_version(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_owner(conn, CODE, (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    await conn.execute(
        "UPDATE courses SET draft = jsonb_set(draft, '{title,en}', '\"Scribbles\"') WHERE code = $1", CODE
    )
    done = await _copy(client, CODE, source="1", target="draft")
    assert done.status_code == 303
    assert await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE) == await conn.fetchval(
        "SELECT content FROM course_versions"
    )
    no_version = await _copy(client, CODE, source="draft", target="draft")
    assert no_version.status_code == 400
