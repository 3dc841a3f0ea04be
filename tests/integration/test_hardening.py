"""Hardening that other tests leave open: cookie flags behind https, request size limits on the busiest write path,
uploads that could run as a page in the browser, and secrets in a real server process's output."""

from __future__ import annotations

import os
import signal
import subprocess
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import msgspec
from litestar.testing import AsyncTestClient

from infra.bench.asgi_call import call
from lms.app import create_app
from lms.embedded.ports import free_port
from tests.helpers import PASSWORD, csrf_from, make_clinic, make_user
from tests.integration.test_faults import XAPI, _serve, _wait_ready, batch_of, learner


async def test_behind_https_every_cookie_is_secure_httponly_and_samesite_lax(settings, conn):
    await make_clinic(conn, "clinic-a")
    await make_user(conn, "ana@example.org", "worker", clinic="clinic-a")
    async with AsyncTestClient(
        app=create_app(settings.replace(cookie_secure=True)), base_url="https://lms.example.org"
    ) as client:
        form = await client.get("/login")
        assert form.headers["strict-transport-security"].startswith("max-age=")
        signed = await client.post(
            "/login",
            data={"email": "ana@example.org", "password": PASSWORD, "next": "/", "_csrf_token": csrf_from(form.text)},
            follow_redirects=False,
        )
        language = await client.post(
            "/language",
            data={"language": "es", "next": "/", "_csrf_token": csrf_from(form.text)},
            follow_redirects=False,
        )
        cookies = [v for r in (form, signed, language) for k, v in r.headers.multi_items() if k == "set-cookie"]
        names = {c.split("=", 1)[0] for c in cookies}
        assert {"lms_csrf", "lms_session"} <= names, cookies
        for cookie in cookies:
            flags = {part.strip().lower() for part in cookie.split(";")[1:]}
            assert "secure" in flags and "samesite=lax" in flags, cookie
            if not cookie.startswith("lms_lang"):
                assert "httponly" in flags, cookie  # scripts never read the session or the CSRF secret
    async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as plain:
        cookie = (await plain.get("/login")).headers["set-cookie"]
        assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


async def test_oversized_statement_batches_are_refused_before_they_are_stored(client, conn):
    headers, user_id, enrollment = await learner(conn)
    too_many = batch_of(user_id, enrollment, 501)
    answer = await client.post("/xapi/statements", json=too_many, headers=headers)
    assert answer.status_code in (400, 413) and answer.json()["detail"]
    padding = [{**s, "result": {"response": "x" * 5000}} for s in batch_of(user_id, enrollment, 450)]
    big = msgspec.json.encode(padding)
    assert len(big) > 2 * 1024 * 1024
    answer = await client.post("/xapi/statements", content=big, headers={**headers, "content-type": "application/json"})
    assert answer.status_code == 413

    # Sent in pieces with no Content-Length up front (chunked): the limit holds on the bytes as they arrive.
    pieces = [big[start : start + 256 * 1024] for start in range(0, len(big), 256 * 1024)]
    status, _, _ = await call(
        client.app, "POST", "/xapi/statements", {**headers, "content-type": "application/json"}, pieces
    )
    assert status == 413
    assert pieces  # refused as soon as the limit was passed, before the rest arrived
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE user_id = $1", user_id) == 0


async def test_uploads_that_a_browser_could_run_as_a_page_are_refused_and_files_are_served_with_their_checked_type(
    client, conn, settings
):
    from lms.catalog.loader import publish_folder
    from tests.conftest import COURSES_DIR
    from tests.integration.test_media import instructor_headers, png, upload

    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    headers = await instructor_headers(conn)
    for filename, content_type, kind in (
        ("page.html", "text/html", "pdf"),
        ("page.html", "text/html", "image"),
        ("logo.svg", "image/svg+xml", "image"),
        ("note.xhtml", "application/xhtml+xml", "pdf"),
        ("clip.mp4", "text/html", "video"),
    ):
        asked = await client.post(
            "/api/v1/courses/DA-IC-101/media/uploads",
            headers=headers,
            json={"filename": filename, "content_type": content_type, "size": 100, "kind": kind},
        )
        assert asked.status_code == 400, (filename, content_type, asked.text)

    ticket, _ = await upload(
        client, headers, "DA-IC-101", png(), filename="steps.png", content_type="image/png", kind="image"
    )
    done = await client.post(ticket["complete_url"], headers=headers, json={})
    assert done.status_code == 200, done.text
    got = await client.get(f"/api/v1/courses/DA-IC-101/media/{ticket['media']['id']}", headers=headers)
    url = got.json().get("url") or ""
    if url:  # the library hands out a preview URL: its type is pinned in the signature, never the store's guess
        query = parse_qs(urlsplit(url).query)
        assert query["response-content-type"] == ["image/png"]
        async with httpx.AsyncClient() as browser:
            served = await browser.get(url)
        assert served.headers["content-type"] == "image/png"
    # the upload form's own policy pins Content-Type, so the store refuses a different one for the same ticket
    fields = dict(ticket["post"]["fields"])
    fields["Content-Type"] = "text/html"
    async with httpx.AsyncClient() as browser:
        forged = await browser.post(
            ticket["post"]["url"], data=fields, files={"file": ("x.html", b"<script>alert(1)</script>", "text/html")}
        )
    assert forged.status_code == 403


async def test_a_real_server_process_never_writes_a_secret_to_its_output(settings, conn, tmp_path):
    headers, _user_id, _enrollment = await learner(conn)
    token = headers["Authorization"].split(" ", 1)[1]
    port = free_port()
    process = _serve(
        settings, port, tmp_path / "replica", log_level="DEBUG"
    )  # the chattiest level an operator may choose
    try:
        await anyio.to_thread.run_sync(_wait_ready, port, process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
            form = await http.get("/login")
            csrf = csrf_from(form.text)
            await http.post(
                "/login",
                data={"email": "ana@example.org", "password": "wrong horse battery", "next": "/", "_csrf_token": csrf},
            )
            signed = await http.post(
                "/login",
                data={"email": "ana@example.org", "password": PASSWORD, "next": "/", "_csrf_token": csrf},
                follow_redirects=False,
            )
            session = signed.cookies.get("lms_session")
            assert session
            created = await http.post(
                "/api/v1/me/tokens", json={"label": "phone"}, headers={"Authorization": f"Bearer {token}"}
            )
            new_token = created.json()["token"]
            await http.get("/api/v1/me", headers={"Authorization": f"Bearer {new_token}"})
            await http.get("/xapi/statements", auth=("lms", new_token), headers=XAPI)
            await http.get("/api/v1/me", headers={"Authorization": "Bearer lms_not-a-real-token-but-long-enough"})
            await http.get(f"/login?next=/&password={PASSWORD}&token={new_token}")
            await http.post(
                "/xapi/statements", content=b"{not json", headers={"Authorization": f"Bearer {new_token}", **XAPI}
            )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    output = process.stderr.read().decode() if process.stderr else ""
    process.stderr.close()
    assert output.count('"event":"request"') >= 8, output[:2000]  # the requests were logged, one line each
    db_password = urlsplit(settings.database_url).password or ""
    secrets = {
        "password": PASSWORD,
        "api token": token,
        "new api token": new_token,
        "session": session,
        "LMS_SECRET_KEY": settings.secret_key,
        "S3 secret key": settings.s3_secret_access_key,
        "database password": db_password,
        "email": "ana@example.org",
    }
    leaked = [name for name, value in secrets.items() if value and value in output]
    assert not leaked, f"{leaked} found in the server's output"
