"""SCORM runtime SQL: attempts (the CMI data per attempt) and the launches that may commit to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.packages.scorm.schemas import AttemptRow, LaunchRow


async def lock_latest_attempt(conn: asyncpg.Connection, *, enrollment_id: UUID, activity_id: UUID) -> AttemptRow | None:
    """Her latest attempt at the activity, locked until the caller's transaction ends (two launches at once wait for
    each other instead of both opening an attempt)."""
    await conn.execute("SELECT 1 FROM enrollments WHERE id = $1 FOR UPDATE", enrollment_id)
    row = await conn.fetchrow(
        """SELECT id, number, package_id, unit_id, cmi, completion, success, exit, ended_at
           FROM scorm_attempts WHERE enrollment_id = $1 AND activity_id = $2
           ORDER BY number DESC LIMIT 1""",
        enrollment_id,
        activity_id,
    )
    return msgspec.convert(dict(row), AttemptRow) if row else None


async def start_attempt(
    conn: asyncpg.Connection, *, enrollment_id: UUID, activity_id: UUID, package_id: UUID, unit_id: str, number: int
) -> UUID:
    """End the open attempt (it stays as it was) and open attempt ``number``."""
    await conn.execute(
        "UPDATE scorm_attempts SET ended_at = now() WHERE enrollment_id = $1 AND activity_id = $2 AND ended_at IS NULL",
        enrollment_id,
        activity_id,
    )
    return await conn.fetchval(
        """INSERT INTO scorm_attempts (enrollment_id, activity_id, package_id, unit_id, number)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        enrollment_id,
        activity_id,
        package_id,
        unit_id,
        number,
    )


async def insert_launch(
    conn: asyncpg.Connection, *, token_hash: bytes, attempt_id: UUID, entry: str, language: str, expires_at: datetime
) -> None:
    """A new launch of the attempt; an earlier one still open (a tab left behind) takes no more commits, so it
    cannot overwrite what the new one saves."""
    await conn.execute(
        """WITH superseded AS (
               UPDATE scorm_launches SET terminated_at = now() WHERE attempt_id = $2 AND terminated_at IS NULL)
           INSERT INTO scorm_launches (token_hash, attempt_id, entry, language, expires_at)
           VALUES ($1, $2, $3, $4, $5)""",
        token_hash,
        attempt_id,
        entry,
        language,
        expires_at,
    )


_LAUNCH = """SELECT l.entry, l.language, l.initialized_at, l.terminated_at, t.id AS attempt_id, t.number,
                    t.cmi, t.completion, t.success, t.ended_at, e.id AS enrollment_id, e.user_id,
                    u.display_name, c.code, v.version, a.id AS activity_id, a.key AS activity_key,
                    a.title AS activity_title, p.id AS package_id, p.format, pu.unit_id, pu.launch,
                    pu.mastery_score::float8 AS mastery_score, pu.extra
             FROM scorm_launches l
             JOIN scorm_attempts t ON t.id = l.attempt_id
             JOIN enrollments e ON e.id = t.enrollment_id
             JOIN users u ON u.id = e.user_id
             JOIN version_activities a ON a.id = t.activity_id
             JOIN course_versions v ON v.id = a.version_id
             JOIN courses c ON c.id = v.course_id
             JOIN packages p ON p.id = t.package_id
             JOIN package_units pu ON pu.package_id = t.package_id AND pu.unit_id = t.unit_id
             WHERE l.token_hash = $1 AND l.expires_at > now()"""


async def get_launch(conn: asyncpg.Connection, *, token_hash: bytes) -> LaunchRow | None:
    row = await conn.fetchrow(_LAUNCH, token_hash)
    return msgspec.convert(dict(row), LaunchRow) if row else None


async def lock_launch(conn: asyncpg.Connection, *, token_hash: bytes) -> LaunchRow | None:
    """The launch and its attempt, locked for one commit (commits of one attempt are applied one after another)."""
    row = await conn.fetchrow(f"{_LAUNCH} FOR UPDATE OF l, t", token_hash)
    return msgspec.convert(dict(row), LaunchRow) if row else None


async def save_commit(
    conn: asyncpg.Connection,
    *,
    token_hash: bytes,
    attempt_id: UUID,
    cmi: dict[str, Any],
    completion: str,
    success: str,
    exit: str | None,
    terminated: bool,
) -> None:
    """The attempt's CMI data and status as committed; the launch marked initialized, and ended by Terminate."""
    await conn.execute(
        """WITH launch AS (
               UPDATE scorm_launches
               SET initialized_at = coalesce(initialized_at, now()),
                   terminated_at = CASE WHEN $7 THEN now() ELSE terminated_at END
               WHERE token_hash = $1 RETURNING 1)
           UPDATE scorm_attempts
           SET cmi = $3, completion = $4, success = $5, exit = CASE WHEN $7 THEN $6 ELSE exit END, updated_at = now()
           WHERE id = $2 AND EXISTS (SELECT 1 FROM launch)""",
        token_hash,
        attempt_id,
        cmi,
        completion,
        success,
        exit,
        terminated,
    )
