"""Adding, moving and removing modules, activities, questions and choices: the buttons of the authoring forms.

A button posts its form with ``op`` = ``<action>:<key>[:<more>]``, so the texts typed on the page are saved with the
change and nothing needs JavaScript. Operations work on the draft as plain data and name things by key, so they work
for every kind of activity, content packages included.
"""

from __future__ import annotations

from typing import Any

from lms.errors import Invalid, NotFound
from lms.i18n import N_, translations, ui_language

# What a new activity of each kind starts with: contact minutes an instructor then sets.
NEW_ACTIVITY: dict[str, dict[str, Any]] = {
    "lesson": {"minutes": 10, "body": {}, "media": []},
    "quiz": {"minutes": 10, "pass_mark": 0.8, "max_attempts": None, "questions": []},
    "in_person": {"minutes": 60, "description": {}},
    "checkoff": {"minutes": 15, "criteria": {}},
}
TRUE, FALSE = N_("True"), N_("False")


def fresh_key(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}-{n}" in taken:
        n += 1
    return f"{prefix}-{n}"


def _activity_keys(raw: dict[str, Any]) -> set[str]:
    return {a["key"] for m in raw["modules"] for a in m["activities"]}


def _find(raw: dict[str, Any], key: str) -> tuple[int, int]:
    for m, module in enumerate(raw["modules"]):
        for a, activity in enumerate(module["activities"]):
            if activity["key"] == key:
                return m, a
    raise NotFound(N_("no activity %(key)s in the draft"), params={"key": key}, field="op")


def _module(raw: dict[str, Any], key: str) -> int:
    for m, module in enumerate(raw["modules"]):
        if module["key"] == key:
            return m
    raise NotFound(N_("no module %(key)s in the draft"), params={"key": key}, field="op")


def _swap(items: list[Any], i: int, step: int) -> None:
    j = i + step
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]


def course_op(raw: dict[str, Any], op: str) -> str:
    """Apply one course-page button to the draft; answers the key the page should show next (an anchor, or the new
    activity whose form opens)."""
    action, _, rest = op.partition(":")
    if action == "module-add":
        key = fresh_key("module", {m["key"] for m in raw["modules"]})
        raw["modules"].append({"key": key, "title": {}, "activities": []})
        return key
    if action in ("module-up", "module-down", "module-remove"):
        m = _module(raw, rest)
        if action == "module-remove":
            raw["modules"].pop(m)
            return ""
        _swap(raw["modules"], m, -1 if action == "module-up" else 1)
        return rest
    if action == "activity-add":
        module_key, _, kind = rest.partition(":")
        if kind not in NEW_ACTIVITY:
            raise Invalid(
                N_("op: no activity kind '%(kind)s' (one of %(kinds)s)"),
                params={"kind": kind, "kinds": ", ".join(NEW_ACTIVITY)},
                field="op",
            )
        key = fresh_key(kind.replace("_", "-"), _activity_keys(raw))
        raw["modules"][_module(raw, module_key)]["activities"].append(
            {"kind": kind, "key": key, "title": {}, **NEW_ACTIVITY[kind]}
        )
        return key
    if action in ("activity-up", "activity-down", "activity-remove"):
        m, a = _find(raw, rest)
        _move_activity(raw, m, a, action)
        return "" if action == "activity-remove" else rest
    raise Invalid(N_("op: unknown action '%(action)s'"), params={"action": action}, field="op")


def _move_activity(raw: dict[str, Any], m: int, a: int, action: str) -> None:
    """Up from the top of a module goes to the end of the one before; down from the bottom, to the start of the next."""
    modules = raw["modules"]
    activities = modules[m]["activities"]
    if action == "activity-remove":
        activities.pop(a)
    elif action == "activity-up" and a == 0 and m > 0:
        modules[m - 1]["activities"].append(activities.pop(0))
    elif action == "activity-down" and a == len(activities) - 1 and m + 1 < len(modules):
        modules[m + 1]["activities"].insert(0, activities.pop())
    else:
        _swap(activities, a, -1 if action == "activity-up" else 1)


def activity_op(raw: dict[str, Any], key: str, op: str, languages: list[str]) -> str:
    """Apply one activity-page button (questions, choices, skills after an in-person session); answers the anchor or,
    for a new skill, its key."""
    m, a = _find(raw, key)
    activity = raw["modules"][m]["activities"][a]
    action, _, rest = op.partition(":")
    if action == "skill-add" and activity["kind"] == "in_person":
        activities = raw["modules"][m]["activities"]
        after = a + 1
        while after < len(activities) and activities[after]["kind"] == "checkoff":
            after += 1
        new = fresh_key("checkoff", _activity_keys(raw))
        activities.insert(after, {"kind": "checkoff", "key": new, "title": {}, **NEW_ACTIVITY["checkoff"]})
        return new
    if activity["kind"] != "quiz":
        raise Invalid(N_("op: '%(action)s' does not apply to this activity"), params={"action": action}, field="op")
    questions = activity["questions"]
    if action in ("question-add", "question-add-tf"):
        qkey = fresh_key("q", {q["key"] for q in questions})
        if action == "question-add-tf":
            choices = [_choice("true", TRUE, languages, correct=True), _choice("false", FALSE, languages)]
        else:
            choices = [{"key": k, "text": {}, "correct": False, "feedback": {}} for k in ("a", "b", "c")]
        questions.append({"key": qkey, "prompt": {}, "choices": choices})
        return f"q-{qkey}"
    qkey, _, ckey = rest.partition(":")
    q = next((i for i, question in enumerate(questions) if question["key"] == qkey), None)
    if q is None:
        raise NotFound(N_("no question %(qkey)s in this quiz"), params={"qkey": qkey}, field="op")
    choices = questions[q]["choices"]
    if action in ("question-up", "question-down"):
        _swap(questions, q, -1 if action == "question-up" else 1)
    elif action == "question-remove":
        questions.pop(q)
        return ""
    elif action == "choice-add":
        ckey = fresh_key("choice", {c["key"] for c in choices})
        choices.append({"key": ckey, "text": {}, "correct": False, "feedback": {}})
    elif action == "choice-remove":
        choices[:] = [c for c in choices if c["key"] != ckey]
    else:
        raise Invalid(N_("op: unknown action '%(action)s'"), params={"action": action}, field="op")
    return f"q-{qkey}"


def _choice(key: str, label: str, languages: list[str], *, correct: bool = False) -> dict[str, Any]:
    """A true/false choice, written in each course language the interface speaks (others stay to be translated)."""
    text = {}
    for lang in languages:
        if ui := ui_language(lang):
            text[lang] = translations(ui).gettext(label)
    return {"key": key, "text": text, "correct": correct, "feedback": {}}
