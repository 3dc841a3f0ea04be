"""Statements as the LRS returns them: the properties it sets, and the `format` parameter (exact, ids, canonical)."""

from __future__ import annotations

from typing import Any

from lms.xapi.validation import V1, format_timestamp

FORMATS = ("exact", "ids", "canonical")
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def statement_out(
    row: Any,
    *,
    version: str,
    default_authority: dict[str, Any],
    form: str = "exact",
    languages: list[str] | None = None,
) -> dict[str, Any]:
    """The statement as stored, with `stored`, `authority`, `timestamp` and `version` set, in the asked format."""
    out = dict(row["raw"])
    out.setdefault("timestamp", format_timestamp(row["timestamp"]))
    out["stored"] = format_timestamp(row["stored"])
    out["authority"] = row["authority"] or default_authority
    out.setdefault("version", "1.0.0" if version == V1 else "2.0.0")
    if form == "ids":
        return _ids_statement(out)
    if form == "canonical":
        return _canonical(out, languages or [])
    return out


def _ids_agent(agent: dict[str, Any]) -> dict[str, Any]:
    slim = {k: agent[k] for k in ("objectType", *_IFIS) if k in agent}
    if agent.get("objectType") == "Group" and not any(k in agent for k in _IFIS) and "member" in agent:
        slim["member"] = [_ids_agent(m) for m in agent["member"]]
    return slim


def _ids_object(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return {"id": obj["id"]}
    if kind in ("Agent", "Group"):
        return _ids_agent(obj)
    if kind == "SubStatement":
        return _ids_statement(obj)
    return obj


def _ids_statement(statement: dict[str, Any]) -> dict[str, Any]:
    out = dict(statement)
    out["actor"] = _ids_agent(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    out["object"] = _ids_object(statement["object"])
    if "authority" in statement:
        out["authority"] = _ids_agent(statement["authority"])
    if "context" in statement:
        context = dict(statement["context"])
        for name in ("instructor", "team"):
            if name in context:
                context[name] = _ids_agent(context[name])
        if "contextActivities" in context:
            context["contextActivities"] = {
                k: [{"id": a["id"]} for a in v] for k, v in context["contextActivities"].items()
            }
        out["context"] = context
    return out


def _pick(language_map: dict[str, str], languages: list[str]) -> dict[str, str]:
    """One entry of a language map: the first asked language it has (or its base language), else its first entry."""
    if not language_map:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for tag in language_map:
            if tag.lower().split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def _canonical_activity(activity: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    if "definition" not in activity:
        return activity
    definition = dict(activity["definition"])
    for name in ("name", "description"):
        if name in definition:
            definition[name] = _pick(definition[name], languages)
    for name in ("choices", "scale", "source", "target", "steps"):
        if name in definition:
            definition[name] = [
                {**c, "description": _pick(c["description"], languages)} if "description" in c else c
                for c in definition[name]
            ]
    return {**activity, "definition": definition}


def _canonical(statement: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    out = dict(statement)
    if "display" in statement["verb"]:
        out["verb"] = {**statement["verb"], "display": _pick(statement["verb"]["display"], languages)}
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        out["object"] = _canonical_activity(obj, languages)
    elif kind == "SubStatement":
        out["object"] = _canonical(obj, languages)
    if "context" in statement and "contextActivities" in statement["context"]:
        out["context"] = {
            **statement["context"],
            "contextActivities": {
                k: [_canonical_activity(a, languages) for a in v]
                for k, v in statement["context"]["contextActivities"].items()
            },
        }
    if "attachments" in statement:
        out["attachments"] = [
            {**a, **{n: _pick(a[n], languages) for n in ("display", "description") if n in a}}
            for a in statement["attachments"]
        ]
    return out


def accept_languages(header: str | None) -> list[str]:
    """The tags of an Accept-Language header, most wanted first."""
    if not header:
        return []
    weighted = []
    for n, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, n, tag))
    return [tag for _, _, tag in sorted(weighted)]
