"""The publish summary names each quiz question added, removed or changed, and what changed in it."""

from __future__ import annotations

from lms.authoring.question_changes import question_changes


def _q(key: str, prompt: str, correct: str = "a", feedback: str = "") -> dict:
    return {
        "key": key,
        "prompt": {"en": prompt},
        "choices": [
            {
                "key": k,
                "text": {"en": k.upper()},
                "correct": k == correct,
                "feedback": {"en": feedback} if feedback else {},
            }
            for k in ("a", "b")
        ],
    }


def test_added_removed_and_changed_questions_are_named_with_what_changed():
    old = {"questions": [_q("q1", "One"), _q("q2", "Two"), _q("q3", "Three"), _q("q4", "Four")]}
    new = {"questions": [_q("q1", "One "), _q("q2", "Two, reworded"), _q("q3", "Three", correct="b"), _q("q5", "Five")]}
    new["questions"][0]["choices"][1]["feedback"] = {"en": "Look again"}
    changes = {c.key: (c.change, c.fields) for c in question_changes(old, new)}
    assert changes == {
        "q1": ("changed", ["feedback"]),  # a trailing space is not a change
        "q2": ("changed", ["prompt"]),
        "q3": ("changed", ["answer"]),
        "q5": ("added", []),
        "q4": ("removed", []),
    }


def test_unchanged_questions_are_left_out_and_a_reorder_is_named():
    old = {"questions": [_q("q1", "One"), _q("q2", "Two")]}
    assert question_changes(old, old) == []
    swapped = question_changes(old, {"questions": [_q("q2", "Two"), _q("q1", "One")]})
    assert {(c.key, c.change, tuple(c.fields)) for c in swapped} == {
        ("q2", "changed", ("position",)),
        ("q1", "changed", ("position",)),
    }
