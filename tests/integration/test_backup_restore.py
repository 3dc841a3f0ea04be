"""Backup and restore, as infra/backup/README.md tells an operator to do it: infra/backup/backup.py (pg_dump -Fc plus a
copy of the bucket) from the running servers, then infra/backup/restore.py into FRESH servers (a new PostgreSQL and a
new SeaweedFS on free ports). The restored service must still verify certificates (signature and revocation status)
and still play media (presigned GET, seeking with Range)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from uuid import uuid4

import anyio
import httpx
from litestar.testing import AsyncTestClient

from lms.app import create_app
from lms.embedded.ports import free_port, free_s3_port
from tests.helpers import sign_in
from tests.integration.reliability_world import build_world
from tests.integration.test_media import MP4, course_folder

ROOT = Path(__file__).resolve().parents[2]


def _environment(settings) -> dict[str, str]:
    return {
        **os.environ,
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "LMS_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "LMS_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "LMS_S3_BUCKET": settings.s3_bucket,
    }


def _run(script: str, args: list[str], settings) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "infra" / "backup" / script), *args],
        env=_environment(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_a_backup_restored_into_fresh_servers_still_verifies_certificates_and_plays_media(
    settings, conn, client, tmp_path
):
    from lms.catalog.loader import publish_folder
    from lms.embedded.postgres import EmbeddedPostgres
    from lms.embedded.seaweedfs import EmbeddedSeaweedFS

    world = await build_world(conn)
    worker, other = world["worker_a"], world["worker_b"]
    code = "MEDIA-" + uuid4().hex[:8].upper()
    await publish_folder(conn, course_folder(tmp_path / "courses", code), settings=settings)
    credential = (
        await client.get(f"/api/v1/me/certificates/{worker.certificate}/credential", headers=worker.headers)
    ).json()
    revoked = await client.post(
        f"/api/v1/certificates/{other.certificate}/revoke",
        headers=world["program_admin"].headers,
        json={"reason": "issued_in_error", "note": "Issued to the wrong person"},
    )
    assert revoked.status_code == 200, revoked.text

    out = tmp_path / "backup"
    said = _run("backup.py", ["--out", str(out)], settings)
    manifest = json.loads((out / "manifest.json").read_text())
    assert "Backed up" in said and manifest["database"]["bytes"] > 10_000
    assert any(o["key"].startswith(f"media/{code}/") for o in manifest["objects"])

    pg = EmbeddedPostgres(tmp_path / "fresh", free_port())
    store = EmbeddedSeaweedFS(tmp_path / "fresh", free_s3_port(), settings.s3_bucket)
    await anyio.to_thread.run_sync(pg.start)
    try:
        await anyio.to_thread.run_sync(store.start)
        access, secret = store.credentials()
        fresh = settings.replace(
            database_url=pg.url,
            s3_endpoint_url=store.endpoint_url,
            s3_access_key_id=access,
            s3_secret_access_key=secret,
        )
        assert "Restored" in await anyio.to_thread.run_sync(_run, "restore.py", ["--from", str(out)], fresh)

        async with AsyncTestClient(app=create_app(fresh), base_url="http://testserver.local") as restored:
            valid = (await restored.get(f"/api/v1/certificates/{worker.certificate}")).json()
            assert valid["status"] == "valid" and valid["facts"]["worker_name"] == "Worker A"
            assert (await restored.get(f"/api/v1/certificates/{other.certificate}")).json()["status"] == "revoked"
            checked = (await restored.post("/api/v1/credentials/verify", json=credential)).json()
            assert checked["verified"] is True and all(checked["checks"].values()), checked
            page = await restored.get(f"/verify/{worker.certificate}")
            assert page.status_code == 200 and "Worker A" in page.text

            await sign_in(restored, worker.email)  # the same password works: accounts came back whole
            lesson = await restored.get(f"/courses/{code}/v/1/handwashing")
            assert lesson.status_code == 200
            video = re.search(r'<video controls preload="metadata"[^>]*src="([^"]+)"', lesson.text)
            assert video and store.endpoint_url in unescape(video.group(1))
            async with httpx.AsyncClient() as browser:
                seek = await browser.get(unescape(video.group(1)), headers={"Range": "bytes=100-199"})
                assert seek.status_code == 206 and seek.content == MP4[100:200]
                assert seek.headers["content-type"] == "video/mp4"
    finally:
        await anyio.to_thread.run_sync(store.stop)
        await anyio.to_thread.run_sync(pg.stop)
