"""cmi5's rules inside the LRS: the launch-scoped credential an AU fetched, what it may send and touch (403 for the
rest), and the LMS's reaction to what it sent. Wired into ``app.state.launch_authority`` (lms/xapi/launch.py).

Its refusals stay English on purpose, like the LRS's: an AU's own code reads them, never a learner."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from lms.accounts.secrets import token_hash
from lms.errors import Forbidden
from lms.packages.cmi5 import queries, service
from lms.packages.cmi5.rules import COMPLETED, PASSED, Refused, SessionState, check_statement
from lms.settings import Settings
from lms.xapi.documents import DocKey
from lms.xapi.launch import LaunchGrant
from lms.xapi.validation import is_language_tag


def _preferences_problem(content: bytes, content_type: str) -> str | None:
    """§11: learner preferences are a JSON object with a list of language tags and audio on or off."""
    if not content_type.lower().startswith("application/json"):
        return "learner preferences are JSON (Content-Type application/json)"
    try:
        value = msgspec.json.decode(content)
    except msgspec.DecodeError:
        return "learner preferences are a JSON object"
    if not isinstance(value, dict):
        return "learner preferences are a JSON object"
    languages = value.get("languagePreference")
    if not isinstance(languages, str) or not languages or not all(is_language_tag(t) for t in languages.split(",")):
        return "languagePreference: a comma-separated list of language tags"
    if value.get("audioPreference") not in ("on", "off"):
        return "audioPreference: on or off"
    return None


class Cmi5LaunchAuthority:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def resolve(self, conn: asyncpg.Pool | asyncpg.Connection, key: str, secret: str) -> LaunchGrant | None:
        row = await queries.grant_row(conn, key=key, secret_hash=token_hash(secret))
        return LaunchGrant(**dict(row)) if row else None

    async def check_statements(self, conn: asyncpg.Connection, grant: LaunchGrant, statements: list[Any]) -> None:
        session = await queries.locked_session(conn, grant.session_id)
        if session is None or session.terminated:
            raise Forbidden("this session has ended")
        state = SessionState(
            session_id=session.id,
            registration=session.registration_id,
            activity_id=session.activity_id,
            actor_key=session.actor_key,
            launch_mode=session.launch_mode,
            mastery_score=session.mastery_score,
            prefs_read=session.prefs_read,
            initialized=session.initialized,
            terminated=False,
            completed=session.completed,
            passed=session.passed,
            failed=session.failed,
        )
        for i, statement in enumerate(statements):
            if not isinstance(statement, dict):
                raise Forbidden(f"statements[{i}]: not a statement")
            try:
                state = check_statement(statement, state)
            except Refused as refused:
                raise Forbidden(f"statements[{i}]: {refused}", field=f"statements[{i}]") from None
        # completed and passed are acted on once stored (after_statements): the satisfied statements follow them.
        await queries.save_session(
            conn, session_id=session.id, initialized=state.initialized, terminated=state.terminated, failed=state.failed
        )

    async def after_statements(
        self, conn: asyncpg.Connection, grant: LaunchGrant, rows: list[dict[str, Any]], base_url: str
    ) -> None:
        if not any(r["verb"] in (COMPLETED, PASSED) for r in rows):
            return
        session = await queries.locked_session(conn, grant.session_id)
        if session is None:
            return
        completed = session.completed or any(r["verb"] == COMPLETED for r in rows)
        passed = session.passed or any(r["verb"] == PASSED for r in rows)
        await service.after_results(conn, self.settings, session=session, completed=completed, passed=passed)

    async def check_document(
        self,
        conn: asyncpg.Connection,
        grant: LaunchGrant,
        key: DocKey,
        doc_id: str | None,
        *,
        method: str,
        content: bytes,
        content_type: str,
    ) -> None:
        reading = method.upper() in ("GET", "HEAD")
        if key.kind == "activity_profile":
            if not reading:
                raise Forbidden("an AU reads activity profiles only")
            return
        if key.agent != grant.actor_key:
            raise Forbidden("agent: an AU's documents are about its launched actor", field="agent")
        if key.kind == "state":
            if key.activity_id != grant.activity_id or key.registration != grant.registration:
                raise Forbidden("an AU's state is under its activityId and registration", field="activityId")
            if not reading and doc_id in (service.LAUNCH_DATA, None):
                raise Forbidden("LMS.LaunchData is the LMS's to write", field="stateId")
            return
        if doc_id == service.PREFERENCES:
            if reading:
                await queries.mark_prefs_read(conn, grant.session_id)
                return
            problem = (
                _preferences_problem(content, content_type) if method.upper() != "DELETE" else "they are the LMS's"
            )
            if problem:
                raise Forbidden(f"cmi5LearnerPreferences: {problem}", field="body")
