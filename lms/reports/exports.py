"""CSV for grant reporting: one file per table on a dashboard, UTF-8 with a byte-order mark (so spreadsheet programs
read accents right), and every export written to the audit log as ``report.exported``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from litestar import Response

from lms.audit.queries import record
from lms.reports.schemas import Filters

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if value is None:
        return ""
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response[bytes]:
    body = ("\ufeff" + csv_text(header, rows)).encode("utf-8")
    return Response(
        content=body, media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


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
    conn: asyncpg.Connection, *, actor_id: UUID, scope: str, table: str, filters: Filters | None, rows: int,
    clinic_id: UUID | None = None,
) -> None:
    detail: dict[str, Any] = {"table": table, "rows": rows}
    if filters is not None:
        detail["filters"] = filter_detail(filters)
    await record(conn, actor_id=actor_id, action="report.exported", subject=f"{scope}:{clinic_id or 'all'}:{table}", detail=detail)
