"""What the catalogue's course and activity pages show about the signed-in person: one query each
(lms/learning/page_queries.py), called from lms/catalog/pages.py and rendered by the partials in templates/learning/."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.catalog.schemas import ActivityPage
from lms.learning import page_queries, xapi
from lms.learning.queries import summarise
from lms.learning.schemas import ActivityLearning, CourseLearning


async def for_course_page(
    conn: asyncpg.Connection, *, user: CurrentUser | None, version_id: UUID
) -> CourseLearning | None:
    """None for a visitor; otherwise the enrolment (if any) and progress per module."""
    if user is None:
        return None
    row = await page_queries.course_standing(conn, user_id=user.id, version_id=version_id)
    activities = row["activities"]
    summary = (
        summarise(activities, row["modules"])
        if row["enrollment_id"]
        else {"done": 0, "total": 0, "next_key": None, "modules": []}
    )
    return CourseLearning(
        version_id=row["version_id"],
        enrollment_id=row["enrollment_id"],
        completed_at=row["completed_at"],
        survey_waiting=row["survey_waiting"],
        other_version=row["other_version"],
        other_completed=row["other_completed"],
        done_keys=[a["key"] for a in activities if a["done"]],
        **summary,
    )


_NOT_READ: dict[str, Any] = {
    "attempts": 0,
    "best_score": None,
    "passed": False,
    "max_attempts": None,
    "signed_at": None,
    "sessions": [],
}


async def for_activity_page(
    conn: asyncpg.Connection,
    *,
    user: CurrentUser | None,
    activity: ActivityPage,
    base_url: str,
    language: str,
) -> ActivityLearning | None:
    """None for a visitor; otherwise done or not, quiz attempts, the signature, and the sessions to register for."""
    if user is None:
        return None
    row = await page_queries.activity_standing(
        conn, user_id=user.id, activity_id=activity.id, lesson=activity.kind == "lesson"
    )
    if row is None:
        return None
    statement_id = uuid.uuid4()
    statement = None
    if activity.kind == "lesson" and row["enrollment_id"] is not None:
        statement = xapi.build_statement(
            base_url=base_url,
            user_id=user.id,
            verb="completed",
            code=activity.code,
            version=activity.version,
            key=activity.key,
            title=activity.title,
            registration=row["enrollment_id"],
            language=language,
            statement_id=statement_id,
        )
    return msgspec.convert(
        {
            **_NOT_READ,
            **dict(row),
            "statement_id": statement_id,
            "statement_json": msgspec.json.encode(statement).decode() if statement else None,
        },
        ActivityLearning,
    )
