"""Creating a course and saving the authoring forms: the revision check, the fields, the buttons, in one transaction."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.authoring import queries
from lms.authoring.fields import (
    Problems,
    activity_values,
    apply_activity,
    apply_course,
    course_values,
    on_page,
    parse_approvals,
    parse_languages,
)
from lms.authoring.merge import Merge, digest, merge, read_digest
from lms.authoring.structure import activity_op, course_op
from lms.catalog.cache import catalogue_changed
from lms.catalog.content import TRACKS, CourseDoc
from lms.db.after_commit import after_commit
from lms.errors import NotFound, invalid_value
from lms.i18n import N_

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


class Outcome(msgspec.Struct, kw_only=True):
    """What a save did: ``status`` 303 saved, 400 a problem (nothing saved), 409 another author saved first."""

    status: int
    doc: CourseDoc
    revision: int
    values: dict[str, str]
    base: str
    problems: Problems = {}
    merge: Merge | None = None
    focus: str = ""


async def open_draft(
    conn: asyncpg.Connection, code: str, *, editor: CurrentUser, lock: bool = False
) -> tuple[CourseDoc, int]:
    found = await queries.draft_for_update(conn, code=code, editor=editor, lock=lock)
    if found is None:
        raise NotFound(
            N_("no course %(code)s that you may edit (its owners and program admins may)"), params={"code": code}
        )
    return msgspec.convert(found[0], CourseDoc), found[1]


def locate(doc: CourseDoc, key: str) -> tuple[int, int] | None:
    for m, module in enumerate(doc.modules):
        for a, activity in enumerate(module.activities):
            if activity.key == key:
                return m, a
    return None


async def save_course_form(
    conn: asyncpg.Connection,
    *,
    code: str,
    editor: CurrentUser,
    posted: Mapping[str, str],
    revision: int | None,
    base: str,
    op: str,
) -> Outcome:
    return await _save(
        conn,
        code=code,
        editor=editor,
        posted=posted,
        revision=revision,
        base=base,
        op=op,
        values_of=course_values,
        apply=apply_course,
        operate=course_op,
    )


async def save_activity_form(
    conn: asyncpg.Connection,
    *,
    code: str,
    key: str,
    editor: CurrentUser,
    posted: Mapping[str, str],
    revision: int | None,
    base: str,
    op: str,
    library: dict[str, str],
) -> Outcome:
    """``library``: the course's ready media (id -> kind) a lesson may show."""

    def values_of(doc: CourseDoc) -> dict[str, str]:
        place = locate(doc, key)
        if place is None:  # another author removed it: nothing of it is stored any more
            return {}
        return activity_values(doc, doc.modules[place[0]].activities[place[1]])

    def apply(doc: CourseDoc, fields: Mapping[str, str], problems: Problems) -> dict[str, Any]:
        place = locate(doc, key)
        if place is None:
            raise NotFound(N_("no activity %(key)s in the draft"), params={"key": key})
        return apply_activity(doc, place[0], place[1], fields, problems, library=library)

    return await _save(
        conn,
        code=code,
        editor=editor,
        posted=posted,
        revision=revision,
        base=base,
        op=op,
        values_of=values_of,
        apply=apply,
        operate=lambda raw, op: activity_op(raw, key, op, raw["languages"]),
    )


async def _save(
    conn: asyncpg.Connection,
    *,
    code: str,
    editor: CurrentUser,
    posted: Mapping[str, str],
    revision: int | None,
    base: str,
    op: str,
    values_of: Callable[[CourseDoc], dict[str, str]],
    apply: Callable[[CourseDoc, Mapping[str, str], Problems], dict[str, Any]],
    operate: Callable[[dict[str, Any], str], str],
) -> Outcome:
    doc, current = await open_draft(conn, code, editor=editor, lock=True)
    stored = values_of(doc)
    shown = read_digest(base)
    fields = on_page(posted, list(shown) or list(stored))
    if revision != current:
        # Someone saved since this form was opened (or the form is not one of ours): keep both authors' work.
        merged = merge(fields, shown, stored)
        return Outcome(status=409, doc=doc, revision=current, values=merged.values, base=digest(stored), merge=merged)
    problems: Problems = {}
    raw = apply(doc, fields, problems)
    focus = operate(raw, op) if op and not problems else ""
    updated = doc
    if not problems:
        try:
            updated = msgspec.convert(raw, CourseDoc)
        except msgspec.ValidationError as exc:
            refused = invalid_value(exc, field="draft")
            problems["op"] = (refused.template, refused.params)
    if problems:
        return Outcome(
            status=400,
            doc=doc,
            revision=current,
            values={**stored, **fields},
            base=base or digest(stored),
            problems=problems,
        )
    new_revision = await queries.save_draft(conn, code=code, track=updated.track, draft=msgspec.to_builtins(updated))
    after_commit(conn, catalogue_changed)  # the catalogue shows the course's track
    return Outcome(
        status=303,
        doc=updated,
        revision=new_revision,
        values=values_of(updated),
        base=digest(values_of(updated)),
        focus=focus,
    )


def new_course_values(posted: Mapping[str, str], languages: list[str]) -> tuple[dict[str, Any] | None, Problems]:
    """The draft a new-course form describes, or the problems with it, each named by its field."""
    problems: Problems = {}
    code = posted.get("code", "").strip().upper()
    if not CODE.match(code):
        problems["code"] = (N_("A course code has 3 to 32 capital letters, digits and dashes, such as MA-VS-101."), {})
    track = posted.get("track", "")
    if track not in TRACKS:
        problems["track"] = (N_("Choose a track from the list."), {})
    chosen = parse_languages(", ".join(languages), problems)
    fields = {name: value for name, value in posted.items() if name.split(".")[0] in ("title", "summary")}
    empty = CourseDoc(code="NEW", track="CE", languages=chosen or ["en"], title={}, modules=[])
    raw = apply_course(empty, fields, problems)
    if chosen and not any(raw["title"].get(lang) for lang in chosen):
        problems[f"title.{chosen[0]}"] = (N_("Give the course a title in at least one of its languages."), {})
    approvals = parse_approvals(posted, problems) or []
    if problems:
        return None, problems
    raw.update(code=code, track=track, languages=chosen, modules=[], approvals=approvals)
    return raw, problems


async def create_course(
    conn: asyncpg.Connection, *, editor: CurrentUser, posted: Mapping[str, str], languages: list[str]
) -> tuple[str | None, Problems]:
    """A new draft whose creator owns it; (its code, no problems) or (None, what is wrong)."""
    raw, problems = new_course_values(posted, languages)
    if raw is None:
        return None, problems
    doc = msgspec.convert(raw, CourseDoc)
    if not await queries.create_course(
        conn, code=doc.code, track=doc.track, draft=msgspec.to_builtins(doc), creator=editor
    ):
        return None, {"code": (N_("A course with this code exists already: choose another code."), {})}
    await record(conn, actor_id=editor.id, action="course.created", subject=doc.code)
    after_commit(conn, catalogue_changed)
    return doc.code, {}
