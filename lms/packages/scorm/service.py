"""SCORM use cases: launching a SCO (an attempt opened or resumed, a launch token made) and taking its commits (CMI data
stored per attempt, statements in the LRS, the unit satisfied toward course completion)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.catalog import queries as catalog
from lms.catalog.language import pick
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_
from lms.packages import queries as packages
from lms.packages.content import content_url
from lms.packages.scorm import queries
from lms.packages.scorm.cmi import (
    TERMINATED_FIELD,
    AttemptState,
    LaunchPlan,
    completion_threshold_of,
    initial_cmi,
    mastery_of,
    plan_launch,
    read_outcome,
    satisfies,
)
from lms.packages.scorm.schemas import AttemptRow, LaunchConfig, Started
from lms.packages.scorm.statements import commit_verbs, make_statements
from lms.packages.service import record_unit_satisfied
from lms.settings import Settings
from lms.xapi import service as lrs
from lms.xapi.validation import V1

LAUNCH_HOURS = 12
COMMIT_PREFIX = "/content/scorm/"
# CMI data a SCO may commit: its elements (cmi.*, adl.* for SCORM 2004 navigation) and the runtime's terminate flag.
_MAX_VALUE = 64 * 1024  # SCORM 2004's suspend_data is at most 64,000 characters; nothing else is longer


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _state(last: AttemptRow | None) -> AttemptState | None:
    if last is None:
        return None
    return AttemptState(
        number=last.number, completion=last.completion, success=last.success, exit=last.exit, has_data=bool(last.cmi)
    )


async def launch(
    conn: asyncpg.Connection, *, user: CurrentUser, code: str, version: int, key: str, language: str, settings: Settings
) -> Started:
    """Her launch of a SCORM activity: the attempt it continues or starts (plan_launch), a token only this launch's
    page knows, and ``attempted`` or ``resumed`` in the LRS."""
    activity = await catalog.activity_page(conn, code=code, version=version, key=key)
    if activity is None or activity.kind != "package":
        raise NotFound(
            N_("no package activity %(key)s in %(code)s v%(version)s"),
            params={"key": key, "code": code, "version": version},
            field="key",
        )
    unit = await packages.launch_unit(conn, activity_id=activity.id, user_id=user.id, language=language)
    if unit is None:
        raise Forbidden(N_("enrol in this course first"), field="enrollment")
    if unit.format not in ("scorm12", "scorm2004"):
        raise Invalid(N_("this activity is a cmi5 unit: start it with its cmi5 launch"), field="key")
    last = await queries.lock_latest_attempt(conn, enrollment_id=unit.enrollment_id, activity_id=activity.id)
    if last is not None and (last.package_id, last.unit_id) != (unit.package_id, unit.unit_id):
        # Another language's package (or a re-published unit): its saved data means nothing to this SCO.
        plan = LaunchPlan(new_attempt=True, number=last.number + 1, entry="ab-initio")
    else:
        plan = plan_launch(unit.format, _state(last))
    if plan.new_attempt:
        attempt_id = await queries.start_attempt(
            conn,
            enrollment_id=unit.enrollment_id,
            activity_id=activity.id,
            package_id=unit.package_id,
            unit_id=unit.unit_id,
            number=plan.number,
        )
    else:
        assert last is not None  # plan_launch continues only an attempt there is
        attempt_id = last.id
    token = secrets.token_urlsafe(32)
    await queries.insert_launch(
        conn,
        token_hash=_token_hash(token),
        attempt_id=attempt_id,
        entry=plan.entry,
        language=language,
        expires_at=datetime.now(UTC) + timedelta(hours=LAUNCH_HOURS),
    )
    verb = "attempted" if plan.new_attempt else "resumed" if plan.entry == "resume" else None
    if verb:
        await _record(
            conn,
            [(verb, None)],
            settings=settings,
            user_id=user.id,
            code=code,
            version=version,
            key=key,
            title=activity.title,
            registration=unit.enrollment_id,
            language=unit.language,
            attempt=plan.number,
        )
    title, title_lang = pick(activity.title, unit.language)
    return Started(
        iframe_url=f"{settings.content_origin_url}{COMMIT_PREFIX}{token}",
        title=title,
        title_lang=title_lang,
        back_url=f"/courses/{code}/v/{version}/{key}",
    )


async def launch_config(conn: asyncpg.Connection, *, token: str, settings: Settings) -> LaunchConfig:
    """What the launch page on the content origin starts the runtime with. Anyone holding the token may load it (it
    is the launch's own URL, made for her a moment ago); nothing here reads a cookie."""
    found = await queries.get_launch(conn, token_hash=_token_hash(token))
    if found is None or found.ended_at is not None:
        raise NotFound(N_("this launch has expired: start the activity again from the course"), field="launch")
    mastery = mastery_of(found.format, found.mastery_score, found.extra)
    cmi = initial_cmi(
        found.format,
        learner_id=str(found.user_id),
        learner_name=found.display_name,
        language=found.language,
        entry=found.entry,
        saved=found.cmi,
        mastery=mastery,
        extra=found.extra,
    )
    return LaunchConfig(
        format=found.format,
        cmi=cmi,
        commit_url=f"{COMMIT_PREFIX}{token}/commit",
        sco_url=content_url(
            settings, package_id=found.package_id, path=found.launch, scope=str(found.attempt_id), hours=LAUNCH_HOURS
        ),
        app_origin=_origin(settings.public_base_url),
        terminated_field=TERMINATED_FIELD,
    )


def _checked_cmi(body: Any) -> dict[str, Any]:
    """The commit as the runtime sends it (flattened CMI: element name to value); anything else is a 400."""
    if not isinstance(body, dict):
        raise Invalid(N_("a commit is a JSON object of CMI elements"), field="body")
    cmi: dict[str, Any] = {}
    for name, value in body.items():
        if name == TERMINATED_FIELD:
            continue
        if not name.startswith(("cmi.", "adl.")) or len(name) > 255:
            raise Invalid(N_("%(name)s: not a CMI element"), params={"name": name[:80]}, field=name[:80])
        if value == {} or value == []:  # an empty collection (no objectives, no interactions yet)
            continue
        if value is not None and not isinstance(value, str | int | float | bool):
            raise Invalid(N_("%(name)s: a CMI value is a string or a number"), params={"name": name}, field=name)
        if isinstance(value, str) and len(value) > _MAX_VALUE:
            raise Invalid(
                N_("%(name)s: longer than %(max)s characters"), params={"name": name, "max": _MAX_VALUE}, field=name
            )
        cmi[name] = value
    return cmi


async def commit(conn: asyncpg.Connection, *, token: str, body: Any, settings: Settings) -> None:
    """One commit of the SCO's CMI data: kept as the attempt's data, its status changes recorded as statements, and
    the unit satisfied (then the course completed, in this transaction) once the status says so."""
    cmi = _checked_cmi(body)
    found = await queries.lock_launch(conn, token_hash=_token_hash(token))
    if found is None:
        raise NotFound(N_("this launch has expired: start the activity again from the course"), field="launch")
    if found.terminated_at is not None or found.ended_at is not None:
        raise Conflict(N_("this launch has ended: nothing more is taken from it"), field="launch")
    mastery = mastery_of(found.format, found.mastery_score, found.extra)
    outcome = read_outcome(
        found.format, body, mastery=mastery, completion_threshold=completion_threshold_of(found.extra)
    )
    verbs = commit_verbs(before=(found.completion, found.success), after=outcome, first=found.initialized_at is None)
    await queries.save_commit(
        conn,
        token_hash=_token_hash(token),
        attempt_id=found.attempt_id,
        cmi=cmi,
        completion=outcome.completion,
        success=outcome.success,
        exit=outcome.exit,
        terminated=outcome.terminated,
    )
    await _record(
        conn,
        verbs,
        settings=settings,
        user_id=found.user_id,
        code=found.code,
        version=found.version,
        key=found.activity_key,
        title=found.activity_title,
        registration=found.enrollment_id,
        language=found.language,
        attempt=found.number,
    )
    if satisfies(outcome, mastery=mastery):
        detail: dict[str, Any] = {
            "format": found.format,
            "attempt": found.number,
            "completion": outcome.completion,
            "success": outcome.success,
        }
        if outcome.score and outcome.score.scaled is not None:
            detail["score"] = outcome.score.scaled
        await record_unit_satisfied(
            conn,
            enrollment_id=found.enrollment_id,
            activity_id=found.activity_id,
            detail=detail,
            base_url=settings.public_base_url,
        )


async def _record(
    conn: asyncpg.Connection,
    verbs: list[tuple[str, dict[str, Any] | None]],
    *,
    settings: Settings,
    user_id: UUID,
    code: str,
    version: int,
    key: str,
    title: dict[str, str],
    registration: UUID,
    language: str,
    attempt: int,
) -> None:
    if not verbs:
        return
    base_url = settings.public_base_url
    statements = make_statements(
        verbs,
        base_url=base_url,
        user_id=user_id,
        code=code,
        version=version,
        key=key,
        title=title,
        registration=registration,
        language=language,
        attempt=attempt,
    )
    rows = lrs.check_batch(statements, version=V1, base_url=base_url, caller=None)
    await lrs.store(conn, rows, caller=None, base_url=base_url, listeners=[])
