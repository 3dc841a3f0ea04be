"""What a SCO's CMI data means to the service: its status, whether it satisfies the activity, and where the next
launch starts. Pure functions over the flattened CMI data scorm-again commits (``{"cmi.core.lesson_status": ...}``).

SCORM 1.2 has one ``cmi.core.lesson_status``; SCORM 2004 splits it into ``cmi.completion_status`` and
``cmi.success_status``. Both are read into one :class:`Outcome` (completion, success, score), judged by the unit's
mastery score the way each specification lets an LMS judge it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import msgspec

Format = Literal["scorm12", "scorm2004"]
Completion = Literal["completed", "incomplete", "unknown"]
Success = Literal["passed", "failed", "unknown"]

# The flag scorm-again adds to the commit Terminate / LMSFinish sends (its ``terminateCommitPayloadField`` setting).
TERMINATED_FIELD = "lms_terminated"

_LESSON_STATUS: dict[str, tuple[Completion, Success]] = {
    "passed": ("completed", "passed"),
    "completed": ("completed", "unknown"),
    "failed": ("completed", "failed"),
    "incomplete": ("incomplete", "unknown"),
    "browsed": ("incomplete", "unknown"),
    "not attempted": ("unknown", "unknown"),
}
_SUCCESS_STATUS: dict[str, Success] = {"passed": "passed", "failed": "failed"}
_COMPLETION_STATUS: dict[str, Completion] = {
    "completed": "completed",
    "incomplete": "incomplete",
    "not attempted": "incomplete",
    "unknown": "unknown",
}


class Score(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An xAPI score: ``scaled`` in -1..1, ``raw`` within ``min``..``max`` when they are given."""

    scaled: float | None = None
    raw: float | None = None
    min: float | None = None
    max: float | None = None


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    completion: Completion = "unknown"
    success: Success = "unknown"
    score: Score | None = None
    exit: str | None = None  # cmi.core.exit / cmi.exit as the SCO left it ("suspend", "logout", "normal", "")
    session_time: str | None = None  # ISO 8601 duration of the session, when the SCO reported one
    terminated: bool = False  # this commit came from Terminate / LMSFinish


class AttemptState(msgspec.Struct, frozen=True, kw_only=True):
    """The worker's latest attempt at a unit, as the next launch needs it."""

    number: int
    completion: Completion
    success: Success
    exit: str | None  # None: the SCO never terminated (window closed, phone locked, battery)
    has_data: bool  # anything was committed


class LaunchPlan(msgspec.Struct, frozen=True, kw_only=True):
    new_attempt: bool
    number: int
    entry: Literal["ab-initio", "resume", ""]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip():
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _text(cmi: dict[str, Any], key: str) -> str:
    value = cmi.get(key)
    return value.strip() if isinstance(value, str) else ""


def _score(scaled: float | None, raw: float | None, low: float | None, high: float | None) -> Score | None:
    """Only what xAPI accepts: a range with min below max, raw inside it, scaled in -1..1 (derived from raw when the
    SCO gave none: SCORM 1.2 scores are 0..100 unless it says otherwise)."""
    if low is not None and high is not None and low >= high:
        low = high = None
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raw = None
    if scaled is None and raw is not None:
        if low is not None and high is not None:
            scaled = (raw - low) / (high - low)
        elif 0 <= raw <= 100 and low is None and high is None:
            scaled = raw / 100
    if scaled is not None and not -1 <= scaled <= 1:
        scaled = None
    if scaled is None and raw is None:
        return None
    return Score(scaled=None if scaled is None else round(scaled, 4), raw=raw, min=low, max=high)


_HMS = re.compile(r"^(\d{1,4}):([0-5]?\d):([0-5]?\d(?:\.\d{1,2})?)$")
_ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$")


