"""Launching a cmi5 AU (§8, §10, §11) and what the LMS does as a registration goes on (§9.3: satisfied, abandoned,
waived), each in the caller's transaction.

A launch: the registration locked, sessions of it left open abandoned, AUs with moveOn NotApplicable satisfied, a new
session with a one-time fetch URL, ``LMS.LaunchData`` and the learner preferences written, then ``launched``. A unit
satisfied (moveOn met, or waived) is said once, then each block and the course it completes, and for a worker's
enrolment the course activity counts as done (lms.packages.service.record_unit_satisfied).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.secrets import token_hash
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_
from lms.packages import queries as package_queries
from lms.packages import service as packages
from lms.packages.cmi5 import queries, statements
from lms.packages.cmi5.rules import move_on_met
from lms.packages.cmi5.schemas import AuRow, Launch
from lms.packages.content import content_url
from lms.packages.schemas import LaunchUnit
from lms.settings import Settings
from lms.xapi.documents import DocKey, put_trusted
from lms.xapi.launch import LAUNCH_KEY_PREFIX
from lms.xapi.service import store_trusted
from lms.xapi.validation import StatementChecker, identity

LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"
NO_REGISTRATION = UUID(int=0)


def checked_actor(actor: dict[str, Any]) -> str:
    """cmi5 §9.2: the actor is an Agent identified by an account -> its identity text; 400 otherwise."""
    StatementChecker("1.0.3").agent(actor, "actor")
    if actor.get("objectType", "Agent") != "Agent" or "account" not in actor:
        raise Invalid(N_("actor: cmi5 launches an Agent identified by an account"), field="actor")
    key = identity(actor)
    assert key is not None
    return key


def _with_launch_parameters(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


async def _store(conn: asyncpg.Connection, statement: dict[str, Any], base_url: str) -> None:
    await store_trusted(conn, statement, base_url=base_url)


async def launch(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    au: AuRow,
    actor: dict[str, Any],
    registration_id: UUID | None,
    user_id: UUID | None = None,
    enrollment_id: UUID | None = None,
    version_activity_id: UUID | None = None,
    launch_mode: str = "Normal",
    return_url: str | None = None,
    language: str = "en",
) -> Launch:
    base = settings.public_base_url.rstrip("/")
    actor_key = checked_actor(actor)
    registration_id = registration_id or uuid.uuid4()
    await queries.insert_registration(
        conn,
        registration_id=registration_id,
        package_id=au.package_id,
        actor=actor,
        actor_key=actor_key,
        user_id=user_id,
        enrollment_id=enrollment_id,
    )
    registration = await queries.locked_registration(conn, registration_id)
    if registration["package_id"] != au.package_id or registration["actor_key"] != actor_key:
        raise Conflict(N_("registration: it belongs to another course or learner"), field="registration")
    actor = registration["actor"]
    session_id = uuid.uuid4()
    activity_id = statements.au_activity_id(base, au.package_id, au.position)
    await abandon(conn, settings, registration_id=registration_id)
    await satisfy(
        conn,
        settings,
        registration_id=registration_id,
        package_id=au.package_id,
        actor=actor,
        session_id=session_id,
        units=[],
        enrollment_id=registration["enrollment_id"],
    )
    fetch_token = secrets.token_urlsafe(32)
    if au.launch.startswith(("http://", "https://")):
        target = au.launch
    else:
        target = content_url(settings, package_id=au.package_id, path=au.launch, scope=str(session_id))
    url = _with_launch_parameters(
        target,
        {
            "endpoint": f"{base}/xapi",
            "fetch": f"{base}/api/v1/cmi5/fetch/{fetch_token}",
            "actor": msgspec.json.encode(actor).decode(),
            "registration": str(registration_id),
            "activityId": activity_id,
        },
    )
    await queries.insert_session(
        conn,
        session_id=session_id,
        registration_id=registration_id,
        unit_id=au.unit_id,
        activity_id=activity_id,
        version_activity_id=version_activity_id,
        launch_mode=launch_mode,
        launch_url=url,
        fetch_hash=token_hash(fetch_token),
    )
    launch_data: dict[str, Any] = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"id": au.unit_id}]},
            "extensions": {statements.SESSION_EXT: str(session_id)},
        },
        "launchMode": launch_mode,
        "moveOn": au.move_on,
        "launchMethod": "AnyWindow",
    }
    if au.mastery_score is not None:  # an AU's passed and failed carry it (cmi5 §9.6.3.2): in the template, they do
        launch_data["contextTemplate"]["extensions"][statements.MASTERY_EXT] = au.mastery_score
    if return_url:
        launch_data["returnURL"] = return_url
    if au.launch_parameters is not None:
        launch_data["launchParameters"] = au.launch_parameters
    if au.mastery_score is not None:
        launch_data["masteryScore"] = au.mastery_score
    if au.entitlement_key is not None:
        launch_data["entitlementKey"] = {"courseStructure": au.entitlement_key}
    await put_trusted(
        conn, DocKey("state", activity_id, actor_key, registration_id), LAUNCH_DATA, launch_data, user_id=user_id
    )
    # Her language as the service knows it; an AU may not change it (lms/packages/cmi5/lrs.py), so it is written anew.
    await put_trusted(
        conn,
        DocKey("agent_profile", "", actor_key, NO_REGISTRATION),
        PREFERENCES,
        {"languagePreference": language, "audioPreference": "on"},
        user_id=user_id,
    )
    await _store(
        conn,
        statements.launched(
            actor,
            activity_id=activity_id,
            publisher_id=au.unit_id,
            registration=registration_id,
            session_id=session_id,
            launch_mode=launch_mode,
            launch_url=url,
            move_on=au.move_on,
            launch_parameters=au.launch_parameters,
            mastery_score=au.mastery_score,
        ),
        base,
    )
    return Launch(url=url, registration=registration_id, session_id=session_id)


async def launch_for_worker(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    user_id: UUID,
    code: str,
    version: int,
    key: str,
    language: str,
    preference: str,
) -> tuple[Launch, LaunchUnit]:
    """A worker launches her course activity's AU (in her language, or the course's fallback): one registration per
    enrolment and package, her account as the actor, her language as languagePreference."""
    activity = await queries.activity_of(conn, code=code, version=version, key=key)
    if activity is None:
        raise NotFound(N_("There is no activity %(key)s in this course."), field="key", params={"key": key})
    if activity["kind"] != "package":
        raise Invalid(N_("This activity is not an interactive module."), field="key")
    unit = await package_queries.launch_unit(conn, activity_id=activity["id"], user_id=user_id, language=language)
    if unit is None:
        raise Forbidden(N_("Enrol in this course first."), field="enrollment")
    au = await queries.au(conn, package_id=unit.package_id, unit_id=unit.unit_id)
    if au is None:
        raise Invalid(N_("This activity is not an interactive module."), field="key")
    base = settings.public_base_url.rstrip("/")
    registration_id = await queries.registration_of_enrollment(
        conn, enrollment_id=unit.enrollment_id, package_id=unit.package_id
    )
    actor = {"objectType": "Agent", "account": {"homePage": base, "name": str(user_id)}}
    launched = await launch(
        conn,
        settings,
        au=au,
        actor=actor,
        registration_id=registration_id,
        user_id=user_id,
        enrollment_id=unit.enrollment_id,
        version_activity_id=unit.activity_id,
        return_url=f"{settings.content_origin_url.rstrip('/')}/content/cmi5/return",
        language=preference,
    )
    return launched, unit


async def launch_outside(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    au: AuRow,
    actor: dict[str, Any],
    registration_id: UUID | None,
    launch_mode: str,
    return_url: str | None,
) -> Launch:
    """A launch for a learner of another system: never one of this service's accounts (they launch from their course,
    where their enrolment counts it)."""
    checked_actor(actor)
    if str(actor["account"].get("homePage", "")).rstrip("/") == settings.public_base_url.rstrip("/"):
        raise Invalid(N_("actor: this service's own learners launch from their course"), field="actor")
    return await launch(
        conn,
        settings,
        au=au,
        actor=actor,
        registration_id=registration_id,
        launch_mode=launch_mode,
        return_url=return_url,
    )


async def fetch(conn: asyncpg.Connection, token: str) -> dict[str, str]:
    """§8.2: the auth token, once; a second request (or an ended session) gets an error code, still 200."""
    session = await queries.session_by_fetch(conn, token_hash(token))
    if session is None:
        return {"error-code": "3", "error-text": "This fetch URL is not known."}
    if session["fetched_at"] is not None or session["terminated_at"] or session["abandoned_at"]:
        return {"error-code": "1", "error-text": "This fetch URL has been used already."}
    key = LAUNCH_KEY_PREFIX + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    await queries.set_credential(conn, session_id=session["id"], key=key, secret_hash=token_hash(secret))
    return {"auth-token": base64.b64encode(f"{key}:{secret}".encode()).decode()}


async def abandon(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    registration_id: UUID | None = None,
    session_id: UUID | None = None,
    seen_before: datetime | None = None,
) -> int:
    """§9.3.8: sessions left without terminated are abandoned, with the LMS's statement; returns how many."""
    sessions = await queries.open_sessions(
        conn, registration_id=registration_id, session_id=session_id, seen_before=seen_before
    )
    if not sessions:
        return 0
    await queries.mark_abandoned(conn, [s["id"] for s in sessions])
    now = datetime.now(UTC)
    for session in sessions:
        registration = await queries.registration_by_id(conn, session["registration_id"])
        await _store(
            conn,
            statements.abandoned(
                registration["actor"],
                activity_id=session["activity_id"],
                publisher_id=session["unit_id"],
                registration=session["registration_id"],
                session_id=session["id"],
                duration=now - session["launched_at"],
            ),
            settings.public_base_url,
        )
    return len(sessions)


