"""SCORM CMI data → status, satisfaction, the next launch's attempt and entry, and the statements a commit earns."""

from __future__ import annotations

import uuid

import pytest

from lms.packages.scorm.cmi import (
    TERMINATED_FIELD,
    AttemptState,
    LaunchPlan,
    Outcome,
    Score,
    initial_cmi,
    iso_duration,
    mastery_of,
    plan_launch,
    read_outcome,
    satisfies,
)
from lms.packages.scorm.statements import commit_verbs, make_statements
from lms.xapi.iris import activity_iri
from lms.xapi.service import check_batch
from lms.xapi.validation import V1


@pytest.mark.parametrize(
    ("status", "completion", "success", "done"),
    [
        ("passed", "completed", "passed", True),
        ("completed", "completed", "unknown", True),
        ("failed", "completed", "failed", False),
        ("incomplete", "incomplete", "unknown", False),
        ("browsed", "incomplete", "unknown", False),
        ("not attempted", "unknown", "unknown", False),
        ("", "unknown", "unknown", False),
    ],
)
def test_scorm12_lesson_status(status, completion, success, done):
    outcome = read_outcome("scorm12", {"cmi.core.lesson_status": status}, mastery=None)
    assert (outcome.completion, outcome.success) == (completion, success)
    assert satisfies(outcome, mastery=None) is done


