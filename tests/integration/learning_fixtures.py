"""What the learning tests share: a published hybrid course with a clinic, a worker and an instructor, and the moves a
worker and an instructor make through the pages and the API."""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lms.accounts import queries as accounts
from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_clinic, make_user, publish_folder, sign_in, token_for

CODE = "DA-IC-101"


@dataclass
class Cast:
    worker: Any
    worker_token: str
    instructor: Any
    instructor_headers: dict[str, str]
    activities: list[dict[str, Any]]  # key, kind, minutes, answer_key: in course order


async def api_user(conn, email: str, role: str, clinic: str | None = None, name: str | None = None) -> Any:
    """Someone who only uses an API token in the test: no password, so no slow password hashing."""
    return await accounts.create_user(
        conn,
        email=email,
        display_name=name or email.split("@")[0].title(),
        role=role,
        password_hash=None,
        clinic=clinic,
        local=None,
        language="en",
    )


async def hybrid_course(conn, *, browser: bool = True) -> Cast:
    """DA-IC-101 (lessons, quizzes, an in-person lab, a skills checkoff), a clinic, Ana (worker) and María
    (instructor). ``browser=False``: they use API tokens only."""
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_clinic(conn, "st-johns")
    make = make_user if browser else api_user
    worker = await make(conn, "ana@example.org", "worker", clinic="st-johns", name="Ana Pérez")
    instructor = await make(conn, "maria@example.org", "instructor", name="María López")
    worker_token = (await token_for(conn, worker.id))["Authorization"].split(" ", 1)[1]
    rows = await conn.fetch(
        """SELECT a.key, a.kind, a.minutes, a.answer_key FROM version_activities a
           JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
           WHERE c.code = $1 AND v.version = 1 ORDER BY a.position""",
        CODE,
    )
    return Cast(worker, worker_token, instructor, await token_for(conn, instructor.id), [dict(r) for r in rows])


def basic(token: str) -> dict[str, str]:
    """How TinCanJS and most xAPI clients authenticate: Basic, with the API token as the password."""
    return {
        "Authorization": "Basic " + base64.b64encode(f"lms:{token}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
    }


XAPI = {"X-Experience-API-Version": "1.0.3"}


def queued_statement(page_html: str) -> dict[str, Any]:
    """The statement the lesson player would queue when the worker taps "mark as done" (from the page itself)."""
    found = re.search(r"data-xapi-statement='([^']+)'", page_html)
    assert found, "the lesson page offers no statement to the player"
    return json.loads(html.unescape(found.group(1)))


def right_answers(answer_key: dict[str, Any]) -> dict[str, list[str]]:
    return {question: spec["correct"] for question, spec in answer_key.items()}


async def pass_quiz(client, key: str, answer_key: dict[str, Any]) -> str:
    """Through the quiz page, as a worker would (a form post with the CSRF token)."""
    form = await client.get(f"/quiz/{CODE}/v/1/{key}")
    assert form.status_code == 200, form.text
    attempt = re.search(r'name="attempt_id" value="([^"]+)"', form.text).group(1)
    fields: list[tuple[str, str]] = [("_csrf_token", csrf_from(form.text)), ("attempt_id", attempt)]
    for question, choices in right_answers(answer_key).items():
        fields += [(f"q.{question}", c) for c in choices]
    result = await client.post(
        f"/quiz/{CODE}/v/1/{key}",
        content=_urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert result.status_code == 200, result.text
    return result.text


def _urlencode(fields: list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return urlencode(fields)


async def schedule_session(
    client, cast: Cast, *, starts_in: timedelta, minutes: int, capacity: int = 10
) -> dict[str, Any]:
    key = next(a["key"] for a in cast.activities if a["kind"] == "in_person")
    starts = datetime.now(UTC) + starts_in
    created = await client.post(
        "/api/v1/sessions",
        headers=cast.instructor_headers,
        json={
            "code": CODE,
            "version": 1,
            "activity_key": key,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=minutes)).isoformat(),
            "clinic": "st-johns",
            "room": "Operatory 2",
            "capacity": capacity,
            "language": "es",
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


async def switch_to(client, email: str) -> None:
    """One browser, another person: sign out by dropping cookies, then sign in."""
    client.cookies.clear()
    signed = await sign_in(client, email)
    assert signed.status_code == 303, signed.text


async def travel(conn, session_id: str, minutes: int) -> None:
    """As if `minutes` had passed: the session and what was recorded in it move that far into the past."""
    from uuid import UUID

    shift = timedelta(minutes=minutes)
    await conn.execute(
        """UPDATE inperson_sessions SET starts_at = starts_at - $2::interval, ends_at = ends_at - $2::interval,
                          roster_closed_at = roster_closed_at - $2::interval WHERE id = $1""",
        UUID(session_id),
        shift,
    )
    await conn.execute(
        """UPDATE attendance SET arrived_at = arrived_at - $2::interval, left_at = left_at - $2::interval,
                          recorded_at = recorded_at - $2::interval WHERE session_id = $1""",
        UUID(session_id),
        shift,
    )
