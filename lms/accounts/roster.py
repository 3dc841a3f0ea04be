"""A clinic's roster as CSV: every line checked first (a dry run names each bad line), then all of it written in one
statement, or nothing. A worker is known by the clinic's own number for her (``roster_id``), so importing the same
roster again updates her instead of adding her twice. Workers without email get a sign-in name made from the clinic
and that number, and a reset code from their clinic admin to choose a password.

Columns (header row required, any order): roster_id, name, email, phone, language. Only roster_id and name are
required.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from lms.accounts import people_queries
from lms.accounts.schemas import EMAIL, PHONE
from lms.errors import Invalid
from lms.i18n import N_, UI_LANGUAGES, say

MAX_LINES = 5000
COLUMNS = ("roster_id", "name", "email", "phone", "language")
_ROSTER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass
class RosterLine:
    line: int
    roster_id: str
    name: str
    email: str | None
    phone: str | None
    language: str


@dataclass
class RosterProblem:
    """One bad line: ``message`` is interface text (marked with N_) filled from ``params``, so the page shows it in
    the reader's language."""

    line: int
    message: str
    params: dict[str, str | int] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        return say(language, N_("line %(line)s"), {"line": self.line}) + ": " + say(language, self.message, self.params)

    def __str__(self) -> str:
        return self.text()


@dataclass
class RosterCheck:
    lines: list[RosterLine] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)  # in the order of the file
    new: int = 0
    updated: int = 0


def parse_roster(text: str) -> RosterCheck:
    check = RosterCheck()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("roster_id", "name") if c not in header]
    if missing:
        raise Invalid(
            N_("line 1: the header needs the columns %(missing)s (found: %(found)s)"),
            params={"missing": ", ".join(missing), "found": ", ".join(header) or "-"},
            field="roster",
        )
    reader.fieldnames = header
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_LINES:
            check.problems.append(
                RosterProblem(number, N_("more than %(max)s workers in one file; split it"), {"max": MAX_LINES})
            )
            break
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        problems: list[tuple[str, dict[str, str | int]]] = []
        roster_id, name = values.get("roster_id", ""), values.get("name", "")
        email = values.get("email", "").lower() or None
        phone = "".join(ch for ch in values.get("phone", "") if ch.isdigit() or ch == "+") or None
        language = (values.get("language", "") or "en").lower()
        if not _ROSTER_ID.fullmatch(roster_id):
            problems.append((N_("roster_id: required, letters, digits, '.', '_' or '-' (at most 64)"), {}))
        elif roster_id in seen:
            problems.append(
                (
                    N_("roster_id: %(roster_id)s is also on line %(line)s"),
                    {"roster_id": roster_id, "line": seen[roster_id]},
                )
            )
        if not 1 <= len(name) <= 200:
            problems.append((N_("name: required (at most 200 characters)"), {}))
        if email and not EMAIL.fullmatch(email):
            problems.append((N_("email: %(email)s is not an email address"), {"email": repr(email)}))
        if phone and not PHONE.fullmatch(phone):
            problems.append(
                (
                    N_("phone: %(phone)s needs its country code, e.g. +1 510 555 0100"),
                    {"phone": repr(values.get("phone"))},
                )
            )
        if language not in UI_LANGUAGES:
            problems.append(
                (
                    N_("language: %(language)s is not one of %(languages)s"),
                    {"language": repr(language), "languages": ", ".join(UI_LANGUAGES)},
                )
            )
        if problems:
            check.problems += [RosterProblem(number, message, params) for message, params in problems]
            continue
        seen[roster_id] = number
        check.lines.append(RosterLine(number, roster_id, name, email, phone, language))
    return check


def sign_in_name(clinic_slug: str, roster_id: str) -> str:
    return re.sub(r"[^a-z0-9._-]", "-", f"{clinic_slug}-{roster_id}".lower())[:63]


async def check_against_database(conn: asyncpg.Connection, check: RosterCheck, *, clinic_id: UUID) -> None:
    """Emails another person uses are bad lines too; count who is new and who is updated."""
    rows = await people_queries.roster_emails_in_use(
        conn,
        clinic_id=clinic_id,
        lines=[ln.line for ln in check.lines],
        roster_ids=[ln.roster_id for ln in check.lines],
        emails=[ln.email for ln in check.lines],
    )
    taken = {r["line"]: r["email"] for r in rows if not r["same_worker"]}
    if taken:
        check.problems += [
            RosterProblem(line, N_("email: %(email)s belongs to another account"), {"email": email})
            for line, email in sorted(taken.items())
        ]
        check.problems.sort(key=lambda p: p.line)
        check.lines = [ln for ln in check.lines if ln.line not in taken]
    existing = await people_queries.count_roster_workers(
        conn, clinic_id=clinic_id, roster_ids=[ln.roster_id for ln in check.lines]
    )
    check.updated = existing
    check.new = len(check.lines) - existing


async def write_roster(conn: asyncpg.Connection, check: RosterCheck, *, clinic_id: UUID, clinic_slug: str) -> int:
    """Add or update every line in one statement; returns how many rows were written."""
    lines = check.lines
    return await people_queries.write_roster_lines(
        conn,
        clinic_id=clinic_id,
        roster_ids=[ln.roster_id for ln in lines],
        names=[ln.name for ln in lines],
        emails=[ln.email for ln in lines],
        phones=[ln.phone for ln in lines],
        languages=[ln.language for ln in lines],
        usernames=[sign_in_name(clinic_slug, ln.roster_id) for ln in lines],
    )
