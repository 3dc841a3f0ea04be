"""Load from a second process on 127.0.0.1: wrk (Debian's package) with Lua scripts, or an asyncio httpx fallback.

Both report the same figures per endpoint: requests/s, p50 and p99 latency, errors (connection errors, timeouts and
4xx/5xx answers).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LUA = Path(__file__).parent / "lua"


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    items_per_request: int = 1  # statements per batch for the xAPI endpoint
    statuses: dict[str, int] = field(default_factory=dict)  # only the Python loader knows them
    sent_ids: list[str] = field(default_factory=list)  # ids the Python loader had accepted (replica checks)
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU per request by side (infra/bench/cpu.py)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def items_per_second(self) -> float:
        return self.rps * self.items_per_request


def ensure_wrk(say: Callable[[str], None] = print) -> str | None:
    """The wrk binary, installed from Debian's packages when missing and we may; None when we cannot."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Installing wrk from Debian's packages (apt-get install wrk) ...")
        done = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            capture_output=True,
            text=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if done.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "wrk"],
                capture_output=True,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
        return shutil.which("wrk")
    say(
        "wrk is not installed: `sudo apt-get install wrk` gives the figures the README quotes; "
        "using the slower Python load generator meanwhile (it takes CPU from the server on a 2-core machine)."
    )
    return None


def run_wrk(
    name: str,
    base_url: str,
    *,
    script: str,
    args: list[str],
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    threads: int = 2,
    items_per_request: int = 1,
) -> Result:
    cmd = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA / script),
    ]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    cmd += [base_url, "--", *args]
    env = {**os.environ, "LUA_PATH": f"{LUA}/?.lua;;"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, env=env)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {name}: {done.stdout[-500:]} {done.stderr[-500:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return Result(
        name=name,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        items_per_request=items_per_request,
    )


# ---- the fallback (and the replica run, which must record exactly which statements it sent) ----


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None
    ids: list[str] = field(default_factory=list)


async def _drive(
    name: str, make: Callable[[int], Request], *, connections: int, seconds: float, items_per_request: int = 1
) -> Result:
    import httpx

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    sent: list[str] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:

        async def worker() -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                req = make(counter)
                started = time.perf_counter()
                try:
                    response = await client.request(req.method, req.url, headers=req.headers, content=req.body)
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
                if status.startswith("2"):
                    sent.extend(req.ids)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    return Result(
        name=name,
        requests=len(latencies),
        seconds=elapsed,
        errors=errors,
        p50_ms=pct(0.5),
        p99_ms=pct(0.99),
        items_per_request=items_per_request,
        statuses=statuses,
        sent_ids=sent,
    )


def run_python(
    name: str, make: Callable[[int], Request], *, connections: int, seconds: float, items_per_request: int = 1
) -> Result:
    return asyncio.run(
        _drive(name, make, connections=connections, seconds=seconds, items_per_request=items_per_request)
    )


def get_requests(
    base_urls: list[str], paths: list[str], headers: dict[str, str], spoof: bool = False, put_json: bytes | None = None
) -> Callable[[int], Request]:
    """GETs of the paths in turn, or (put_json) PUTs of that JSON body to them, as lua/paths.lua and documents.lua."""
    import random

    def make(n: int) -> Request:
        h = dict(headers)
        if spoof:
            h["X-Forwarded-For"] = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        url = base_urls[n % len(base_urls)] + paths[n % len(paths)]
        if put_json is not None:
            return Request("PUT", url, {**h, "Content-Type": "application/json"}, put_json)
        return Request("GET", url, h)

    return make


def xapi_requests(
    base_urls: list[str], identities: list[dict[str, Any]], *, batch: int, base: str, stamp: str, resend_every: int = 0
) -> Callable[[int], Request]:
    """Batches of fresh statements; with ``resend_every`` n, every n-th request re-sends the previous batch to the
    other replica (a phone retrying after a lost answer): it must store nothing twice."""
    import uuid

    previous: list[Request] = []

    def make(n: int) -> Request:
        url = base_urls[n % len(base_urls)] + "/xapi/statements"
        if resend_every and previous and n % resend_every == 0:
            again = previous[-1]
            return Request("POST", url, again.headers, again.body, again.ids)
        who = identities[n % len(identities)]
        parent = f"{base}/activities/{who['code']}/v{who['version']}"
        statements = []
        for i in range(batch):
            sid = str(uuid.uuid4())
            statements.append(
                {
                    "id": sid,
                    "actor": {"objectType": "Agent", "account": {"homePage": base, "name": who["user_id"]}},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed"},
                    "object": {"objectType": "Activity", "id": f"{parent}/{who['keys'][i % len(who['keys'])]}"},
                    "context": {
                        "registration": who["registration"],
                        "contextActivities": {"parent": [{"objectType": "Activity", "id": parent}]},
                    },
                    "result": {"duration": f"PT{30 + i}S"},
                    "timestamp": stamp,
                }
            )
        req = Request(
            "POST",
            url,
            {
                "Authorization": f"Bearer {who['token']}",
                "Content-Type": "application/json",
                "X-Experience-API-Version": "1.0.3",
            },
            json.dumps(statements).encode(),
            [s["id"] for s in statements],
        )
        previous[:] = [req]
        return req

    return make
