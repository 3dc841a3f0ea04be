"""xAPI 1.0.3 statements without I/O: checking one as received, the activity IRIs, and building the ones the server makes.

A statement is checked whole before anything is stored; the reason names the place (``statements[3].actor``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from lms.errors import Invalid

VERSION = "1.0.3"
VERB_BASE = "http://adlnet.gov/expapi/verbs/"
VERBS = ("launched", "progressed", "completed", "passed", "failed", "attended", "voided")
VOIDED = VERB_BASE + "voided"
VERB_IRIS = frozenset(VERB_BASE + v for v in VERBS)
FUTURE_SKEW = timedelta(minutes=5)
MAX_BATCH = 500

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_CANONICAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\Z")  # what format_timestamp writes
_TOP_LEVEL = frozenset({"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version"})
_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_CONTEXT_KEYS = frozenset({"registration", "instructor", "team", "contextActivities", "revision", "platform", "language",
                           "statement", "extensions"})
_SET_BY_LRS = ("stored", "authority", "version")
_ACTIVITY_PATH = re.compile(r"([A-Z0-9][A-Z0-9-]{2,31})/v([1-9][0-9]{0,8})(?:/([a-z0-9][a-z0-9-]{0,63}))?")


@dataclass(frozen=True, slots=True)
class ActivityRef:
    code: str
    version: int
    key: str | None  # None: the course version itself


def activity_iri(base_url: str, code: str, version: int, key: str | None = None) -> str:
    base = f"{base_url.rstrip('/')}/activities/{code}/v{version}"
    return f"{base}/{key}" if key else base


@lru_cache(maxsize=4096)  # a course has a few dozen activities, sent again and again: parse each IRI once
def parse_activity_iri(base_url: str, iri: str) -> ActivityRef | None:
    """Our own activity IRIs resolve to (course, version, activity); anyone else's are None."""
    prefix = base_url.rstrip("/") + "/activities/"
    if not iri.startswith(prefix):
        return None
    match = _ACTIVITY_PATH.fullmatch(iri, len(prefix))
    if not match:
        raise ValueError("not a course or activity IRI of this service")
    return ActivityRef(match.group(1), int(match.group(2)), match.group(3))


def actor_for(base_url: str, user_id: UUID, name: str | None = None) -> dict[str, Any]:
    actor: dict[str, Any] = {"objectType": "Agent", "account": {"homePage": base_url.rstrip("/"), "name": str(user_id)}}
    if name:
        actor["name"] = name
    return actor


