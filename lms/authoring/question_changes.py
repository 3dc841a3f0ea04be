"""Which questions of a quiz changed between the published version and the draft, and how, as the publish summary
names them: "q4 added", "q2 removed", "q1 changed: right answer". Pure functions over the documents as plain data."""

from __future__ import annotations

from typing import Any

from lms.i18n import N_
from lms.schemas import Response

# What a change to one question can touch (gettext).
QUESTION_FIELD_NAMES = {
    "prompt": N_("question text"),
    "choices": N_("answer choices"),
    "answer": N_("right answer"),
    "feedback": N_("feedback"),
    "position": N_("order"),
}


class QuestionChange(Response):
    key: str
    prompt: dict[str, str]  # per language; the old prompt for a removed question
    change: str  # added | removed | changed
    fields: list[str]  # keys of QUESTION_FIELD_NAMES, for "changed"


def norm(value: Any) -> Any:
    """Texts without their outer whitespace: the forms trim what a course folder's files end with."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def _parts(question: dict[str, Any]) -> dict[str, Any]:
    choices = question.get("choices") or []
    return {
        "prompt": norm(question.get("prompt")),
        "choices": [(c.get("key"), norm(c.get("text"))) for c in choices],
        "answer": sorted(c.get("key") for c in choices if c.get("correct")),
        "feedback": {c.get("key"): norm(c.get("feedback") or {}) for c in choices},
    }


def question_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[QuestionChange]:
    """The draft's questions in order (added or changed; unchanged ones are left out), then those it no longer has."""
    before = {q["key"]: q for q in (old or {}).get("questions") or []}
    after = {q["key"]: q for q in (new or {}).get("questions") or []}
    kept_before = [k for k in before if k in after]
    kept_after = [k for k in after if k in before]
    moved = {k for i, k in enumerate(kept_after) if kept_before[i] != k}
    out = []
    for key, question in after.items():
        if key not in before:
            out.append(QuestionChange(key=key, prompt=question.get("prompt") or {}, change="added", fields=[]))
            continue
        was, now = _parts(before[key]), _parts(question)
        fields = [name for name in ("prompt", "choices", "answer", "feedback") if was[name] != now[name]]
        fields += ["position"] if key in moved else []
        if fields:
            out.append(QuestionChange(key=key, prompt=question.get("prompt") or {}, change="changed", fields=fields))
    out += [
        QuestionChange(key=key, prompt=question.get("prompt") or {}, change="removed", fields=[])
        for key, question in before.items()
        if key not in after
    ]
    return out
