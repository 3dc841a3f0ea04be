"""The draft through the JSON API: read with its revision as an ETag, replaced only at the revision it was read at.

A client sends ``If-Match`` with the ETag of its ``GET``; when another author saved in between, nothing is saved and the
409 names what that author changed (from the draft history, migration 0110), in the caller's language. A course that
does not exist yet is created without a revision (or with ``If-None-Match: *``, which refuses an existing course).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.authoring import publish_queries, queries
from lms.authoring.publish_summary import COURSE_FIELD_NAMES, FIELD_NAMES, activity_changes, course_field_changes
from lms.catalog.cache import catalogue_changed
from lms.catalog.content import CourseDoc
from lms.catalog.schemas import TranslationStatus
from lms.catalog.service import image_refs, translation_status
from lms.db.after_commit import after_commit
from lms.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed, PreconditionRequired
from lms.i18n import N_, Listed, Text


def etag(revision: int) -> str:
    return f'"{revision}"'


def parse_if_match(value: str) -> int:
    """The revision an ``If-Match`` names: ``"123"`` as sent back from the ETag (a weak ``W/`` one is taken too)."""
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 19:
        raise Invalid(
            N_('If-Match must be the ETag of the draft, such as "%(example)s".'),
            params={"example": "1796688000000000"},
            field="If-Match",
        )
    return int(tag)


def changes_between(before: Any, after: Any) -> Listed:
    """What changed from one state of a draft to another, as the 409 names it (course fields, then activities), said
    again in each reader's language."""
    out: list[Text] = [Text(COURSE_FIELD_NAMES[name]) for name in course_field_changes(before, after)]
    for change in activity_changes(before, after):
        if change.change == "added":
            out.append(Text(N_("activity %(key)s added"), key=change.key))
        elif change.change == "removed":
            out.append(Text(N_("activity %(key)s removed"), key=change.key))
        elif change.change == "changed":
            fields = Listed((Text(FIELD_NAMES[f]) for f in change.fields), separator=", ")
            out.append(Text(N_("activity %(key)s changed (%(fields)s)"), key=change.key, fields=fields))
    return Listed(out)


class DraftChanged(Conflict):
    """409: the draft is no longer at the revision the client read; names the other author's changes."""

    def __init__(self, *, base: int, current: int, changes: Listed | None) -> None:
        if changes is None:
            described: Text | Listed = Text(N_("that revision is too old to say what changed"))
        else:
            described = changes or Text(N_("nothing that differs in content"))
        super().__init__(
            N_(
                "Another author saved this draft since revision %(base)s: %(changes)s. Nothing was saved: read the "
                "draft again (its ETag is now %(etag)s), apply your changes to it and send them with that ETag."
            ),
            field="If-Match",
            params={"base": base, "etag": etag(current), "changes": described},
            extra={"revision": current, "etag": etag(current)},
        )


async def read_draft(conn: asyncpg.Connection, *, code: str, editor: CurrentUser) -> tuple[CourseDoc, int]:
    found = await queries.draft_for_update(conn, code=code, editor=editor)
    if found is None:
        raise NotFound(
            N_("no course %(code)s that you may edit (its owners and program admins may)"), params={"code": code}
        )
    return msgspec.convert(found[0], CourseDoc), found[1]


async def replace_draft(
    conn: asyncpg.Connection,
    doc: CourseDoc,
    *,
    code: str,
    editor: CurrentUser,
    if_match: str | None,
    if_none_match: str | None,
) -> tuple[TranslationStatus, int]:
    """Save the whole draft if it is still at the revision ``If-Match`` names; answer its status and new revision."""
    if doc.code != code:
        raise Invalid(N_("the course code in the document differs from the one in the URL"), field="code")
    if if_none_match is not None and if_none_match.strip() != "*":
        raise Invalid(
            N_("If-None-Match may only be * (create the course if it does not exist)."), field="If-None-Match"
        )
    base = parse_if_match(if_match) if if_match is not None else None
    draft = msgspec.to_builtins(doc)
    found = await queries.draft_for_update(conn, code=code, editor=editor, lock=True)
    if found is None:
        if await publish_queries.course_exists(conn, code=code):
            raise Forbidden(
                N_("course %(code)s belongs to other instructors: ask one of them or a program admin to add you"),
                params={"code": code},
            )
        if base is not None:
            raise NotFound(
                N_("no course %(code)s (send no If-Match to create it)"), params={"code": code}, field="If-Match"
            )
        if not await queries.create_course(conn, code=code, track=doc.track, draft=draft, creator=editor):
            raise Conflict(N_("A course with this code exists already: choose another code."), field="code")
        await record(conn, actor_id=editor.id, action="course.created", subject=code)
        revision = (await read_draft(conn, code=code, editor=editor))[1]
    else:
        stored, current = found
        if if_none_match is not None:
            raise PreconditionFailed(
                N_("Course %(code)s exists already: read its draft and send its ETag in If-Match."),
                params={"code": code},
                field="If-None-Match",
            )
        if base is None:
            raise PreconditionRequired(
                N_(
                    "Send the draft's ETag in If-Match (from GET …/draft), so that a co-author's changes are never "
                    "overwritten unseen."
                ),
                field="If-Match",  # no ETag offered here: a client must read what it would replace
            )
        if base != current:
            before = await queries.draft_at(conn, code=code, revision=base)
            raise DraftChanged(
                base=base, current=current, changes=None if before is None else changes_between(before, stored)
            )
        revision = await queries.save_draft(conn, code=code, track=doc.track, draft=draft)
    after_commit(conn, catalogue_changed)  # the catalogue shows the course's track
    return translation_status(doc, await image_refs(conn, doc)), revision
