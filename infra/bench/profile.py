"""Where a request's CPU goes, without a server or a load generator in the way.

    .venv/bin/python -m infra.bench.profile                       # every hot endpoint: ms of CPU per request
    .venv/bin/python -m infra.bench.profile --only lesson --top 25  # + the functions that cost most (cProfile)

Send stderr to /dev/null: at the production log level each request writes its JSON line there.
A dataset made as the benchmark makes it (300 workers unless --workers), the app from `lms.app.create_app`, called through ASGI directly
with the headers a browser or the load generator sends. Use it to see what a change buys before running the full
benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from infra.bench.asgi_call import call
from infra.bench.dataset import Plan
from infra.bench.load import Request, xapi_requests
from infra.bench.runner import make_dataset
from infra.bench.stack import running_stack

_TICK = os.sysconf("SC_CLK_TCK")


class _GcPauses:
    """Collections per generation while measuring, and the longest pause of each: what lands on a request's p99."""

    def __init__(self) -> None:
        self.count, self.longest, self._start = [0, 0, 0], [0.0, 0.0, 0.0], 0.0
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            generation = info["generation"]
            self.count[generation] += 1
            self.longest[generation] = max(self.longest[generation], (time.perf_counter() - self._start) * 1000)

    def stop(self) -> None:
        gc.callbacks.remove(self._seen)

    def __str__(self) -> str:
        return ", ".join(
            f"generation {g}: {n} (longest {ms:.1f} ms)"
            for g, (n, ms) in enumerate(zip(self.count, self.longest, strict=False))
        )


def _postgres_seconds(pgdata: Path) -> float:
    """CPU seconds of this run's PostgreSQL: its postmaster and every process it started (backends, WAL writer,
    checkpointer; the ended ones are counted in the postmaster's cutime). Other PostgreSQL servers on the machine apart."""
    try:
        postmaster = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return 0.0
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(entry.name) == postmaster or int(fields[1]) == postmaster:
            total += sum(int(f) for f in fields[11:15])
    return total / _TICK


class _SqlLog:
    """The SQL commands sent while it is on: each one is a round trip to PostgreSQL (BEGIN and COMMIT included)."""

    def __init__(self) -> None:
        self.sent: list[str] | None = None
        self._originals = {name: getattr(asyncpg.Connection, name) for name in ("execute", "_execute", "executemany")}
        for name, original in self._originals.items():
            setattr(asyncpg.Connection, name, self._logged(original))

    def _logged(self, original: Callable[..., Any]) -> Callable[..., Any]:
        log = self

        async def logged(conn: asyncpg.Connection, query: str, *args: Any, **kwargs: Any) -> Any:
            # execute() with arguments goes on to _execute(): counted there
            if log.sent is not None and not (original.__name__ == "execute" and args):
                log.sent.append(" ".join(query.split()))
            return await original(conn, query, *args, **kwargs)

        return logged

    def stop(self) -> None:
        for name, original in self._originals.items():
            setattr(asyncpg.Connection, name, original)


def _post(req: Request) -> tuple[str, str, dict[str, str], bytes]:
    return req.method, req.url, dict(req.headers), req.body or b""


