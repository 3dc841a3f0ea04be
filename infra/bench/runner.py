"""`python -m infra.bench`: one command, one table.

Starts an embedded PostgreSQL and SeaweedFS under /tmp on free ports (or uses LMS_DATABASE_URL / LMS_S3_*), makes a
dataset, serves the floor and `lms` side by side with the production server, warms each endpoint up, loads it from
wrk (a second process) at 32 connections between two short loads of the floor, and prints requests/s, the ratio to
the floor of that minute, p50, p99 and errors against the targets. ``--scale`` adds the 3,000 vs 100,000 workers
comparison, ``--replicas 2`` the two-replica statement run, ``--servers granian,uvicorn`` the server comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from infra.bench import cpu, load, servers
from infra.bench.dataset import Manifest, Plan, generate
from infra.bench.stack import fresh_database, running_stack
from lms.server import DEFAULT_SERVER, SERVERS
from lms.settings import Settings

TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0
TARGET_INGEST = 5000
TARGET_RSS_MB = 200
TARGET_SCALE = 1.3
XAPI_BATCH = 50  # the ingest-throughput row: a sync of a day's offline work, or a busy cmi5 player
PHONE_BATCH = 5  # the latency row: what the lesson player's queue sends after a lesson or two


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    spoof: bool = False  # a different X-Forwarded-For per request (public lookups are rate limited per client IP)
    xapi: int = 0  # statements per POST /xapi/statements batch (0: a GET)
    put: bool = False  # PUT a JSON document to each path (lua/documents.lua) instead of GET
    ingest_target: bool = False  # must store TARGET_INGEST statements/s
    p99_target: bool = True  # must answer 99% within TARGET_P99_MS
    ratio_target: bool = False  # must reach TARGET_RATIO of the floor's requests/s
    hot: bool = False  # compared in --scale
    browser: bool = True  # sends the CSRF cookie a browser keeps after its first page (API clients do not)


def available_routes(settings: Settings) -> set[str]:
    from lms.app import create_app

    return {route.path for route in create_app(settings).routes}


def endpoints(manifest: Manifest, routes: set[str]) -> list[Endpoint]:
    spanish = {"Accept-Language": "es"}
    found = [
        Endpoint("catalogue page (es)", ["/"], spanish, hot=True),
        Endpoint("course page (es)", manifest.course_paths, spanish),
        Endpoint("lesson page (es)", manifest.lesson_paths, spanish, ratio_target=True, hot=True),
        Endpoint(
            "lesson page, signed-in worker",
            manifest.lesson_paths,
            {**spanish, "Cookie": f"lms_session={manifest.worker_cookie}"},
        ),
    ]
    if "/xapi/statements" in routes and manifest.xapi:
        found.append(
            Endpoint(
                f"xAPI POST, {PHONE_BATCH} statements/batch",
                ["/xapi/statements"],
                xapi=PHONE_BATCH,
                hot=True,
                browser=False,
            )
        )
        # Throughput, not latency: 32 connections with 50 statements each keep 1,600 statements queued at the server.
        found.append(
            Endpoint(
                f"xAPI POST, {XAPI_BATCH} statements/batch",
                ["/xapi/statements"],
                xapi=XAPI_BATCH,
                hot=True,
                browser=False,
                ingest_target=True,
                p99_target=False,
            )
        )
    if "/xapi/activities/state" in routes and manifest.document_paths:
        lrs = {"Authorization": manifest.lrs_basic, "X-Experience-API-Version": "1.0.3"}
        found.append(Endpoint("xAPI State document GET", manifest.document_paths, lrs, browser=False))
        found.append(Endpoint("xAPI State document PUT", manifest.document_paths, lrs, browser=False, put=True))
    verify = next((r for r in routes if r.startswith("/api/v1/certificates/{")), None)
    if verify and manifest.certificate_codes:
        found.append(
            Endpoint(
                "certificate verification JSON",
                [f"/api/v1/certificates/{c}" for c in manifest.certificate_codes],
                spoof=True,
                ratio_target=True,
                hot=True,
                browser=False,
            )
        )
    admin = {"Cookie": f"lms_session={manifest.admin_cookie}"}
    if "/clinic/credit" in routes:
        found.append(Endpoint("clinic dashboard (/clinic/credit)", ["/clinic/credit"], admin, hot=True))
    if "/reports/clinics/{clinic_id:uuid}" in routes:
        found.append(
            Endpoint(
                "clinic report (/reports/clinics/{id})", [f"/reports/clinics/{manifest.clinic_id}"], admin, hot=True
            )
        )
    return found


class Loader:
    """Runs one endpoint's load with wrk (or the Python fallback) and keeps the files wrk's scripts read."""

    def __init__(
        self,
        work: Path,
        manifest: Manifest,
        *,
        connections: int,
        seconds: float,
        warmup: float,
        use_wrk: bool,
        name: str = "small",
    ) -> None:
        self.work, self.manifest = work / name, manifest
        self.work.mkdir(exist_ok=True)  # each dataset's loader its own files: the --scale run has two side by side
        self.connections, self.seconds, self.warmup, self.use_wrk = connections, seconds, warmup, use_wrk
        base = manifest.public_base_url.rstrip("/")
        self.identities = self.work / "xapi-identities.tsv"
        self.identities.write_text(
            "".join(
                f"{x['token']}\t{x['user_id']}\t{x['registration']}\t{base}\t{base}/activities/{x['code']}/v{x['version']}\t"
                + ",".join(f"{base}/activities/{x['code']}/v{x['version']}/{k}" for k in x["keys"])
                + "\n"
                for x in manifest.xapi
            )
        )
        self.stamp = (
            (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        self.app_pids: set[int] = set()  # whose CPU counts as the app's in a result's split

    def _paths_file(self, endpoint: Endpoint) -> Path:
        path = self.work / ("paths-" + "".join(ch if ch.isalnum() else "-" for ch in endpoint.name) + ".txt")
        path.write_text("\n".join(endpoint.paths) + "\n")
        return path

    def run(self, endpoint: Endpoint, base_url: str, *, warm: bool = True, seconds: float | None = None) -> load.Result:
        if endpoint.browser:
            endpoint = _with_csrf_cookie(endpoint, base_url)
        if warm and self.warmup > 0:
            self._once(endpoint, base_url, self.warmup)
        before = cpu.snapshot(self.app_pids)
        result = self._once(endpoint, base_url, seconds or self.seconds)
        result.cpu_ms = cpu.per_request_ms(before, cpu.snapshot(self.app_pids), result.requests, result.seconds)
        return result

    def _once(self, endpoint: Endpoint, base_url: str, seconds: float) -> load.Result:
        items = endpoint.xapi or 1
        if self.use_wrk:
            if endpoint.xapi:
                args = [str(self.identities), str(endpoint.xapi), secrets.token_hex(4), self.stamp]
                return load.run_wrk(
                    endpoint.name,
                    base_url,
                    script="xapi.lua",
                    args=args,
                    connections=self.connections,
                    seconds=seconds,
                    items_per_request=items,
                )
            args = [str(self._paths_file(endpoint))] + (["spoof"] if endpoint.spoof else [])
            return load.run_wrk(
                endpoint.name,
                base_url,
                script="documents.lua" if endpoint.put else "paths.lua",
                args=args,
                connections=self.connections,
                seconds=seconds,
                headers=endpoint.headers,
            )
        if endpoint.xapi:
            make = load.xapi_requests(
                [base_url],
                self.manifest.xapi,
                batch=endpoint.xapi,
                base=self.manifest.public_base_url.rstrip("/"),
                stamp=self.stamp,
            )
        else:
            make = load.get_requests(
                [base_url],
                endpoint.paths,
                endpoint.headers,
                spoof=endpoint.spoof,
                put_json=b'{"bookmark":"slide-13"}' if endpoint.put else None,
            )
        return load.run_python(
            endpoint.name, make, connections=self.connections, seconds=seconds, items_per_request=items
        )


_csrf_cookies: dict[str, str] = {}


def _with_csrf_cookie(endpoint: Endpoint, base_url: str) -> Endpoint:
    """Browsers send back the CSRF cookie the first page set; wrk would otherwise get a new one on every request."""
    import urllib.request
    from dataclasses import replace

    if base_url not in _csrf_cookies:
        with urllib.request.urlopen(base_url + "/", timeout=10) as response:
            cookies = [
                h.split(";")[0] for h in response.headers.get_all("set-cookie") or [] if h.startswith("lms_csrf=")
            ]
        _csrf_cookies[base_url] = cookies[0] if cookies else ""
    headers = dict(endpoint.headers)
    cookie = "; ".join(c for c in (headers.get("Cookie", ""), _csrf_cookies[base_url]) if c)
    if cookie:
        headers["Cookie"] = cookie
    return replace(endpoint, headers=headers)


@dataclass
class ServerRun:
    server: str
    floor: load.Result
    results: list[tuple[Endpoint, load.Result]]
    rss_mb: list[float]
    # Each endpoint's floor: the floor's requests/s measured just before and just after it, averaged.
    adjacent_floor: dict[str, float] = field(default_factory=dict)

    def floor_rps(self, name: str) -> float:
        return self.adjacent_floor.get(name) or self.floor.rps or 1.0


def measure_server(
    server: str, settings: Settings, loader: Loader, eps: list[Endpoint], *, workers: int, logs: Path
) -> ServerRun:
    """The floor, then each endpoint between two short measurements of the floor (the floor's server stays up, idle
    while the app is loaded). A ratio is read against the floor of the same minute: this machine's speed drifts by
    10 to 25 % over a run, as much as the margins the ratios are judged by."""
    say(f"[{server}] floor ...")
    floor_ep = Endpoint("floor", ["/floor"], browser=False)
    bracket = max(2.0, loader.seconds / 2)
    floor_proc = servers.start(
        "floor", servers.FLOOR_FACTORY, settings, server=server, workers=workers, log_dir=logs, ready_path="/floor"
    )
    try:
        loader.app_pids = floor_proc.pids()
        floor = loader.run(floor_ep, floor_proc.base_url)
        app = servers.start(
            "app",
            servers.APP_FACTORY,
            settings,
            server=server,
            workers=workers,
            log_dir=logs,
            ready_path="/health/live",
        )
        results, adjacent = [], {}
        try:
            loader.app_pids = app.pids()  # the endpoints' CPU split (the floor's short loads use only requests/s)
            before = loader.run(floor_ep, floor_proc.base_url, warm=False, seconds=bracket).rps
            for endpoint in eps:
                say(f"[{server}] {endpoint.name} ...")
                results.append((endpoint, loader.run(endpoint, app.base_url)))
                if endpoint.xapi:
                    settle(settings.database_url)
                after = loader.run(floor_ep, floor_proc.base_url, warm=False, seconds=bracket).rps
                adjacent[endpoint.name], before = (before + after) / 2, after
            rss = app.worker_rss_mb()
        finally:
            app.stop()
    finally:
        floor_proc.stop()
    return ServerRun(server, floor, results, rss, adjacent)


def settle(*database_urls: str) -> None:
    """After a statement endpoint: vacuum and analyze what it wrote (a few hundred thousand rows in 10 s) and
    checkpoint, so that clean-up is not measured as the next endpoint's latency. In service, autovacuum spreads the
    same work over a day's steady trickle of statements."""

    async def run() -> None:
        for url in database_urls:
            conn = await asyncpg.connect(url)
            try:
                await conn.execute("VACUUM (ANALYZE) statements")
                try:
                    await conn.execute("CHECKPOINT")
                except asyncpg.InsufficientPrivilegeError:  # a server of someone else's: its own checkpoints
                    pass
            finally:
                await conn.close()

    asyncio.run(run())


