"""Errors read in the reader's language with their values filled in: a Spanish program admin's tuition decision, a
Vietnamese worker's check-in from her phone, a course folder's problems (file:line: message) for a Spanish instructor
and a package's manifest problems for a Chinese-reading one."""

from __future__ import annotations

import re

import pytest

from lms.i18n import LANGUAGE_COOKIE
from tests.conftest import COURSES_DIR
from tests.helpers import make_owner, make_user, publish_folder, sign_in
from tests.integration.learning_fixtures import travel
from tests.integration.programs_world import build, post_form
from tests.integration.test_attendance_minutes import lab_world
from tests.integration.test_course_folders_web import CODE, _import, unzip, zipped
from tests.integration.test_programs_tuition import APPLICATION

pytestmark = pytest.mark.usefixtures("settings")


async def test_a_spanish_program_admin_reads_the_tuition_cap_in_spanish_with_its_amounts(client, conn):
    world = await build(conn)
    made = await post_form(client, "/programs/tuition", world["ana"], {**APPLICATION, "cost": "6000"})
    request_id = made.headers["location"].rsplit("/", 1)[1]
    approved = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["admin_a"], {"decision": "approve"}
    )
    assert approved.status_code == 303
    client.cookies.set(LANGUAGE_COOKIE, "es")
    over_cap = await post_form(
        client, f"/programs/tuition/{request_id}/decision", world["program"], {"decision": "approve", "amount": "6000"}
    )
    assert over_cap.status_code == 400
    assert re.search(r"amount: supera el tope de 2026 de \$?5,250\.00; a este trabajador le quedan", over_cap.text)
    assert "over the" not in over_cap.text and "remains for this worker" not in over_cap.text
    assert await conn.fetchval("SELECT approved_cents FROM tuition_requests") is None


async def test_a_vietnamese_worker_checking_in_from_her_phone_reads_why_in_vietnamese(client, conn, settings):
    w = await lab_world(conn, client)
    client.cookies.set(LANGUAGE_COOKIE, "vi")
    luis = w.headers["luis@example.org"]
    typo = await client.post("/api/v1/sessions/attendance", headers=luis, json={"code": "ZZZZZZ"})
    assert typo.status_code == 400 and typo.json()["field"] == "code"
    assert typo.json()["detail"] == ("mã điểm danh này không hợp lệ, hoặc việc điểm danh cho buổi học đó đã đóng")
    await travel(conn, w.session, 70)
    from uuid import UUID

    from lms.learning import qr

    late = await client.post(
        "/api/v1/sessions/attendance",
        headers=luis,
        json={"token": qr.attendance_token(settings.secret_key, UUID(w.session))},
    )
    assert late.status_code == 409
    assert late.json()["detail"] == "buổi học này đã kết thúc; hãy nhờ giảng viên thêm bạn vào danh sách"
    assert await conn.fetchval("SELECT count(*) FROM attendance WHERE user_id = $1", w.luis.id) == 0


async def test_a_spanish_instructor_reads_each_course_folder_problem_in_spanish_beside_its_file_and_line(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_owner(conn, CODE, (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    files = unzip((await client.get(f"/author/{CODE}/export")).content)
    lines = files[f"{CODE}/course.yaml"].splitlines() + ["colour: blue"]
    files[f"{CODE}/course.yaml"] = "\n".join(lines) + "\n"
    files[f"{CODE}/lessons/no-such-lesson.en.md"] = "Orphan"
    client.cookies.set(LANGUAGE_COOKIE, "es")

    refused = await _import(client, f"/author/{CODE}/import", zipped(files))
    assert refused.status_code == 400
    text = refused.text.replace("&#39;", "'")
    assert re.search(
        rf"{CODE}/course.yaml:{len(lines)}</code> campo desconocido 'colour' \(se esperaba uno de: [a-z_, ]+\)", text
    )
    assert (
        f"{CODE}/lessons/no-such-lesson.en.md:1</code> ninguna actividad de lección en course.yaml usa este archivo"
    ) in text
    assert "unknown field" not in text and "no lesson activity" not in text

    not_zip = await _import(client, "/author/import", b"PK but not really")
    assert not_zip.status_code == 400 and "course.zip:1</code> no es un archivo zip" in not_zip.text


async def test_a_package_manifest_problem_list_reads_in_traditional_chinese(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_owner(conn, CODE, (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    client.cookies.set(LANGUAGE_COOKIE, "zh-Hant")
    manifest = '<?xml version="1.0"?>\n<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">\n</courseStructure>\n'
    page = await client.get(f"/author/{CODE}/packages")
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    refused = await client.post(
        f"/author/{CODE}/packages",
        data={"_csrf_token": csrf, "language": "en"},
        files={"file": ("unit.zip", zipped({"cmi5.xml": manifest}), "application/zip")},
        follow_redirects=False,
    )
    assert refused.status_code == 400, refused.text
    assert "cmi5.xml</code> 第 2 行: 沒有 &lt;course&gt; 元素" in refused.text
    assert "no &lt;course&gt; element" not in refused.text
