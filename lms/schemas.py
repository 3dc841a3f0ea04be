"""The two base Structs: one per direction."""

import msgspec


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