async def _run(args: argparse.Namespace) -> None:
    from infra.bench.floor import create_floor_app
    from lms.app import create_app

    with running_stack(say=lambda m: None) as base:
        settings, manifest = await make_dataset(
            base.database_url, "lms_profile", base, Plan(workers=args.workers, statements=args.workers * 100)
        )
        settings = settings.replace(log_level=args.log_level, log_format="json")
        app, floor_app = create_app(settings), create_floor_app(settings)
        base_url = manifest.public_base_url.rstrip("/")
        spanish = {"accept-language": "es", "host": "127.0.0.1:8000", "user-agent": "bench"}
        async with app.lifespan():
            # Browsers send back the CSRF cookie their first page set (as the benchmark's load does).
            _, _, headers = await call(app, "GET", "/", dict(spanish))
            csrf = next(
                v.decode().split(";")[0] for k, v in headers if k == b"set-cookie" and v.startswith(b"lms_csrf=")
            )
        spanish["cookie"] = csrf
        # The same batches the benchmark's Python load generator sends (fresh ids, one identity).
        stamp = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        xapi5, xapi50 = (xapi_requests([""], manifest.xapi[:1], batch=n, base=base_url, stamp=stamp) for n in (5, 50))
        cases: dict[str, Callable[[int], tuple[str, str, dict[str, str], bytes]]] = {
            "floor": lambda i: ("GET", "/floor", {}, b""),  # infra/bench/floor.py: bare Litestar, one query
            "health": lambda i: ("GET", "/health/live", {}, b""),  # the app's middleware, no query
            "catalogue": lambda i: ("GET", "/", spanish, b""),
            "course": lambda i: ("GET", manifest.course_paths[i % len(manifest.course_paths)], spanish, b""),
            "lesson": lambda i: ("GET", manifest.lesson_paths[i % len(manifest.lesson_paths)], spanish, b""),
            "lesson-worker": lambda i: (
                "GET",
                manifest.lesson_paths[i % len(manifest.lesson_paths)],
                {**spanish, "cookie": f"{csrf}; lms_session={manifest.worker_cookie}"},
                b"",
            ),
            "verification": lambda i: (
                "GET",
                f"/api/v1/certificates/{manifest.certificate_codes[i % len(manifest.certificate_codes)]}",
                {"x-client": f"10.0.{i // 250 % 250}.{i % 250}"},
                b"",
            ),
            "xapi": lambda i: _post(xapi50(i)),
            "xapi-phone": lambda i: _post(xapi5(i)),
            "clinic-credit": lambda i: (
                "GET",
                "/clinic/credit",
                {"cookie": f"{csrf}; lms_session={manifest.admin_cookie}"},
                b"",
            ),
            "clinic-report": lambda i: (
                "GET",
                f"/reports/clinics/{manifest.clinic_id}",
                {"cookie": f"{csrf}; lms_session={manifest.admin_cookie}"},
                b"",
            ),
        }
        chosen = [c for c in cases if not args.only or any(o in c for o in args.only.split(","))]
        pgdata = base.data_dir / "postgres"
        sql_log = _SqlLog() if args.sql else None
        async with app.lifespan(), floor_app.lifespan():
            for name in chosen:
                make, target = cases[name], floor_app if name == "floor" else app
                for i in range(args.warm):
                    status, body, _ = await call(target, *make(i))
                    if status >= 400:
                        raise SystemExit(f"{name}: {status} {body[:300]!r}")
                if sql_log is not None:
                    sql_log.sent = []
                    await call(target, *make(args.warm))
                    print(f"{name}: {len(sql_log.sent)} SQL command(s) in one request")
                    for sql in sql_log.sent:
                        print(f"    {sql[: args.sql]}")
                    sql_log.sent = None
                # CPU time, not wall time: what other processes on the machine take does not land on our functions
                profiler = cProfile.Profile(time.process_time) if args.top else None
                pauses = _GcPauses()
                cpu = wall = postgres = float("inf")
                for round_ in range(args.rounds):  # the least of several rounds: other work on the machine only adds
                    # Made before the clock starts: building a batch (ids, JSON) is the client's work, not the app's.
                    requests = [make(args.warm + (round_ * args.requests) + i) for i in range(args.requests)]
                    start_cpu, start, start_pg = time.process_time(), time.perf_counter(), _postgres_seconds(pgdata)
                    if profiler:
                        profiler.enable()
                    for request in requests:
                        await call(target, *request)
                    if profiler:
                        profiler.disable()
                    cpu = min(cpu, (time.process_time() - start_cpu) / args.requests * 1000)
                    wall = min(wall, (time.perf_counter() - start) / args.requests * 1000)
                    postgres = min(postgres, (_postgres_seconds(pgdata) - start_pg) / args.requests * 1000)
                pauses.stop()
                print(
                    f"{name:15} {cpu:7.3f} ms CPU  {wall:7.3f} ms wall per request; PostgreSQL {postgres:6.3f} ms CPU"
                )
                print(f"{'':15} garbage collector: {pauses}")
                if profiler:
                    stats = pstats.Stats(profiler).sort_stats(args.sort)
                    stats.print_stats(args.top)
                    if args.callers:
                        stats.print_callers(args.callers)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated names: floor, health, catalogue, course, lesson, lesson-worker, verification, xapi, xapi-phone, clinic-credit, clinic-report",
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--workers", type=int, default=300, help="workers in the dataset (100 statements each); the benchmark has 3,000"
    )
    parser.add_argument("--warm", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1, help="measure this many times and print the least")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions (cProfile) per endpoint")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument(
        "--sql",
        type=int,
        default=0,
        help="print the SQL commands (round trips) of one request, each cut to N characters",
    )
    parser.add_argument("--callers", default="", help="with --top: also who called the functions matching this pattern")
    parser.add_argument(
        "--log-level", default="INFO", help="INFO (production: one JSON line per request, on stderr) or WARNING"
    )
    asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