def iso_duration(value: str) -> str | None:
    """SCORM 1.2's ``HHHH:MM:SS.SS`` or SCORM 2004's ISO 8601 duration as an xAPI duration; None for anything else."""
    value = value.strip()
    if match := _HMS.match(value):
        hours, minutes, seconds = int(match[1]), int(match[2]), float(match[3])
        return f"PT{hours}H{minutes}M{seconds:g}S"
    return value if _ISO_DURATION.match(value) else None


def read_outcome(
    fmt: Format, cmi: dict[str, Any], *, mastery: float | None, completion_threshold: float | None = None
) -> Outcome:
    """The SCO's status as the service judges it. ``mastery`` is the unit's mastery score on 0..1 (SCORM 1.2
    ``adlcp:masteryscore`` / 100, SCORM 2004 the scaled passing score), None when the manifest gives none."""
    terminated = cmi.get(TERMINATED_FIELD) is True
    if fmt == "scorm12":
        completion, success = _LESSON_STATUS.get(_text(cmi, "cmi.core.lesson_status"), ("unknown", "unknown"))
        raw = _number(cmi.get("cmi.core.score.raw"))
        score = _score(None, raw, _number(cmi.get("cmi.core.score.min")), _number(cmi.get("cmi.core.score.max")))
        # SCORM 1.2 RTE 3.4.4: with a mastery score, the LMS judges a finished SCO's score itself.
        if mastery is not None and raw is not None and completion == "completed":
            success = "passed" if raw >= mastery * 100 else "failed"
        exit_key, time_key = "cmi.core.exit", "cmi.core.session_time"
    else:
        completion = _COMPLETION_STATUS.get(_text(cmi, "cmi.completion_status"), "unknown")
        progress = _number(cmi.get("cmi.progress_measure"))
        if completion_threshold is not None and progress is not None:  # RTE 4.2.4.1: the threshold decides
            completion = "completed" if progress >= completion_threshold else "incomplete"
        status = _text(cmi, "cmi.success_status")
        success = _SUCCESS_STATUS.get(status, "unknown")
        scaled = _number(cmi.get("cmi.score.scaled"))
        if mastery is not None and scaled is not None:  # RTE 4.2.22: the scaled passing score decides
            success = "passed" if scaled >= mastery else "failed"
        score = _score(
            scaled,
            _number(cmi.get("cmi.score.raw")),
            _number(cmi.get("cmi.score.min")),
            _number(cmi.get("cmi.score.max")),
        )
        exit_key, time_key = "cmi.exit", "cmi.session_time"
    exit_value = cmi.get(exit_key)
    return Outcome(
        completion=completion,
        success=success,
        score=score,
        terminated=terminated,
        exit=exit_value.strip() if terminated and isinstance(exit_value, str) else None,
        session_time=iso_duration(_text(cmi, time_key)) if _text(cmi, time_key) else None,
    )


def satisfies(outcome: Outcome, *, mastery: float | None) -> bool:
    """Whether the unit counts as done for the course: passed always does; with a mastery score only passing does;
    without one, completed does unless it failed (SCORM 1.2 ``completed``/``passed``; SCORM 2004 ``completed`` and
    not ``failed``, or ``passed``)."""
    if outcome.success == "passed":
        return True
    if mastery is not None:
        return False
    return outcome.completion == "completed" and outcome.success != "failed"


def plan_launch(fmt: Format, last: AttemptState | None) -> LaunchPlan:
    """Where the next launch starts.

    - No attempt yet: attempt 1, ``ab-initio``.
    - The SCO left with ``suspend``: the same attempt, ``resume`` (its suspend_data and location come back).
    - It never terminated (the phone was locked, the window closed) but committed something: the same attempt,
      ``resume``, so nothing she did is lost; with nothing committed it starts again ``ab-initio``.
    - SCORM 2004, any other exit: that attempt is over (RTE 4.2.8), a new one starts ``ab-initio``.
    - SCORM 1.2, any other exit: a new attempt once the SCO finished (completed, passed or failed); otherwise the
      same attempt goes on with entry ``""`` and its data.
    """
    if last is None:
        return LaunchPlan(new_attempt=True, number=1, entry="ab-initio")
    same = last.number
    if last.exit == "suspend":
        return LaunchPlan(new_attempt=False, number=same, entry="resume")
    if last.exit is None:
        return LaunchPlan(new_attempt=False, number=same, entry="resume" if last.has_data else "ab-initio")
    if fmt == "scorm2004" or last.completion == "completed":
        return LaunchPlan(new_attempt=True, number=same + 1, entry="ab-initio")
    return LaunchPlan(new_attempt=False, number=same, entry="")


