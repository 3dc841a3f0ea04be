"""Certificates for the dataset, frozen the way lms.credit freezes them (its own build_facts), then COPYed.

The issuing inputs are read once per course version with lms.credit's query; each certificate then gets its
worker's name, language and dates. Credentials stay unsigned (lms.credit signs one on first need), as after a
completion that happened without the service's URL at hand.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec


def _code(rng: random.Random) -> str:
    from lms.credit import codes

    payload = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.PAYLOAD))
    return payload + codes.check_character(payload)


async def fill(
    conn: asyncpg.Connection,
    url: str,
    rng: random.Random,
    completed: list[tuple[UUID, UUID, Any, Any, Any]],
    people: dict[UUID, tuple[str, str]],
    copy: Callable[..., Awaitable[int]],
) -> tuple[int, list[str]]:
    """``completed``: (enrolment id, user id, version row, enrolled at, completed at). Returns (count, some codes)."""
    from lms.credit import queries as credit
    from lms.credit.certificates import build_facts
    from lms.db.pool import init_connection

    reader = await asyncpg.connect(url)
    try:
        await init_connection(reader)
        rules = await credit.load_rules(reader)
        inputs: dict[UUID, dict[str, Any]] = {}
        for eid, _, version, _, _ in completed:
            if version["id"] not in inputs:
                found = await credit.issue_inputs(reader, eid)
                if found is None:
                    continue
                found["self_paced_minutes"] = await reader.fetchval(
                    "SELECT coalesce(sum(minutes), 0) FROM version_activities WHERE version_id = $1 AND kind IN ('lesson', 'quiz')",
                    version["id"],
                )
                inputs[version["id"]] = found
    finally:
        await reader.close()

    encode = msgspec.json.Encoder().encode
    codes_made: set[str] = set()
    rows = []
    for index, (eid, uid, version, enrolled_at, completed_at) in enumerate(completed):
        base = inputs.get(version["id"])
        if base is None:
            continue
        code = _code(rng)
        while code in codes_made:
            code = _code(rng)
        codes_made.add(code)
        name, language = people[uid]
        issued_at = (completed_at + timedelta(minutes=1)).astimezone(UTC).replace(microsecond=0)
        facts = build_facts(
            {
                **base,
                "display_name": name,
                "user_language": language,
                "enrolled_on": enrolled_at.date(),
                "completed_on": completed_at.date(),
                "completed_at": completed_at,
            },
            rules,
            code=code,
            issued_at=issued_at,
        )
        rows.append(
            (
                rng_uuid(rng),
                code,
                eid,
                uid,
                version["id"],
                facts.language,
                completed_at,
                issued_at,
                facts.valid_until,
                encode(facts).decode(),
                index,
            )
        )
    count = await copy(
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
            "valid_until",
            "facts",
            "status_index",
        ],
        rows,
    )
    if rows:  # the app numbers the next certificate's revocation-list slot from this sequence
        await conn.execute("SELECT setval('certificate_status_index', $1)", len(rows))
    return count, [r[1] for r in rows[:2000]]


def rng_uuid(rng: random.Random) -> UUID:
    value = rng.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (4 << 76)
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)
    return UUID(int=value)
