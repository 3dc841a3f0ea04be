"""What publishing a draft will do, shown before the instructor confirms: the activities added, removed and changed
since the version learners get today (minutes per activity and in total), the learners who stay on their version, and
the credit each accrediting body will grant for the new version.

The summary carries a fingerprint of the draft it describes; publishing with a fingerprint that no longer matches the
draft is refused, so what was confirmed is what becomes the version.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import asyncpg
import msgspec

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.authoring import publish_queries
from lms.authoring.question_changes import QuestionChange, norm, question_changes
from lms.catalog import service as catalog
from lms.catalog.content import (
    Checkoff,
    CourseDoc,
    InPerson,
    Label,
    doc_problems,
    missing_translation_labels,
    total_minutes,
)
from lms.catalog.schemas import Published
from lms.credit.queries import load_rules
from lms.credit.rules import CreditRule, credit_for
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_
from lms.schemas import Response

# The parts of an activity a change can touch, as the summary names them (gettext).
FIELD_NAMES = {
    "kind": N_("kind"),
    "module": N_("module"),
    "position": N_("order"),
    "minutes": N_("minutes"),
    "title": N_("title"),
    "body": N_("text"),
    "media": N_("media"),
    "pass_mark": N_("pass mark"),
    "max_attempts": N_("attempts allowed"),
    "questions": N_("questions"),
    "description": N_("description"),
    "criteria": N_("what the instructor looks for"),
}
COURSE_FIELD_NAMES = {
    "track": N_("track"),
    "languages": N_("languages"),
    "title": N_("course title"),
    "summary": N_("course summary"),
    "completion": N_("attendance needed"),
    "approvals": N_("credit approvals"),
    "modules": N_("modules"),
}


class ActivityChange(Response):
    key: str
    kind: str
    module_key: str
    title: dict[str, str]
    change: str  # added | removed | changed | same
    old_minutes: int | None
    new_minutes: int | None
    fields: list[str]  # keys of FIELD_NAMES, for "changed"
    questions: list[QuestionChange] = []  # a quiz whose questions changed: which ones, and how


class PinnedVersion(Response):
    version: int
    status: str
    enrolled: int
    in_progress: int


class CreditPreview(Response):
    body: str
    body_name: str
    unit: str
    provider_number: str
    category: str | None
    approved_from: date
    approved_until: date | None
    in_effect: bool  # the approval covers today: a learner completing today earns this
    credit: float
    live_credit: float
    non_live_credit: float
    minutes_counted: int
    below_minimum: bool
    previous_credit: float | None  # the same body's credit for the version learners get today


class PublishSummary(Response):
    code: str
    languages: list[str]
    next_version: int
    previous_version: int | None
    activities: list[ActivityChange]
    added: int
    removed: int
    changed: int
    course_fields: list[str]  # keys of COURSE_FIELD_NAMES that differ from the previous version
    old_total_minutes: int | None
    new_total_minutes: int
    live_minutes: int
    self_paced_minutes: int
    pinned: list[PinnedVersion]
    pinned_enrolled: int
    pinned_in_progress: int
    credits: list[CreditPreview]
    missing: dict[str, list[Label]]  # per language, the places without text (translatable labels)
    problems: list[str]  # anything else that stops publishing (a quiz without a right answer, a media file)
    fingerprint: str


def fingerprint(doc: CourseDoc) -> str:
    """A short digest of the draft: it changes whenever anything in the draft changes."""
    return hashlib.sha256(msgspec.json.encode(doc)).hexdigest()[:32]


def _activities(doc: dict[str, Any]) -> dict[str, tuple[str, int, dict[str, Any]]]:
    """Activity key -> (module key, position in the course, the activity as plain data)."""
    out = {}
    position = 0
    for module in doc.get("modules") or []:
        for activity in module.get("activities") or []:
            out[activity["key"]] = (module["key"], position, activity)
            position += 1
    return out


def _changed_fields(old: tuple[str, int, dict[str, Any]], new: tuple[str, int, dict[str, Any]]) -> list[str]:
    fields = []
    if old[0] != new[0]:
        fields.append("module")
    old_activity, new_activity = old[2], new[2]
    for name in FIELD_NAMES:
        if name in ("module", "position"):
            continue
        if norm(old_activity.get(name)) != norm(new_activity.get(name)):
            fields.append(name)
    return fields


def activity_changes(previous: dict[str, Any] | None, draft: dict[str, Any]) -> list[ActivityChange]:
    """Every activity of the draft in order (added, changed or the same), then those the draft no longer has."""
    before = _activities(previous or {})
    after = _activities(draft)
    # A move shows as "order" only when the activities both versions have are in another order.
    kept_before = [k for k in before if k in after]
    kept_after = [k for k in after if k in before]
    moved = {k for i, k in enumerate(kept_after) if kept_before[i] != k}
    out = []
    for key, (module_key, _pos, activity) in after.items():
        if previous is None or key not in before:
            out.append(
                ActivityChange(
                    key=key,
                    kind=activity["kind"],
                    module_key=module_key,
                    title=activity["title"],
                    change="added",
                    old_minutes=None,
                    new_minutes=activity["minutes"],
                    fields=[],
                )
            )
            continue
        fields = _changed_fields(before[key], after[key]) + (["position"] if key in moved else [])
        out.append(
            ActivityChange(
                key=key,
                kind=activity["kind"],
                module_key=module_key,
                title=activity["title"],
                change="changed" if fields else "same",
                old_minutes=before[key][2]["minutes"],
                new_minutes=activity["minutes"],
                fields=fields,
                questions=question_changes(before[key][2], activity) if "questions" in fields else [],
            )
        )
    for key, (module_key, _pos, activity) in before.items():
        if key not in after:
            out.append(
                ActivityChange(
                    key=key,
                    kind=activity["kind"],
                    module_key=module_key,
                    title=activity["title"],
                    change="removed",
                    old_minutes=activity["minutes"],
                    new_minutes=None,
                    fields=[],
                )
            )
    return out


def course_field_changes(previous: dict[str, Any] | None, draft: dict[str, Any]) -> list[str]:
    if previous is None:
        return []
    out = [name for name in COURSE_FIELD_NAMES if name != "modules" and previous.get(name) != draft.get(name)]
    titles = lambda doc: [(m["key"], m["title"]) for m in doc.get("modules") or []]  # noqa: E731
    if titles(previous) != titles(draft):
        out.append("modules")
    return out


def split_minutes(doc: CourseDoc) -> tuple[int, int]:
    """(live, self-paced) minutes of a whole course: in-person sessions and checkoffs are live, lessons and quizzes
    self-paced, as certificates count them (lms.credit.queries.issue_inputs)."""
    live = sum(a.minutes for m in doc.modules for a in m.activities if isinstance(a, InPerson | Checkoff))
    return live, total_minutes(doc) - live


def _previous_doc(previous: dict[str, Any] | None) -> CourseDoc | None:
    if previous is None:
        return None
    try:
        return msgspec.convert(previous, CourseDoc)
    except msgspec.ValidationError:  # a version published under an older shape of the document: no credit to compare
        return None


def credit_previews(
    doc: CourseDoc, previous: CourseDoc | None, rules: dict[str, CreditRule], today: date
) -> list[CreditPreview]:
    """Per approval of the draft, the credit a learner earns who completes every activity and attends every minute,
    computed by the body's rule exactly as a certificate will be (lms.credit.rules.credit_for)."""
    live, self_paced = split_minutes(doc)
    before: dict[str, float] = {}
    if previous is not None:
        old_live, old_self_paced = split_minutes(previous)
        for approval in previous.approvals:
            if (rule := rules.get(approval.body)) is not None:
                before[approval.body] = credit_for(
                    rule, live_minutes=old_live, self_paced_minutes=old_self_paced, category=approval.category
                ).credit
    out = []
    for approval in doc.approvals:
        rule = rules.get(approval.body)
        if rule is None:
            continue
        earned = credit_for(rule, live_minutes=live, self_paced_minutes=self_paced, category=approval.category)
        out.append(
            CreditPreview(
                body=rule.body,
                body_name=rule.name,
                unit=rule.unit,
                provider_number=approval.provider_number,
                category=approval.category,
                approved_from=approval.approved_from,
                approved_until=approval.approved_until,
                in_effect=approval.approved_from <= today
                and (approval.approved_until is None or today <= approval.approved_until),
                credit=earned.credit,
                live_credit=earned.live_credit,
                non_live_credit=earned.non_live_credit,
                minutes_counted=earned.minutes_counted,
                below_minimum=earned.below_minimum,
                previous_credit=before.get(approval.body),
            )
        )
    return out


