"""cmi5 SQL: the AUs of a package, registrations, sessions and their credentials, and what each AU has done."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.packages.cmi5.schemas import AuRow, SessionRow

_AU = """SELECT p.id AS package_id, p.s3_prefix, p.manifest -> 'course' ->> 'id' AS course_publisher_id, u.position,
                u.unit_id, u.launch, coalesce(u.move_on, 'NotApplicable') AS move_on,
                u.mastery_score::float8 AS mastery_score, u.launch_parameters, u.entitlement_key,
                coalesce(ARRAY(SELECT jsonb_array_elements_text(u.extra -> 'blocks')), '{}') AS blocks
         FROM packages p JOIN package_units u ON u.package_id = p.id
         WHERE p.format = 'cmi5'"""


async def au(
    conn: asyncpg.Connection, *, package_id: UUID, unit_id: str | None = None, index: int | None = None
) -> AuRow | None:
    """One AU of a cmi5 package, by its id or by its place in cmi5.xml (0 first)."""
    row = await conn.fetchrow(
        f"{_AU} AND p.id = $1 AND ($2::text IS NULL OR u.unit_id = $2) AND ($3::int IS NULL OR u.position = $3 + 1)",
        package_id,
        unit_id,
        index,
    )
    return msgspec.convert(dict(row), AuRow) if row else None


async def aus(conn: asyncpg.Connection, *, package_id: UUID) -> list[AuRow]:
    rows = await conn.fetch(f"{_AU} AND p.id = $1 ORDER BY u.position", package_id)
    return [msgspec.convert(dict(r), AuRow) for r in rows]


async def locked_registration(conn: asyncpg.Connection, registration_id: UUID) -> Any:
    return await conn.fetchrow(
        """SELECT id, package_id, actor, actor_key, user_id, enrollment_id FROM cmi5_registrations
           WHERE id = $1 FOR UPDATE""",
        registration_id,
    )


async def registration_of_enrollment(conn: asyncpg.Connection, *, enrollment_id: UUID, package_id: UUID) -> UUID | None:
    return await conn.fetchval(
        "SELECT id FROM cmi5_registrations WHERE enrollment_id = $1 AND package_id = $2", enrollment_id, package_id
    )


async def insert_registration(
    conn: asyncpg.Connection,
    *,
    registration_id: UUID,
    package_id: UUID,
    actor: dict[str, Any],
    actor_key: str,
    user_id: UUID | None,
    enrollment_id: UUID | None,
) -> None:
    await conn.execute(
        """INSERT INTO cmi5_registrations (id, package_id, actor, actor_key, user_id, enrollment_id)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        registration_id,
        package_id,
        actor,
        actor_key,
        user_id,
        enrollment_id,
    )


