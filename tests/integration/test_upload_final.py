"""An upload is final once checked (real SeaweedFS): replaying the presigned form afterwards cannot change what the
lesson serves, forms are short-lived, and files that are a valid image or video on top but carry a page are refused."""

from __future__ import annotations

import httpx

from lms.storage import Storage
from tests.integration.test_media import HTML, MP4, course_code, draft_course, instructor_headers, png, upload


async def test_replaying_the_upload_form_after_the_check_does_not_change_the_served_bytes(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    original = png()
    ticket, sent = await upload(
        client, headers, code, original, filename="steps.png", content_type="image/png", kind="image"
    )
    assert sent.status_code in (200, 201, 204), sent.text
    assert ticket["expires_in"] <= 300  # the form is short-lived
    done = await client.post(ticket["complete_url"], headers=headers, json={})
    assert done.status_code == 200 and done.json()["status"] == "ready"

    # The same presigned form, posted again with a script in place of the checked image.
    async with httpx.AsyncClient() as store:
        await store.post(
            ticket["post"]["url"],
            data=ticket["post"]["fields"],
            files={"file": ("steps.png", b"<script>alert(document.cookie)</script>", "image/png")},
        )
    again = await client.post(ticket["complete_url"], headers=headers, json={})
    assert again.status_code == 200 and again.json()["byte_size"] == len(original)

    key = await conn.fetchval("SELECT storage_key FROM media WHERE id = $1", ticket["media"]["id"])
    assert key != ticket["post"]["fields"]["key"]  # served from where no upload form can write
    library = await client.get(f"/api/v1/courses/{code}/media/{ticket['media']['id']}", headers=headers)
    assert library.status_code == 200
    storage = Storage(settings)
    url = storage.presigned_get(key, "image/png", "steps.png")
    async with httpx.AsyncClient() as store:
        served = await store.get(url)
    assert served.status_code == 200 and served.content == original
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"].startswith("inline")


async def test_polyglot_files_are_refused_and_deleted(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    storage = Storage(settings)
    for body, name, content_type, kind in (
        (MP4[:24] + HTML + MP4[24:], "clip.mp4", "video/mp4", "video"),  # an MP4 header, then a page
        (png() + b"\n" + HTML, "steps.png", "image/png", "image"),  # an image with a page at its end
        (png() + b"\x00" * 9000 + b"<SCRIPT src=//x></SCRIPT>", "big.png", "image/png", "image"),
    ):
        ticket, sent = await upload(client, headers, code, body, filename=name, content_type=content_type, kind=kind)
        assert sent.status_code in (200, 201, 204), sent.text
        refused = await client.post(ticket["complete_url"], headers=headers, json={})
        assert refused.status_code == 400, (name, refused.text)
        assert "web page or script" in refused.json()["detail"]
        key = ticket["post"]["fields"]["key"]
        assert await storage.head(key) is None and await storage.head(key + ".checked") is None
    assert await conn.fetchval("SELECT count(*) FROM media") == 0
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'media.refused'") == 3
