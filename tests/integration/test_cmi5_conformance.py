"""The outside judge for cmi5: CATAPULT's LMS Test Suite against the app served on a real socket.

infra/conformance/cmi5 copies the suite into a cache outside the repository, installs its Node dependencies there
once, builds its test packages with its own webpack step and runs it (puppeteer driving Debian's chromium) through
infra/conformance/cmi5_adapter.js: packages imported into a course draft, AUs launched for the suite's actors, an AU
waived and a session abandoned through the API. Any failing test fails this one (its titles are in the output).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from lms.xapi import clients
from tests.helpers import token_for
from tests.integration.learning_fixtures import api_user
from tests.integration.test_offline_soak import ServerThread

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "conformance" / "cmi5"
CHROMIUM = Path("/usr/bin/chromium")
COURSE = {
    "code": "CMI5-LTS",
    "track": "CE",
    "languages": ["en"],
    "title": {"en": "cmi5 conformance"},
    "summary": {"en": "Packages of CATAPULT's suite."},
    "modules": [{"key": "packages", "title": {"en": "Packages"}, "activities": []}],
}


@pytest.mark.skipif(shutil.which("npm") is None, reason="Node.js and npm run CATAPULT's suite; they are not installed")
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (infra/test installs it as root)")
async def test_catapult_cmi5_lms_test_suite_passes(settings, conn, client):
    admin = await api_user(conn, "cmi5-admin@example.org", "program_admin")
    headers = await token_for(conn, admin.id)
    created = await client.put(f"/api/v1/authoring/courses/{COURSE['code']}/draft", json=COURSE, headers=headers)
    assert created.status_code == 200, created.text
    credential = await clients.create_client(
        conn, name="CATAPULT LMS test suite", can_read=True, can_write=False, created_by=admin.id
    )
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        run = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--base-url",
            served.public_base_url,
            "--token",
            headers["Authorization"].removeprefix("Bearer "),
            "--course",
            COURSE["code"],
            "--lrs-key",
            credential.key,
            "--lrs-secret",
            credential.secret,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(run.communicate(), timeout=1800)
    report = output.decode(errors="replace")
    print(report[-5000:])
    assert run.returncode == 0, report[-5000:]
    assert "cmi5 LMS test suite: {'total': 87, 'passed': 87, 'failed': 0}" in report