def test_scorm12_mastery_score_judges_a_finished_sco():
    below = read_outcome("scorm12", {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "70"}, mastery=0.8)
    assert below.success == "failed" and not satisfies(below, mastery=0.8)
    above = read_outcome("scorm12", {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "85"}, mastery=0.8)
    assert above.success == "passed" and satisfies(above, mastery=0.8)
    assert above.score == Score(scaled=0.85, raw=85.0)
    # Still working: a score on the way is not a verdict.
    going = read_outcome("scorm12", {"cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "90"}, mastery=0.8)
    assert going.success == "unknown" and not satisfies(going, mastery=0.8)
    # With a mastery score, completed without a score is not enough.
    assert not satisfies(read_outcome("scorm12", {"cmi.core.lesson_status": "completed"}, mastery=0.8), mastery=0.8)


def test_scorm2004_completion_and_success():
    both = read_outcome(
        "scorm2004",
        {
            "cmi.completion_status": "completed",
            "cmi.success_status": "passed",
            "cmi.score.scaled": "0.9",
            "cmi.score.raw": "9",
            "cmi.score.min": "0",
            "cmi.score.max": "10",
        },
        mastery=None,
    )
    assert (both.completion, both.success) == ("completed", "passed")
    assert both.score == Score(scaled=0.9, raw=9.0, min=0.0, max=10.0)
    assert satisfies(both, mastery=None)
    failed = read_outcome(
        "scorm2004", {"cmi.completion_status": "completed", "cmi.success_status": "failed"}, mastery=None
    )
    assert not satisfies(failed, mastery=None)
    assert satisfies(read_outcome("scorm2004", {"cmi.completion_status": "completed"}, mastery=None), mastery=None)
    assert satisfies(read_outcome("scorm2004", {"cmi.success_status": "passed"}, mastery=None), mastery=None)
    assert not satisfies(read_outcome("scorm2004", {"cmi.completion_status": "incomplete"}, mastery=None), mastery=None)


def test_scorm2004_scaled_passing_score_and_completion_threshold_decide():
    low = read_outcome("scorm2004", {"cmi.success_status": "passed", "cmi.score.scaled": "0.5"}, mastery=0.75)
    assert low.success == "failed" and not satisfies(low, mastery=0.75)
    high = read_outcome("scorm2004", {"cmi.success_status": "unknown", "cmi.score.scaled": "0.8"}, mastery=0.75)
    assert high.success == "passed" and satisfies(high, mastery=0.75)
    partly = read_outcome(
        "scorm2004",
        {"cmi.completion_status": "completed", "cmi.progress_measure": "0.4"},
        mastery=None,
        completion_threshold=0.6,
    )
    assert partly.completion == "incomplete" and not satisfies(partly, mastery=None)
    enough = read_outcome(
        "scorm2004",
        {"cmi.completion_status": "incomplete", "cmi.progress_measure": "0.6"},
        mastery=None,
        completion_threshold=0.6,
    )
    assert enough.completion == "completed"


def test_mastery_counts_in_scorm2004_only_when_satisfied_by_measure():
    assert mastery_of("scorm2004", 0.7, {"satisfied_by_measure": False}) is None
    assert mastery_of("scorm2004", 0.7, {"satisfied_by_measure": True}) == 0.7
    assert mastery_of("scorm12", 0.7, {}) == 0.7


def test_scores_xapi_would_refuse_are_left_out():
    assert read_outcome("scorm12", {"cmi.core.score.raw": "150"}, mastery=None).score == Score(raw=150.0)
    out = read_outcome(
        "scorm2004",
        {"cmi.score.raw": "12", "cmi.score.min": "0", "cmi.score.max": "10", "cmi.score.scaled": "3"},
        mastery=None,
    )
    assert out.score is None
    assert read_outcome("scorm12", {"cmi.core.score.raw": ""}, mastery=None).score is None


def test_exit_and_session_time_are_read_at_terminate():
    mid = read_outcome("scorm12", {"cmi.core.exit": "suspend", "cmi.core.session_time": "00:05:30"}, mastery=None)
    assert mid.exit is None and not mid.terminated and mid.session_time == "PT0H5M30S"
    end = read_outcome(
        "scorm2004", {"cmi.exit": "suspend", "cmi.session_time": "PT1M2.5S", TERMINATED_FIELD: True}, mastery=None
    )
    assert end.terminated and end.exit == "suspend" and end.session_time == "PT1M2.5S"
    assert read_outcome("scorm2004", {TERMINATED_FIELD: True}, mastery=None).exit is None
    assert read_outcome("scorm2004", {"cmi.exit": "", TERMINATED_FIELD: True}, mastery=None).exit == ""
    assert iso_duration("bogus") is None and iso_duration("0000:00:01.5") == "PT0H0M1.5S"


def _last(fmt_completion="incomplete", exit=None, has_data=True, number=1):
    return AttemptState(number=number, completion=fmt_completion, success="unknown", exit=exit, has_data=has_data)


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_first_launch_suspend_and_abandoned_attempts(fmt):
    assert plan_launch(fmt, None) == LaunchPlan(new_attempt=True, number=1, entry="ab-initio")
    suspended = plan_launch(fmt, _last(exit="suspend", number=2))
    assert (suspended.new_attempt, suspended.number, suspended.entry) == (False, 2, "resume")
    closed = plan_launch(fmt, _last(exit=None))
    assert (closed.new_attempt, closed.entry) == (False, "resume")
    empty = plan_launch(fmt, _last(exit=None, has_data=False))
    assert (empty.new_attempt, empty.entry) == (False, "ab-initio")


def test_scorm2004_attempt_ends_without_suspend():
    for exit in ("", "normal", "logout", "time-out"):
        plan = plan_launch("scorm2004", _last(exit=exit, number=3))
        assert (plan.new_attempt, plan.number, plan.entry) == (True, 4, "ab-initio")


def test_scorm12_attempt_goes_on_until_the_sco_finishes():
    going = plan_launch("scorm12", _last("incomplete", exit=""))
    assert (going.new_attempt, going.number, going.entry) == (False, 1, "")
    done = plan_launch("scorm12", _last("completed", exit=""))
    assert (done.new_attempt, done.number, done.entry) == (True, 2, "ab-initio")


def test_initial_cmi_gives_back_her_data_only_when_resuming():
    saved = {
        "cmi.suspend_data": "page=3",
        "cmi.core.lesson_location": "p3",
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.session_time": "00:01:00",
        "cmi.core.total_time": "0000:01:00.00",
    }
    resumed = initial_cmi(
        "scorm12",
        learner_id="u1",
        learner_name="Ana",
        language="es",
        entry="resume",
        saved=saved,
        mastery=0.8,
        extra={"datafromlms": "level=2"},
    )
    assert resumed["cmi.core.entry"] == "resume" and resumed["cmi.suspend_data"] == "page=3"
    assert resumed["cmi.core.lesson_location"] == "p3" and resumed["cmi.core.total_time"] == "0000:01:00.00"
    assert "cmi.core.session_time" not in resumed  # write-only: never handed back
    assert resumed["cmi.student_data.mastery_score"] == "80" and resumed["cmi.launch_data"] == "level=2"
    fresh = initial_cmi(
        "scorm2004",
        learner_id="u1",
        learner_name="Ana",
        language="es",
        entry="ab-initio",
        saved={"cmi.suspend_data": "x", "cmi.location": "p9"},
        mastery=0.6,
        extra={"completion_threshold": "0.5"},
    )
    assert fresh["cmi.entry"] == "ab-initio" and "cmi.suspend_data" not in fresh and "cmi.location" not in fresh
    assert fresh["cmi.scaled_passing_score"] == "0.6" and fresh["cmi.completion_threshold"] == "0.5"
    assert fresh["cmi.learner_preference.language"] == "es"


def test_each_status_change_is_one_statement():
    first = commit_verbs(before=("unknown", "unknown"), after=Outcome(completion="incomplete"), first=True)
    assert [v for v, _ in first] == ["initialized"]
    done = Outcome(
        completion="completed",
        success="passed",
        score=Score(scaled=0.9, raw=9.0, min=0.0, max=10.0),
        terminated=True,
        exit="",
        session_time="PT3M",
    )
    verbs = commit_verbs(before=("incomplete", "unknown"), after=done, first=False)
    assert [v for v, _ in verbs] == ["completed", "passed", "terminated"]
    assert verbs[1][1] == {
        "success": True,
        "completion": True,
        "score": {"scaled": 0.9, "raw": 9.0, "min": 0.0, "max": 10.0},
    }
    assert verbs[2][1] == {"duration": "PT3M"}
    # The same status committed again earns nothing new.
    again = Outcome(completion="completed", success="passed")
    assert commit_verbs(before=("completed", "passed"), after=again, first=False) == []
    suspended = Outcome(completion="incomplete", terminated=True, exit="suspend")
    assert [v for v, _ in commit_verbs(before=("incomplete", "unknown"), after=suspended, first=False)] == ["suspended"]
    failed = Outcome(completion="completed", success="failed")
    assert commit_verbs(before=("completed", "unknown"), after=failed, first=False) == [
        ("failed", {"success": False, "completion": True})
    ]


def test_statements_are_valid_xapi_about_her_registration():
    base = "http://127.0.0.1:8000"
    registration, user = uuid.uuid4(), uuid.uuid4()
    verbs = commit_verbs(
        before=("unknown", "unknown"),
        first=True,
        after=Outcome(
            completion="completed",
            success="passed",
            score=Score(scaled=0.5, raw=50.0),
            terminated=True,
            exit="",
            session_time="PT0H5M30S",
        ),
    )
    statements = make_statements(
        verbs,
        base_url=base,
        user_id=user,
        code="MA-101",
        version=2,
        key="sco-1",
        title={"es": "Lección"},
        registration=registration,
        language="es",
        attempt=1,
    )
    rows = check_batch(statements, version=V1, base_url=base, caller=None)  # the LRS's own checks: raises if invalid
    assert len(rows) == 4
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in statements] == [
        "initialized",
        "completed",
        "passed",
        "terminated",
    ]
    for s in statements:
        assert s["actor"]["account"] == {"homePage": base, "name": str(user)}
        assert s["context"]["registration"] == str(registration)
        assert s["object"]["id"] == activity_iri(base, "MA-101", 2, "sco-1")
