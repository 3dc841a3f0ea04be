"""Checking an xAPI statement as the specification says (1.0.3 and 2.0.0), without I/O.

Every rule of the Data chapter the LRS must enforce: the actor forms (one inverse functional identifier), groups,
verbs, the five object types, result, context, timestamps, attachments, language maps, extensions and the version.
A problem is an ``Invalid`` naming the place (``statements[3].context.instructor.mbox``). What the statement says
about whom and what (its identities and activities) is collected on the way, for the GET filters.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from lms.errors import Invalid

V1 = "1.0.3"
V2 = "2.0.0"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+\Z")
_MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+\Z")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}\Z")
_SHA2 = re.compile(r"^[0-9a-fA-F]{56,128}\Z")
_MIME = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?\Z")
_LANG = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?\Z|^[xX](?:-[A-Za-z0-9]{1,8})+\Z"
)
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"^P(?:\d+W|(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)\Z"
)
_TIMESTAMP = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})[Tt ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?\Z"
)
_NEGATIVE_ZERO = re.compile(r"-00(?::?00)?\Z")

_STATEMENT_KEYS = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"}
)
_SUB_KEYS = frozenset({"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"})
_AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
_GROUP_KEYS = _AGENT_KEYS | {"member"}
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    }
)
_INTERACTIONS = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_CONTEXT_KEYS = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
_CONTEXT_KEYS_2 = _CONTEXT_KEYS | {"contextAgents", "contextGroups"}
_CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")
_ATTACHMENT_KEYS = frozenset({"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"})


def bad(where: str, reason: str) -> Invalid:
    return Invalid(f"{where}: {reason}", field=where)


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 4096 and bool(_IRI.match(value))


@lru_cache(maxsize=512)
def is_language_tag(tag: str) -> bool:
    return bool(_LANG.match(tag))


def parse_timestamp(value: Any, where: str, version: str = V2) -> datetime:
    """An ISO 8601 / RFC 3339 date and time; no offset means UTC. A "-00:00" offset (unknown local time) is refused."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None or _NEGATIVE_ZERO.search(value):
        raise bad(where, "must be an ISO 8601 date and time such as 2026-03-01T14:30:00.000Z")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if version == V1 and value[10] != "T":
        raise bad(where, "must be an ISO 8601 date and time (the T between date and time)")
    try:
        when = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=UTC,
        )
    except ValueError:
        raise bad(where, "is not a real date and time") from None
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise bad(where, "has an impossible time zone offset")
        when -= sign * timedelta(hours=hours, minutes=minutes)
    return when


def format_timestamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Collected:
    """What a statement is about, for the filters: identities and activity ids, in the order met."""

    __slots__ = ("agents", "definitions", "related_activities", "related_agents")

    def __init__(self) -> None:
        self.agents: list[str] = []
        self.related_agents: list[str] = []
        self.related_activities: list[str] = []
        self.definitions: dict[str, dict[str, Any]] = {}


def identity(agent: dict[str, Any]) -> str | None:
    """The one text that stands for an agent's (or identified group's) inverse functional identifier."""
    if "mbox" in agent:
        return "mbox:" + agent["mbox"]
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        return f"account:{agent['account']['homePage']} {agent['account']['name']}"
    return None