def summarize(
    doc: CourseDoc,
    context: dict[str, Any],
    rules: dict[str, CreditRule],
    today: date,
    media_problem: str | None = None,
    images: frozenset[str] = frozenset(),
) -> PublishSummary:
    current = context["current"]
    previous = current["content"] if current else None
    draft = msgspec.to_builtins(doc)
    changes = activity_changes(previous, draft)
    previous_doc = _previous_doc(previous)
    live, self_paced = split_minutes(doc)
    pinned = msgspec.convert(context["pinned"], list[PinnedVersion])
    return PublishSummary(
        code=doc.code,
        languages=doc.languages,
        next_version=context["next_version"],
        previous_version=current["version"] if current else None,
        activities=changes,
        added=sum(c.change == "added" for c in changes),
        removed=sum(c.change == "removed" for c in changes),
        changed=sum(c.change == "changed" for c in changes),
        course_fields=course_field_changes(previous, draft),
        old_total_minutes=sum(a["minutes"] for _m, _p, a in _activities(previous).values()) if previous else None,
        new_total_minutes=total_minutes(doc),
        live_minutes=live,
        self_paced_minutes=self_paced,
        pinned=pinned,
        pinned_enrolled=sum(p.enrolled for p in pinned),
        pinned_in_progress=sum(p.in_progress for p in pinned),
        credits=credit_previews(doc, previous_doc, rules, today),
        missing={lang: places for lang, places in missing_translation_labels(doc, images).items() if places},
        problems=[message for _path, message in doc_problems(doc) if not _is_translation_gap(message, doc.languages)]
        + ([media_problem] if media_problem else []),
        fingerprint=fingerprint(doc),
    )


