"""Course folders through the web: export a draft or version as a zip of the courses/ format, import one as a new
course or as the draft, every problem named by file and line and nothing half imported; a round trip changes nothing."""

from __future__ import annotations

import io
import zipfile

import yaml

from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_owner, make_user, publish_folder, sign_in, token_for
from tests.integration.test_author_preview import _draft_with_a_video

CODE = "DA-IC-101"


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def zipped(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


async def _import(client, url: str, data: bytes, filename: str = "course.zip"):
    page = await client.get("/author/import")
    return await client.post(
        url,
        data={"_csrf_token": csrf_from(page.text)},
        files={"file": (filename, data, "application/zip")},
        follow_redirects=False,
    )


async def test_a_draft_with_media_exported_then_imported_is_the_same_draft(client, conn):
    video_id = await _draft_with_a_video(client, conn)
    api = await token_for(conn, await conn.fetchval("SELECT id FROM users WHERE email = 'maria@example.org'"))
    read = await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=api)
    draft = read.json()
    draft["modules"][0]["activities"][0]["title"].pop("es")  # a draft may be unfinished: it still goes out and back
    saved = await client.put(
        f"/api/v1/authoring/courses/{CODE}/draft", json=draft, headers={**api, "If-Match": read.headers["etag"]}
    )
    assert saved.status_code == 200
    before = (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=api)).json()

    exported = await client.get(f"/author/{CODE}/export")
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/zip"
    assert f'filename="{CODE}-draft-' in exported.headers["content-disposition"]
    files = unzip(exported.content)
    assert f"{CODE}/course.yaml" in files and f"{CODE}/lessons/hand-hygiene.es.md" in files
    course = yaml.safe_load(files[f"{CODE}/course.yaml"])
    lesson = next(a for m in course["modules"] for a in m["activities"] if a["key"] == "hand-hygiene")
    assert list(lesson)[:2] == ["key", "kind"] and "body" not in lesson and lesson["media"] == [{"file": video_id}]

    changed = dict(before, title={"en": "Something else", "es": "Otra cosa"})
    again = {**api, "If-Match": saved.headers["etag"]}
    assert (await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=changed, headers=again)).status_code == 200
    imported = await _import(client, f"/author/{CODE}/import", exported.content)
    assert imported.status_code == 303, imported.text
    after = (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=api)).json()
    assert after == before


async def test_a_published_version_exports_as_a_folder_the_cli_accepts(client, conn, tmp_path):
    from lms.catalog.course_file import read_course_folder

    await publish_folder(conn, COURSES_DIR / CODE)
    await make_user(conn, "pablo@example.org", "instructor")  # any instructor may export a published version
    await sign_in(client, "pablo@example.org")
    exported = await client.get(f"/author/{CODE}/export", params={"version": 1})
    assert exported.status_code == 200 and f'filename="{CODE}-v1.zip"' in exported.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        archive.extractall(tmp_path)
    assert read_course_folder(tmp_path / CODE) == read_course_folder(COURSES_DIR / CODE)
    assert (await client.get(f"/author/{CODE}/export")).status_code == 404  # his draft it is not


async def test_an_imported_folder_becomes_a_new_course_its_importer_owns(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_owner(conn, CODE, (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    files = unzip((await client.get(f"/author/{CODE}/export", params={"version": 1})).content)
    renamed = {name.replace(f"{CODE}/", "DA-IC-201/"): text for name, text in files.items()}
    renamed["DA-IC-201/course.yaml"] = renamed["DA-IC-201/course.yaml"].replace(f"code: {CODE}", "code: DA-IC-201")

    made = await _import(client, "/author/import", zipped(renamed), "DA-IC-201.zip")
    assert made.status_code == 303 and made.headers["location"] == "/author/DA-IC-201?saved=true"
    assert (
        await conn.fetchval("""SELECT u.email FROM course_owners o JOIN courses c ON c.id = o.course_id
                                  JOIN users u ON u.id = o.user_id WHERE c.code = 'DA-IC-201'""")
        == "maria@example.org"
    )
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM course_versions v JOIN courses c ON c.id = v.course_id WHERE c.code = 'DA-IC-201'"
        )
        == 0
    )

    again = await _import(client, "/author/import", zipped(renamed), "DA-IC-201.zip")
    assert again.status_code == 400 and "DA-IC-201/course.yaml:1" in again.text and "already exists" in again.text


async def test_every_problem_is_named_by_file_and_line_and_nothing_is_imported(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_owner(conn, CODE, (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    draft_before = await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE)
    files = unzip((await client.get(f"/author/{CODE}/export")).content)
    text = files[f"{CODE}/course.yaml"]
    lines = text.splitlines()
    minutes_line = next(i for i, line in enumerate(lines) if "minutes:" in line) + 1
    lines[minutes_line - 1] = lines[minutes_line - 1].split(":")[0] + ": lots"
    lines.append("colour: blue")
    files[f"{CODE}/course.yaml"] = "\n".join(lines) + "\n"
    files[f"{CODE}/lessons/no-such-lesson.en.md"] = "Orphan"

    refused = await _import(client, f"/author/{CODE}/import", zipped(files))
    assert refused.status_code == 400
    assert f"{CODE}/course.yaml:{minutes_line}" in refused.text and "lots" in refused.text
    assert f"{CODE}/course.yaml:{len(lines)}" in refused.text and "colour" in refused.text
    assert f"{CODE}/lessons/no-such-lesson.en.md:1" in refused.text
    assert await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE) == draft_before

    raw = io.BytesIO(zipped({f"{CODE}/course.yaml": text, f"{CODE}/lessons/hand-hygiene.en.md": "ok"}))
    with zipfile.ZipFile(raw, "a") as archive:
        archive.writestr(f"{CODE}/lessons/standard-precautions.en.md", b"cafe\n\xff")
    not_utf8 = await _import(client, f"/author/{CODE}/import", raw.getvalue())
    assert not_utf8.status_code == 400 and f"{CODE}/lessons/standard-precautions.en.md:2" in not_utf8.text

    other = text.replace(f"code: {CODE}", "code: MA-VS-101")
    wrong_course = await _import(client, f"/author/{CODE}/import", zipped({"course.yaml": other}))
    assert wrong_course.status_code == 400 and "course.yaml:1" in wrong_course.text and "MA-VS-101" in wrong_course.text

    bomb = await _import(client, "/author/import", zipped({"course.yaml": "a: &a [x, x]\nb: &b [*a, *a]\ncode: X-1\n"}))
    assert bomb.status_code == 400 and "course.yaml:1" in bomb.text and "aliases" in bomb.text
    not_zip = await _import(client, "/author/import", b"PK but not really")
    assert not_zip.status_code == 400 and "not a zip file" in not_zip.text
    media = text.replace(
        "  - key: hand-hygiene\n    kind: lesson\n",
        "  - key: hand-hygiene\n    kind: lesson\n    media:\n    - file: media/x.mp4\n",
    )
    assert media != text
    no_media = await _import(client, f"/author/{CODE}/import", zipped({"course.yaml": media}))
    assert no_media.status_code == 400 and "media library" in no_media.text
    assert await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE) == draft_before
    assert await conn.fetchval("SELECT count(*) FROM courses") == 1