# What a resumed SCO gets back of its own data (the rest is the LMS's to set, or write-only).
_KEPT = {
    "scorm12": (
        "cmi.core.lesson_location",
        "cmi.core.lesson_status",
        "cmi.core.score.raw",
        "cmi.core.score.min",
        "cmi.core.score.max",
        "cmi.core.total_time",
        "cmi.suspend_data",
    ),
    "scorm2004": (
        "cmi.location",
        "cmi.completion_status",
        "cmi.success_status",
        "cmi.progress_measure",
        "cmi.score.scaled",
        "cmi.score.raw",
        "cmi.score.min",
        "cmi.score.max",
        "cmi.total_time",
        "cmi.suspend_data",
    ),
}


def initial_cmi(
    fmt: Format,
    *,
    learner_id: str,
    learner_name: str,
    language: str,
    entry: str,
    saved: dict[str, Any],
    mastery: float | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """The flattened CMI data a launch starts with (scorm-again's ``loadFromFlattenedJSON``): who she is, the
    manifest's data for the SCO, and, unless the attempt starts ab-initio, the SCO's own saved data."""
    kept = {} if entry == "ab-initio" else {k: saved[k] for k in _KEPT[fmt] if saved.get(k) not in (None, "")}
    launch_data = extra.get("datafromlms") or ""
    if fmt == "scorm12":
        data: dict[str, Any] = {
            "cmi.core.student_id": learner_id,
            "cmi.core.student_name": learner_name,
            "cmi.core.entry": entry,
            "cmi.core.lesson_mode": "normal",
            "cmi.core.credit": "credit",
            "cmi.student_preference.language": language,
        }
        if launch_data:
            data["cmi.launch_data"] = launch_data
        if mastery is not None:
            data["cmi.student_data.mastery_score"] = f"{mastery * 100:g}"
        if extra.get("maxtimeallowed"):
            data["cmi.student_data.max_time_allowed"] = extra["maxtimeallowed"]
        if extra.get("timelimitaction"):
            data["cmi.student_data.time_limit_action"] = extra["timelimitaction"]
        return {**data, **kept}
    data = {
        "cmi.learner_id": learner_id,
        "cmi.learner_name": learner_name,
        "cmi.entry": entry,
        "cmi.mode": "normal",
        "cmi.credit": "credit",
        "cmi.learner_preference.language": language,
    }
    if launch_data:
        data["cmi.launch_data"] = launch_data
    if mastery is not None:
        data["cmi.scaled_passing_score"] = f"{mastery:g}"
    threshold = completion_threshold_of(extra)
    if threshold is not None:
        data["cmi.completion_threshold"] = f"{threshold:g}"
    if extra.get("maxtimeallowed"):
        data["cmi.max_time_allowed"] = extra["maxtimeallowed"]
    if extra.get("timelimitaction"):
        data["cmi.time_limit_action"] = extra["timelimitaction"]
    return {**data, **kept}


def mastery_of(fmt: Format, mastery_score: float | None, extra: dict[str, Any]) -> float | None:
    """The unit's mastery score as the runtime uses it: SCORM 2004's minNormalizedMeasure counts only when the
    primary objective is satisfied by measure (IMS SS); SCORM 1.2's masteryscore always."""
    if fmt == "scorm2004" and not extra.get("satisfied_by_measure"):
        return None
    return mastery_score


def completion_threshold_of(extra: dict[str, Any]) -> float | None:
    value = _number(extra.get("completion_threshold"))
    return value if value is not None and 0 <= value <= 1 else None
