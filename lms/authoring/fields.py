"""The authoring forms as flat fields: what a form shows (``*_values``) and how its posted fields change a draft.

Course form: ``track``, ``languages``, ``title.<lang>``, ``summary.<lang>``, ``module.<key>.<lang>``,
``approval.<i>.<part>``. Activity form: ``minutes``, ``<text field>.<lang>``, ``media`` (file ids, comma-separated),
``alt.<id>.<lang>``, ``pass_mark`` (percent), ``max_attempts``, ``q.<key>.prompt.<lang>``,
``q.<key>.c.<key>.text.<lang>``, ``q.<key>.c.<key>.feedback.<lang>``, ``q.<key>.c.<key>.correct``. Questions and
choices are named by key, not position, so a field means the same thing after another author reorders them.

A text left empty is a missing translation (allowed in a draft, publishing needs it). A problem is a label marked with
``N_`` and its values, shown next to its field in the author's language; a form with a problem changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import msgspec

from lms.catalog.content import TRACKS, CourseDoc, Label, Lesson, Quiz, text_fields
from lms.i18n import N_

Problems = dict[str, Label]

BODIES = ("IACET", "DBC", "CCBMA", "AAMA", "DHCS_CHW")
APPROVAL_PARTS = ("body", "provider_number", "category", "approved_from", "approved_until")
# Longest text per kind of field, in characters (a lesson body is a whole page of Markdown).
LIMITS = {
    "title": 200,
    "summary": 2000,
    "module": 200,
    "body": 50_000,
    "description": 5000,
    "criteria": 5000,
    "prompt": 1000,
    "text": 500,
    "feedback": 1000,
    "alt": 300,
}
CHECKBOX = re.compile(r"^q\.[^.]+\.c\.[^.]+\.correct$")
_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_BLANK_APPROVAL = dict.fromkeys(APPROVAL_PARTS, "")


def course_values(doc: CourseDoc) -> dict[str, str]:
    out = {"track": doc.track, "languages": ", ".join(doc.languages)}
    for lang in doc.languages:
        out[f"title.{lang}"] = doc.title.get(lang, "")
        out[f"summary.{lang}"] = doc.summary.get(lang, "")
        for module in doc.modules:
            out[f"module.{module.key}.{lang}"] = module.title.get(lang, "")
    for i, approval in enumerate([*msgspec.to_builtins(doc.approvals), _BLANK_APPROVAL]):
        for part in APPROVAL_PARTS:
            out[f"approval.{i}.{part}"] = str(approval.get(part) or "")
    return out


def activity_values(doc: CourseDoc, activity: Any) -> dict[str, str]:
    out = {"minutes": str(activity.minutes)}
    for name in text_fields(activity):
        for lang in doc.languages:
            out[f"{name}.{lang}"] = getattr(activity, name).get(lang, "")
    if isinstance(activity, Lesson):
        out["media"] = ",".join(ref.file for ref in activity.media)
        for ref in activity.media:
            for lang in doc.languages:
                out[f"alt.{ref.file}.{lang}"] = ref.alt.get(lang, "")
    if isinstance(activity, Quiz):
        out["pass_mark"] = f"{activity.pass_mark * 100:g}"
        out["max_attempts"] = str(activity.max_attempts or "")
        for q in activity.questions:
            for lang in doc.languages:
                out[f"q.{q.key}.prompt.{lang}"] = q.prompt.get(lang, "")
            for c in q.choices:
                out[f"q.{q.key}.c.{c.key}.correct"] = "on" if c.correct else ""
                for lang in doc.languages:
                    out[f"q.{q.key}.c.{c.key}.text.{lang}"] = c.text.get(lang, "")
                    out[f"q.{q.key}.c.{c.key}.feedback.{lang}"] = c.feedback.get(lang, "")
    return out


def on_page(posted: Mapping[str, str], names: list[str] | Any) -> dict[str, str]:
    """The posted value of every field the form showed: an unticked checkbox is not posted, so it is empty. An image
    ticked on the page brings its descriptions (``alt.<id>.<lang>``), which the page showed for every image."""
    fields = {name: posted.get(name, "") for name in names if name in posted or CHECKBOX.match(name) or name == "media"}
    fields.update({name: value for name, value in posted.items() if name.startswith("alt.")})
    return fields


def _text(fields: Mapping[str, str], name: str, limit: int, problems: Problems) -> str | None:
    """The text of one field, None when the form did not show it."""
    if name not in fields:
        return None
    value = fields[name].replace("\r\n", "\n").strip()
    if "\x00" in value:
        problems[name] = (N_("This text contains a character that cannot be stored (NUL)."), {})
    elif len(value) > limit:
        problems[name] = (
            N_("Keep this under %(max)s characters (it has %(count)s)."),
            {"max": str(limit), "count": str(len(value))},
        )
    return value


def _texts(
    fields: Mapping[str, str],
    prefix: str,
    languages: list[str],
    current: dict[str, str],
    limit: int,
    problems: Problems,
) -> dict[str, str]:
    out = dict(current)
    for lang in languages:
        value = _text(fields, f"{prefix}.{lang}", limit, problems)
        if value:
            out[lang] = value
        elif value is not None:
            out.pop(lang, None)
    return out


def _whole(fields: Mapping[str, str], name: str, low: int, high: int, problems: Problems, message: str) -> int | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        problems[name] = (message, {"low": str(low), "high": str(high)})
        return None
    return int(raw)


def parse_languages(raw: str, problems: Problems, name: str = "languages") -> list[str]:
    tags = [tag.strip() for tag in raw.replace(";", ",").split(",") if tag.strip()]
    if not tags or len(set(tags)) != len(tags) or not all(_TAG.match(tag) for tag in tags):
        problems[name] = (N_("Give one or more language tags such as en, es or zh-Hant, each once."), {})
    return tags


def _date(fields: Mapping[str, str], name: str, problems: Problems) -> str | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        problems[name] = (N_("Give a date as year-month-day, such as 2027-01-31."), {})
        return None


def parse_approvals(fields: Mapping[str, str], problems: Problems) -> list[dict[str, Any]] | None:
    """The approval rows of the form (a row without a body is left out); None when the form showed none."""
    rows = sorted({int(m.group(1)) for name in fields if (m := re.match(r"^approval\.(\d{1,3})\.body$", name))})
    if not rows:
        return None
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i in rows:
        prefix = f"approval.{i}."
        body = fields.get(prefix + "body", "").strip()
        if not body:
            continue
        if body not in BODIES:
            problems[prefix + "body"] = (N_("Choose an accrediting body from the list."), {})
            continue
        if body in seen:
            problems[prefix + "body"] = (N_("This accrediting body is listed twice."), {})
        seen.add(body)
        provider = _text(fields, prefix + "provider_number", 64, problems) or ""
        if not provider:
            problems[prefix + "provider_number"] = (N_("Give the provider number of this approval."), {})
        category = _text(fields, prefix + "category", 64, problems) or None
        starts = _date(fields, prefix + "approved_from", problems)
        ends = _date(fields, prefix + "approved_until", problems)
        if starts is None and prefix + "approved_from" not in problems:
            problems[prefix + "approved_from"] = (N_("Give the date the approval starts."), {})
        if starts and ends and ends < starts:
            problems[prefix + "approved_until"] = (N_("The approval ends before it starts."), {})
        out.append(
            {
                "body": body,
                "provider_number": provider,
                "category": category,
                "approved_from": starts,
                "approved_until": ends,
            }
        )
    return out


def apply_course(doc: CourseDoc, fields: Mapping[str, str], problems: Problems) -> dict[str, Any]:
    raw = msgspec.to_builtins(doc)
    languages = doc.languages
    if "languages" in fields:
        languages = parse_languages(fields["languages"], problems) or doc.languages
        raw["languages"] = languages
    if "track" in fields:
        if fields["track"] not in TRACKS:
            problems["track"] = (N_("Choose a track from the list."), {})
        else:
            raw["track"] = fields["track"]
    raw["title"] = _texts(fields, "title", languages, doc.title, LIMITS["title"], problems)
    raw["summary"] = _texts(fields, "summary", languages, doc.summary, LIMITS["summary"], problems)
    for m, module in enumerate(doc.modules):
        raw["modules"][m]["title"] = _texts(
            fields, f"module.{module.key}", languages, module.title, LIMITS["module"], problems
        )
    approvals = parse_approvals(fields, problems)
    if approvals is not None:
        raw["approvals"] = approvals
    return raw


def apply_activity(
    doc: CourseDoc, m: int, a: int, fields: Mapping[str, str], problems: Problems, library: dict[str, str] | None = None
) -> dict[str, Any]:
    """The draft with one activity changed by its form; ``library`` maps the course's ready media ids to their kind."""
    activity = doc.modules[m].activities[a]
    languages = doc.languages
    raw = msgspec.to_builtins(doc)
    target = raw["modules"][m]["activities"][a]
    minutes = _whole(
        fields, "minutes", 0, 6000, problems, N_("Give a whole number of minutes from %(low)s to %(high)s.")
    )
    if minutes is not None:
        target["minutes"] = minutes
    for name in text_fields(activity):
        target[name] = _texts(fields, name, languages, getattr(activity, name), LIMITS.get(name, 5000), problems)
    if isinstance(activity, Lesson) and "media" in fields:
        kept = {ref.file: msgspec.to_builtins(ref) for ref in activity.media}
        ids = [i for i in dict.fromkeys(fields["media"].split(",")) if i]
        for media_id in ids:
            if library is not None and media_id not in library:
                problems["media"] = (N_("A chosen file is not a ready file of this course's media library."), {})
        target["media"] = [kept.get(media_id, {"file": media_id}) for media_id in ids]
        for ref in target["media"]:
            ref["alt"] = _texts(fields, f"alt.{ref['file']}", languages, ref.get("alt") or {}, LIMITS["alt"], problems)
    if isinstance(activity, Quiz):
        _apply_quiz(activity, target, fields, languages, problems)
    return raw


