"""CSV for grant reporting: one file per table on a dashboard, UTF-8 with a byte-order mark (so spreadsheet programs
read accents right), and every export written to the audit log as ``report.exported``."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from lms.audit.queries import record
from lms.csv_export import cell, csv_response, csv_text
from lms.reports.schemas import Filters

# The one CSV writer (formulas neutralised), shared with the other features' downloads.
__all__ = ["cell", "csv_response", "csv_text"]


def filename(scope: str, table: str, filters: Filters) -> str:
    return f"lms-{scope}-{table}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"


def filter_detail(filters: Filters) -> dict[str, str]:
    out = {}
    for name in ("start", "end", "track", "clinic_id", "local_id", "language"):
        value = getattr(filters, name)
        if value is not None:
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
    return out


async def audit_export(
    conn: asyncpg.Connection,
    *,
    actor_id: UUID,
    scope: str,
    table: str,
    filters: Filters | None,
    rows: int,
    clinic_id: UUID | None = None,
) -> None:
    detail: dict[str, Any] = {"table": table, "rows": rows}
    if filters is not None:
        detail["filters"] = filter_detail(filters)
    await record(
        conn,
        actor_id=actor_id,
        action="report.exported",
        subject=f"{scope}:{clinic_id or 'all'}:{table}",
        detail=detail,
    )