# ---------------------------------------------------------------- printing


def _mark(ok: bool) -> str:
    return "yes" if ok else "NO"


def table(run: ServerRun, *, workers: int, connections: int) -> str:
    head = f"{'endpoint':<38} {'req/s':>8} {'x floor':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  target"
    lines = [f"server {run.server}, {workers} worker process(es), {connections} connections", head, "-" * len(head)]

    def row(name: str, r: load.Result, target: str) -> str:
        return f"{name:<38} {r.rps:>8.0f} {r.rps / run.floor_rps(name):>8.2f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>7}  {target}"

    lines.append(
        row(
            "floor: bare Litestar + 1 asyncpg query",
            run.floor,
            f"p99 < {TARGET_P99_MS:.0f} ms: {_mark(run.floor.p99_ms < TARGET_P99_MS)}",
        )
    )
    for endpoint, r in run.results:
        floor_rps = run.floor_rps(endpoint.name)
        checks = [f"no errors: {_mark(r.errors == 0)}"]
        if endpoint.p99_target:
            checks.insert(0, f"p99 < {TARGET_P99_MS:.0f} ms: {_mark(r.p99_ms < TARGET_P99_MS)}")
        if endpoint.ratio_target:
            checks.insert(0, f">= {TARGET_RATIO}x floor: {_mark(r.rps >= TARGET_RATIO * floor_rps)}")
        if endpoint.ingest_target:
            checks.insert(
                0,
                f"{r.items_per_second:,.0f} statements/s >= {TARGET_INGEST:,}: {_mark(r.items_per_second >= TARGET_INGEST)}",
            )
        lines.append(row(endpoint.name, r, "; ".join(checks)))
    if run.adjacent_floor:
        lines.append(
            f"x floor: against the floor's requests/s just before and after each endpoint "
            f"({min(run.adjacent_floor.values()):,.0f} to {max(run.adjacent_floor.values()):,.0f} in this run)"
        )
    top = max(run.rss_mb) if run.rss_mb else 0.0
    lines.append(
        f"worker RSS after the load (VmRSS): {', '.join(f'{x:.0f} MB' for x in run.rss_mb)}; "
        f"target < {TARGET_RSS_MB} MB: {_mark(0 < top < TARGET_RSS_MB)}"
    )
    return "\n".join(lines) + "\n\n" + cpu_table(run)