async def satisfy(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    registration_id: UUID,
    package_id: UUID,
    actor: dict[str, Any],
    session_id: UUID,
    units: list[str],
    enrollment_id: UUID | None,
) -> None:
    """Mark these units (and every NotApplicable one) satisfied, then say so for each block and the course that this
    completes; a worker's course activities showing a newly satisfied unit count as done."""
    base = settings.public_base_url.rstrip("/")
    all_aus = await queries.aus(conn, package_id=package_id)
    before = await queries.satisfied_units(conn, registration_id)
    now_satisfied = {a.unit_id for a in all_aus if a.unit_id in units or a.move_on == "NotApplicable"} - before
    for unit_id in sorted(now_satisfied):
        await queries.save_results(
            conn, registration_id=registration_id, unit_id=unit_id, completed=False, passed=False, satisfied=True
        )
    done = before | now_satisfied
    blocks: dict[str, list[str]] = {}
    for a in all_aus:
        for block in a.blocks:
            blocks.setdefault(block, []).append(a.unit_id)
    complete = [b for b, members in blocks.items() if all(m in done for m in members)]
    # Inner blocks before outer ones (a block's AUs are listed in document order: the deepest path comes last).
    complete.sort(key=lambda b: -max(a.blocks.index(b) for a in all_aus if b in a.blocks))
    nodes = complete + ([""] if all(a.unit_id in done for a in all_aus) else [])
    said = set(await queries.add_satisfied_nodes(conn, registration_id, nodes)) if nodes else set()
    course_id = all_aus[0].course_publisher_id if all_aus else ""
    for node in nodes:
        if node not in said:
            continue
        object_id = (
            statements.block_activity_id(base, package_id, node)
            if node
            else statements.course_activity_id(base, package_id)
        )
        await _store(
            conn,
            statements.satisfied(
                actor,
                object_id=object_id,
                object_type=statements.BLOCK_TYPE if node else statements.COURSE_TYPE,
                publisher_id=node or course_id,
                registration=registration_id,
                session_id=session_id,
            ),
            base,
        )
    if enrollment_id is not None:
        for unit_id in sorted(now_satisfied):
            activity = await queries.version_activity_of(
                conn, enrollment_id=enrollment_id, package_id=package_id, unit_id=unit_id
            )
            if activity is not None:
                await packages.record_unit_satisfied(
                    conn,
                    enrollment_id=enrollment_id,
                    activity_id=activity,
                    detail={"format": "cmi5", "registration": str(registration_id), "au": unit_id},
                    base_url=base,
                )


