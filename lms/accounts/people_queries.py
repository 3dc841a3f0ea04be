"""The SQL of looking after people (lms/accounts/people.py) and of roster imports (lms/accounts/roster.py). Who may
touch whom sits in each statement's WHERE: a clinic admin only her own clinic's people, a program admin anyone."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg


async def admin_clinic(conn: asyncpg.Connection, *, role: str, clinic_id: UUID | None, slug: str | None) -> Any | None:
    """The clinic (id, slug) an admin acts on: her own (clinic admins), or the one named by ``slug`` (program
    admins); None for anyone else or no such clinic."""
    return await conn.fetchrow(
        "SELECT id, slug FROM clinics WHERE ($1::text = 'clinic_admin' AND id = $2) OR ($1::text = 'program_admin' AND slug = $3)",
        role,
        clinic_id,
        slug,
    )


async def set_roster_id(conn: asyncpg.Connection, *, user_id: UUID, roster_id: str) -> None:
    await conn.execute("UPDATE users SET roster_id = $2 WHERE id = $1", user_id, roster_id)


async def deactivate_user(conn: asyncpg.Connection, *, user_id: UUID, admin: Any) -> UUID | None:
    """Deactivate the active person if this admin may (never herself); her id, or None."""
    done: UUID | None = await conn.fetchval(
        """UPDATE users SET active = false, deactivated_at = now()
           WHERE id = $1 AND active AND id <> $4
             AND ($2::text = 'program_admin' OR ($2::text = 'clinic_admin' AND clinic_id = $3 AND role = 'worker'))
           RETURNING id""",
        user_id,
        admin.role,
        admin.clinic_id,
        admin.id,
    )
    return done


async def person_whose_role_admin_may_change(conn: asyncpg.Connection, *, user_id: UUID, admin: Any) -> UUID | None:
    """The active person's id if this admin may change her role (never her own), else None."""
    visible: UUID | None = await conn.fetchval(
        """SELECT id FROM users WHERE id = $1 AND id <> $4 AND active
             AND ($2::text = 'program_admin' OR ($2::text = 'clinic_admin' AND clinic_id = $3
                  AND role IN ('worker', 'clinic_admin')))""",
        user_id,
        admin.role,
        admin.clinic_id,
        admin.id,
    )
    return visible


async def set_role(conn: asyncpg.Connection, *, user_id: UUID, role: str) -> None:
    """Raises ``CheckViolationError`` for a worker or clinic admin without a clinic."""
    await conn.execute("UPDATE users SET role = $2 WHERE id = $1", user_id, role)


async def roster_emails_in_use(
    conn: asyncpg.Connection, *, clinic_id: UUID, lines: list[int], roster_ids: list[str], emails: list[str | None]
) -> list[Any]:
    """For each roster line whose email an account already has: the line, the email, and whether that account is the
    same worker (this clinic, this roster number)."""
    return await conn.fetch(
        """SELECT x.line, x.email, u.clinic_id = $1 AND u.roster_id = x.roster_id AS same_worker
           FROM unnest($2::int[], $3::text[], $4::text[]) AS x(line, roster_id, email)
           JOIN users u ON u.email = x.email""",
        clinic_id,
        lines,
        roster_ids,
        emails,
    )


async def count_roster_workers(conn: asyncpg.Connection, *, clinic_id: UUID, roster_ids: list[str]) -> int:
    """How many of these roster numbers the clinic already has a worker for."""
    found: int = await conn.fetchval(
        "SELECT count(*) FROM users WHERE clinic_id = $1 AND roster_id = ANY($2::text[])",
        clinic_id,
        roster_ids,
    )
    return found


async def write_roster_lines(
    conn: asyncpg.Connection,
    *,
    clinic_id: UUID,
    roster_ids: list[str],
    names: list[str],
    emails: list[str | None],
    phones: list[str | None],
    languages: list[str],
    usernames: list[str],
) -> int:
    """Add or update every worker in one statement, known by the clinic's roster number: the generated sign-in name is
    given only to a worker without email, and a sign-in name she already has stays. How many rows were written."""
    written: int = await conn.fetchval(
        """WITH written AS (
               INSERT INTO users (clinic_id, roster_id, display_name, email, phone, language, username, role)
               SELECT $1, x.roster_id, x.name, x.email, x.phone, x.language,
                      CASE WHEN x.email IS NULL THEN x.username END, 'worker'
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                    AS x(roster_id, name, email, phone, language, username)
               ON CONFLICT (clinic_id, roster_id) WHERE roster_id IS NOT NULL DO UPDATE
                   SET display_name = EXCLUDED.display_name, email = EXCLUDED.email,
                       phone = coalesce(EXCLUDED.phone, users.phone), language = EXCLUDED.language,
                       username = coalesce(users.username, EXCLUDED.username)
               RETURNING 1)
           SELECT count(*) FROM written""",
        clinic_id,
        roster_ids,
        names,
        emails,
        phones,
        languages,
        usernames,
    )
    return written