def cpu_table(run: ServerRun) -> str:
    """Where each endpoint's CPU went: what to cut to answer faster at a fixed number of connections."""
    head = (
        f"{'CPU per request, ms':<38} "
        + " ".join(f"{side:>10}" for side in cpu.SIDES)
        + f" {'idle %':>7} {'steal %':>7}"
    )
    lines = [head, "-" * len(head)]
    for name, r in [("floor", run.floor)] + [(e.name, r) for e, r in run.results]:
        if r.cpu_ms:
            lines.append(
                f"{name:<38} "
                + " ".join(f"{r.cpu_ms[side]:>10.2f}" for side in cpu.SIDES)
                + f" {r.cpu_ms['idle %']:>7.0f} {r.cpu_ms['steal %']:>7.0f}"
            )
    return "\n".join(lines)


def server_comparison(runs: list[ServerRun]) -> str:
    names = ["floor"] + [e.name for e, _ in runs[0].results]
    head = f"{'endpoint':<38} " + " ".join(f"{r.server + ' req/s':>15} {'p99 ms':>7}" for r in runs)
    lines = ["servers compared (same dataset, same workers)", head, "-" * len(head)]
    for name in names:
        cells = []
        for run in runs:
            r = run.floor if name == "floor" else {e.name: x for e, x in run.results}[name]
            cells.append(f"{r.rps:>15.0f} {r.p99_ms:>7.1f}")
        lines.append(f"{name:<38} " + " ".join(cells))
    return "\n".join(lines)


