"""A real `lms serve` on its own embedded PostgreSQL and SeaweedFS in a fresh data dir: the demo sign-ins never reach
its log (they are in a file only its user can read), the data dir and the embedded servers' logs are closed to other
users, and when the embedded PostgreSQL or SeaweedFS process is killed, the service starts it again by itself:
/health/ready recovers without a restart and what was acknowledged before is still there."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from lms.embedded.ports import free_port, free_s3_port

LMS = Path(sys.executable).parent / "lms"


class Served:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir, self.log = data_dir, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pg_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env.update(
            LMS_PORT=str(self.port),
            LMS_DATA_DIR=str(data_dir),
            LMS_EMBEDDED_PG_PORT=str(self.pg_port),
            LMS_EMBEDDED_S3_PORT=str(free_s3_port()),
            LMS_SEED_DEMO="true",
            LMS_EMBEDDED_PG_SHARED_BUFFERS="32MB",
        )
        with log.open("ab") as out:  # not a terminal: as under systemd or a container, where output is the log
            self.process = subprocess.Popen(
                [str(LMS), "serve"], env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL
            )

    async def sessions(self) -> int:
        """Sign-ins stored, read straight from the embedded database."""
        password = (self.data_dir / "postgres.password").read_text().strip()
        conn = await asyncpg.connect(f"postgresql://lms:{password}@127.0.0.1:{self.pg_port}/lms")
        try:
            return await conn.fetchval("SELECT count(*) FROM user_sessions")
        finally:
            await conn.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def ready(self, client: httpx.AsyncClient, within: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < within:
            assert self.process.poll() is None, self.output()
            try:
                if (await client.get(f"{self.url}/health/ready")).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
        raise AssertionError(f"not ready within {within:.0f}s:\n{self.output()[-3000:]}")

    async def not_ready(self, client: httpx.AsyncClient, within: float = 30) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if (await client.get(f"{self.url}/health/ready")).status_code == 503:
                return
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
async def served(tmp_path_factory) -> AsyncIterator[Served]:
    root = tmp_path_factory.mktemp("served")
    service = Served(root / "var", root / "serve.log")
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            await service.ready(client, within=240)
        yield service
    finally:
        service.stop()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_demo_sign_ins_stay_out_of_the_log_and_the_data_dir_is_private(served):
    sign_ins = served.data_dir / "demo-sign-ins.txt"
    assert _mode(sign_ins) == 0o600
    lines = [line.split() for line in sign_ins.read_text().splitlines()]
    assert {role for role, _email, _password in lines} >= {"worker", "clinic_admin", "program_admin"}
    output = served.output()
    assert str(sign_ins.resolve()) in output  # the operator is told where to look
    for _role, email, password in lines:
        assert password not in output and email not in output
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:  # and the pairs do sign in
        email, password = next((e, p) for role, e, p in lines if role == "program_admin")
        form = await client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
        signed = await client.post(
            "/login", data={"email": email, "password": password, "next": "/", "_csrf_token": token}
        )
        assert signed.status_code in (200, 303) and "lms_session" in client.cookies

    assert _mode(served.data_dir) & 0o007 == 0, oct(_mode(served.data_dir))  # nothing for other users
    if os.geteuid() != 0:
        assert _mode(served.data_dir) == 0o700
    for name in ("postgres.log", "seaweedfs.log", "secret_key", "postgres.password", "s3-credentials.json"):
        assert _mode(served.data_dir / name) & 0o077 == 0, (name, oct(_mode(served.data_dir / name)))


async def _sign_in_demo(served: Served, client: httpx.AsyncClient) -> None:
    lines = [line.split() for line in (served.data_dir / "demo-sign-ins.txt").read_text().splitlines()]
    email, password = next((e, p) for role, e, p in lines if role == "worker")
    form = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
    await client.post("/login", data={"email": email, "password": password, "next": "/", "_csrf_token": token})


async def test_a_killed_embedded_postgresql_is_started_again_and_keeps_what_was_acknowledged(served):
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        await _sign_in_demo(served, client)  # the session row: a write the service acknowledged
        assert (await client.get("/my")).status_code == 200
        acknowledged = await served.sessions()
        assert acknowledged >= 1
        pid = int((served.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        await served.not_ready(client)
        took = await served.ready(client, within=120)
        assert await served.sessions() == acknowledged  # nothing acknowledged was lost
        assert (await client.get("/my", follow_redirects=False)).status_code == 200  # and she is still signed in
    assert "The embedded PostgreSQL stopped; starting it again" in served.output()
    assert took < 120


async def test_a_killed_embedded_seaweedfs_is_started_again(served):
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        pid = int((served.data_dir / "seaweedfs.pid").read_text())
        os.killpg(pid, signal.SIGKILL)
        await served.not_ready(client)
        await served.ready(client, within=150)
        new_pid = int((served.data_dir / "seaweedfs.pid").read_text())
    assert new_pid != pid and "The embedded SeaweedFS stopped; starting it again" in served.output()
