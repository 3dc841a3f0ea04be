"""Lesson media against the real SeaweedFS: direct uploads, checked types, captions, seekable delivery, gc, store down."""

from __future__ import annotations

import re
import struct
import textwrap
import zlib
from html import unescape
from pathlib import Path
from uuid import uuid4

import anyio
import httpx
import pytest
from click.testing import CliRunner

from lms.accounts.schemas import CurrentUser
from lms.catalog.loader import publish_folder
from lms.storage import Storage
from tests.helpers import csrf_from, draft_form, make_clinic, make_owner, make_user, sign_in, token_for

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + bytes(range(256)) * 8
HTML = b"<!DOCTYPE html><html><head><title>Free prize</title></head><body><script>steal()</script></body></html>"
VTT_EN = (
    "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nWash your hands.\n\n00:00:02.000 --> 00:00:04.000\nFor twenty seconds.\n"
)
VTT_ES = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nLávese las manos.\n\n00:00:02.000 --> 00:00:04.000\nDurante veinte segundos.\n"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def course_code() -> str:
    return "MEDIA-" + uuid4().hex[:8].upper()


def course_folder(root: Path, code: str, *, video: bytes = MP4) -> Path:
    """A one-lesson course whose lesson shows a video with English and Spanish captions, and a PDF handout."""
    folder = root / code
    (folder / "lessons").mkdir(parents=True)
    (folder / "media").mkdir()
    (folder / "course.yaml").write_text(
        textwrap.dedent(f"""\
        code: {code}
        track: DA
        languages: [en, es]
        title: {{en: "Hand hygiene", es: "Higiene de manos"}}
        summary: {{en: "Clean hands save lives.", es: "Las manos limpias salvan vidas."}}
        modules:
          - key: basics
            title: {{en: "Basics", es: "Lo básico"}}
            activities:
              - key: handwashing
                kind: lesson
                minutes: 10
                title: {{en: "Handwashing", es: "Lavado de manos"}}
                media:
                  - file: media/handwash.mp4
                    captions: {{en: media/handwash.en.vtt, es: media/handwash.es.vtt}}
                  - file: media/steps.pdf
              - key: wrap-up
                kind: lesson
                minutes: 5
                title: {{en: "Wrap-up", es: "Resumen"}}
        """),
        encoding="utf-8",
    )
    for key, text in (("handwashing", "Wet, soap, scrub, rinse, dry."), ("wrap-up", "Well done.")):
        (folder / "lessons" / f"{key}.en.md").write_text(f"# {key}\n\n{text}\n", encoding="utf-8")
        (folder / "lessons" / f"{key}.es.md").write_text(f"# {key}\n\nTexto en español: {text}\n", encoding="utf-8")
    (folder / "media" / "handwash.mp4").write_bytes(video)
    (folder / "media" / "handwash.en.vtt").write_text(VTT_EN, encoding="utf-8")
    (folder / "media" / "handwash.es.vtt").write_text(VTT_ES, encoding="utf-8")
    (folder / "media" / "steps.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return folder


async def draft_course(conn, code: str) -> None:
    from lms.catalog import queries

    await queries.save_draft(
        conn,
        code=code,
        track="DA",
        draft={
            "code": code,
            "track": "DA",
            "languages": ["en", "es"],
            "title": {"en": "Media", "es": "Medios"},
            "modules": [],
        },
    )


async def instructor_headers(conn) -> dict[str, str]:
    """An instructor who owns every course there is so far (only owners change a course's media library)."""
    instructor = await make_user(conn, f"teacher-{uuid4().hex[:6]}@example.org", "instructor")
    await conn.execute("INSERT INTO course_owners (course_id, user_id) SELECT id, $1 FROM courses", instructor.id)
    return await token_for(conn, instructor.id)


async def upload(
    client,
    headers,
    code: str,
    body: bytes,
    *,
    filename: str,
    content_type: str,
    kind: str,
    size: int | None = None,
    **extra,
):
    """Ask for an upload, send the bytes to the store as a browser would, and answer (ticket, store response)."""
    asked = await client.post(
        f"/api/v1/courses/{code}/media/uploads",
        headers=headers,
        json={"filename": filename, "content_type": content_type, "size": size or len(body), "kind": kind, **extra},
    )
    assert asked.status_code == 201, asked.text
    ticket = asked.json()
    async with httpx.AsyncClient() as store:
        sent = await store.post(
            ticket["post"]["url"], data=ticket["post"]["fields"], files={"file": (filename, body, content_type)}
        )
    return ticket, sent


async def test_an_instructor_uploads_through_the_presigned_form_and_the_file_is_checked(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    ticket, sent = await upload(
        client, headers, code, MP4, filename="Lavado de manos.mp4", content_type="video/mp4", kind="video"
    )
    assert ticket["method"] == "post" and ticket["post"]["fields"]["key"] == f"media/{code}/{ticket['media']['id']}"
    assert ticket["media"]["status"] == "pending" and ticket["media"]["filename"] == "Lavado-de-manos.mp4"
    assert sent.status_code in (200, 201, 204), sent.text

    done = await client.post(ticket["complete_url"], headers=headers)  # a POST upload needs no body here
    assert done.status_code == 200, done.text
    media = done.json()
    assert media["status"] == "ready" and media["content_type"] == "video/mp4" and media["byte_size"] == len(MP4)
    again = await client.post(ticket["complete_url"], headers=headers, json={})  # safe to repeat
    assert again.status_code == 200 and again.json()["status"] == "ready"

    listed = (await client.get(f"/api/v1/courses/{code}/media", headers=headers)).json()
    assert [m["id"] for m in listed] == [media["id"]] and listed[0]["versions"] == []
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'media.uploaded'") == 1

    worker_clinic = await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "ana@example.org", "worker", clinic=worker_clinic.slug)
    refused = await client.get(f"/api/v1/courses/{code}/media", headers=await token_for(conn, worker.id))
    assert refused.status_code == 403


async def test_a_renamed_html_page_posing_as_a_video_is_refused_and_deleted(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    ticket, sent = await upload(
        client, headers, code, HTML, filename="lesson.mp4", content_type="video/mp4", kind="video"
    )
    assert sent.status_code in (200, 201, 204)
    key = ticket["post"]["fields"]["key"]
    assert await Storage(settings).head(key) is not None

    refused = await client.post(ticket["complete_url"], headers=headers, json={})
    assert refused.status_code == 400
    problem = refused.json()
    assert problem["field"] == "file" and "HTML page" in problem["detail"] and "never accepted" in problem["detail"]
    assert await Storage(settings).head(key) is None
    assert (await client.get(f"/api/v1/courses/{code}/media", headers=headers)).json() == []
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'media.refused'") == 1

    png_as_video, _ = await upload(
        client, headers, code, png(), filename="clip.mp4", content_type="video/mp4", kind="video"
    )
    mismatch = await client.post(png_as_video["complete_url"], headers=headers, json={})
    assert mismatch.status_code == 400 and "PNG image, but it was sent as an MP4 video" in mismatch.json()["detail"]


async def test_declared_types_and_sizes_are_checked_and_the_store_refuses_a_bigger_file(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    url = f"/api/v1/courses/{code}/media/uploads"
    html = await client.post(
        url, headers=headers, json={"filename": "x.html", "content_type": "text/html", "size": 10, "kind": "video"}
    )
    assert html.status_code == 400 and html.json()["field"] == "content_type"
    svg = await client.post(
        url, headers=headers, json={"filename": "x.svg", "content_type": "image/svg+xml", "size": 10, "kind": "image"}
    )
    assert svg.status_code == 400 and "image/svg+xml" in svg.json()["detail"]
    huge = await client.post(
        url,
        headers=headers,
        json={"filename": "x.png", "content_type": "image/png", "size": 50 * 1024**2, "kind": "image"},
    )
    assert huge.status_code == 400 and huge.json()["field"] == "size" and "20 MB" in huge.json()["detail"]
    nowhere = await client.post(
        "/api/v1/courses/NO-SUCH-1/media/uploads",
        headers=headers,
        json={"filename": "a.png", "content_type": "image/png", "size": 10, "kind": "image"},
    )
    assert nowhere.status_code == 404

    ticket, sent = await upload(
        client,
        headers,
        code,
        png() + b"\x00" * 5000,
        filename="big.png",
        content_type="image/png",
        kind="image",
        size=100,
    )
    assert sent.status_code == 400 and "EntityTooLarge" in sent.text
    assert await Storage(settings).head(ticket["post"]["fields"]["key"]) is None
    not_there = await client.post(ticket["complete_url"], headers=headers, json={})
    assert not_there.status_code == 409 and "No file has arrived" in not_there.json()["detail"]


async def test_a_large_video_goes_as_a_multipart_upload(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    body = MP4 + b"\x00" * (5 * 1024 * 1024 + 70_000 - len(MP4))
    asked = await client.post(
        f"/api/v1/courses/{code}/media/uploads",
        headers=headers,
        json={
            "filename": "long.mp4",
            "content_type": "video/mp4",
            "size": len(body),
            "kind": "video",
            "multipart": True,
        },
    )
    assert asked.status_code == 201, asked.text
    ticket = asked.json()
    plan = ticket["multipart"]
    assert ticket["method"] == "multipart" and ticket["post"] is None and len(plan["parts"]) == 2
    parts = []
    async with httpx.AsyncClient() as store:
        for part in plan["parts"]:
            start = (part["part_number"] - 1) * plan["part_size"]
            put = await store.put(part["url"], content=body[start : start + plan["part_size"]])
            assert put.status_code == 200, put.text
            parts.append({"part_number": part["part_number"], "etag": put.headers["etag"]})
    no_parts = await client.post(ticket["complete_url"], headers=headers, json={})
    assert no_parts.status_code == 400 and no_parts.json()["field"] == "parts"
    done = await client.post(ticket["complete_url"], headers=headers, json={"parts": parts})
    assert done.status_code == 200, done.text
    assert done.json()["byte_size"] == len(body) and done.json()["status"] == "ready"
    # checked and moved out of the upload's reach: the parts' key is empty, the checked copy whole
    assert await Storage(settings).head(f"media/{code}/{ticket['media']['id']}") is None
    assert (await Storage(settings).head(f"media/{code}/{ticket['media']['id']}.checked"))["ContentLength"] == len(body)

    big = await client.post(
        f"/api/v1/courses/{code}/media/uploads",
        headers=headers,
        json={"filename": "course.mp4", "content_type": "video/mp4", "size": 1500 * 1024**2, "kind": "video"},
    )
    assert big.status_code == 201 and big.json()["method"] == "multipart"
    assert len(big.json()["multipart"]["parts"]) <= 100


async def test_captions_are_checked_line_by_line_and_one_file_per_language_is_current(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    video, _ = await upload(client, headers, code, MP4, filename="v.mp4", content_type="video/mp4", kind="video")
    await client.post(video["complete_url"], headers=headers, json={})
    video_id = video["media"]["id"]

    no_video = await client.post(
        f"/api/v1/courses/{code}/media/uploads",
        headers=headers,
        json={"filename": "es.vtt", "content_type": "text/vtt", "size": 10, "kind": "captions", "language": "es"},
    )
    assert no_video.status_code == 400 and no_video.json()["field"] == "video_id"

    bad = VTT_ES.replace("00:00:02.000 --> 00:00:04.000", "00:00:02,000 --> 00:00:04.000").encode()
    ticket, _ = await upload(
        client,
        headers,
        code,
        bad,
        filename="es.vtt",
        content_type="",
        kind="captions",
        language="es",
        video_id=video_id,
    )
    refused = await client.post(ticket["complete_url"], headers=headers, json={})
    assert (
        refused.status_code == 400
        and "line 6" in refused.json()["detail"]
        and "00:00:02,000" in refused.json()["detail"]
    )

    first, _ = await upload(
        client,
        headers,
        code,
        VTT_ES.encode(),
        filename="es.vtt",
        content_type="text/vtt",
        kind="captions",
        language="es",
        video_id=video_id,
    )
    assert (await client.post(first["complete_url"], headers=headers, json={})).status_code == 200
    second, _ = await upload(
        client,
        headers,
        code,
        VTT_ES.replace("Lávese", "Lave").encode(),
        filename="es2.vtt",
        content_type="text/vtt",
        kind="captions",
        language="es",
        video_id=video_id,
    )
    assert (await client.post(second["complete_url"], headers=headers, json={})).status_code == 200
    listed = {m["id"]: m for m in (await client.get(f"/api/v1/courses/{code}/media", headers=headers)).json()}
    assert listed[first["media"]["id"]]["replaced"] and not listed[second["media"]["id"]]["replaced"]
    assert listed[second["media"]["id"]]["video_id"] == video_id and listed[second["media"]["id"]]["language"] == "es"


async def _publish_with_media(conn, settings, tmp_path, code=None):
    code = code or course_code()
    return await publish_folder(conn, course_folder(tmp_path, code), settings=settings)


async def test_a_worker_plays_the_video_in_spanish_with_spanish_captions_and_can_seek(client, conn, settings, tmp_path):
    published = await _publish_with_media(conn, settings, tmp_path)
    code = published.code
    assert await conn.fetchval("SELECT count(*) FROM version_media WHERE version_id = $1", published.version_id) == 4
    clinic = await make_clinic(conn, "clinica-romero")
    await make_user(conn, "ana@example.org", "worker", clinic=clinic.slug, language="es")
    await sign_in(client, "ana@example.org")

    lesson = await client.get(f"/courses/{code}/v/1/handwashing")
    assert lesson.status_code == 200
    html = lesson.text
    assert "Texto en español" in html
    video = re.search(r'<video controls preload="metadata"[^>]*src="([^"]+)"', html)
    assert video, html
    tracks = re.findall(r'<track kind="captions" srclang="(\w+)" label="([^"]+)" src="([^"]+)"( default)?>', html)
    assert {(lang, label, bool(default)) for lang, label, _, default in tracks} == {
        ("en", "English", False),
        ("es", "Español", True),
    }
    assert "steps.pdf" in html and len(lesson.content) < 50_000

    async with httpx.AsyncClient() as browser:
        seek = await browser.get(unescape(video.group(1)), headers={"Range": "bytes=100-199"})
        assert seek.status_code == 206 and seek.headers["content-range"] == f"bytes 100-199/{len(MP4)}"
        assert seek.content == MP4[100:200] and seek.headers["content-type"] == "video/mp4"
        assert seek.headers["content-disposition"].startswith("inline")
        spanish = next(unescape(src) for lang, _, src, _ in tracks if lang == "es")
        captions = await browser.get(spanish)
        assert captions.status_code == 200 and captions.headers["content-type"].startswith("text/vtt")
        assert "Lávese las manos" in captions.content.decode()
        pdf = re.search(r'href="([^"]+)" download="steps.pdf"', html)
        handout = await browser.get(unescape(pdf.group(1)))
        assert handout.headers["content-type"] == "application/pdf" and handout.headers[
            "content-disposition"
        ].startswith("attachment")

    english = await client.get(
        f"/api/v1/courses/{code}/versions/1/activities/handwashing/media", headers={"accept-language": "en"}
    )
    assert english.status_code == 200
    items = english.json()["items"]
    assert [i["kind"] for i in items] == ["video", "pdf"]
    assert (
        next(c for c in items[0]["captions"] if c["default"])["language"] == "es"
    )  # the signed-in worker chose Spanish


async def test_someone_who_may_not_see_the_lesson_gets_no_url(client, conn, settings, tmp_path):
    published = await _publish_with_media(conn, settings, tmp_path)
    lesson = await client.get(f"/courses/{published.code}/v/1/handwashing")
    assert lesson.status_code == 200 and "Wet, soap, scrub" in lesson.text
    assert "<video" not in lesson.text and "X-Amz-Signature" not in lesson.text and "Sign in to watch" in lesson.text
    api = await client.get(f"/api/v1/courses/{published.code}/versions/1/activities/handwashing/media")
    assert api.status_code == 401

    from lms.catalog import service
    from lms.media.queries import may_view_version

    clinic = await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "sam@example.org", "worker", clinic=clinic.slug)
    sam = CurrentUser(
        **dict(
            await conn.fetchrow(
                "SELECT id, email, display_name, role, clinic_id, local_id, language FROM users WHERE id = $1",
                worker.id,
            )
        )
    )
    assert await may_view_version(conn, None, published.version_id) is False
    assert await may_view_version(conn, sam, published.version_id) is True
    await service.retire(conn, code=published.code, version=1, editor=None, reason="replaced")
    assert await may_view_version(conn, sam, published.version_id) is False
    retired = await client.get(
        f"/api/v1/courses/{published.code}/versions/1/activities/handwashing/media",
        headers=await token_for(conn, worker.id),
    )
    assert retired.status_code == 200 and retired.json()["status"] == "denied" and retired.json()["items"] == []
    instructor = await instructor_headers(conn)
    staff = await client.get(
        f"/api/v1/courses/{published.code}/versions/1/activities/handwashing/media", headers=instructor
    )
    assert staff.json()["status"] == "ok" and len(staff.json()["items"]) == 2


async def test_publishing_again_reuses_the_uploaded_files_and_used_files_cannot_be_deleted(
    client, conn, settings, tmp_path
):
    code = course_code()
    folder = course_folder(tmp_path, code)
    first = await publish_folder(conn, folder, settings=settings)
    second = await publish_folder(conn, folder, settings=settings)
    assert (
        await conn.fetchval("SELECT count(*) FROM media m JOIN courses c ON c.id = m.course_id WHERE c.code = $1", code)
        == 4
    )
    shared = await conn.fetch(
        "SELECT media_id FROM version_media WHERE version_id = $1 INTERSECT SELECT media_id FROM version_media WHERE version_id = $2",
        first.version_id,
        second.version_id,
    )
    assert len(shared) == 4

    headers = await instructor_headers(conn)
    listed = (await client.get(f"/api/v1/courses/{code}/media", headers=headers)).json()
    video = next(m for m in listed if m["kind"] == "video")
    assert video["versions"] == [1, 2]
    used = await client.delete(f"/api/v1/courses/{code}/media/{video['id']}", headers=headers)
    assert used.status_code == 409 and used.json()["versions"] == [1, 2]

    spare, _ = await upload(client, headers, code, png(), filename="spare.png", content_type="image/png", kind="image")
    await client.post(spare["complete_url"], headers=headers, json={})
    gone = await client.delete(f"/api/v1/courses/{code}/media/{spare['media']['id']}", headers=headers)
    assert gone.status_code == 204
    assert await Storage(settings).head(spare["post"]["fields"]["key"]) is None
    again = await client.delete(f"/api/v1/courses/{code}/media/{spare['media']['id']}", headers=headers)
    assert again.status_code == 404


async def test_a_course_folder_with_a_fake_video_is_not_published(conn, settings, tmp_path):
    from lms.errors import Invalid

    code = course_code()
    with pytest.raises(Invalid, match="handwash.mp4: This file is an HTML page"):
        await publish_folder(conn, course_folder(tmp_path, code, video=HTML), settings=settings)
    assert await conn.fetchval("SELECT count(*) FROM course_versions") == 0


async def test_a_draft_names_uploaded_files_by_id_and_publishing_pins_them(client, conn, settings):
    from lms.catalog import service
    from lms.catalog.content import CourseDoc, Lesson, MediaRef, Module
    from lms.catalog.service import lesson_media_for_draft
    from lms.errors import Invalid

    code = course_code()
    await draft_course(conn, code)
    headers = await instructor_headers(conn)
    video, _ = await upload(client, headers, code, MP4, filename="v.mp4", content_type="video/mp4", kind="video")
    await client.post(video["complete_url"], headers=headers, json={})
    captions, _ = await upload(
        client,
        headers,
        code,
        VTT_EN.encode(),
        filename="en.vtt",
        content_type="text/vtt",
        kind="captions",
        language="en",
        video_id=video["media"]["id"],
    )
    await client.post(captions["complete_url"], headers=headers, json={})
    lesson = Lesson(
        key="watch",
        minutes=5,
        title={"en": "Watch", "es": "Mire"},
        body={"en": "Watch.", "es": "Mire."},
        media=[MediaRef(file=video["media"]["id"])],
    )
    doc = CourseDoc(
        code=code,
        track="DA",
        languages=["en", "es"],
        title={"en": "T", "es": "T"},
        summary={"en": "S", "es": "S"},
        modules=[Module(key="m", title={"en": "M", "es": "M"}, activities=[lesson])],
    )
    media = await lesson_media_for_draft(conn, doc)
    assert media == {
        "watch": [
            {
                "id": video["media"]["id"],
                "kind": "video",
                "captions": [{"id": captions["media"]["id"], "language": "en"}],
            }
        ]
    }
    published = await service.publish(conn, doc, actor_id=None, media=media)
    assert await conn.fetchval("SELECT count(*) FROM version_media WHERE version_id = $1", published.version_id) == 2

    wrong = CourseDoc(
        code=code,
        track="DA",
        languages=["en", "es"],
        title={"en": "T", "es": "T"},
        summary={"en": "S", "es": "S"},
        modules=[
            Module(
                key="m",
                title={"en": "M", "es": "M"},
                activities=[
                    Lesson(
                        key="watch",
                        minutes=5,
                        title={"en": "W", "es": "W"},
                        body={"en": "W", "es": "W"},
                        media=[MediaRef(file=str(uuid4()))],
                    )
                ],
            )
        ],
    )
    with pytest.raises(Invalid) as refused:
        await lesson_media_for_draft(conn, wrong)
    assert refused.value.field == "modules[0].activities[0].media[0].file"


def _lms(args, settings):
    from lms.cli import main

    env = {
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "LMS_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "LMS_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "LMS_S3_BUCKET": settings.s3_bucket,
        "LMS_DATA_DIR": str(settings.data_dir),
    }
    return anyio.to_thread.run_sync(lambda: CliRunner().invoke(main, args, env=env, catch_exceptions=False))


async def test_gc_removes_abandoned_uploads_unused_files_and_stray_objects_but_never_published_ones(
    client, conn, settings, tmp_path
):
    code = course_code()
    published = await _lms(["courses", "publish", str(course_folder(tmp_path, code))], settings)
    assert published.exit_code == 0 and f"Published {code} version 1" in published.output, published.output
    headers = await instructor_headers(conn)
    storage = Storage(settings)
    abandoned = (
        await client.post(
            f"/api/v1/courses/{code}/media/uploads",
            headers=headers,
            json={"filename": "never.png", "content_type": "image/png", "size": 100, "kind": "image"},
        )
    ).json()
    fresh = (
        await client.post(
            f"/api/v1/courses/{code}/media/uploads",
            headers=headers,
            json={"filename": "soon.png", "content_type": "image/png", "size": 100, "kind": "image"},
        )
    ).json()
    unused, _ = await upload(
        client, headers, code, png(), filename="unused.png", content_type="image/png", kind="image"
    )
    await client.post(unused["complete_url"], headers=headers, json={})
    await storage.put(f"media/{code}/{uuid4()}", b"left behind", "image/png")
    await conn.execute(
        "UPDATE media SET created_at = now() - interval '2 days' WHERE id = $1", abandoned["media"]["id"]
    )
    await conn.execute(
        "UPDATE media SET created_at = now() - interval '8 days' WHERE id = $1 OR kind <> 'image'",
        unused["media"]["id"],
    )

    dry = await _lms(["media", "gc", "--course", code, "--dry-run"], settings)
    assert dry.exit_code == 0 and "Would remove abandoned upload" in dry.output
    ran = await _lms(["media", "gc", "--course", code], settings)
    assert ran.exit_code == 0, ran.output
    assert f"Removed abandoned upload: {code} image never.png" in ran.output
    assert f"Removed unused file: {code} image unused.png" in ran.output
    assert "Removed 2 item(s)." in ran.output
    assert await storage.head(unused["post"]["fields"]["key"]) is None
    remaining = {r["filename"] for r in await conn.fetch("SELECT filename FROM media")}
    assert remaining == {
        "soon.png",
        "handwash.mp4",
        "handwash-en.vtt",
        "handwash-es.vtt",
        "steps.pdf",
    }  # published files stay, however old
    assert fresh["media"]["filename"] in remaining

    strays = await _lms(["media", "gc", "--course", code, "--pending-hours", "0"], settings)
    assert "Removed stray object" in strays.output and "soon.png" in strays.output
    assert (
        len([k for k in await storage.list_keys(f"media/{code}/") if k["Key"].endswith(tuple("0123456789abcdef"))]) == 4
    )
    lesson = await client.get(f"/api/v1/courses/{code}/versions/1/activities/handwashing/media", headers=headers)
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(lesson.json()["items"][0]["url"])).status_code == 200


async def test_when_the_store_is_down_uploads_answer_503_and_the_lesson_text_still_renders(
    client, conn, settings, tmp_path
):
    from litestar.testing import AsyncTestClient

    from lms.app import create_app
    from lms.embedded.ports import free_port

    published = await _publish_with_media(conn, settings, tmp_path)
    code = published.code
    headers = await instructor_headers(conn)
    pending = (
        await client.post(
            f"/api/v1/courses/{code}/media/uploads",
            headers=headers,
            json={"filename": "a.png", "content_type": "image/png", "size": 100, "kind": "image"},
        )
    ).json()
    spare, _ = await upload(client, headers, code, png(), filename="spare.png", content_type="image/png", kind="image")
    await client.post(spare["complete_url"], headers=headers, json={})
    clinic = await make_clinic(conn, "gardner-health")
    await make_user(conn, "luz@example.org", "worker", clinic=clinic.slug, language="es")

    down = settings.replace(s3_endpoint_url=f"http://127.0.0.1:{free_port()}")
    async with AsyncTestClient(app=create_app(down), base_url="http://testserver.local") as offline:
        for method, url, body in (
            (
                "POST",
                f"/api/v1/courses/{code}/media/uploads",
                {"filename": "a.png", "content_type": "image/png", "size": 10, "kind": "image"},
            ),
            (
                "POST",
                f"/api/v1/courses/{code}/media/uploads",
                {"filename": "a.mp4", "content_type": "video/mp4", "size": 10, "kind": "video", "multipart": True},
            ),
            ("POST", f"/api/v1/courses/{code}/media/{pending['media']['id']}/complete", {}),
            ("DELETE", f"/api/v1/courses/{code}/media/{spare['media']['id']}", None),
        ):
            answer = await offline.request(method, url, headers=headers, json=body)
            assert answer.status_code == 503, answer.text
            assert "media store cannot be reached" in answer.json()["detail"]
        listed = await offline.get(f"/api/v1/courses/{code}/media", headers=headers)
        assert listed.status_code == 200 and spare["media"]["id"] in {
            m["id"] for m in listed.json()
        }  # nothing half-deleted
        await sign_in(offline, "luz@example.org")
        lesson = await offline.get(f"/courses/{code}/v/1/handwashing")
        assert lesson.status_code == 200 and "Texto en español" in lesson.text
    assert await conn.fetchval("SELECT count(*) FROM media WHERE status = 'pending'") == 1


async def test_the_library_page_uploads_without_javascript(client, conn, settings):
    code = course_code()
    await draft_course(conn, code)
    maria = await make_user(conn, "maria@example.org", "instructor", language="es")
    await make_owner(conn, code, maria.id)
    await sign_in(client, "maria@example.org")
    library = await client.get(f"/author/{code}/media")
    assert library.status_code == 200 and '<script src="/static/upload.js" defer>' in library.text
    assert "<script>" not in library.text and " style=" not in library.text

    step1 = await client.post(
        f"/author/{code}/media/uploads",
        data={
            "_csrf_token": csrf_from(library.text),
            "kind": "image",
            "file": "Pasos del lavado.png",
            "language": "",
            "video_id": "",
        },
    )
    assert step1.status_code == 200, step1.text
    action = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data"', step1.text).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', step1.text))
    fields = {unescape(k): unescape(v) for k, v in fields.items()}
    async with httpx.AsyncClient() as browser:
        sent = await browser.post(
            unescape(action), data=fields, files={"file": ("Pasos del lavado.png", png(), "image/png")}
        )
    assert sent.status_code == 303, sent.text
    back = httpx.URL(sent.headers["location"])
    assert back.host == "testserver.local"
    checked = await client.get(back.path, params=dict(back.params), follow_redirects=False)
    assert checked.status_code == 303
    page = await client.get(checked.headers["location"])
    assert "Pasos-del-lavado.png" in page.text and 'class="ok"' in page.text

    media_id = await conn.fetchval("SELECT id FROM media WHERE filename = 'Pasos-del-lavado.png'")
    deleted = await client.post(
        f"/author/{code}/media/{media_id}/delete", data={"_csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert deleted.status_code == 303
    assert await conn.fetchval("SELECT count(*) FROM media") == 0

    fake = await client.post(
        f"/author/{code}/media/uploads",
        data={"_csrf_token": csrf_from(page.text), "kind": "video", "file": "notes.html"},
    )
    assert fake.status_code == 400 and 'role="alert"' in fake.text and "text/html" in fake.text


async def test_an_instructor_attaches_an_upload_to_a_lesson_in_the_browser_and_publishes_it(client, conn, settings):
    from tests.conftest import COURSES_DIR
    from tests.helpers import publish_folder, publish_in_browser

    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    await make_owner(conn, "DA-IC-101", (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    # upload.js sends the library page's CSRF token with each call its session cookie signs in
    library = {"x-csrftoken": csrf_from((await client.get("/author/DA-IC-101/media")).text)}
    video, _ = await upload(
        client, library, "DA-IC-101", MP4, filename="handwash.mp4", content_type="video/mp4", kind="video"
    )
    assert (await client.post(video["complete_url"], json={}, headers=library)).status_code == 200
    captions, _ = await upload(
        client,
        library,
        "DA-IC-101",
        VTT_ES.encode(),
        filename="es.vtt",
        content_type="text/vtt",
        kind="captions",
        language="es",
        video_id=video["media"]["id"],
    )
    assert (await client.post(captions["complete_url"], json={}, headers=library)).status_code == 200

    editor = await client.get("/author/DA-IC-101/activities/hand-hygiene")
    assert "handwash.mp4" in editor.text and "es.vtt" not in editor.text
    await client.post(
        "/author/DA-IC-101/activities/hand-hygiene",
        data={**draft_form(editor.text), "media_listed": "1", "media": video["media"]["id"]},
    )
    published = await publish_in_browser(client, "DA-IC-101")
    assert published.headers["location"].endswith("published=2")

    lesson = await client.get("/courses/DA-IC-101/v/2/hand-hygiene")
    assert "<video" in lesson.text and 'srclang="es"' in lesson.text
    assert "<video" not in (await client.get("/courses/DA-IC-101/v/1/hand-hygiene")).text