async def after_results(
    conn: asyncpg.Connection, settings: Settings, *, session: Any, completed: bool, passed: bool
) -> None:
    """An AU's completed or passed recorded: moveOn met -> satisfied (once)."""
    await queries.save_results(
        conn, registration_id=session.registration_id, unit_id=session.unit_id, completed=completed, passed=passed
    )
    au = await queries.au(conn, package_id=session.package_id, unit_id=session.unit_id)
    if au is not None and move_on_met(au.move_on, completed=completed, passed=passed):
        await satisfy(
            conn,
            settings,
            registration_id=session.registration_id,
            package_id=session.package_id,
            actor=session.actor,
            session_id=session.id,
            units=[session.unit_id],
            enrollment_id=session.enrollment_id,
        )


async def waive(
    conn: asyncpg.Connection, settings: Settings, *, registration_id: UUID, au_index: int, reason: str
) -> None:
    """§9.3.7: an AU waived for a registration (satisfied without being taken), with the LMS's statements."""
    registration = await queries.registration_by_id(conn, registration_id)
    if registration is None:
        raise NotFound(N_("no such cmi5 registration"), field="registration")
    au = await queries.au(conn, package_id=registration["package_id"], index=au_index)
    if au is None:
        raise NotFound(N_("au: the course has no AU %(au_index)s"), params={"au_index": au_index}, field="au")
    if au.unit_id in await queries.satisfied_units(conn, registration_id):
        raise Conflict(N_("au: this AU is satisfied already"), field="au")
    base = settings.public_base_url.rstrip("/")
    session_id = uuid.uuid4()
    await queries.save_results(
        conn, registration_id=registration_id, unit_id=au.unit_id, completed=False, passed=False, waived_reason=reason
    )
    await _store(
        conn,
        statements.waived(
            registration["actor"],
            activity_id=statements.au_activity_id(base, au.package_id, au.position),
            publisher_id=au.unit_id,
            registration=registration_id,
            session_id=session_id,
            reason=reason,
        ),
        base,
    )
    await satisfy(
        conn,
        settings,
        registration_id=registration_id,
        package_id=au.package_id,
        actor=registration["actor"],
        session_id=session_id,
        units=[au.unit_id],
        enrollment_id=registration["enrollment_id"],
    )


# A session quiet this long is taken as left without terminated (a phone closed, a tab gone): it is abandoned, so
# the learner's record says so and its credential stops working.
ABANDON_AFTER = timedelta(hours=4)


async def abandon_stale(pool: asyncpg.Pool, settings: Settings, *, now: datetime) -> int:
    async with pool.acquire() as conn, conn.transaction():
        return await abandon(conn, settings, seen_before=now - ABANDON_AFTER)
