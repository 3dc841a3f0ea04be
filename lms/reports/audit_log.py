"""Reading the append-only audit log: filters by action, actor and period, newest first, in keyset pages (``id <
before``), so page 1,000 costs what page 1 costs. Only the conditions asked for go into the SQL, so each filter
walks its own index (action, id) / (actor_id, id) / the primary key."""

from __future__ import annotations

from datetime import date

import asyncpg
import msgspec

from lms.reports.schemas import AuditEntry, AuditPage

TZ = "America/Los_Angeles"


async def actions(conn: asyncpg.Connection) -> list[str]:
    """The distinct actions, by skipping through the (action, id) index instead of reading the table."""
    rows = await conn.fetch(
        """WITH RECURSIVE a AS (
               SELECT min(action) AS action FROM audit_log
               UNION ALL
               SELECT (SELECT min(l.action) FROM audit_log l WHERE l.action > a.action) FROM a WHERE a.action IS NOT NULL)
           SELECT action FROM a WHERE action IS NOT NULL"""
    )
    return [r["action"] for r in rows]


async def entries(
    conn: asyncpg.Connection, *, action: str | None = None, actor_email: str | None = None, start: date | None = None,
    end: date | None = None, before: int | None = None, limit: int = 50, with_actions: bool = True,
) -> AuditPage:
    where, args = [], []

    def arg(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    if action:
        where.append(f"a.action = {arg(action)}")
    if actor_email:
        where.append(f"a.actor_id = (SELECT id FROM users WHERE email = {arg(actor_email.strip().lower())})")
    if start:
        where.append(f"a.at >= ({arg(start)}::date::timestamp AT TIME ZONE '{TZ}')")
    if end:
        where.append(f"a.at < (({arg(end)}::date + 1)::timestamp AT TIME ZONE '{TZ}')")
    if before is not None:
        where.append(f"a.id < {arg(before)}")
    sql = f"""SELECT a.id, a.at, a.actor_id, u.email AS actor_email, u.display_name AS actor_name, a.action, a.subject, a.detail
              FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
              {"WHERE " + " AND ".join(where) if where else ""}
              ORDER BY a.id DESC LIMIT {arg(limit + 1)}"""
    rows = await conn.fetch(sql, *args)
    found = [msgspec.convert(dict(r), AuditEntry) for r in rows]
    next_before = found[limit - 1].id if len(found) > limit else None
    return AuditPage(entries=found[:limit], next_before=next_before, actions=await actions(conn) if with_actions else [])