def _apply_quiz(
    quiz: Quiz, target: dict[str, Any], fields: Mapping[str, str], languages: list[str], problems: Problems
) -> None:
    raw_mark = fields.get("pass_mark", "").strip().rstrip("%").strip()
    if raw_mark:
        try:
            mark = float(raw_mark)
        except ValueError:
            mark = -1.0
        if not 0 <= mark <= 100:
            problems["pass_mark"] = (N_("Give the pass mark as a percentage from 0 to 100."), {})
        else:
            target["pass_mark"] = round(mark / 100, 4)
    if "max_attempts" in fields:
        target["max_attempts"] = _whole(
            fields,
            "max_attempts",
            1,
            100,
            problems,
            N_("Give a number of attempts from %(low)s to %(high)s, or leave it empty for no limit."),
        )
    for q, question in enumerate(quiz.questions):
        tq = target["questions"][q]
        prefix = f"q.{question.key}"
        tq["prompt"] = _texts(fields, f"{prefix}.prompt", languages, question.prompt, LIMITS["prompt"], problems)
        for c, choice in enumerate(question.choices):
            tc = tq["choices"][c]
            cprefix = f"{prefix}.c.{choice.key}"
            tc["text"] = _texts(fields, f"{cprefix}.text", languages, choice.text, LIMITS["text"], problems)
            tc["feedback"] = _texts(
                fields, f"{cprefix}.feedback", languages, choice.feedback, LIMITS["feedback"], problems
            )
            if f"{cprefix}.correct" in fields:
                tc["correct"] = fields[f"{cprefix}.correct"] == "on"
        written = tq["prompt"] or any(tc["text"] for tc in tq["choices"])
        if written and not any(tc["correct"] for tc in tq["choices"]):
            problems[prefix] = (N_("Tick at least one correct answer."), {})
