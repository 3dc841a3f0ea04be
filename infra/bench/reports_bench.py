"""Dashboard timings at the issue's scale: 100,000 workers and 10 million xAPI statements.

    .venv/bin/python infra/bench/reports_bench.py [--workers 100000] [--statements 10000000] [--keep]

Starts a throwaway embedded PostgreSQL (data under /tmp, free port), migrates it, loads the data with COPY (the
report triggers run on the enrolment, completion, certificate and attendance COPYs, as they would in service; the
statement COPY skips foreign-key checks, which dashboards never read anyway), then runs the dashboard code paths
(lms.reports.service and friends) several times each and prints median and worst timings. Not a test: a report.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lms.accounts.schemas import CurrentUser  # noqa: E402
from lms.db.migrate import migrate  # noqa: E402
from lms.db.pool import init_connection  # noqa: E402
from lms.embedded import start_embedded  # noqa: E402
from lms.embedded.ports import free_port  # noqa: E402
from lms.settings import Settings  # noqa: E402

TRACKS = ("MA", "DA", "CHW", "EHR", "CE")
LANGUAGES = (("en", 45), ("es", 45), ("zh", 4), ("vi", 3), ("tl", 3))
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERBS = (
    "http://adlnet.gov/expapi/verbs/launched",
    "http://adlnet.gov/expapi/verbs/progressed",
    "http://adlnet.gov/expapi/verbs/completed",
)
CHUNK = 250_000
rnd = random.Random(7)


def say(message: str) -> None:
    print(message, flush=True)


def uid() -> uuid.UUID:
    return uuid.UUID(bytes=rnd.randbytes(16), version=4)


def cert_code(n: int) -> str:
    out = []
    for _ in range(10):
        n, r = divmod(n, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[r])
    return "".join(out)


async def copy(conn: asyncpg.Connection, table: str, columns: list[str], rows: Iterator[tuple], *, label: str) -> int:
    """COPY in chunks; returns the row count."""
    started, total, batch = time.perf_counter(), 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            await conn.copy_records_to_table(table, records=batch, columns=columns)
            total += len(batch)
            batch = []
    if batch:
        await conn.copy_records_to_table(table, records=batch, columns=columns)
        total += len(batch)
    say(f"  {label:<28} {total:>11,} rows in {time.perf_counter() - started:6.1f} s")
    return total


# ---------------------------------------------------------------- the data set


async def load(conn: asyncpg.Connection, *, workers: int, statements: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    clinics = [(uid(), f"clinic-{i:02d}", f"Clinic {i:02d}") for i in range(20)]
    locals_ = [
        (uid(), slug, name)
        for slug, name in (
            ("seiu-521", "SEIU 521"),
            ("seiu-721", "SEIU 721"),
            ("seiu-1021", "SEIU 1021"),
            ("seiu-uhw", "SEIU-UHW"),
        )
    ]
    await conn.copy_records_to_table("clinics", records=clinics, columns=["id", "slug", "name"])
    await conn.copy_records_to_table("union_locals", records=locals_, columns=["id", "slug", "name"])
    admin = uid()
    await conn.execute(
        "INSERT INTO users (id, email, display_name, role) VALUES ($1, 'admin@bench.org', 'Admin', 'program_admin')",
        admin,
    )

    # ten courses, two per track: four lessons, a quiz, and (MA, DA, CHW) an in-person session
    courses: list[dict[str, Any]] = []
    for track in TRACKS:
        for k in range(2):
            course_id, version_id = uid(), uid()
            code = f"{track}-BENCH-{k + 1}"
            await conn.execute(
                "INSERT INTO courses (id, code, track, draft) VALUES ($1, $2, $3, '{}')", course_id, code, track
            )
            await conn.execute(
                """INSERT INTO course_versions (id, course_id, version, languages, title, summary, total_minutes,
                                                min_attendance_share, content)
                   VALUES ($1, $2, 1, '{en,es}', $3, '{}', 240, 0.8, '{}')""",
                version_id,
                course_id,
                {"en": f"Course {code}", "es": f"Curso {code}"},
            )
            await conn.execute(
                "INSERT INTO version_modules (version_id, position, key, title) VALUES ($1, 1, 'm1', '{}')", version_id
            )
            kinds = ["lesson"] * 4 + ["quiz"] + (["in_person"] if track in ("MA", "DA", "CHW") else [])
            activities = []
            for p, kind in enumerate(kinds):
                activity = uid()
                await conn.execute(
                    """INSERT INTO version_activities (id, version_id, module_key, position, key, kind, minutes, title)
                       VALUES ($1, $2, 'm1', $3, $4, $5, $6, '{}')""",
                    activity,
                    version_id,
                    p,
                    f"a{p}",
                    kind,
                    120 if kind == "in_person" else 25,
                )
                activities.append((activity, kind))
            courses.append({"version_id": version_id, "track": track, "code": code, "activities": activities})

    say("Loading (COPY):")
    worker_rows = []
    weights = [w for _, w in LANGUAGES]
    for i in range(workers):
        worker_rows.append(
            (
                uid(),
                f"w{i}@bench.org",
                f"Worker {i:06d}",
                "worker",
                rnd.choice(clinics)[0],
                rnd.choice(locals_)[0] if rnd.random() < 0.9 else None,
                rnd.choices([c for c, _ in LANGUAGES], weights)[0],
            )
        )
    await copy(
        conn,
        "users",
        ["id", "email", "display_name", "role", "clinic_id", "local_id", "language"],
        iter(worker_rows),
        label="workers",
    )

    enrollments: list[tuple] = []
    for w in worker_rows:
        for course in rnd.sample(courses, rnd.randint(1, 5)):
            enrolled = now - timedelta(days=rnd.uniform(0, 730))
            done = enrolled + timedelta(days=rnd.uniform(1, 60)) if rnd.random() < 0.65 else None
            if done and done > now:
                done = None
            enrollments.append((uid(), w[0], course["version_id"], w[4], enrolled, done, course))
    started = time.perf_counter()
    await copy(
        conn,
        "enrollments",
        ["id", "user_id", "version_id", "clinic_id", "enrolled_at", "completed_at"],
        (e[:6] for e in enrollments),
        label="enrollments (+ triggers)",
    )
    completed = [e for e in enrollments if e[5] is not None]
    await copy(
        conn,
        "completions",
        ["enrollment_id", "user_id", "version_id", "completed_at", "statement_id"],
        ((e[0], e[1], e[2], e[5], uid()) for e in completed),
        label="completions (+ triggers)",
    )

    def certificates() -> Iterator[tuple]:
        for n, e in enumerate(completed):
            course = e[6]
            minutes = 100 + (120 if course["track"] in ("MA", "DA", "CHW") else 0)
            facts = {
                "code": cert_code(n),
                "track": course["track"],
                "course_code": course["code"],
                "contact_minutes": minutes,
                "completed_on": e[5].date().isoformat(),
                "credits": [
                    {
                        "body": "IACET",
                        "credit": round(minutes / 600, 1),
                        "live_credit": 0,
                        "non_live_credit": round(minutes / 600, 1),
                        "approval_category": None,
                    },
                    {
                        "body": "DBC" if course["track"] == "DA" else "CCBMA",
                        "credit": round(minutes / 60, 1),
                        "live_credit": 2 if minutes > 100 else 0,
                        "non_live_credit": round(minutes / 60, 1) - (2 if minutes > 100 else 0),
                        "approval_category": None,
                    },
                ],
            }
            yield (uid(), cert_code(n), e[0], e[1], e[2], "en", e[5], e[5] + timedelta(minutes=1), facts, n)

    await copy(
        conn,
        "certificates",
        [
            "id",
            "code",
            "enrollment_id",
            "user_id",
            "version_id",
            "language",
            "completed_at",
            "issued_at",
            "facts",
            "status_index",
        ],
        certificates(),
        label="certificates (+ triggers)",
    )
    await conn.execute("SELECT setval('certificate_status_index', $1)", len(completed))

    # in-person sessions and attendance for enrolments in courses with an in-person part
    instructor = uid()
    await conn.execute(
        "INSERT INTO users (id, email, display_name, role) VALUES ($1, 'ivy@bench.org', 'Ivy', 'instructor')",
        instructor,
    )
    sessions: dict[uuid.UUID, list[tuple]] = {}
    session_rows = []
    for course in courses:
        for activity, kind in course["activities"]:
            if kind != "in_person":
                continue
            for _ in range(150):
                start = now - timedelta(days=rnd.uniform(0, 730))
                row = (
                    uid(),
                    activity,
                    start,
                    start + timedelta(hours=2),
                    rnd.choice(clinics)[0],
                    "Room 1",
                    40,
                    "es",
                    instructor,
                )
                session_rows.append(row)
                sessions.setdefault(course["version_id"], []).append(row)
    await copy(
        conn,
        "inperson_sessions",
        ["id", "activity_id", "starts_at", "ends_at", "clinic_id", "room", "capacity", "language", "instructor_id"],
        iter(session_rows),
        label="in-person sessions",
    )
    await copy(
        conn,
        "attendance",
        ["session_id", "user_id", "enrollment_id", "arrived_at", "left_at", "minutes", "recorded_by", "method"],
        (
            (s[0], e[1], e[0], s[2], s[3], 120, instructor, "qr")
            for e in completed
            if e[2] in sessions
            for s in [rnd.choice(sessions[e[2]])]
        ),
        label="attendance (+ triggers)",
    )
    say(f"  {'learning records, total':<28} {'':>11} {time.perf_counter() - started:6.1f} s")

    # the statement log: ~33 statements per enrolment, foreign-key checks off for this COPY only
    per = max(1, statements // len(enrollments))
    extra = statements - per * len(enrollments)

    def statement_rows() -> Iterator[tuple]:
        for i, e in enumerate(enrollments):
            lessons = [a for a, k in e[6]["activities"] if k == "lesson"]
            for j in range(per + (1 if i < extra else 0)):
                activity = lessons[j % len(lessons)]
                ts = e[4] + timedelta(minutes=5 * j)
                verb = VERBS[j % 3]
                yield (
                    uid(),
                    e[1],
                    e[0],
                    verb,
                    f"https://lms.example/xapi/activities/{activity}",
                    activity,
                    ts,
                    b'{"actor":{"account":{"homePage":"https://lms.example","name":"%s"}},"verb":{"id":"%s"}}'
                    % (str(e[1]).encode(), verb.encode()),
                )

    await conn.execute("SET session_replication_role = replica")
    await copy(
        conn,
        "statements",
        ["id", "user_id", "enrollment_id", "verb", "activity_iri", "activity_id", "timestamp", "raw"],
        statement_rows(),
        label="statements",
    )
    await conn.execute("SET session_replication_role = DEFAULT")

    # worker voice, renewals, and a big audit log
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    responses = []
    for e in rnd.sample(completed, min(40_000, len(completed))):
        responses.append(
            (
                uid(),
                survey_id,
                e[2],
                e[6]["track"],
                rnd.choice(clinics)[0],
                rnd.choice(locals_)[0],
                rnd.choice(["en", "es"]),
                e[5].date(),
            )
        )
    await copy(
        conn,
        "survey_responses",
        ["id", "survey_id", "version_id", "track", "clinic_id", "local_id", "language", "submitted_on"],
        iter(responses),
        label="survey responses",
    )
    await copy(
        conn,
        "survey_answers",
        ["response_id", "question_key", "score", "comment"],
        (
            (r[0], key, rnd.randint(1, 5), None)
            for r in responses
            for key in ("relevance", "schedule", "language", "instructor")
        ),
        label="survey answers",
    )
    await copy(
        conn,
        "worker_credentials",
        ["user_id", "credential", "cycle_start"],
        (
            (
                w[0],
                rnd.choice(["RDA", "CHW", "CCBMA_CMA", "AAMA_CMA"]),
                (now - timedelta(days=rnd.uniform(0, 1800))).date(),
            )
            for w in worker_rows
            if rnd.random() < 0.3
        ),
        label="worker credentials",
    )
    await conn.execute("SET session_replication_role = replica")  # no foreign-key check per audit row
    actions = ("course.publish", "certificate.revoke", "user.role_changed", "report.exported", "clinic.credit_lookup")
    await copy(
        conn,
        "audit_log",
        ["actor_id", "action", "subject", "at", "detail"],
        (
            (admin, rnd.choice(actions), f"s{i}", now - timedelta(seconds=1_000_000 - i), {"n": i})
            for i in range(1_000_000)
        ),
        label="audit log",
    )
    await conn.execute("SET session_replication_role = DEFAULT")
    say("ANALYZE ...")
    await conn.execute("ANALYZE")
    return {"admin": admin, "clinic": clinics[3][0], "local": locals_[1][0], "enrollments": len(enrollments)}


# ---------------------------------------------------------------- the timings


async def timed(
    conn: asyncpg.Connection, label: str, work: Callable[[], Awaitable[Any]], runs: int = 5
) -> tuple[str, float, float]:
    async def once() -> None:
        # As the service runs them, in a transaction; rolled back, as the clinic dashboard writes an audit row and the
        # log stays as loaded.
        tr = conn.transaction()
        await tr.start()
        try:
            await work()
        finally:
            await tr.rollback()

    await once()  # warm: plans cached, pages in memory, as in a running service
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await once()
        times.append((time.perf_counter() - started) * 1000)
    return label, statistics.median(times), max(times)


async def measure(conn: asyncpg.Connection, facts: dict[str, Any]) -> list[tuple[str, float, float]]:
    from lms.reports import dashboards, queries, service
    from lms.reports.schemas import Filters

    admin = CurrentUser(
        id=facts["admin"],
        email="admin@bench.org",
        display_name="Admin",
        role="program_admin",
        clinic_id=None,
        local_id=None,
        language="en",
    )
    options = await queries.filter_options(conn)
    default = dashboards.parse_filters()
    two_years = dashboards.parse_filters(start=(date.today() - timedelta(days=730)).isoformat())
    filtered = Filters(start=default.start, end=default.end, local_id=facts["local"], language="es")
    by_track = Filters(start=two_years.start, end=two_years.end, track="EHR", clinic_id=facts["clinic"])
    mid_id = await conn.fetchval("SELECT max(id) / 2 FROM audit_log")
    results = []

    results.append(
        await timed(
            conn,
            "program dashboard, last 12 months (all figures, targets, survey)",
            lambda: service.program_dashboard(conn, filters=default, options=options),
        )
    )
    results.append(
        await timed(
            conn,
            "program dashboard, 24 months",
            lambda: service.program_dashboard(conn, filters=two_years, options=options),
        )
    )
    results.append(
        await timed(
            conn,
            "program dashboard, local + language filter",
            lambda: service.program_dashboard(conn, filters=filtered, options=options),
        )
    )
    results.append(
        await timed(
            conn,
            "program dashboard, track + clinic, 24 months",
            lambda: service.program_dashboard(conn, filters=by_track, options=options),
        )
    )
    results.append(
        await timed(
            conn,
            "  figures only (GROUPING SETS over report_daily)",
            lambda: queries.figures(conn, default, bucket="month", clinic_names={}),
        )
    )
    results.append(await timed(conn, "  targets only", lambda: queries.target_progress(conn)))
    results.append(await timed(conn, "  filter options", lambda: queries.filter_options(conn)))
    results.append(
        await timed(
            conn,
            "clinic dashboard (first 50 workers, renewals, survey)",
            lambda: service.clinic_dashboard(
                conn, viewer=admin, clinic_id=facts["clinic"], filters=default, after=None, options=options
            ),
        )
    )
    results.append(
        await timed(
            conn,
            "  clinic workers CSV (every worker of the clinic)",
            lambda: queries.clinic_workers(conn, clinic_id=facts["clinic"], after=None, limit=None),
        )
    )
    results.append(
        await timed(
            conn,
            "  renewals due in 90 days",
            lambda: service.renewals_due(conn, clinic_id=facts["clinic"], today=date.today()),
        )
    )
    results.append(await timed(conn, "audit log, newest page", lambda: queries.audit_entries(conn, limit=50)))
    results.append(
        await timed(
            conn, "audit log, by action", lambda: queries.audit_entries(conn, action="certificate.revoke", limit=50)
        )
    )
    results.append(
        await timed(
            conn,
            "audit log, by actor, deep page (keyset)",
            lambda: queries.audit_entries(conn, actor_email="admin@bench.org", before=mid_id, limit=50),
        )
    )
    results.append(
        await timed(
            conn, "report_rebuild() (lms reports refresh)", lambda: conn.execute("SELECT report_rebuild()"), runs=1
        )
    )
    return results


async def facts_of(conn: asyncpg.Connection) -> dict[str, Any]:
    """What the timings need from a data set loaded earlier (--reuse)."""
    row = await conn.fetchrow(
        """SELECT (SELECT id FROM users WHERE email = 'admin@bench.org') AS admin, (SELECT id FROM clinics WHERE slug = 'clinic-03') AS clinic,
                  (SELECT id FROM union_locals WHERE slug = 'seiu-721') AS local"""
    )
    return dict(row)


async def main_async(args: argparse.Namespace) -> None:
    reuse = args.reuse is not None
    data_dir = Path(args.reuse) if reuse else Path(tempfile.mkdtemp(prefix="lms-reports-bench-", dir="/tmp"))
    os.chmod(data_dir, 0o755)  # the embedded PostgreSQL runs as its own user when we are root
    settings = Settings(
        data_dir=data_dir, embedded_pg_port=free_port(), seed_demo=False, secret_key="bench-" + "x" * 40
    )
    servers = start_embedded(settings, store=False, say=say)
    try:
        admin_url = servers.settings.database_url
        if not reuse:
            admin = await asyncpg.connect(admin_url)
            await admin.execute("CREATE DATABASE reports_bench")
            await admin.close()
        url = admin_url.rsplit("/", 1)[0] + "/reports_bench"
        conn = await asyncpg.connect(url)
        await init_connection(conn)
        await migrate(conn)
        # COPY is binary: jsonb in its binary form (a version byte, then the text), decoded the same way as in service
        await conn.set_type_codec(
            "jsonb",
            schema="pg_catalog",
            format="binary",
            encoder=lambda v: b"\x01" + (v if isinstance(v, bytes) else msgspec.json.encode(v)),
            decoder=lambda b: msgspec.json.decode(b[1:]),
        )
        await conn.set_type_codec(
            "json", schema="pg_catalog", format="binary", encoder=msgspec.json.encode, decoder=msgspec.json.decode
        )
        started = time.perf_counter()
        facts = await facts_of(conn) if reuse else await load(conn, workers=args.workers, statements=args.statements)
        sizes = await conn.fetchrow(
            """SELECT (SELECT count(*) FROM users WHERE role = 'worker') AS workers, (SELECT count(*) FROM statements) AS statements,
                      (SELECT count(*) FROM enrollments) AS enrollments, (SELECT count(*) FROM certificates) AS certificates,
                      (SELECT count(*) FROM report_daily) AS daily_rows, (SELECT count(*) FROM report_worker_tracks) AS worker_tracks,
                      pg_size_pretty(pg_database_size(current_database())) AS size"""
        )
        say(f"Loaded in {time.perf_counter() - started:.0f} s: {dict(sizes)}")
        say("")
        say(f"{'query':<68} {'median ms':>10} {'worst ms':>10}")
        for label, median, worst in await measure(conn, facts):
            say(f"{label:<68} {median:>10.1f} {worst:>10.1f}")
        await conn.close()
    finally:
        servers.stop()
        if not (args.keep or reuse):
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            say(f"Data kept in {data_dir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the data directory under /tmp")
    parser.add_argument(
        "--reuse", metavar="DIR", help="time the queries on a data directory kept by an earlier --keep run"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
