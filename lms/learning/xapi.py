"""The statements the service makes for a worker (lesson form posts, quiz results, attendance, sign-offs, completion).

They use this service's activity IRIs (lms.xapi.iris) and an `account` actor (homePage = the service, name = the
worker's id); the LRS (lms.xapi) checks and stores them like any other statement.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from lms.xapi.iris import activity_iri
from lms.xapi.validation import format_timestamp, is_uuid

__all__ = ["VERB_BASE", "activity_iri", "actor_for", "build_statement", "format_timestamp", "is_uuid"]

VERB_BASE = "http://adlnet.gov/expapi/verbs/"


def actor_for(base_url: str, user_id: UUID, name: str | None = None) -> dict[str, Any]:
    actor: dict[str, Any] = {"objectType": "Agent", "account": {"homePage": base_url.rstrip("/"), "name": str(user_id)}}
    if name:
        actor["name"] = name
    return actor


def build_statement(
    *,
    base_url: str,
    user_id: UUID,
    verb: str,
    code: str,
    version: int,
    key: str | None,
    title: dict[str, str],
    registration: UUID,
    language: str | None = None,
    result: dict[str, Any] | None = None,
    statement_id: UUID | str | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A statement the server makes for a worker (form posts, quiz results, attendance, completion)."""
    context: dict[str, Any] = {"registration": str(registration), "revision": str(version)}
    if language:
        context["language"] = language
    if key is not None:
        context["contextActivities"] = {
            "parent": [{"objectType": "Activity", "id": activity_iri(base_url, code, version)}]
        }
    statement: dict[str, Any] = {
        "id": str(statement_id or uuid.uuid4()),
        "actor": actor_for(base_url, user_id),
        "verb": {"id": VERB_BASE + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(base_url, code, version, key),
            "definition": {"name": title},
        },
        "context": context,
        "timestamp": format_timestamp(timestamp or datetime.now(UTC)),
    }
    if result is not None:
        statement["result"] = result
    return statement


def voiding_statement(
    *, base_url: str, user_id: UUID, voids: UUID, timestamp: datetime | None = None
) -> dict[str, Any]:
    """The server's correction of one of its own statements about a worker (a completion that no longer holds)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": actor_for(base_url, user_id),
        "verb": {"id": VERB_BASE + "voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": str(voids)},
        "timestamp": format_timestamp(timestamp or datetime.now(UTC)),
    }