async def insert_session(
    conn: asyncpg.Connection,
    *,
    session_id: UUID,
    registration_id: UUID,
    unit_id: str,
    activity_id: str,
    version_activity_id: UUID | None,
    launch_mode: str,
    launch_url: str,
    fetch_hash: bytes,
) -> None:
    await conn.execute(
        """INSERT INTO cmi5_sessions (id, registration_id, unit_id, activity_id, version_activity_id, launch_mode,
                                      launch_url, fetch_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        session_id,
        registration_id,
        unit_id,
        activity_id,
        version_activity_id,
        launch_mode,
        launch_url,
        fetch_hash,
    )


async def open_sessions(
    conn: asyncpg.Connection,
    *,
    registration_id: UUID | None = None,
    session_id: UUID | None = None,
    seen_before: datetime | None = None,
) -> list[Any]:
    """Sessions neither terminated nor abandoned (of a registration, one session, or quiet since a time), locked."""
    return await conn.fetch(
        """SELECT s.id, s.registration_id, s.unit_id, s.activity_id, s.launched_at FROM cmi5_sessions s
           WHERE s.terminated_at IS NULL AND s.abandoned_at IS NULL
             AND ($1::uuid IS NULL OR s.registration_id = $1) AND ($2::uuid IS NULL OR s.id = $2)
             AND ($3::timestamptz IS NULL OR s.last_seen_at < $3)
           ORDER BY s.launched_at LIMIT 500 FOR UPDATE SKIP LOCKED""",
        registration_id,
        session_id,
        seen_before,
    )


async def mark_abandoned(conn: asyncpg.Connection, session_ids: list[UUID]) -> None:
    await conn.execute("UPDATE cmi5_sessions SET abandoned_at = now() WHERE id = ANY($1::uuid[])", session_ids)


async def session_by_fetch(conn: asyncpg.Connection, fetch_hash: bytes) -> Any:
    return await conn.fetchrow(
        """SELECT id, fetched_at, terminated_at, abandoned_at FROM cmi5_sessions WHERE fetch_hash = $1 FOR UPDATE""",
        fetch_hash,
    )


async def set_credential(conn: asyncpg.Connection, *, session_id: UUID, key: str, secret_hash: bytes) -> None:
    await conn.execute(
        "UPDATE cmi5_sessions SET fetched_at = now(), credential_key = $2, secret_hash = $3 WHERE id = $1",
        session_id,
        key,
        secret_hash,
    )


async def grant_row(conn: asyncpg.Pool | asyncpg.Connection, *, key: str, secret_hash: bytes) -> Any:
    """The live session a credential belongs to (not terminated, not abandoned)."""
    return await conn.fetchrow(
        """SELECT s.id AS session_id, s.credential_key AS key, r.actor_key, r.id AS registration, s.activity_id,
                  r.user_id
           FROM cmi5_sessions s JOIN cmi5_registrations r ON r.id = s.registration_id
           WHERE s.credential_key = $1 AND s.secret_hash = $2 AND s.terminated_at IS NULL AND s.abandoned_at IS NULL""",
        key,
        secret_hash,
    )


async def locked_session(conn: asyncpg.Connection, session_id: UUID) -> SessionRow | None:
    """A session with its registration, AU and results, locked for the statements being judged."""
    row = await conn.fetchrow(
        """SELECT s.id, s.registration_id, s.unit_id, s.activity_id, s.version_activity_id, s.launch_mode,
                  s.prefs_read_at IS NOT NULL AS prefs_read, s.initialized_at IS NOT NULL AS initialized,
                  s.terminated_at IS NOT NULL AS terminated, s.failed, r.package_id, r.actor, r.actor_key,
                  r.enrollment_id, u.mastery_score::float8 AS mastery_score,
                  coalesce(x.completed_at IS NOT NULL, false) AS completed, coalesce(x.passed_at IS NOT NULL, false) AS passed
           FROM cmi5_sessions s
           JOIN cmi5_registrations r ON r.id = s.registration_id
           JOIN package_units u ON u.package_id = r.package_id AND u.unit_id = s.unit_id
           LEFT JOIN cmi5_unit_results x ON x.registration_id = s.registration_id AND x.unit_id = s.unit_id
           WHERE s.id = $1 FOR UPDATE OF s""",
        session_id,
    )
    return msgspec.convert(dict(row), SessionRow) if row else None


async def save_session(
    conn: asyncpg.Connection, *, session_id: UUID, initialized: bool, terminated: bool, failed: bool
) -> None:
    await conn.execute(
        """UPDATE cmi5_sessions SET last_seen_at = now(), failed = $4,
                  initialized_at = CASE WHEN $2 THEN coalesce(initialized_at, now()) END,
                  terminated_at = CASE WHEN $3 THEN coalesce(terminated_at, now()) END
           WHERE id = $1""",
        session_id,
        initialized,
        terminated,
        failed,
    )


async def mark_prefs_read(conn: asyncpg.Connection, session_id: UUID) -> None:
    await conn.execute(
        "UPDATE cmi5_sessions SET prefs_read_at = coalesce(prefs_read_at, now()), last_seen_at = now() WHERE id = $1",
        session_id,
    )


async def save_results(
    conn: asyncpg.Connection,
    *,
    registration_id: UUID,
    unit_id: str,
    completed: bool,
    passed: bool,
    satisfied: bool = False,
    waived_reason: str | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO cmi5_unit_results AS x (registration_id, unit_id, completed_at, passed_at, satisfied_at, waived_reason)
           VALUES ($1, $2, CASE WHEN $3 THEN now() END, CASE WHEN $4 THEN now() END, CASE WHEN $5 THEN now() END, $6)
           ON CONFLICT (registration_id, unit_id) DO UPDATE SET
               completed_at = coalesce(x.completed_at, EXCLUDED.completed_at),
               passed_at = coalesce(x.passed_at, EXCLUDED.passed_at),
               satisfied_at = coalesce(x.satisfied_at, EXCLUDED.satisfied_at),
               waived_reason = coalesce(x.waived_reason, EXCLUDED.waived_reason)""",
        registration_id,
        unit_id,
        completed,
        passed,
        satisfied,
        waived_reason,
    )


async def satisfied_units(conn: asyncpg.Connection, registration_id: UUID) -> set[str]:
    rows = await conn.fetch(
        "SELECT unit_id FROM cmi5_unit_results WHERE registration_id = $1 AND satisfied_at IS NOT NULL", registration_id
    )
    return {r["unit_id"] for r in rows}


async def add_satisfied_nodes(conn: asyncpg.Connection, registration_id: UUID, node_ids: list[str]) -> list[str]:
    """Record blocks ('' the course) as satisfied; return those recorded now (each is said once)."""
    rows = await conn.fetch(
        """INSERT INTO cmi5_satisfied_nodes (registration_id, node_id) SELECT $1, n FROM unnest($2::text[]) n
           ON CONFLICT DO NOTHING RETURNING node_id""",
        registration_id,
        node_ids,
    )
    return [r["node_id"] for r in rows]


async def registration_by_id(conn: asyncpg.Connection, registration_id: UUID) -> Any:
    return await conn.fetchrow(
        "SELECT id, package_id, actor, enrollment_id FROM cmi5_registrations WHERE id = $1 FOR UPDATE", registration_id
    )


async def version_activity_of(
    conn: asyncpg.Connection, *, enrollment_id: UUID, package_id: UUID, unit_id: str
) -> UUID | None:
    """The package activity of the enrolment's version that shows this AU (in any language)."""
    return await conn.fetchval(
        """SELECT a.id FROM enrollments e
           JOIN version_activities a ON a.version_id = e.version_id AND a.kind = 'package'
           JOIN version_activity_packages vp ON vp.activity_id = a.id
           WHERE e.id = $1 AND vp.package_id = $2 AND vp.unit_id = $3 LIMIT 1""",
        enrollment_id,
        package_id,
        unit_id,
    )


async def activity_of(conn: asyncpg.Connection, *, code: str, version: int, key: str) -> Any:
    """A course version's activity (id and kind) by its key."""
    return await conn.fetchrow(
        """SELECT a.id, a.kind FROM version_activities a JOIN course_versions v ON v.id = a.version_id
           JOIN courses c ON c.id = v.course_id WHERE c.code = $1 AND v.version = $2 AND a.key = $3""",
        code,
        version,
        key,
    )
