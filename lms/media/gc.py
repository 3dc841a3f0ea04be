"""`lms media gc`: remove what nothing uses, from the store and the library.

- uploads still pending after a day (abandoned in the browser, or refused before their row could go);
- files that no version shows and no draft names, once they have sat unused for a week (the library keeps new
  uploads long enough to be placed in a lesson);
- objects under ``media/`` with no row at all (a failed publish, a crash between store and database), after a day.

Published versions keep their files for as long as they exist: version_media is never emptied.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from lms.audit.queries import record
from lms.media import queries
from lms.media.schemas import GcReport
from lms.storage import Storage


async def collect_garbage(
    conn: asyncpg.Connection,
    storage: Storage,
    *,
    pending_for: timedelta = timedelta(days=1),
    unused_for: timedelta = timedelta(days=7),
    code: str | None = None,
    dry_run: bool = False,
) -> GcReport:
    """What was (or, with ``dry_run``, would be) removed; ``code`` limits the sweep to one course."""
    rows = await queries.garbage(conn, pending_for=pending_for, unused_for=unused_for, code=code)
    stray = await _stray_keys(conn, storage, prefix=f"media/{code}/" if code else "media/", older_than=pending_for)
    if not dry_run:
        for row in rows:
            if row["upload_id"]:
                await storage.abort_multipart(row["storage_key"], row["upload_id"])
            await storage.delete(row["storage_key"])
        for key in stray:
            await storage.delete(key)
        if rows:
            await queries.delete_rows(conn, ids=[row["id"] for row in rows])
        if rows or stray:
            await record(
                conn,
                actor_id=None,
                action="media.gc",
                detail={
                    "rows": [row["storage_key"] for row in rows],
                    "stray_keys": stray,
                },
            )
    described = [_describe(row) for row in rows]
    return GcReport(
        abandoned=[d for d, row in zip(described, rows, strict=True) if row["status"] == "pending"],
        unused=[d for d, row in zip(described, rows, strict=True) if row["status"] == "ready"],
        stray_keys=stray,
    )


def _describe(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "course": row["course_code"],
        "id": str(row["id"]),
        "key": row["storage_key"],
        "kind": row["kind"],
        "filename": row["filename"],
        "language": row["language"],
        "bytes": row["byte_size"],
        "created_at": row["created_at"].isoformat(),
    }


async def _stray_keys(conn: asyncpg.Connection, storage: Storage, *, prefix: str, older_than: timedelta) -> list[str]:
    cutoff = datetime.now(UTC) - older_than
    objects = [o for o in await storage.list_keys(prefix) if o["LastModified"] <= cutoff]
    if not objects:
        return []
    known = await queries.known_keys(conn, keys=[o["Key"] for o in objects])
    return sorted(o["Key"] for o in objects if o["Key"] not in known)
