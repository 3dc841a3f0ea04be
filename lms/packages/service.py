"""Package use cases that span features: units into a course draft, and a unit satisfied counting toward completion."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.catalog.content import CourseDoc
from lms.catalog.schemas import TranslationStatus
from lms.catalog.service import load_draft, save_draft
from lms.errors import Invalid, NotFound
from lms.learning.completion import complete_if_done
from lms.packages import queries


async def record_unit_satisfied(
    conn: asyncpg.Connection, *, enrollment_id: UUID, activity_id: UUID, detail: dict[str, Any], base_url: str
) -> bool:
    """A cmi5 AU's moveOn met or a SCORM SCO's status saying so: recorded once for the enrolment, then the course is
    completed if that was the last activity (certificate and all), in the caller's transaction. True when recorded now."""
    added = await queries.insert_completion(conn, enrollment_id=enrollment_id, activity_id=activity_id, detail=detail)
    if added is None:
        raise NotFound("no such package activity in this enrolment's course version", field="activity_id")
    await complete_if_done(conn, [enrollment_id], base_url=base_url)
    return added


def _key_for(unit_id: str, taken: set[str]) -> str:
    """An activity key from a unit id (an IRI or identifier): its last readable part, made unique in the course."""
    tail = re.sub(r"[^a-z0-9]+", "-", unit_id.lower().rstrip("/").rsplit("/", 1)[-1]).strip("-")[:48] or "unit"
    if not tail[0].isalnum():
        tail = "u" + tail
    key, n = tail, 2
    while key in taken:
        key, n = f"{tail}-{n}", n + 1
    return key


async def attach_to_draft(
    conn: asyncpg.Connection, *, code: str, editor: CurrentUser, package_id: UUID, module: str, minutes: dict[str, int]
) -> TranslationStatus:
    """Put a package's units into the draft: a unit that a package activity already shows in another language gets
    this language added (same unit id); the others become new activities at the end of ``module`` (a module key of
    the draft, or ``new`` for a new module titled like the package), with the minutes the instructor gave."""
    package = await queries.get_package(conn, code=code, package_id=package_id)
    if package is None:
        raise NotFound(f"no package {package_id} in course {code}", field="package_id")
    doc = await load_draft(conn, code, editor=editor)
    raw = msgspec.to_builtins(doc)
    lang = package.language
    existing: dict[str, dict[str, Any]] = {}
    for m in raw["modules"]:
        for activity in m["activities"]:
            if activity["kind"] == "package":
                for ref in activity["package"].values():
                    existing.setdefault(ref["unit"], activity)
    keys = {a["key"] for m in raw["modules"] for a in m["activities"]}
    target: dict[str, Any] | None
    if module == "new":
        target = {
            "key": _key_for(package.title.get(lang) or "package", {m["key"] for m in raw["modules"]}),
            "title": {lang: package.title.get(lang) or next(iter(package.title.values()), code)},
            "activities": [],
        }
        raw["modules"].append(target)
    else:
        target = next((m for m in raw["modules"] if m["key"] == module), None)
        if target is None:
            raise Invalid(f"module: the draft has no module {module!r}", field="module")
    for unit in package.units:
        ref = {"package": str(package.id), "unit": unit.unit_id}
        title = unit.title.get(lang) or next(iter(unit.title.values()), unit.unit_id)
        if unit.unit_id in existing:
            existing[unit.unit_id]["package"][lang] = ref
            existing[unit.unit_id]["title"].setdefault(lang, title)
            if unit.unit_id in minutes:
                existing[unit.unit_id]["minutes"] = minutes[unit.unit_id]
            continue
        if unit.unit_id not in minutes:
            raise Invalid(f"minutes: give the contact minutes of {unit.unit_id}", field=f"minutes.{unit.position}")
        key = _key_for(unit.unit_id, keys)
        keys.add(key)
        target["activities"].append(
            {
                "kind": "package",
                "key": key,
                "minutes": minutes[unit.unit_id],
                "title": {lang: title},
                "package": {lang: ref},
            }
        )
    try:
        updated = msgspec.convert(raw, CourseDoc)
    except msgspec.ValidationError as exc:
        raise Invalid(str(exc)) from None
    return await save_draft(conn, updated, code=code, editor=editor)
