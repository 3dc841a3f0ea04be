"""SQL of the programs' standards: read by everyone who runs the programs, changed by program admins only (the
controller's guard; these tables hold no one's records)."""

from __future__ import annotations

import asyncpg
import msgspec

from lms.programs.standards.schemas import Cap, ProgramStandard, Requirement, Standards


async def standards(conn: asyncpg.Connection) -> Standards:
    caps = await conn.fetch("SELECT year, cap_cents FROM tuition_caps ORDER BY year")
    requirements = await conn.fetch(
        "SELECT role_key, board, name, required_hours FROM supervision_requirements ORDER BY role_key, board"
    )
    programs = await conn.fetch(
        "SELECT key, name, model, ojt_hours, ri_hours, journeyworker_cents FROM apprenticeship_programs ORDER BY key"
    )
    return Standards(
        caps=[msgspec.convert(dict(r), Cap) for r in caps],
        requirements=[msgspec.convert(dict(r), Requirement) for r in requirements],
        programs=[msgspec.convert(dict(r), ProgramStandard) for r in programs],
    )


async def set_cap(conn: asyncpg.Connection, *, year: int, cap_cents: int) -> None:
    await conn.execute(
        """INSERT INTO tuition_caps (year, cap_cents) VALUES ($1, $2)
           ON CONFLICT (year) DO UPDATE SET cap_cents = excluded.cap_cents""",
        year,
        cap_cents,
    )


async def set_required_hours(conn: asyncpg.Connection, *, role_key: str, board: str, hours: int) -> bool:
    changed = await conn.fetchval(
        """UPDATE supervision_requirements SET required_hours = $3 WHERE role_key = $1 AND board = $2
           RETURNING true""",
        role_key,
        board,
        hours,
    )
    return bool(changed)


async def set_program_standard(
    conn: asyncpg.Connection, *, key: str, model: str, ojt_hours: int, ri_hours: int, journeyworker_cents: int | None
) -> bool:
    changed = await conn.fetchval(
        """UPDATE apprenticeship_programs SET model = $2, ojt_hours = $3, ri_hours = $4, journeyworker_cents = $5
           WHERE key = $1 RETURNING true""",
        key,
        model,
        ojt_hours,
        ri_hours,
        journeyworker_cents,
    )
    return bool(changed)
