"""Fill a migrated database with a partnership-sized (or statewide) dataset, fast: binary COPY, never row by row.

    python -m infra.bench.dataset --workers 3000 --statements 300000        # LMS_DATABASE_URL, or --database-url

Clinics, union locals, workers and clinic admins; the real starter catalogue published through the same code as
`lms courses publish`; enrolments, xAPI statements and completions; certificates when the credit tables exist.
Only tables that exist in the migrations at the time it runs are filled. It also creates the benchmark's own
identities (API tokens for a few workers, a clinic admin's session) and returns a manifest the load generator reads:
lesson URLs, tokens, enrolments to post statements against, certificate codes.

Rows are made deterministically from ``--seed``, so two runs with the same flags make the same dataset.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import math
import random
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from lms.settings import Settings

VERB_BASE = "http://adlnet.gov/expapi/verbs/"
WORKERS_PER_CLINIC = 500  # a statewide rollout adds clinics of about this size, not ever bigger clinics
BENCH_TOKENS = 64  # workers whose API tokens the load generator posts statements with
CHUNK = 20_000
STREAMS = 2  # COPY streams for the statements: PostgreSQL parses each jsonb on one core per stream
FIRST = [
    "Ana",
    "María",
    "José",
    "Luis",
    "Sam",
    "Mai",
    "Linh",
    "Jordan",
    "Rosa",
    "Carmen",
    "Wei",
    "Tuan",
    "Grace",
    "Elena",
    "Pat",
]
LAST = ["Martínez", "López", "Nguyen", "Lee", "García", "Rivera", "Chen", "Tran", "Hernández", "Santos", "Reyes", "Kim"]
LANGUAGES = ["es", "en", "es", "en", "es", "zh", "vi", "tl"]


@dataclass
class Plan:
    workers: int = 3000
    statements: int = 300_000
    enrollments_per_worker: float = 2.0
    certificates_share: float = 0.3  # of enrolments completed, each with a certificate when the table exists
    seed: int = 8
    public_base_url: str = "http://127.0.0.1:8000"

    @property
    def clinics(self) -> int:
        return max(7, math.ceil(self.workers / WORKERS_PER_CLINIC))


@dataclass
class Manifest:
    """What the load generator needs to know about the dataset."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    public_base_url: str = ""
    lesson_paths: list[str] = field(default_factory=list)
    course_paths: list[str] = field(default_factory=list)
    xapi: list[dict[str, Any]] = field(default_factory=list)  # token, user_id, registration, code, version, keys
    certificate_codes: list[str] = field(default_factory=list)
    admin_cookie: str = ""
    worker_cookie: str = ""
    admin_token: str = ""
    clinic_id: str = ""
    tables: list[str] = field(default_factory=list)
    lrs_basic: str = ""  # an LRS credential's Authorization header (Basic key:secret), reads and writes everything
    document_paths: list[str] = field(default_factory=list)  # a State document of each bench worker

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Manifest:
        return cls(**json.loads(path.read_text()))


