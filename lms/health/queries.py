"""The SQL of the readiness probe (lms/health/api.py)."""

from __future__ import annotations

import asyncpg


async def database_answers(pool: asyncpg.Pool) -> bool:
    """True once the database has answered a trivial query over a pooled connection."""
    answered: bool = await pool.fetchval("SELECT true")
    return answered
