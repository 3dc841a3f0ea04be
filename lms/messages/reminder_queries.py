"""What the reminder job looks for: sessions tomorrow, credentials near the end of their cycle, certificate events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from lms.credit.outside.queries import APPROVED_JSON

# The partnership's clinics are in California: "tomorrow" is a day there.
LOCAL_TIME_ZONE = "America/Los_Angeles"

_TITLE = "coalesce(v.title ->> split_part(u.language, '-', 1), v.title ->> 'en', (SELECT min(t.value) FROM jsonb_each_text(v.title) t))"


async def sessions_tomorrow(conn: asyncpg.Connection, now: datetime) -> list[asyncpg.Record]:
    """Everyone registered for a session that starts tomorrow (local day), with what the reminder names."""
    return await conn.fetch(
        f"""SELECT s.id AS session_id, u.id AS user_id, {_TITLE} AS course,
                   to_char(s.starts_at AT TIME ZONE '{LOCAL_TIME_ZONE}', 'HH24:MI') AS starts,
                   c.name || ', ' || s.room AS place
            FROM inperson_sessions s
            JOIN session_registrations r ON r.session_id = s.id
            JOIN users u ON u.id = r.user_id AND u.active
            JOIN version_activities a ON a.id = s.activity_id
            JOIN course_versions v ON v.id = a.version_id
            JOIN clinics c ON c.id = s.clinic_id
            WHERE s.cancelled_at IS NULL
              AND (s.starts_at AT TIME ZONE '{LOCAL_TIME_ZONE}')::date = ($1::timestamptz AT TIME ZONE '{LOCAL_TIME_ZONE}')::date + 1""",
        now,
    )


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
