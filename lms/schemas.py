"""The two base Structs: one per direction, and the bounds every number a client sends must keep."""

from typing import Annotated

import msgspec
from litestar.params import PathParameter, QueryParameter

# Every integer a client sends (path, query or body) is bounded by the column it ends up in, so an oversized one is a
# 400 naming the field instead of an overflow inside PostgreSQL or asyncpg (tests/unit/test_input_bounds.py checks
# that every route's integers have bounds).
INT4_MAX = 2**31 - 1  # PostgreSQL integer
INT8_MAX = 2**63 - 1  # PostgreSQL bigint (ids, OFFSET)

Int4 = Annotated[int, msgspec.Meta(ge=-INT4_MAX - 1, le=INT4_MAX)]
VersionNumber = Annotated[int, msgspec.Meta(ge=1, le=INT4_MAX)]
VersionInPath = Annotated[int, PathParameter(ge=1, le=INT4_MAX)]
VersionInQuery = Annotated[int | None, QueryParameter(ge=1, le=INT4_MAX)]
IdInQuery = Annotated[int | None, QueryParameter(ge=1, le=INT8_MAX)]  # a bigint id, e.g. a page's "before"
Offset = Annotated[int, QueryParameter(ge=0, le=INT8_MAX)]


class Request(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Everything a client sends: unknown fields are refused, so typos do not pass silently."""


class Response(msgspec.Struct, kw_only=True, frozen=True):
    """Everything the service answers."""


class Form(msgspec.Struct, kw_only=True):
    """An HTML form post: extra fields (the CSRF token, submit buttons) are ignored, not refused."""


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