def authority(base_url: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": base_url.rstrip("/"), "name": "lms"}}


def format_timestamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def _bad(where: str, reason: str) -> Invalid:
    return Invalid(f"{where}: {reason}", field=where)


@lru_cache(maxsize=256)  # the same few tags (es, en, en-US) in every statement
def _is_language_tag(tag: str) -> bool:
    return bool(_LANG.match(tag))


def _lang_map(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for tag, text in value.items():
            if not (isinstance(text, str) and isinstance(tag, str) and _is_language_tag(tag)):
                break
        else:
            return
    raise _bad(where, "must be a language map (language tag -> text)")


@lru_cache(maxsize=1024)  # the sender of a batch, once per batch rather than per statement
def _account_name(user_id: UUID) -> str:
    return str(user_id)


def _check_actor(actor: Any, where: str, *, home: str, caller: str) -> None:
    if not isinstance(actor, dict):
        raise _bad(where, "must be an Agent object")
    if actor.get("objectType", "Agent") != "Agent":
        raise _bad(f"{where}.objectType", "must be Agent (groups cannot record progress)")
    if "account" not in actor or "mbox" in actor or "mbox_sha1sum" in actor or "openid" in actor:
        raise _bad(where, "must be identified by an account (homePage and name), nothing else")
    account = actor["account"]
    if not isinstance(account, dict) or not isinstance(account.get("homePage"), str) or not isinstance(account.get("name"), str):
        raise _bad(f"{where}.account", "needs homePage and name")
    if account["homePage"].rstrip("/") != home or account["name"].lower() != caller:
        raise _bad(f"{where}.account", f"the actor must be you: homePage {home!r} and name {caller!r}")


def _check_result(result: Any, where: str) -> None:
    if not isinstance(result, dict):
        raise _bad(where, "must be an object")
    if not _RESULT_KEYS.issuperset(result):
        raise _bad(where, f"unknown properties {sorted(set(result) - _RESULT_KEYS)}")
    if "success" in result and not isinstance(result["success"], bool):
        raise _bad(f"{where}.success", "must be true or false")
    if "completion" in result and not isinstance(result["completion"], bool):
        raise _bad(f"{where}.completion", "must be true or false")
    score = result.get("score")
    if score is not None:
        if not isinstance(score, dict):
            raise _bad(f"{where}.score", "must be an object")
        for name, value in score.items():
            if name not in ("scaled", "raw", "min", "max") or isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _bad(f"{where}.score.{name}", "must be a number (scaled, raw, min or max)")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            raise _bad(f"{where}.score.scaled", "must be between -1 and 1")
    if "duration" in result and not (isinstance(result["duration"], str) and _DURATION.match(result["duration"])):
        raise _bad(f"{where}.duration", "must be an ISO 8601 duration such as PT5M30S")
    if "response" in result and not isinstance(result["response"], str):
        raise _bad(f"{where}.response", "must be text")


def _check_context(context: Any, where: str) -> None:
    if not isinstance(context, dict):
        raise _bad(where, "must be an object")
    if not _CONTEXT_KEYS.issuperset(context):
        raise _bad(where, f"unknown properties {sorted(set(context) - _CONTEXT_KEYS)}")
    if "registration" in context and not is_uuid(context["registration"]):
        raise _bad(f"{where}.registration", "must be a UUID (your enrollment id)")
    if "language" in context and not (isinstance(context["language"], str) and _LANG.match(context["language"])):
        raise _bad(f"{where}.language", "must be a language tag such as es or en-US")
    if "revision" in context and not isinstance(context["revision"], str):
        raise _bad(f"{where}.revision", "must be text")
    if "platform" in context and not isinstance(context["platform"], str):
        raise _bad(f"{where}.platform", "must be text")


def _timestamp(value: Any, where: str, now: datetime) -> datetime:
    if not isinstance(value, str):
        raise _bad(where, "must be an ISO 8601 date and time")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(where, "must be an ISO 8601 date and time such as 2026-03-01T14:30:00Z") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when > now + FUTURE_SKEW:
        raise _bad(where, "is in the future; check the device's clock")
    return when


def check_statement(
    statement: Any, where: str, *, base_url: str, caller_id: UUID, now: datetime, statement_id: str | None = None,
) -> dict[str, Any]:
    """One statement as received -> the row to store, or Invalid naming what is wrong."""
    if not isinstance(statement, dict):
        raise _bad(where, "a statement must be a JSON object")
    if not _TOP_LEVEL.issuperset(statement):
        raise _bad(where, f"unknown or unsupported properties {sorted(set(statement) - _TOP_LEVEL)}")
    raw = dict(statement)
    for name in _SET_BY_LRS:
        raw.pop(name, None)

    sid = raw.get("id")
    if sid is None:
        sid = statement_id or str(uuid.uuid4())
    elif not is_uuid(sid):
        raise _bad(f"{where}.id", "must be a UUID such as 3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e")
    if statement_id is not None and sid.lower() != statement_id.lower():
        raise _bad(f"{where}.id", "differs from the statementId parameter")
    raw["id"] = sid = sid.lower()

    if "actor" not in raw:
        raise _bad(f"{where}.actor", "is required")
    _check_actor(raw["actor"], f"{where}.actor", home=base_url.rstrip("/"), caller=_account_name(caller_id))

    verb = raw.get("verb")
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str):
        raise _bad(f"{where}.verb", "must be an object with an id")
    if verb["id"] not in VERB_IRIS:  # the known verbs are IRIs: only an unknown one is looked at again
        if not _IRI.match(verb["id"]):
            raise _bad(f"{where}.verb.id", "must be an IRI")
        raise _bad(f"{where}.verb.id", "unknown verb; use " + ", ".join(VERB_BASE + v for v in VERBS))
    if "display" in verb:
        _lang_map(verb["display"], f"{where}.verb.display")

    obj = raw.get("object")
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        raise _bad(f"{where}.object", "must be an object with an id")
    activity: ActivityRef | None = None
    voids_id = None
    if verb["id"] == VOIDED:
        if obj.get("objectType") != "StatementRef" or not is_uuid(obj["id"]):
            raise _bad(f"{where}.object", "a voiding statement's object is a StatementRef with the voided statement's id")
        voids_id = obj["id"] = obj["id"].lower()
        if voids_id == sid:
            raise _bad(f"{where}.object.id", "a statement cannot void itself")
    else:
        if obj.get("objectType", "Activity") != "Activity":
            raise _bad(f"{where}.object.objectType", "must be Activity")
        if not _IRI.match(obj["id"]) or len(obj["id"]) > 2048:
            raise _bad(f"{where}.object.id", "must be an activity IRI")
        try:
            activity = parse_activity_iri(base_url, obj["id"])
        except ValueError as exc:
            raise _bad(f"{where}.object.id", str(exc)) from None
        definition = obj.get("definition")
        if definition is not None:
            if not isinstance(definition, dict):
                raise _bad(f"{where}.object.definition", "must be an object")
            for name in ("name", "description"):
                if name in definition:
                    _lang_map(definition[name], f"{where}.object.definition.{name}")

    if "result" in raw:
        _check_result(raw["result"], f"{where}.result")
    registration = None
    if "context" in raw:
        _check_context(raw["context"], f"{where}.context")
        if "registration" in raw["context"]:
            registration = raw["context"]["registration"] = raw["context"]["registration"].lower()
    timestamp = None
    if "timestamp" in raw:
        timestamp = _timestamp(raw["timestamp"], f"{where}.timestamp", now)
        if not _CANONICAL_TIME.match(raw["timestamp"]):  # most clients send this form already: no need to write it again
            raw["timestamp"] = format_timestamp(timestamp)

    return {
        "id": sid,
        "verb": verb["id"],
        "activity_iri": None if voids_id else obj["id"],
        "code": activity.code if activity else None,
        "version": activity.version if activity else None,
        "akey": activity.key if activity else None,
        "voids_id": voids_id,
        "registration": registration,
        "ts": timestamp or now,
        "raw": raw,
        "ord": 0,
    }


def check_batch(
    statements: list[Any], *, base_url: str, caller_id: UUID, now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every statement checked before any is stored; identical repeats inside one batch collapse to one."""
    if not statements:
        raise Invalid("send at least one statement", field="statements")
    if len(statements) > MAX_BATCH:
        raise Invalid(f"at most {MAX_BATCH} statements per request; this one has {len(statements)}", field="statements")
    now = now or datetime.now(UTC)
    rows: dict[str, dict[str, Any]] = {}
    for i, statement in enumerate(statements):
        row = check_statement(statement, f"statements[{i}]", base_url=base_url, caller_id=caller_id, now=now)
        row["ord"] = i
        seen = rows.get(row["id"])
        if seen is not None:
            if seen["raw"] != row["raw"]:
                raise Invalid(f"statements[{i}].id: {row['id']} appears twice in this batch with different content", field=f"statements[{i}].id")
            continue
        rows[row["id"]] = row
    return list(rows.values())


def build_statement(
    *, base_url: str, user_id: UUID, verb: str, code: str, version: int, key: str | None, title: dict[str, str],
    registration: UUID, language: str | None = None, result: dict[str, Any] | None = None,
    statement_id: UUID | str | None = None, timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A statement the server makes for a worker (form posts, quiz results, attendance, completion)."""
    context: dict[str, Any] = {"registration": str(registration), "revision": str(version)}
    if language:
        context["language"] = language
    if key is not None:
        context["contextActivities"] = {"parent": [{"objectType": "Activity", "id": activity_iri(base_url, code, version)}]}
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


def voiding_statement(*, base_url: str, user_id: UUID, voids: UUID, timestamp: datetime | None = None) -> dict[str, Any]:
    """The server's correction of one of its own statements about a worker (a completion that no longer holds)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": actor_for(base_url, user_id),
        "verb": {"id": VERB_BASE + "voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": str(voids)},
        "timestamp": format_timestamp(timestamp or datetime.now(UTC)),
    }
