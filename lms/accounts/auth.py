"""Who is calling: a session cookie (browsers) or an API token (Bearer, or Basic with the token as password).

The middleware resolves the caller with one query and puts it in ``scope["user"]`` (None when anonymous); guards
then decide by role. Ownership (this worker, this clinic) is checked again in each query's WHERE.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from hmac import compare_digest
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.types import ASGIApp, Receive, Scope, Send

from lms.accounts import queries
from lms.accounts.callers import caller_cache
from lms.accounts.schemas import CurrentUser
from lms.accounts.secrets import token_hash

SESSION_COOKIE = "lms_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Routes for API clients: Litestar's CSRF middleware (form field or header, for pages) leaves them out, since token and
# Basic clients carry no CSRF cookie; a browser's cookie-authenticated call there is checked here instead.
API_PREFIXES = ("/api/", "/xapi/")


def bearer_token(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "bearer" and value:
        return value
    if scheme == "basic" and value:
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if user.startswith(
            ("lrs_", "au_")
        ):  # an LRS client's or a launched AU's key: resolved by the LRS (lms.xapi.callers)
            return None
        return password or None
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name and v:
                    return v
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def _caller(
    state: Any, kind: bytes, secret: str, lookup: Callable[[Any, bytes], Awaitable[CurrentUser | None]]
) -> CurrentUser | None:
    """The user behind a session cookie (kind b"s") or API token (b"t"): kept a few seconds (lms.accounts.callers)."""
    hashed = token_hash(secret)
    cache = caller_cache(state)
    user = cache.get(kind + hashed)
    if user is None:
        user = await lookup(state.pool, hashed)
        if user is not None:
            cache.keep(kind + hashed, user)
    return user


class AuthenticationMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = None
        scope["auth"] = None
        path = scope["path"]
        if not path.startswith(("/static/", "/health/", "/content/")):  # package files: signed paths, never cookies
            state = scope["app"].state
            authorization = _header(scope, b"authorization")
            token = bearer_token(authorization) if authorization else None
            if token:
                scope["user"] = await _caller(state, b"t", token, queries.user_by_api_token)
                scope["auth"] = "token" if scope["user"] else None
                if scope["user"] is None:
                    raise NotAuthorizedException("This API token is not valid or was revoked.")
            elif not authorization and (cookie := _cookie(scope, SESSION_COOKIE)) is not None:
                # (a request that names its own credentials, e.g. an LRS client's key, is not signed in by a cookie)
                scope["user"] = await _caller(state, b"s", cookie, queries.user_by_session)
                scope["auth"] = "session" if scope["user"] else None
                if (
                    scope["auth"]
                    and scope.get("method") not in SAFE_METHODS
                    and path.startswith(API_PREFIXES)
                    and not _csrf_header_valid(scope)
                ):
                    raise PermissionDeniedException(
                        "CSRF token verification failed: send the page's token in the X-CSRFToken header."
                    )
        await next_app(scope, receive, send)


def _csrf_header_valid(scope: Scope) -> bool:
    """A session cookie rides along with any request the browser makes, so a state-changing request that signs in by
    it must also prove it came from one of our pages: the X-CSRFToken header equal to the signed CSRF cookie (the
    same pair Litestar's middleware accepts, which JavaScript reads from the page's hidden ``_csrf_token`` field)."""
    config = scope["app"].csrf_config
    if config is None:  # create_app always configures CSRF; without it no token can be checked
        return False
    sent = _header(scope, config.header_name.encode())
    kept = _cookie(scope, config.cookie_name)
    if not sent or not kept or len(kept) <= CSRF_SECRET_LENGTH or not compare_digest(sent.encode(), kept.encode()):
        return False
    random_part, mac = kept[:CSRF_SECRET_LENGTH], kept[CSRF_SECRET_LENGTH:]
    return compare_digest(mac.encode(), generate_csrf_hash(random_part, config.secret).encode())


# Guards are coroutines: Litestar runs a plain-function guard in a worker thread, a thread hop per request.
async def require_login(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException("Sign in, or send an API token as `Authorization: Bearer ...`.")


def provide_user(request: Request[Any, Any, Any]) -> CurrentUser | None:
    return request.scope.get("user")


USER_DEPENDENCY = {"user": Provide(provide_user, sync_to_thread=False)}


def require_role(*roles: str):
    """A guard that lets only these roles through (after requiring a login)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        await require_login(connection, handler)
        if connection.scope["user"].role not in roles:
            raise PermissionDeniedException("Your role may not do this.")

    guard.__name__ = "require_" + "_or_".join(roles)
    return guard


STAFF = ("instructor", "program_admin")
ADMINS = ("clinic_admin", "program_admin")
