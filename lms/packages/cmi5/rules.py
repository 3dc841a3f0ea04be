"""What an AU may send in its session (cmi5 §9): the LMS refuses the rest with 403 (pure functions, no I/O).

A statement with the cmi5 category is "cmi5 defined" (initialized, completed, passed, failed, terminated, with the
rules on result, score, moveOn category and order of §9.3 and §9.5); any other statement is "cmi5 allowed", between
initialized and terminated. Every statement is about the launch's actor, in its registration and session.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from lms.xapi.validation import identity

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
EXT = "https://w3id.org/xapi/cmi5/context/extensions/"
SESSION_EXT = EXT + "sessionid"
MASTERY_EXT = EXT + "masteryscore"

INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED = (
    ADL + v for v in ("initialized", "completed", "passed", "failed", "terminated")
)
AU_VERBS = frozenset({INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED})
MOVEON_VERBS = frozenset({COMPLETED, PASSED, FAILED})
# Only the LMS says these (and nobody but the LMS voids a statement of a cmi5 session).
LMS_VERBS = frozenset(
    {ADL + "launched", ADL + "voided", ADL_W3ID + "satisfied", ADL_W3ID + "waived", ADL_W3ID + "abandoned"}
)


class Refused(Exception):
    """A statement the session may not send; the message says which rule."""


@dataclass(frozen=True, slots=True)
class SessionState:
    session_id: UUID
    registration: UUID
    activity_id: str
    actor_key: str
    launch_mode: str
    mastery_score: float | None
    prefs_read: bool
    initialized: bool
    terminated: bool
    completed: bool  # in the registration
    passed: bool  # in the registration
    failed: bool  # in this session


def _dict(value: Any) -> dict[str, Any]:
    """A part of the statement as an object (the LRS has checked its shape for xAPI; cmi5's rules run first)."""
    return value if isinstance(value, dict) else {}


def _categories(context: dict[str, Any]) -> set[str]:
    found = _dict(context.get("contextActivities")).get("category") or []
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list):
        return set()
    return {a["id"] for a in found if isinstance(a, dict) and isinstance(a.get("id"), str)}


def _is_utc(timestamp: str) -> bool:
    return timestamp.endswith(("Z", "z", "+00:00", "+0000", "+00"))


def _check_result(verb: str, result: dict[str, Any], state: SessionState, context: dict[str, Any]) -> None:
    name = verb.rsplit("/", 1)[-1]
    if verb in (COMPLETED, PASSED, FAILED, TERMINATED) and not result.get("duration"):
        raise Refused(f"{name}: result.duration is required")
    if verb == COMPLETED:
        if result.get("completion") is not True:
            raise Refused("completed: result.completion must be true")
        if "success" in result or "score" in result:
            raise Refused("completed: result.success and result.score do not belong in a completed statement")
    if verb in (PASSED, FAILED):
        if result.get("success") is not (verb == PASSED):
            raise Refused(f"{name}: result.success must be {'true' if verb == PASSED else 'false'}")
        if "completion" in result:
            raise Refused(f"{name}: result.completion does not belong in a {name} statement")
        score = _dict(result.get("score"))
        if "raw" in score and ("min" not in score or "max" not in score):
            raise Refused(f"{name}: a raw score needs its min and max")
        if state.mastery_score is not None:
            if _dict(context.get("extensions")).get(MASTERY_EXT) != state.mastery_score:
                raise Refused(f"{name}: context extension masteryscore must be the launch's {state.mastery_score}")
            scaled = score.get("scaled")
            if isinstance(scaled, int | float) and (scaled >= state.mastery_score) is not (verb == PASSED):
                raise Refused(
                    f"{name}: the scaled score {scaled} does not agree with the mastery score {state.mastery_score}"
                )


def check_statement(statement: dict[str, Any], state: SessionState) -> SessionState:
    """The session's state after this statement; Refused when the AU may not send it."""
    if state.terminated:
        raise Refused("the session has terminated")
    if not statement.get("id"):
        raise Refused("a statement in a cmi5 session carries its id")
    timestamp = statement.get("timestamp")
    if not isinstance(timestamp, str):
        raise Refused("a statement in a cmi5 session carries its timestamp")
    if not _is_utc(timestamp):
        raise Refused("timestamp: give it in UTC")
    actor = _dict(statement.get("actor"))
    account = _dict(actor.get("account"))
    if (
        actor.get("objectType", "Agent") != "Agent"
        or not isinstance(account.get("homePage"), str)
        or not isinstance(account.get("name"), str)
        or identity(actor) != state.actor_key
    ):
        raise Refused("actor: statements of this session are about the launched actor (an Agent with its account)")
    verb_id = _dict(statement.get("verb")).get("id")
    verb = verb_id if isinstance(verb_id, str) else ""  # no cmi5 verb: the LRS's own check refuses it afterwards
    if verb in LMS_VERBS:
        raise Refused(f"verb: {verb} is the LMS's to send")
    context = statement.get("context")
    if not isinstance(context, dict):
        raise Refused("context: registration and session id are required")
    if str(context.get("registration", "")).lower() != str(state.registration):
        raise Refused("context.registration: must be the launch's registration")
    if _dict(context.get("extensions")).get(SESSION_EXT) != str(state.session_id):
        raise Refused("context.extensions: the sessionid extension must be this session's")
    categories = _categories(context)
    defined = CMI5_CATEGORY in categories
    if defined != (verb in AU_VERBS):
        raise Refused("a cmi5 verb goes with the cmi5 category, and the cmi5 category only with a cmi5 verb")
    if (MOVEON_CATEGORY in categories) != (verb in MOVEON_VERBS):
        raise Refused("the moveOn category goes with completed, passed and failed, and they need it")
    if not state.prefs_read:
        raise Refused("read the learner preferences (agent profile cmi5LearnerPreferences) first")
    if verb == INITIALIZED:
        if state.initialized:
            raise Refused("initialized: once per session")
    elif not state.initialized:
        raise Refused("send initialized first")
    if not defined:
        return state
    target = _dict(statement.get("object"))
    if target.get("objectType", "Activity") != "Activity" or target.get("id") != state.activity_id:
        raise Refused("object.id: cmi5 statements are about the launch's activityId")
    _check_result(verb, _dict(statement.get("result")), state, context)
    if verb in MOVEON_VERBS and state.launch_mode != "Normal":
        raise Refused(f"launchMode {state.launch_mode}: completed, passed and failed are not recorded")
    if verb == COMPLETED:
        if state.completed:
            raise Refused("completed: once per registration")
        return replace(state, completed=True)
    if verb == PASSED:
        if state.passed or state.failed:
            raise Refused("passed: once per registration, and not after failed in the same session")
        return replace(state, passed=True)
    if verb == FAILED:
        if state.passed or state.failed:
            raise Refused("failed: not after passed, and once per session")
        return replace(state, failed=True)
    if verb == INITIALIZED:
        return replace(state, initialized=True)
    return replace(state, terminated=True)


MOVE_ON_MET = {
    "Completed": lambda completed, passed: completed,
    "Passed": lambda completed, passed: passed,
    "CompletedAndPassed": lambda completed, passed: completed and passed,
    "CompletedOrPassed": lambda completed, passed: completed or passed,
    "NotApplicable": lambda completed, passed: True,
}


def move_on_met(move_on: str | None, *, completed: bool, passed: bool) -> bool:
    """cmi5 §9.3.9 / moveOn: whether an AU counts as satisfied."""
    return MOVE_ON_MET.get(move_on or "NotApplicable", MOVE_ON_MET["NotApplicable"])(completed, passed)