def _is_translation_gap(message: str, languages: list[str]) -> bool:
    return any(message.endswith(f"has no {lang} text") for lang in languages)


async def publish_summary(conn: asyncpg.Connection, *, code: str, editor: CurrentUser) -> PublishSummary:
    context = await publish_queries.publish_context(conn, code=code, editor=editor)
    if context is None:
        raise NotFound(
            N_("no course %(code)s that you may publish (its owners and program admins may)"), params={"code": code}
        )
    doc = msgspec.convert(context["draft"], CourseDoc)
    try:
        await catalog.lesson_media_for_draft(conn, doc)
        media_problem = None
    except Invalid as exc:
        # an image without its description is listed with the missing texts, in the instructor's language
        media_problem = None if (exc.field or "").endswith(".alt") else exc.as_text()
    images = await catalog.image_refs(conn, doc)
    return summarize(doc, context, await load_rules(conn), clinic_time.today(), media_problem, images)


async def publish_confirmed(conn: asyncpg.Connection, *, code: str, editor: CurrentUser, confirmed: str) -> Published:
    """Publish the draft the instructor read the summary of; if it changed since (a co-author saved), nothing is
    published and she reads the new summary."""
    doc = await catalog.load_draft(conn, code, editor=editor)
    if confirmed != fingerprint(doc):
        raise Conflict(
            N_("The draft changed since this summary was made: read the new summary, then publish."),
            field="fingerprint",
        )
    return await catalog.publish_draft(conn, code=code, editor=editor)
