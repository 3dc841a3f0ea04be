"""A clinic's back records as CSV: every line checked first (each bad line named with its number and column), then all
of them stored in one statement, or none.

Columns (header row required, any order): email or roster_id (the worker), provider, approval_number, title,
started_on, ended_on (YYYY-MM-DD), minutes, delivery (in_person, live_online, home_study), body, category (optional),
body_approved (optional: yes/no, default yes).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass
from datetime import date

import msgspec

from lms.credit.outside.checks import check_record, same_course_overlapping
from lms.credit.outside.schemas import OutsideRecordIn
from lms.credit.rules import CreditRule
from lms.errors import DomainError, Invalid
from lms.i18n import N_

MAX_LINES = 5000
REQUIRED = ("provider", "approval_number", "title", "started_on", "ended_on", "minutes", "delivery", "body")
OPTIONAL = ("email", "roster_id", "category", "body_approved")
_FIELD = re.compile(r"at `\$\.([a-z_]+)")
_YES = {"", "yes", "y", "true", "1", "si", "sí"}
_NO = {"no", "n", "false", "0"}


@dataclass
class Problem:
    line: int
    field: str
    template: str
    params: dict[str, object] = dataclasses.field(default_factory=dict)


@dataclass
class ImportLine:
    line: int
    worker_key: str  # "email:..." or "roster:..."
    record: OutsideRecordIn


@dataclass
class ParsedImport:
    lines: list[ImportLine] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    read: int = 0


def parse_records(text: str, rules: dict[str, CreditRule], *, today: date) -> ParsedImport:
    parsed = ParsedImport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise Invalid(
            N_("The file is not readable as CSV: %(error)s"), field="csv", params={"error": str(exc)}
        ) from None
    missing = [c for c in REQUIRED if c not in header]
    if "email" not in header and "roster_id" not in header:
        missing.insert(0, "email")
    if missing:
        raise Invalid(
            N_("Line 1: the header needs the columns %(missing)s."), field="csv", params={"missing": ", ".join(missing)}
        )
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise Invalid(N_("Line 1: unknown columns %(unknown)s."), field="csv", params={"unknown": ", ".join(unknown)})
    reader.fieldnames = header
    seen: dict[tuple[str, str, str, str], int] = {}
    by_worker: dict[str, list[ImportLine]] = {}
    try:
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise Invalid(
            N_("The file is not readable as CSV: %(error)s"), field="csv", params={"error": str(exc)}
        ) from None
    for number, row in rows:
        if number - 1 > MAX_LINES:
            parsed.problems.append(
                Problem(number, "csv", N_("More than %(max)s records in one file: split it."), {"max": MAX_LINES})
            )
            break
        if None in row:
            parsed.problems.append(Problem(number, "csv", N_("This line has more cells than the header.")))
            continue
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        parsed.read += 1
        line = _line(number, values, rules, today=today, problems=parsed.problems)
        if line is None:
            continue
        r = line.record
        key = (line.worker_key, r.provider.lower(), r.approval_number, r.started_on.isoformat())
        if key in seen:
            parsed.problems.append(
                Problem(
                    number,
                    "approval_number",
                    N_("The same course for the same worker is also on line %(other)s."),
                    {"other": seen[key]},
                )
            )
            continue
        seen[key] = number
        same_worker = by_worker.setdefault(line.worker_key, [])
        earlier = next((e for e in same_worker if same_course_overlapping(e.record, r)), None)
        if earlier is not None:
            parsed.problems.append(
                Problem(
                    number,
                    "started_on",
                    N_("The same course for the same worker on line %(other)s has dates that overlap these."),
                    {"other": earlier.line},
                )
            )
            continue
        same_worker.append(line)
        parsed.lines.append(line)
    return parsed


def _line(
    number: int, values: dict[str, str], rules: dict[str, CreditRule], *, today: date, problems: list[Problem]
) -> ImportLine | None:
    email, roster_id = values.get("email", "").lower(), values.get("roster_id", "")
    if not email and not roster_id:
        problems.append(Problem(number, "email", N_("Name the worker by email or roster_id.")))
        return None
    approved = values.get("body_approved", "").lower()
    if approved not in _YES | _NO:
        problems.append(Problem(number, "body_approved", N_("Write yes or no.")))
        return None
    raw: dict[str, object] = {k: values[k] for k in REQUIRED}
    raw["category"] = values.get("category") or None
    raw["body_approved"] = approved not in _NO
    try:
        record = msgspec.convert(raw, OutsideRecordIn, strict=False)
    except msgspec.ValidationError as exc:
        found = _FIELD.search(str(exc))
        problems.append(
            Problem(
                number,
                found.group(1) if found else "csv",
                N_("Not a valid value: %(error)s"),
                {"error": str(exc).split(" - at ")[0]},
            )
        )
        return None
    try:
        check_record(record, rules, today=today)
    except DomainError as exc:
        problems.append(Problem(number, exc.field or "csv", exc.template, exc.params))
        return None
    return ImportLine(number, f"email:{email}" if email else f"roster:{roster_id}", record)