def scale_table(
    pairs: list[tuple[Endpoint, load.Result, load.Result]], small: int, big: int, big_statements: int
) -> str:
    head = (
        f"{'hot endpoint':<38} {f'p50 {small:,}':>11} {f'p50 {big:,}':>12} {'ratio':>6} "
        f"{f'p99 {small:,}':>11} {f'p99 {big:,}':>12} {'ratio':>6} {'errors':>9}  target p50 ratio <= {TARGET_SCALE}, no errors"
    )
    lines = [
        f"scale: {small:,} vs {big:,} workers ({big_statements:,} statements), same server, both running, measured "
        "alternately twice (best of two each)",
        head,
        "-" * len(head),
    ]
    for endpoint, a, b in pairs:
        r50 = b.p50_ms / a.p50_ms if a.p50_ms else 0.0
        r99 = b.p99_ms / a.p99_ms if a.p99_ms else 0.0
        lines.append(
            f"{endpoint.name:<38} {a.p50_ms:>11.1f} {b.p50_ms:>12.1f} {r50:>6.2f} {a.p99_ms:>11.1f} {b.p99_ms:>12.1f} "
            f"{r99:>6.2f} {f'{a.errors}/{b.errors}':>9}  {_mark(r50 <= TARGET_SCALE and a.errors == 0 and b.errors == 0)}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- the pieces of a run


async def make_dataset(admin_url: str, name: str, settings: Settings, plan: Plan) -> tuple[Settings, Manifest]:
    from lms.db.migrate import migrate

    url = await fresh_database(admin_url, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        ready = settings.replace(database_url=url)
        manifest = await generate(conn, plan, ready, say=say)
    finally:
        await conn.close()
    return ready, manifest


async def _count_stored(url: str, ids: list[str]) -> tuple[int, int]:
    conn = await asyncpg.connect(url)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM statements WHERE id = ANY($1::uuid[])", ids)
        total = await conn.fetchval("SELECT count(*) FROM statements")
    finally:
        await conn.close()
    return stored, total


def replica_run(
    settings: Settings,
    manifest: Manifest,
    *,
    replicas: int,
    server: str,
    workers: int,
    connections: int,
    seconds: float,
    logs: Path,
) -> str:
    """Two (or more) service processes, one PostgreSQL, one S3 store: statements through each in turn, some batches
    sent again to the other replica (a phone retrying after a lost answer). Nothing may fail or be stored twice."""
    _, before = asyncio.run(_count_stored(settings.database_url, []))
    procs = [
        servers.start(
            f"replica{i + 1}",
            servers.APP_FACTORY,
            settings,
            server=server,
            workers=workers,
            log_dir=logs,
            ready_path="/health/live",
        )
        for i in range(replicas)
    ]
    try:
        stamp = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        make = load.xapi_requests(
            [p.base_url for p in procs],
            manifest.xapi,
            batch=XAPI_BATCH,
            base=manifest.public_base_url.rstrip("/"),
            stamp=stamp,
            resend_every=5,
        )
        say(f"[replicas] statements through {replicas} replicas in turn ...")
        result = load.run_python(
            "xAPI through replicas", make, connections=connections, seconds=seconds, items_per_request=XAPI_BATCH
        )
    finally:
        for p in procs:
            p.stop()
    distinct = sorted(set(result.sent_ids))
    stored, after = asyncio.run(_count_stored(settings.database_url, distinct))
    ok = result.errors == 0 and stored == len(distinct) and after - before == len(distinct)
    return "\n".join(
        [
            f"replicas: {replicas} service processes ({server}, {workers} worker(s) each), one PostgreSQL, one S3 store; "
            f"Python load generator, {connections} connections, requests alternating between replicas, every 5th re-sending the previous batch",
            f"  requests {result.requests:,} ({result.rps:,.0f}/s), statuses {result.statuses}, errors {result.errors}",
            f"  statement ids accepted {len(result.sent_ids):,} (with re-sends), distinct {len(distinct):,}; "
            f"stored with those ids {stored:,}; rows added {after - before:,}",
            f"  no errors and no duplicates: {_mark(ok)}",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=3000, help="workers in the dataset (default 3,000)")
    parser.add_argument("--statements", type=int, default=300_000, help="statements in the dataset (default 300,000)")
    parser.add_argument("--scale", action="store_true", help="also compare the hot endpoints with a statewide dataset")
    parser.add_argument("--scale-workers", type=int, default=100_000)
    parser.add_argument("--scale-statements", type=int, default=10_000_000)
    parser.add_argument("--servers", default=DEFAULT_SERVER, help=f"comma-separated, from {', '.join(SERVERS)}")
    parser.add_argument(
        "--app-workers", type=int, default=2, help="worker processes of the app and of the floor (default 2)"
    )
    parser.add_argument("--replicas", type=int, default=0, help="also run the statement load through N replicas (2)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before each measurement")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is there")
    parser.add_argument("--only", default="", help="comma-separated words: run only endpoints whose name has one")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the embedded servers' data under /tmp")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.servers.split(",") if s.strip()]
    if any(s not in SERVERS for s in chosen):
        parser.error(f"--servers: choose from {', '.join(SERVERS)}")
    import importlib.util

    if "granian" in chosen and importlib.util.find_spec("granian") is None:
        parser.error("--servers granian: install it first (.venv/bin/pip install granian)")

    started = time.monotonic()
    use_wrk = not args.python_load and load.ensure_wrk(say) is not None
    work = Path(tempfile.mkdtemp(prefix="lms-bench-run-", dir="/tmp"))
    loadavg = Path("/proc/loadavg").read_text().split()[:3]
    report: list[str] = [
        f"lms benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {_cpus()} CPU(s), load average before start {' '.join(loadavg)}; "
        f"load from {'wrk' if use_wrk else 'the Python generator'} on 127.0.0.1, {args.seconds:g} s per endpoint after {args.warmup:g} s warm-up",
    ]
    figures: dict[str, Any] = {}
    with running_stack(keep=args.keep, say=say) as stack:
        admin_url = stack.database_url
        settings, manifest = asyncio.run(
            make_dataset(admin_url, "lms_bench_small", stack, Plan(workers=args.workers, statements=args.statements))
        )
        report.append(
            f"dataset: {', '.join(f'{v:,} {k}' for k, v in manifest.counts.items() if not k.startswith('_'))}; "
            f"made in {manifest.seconds['total']:.1f} s (statements {manifest.seconds.get('statements', 0):.1f} s)"
        )
        routes = available_routes(settings)
        eps = endpoints(manifest, routes)
        if args.only:
            words = [w.strip().lower() for w in args.only.split(",")]
            eps = [e for e in eps if any(w in e.name.lower() for w in words)]
        loader = Loader(
            work, manifest, connections=args.connections, seconds=args.seconds, warmup=args.warmup, use_wrk=use_wrk
        )
        runs = [measure_server(s, settings, loader, eps, workers=args.app_workers, logs=work) for s in chosen]
        for run in runs:
            report.append(table(run, workers=args.app_workers, connections=args.connections))
            figures[run.server] = {
                "floor": _fig(run.floor),
                "rss_mb": run.rss_mb,
                **{e.name: {**_fig(r), "floor_rps": round(run.floor_rps(e.name), 1)} for e, r in run.results},
            }
        if len(runs) > 1:
            report.append(server_comparison(runs))

        if args.scale:
            say(f"[scale] making the {args.scale_workers:,}-worker dataset ({args.scale_statements:,} statements) ...")
            big_settings, big_manifest = asyncio.run(
                make_dataset(
                    admin_url,
                    "lms_bench_big",
                    stack,
                    Plan(workers=args.scale_workers, statements=args.scale_statements),
                )
            )
            report.append(
                f"scale dataset: {', '.join(f'{v:,} {k}' for k, v in big_manifest.counts.items() if not k.startswith('_'))}; "
                f"made in {big_manifest.seconds['total']:.1f} s (statements {big_manifest.seconds.get('statements', 0):.1f} s)"
            )
            big_loader = Loader(
                work,
                big_manifest,
                connections=args.connections,
                seconds=args.seconds,
                warmup=args.warmup,
                use_wrk=use_wrk,
                name="big",
            )
            small_app = servers.start(
                "app-small",
                servers.APP_FACTORY,
                settings,
                server=chosen[0],
                workers=args.app_workers,
                log_dir=work,
                ready_path="/health/live",
            )
            big_app = servers.start(
                "app-big",
                servers.APP_FACTORY,
                big_settings,
                server=chosen[0],
                workers=args.app_workers,
                log_dir=work,
                ready_path="/health/live",
            )
            pairs = []
            try:
                big_eps = {e.name: e for e in endpoints(big_manifest, routes)}
                for endpoint in [e for e in eps if e.hot]:
                    say(f"[scale] {endpoint.name} ...")
                    # Alternating, twice, best of each: other work on the machine then hits both sides alike.
                    small_runs, big_runs = [], []
                    for _ in range(2):
                        small_runs.append(loader.run(endpoint, small_app.base_url))
                        big_runs.append(big_loader.run(big_eps[endpoint.name], big_app.base_url))
                    pairs.append(
                        (endpoint, min(small_runs, key=lambda r: r.p50_ms), min(big_runs, key=lambda r: r.p50_ms))
                    )
                    if endpoint.xapi:
                        settle(settings.database_url, big_settings.database_url)
            finally:
                small_app.stop()
                big_app.stop()
            report.append(scale_table(pairs, args.workers, args.scale_workers, args.scale_statements))
            figures["scale"] = {e.name: {"small": _fig(a), "big": _fig(b)} for e, a, b in pairs}

        if args.replicas > 1:
            if not manifest.xapi:
                report.append("replicas: skipped (no xAPI statements endpoint yet)")
            else:
                report.append(
                    replica_run(
                        settings,
                        manifest,
                        replicas=args.replicas,
                        server=chosen[0],
                        workers=1,
                        connections=args.connections,
                        seconds=args.seconds,
                        logs=work,
                    )
                )
    report.append(f"whole run: {time.monotonic() - started:.0f} s")
    print("\n\n".join(report))
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)  # server logs and wrk's input files
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


def _fig(r: load.Result) -> dict[str, float]:
    return {
        "rps": round(r.rps, 1),
        "p50_ms": round(r.p50_ms, 2),
        "p99_ms": round(r.p99_ms, 2),
        "errors": r.errors,
        "per_second": round(r.items_per_second, 1),
        "cpu_ms": {k: round(v, 3) for k, v in r.cpu_ms.items()},
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))
