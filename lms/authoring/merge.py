"""Two authors, one draft: what each changed since the page was opened, so that a late save loses nothing.

A form carries its draft revision and a digest of every value it showed (``base``). When the draft has a newer
revision at save time, each field is compared three ways: the author's value, the value the form showed, and the
value now stored. The author's changes are kept, the other author's changes come in, and the fields both changed are
named so the author can choose.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import msgspec


class Merge(msgspec.Struct, kw_only=True, frozen=True):
    values: dict[str, str]  # what the form shows again: the author's changes over the stored draft
    theirs: list[str]  # fields another author changed since the form was opened
    both: dict[str, str]  # fields both changed differently: the other author's value, shown beside hers
    orphans: dict[str, str]  # the author's changes to things another author removed: shown so she can copy them


def _hash(value: str) -> str:
    return hashlib.sha256(value.replace("\r\n", "\n").strip().encode()).hexdigest()[:12]


def digest(values: Mapping[str, str]) -> str:
    return json.dumps({name: _hash(value) for name, value in values.items()}, separators=(",", ":"), sort_keys=True)


def read_digest(raw: str) -> dict[str, str]:
    try:
        parsed = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def changed(fields: Mapping[str, str], base: Mapping[str, str]) -> set[str]:
    """The fields the author changed since the form was opened."""
    return {name for name, value in fields.items() if name in base and _hash(value) != base[name]}


def merge(fields: Mapping[str, str], base: Mapping[str, str], stored: Mapping[str, str]) -> Merge:
    mine = changed(fields, base)
    theirs = sorted(name for name in base if _hash(stored.get(name, "")) != base[name])
    values = dict(stored)
    for name in mine:
        values[name] = fields[name]
    both = {
        name: stored.get(name, "")
        for name in theirs
        if name in mine and _hash(fields[name]) != _hash(stored.get(name, ""))
    }
    orphans = {name: fields[name] for name in mine if name not in stored and fields[name].strip()}
    return Merge(values=values, theirs=theirs, both=both, orphans=orphans)
