"""The service's own activity IRIs: `{base}/activities/{CODE}/v{N}[/{key}]` names a course version or one activity.

Statements about these are linked to the worker's enrolment and the activity (what completion reads); statements about
anything else are stored and returned like any LRS would, and complete nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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


def account_identity(base_url: str, name: str) -> str:
    """The identity text (lms.xapi.validation.identity) of an account on this service."""
    return f"account:{base_url.rstrip('/')} {name}"
