"""cmi5 §9: which statements an AU may send in its session, and moveOn."""

from __future__ import annotations

import copy
import uuid

import pytest

from lms.packages.cmi5.rules import (
    ADL,
    CMI5_CATEGORY,
    MASTERY_EXT,
    MOVEON_CATEGORY,
    SESSION_EXT,
    Refused,
    SessionState,
    check_statement,
    move_on_met,
)

SESSION = uuid.uuid4()
REGISTRATION = uuid.uuid4()
ACTIVITY = "http://127.0.0.1:8000/cmi5/p/au/1"
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://example.org", "name": "w1"}}
STATE = SessionState(
    session_id=SESSION,
    registration=REGISTRATION,
    activity_id=ACTIVITY,
    actor_key="account:https://example.org w1",
    launch_mode="Normal",
    mastery_score=0.8,
    prefs_read=True,
    initialized=True,
    terminated=False,
    completed=False,
    passed=False,
    failed=False,
)


def statement(verb: str, *, result: dict | None = None, moveon: bool | None = None, cmi5: bool = True) -> dict:
    categories = [{"id": CMI5_CATEGORY}] if cmi5 else []
    if moveon if moveon is not None else verb in ("completed", "passed", "failed"):
        categories.append({"id": MOVEON_CATEGORY})
    extensions = {SESSION_EXT: str(SESSION)}
    if verb in ("passed", "failed"):
        extensions[MASTERY_EXT] = 0.8
    st = {
        "id": str(uuid.uuid4()),
        "timestamp": "2026-12-07T10:00:00.000Z",
        "actor": copy.deepcopy(ACTOR),
        "verb": {"id": ADL + verb},
        "object": {"id": ACTIVITY},
        "context": {
            "registration": str(REGISTRATION),
            "contextActivities": {"category": categories},
            "extensions": extensions,
        },
    }
    if result is not None:
        st["result"] = result
    return st


PASSED = {"success": True, "duration": "PT1S", "score": {"scaled": 0.9}}
COMPLETED = {"completion": True, "duration": "PT1S"}


def test_a_session_runs_initialized_results_terminated():
    state = check_statement(statement("initialized"), STATE.__class__(**{**_fields(STATE), "initialized": False}))
    assert state.initialized
    state = check_statement(statement("experienced", cmi5=False), state)
    state = check_statement(statement("passed", result=PASSED), state)
    state = check_statement(statement("completed", result=COMPLETED), state)
    assert state.passed and state.completed
    state = check_statement(statement("terminated", result={"duration": "PT9S"}), state)
    assert state.terminated
    with pytest.raises(Refused, match="terminated"):
        check_statement(statement("experienced", cmi5=False), state)


def _fields(state: SessionState) -> dict:
    return {name: getattr(state, name) for name in state.__slots__}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda s: s.pop("id"), "id"),
        (lambda s: s.pop("timestamp"), "timestamp"),
        (lambda s: s.update(timestamp="2026-12-07T10:00:00-06:00"), "UTC"),
        (lambda s: s["actor"].update(objectType="Group"), "actor"),
        (lambda s: s.update(actor={"mbox": "mailto:someone@example.org"}), "actor"),
        (lambda s: s["object"].update(id="http://example.com/other"), "object.id"),
        (lambda s: s.pop("context"), "context"),
        (lambda s: s["context"].pop("registration"), "registration"),
        (lambda s: s["context"]["extensions"].pop(SESSION_EXT), "sessionid"),
        (lambda s: s["result"].update(completion=True), "completion"),
        (lambda s: s["result"].update(success=False), "success"),
        (lambda s: s["result"].pop("duration"), "duration"),
        (lambda s: s["result"].update(score={"scaled": 0.79}), "mastery"),
        (lambda s: s["result"].update(score={"raw": 5, "min": 0}), "raw score"),
        (lambda s: s["context"]["contextActivities"]["category"].pop(), "moveOn"),
        (lambda s: s["context"]["extensions"].update({MASTERY_EXT: 0.5}), "masteryscore"),
    ],
)
def test_a_passed_statement_breaking_a_rule_is_refused(change, why):
    sent = statement("passed", result=copy.deepcopy(PASSED))
    change(sent)
    with pytest.raises(Refused, match=why):
        check_statement(sent, STATE)


def test_results_are_once_per_registration_and_failed_never_after_passed():
    state = check_statement(statement("passed", result=PASSED), STATE)
    for verb, result in (("passed", PASSED), ("failed", {"success": False, "duration": "PT1S"})):
        with pytest.raises(Refused):
            check_statement(statement(verb, result=result), state)
    state = check_statement(statement("completed", result=COMPLETED), state)
    with pytest.raises(Refused, match="once per registration"):
        check_statement(statement("completed", result=COMPLETED), state)


def test_what_an_au_may_not_send():
    before_prefs = SessionState(**{**_fields(STATE), "prefs_read": False, "initialized": False})
    with pytest.raises(Refused, match="learner preferences"):
        check_statement(statement("initialized"), before_prefs)
    not_started = SessionState(**{**_fields(STATE), "initialized": False})
    with pytest.raises(Refused, match="initialized first"):
        check_statement(statement("experienced", cmi5=False), not_started)
    with pytest.raises(Refused, match="once per session"):
        check_statement(statement("initialized"), STATE)
    for verb in ("launched", "voided"):
        with pytest.raises(Refused, match="LMS"):
            check_statement(statement(verb, cmi5=False), STATE)
    with pytest.raises(Refused, match="moveOn"):
        check_statement(statement("experienced", cmi5=False, moveon=True), STATE)
    with pytest.raises(Refused, match="moveOn"):
        check_statement(statement("terminated", result={"duration": "PT1S"}, moveon=True), STATE)
    browsing = SessionState(**{**_fields(STATE), "launch_mode": "Browse"})
    with pytest.raises(Refused, match="Browse"):
        check_statement(statement("completed", result=COMPLETED), browsing)


@pytest.mark.parametrize(
    ("move_on", "completed", "passed", "met"),
    [
        ("Completed", True, False, True),
        ("Completed", False, True, False),
        ("Passed", False, True, True),
        ("Passed", True, False, False),
        ("CompletedAndPassed", True, False, False),
        ("CompletedAndPassed", True, True, True),
        ("CompletedOrPassed", False, True, True),
        ("CompletedOrPassed", False, False, False),
        ("NotApplicable", False, False, True),
    ],
)
def test_move_on(move_on, completed, passed, met):
    assert move_on_met(move_on, completed=completed, passed=passed) is met
