"""A course belongs to its owners: only they (and program admins) edit, publish and retire it or change its media;
an owner or a program admin adds and removes co-authors; retiring needs a reason and is audited."""

from __future__ import annotations

import msgspec

from lms.catalog.course_file import read_course_folder
from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_owner, make_user, publish_folder, sign_in, token_for

CODE = "CE-HIPAA-101"


async def test_an_instructor_who_does_not_own_a_course_cannot_change_it(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    owner = await make_user(conn, "maria@example.org", "instructor")
    await make_owner(conn, CODE, owner.id)
    other = await token_for(conn, (await make_user(conn, "leo@example.org", "instructor")).id)
    draft_before = await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE)
    doc = msgspec.to_builtins(read_course_folder(COURSES_DIR / CODE))
    doc["title"]["en"] = "Taken over"

    assert (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=other)).status_code == 404
    assert (await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=doc, headers=other)).status_code == 403
    assert (await client.post(f"/api/v1/authoring/courses/{CODE}/publish", headers=other)).status_code == 404
    retire = await client.post(
        f"/api/v1/authoring/courses/{CODE}/versions/1/retire", json={"reason": "mine now"}, headers=other
    )
    assert retire.status_code == 404
    upload = await client.post(
        f"/api/v1/courses/{CODE}/media/uploads",
        headers=other,
        json={"filename": "a.png", "content_type": "image/png", "size": 100, "kind": "image"},
    )
    assert upload.status_code == 404
    assert await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE) == draft_before
    assert await conn.fetchval("SELECT count(*) FROM course_versions WHERE status = 'published'") == 1
    assert await conn.fetchval("SELECT count(*) FROM media") == 0

    # The owner may; a program admin may too (they run the catalogue).
    mine = await token_for(conn, owner.id)
    read = await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=mine)
    mine_at = {**mine, "If-Match": read.headers["etag"]}
    assert (await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=doc, headers=mine_at)).status_code == 200
    admin = await token_for(conn, (await make_user(conn, "pat@example.org", "program_admin")).id)
    assert (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=admin)).status_code == 200


async def test_retiring_needs_a_reason_and_is_audited(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    owner = await make_user(conn, "maria@example.org", "instructor")
    await make_owner(conn, CODE, owner.id)
    headers = await token_for(conn, owner.id)
    for body in ({}, {"reason": ""}):
        refused = await client.post(f"/api/v1/authoring/courses/{CODE}/versions/1/retire", json=body, headers=headers)
        assert refused.status_code == 400 and "reason" in refused.text
    blank = await client.post(
        f"/api/v1/authoring/courses/{CODE}/versions/1/retire", json={"reason": "   "}, headers=headers
    )
    assert blank.status_code == 400
    assert await conn.fetchval("SELECT status FROM course_versions") == "published"
    assert (await client.get("/api/v1/courses")).json()  # still in the catalogue

    done = await client.post(
        f"/api/v1/authoring/courses/{CODE}/versions/1/retire",
        json={"reason": "Replaced by the 2027 edition"},
        headers=headers,
    )
    assert done.status_code == 204
    audit = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'course.retired'")
    assert audit["actor_id"] == owner.id and audit["detail"]["reason"] == "Replaced by the 2027 edition"


async def test_a_new_course_belongs_to_the_instructor_who_creates_it(client, conn):
    maria = await make_user(conn, "maria@example.org", "instructor")
    doc = msgspec.to_builtins(read_course_folder(COURSES_DIR / CODE))
    created = await client.put(
        f"/api/v1/authoring/courses/{CODE}/draft", json=doc, headers=await token_for(conn, maria.id)
    )
    assert created.status_code == 200, created.text
    assert await conn.fetchval("SELECT user_id FROM course_owners") == maria.id
    leo = await token_for(conn, (await make_user(conn, "leo@example.org", "instructor")).id)
    assert (await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=doc, headers=leo)).status_code == 403


async def test_owners_add_and_remove_co_authors_on_the_owners_page(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    maria = await make_user(conn, "maria@example.org", "instructor")
    await make_owner(conn, CODE, maria.id)
    leo = await make_user(conn, "leo@example.org", "instructor", name="Leo Park")
    leo_headers = await token_for(conn, leo.id)
    assert (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=leo_headers)).status_code == 404

    await sign_in(client, "maria@example.org")
    owners = await client.get(f"/author/{CODE}/owners")
    assert owners.status_code == 200 and "maria@example.org" in owners.text
    added = await client.post(
        f"/author/{CODE}/owners", data={"_csrf_token": csrf_from(owners.text), "email": "LEO@example.org"}
    )
    assert added.status_code == 200 and "Leo Park" in added.text
    assert (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=leo_headers)).status_code == 200
    unknown = await client.post(
        f"/author/{CODE}/owners", data={"_csrf_token": csrf_from(owners.text), "email": "nobody@example.org"}
    )
    assert unknown.status_code == 400 and "email" in unknown.text

    removed = await client.post(f"/author/{CODE}/owners/{leo.id}/remove", data={"_csrf_token": csrf_from(owners.text)})
    assert removed.status_code == 200
    assert (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=leo_headers)).status_code == 404
    last = await client.post(f"/author/{CODE}/owners/{maria.id}/remove", data={"_csrf_token": csrf_from(owners.text)})
    assert last.status_code == 409
    actions = await conn.fetch("SELECT action FROM audit_log WHERE action LIKE 'course.owner%' ORDER BY id")
    assert [a["action"] for a in actions] == ["course.owner_added", "course.owner_removed"]

    # Someone who owns nothing cannot see or change the list.
    await sign_in(client, "leo@example.org")
    assert (await client.get(f"/author/{CODE}/owners", headers={"accept": "text/html"})).status_code == 404
    page = await client.get("/author")
    assert CODE not in page.text