class StatementChecker:
    """Checks one statement (or a batch's statements one by one) for one xAPI version."""

    def __init__(self, version: str) -> None:
        self.version = version

    # --- small types -------------------------------------------------------------------------------------------
    def _object(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise bad(where, "must be a JSON object")
        return value

    def _string(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise bad(where, "must be a string")
        return value

    def _iri(self, value: Any, where: str) -> str:
        if not is_iri(value):
            raise bad(where, "must be an IRI such as http://example.com/x")
        return value

    def _lang_map(self, value: Any, where: str) -> None:
        for tag, text in self._object(value, where).items():
            if not is_language_tag(tag):
                raise bad(where, f"{tag!r} is not a language tag (RFC 5646)")
            if not isinstance(text, str):
                raise bad(f"{where}.{tag}", "must be a string")

    def _extensions(self, value: Any, where: str) -> None:
        for key in self._object(value, where):
            if not is_iri(key):
                raise bad(where, f"extension key {key!r} is not an IRI")

    def _keys(self, value: dict[str, Any], allowed: frozenset[str], where: str) -> None:
        unknown = set(value) - allowed
        if unknown:
            raise bad(where, f"unknown properties {sorted(unknown)}")

    # --- agents and groups ---------------------------------------------------------------------------------------
    def _ifi(self, agent: dict[str, Any], where: str) -> str | None:
        present = [k for k in _IFIS if k in agent]
        if len(present) > 1:
            raise bad(where, f"must have exactly one of mbox, mbox_sha1sum, openid, account; it has {present}")
        if not present:
            return None
        kind = present[0]
        value = agent[kind]
        if kind == "mbox" and not (isinstance(value, str) and _MBOX.match(value)):
            raise bad(f"{where}.mbox", "must be mailto: followed by an email address")
        if kind == "mbox_sha1sum" and not (isinstance(value, str) and _SHA1.match(value)):
            raise bad(f"{where}.mbox_sha1sum", "must be the 40 hex digits of a SHA-1")
        if kind == "openid":
            self._iri(value, f"{where}.openid")
        if kind == "account":
            account = self._object(value, f"{where}.account")
            self._keys(account, frozenset({"homePage", "name"}), f"{where}.account")
            if "homePage" not in account or "name" not in account:
                raise bad(f"{where}.account", "needs homePage and name")
            self._iri(account["homePage"], f"{where}.account.homePage")
            self._string(account["name"], f"{where}.account.name")
        return identity(agent)

    def agent(self, value: Any, where: str, *, required_type: bool = False) -> str:
        agent = self._object(value, where)
        self._keys(agent, _AGENT_KEYS, where)
        if ("objectType" in agent or required_type) and agent.get("objectType") != "Agent":
            raise bad(f"{where}.objectType", "must be Agent")
        if "name" in agent:
            self._string(agent["name"], f"{where}.name")
        key = self._ifi(agent, where)
        if key is None:
            raise bad(where, "an Agent needs one of mbox, mbox_sha1sum, openid, account")
        return key

    def group(self, value: Any, where: str) -> tuple[str | None, list[str]]:
        group = self._object(value, where)
        self._keys(group, _GROUP_KEYS, where)
        if group.get("objectType") != "Group":
            raise bad(f"{where}.objectType", "must be Group")
        if "name" in group:
            self._string(group["name"], f"{where}.name")
        key = self._ifi(group, where)
        members: list[str] = []
        if "member" in group or key is None:
            member = group.get("member")
            if not isinstance(member, list) or (key is None and not member):
                raise bad(f"{where}.member", "an anonymous Group needs a list of member Agents")
            members = [self.agent(m, f"{where}.member[{i}]") for i, m in enumerate(member)]
        return key, members

    def actor(self, value: Any, where: str, found: Collected, *, as_object: bool = False) -> list[str]:
        """An Agent or Group; returns its identities (a group's own and its members')."""
        actor = self._object(value, where)
        kind = actor.get("objectType", "Agent" if not as_object else None)
        if kind == "Group":
            key, members = self.group(actor, where)
            keys = ([key] if key else []) + members
        elif kind == "Agent":
            keys = [self.agent(actor, where)]
        else:
            raise bad(f"{where}.objectType", "must be Agent or Group")
        found.related_agents.extend(keys)
        return keys

    # --- activities, verbs ---------------------------------------------------------------------------------------
    def activity(self, value: Any, where: str, found: Collected) -> str:
        activity = self._object(value, where)
        self._keys(activity, frozenset({"objectType", "id", "definition"}), where)
        if activity.get("objectType", "Activity") != "Activity":
            raise bad(f"{where}.objectType", "must be Activity")
        if "id" not in activity:
            raise bad(f"{where}.id", "is required")
        iri = self._iri(activity["id"], f"{where}.id")
        if "definition" in activity:
            self._definition(activity["definition"], f"{where}.definition")
            found.definitions[iri] = activity["definition"]
        found.related_activities.append(iri)
        return iri

    def _definition(self, value: Any, where: str) -> None:
        definition = self._object(value, where)
        self._keys(definition, _DEFINITION_KEYS, where)
        for name in ("name", "description"):
            if name in definition:
                self._lang_map(definition[name], f"{where}.{name}")
        if "type" in definition:
            self._iri(definition["type"], f"{where}.type")
        if "moreInfo" in definition:
            self._iri(definition["moreInfo"], f"{where}.moreInfo")
        if "extensions" in definition:
            self._extensions(definition["extensions"], f"{where}.extensions")
        interaction = definition.get("interactionType")
        if "interactionType" in definition and not (isinstance(interaction, str) and interaction in _INTERACTIONS):
            raise bad(f"{where}.interactionType", "must be one of " + ", ".join(_INTERACTIONS))
        if interaction is None and any(k in definition for k in ("correctResponsesPattern", *_COMPONENT_LISTS)):
            raise bad(f"{where}.interactionType", "is required with correctResponsesPattern and interaction components")
        if "correctResponsesPattern" in definition:
            pattern = definition["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                raise bad(f"{where}.correctResponsesPattern", "must be a list of strings")
        for name in _COMPONENT_LISTS:
            if name not in definition:
                continue
            if interaction is None or name not in _INTERACTIONS[interaction]:
                raise bad(f"{where}.{name}", f"is not used with interactionType {interaction!r}")
            components = definition[name]
            if not isinstance(components, list):
                raise bad(f"{where}.{name}", "must be a list of interaction components")
            seen: set[str] = set()
            for i, component in enumerate(components):
                at = f"{where}.{name}[{i}]"
                self._keys(self._object(component, at), frozenset({"id", "description"}), at)
                cid = self._string(component.get("id"), f"{at}.id")
                if cid in seen:
                    raise bad(f"{at}.id", "repeats another component's id")
                seen.add(cid)
                if "description" in component:
                    self._lang_map(component["description"], f"{at}.description")

    def verb(self, value: Any, where: str) -> str:
        verb = self._object(value, where)
        self._keys(verb, frozenset({"id", "display"}), where)
        if "id" not in verb:
            raise bad(f"{where}.id", "is required")
        iri = self._iri(verb["id"], f"{where}.id")
        if "display" in verb:
            self._lang_map(verb["display"], f"{where}.display")
        return iri

    # --- result, context, attachments ----------------------------------------------------------------------------
    def result(self, value: Any, where: str) -> None:
        result = self._object(value, where)
        self._keys(result, _RESULT_KEYS, where)
        for name in ("success", "completion"):
            if name in result and not isinstance(result[name], bool):
                raise bad(f"{where}.{name}", "must be true or false")
        if "response" in result:
            self._string(result["response"], f"{where}.response")
        if "duration" in result and not (isinstance(result["duration"], str) and _DURATION.match(result["duration"])):
            raise bad(f"{where}.duration", "must be an ISO 8601 duration such as PT5M30S")
        if "extensions" in result:
            self._extensions(result["extensions"], f"{where}.extensions")
        if "score" in result:
            score = self._object(result["score"], f"{where}.score")
            self._keys(score, frozenset({"scaled", "raw", "min", "max"}), f"{where}.score")
            for name, number in score.items():
                if isinstance(number, bool) or not isinstance(number, (int, float)):
                    raise bad(f"{where}.score.{name}", "must be a number")
            if "scaled" in score and not -1 <= score["scaled"] <= 1:
                raise bad(f"{where}.score.scaled", "must be between -1 and 1")
            if "min" in score and "max" in score and score["min"] > score["max"]:
                raise bad(f"{where}.score.min", "must not be more than max")
            if "raw" in score and (
                "min" in score and score["raw"] < score["min"] or "max" in score and score["raw"] > score["max"]
            ):
                raise bad(f"{where}.score.raw", "must lie between min and max")

    def context(self, value: Any, where: str, found: Collected, *, object_is_activity: bool) -> str | None:
        context = self._object(value, where)
        self._keys(context, _CONTEXT_KEYS_2 if self.version == V2 else _CONTEXT_KEYS, where)
        registration = context.get("registration")
        if "registration" in context and not is_uuid(registration):
            raise bad(f"{where}.registration", "must be a UUID")
        if "instructor" in context:
            self.actor(context["instructor"], f"{where}.instructor", found)
        if "team" in context:
            team = self._object(context["team"], f"{where}.team")
            if team.get("objectType") != "Group":
                raise bad(f"{where}.team", "must be a Group")
            self.actor(team, f"{where}.team", found)
        if "contextActivities" in context:
            activities = self._object(context["contextActivities"], f"{where}.contextActivities")
            for name, listed in activities.items():
                at = f"{where}.contextActivities.{name}"
                if name not in _CONTEXT_ACTIVITY_KEYS:
                    raise bad(at, "must be parent, grouping, category or other")
                if isinstance(listed, dict):
                    activities[name] = listed = [listed]  # one Activity is stored (and returned) as a list of one
                if not isinstance(listed, list):
                    raise bad(at, "must be an Activity or a list of Activities")
                for i, activity in enumerate(listed):
                    self.activity(activity, f"{at}[{i}]", found)
        for name in ("revision", "platform"):
            if name in context:
                self._string(context[name], f"{where}.{name}")
                if not object_is_activity:
                    raise bad(f"{where}.{name}", "is only for statements whose object is an Activity")
        if "language" in context and not (
            isinstance(context["language"], str) and is_language_tag(context["language"])
        ):
            raise bad(f"{where}.language", "must be a language tag such as es or en-US")
        if "statement" in context:
            self.statement_ref(context["statement"], f"{where}.statement")
        if "extensions" in context:
            self._extensions(context["extensions"], f"{where}.extensions")
        for name, kind, inner in (
            ("contextAgents", "contextAgent", "agent"),
            ("contextGroups", "contextGroup", "group"),
        ):
            if name not in context:
                continue
            listed = context[name]
            if not isinstance(listed, list):
                raise bad(f"{where}.{name}", "must be a list")
            for i, item in enumerate(listed):
                at = f"{where}.{name}[{i}]"
                self._keys(self._object(item, at), frozenset({"objectType", inner, "relevantTypes"}), at)
                if item.get("objectType") != kind:
                    raise bad(f"{at}.objectType", f"must be {kind}")
                if inner not in item:
                    raise bad(f"{at}.{inner}", "is required")
                if inner == "agent":
                    found.related_agents.append(self.agent(item["agent"], f"{at}.agent"))
                else:
                    if self._object(item["group"], f"{at}.group").get("objectType") != "Group":
                        raise bad(f"{at}.group.objectType", "must be Group")
                    self.actor(item["group"], f"{at}.group", found)
                if "relevantTypes" in item:
                    types = item["relevantTypes"]
                    if not isinstance(types, list) or not types:
                        raise bad(f"{at}.relevantTypes", "must be a non-empty list of IRIs")
                    for j, iri in enumerate(types):
                        self._iri(iri, f"{at}.relevantTypes[{j}]")
        return registration.lower() if registration else None

    def statement_ref(self, value: Any, where: str) -> str:
        ref = self._object(value, where)
        self._keys(ref, frozenset({"objectType", "id"}), where)
        if ref.get("objectType") != "StatementRef":
            raise bad(f"{where}.objectType", "must be StatementRef")
        if not is_uuid(ref.get("id")):
            raise bad(f"{where}.id", "must be a UUID")
        return ref["id"].lower()

    def attachments(self, value: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise bad(where, "must be a list of attachments")
        for i, attachment in enumerate(value):
            at = f"{where}[{i}]"
            self._keys(self._object(attachment, at), _ATTACHMENT_KEYS, at)
            for name in ("usageType", "display", "contentType", "length", "sha2"):
                if name not in attachment:
                    raise bad(f"{at}.{name}", "is required")
            self._iri(attachment["usageType"], f"{at}.usageType")
            self._lang_map(attachment["display"], f"{at}.display")
            if "description" in attachment:
                self._lang_map(attachment["description"], f"{at}.description")
            if not (isinstance(attachment["contentType"], str) and _MIME.match(attachment["contentType"])):
                raise bad(f"{at}.contentType", "must be a media type such as text/plain")
            if (
                isinstance(attachment["length"], bool)
                or not isinstance(attachment["length"], int)
                or attachment["length"] < 0
            ):
                raise bad(f"{at}.length", "must be a whole number of bytes")
            if not (isinstance(attachment["sha2"], str) and _SHA2.match(attachment["sha2"])):
                raise bad(f"{at}.sha2", "must be the hex SHA-2 hash of the attachment")
            if "fileUrl" in attachment:
                self._iri(attachment["fileUrl"], f"{at}.fileUrl")
        return value

    # --- the statement -------------------------------------------------------------------------------------------
    def authority(self, value: Any, where: str, found: Collected) -> None:
        authority = self._object(value, where)
        if authority.get("objectType") == "Group":
            key, members = self.group(authority, where)
            if key is not None or len(members) != 2:
                raise bad(where, "a Group authority is an anonymous group of exactly two Agents")
            found.related_agents.extend(members)
        else:
            found.related_agents.append(self.agent(authority, where))

    def _object_of(
        self, statement: dict[str, Any], where: str, found: Collected, *, sub: bool
    ) -> tuple[str, str | None]:
        """Checks the object; returns its kind and, for an Activity its id, for a StatementRef the target id."""
        obj = self._object(statement.get("object"), f"{where}.object")
        if "object" not in statement:
            raise bad(f"{where}.object", "is required")
        kind = obj.get("objectType", "Activity")
        at = f"{where}.object"
        if kind == "Activity":
            return kind, self.activity(obj, at, found)
        if kind in ("Agent", "Group"):
            found.agents.extend(self.actor(obj, at, found, as_object=True))
            return kind, None
        if kind == "StatementRef":
            return kind, self.statement_ref(obj, at)
        if kind == "SubStatement":
            if sub:
                raise bad(f"{at}.objectType", "a SubStatement cannot contain another SubStatement")
            self._keys(obj, _SUB_KEYS, at)
            self._body(obj, at, found, sub=True)
            return kind, None
        raise bad(f"{at}.objectType", "must be Activity, Agent, Group, StatementRef or SubStatement")

    def _body(self, statement: dict[str, Any], where: str, found: Collected, *, sub: bool) -> dict[str, Any]:
        if "actor" not in statement:
            raise bad(f"{where}.actor", "is required")
        actor_keys = self.actor(statement["actor"], f"{where}.actor", found)
        if not sub:
            found.agents.extend(actor_keys)
        if "verb" not in statement:
            raise bad(f"{where}.verb", "is required")
        verb = self.verb(statement["verb"], f"{where}.verb")
        kind, target = self._object_of(statement, where, found, sub=sub)
        if verb == VOIDED and kind != "StatementRef":
            raise bad(f"{where}.object", "a voiding statement's object is a StatementRef to the voided statement")
        if "result" in statement:
            self.result(statement["result"], f"{where}.result")
        registration = None
        if "context" in statement:
            registration = self.context(
                statement["context"], f"{where}.context", found, object_is_activity=kind == "Activity"
            )
        timestamp = None
        if "timestamp" in statement:
            timestamp = parse_timestamp(statement["timestamp"], f"{where}.timestamp", self.version)
        attachments = (
            self.attachments(statement["attachments"], f"{where}.attachments") if "attachments" in statement else []
        )
        return {
            "verb": verb,
            "kind": kind,
            "target": target,
            "registration": registration,
            "timestamp": timestamp,
            "attachments": attachments,
        }

    def statement(self, value: Any, where: str) -> dict[str, Any]:
        """One statement as received -> the row to store (``raw`` is the statement without what the LRS sets)."""
        statement = self._object(value, where)
        self._keys(statement, _STATEMENT_KEYS, where)
        raw = dict(statement)
        raw.pop("stored", None)
        if "id" in raw:
            if not is_uuid(raw["id"]):
                raise bad(f"{where}.id", "must be a UUID such as 3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e")
            raw["id"] = raw["id"].lower()
        if "version" in raw:
            allowed = r"^1\.0(\.\d+)?\Z" if self.version == V1 else r"^(1\.0|2\.0)(\.\d+)?\Z"
            if not (isinstance(raw["version"], str) and re.match(allowed, raw["version"])):
                raise bad(f"{where}.version", "must be 1.0.x" + (" or 2.0.x" if self.version == V2 else ""))
        found = Collected()
        body = self._body(raw, where, found, sub=False)
        if "authority" in raw:
            self.authority(raw["authority"], f"{where}.authority", found)
        if body["kind"] == "StatementRef" and body["target"] == raw.get("id"):
            raise bad(f"{where}.object.id", "a statement cannot refer to itself")
        return {
            "id": raw.get("id"),
            "raw": raw,
            "verb": body["verb"],
            "activity_iri": body["target"] if body["kind"] == "Activity" else None,
            "voids_id": body["target"] if body["verb"] == VOIDED else None,
            "registration": body["registration"],
            "ts": body["timestamp"],
            "attachments": body["attachments"],
            "agents": list(dict.fromkeys(found.agents)),
            "related_agents": list(dict.fromkeys(found.agents + found.related_agents)),
            "related_activities": list(dict.fromkeys(found.related_activities)),
            "definitions": found.definitions,
        }