def _uuid(rng: random.Random) -> uuid.UUID:
    """A version 4 UUID from the seeded generator (uuid4() would not be reproducible)."""
    value = rng.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (4 << 76)
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)
    return uuid.UUID(int=value)


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def existing_tables(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {r["tablename"] for r in rows}


def _chunks(records: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


async def _copy(conn: asyncpg.Connection, table: str, columns: list[str], records: Iterable[tuple[Any, ...]]) -> int:
    """COPY in chunks so memory stays flat whatever the count."""
    total = 0
    for batch in _chunks(records):
        await conn.copy_records_to_table(table, records=batch, columns=columns)
        total += len(batch)
    return total


async def _copy_parallel(
    url: str, table: str, columns: list[str], records: Iterable[tuple[Any, ...]], streams: int = STREAMS
) -> int:
    """COPY from several connections at once: while one stream's chunk is being written by PostgreSQL, this process
    makes the next chunk for another. Each chunk commits on its own (a fresh benchmark database has nothing to lose)."""
    chunks = _chunks(records)
    total = 0
    probe = await asyncpg.connect(url)
    try:  # a trigger of ours on insert (tgtype bit 4) must run: then keep foreign keys and triggers on
        insert_triggers = await probe.fetchval(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal AND tgtype & 4 <> 0",
            table,
        )
    finally:
        await probe.close()

    async def stream() -> None:
        nonlocal total
        conn = await asyncpg.connect(url)
        try:
            await _fast_session(conn, skip_triggers=insert_triggers == 0)
            for batch in chunks:  # a shared generator: each stream takes the next chunk when it is free
                await conn.copy_records_to_table(table, records=batch, columns=columns)
                total += len(batch)
        finally:
            await conn.close()

    await asyncio.gather(*(stream() for _ in range(streams)))
    return total


async def _fast_session(conn: asyncpg.Connection, *, skip_triggers: bool = False) -> bool:
    """Bulk-load settings for this session only. ``skip_triggers``: foreign-key checks (and every other ordinary
    trigger) are skipped when we may (superuser). Only for the statements: every row is made consistent by
    construction, their checks would cost more than the load itself, and no trigger of ours fires on their insert.
    The other tables keep their triggers (the report tables are kept current by them)."""
    await conn.execute("SET synchronous_commit = off")
    if not skip_triggers:
        return False
    try:
        await conn.execute("SET session_replication_role = replica")
        return True
    except asyncpg.InsufficientPrivilegeError:
        return False


async def generate(
    conn: asyncpg.Connection, plan: Plan, settings: Settings, say: Callable[[str], None] = print
) -> Manifest:
    """Fill an empty, migrated database. ``conn`` must not have the app's JSON codecs (jsonb goes in as text)."""
    from lms.catalog.loader import course_folders, publish_folder
    from lms.db.pool import init_connection

    rng = random.Random(plan.seed)
    tables = await existing_tables(conn)
    if await conn.fetchval("SELECT count(*) FROM users") > 0:
        raise SystemExit("the database already has users: give the dataset an empty, migrated database")
    manifest = Manifest(public_base_url=plan.public_base_url, tables=sorted(tables))
    started = time.perf_counter()

    def lap(name: str, t0: float) -> float:
        manifest.seconds[name] = round(time.perf_counter() - t0, 2)
        return time.perf_counter()

    # The real catalogue, published through the same path as `lms courses publish` (with the app's codecs).
    t = time.perf_counter()
    publisher = await asyncpg.connect(settings.database_url)
    try:
        await init_connection(publisher)
        for folder in course_folders(settings.courses_dir):
            await publish_folder(publisher, folder, settings=settings)
    finally:
        await publisher.close()
    versions = await conn.fetch(
        """SELECT v.id, c.code, v.version, v.title::text AS title,
                  array_agg(a.id ORDER BY a.position) FILTER (WHERE a.kind = 'lesson') AS lesson_ids,
                  array_agg(a.key ORDER BY a.position) FILTER (WHERE a.kind = 'lesson') AS lesson_keys
           FROM course_versions v JOIN courses c ON c.id = v.course_id JOIN version_activities a ON a.version_id = v.id
           WHERE v.status = 'published' GROUP BY v.id, c.code, v.version ORDER BY c.code"""
    )
    if not versions:
        raise SystemExit(f"no course folders in {settings.courses_dir}")
    manifest.course_paths = [f"/courses/{v['code']}" for v in versions]
    manifest.lesson_paths = [f"/courses/{v['code']}/v/{v['version']}/{k}" for v in versions for k in v["lesson_keys"]]
    t = lap("catalogue", t)

    await _fast_session(conn)
    # Clinics and locals.
    clinic_ids = [_uuid(rng) for _ in range(plan.clinics)]
    await _copy(
        conn,
        "clinics",
        ["id", "slug", "name"],
        ((cid, f"clinic-{i:04d}", f"Community Health Center {i:04d}") for i, cid in enumerate(clinic_ids)),
    )
    local_ids = [_uuid(rng) for _ in range(4)]
    await _copy(
        conn,
        "union_locals",
        ["id", "slug", "name"],
        ((lid, f"seiu-bench-{i}", f"SEIU Local {i}") for i, lid in enumerate(local_ids)),
    )

    # Workers, and one clinic admin per clinic. API-only: no password hashes to compute.
    worker_ids = [_uuid(rng) for _ in range(plan.workers)]
    worker_clinic = [clinic_ids[i % plan.clinics] for i in range(plan.workers)]
    admin_ids = [_uuid(rng) for _ in range(plan.clinics)]

    people = {
        wid: (f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}", LANGUAGES[i % len(LANGUAGES)])
        for i, wid in enumerate(worker_ids)
    }

    def users() -> Iterator[tuple[Any, ...]]:
        for i, wid in enumerate(worker_ids):
            name, language = people[wid]
            yield (
                wid,
                f"worker{i:06d}@bench.example.org",
                name,
                "worker",
                worker_clinic[i],
                local_ids[i % 4],
                language,
            )
        for i, aid in enumerate(admin_ids):
            yield (
                aid,
                f"admin{i:04d}@bench.example.org",
                f"Clinic Admin {i}",
                "clinic_admin",
                clinic_ids[i],
                None,
                "en",
            )

    manifest.counts["users"] = await _copy(
        conn, "users", ["id", "email", "display_name", "role", "clinic_id", "local_id", "language"], users()
    )
    manifest.counts["clinics"] = plan.clinics
    t = lap("people", t)

    # The benchmark's own identities: API tokens for some workers, a clinic admin's session and token.
    tokens = [
        f"lmsbench_{plan.seed}_{i:03d}_" + hashlib.sha256(f"{plan.seed}:{i}".encode()).hexdigest()[:24]
        for i in range(BENCH_TOKENS)
    ]
    bench_workers = worker_ids[:BENCH_TOKENS]
    manifest.admin_cookie = "bench-session-" + hashlib.sha256(f"cookie:{plan.seed}".encode()).hexdigest()
    manifest.admin_token = "lmsbench_admin_" + hashlib.sha256(f"admin:{plan.seed}".encode()).hexdigest()[:32]
    manifest.clinic_id = str(clinic_ids[0])
    await _copy(
        conn,
        "api_tokens",
        ["id", "user_id", "token_hash", "label"],
        [(_uuid(rng), uid, _token_hash(tok), "bench") for uid, tok in zip(bench_workers, tokens, strict=False)]
        + [(_uuid(rng), admin_ids[0], _token_hash(manifest.admin_token), "bench")],
    )
    manifest.worker_cookie = "bench-session-" + hashlib.sha256(f"worker:{plan.seed}".encode()).hexdigest()
    await _copy(
        conn,
        "user_sessions",
        ["token_hash", "user_id", "expires_at"],
        [
            (_token_hash(manifest.admin_cookie), admin_ids[0], datetime.now(UTC) + timedelta(days=30)),
            (_token_hash(manifest.worker_cookie), worker_ids[0], datetime.now(UTC) + timedelta(days=30)),
        ],
    )

    if "lrs_documents" in tables:
        await _documents(conn, plan, manifest, bench_workers, admin_ids[0])
    completed: list[tuple[Any, ...]] = []
    if "enrollments" in tables:
        completed = await _learning(
            conn, settings.database_url, plan, rng, manifest, tables, versions, worker_ids, worker_clinic, tokens, lap
        )
    if "certificates" in tables and completed:
        t = time.perf_counter()
        from infra.bench import credit_rows

        manifest.counts["certificates"], manifest.certificate_codes = await credit_rows.fill(
            conn, settings.database_url, rng, completed, people, _copy
        )
        lap("certificates", t)
    t = time.perf_counter()
    # A running service's tables are vacuumed and checkpointed already: do it now, or autovacuum's first pass over
    # millions of freshly copied rows (and the checkpoint after them) would run during the measurements.
    await conn.execute("VACUUM (ANALYZE)")
    try:
        await conn.execute("CHECKPOINT")
    except asyncpg.InsufficientPrivilegeError:
        say("(not allowed to CHECKPOINT here: the first measurements may share the disk with one)")
    lap("vacuum", t)
    manifest.seconds["total"] = round(time.perf_counter() - started, 2)
    say(f"Dataset: {', '.join(f'{v:,} {k}' for k, v in manifest.counts.items())} in {manifest.seconds['total']} s")
    return manifest


async def _documents(conn, plan, manifest, workers, admin_id) -> None:
    """An LRS credential and a resume State document for each bench worker (what a cmi5 or Storyline unit reads and
    writes at every launch), plus the paths the document rows load."""
    key, secret = f"lrs_bench{plan.seed:08d}", hashlib.sha256(f"lrs:{plan.seed}".encode()).hexdigest()[:32]
    await conn.execute(
        "INSERT INTO lrs_clients (key, secret_hash, name, can_read, can_write, created_by) VALUES ($1, $2, 'bench', true, true, $3)",
        key,
        _token_hash(secret),
        admin_id,
    )
    manifest.lrs_basic = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    base = plan.public_base_url.rstrip("/")
    activity = f"{base}/activities/bench-unit"
    content = json.dumps({"bookmark": "slide-12", "suspend_data": "x" * 400}).encode()
    rows = []
    for wid in workers:
        agent = json.dumps({"account": {"homePage": base, "name": str(wid)}}, separators=(",", ":"))
        rows.append(
            (
                "state",
                activity,
                f"account:{base} {wid}",
                uuid.UUID(int=0),
                "resume",
                wid,
                content,
                "application/json",
                '"' + hashlib.sha1(content).hexdigest() + '"',
            )
        )
        manifest.document_paths.append(
            "/xapi/activities/state?"
            + urllib.parse.urlencode({"activityId": activity, "agent": agent, "stateId": "resume"})
        )
    await _copy(
        conn,
        "lrs_documents",
        ["kind", "activity_id", "agent", "registration", "doc_id", "user_id", "content", "content_type", "etag"],
        rows,
    )


async def _learning(
    conn, url, plan, rng, manifest, tables, versions, worker_ids, worker_clinic, tokens, lap
) -> list[tuple[Any, ...]]:
    """Enrolments, statements and completions; returns the completed enrolments (id, user, version row, enrolled at,
    completed at)."""
    t = time.perf_counter()
    base = plan.public_base_url.rstrip("/")
    epoch = datetime(2025, 1, 6, 14, 0, tzinfo=UTC)
    # Enrolments: every worker in one to three of the published courses, spread evenly.
    per_worker = max(1, round(plan.enrollments_per_worker))
    enrollments: list[tuple[uuid.UUID, uuid.UUID, Any, uuid.UUID, datetime]] = []  # id, user, version row, clinic, at
    for i, wid in enumerate(worker_ids):
        n = 1 + (i % (2 * per_worker - 1)) if per_worker > 1 else 1
        for j in range(min(n, len(versions))):
            version = versions[(i + j) % len(versions)]
            enrollments.append((_uuid(rng), wid, version, worker_clinic[i], epoch + timedelta(minutes=i % 100_000)))
    # The first enrolment of each bench worker is what the load posts statements to (they come first in the list).
    first_of: dict[uuid.UUID, tuple[Any, ...]] = {}
    for e in enrollments:
        first_of.setdefault(e[1], e)
    for tok, wid in zip(tokens, worker_ids, strict=False):
        eid, _, version, _, _ = first_of[wid]
        manifest.xapi.append(
            {
                "token": tok,
                "user_id": str(wid),
                "registration": str(eid),
                "code": version["code"],
                "version": version["version"],
                "keys": list(version["lesson_keys"]),
            }
        )

    completed_every = max(1, round(1 / plan.certificates_share)) if plan.certificates_share > 0 else 0
    done_at = {
        e[0]: e[4] + timedelta(days=14)
        for k, e in enumerate(enrollments)
        if completed_every and k % completed_every == 1
    }
    manifest.counts["enrollments"] = await _copy(
        conn,
        "enrollments",
        ["id", "user_id", "version_id", "clinic_id", "enrolled_at", "completed_at"],
        ((eid, uid, v["id"], cid, at, done_at.get(eid)) for eid, uid, v, cid, at in enrollments),
    )
    t = lap("enrollments", t)

    # Statements: launched / progressed / completed on the lessons of each enrolment, round robin over enrolments.
    # Every string that does not change per row is made once: formatting dominates the cost of a row.
    verbs = [VERB_BASE + v for v in ("launched", "progressed", "completed")]
    verb_parts = [f'"verb": {{"id": "{v}"}}, ' for v in verbs]
    completed_result = '{"completion": true, "duration": "PT6M"}'
    tails = ["}", "}", f', "result": {completed_result}}}']
    times = [
        epoch + timedelta(seconds=17 * k) for k in range(20_011)
    ]  # a pool of datetimes: making one per row is slow
    stamps = [f', "timestamp": "{w.isoformat(timespec="milliseconds").replace("+00:00", "Z")}"' for w in times]
    objects = {
        v["id"]: [
            (f"{base}/activities/{v['code']}/v{v['version']}/{k}", aid)
            for k, aid in zip(v["lesson_keys"], v["lesson_ids"], strict=False)
        ]
        for v in versions
    }
    object_parts = {
        vid: [f'"object": {{"objectType": "Activity", "id": "{iri}"}}, ' for iri, _ in objs]
        for vid, objs in objects.items()
    }
    per_enrollment = []
    for eid, uid, v, _, _ in enrollments:
        context = (
            f'{{"registration": "{eid}", "revision": "{v["version"]}", "contextActivities": {{"parent": '
            f'[{{"objectType": "Activity", "id": "{base}/activities/{v["code"]}/v{v["version"]}"}}]}}}}'
        )
        actor = f'", "actor": {{"objectType": "Agent", "account": {{"homePage": "{base}", "name": "{uid}"}}}}, '
        per_enrollment.append(
            (eid, uid, v["id"], objects[v["id"]], object_parts[v["id"]], actor, '"context": ' + context)
        )
    n_enroll = len(enrollments)
    completion_ids: dict[uuid.UUID, str] = {}
    getrandbits = rng.getrandbits
    v4 = (4 << 76) | (0x8000 << 48)
    v4_mask = ~((0xF000 << 64) | (0xC000 << 48))

    def statements() -> Iterator[tuple[Any, ...]]:
        for k in range(plan.statements):
            eid, uid, vid, objs, obj_parts, actor, context_part = per_enrollment[k % n_enroll]
            a = (k // n_enroll) % len(objs)
            vi = (k // (n_enroll * len(objs))) % 3
            h = "%032x" % ((getrandbits(128) & v4_mask) | v4)
            sid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
            ti = k % 20_011
            raw = '{"id": "' + sid + actor + verb_parts[vi] + obj_parts[a] + context_part + stamps[ti] + tails[vi]
            if vi == 2 and eid in done_at:
                completion_ids.setdefault(eid, sid)
            yield (
                sid,
                uid,
                eid,
                verbs[vi],
                objs[a][0],
                objs[a][1],
                completed_result if vi == 2 else None,
                times[ti],
                times[ti],
                raw,
            )

    manifest.counts["statements"] = await _copy_parallel(
        url,
        "statements",
        [
            "id",
            "user_id",
            "enrollment_id",
            "verb",
            "activity_iri",
            "activity_id",
            "result",
            "timestamp",
            "stored",
            "raw",
        ],
        statements(),
    )
    t = lap("statements", t)
    if "completions" in tables:
        manifest.counts["completions"] = await _copy(
            conn,
            "completions",
            ["enrollment_id", "user_id", "version_id", "completed_at", "statement_id"],
            (
                (eid, uid, v["id"], done_at[eid], completion_ids.get(eid) or _uuid(rng))
                for eid, uid, v, _, _ in enrollments
                if eid in done_at
            ),
        )
        lap("completions", t)
    return [(e[0], e[1], e[2], e[4], done_at[e[0]]) for e in enrollments if e[0] in done_at]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.bench.dataset", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers", type=int, default=3000, help="workers (3,000: the partnership; 100,000: statewide)"
    )
    parser.add_argument("--statements", type=int, default=300_000, help="xAPI statements (up to 10 million)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default LMS_DATABASE_URL); it is migrated first"
    )
    parser.add_argument("--manifest", type=Path, default=None, help="write the manifest JSON here")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    url = args.database_url or settings.database_url
    if not url:
        parser.error(
            "set LMS_DATABASE_URL or pass --database-url (or run `python -m infra.bench`, which starts its own)"
        )
    settings = settings.replace(database_url=url)

    async def run() -> Manifest:
        from lms.db.migrate import migrate

        conn = await asyncpg.connect(url)
        try:
            await migrate(conn)
            return await generate(
                conn,
                Plan(
                    workers=args.workers,
                    statements=args.statements,
                    seed=args.seed,
                    public_base_url=settings.public_base_url,
                ),
                settings,
            )
        finally:
            await conn.close()

    manifest = asyncio.run(run())
    if args.manifest:
        manifest.save(args.manifest)
    json.dump({"counts": manifest.counts, "seconds": manifest.seconds}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
