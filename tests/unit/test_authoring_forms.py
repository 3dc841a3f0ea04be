"""The authoring forms without I/O: three-way merging of two authors' fields, and the structure buttons."""

from __future__ import annotations

import pytest

from lms.authoring.merge import digest, merge, read_digest
from lms.authoring.structure import activity_op, course_op
from lms.errors import Invalid


def test_a_merge_keeps_her_changes_takes_theirs_and_names_what_both_changed():
    shown = {"title.en": "Old", "title.es": "Viejo", "summary.en": "Sum", "module.m.en": "Mod"}
    stored = {"title.en": "Theirs", "title.es": "Viejo", "summary.en": "Their sum", "module.m.en": "Mod"}
    hers = {"title.en": "Old", "title.es": "Mío", "summary.en": "My sum", "module.m.en": "Mod"}
    result = merge(hers, read_digest(digest(shown)), stored)
    assert result.values == {"title.en": "Theirs", "title.es": "Mío", "summary.en": "My sum", "module.m.en": "Mod"}
    assert result.theirs == ["summary.en", "title.en"]
    assert result.both == {"summary.en": "Their sum"}


def test_text_removed_by_the_other_author_is_handed_back_not_dropped():
    shown = {"q.q-1.prompt.en": "Why?"}
    result = merge({"q.q-1.prompt.en": "Why, exactly?"}, read_digest(digest(shown)), {})
    assert result.orphans == {"q.q-1.prompt.en": "Why, exactly?"}


def test_a_broken_digest_is_read_as_nothing_shown():
    assert read_digest("not json") == {} and read_digest("[1]") == {}


def _course():
    return {
        "languages": ["en", "es"],
        "modules": [
            {
                "key": "a",
                "title": {},
                "activities": [{"kind": "lesson", "key": "l1"}, {"kind": "quiz", "key": "q1", "questions": []}],
            },
            {"key": "b", "title": {}, "activities": [{"kind": "package", "key": "p1"}]},
        ],
    }


def test_activities_of_any_kind_move_across_modules_and_new_keys_are_fresh():
    raw = _course()
    course_op(raw, "activity-up:p1")  # a content package moves like any activity
    assert [a["key"] for a in raw["modules"][0]["activities"]] == ["l1", "q1", "p1"] and raw["modules"][1][
        "activities"
    ] == []
    course_op(raw, "activity-down:p1")
    assert raw["modules"][1]["activities"][0]["key"] == "p1"
    assert course_op(raw, "activity-add:b:lesson") == "lesson-1"
    assert course_op(raw, "activity-add:b:lesson") == "lesson-2"
    with pytest.raises(Invalid):
        course_op(raw, "activity-add:b:video-game")


def test_a_true_false_question_is_written_in_each_language_with_true_correct():
    raw = _course()
    activity_op(raw, "q1", "question-add-tf", ["en", "es", "ko"])
    question = raw["modules"][0]["activities"][1]["questions"][0]
    assert [c["text"] for c in question["choices"]] == [
        {"en": "True", "es": "Verdadero"},
        {"en": "False", "es": "Falso"},
    ]
    assert [c["correct"] for c in question["choices"]] == [True, False]
