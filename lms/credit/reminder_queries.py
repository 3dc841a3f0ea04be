"""What the credit reminders look for: credentials near the end of their cycle, certificate events, and who reads
them in which language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from lms.credit.outside.queries import APPROVED_JSON


async def credential_holders(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """Active workers holding a credential, in the shape the credit module's renewal check reads (credentials and
    their certificates' credit lines), with their clinic's admins to tell as well."""
    rows = await conn.fetch(
        f"""SELECT u.id AS user_id, u.display_name AS name, u.clinic_id,
                  (SELECT coalesce(json_agg(json_build_object('credential', w.credential, 'cycle_start', w.cycle_start, 'licensed_on', w.licensed_on)
                                            ORDER BY w.credential), '[]')
                   FROM worker_credentials w WHERE w.user_id = u.id) AS credentials,
                  (SELECT coalesce(json_agg(json_build_object(
                              'code', c.code, 'completed_on', c.facts ->> 'completed_on', 'revoked', c.revoked_at IS NOT NULL,
                              'credits', c.facts -> 'credits') ORDER BY c.completed_at), '[]')
                   FROM certificates c WHERE c.user_id = u.id) AS certificates,
                  {APPROVED_JSON} AS outside,
                  ARRAY(SELECT a.id FROM users a WHERE a.clinic_id = u.clinic_id AND a.role = 'clinic_admin' AND a.active
                        ORDER BY a.id) AS admin_ids
           FROM users u
           WHERE u.active AND u.role = 'worker' AND EXISTS (SELECT 1 FROM worker_credentials w WHERE w.user_id = u.id)
           ORDER BY u.id"""
    )
    return [dict(r) for r in rows]


async def certificate_events(conn: asyncpg.Connection, now: datetime) -> list[asyncpg.Record]:
    """Certificates issued, revoked or superseded in the last week (each notice is sent once: the messages table
    is unique per occasion, so looking again finds nothing new to send)."""
    return await conn.fetch(
        """SELECT c.id, c.user_id, c.code, coalesce(c.facts ->> 'course_title', c.facts ->> 'title', c.facts ->> 'course_code', '') AS course,
                  CASE WHEN c.correction = 'superseded' THEN 'certificate.superseded'
                       WHEN c.revoked_at IS NOT NULL THEN 'certificate.revoked'
                       ELSE 'certificate.issued' END AS kind,
                  n.code AS new_code
           FROM certificates c
           LEFT JOIN certificates n ON n.id = c.superseded_by
           WHERE c.issued_at > $1::timestamptz - interval '7 days' AND c.issued_at <= $1::timestamptz
              OR c.revoked_at > $1::timestamptz - interval '7 days' AND c.revoked_at <= $1::timestamptz""",
        now,
    )


async def languages(conn: asyncpg.Connection, user_ids: list[UUID]) -> dict[UUID, str]:
    """Each person's interface language, to write her reminder in."""
    return dict(await conn.fetch("SELECT id, language FROM users WHERE id = ANY($1::uuid[])", user_ids))
