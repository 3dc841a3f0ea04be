"""The outside judge: ADL's LRS conformance suite, xAPI 1.0.3 and 2.0.0, against the app served on a real socket.

infra/conformance/xapi copies the suite into a cache outside the repository, installs its Node dependencies there
once, and runs both versions; any failing test fails this one (its titles are in the output). 5 to 10 minutes.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lms.xapi import clients
from tests.helpers import serving
from tests.integration.learning_fixtures import api_user

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "conformance" / "xapi"


async def test_adl_lrs_conformance_suite_passes_for_both_versions(app, conn):
    admin = await api_user(conn, "lrs-admin@example.org", "program_admin")
    credential = await clients.create_client(
        conn, name="ADL conformance suite", can_read=True, can_write=True, created_by=admin.id
    )
    async with serving(app) as url:
        run = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--endpoint",
            f"{url}/xapi",
            "--user",
            credential.key,
            "--password",
            credential.secret,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(run.communicate(), timeout=1200)
    report = output.decode(errors="replace")
    print(report[-5000:])
    assert run.returncode == 0, report[-5000:]
    assert "xAPI 1.0.3: {'total': 1365, 'passed': 1365, 'failed': 0" in report
    assert "xAPI 2.0.0: {'total': 1442, 'passed': 1442, 'failed': 0" in report
