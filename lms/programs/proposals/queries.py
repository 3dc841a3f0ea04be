"""SQL of apprentice proposals. A clinic admin proposes and reads her own clinic's proposals only, in the WHERE
itself; program admins read and decide all of them (the controller's guard lets no one else in)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.programs.proposals.schemas import Proposal, WorkerOption

_PROPOSAL = """
SELECT x.id, p.key AS program_key, p.name AS program_name, x.user_id, u.display_name AS worker, c.name AS clinic,
       b.display_name AS proposed_by, x.proposed_at, x.note, x.status, x.decided_at, x.declined_reason,
       x.apprenticeship_id
FROM apprentice_proposals x
JOIN apprenticeship_programs p ON p.id = x.program_id
JOIN users u ON u.id = x.user_id
JOIN clinics c ON c.id = x.clinic_id
JOIN users b ON b.id = x.proposed_by
"""


async def listed(conn: asyncpg.Connection, *, viewer: CurrentUser) -> list[Proposal]:
    """Open proposals first (oldest first: they have waited longest), then the latest answers."""
    rows = await conn.fetch(
        f"""{_PROPOSAL}
            WHERE $1 = 'program_admin' OR ($1 = 'clinic_admin' AND x.clinic_id = $2)
            ORDER BY x.status <> 'proposed', CASE WHEN x.status = 'proposed' THEN x.proposed_at END,
                     x.decided_at DESC, x.id
            LIMIT 200""",
        viewer.role,
        viewer.clinic_id,
    )
    return [msgspec.convert(dict(r), Proposal, strict=False) for r in rows]


async def clinic_workers(conn: asyncpg.Connection, *, clinic_id: UUID | None) -> list[WorkerOption]:
    rows = await conn.fetch(
        """SELECT id, display_name AS name FROM users
           WHERE clinic_id = $1 AND role = 'worker' AND active ORDER BY display_name, id""",
        clinic_id,
    )
    return [msgspec.convert(dict(r), WorkerOption) for r in rows]


async def propose(
    conn: asyncpg.Connection, *, viewer: CurrentUser, user_id: UUID, program_key: str, note: str | None
) -> dict[str, Any]:
    """Proposes a worker of the viewer's own clinic, unless she is in the program already or proposed for it; says
    which of these stopped it."""
    row = await conn.fetchrow(
        """WITH p AS (SELECT id FROM apprenticeship_programs WHERE key = $1),
                w AS (SELECT id, clinic_id FROM users
                      WHERE id = $2 AND role = 'worker' AND active AND clinic_id IS NOT NULL AND clinic_id = $3),
                enrolled AS (SELECT 1 FROM apprenticeships a, p, w WHERE a.program_id = p.id AND a.user_id = w.id),
                made AS (INSERT INTO apprentice_proposals (program_id, user_id, clinic_id, proposed_by, note)
                         SELECT p.id, w.id, w.clinic_id, $4, $5 FROM p, w WHERE NOT EXISTS (SELECT 1 FROM enrolled)
                         ON CONFLICT (user_id, program_id) WHERE status = 'proposed' DO NOTHING RETURNING id)
           SELECT (SELECT id FROM p) AS program, (SELECT id FROM w) AS worker,
                  EXISTS (SELECT 1 FROM enrolled) AS enrolled, (SELECT id FROM made) AS id""",
        program_key,
        user_id,
        viewer.clinic_id,
        viewer.id,
        note,
    )
    return dict(row)


async def lock(conn: asyncpg.Connection, *, proposal_id: UUID) -> asyncpg.Record | None:
    """The proposal, locked while it is decided (two program admins answering at once: one wins)."""
    return await conn.fetchrow(
        "SELECT id, user_id, status FROM apprentice_proposals WHERE id = $1 FOR UPDATE", proposal_id
    )


async def accept(
    conn: asyncpg.Connection, *, proposal_id: UUID, mentor_email: str, starts_on: date, actor_id: UUID
) -> dict[str, Any]:
    """Starts the apprenticeship (the worker still active at the clinic that proposed her, the mentor an active user
    other than her) and marks the proposal accepted; says which was missing when it could not."""
    row = await conn.fetchrow(
        """WITH x AS (SELECT program_id, user_id, clinic_id FROM apprentice_proposals WHERE id = $1 AND status = 'proposed'),
                w AS (SELECT u.id FROM users u, x WHERE u.id = x.user_id AND u.active AND u.clinic_id = x.clinic_id),
                m AS (SELECT u.id FROM users u, x WHERE u.email = lower($2) AND u.active AND u.id <> x.user_id),
                made AS (INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on, created_by)
                         SELECT x.program_id, w.id, x.clinic_id, m.id, $3, $4 FROM x, w, m
                         ON CONFLICT (user_id, program_id) DO NOTHING RETURNING id),
                done AS (UPDATE apprentice_proposals SET status = 'accepted', decided_by = $4, decided_at = now(),
                                apprenticeship_id = made.id
                         FROM made WHERE apprentice_proposals.id = $1 RETURNING made.id)
           SELECT (SELECT id FROM w) AS worker, (SELECT id FROM m) AS mentor, (SELECT id FROM done) AS id""",
        proposal_id,
        mentor_email,
        starts_on,
        actor_id,
    )
    return dict(row)


async def decline(conn: asyncpg.Connection, *, proposal_id: UUID, reason: str, actor_id: UUID) -> None:
    await conn.execute(
        """UPDATE apprentice_proposals SET status = 'declined', declined_reason = $2, decided_by = $3, decided_at = now()
           WHERE id = $1 AND status = 'proposed'""",
        proposal_id,
        reason,
        actor_id,
    )
