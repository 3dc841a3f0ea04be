"""Errors in one place: domain exceptions, and the handlers that turn them into problem details or a page.

Controllers and queries raise these; nothing else decides status codes.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Litestar, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.exceptions import NotFoundException as LitestarNotFound
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from lms.i18n import N_, Text, request_language, say, translations


class DomainError(Exception):
    """``detail`` may be interface text marked with ``N_`` and filled from ``params``: the handler shows it in the
    caller's language (other details pass through as they are)."""

    status = 400
    title = N_("Bad request")

    def __init__(
        self,
        detail: str = "",
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.template = detail or self.title
        self.params = params or {}
        self.detail = str(Text(self.template, **self.params)) if self.params else self.template
        super().__init__(self.detail)
        self.field = field
        self.extra = extra or {}
        self._source_extra = self.extra

    def as_text(self) -> Text:
        """The message as a value of another message or a problem in a list, still in every language."""
        return Text(self.template, **self.params)

    def localize(self, language: str) -> DomainError:
        self.detail = say(language, self.template, self.params)
        problems = self._source_extra.get("problems")
        if isinstance(problems, list):
            # a problem list (file, line, message) says each message in the reader's language too
            self.extra = {
                **self._source_extra,
                "problems": [
                    {**p, "message": p["message"].localize(language)}
                    if isinstance(p, dict) and isinstance(p.get("message"), Text)
                    else p
                    for p in problems
                ],
            }
        return self


def shown(request: Request[Any, Any, Any], exc: DomainError) -> str:
    """The error as a page shows it beside a form: in the reader's language (the handlers below do the same)."""
    return exc.localize(request_language(request)).detail


class Invalid(DomainError):
    status = 400
    title = N_("Invalid input")


class NotFound(DomainError):
    status = 404
    title = N_("Not found")


class Conflict(DomainError):
    status = 409
    title = N_("Conflict")


class Forbidden(DomainError):
    status = 403
    title = N_("Forbidden")


class PreconditionFailed(DomainError):
    """An If-Match / If-None-Match precondition did not hold (xAPI documents)."""

    status = 412
    title = N_("Precondition failed")


class TooLarge(DomainError):
    status = 413
    title = N_("Request body too large")


class PreconditionRequired(DomainError):
    """A change that could overwrite someone else's was sent without saying which state it was based on."""

    status = 428
    title = N_("Precondition required")


class HeadersTooLarge(DomainError):
    status = 431
    title = N_("Request headers too large")


class TooMany(DomainError):
    status = 429
    title = N_("Too many requests")


class StoreUnavailable(DomainError):
    status = 503
    title = N_("Media storage unavailable")

    def __init__(
        self,
        detail: str = "The media store cannot be reached right now. Lesson text still works; try the upload again in a few minutes.",
    ) -> None:
        super().__init__(detail)


class DatabaseUnavailable(DomainError):
    status = 503
    title = N_("Database unavailable")

    def __init__(self, detail: str = "The database did not answer in time. Please try again shortly.") -> None:
        super().__init__(detail)


_AT = re.compile(r" - at `\$\.?([^`]*)`$")
_BOUNDS = [
    (re.compile(r"^Expected `str` of length >= (\d+)"), N_("%(field)s: at least %(limit)s characters")),
    (re.compile(r"^Expected `str` of length <= (\d+)"), N_("%(field)s: at most %(limit)s characters")),
    (re.compile(r"^Expected `array` of length >= (\d+)"), N_("%(field)s: at least %(limit)s entries")),
    (re.compile(r"^Expected `array` of length <= (\d+)"), N_("%(field)s: at most %(limit)s entries")),
    (re.compile(r"^Expected `(?:int|float)` >= (-?[\d.]+)"), N_("%(field)s: at least %(limit)s")),
    (re.compile(r"^Expected `(?:int|float)` <= (-?[\d.]+)"), N_("%(field)s: at most %(limit)s")),
    (re.compile(r"^Object missing required field `([^`]+)`"), N_("%(field)s: required")),
]


def invalid_value(exc: msgspec.ValidationError, *, field: str, names: dict[str, str] | None = None) -> Invalid:
    """msgspec's own sentence ("Expected `int` >= 1 - at `$.capacity`") is English: say it again as interface text,
    naming the field (``field`` when msgspec names none; ``names`` maps a Struct field to the form's name for it)."""
    text = str(exc)
    at = _AT.search(text)
    message = text[: at.start()] if at else text
    name = at.group(1) if at and at.group(1) else field
    template, params = N_("%(field)s: not a valid value"), {}
    for pattern, bound in _BOUNDS:
        if found := pattern.match(message):
            template = bound
            if bound.endswith("required"):
                name = found.group(1)
            else:
                params["limit"] = found.group(1)
            break
    name = (names or {}).get(name, name)
    return Invalid(template, field=name, params={"field": name, **params})


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/xapi/", "/health", "/schema", "/metrics")):
        return False
    return "text/html" in request.headers.get("accept", "text/html")


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    headers = {"X-Experience-API-Version": "1.0.3"} if extra.pop("xapi", False) else None
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(body, status_code=status, media_type="application/problem+json", headers=headers)


def _page(request: Request[Any, Any, Any], status: int, title: str, detail: str) -> Response[Any]:
    from lms.web import page

    return page(request, "errors/error.html.jinja2", status=status, code=status, title=title, detail=detail)


def _respond(request: Request[Any, Any, Any], status: int, title: str, detail: str, **extra: Any) -> Response[Any]:
    if _wants_html(request):
        return _page(request, status, title, detail)
    return _problem(status, title, detail, xapi=request.url.path.startswith("/xapi/"), **extra)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    exc.localize(request_language(request))
    return _respond(request, exc.status, exc.title, exc.detail, field=exc.field, **exc.extra)


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Litestar/msgspec validation: name the field (``$.email``) in ``detail`` and ``errors``."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    detail = exc.detail or "Invalid request"
    if errors and isinstance(errors[0], dict) and errors[0].get("message"):
        first = errors[0]
        detail = str(first["message"])
        if first.get("key") and first["key"] not in detail:
            detail = f"{first['key']}: {detail}"
    return _respond(request, 400, N_("Invalid input"), detail, errors=errors or None)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException) and _wants_html(request):
        return Redirect(f"/login?next={request.url.path}")
    titles = {
        401: N_("Sign in required"),
        403: N_("Forbidden"),
        404: N_("Not found"),
        405: N_("Method not allowed"),
        429: N_("Too many requests"),
        431: N_("Request headers too large"),
    }
    status = exc.status_code
    # a detail marked N_ where it was raised (auth.py's) reads in the caller's language; Litestar's own stay as they are
    detail = exc.detail if exc.detail and status < 500 else titles.get(status, N_("Error"))
    detail = translations(request_language(request)).gettext(detail)
    headers = exc.headers or {}
    response = _respond(request, status, titles.get(status, N_("Error")), detail)
    response.headers.update(headers)
    return response


def server_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    import asyncpg

    if (refused := _input_error(exc)) is not None:
        status, detail = refused
        return _respond(request, status, N_("Conflict") if status == 409 else N_("Invalid input"), detail)
    # PostgresConnectionError: the connection broke; OperatorInterventionError: the server is shutting down or
    # starting, or cancelled the query (statement_timeout, the slow-database case): all "try again shortly".
    # InternalClientError "another operation is in progress": a pooled connection caught the server's goodbye
    # (restart) between two requests and had not noticed its socket close yet; the pool replaces it on release.
    if isinstance(
        exc,
        (
            asyncpg.exceptions.PostgresConnectionError,
            asyncpg.exceptions.OperatorInterventionError,
            asyncpg.exceptions.TooManyConnectionsError,
            asyncpg.exceptions.InterfaceError,
            asyncpg.exceptions.InternalClientError,
            ConnectionError,
            TimeoutError,
            OSError,
        ),
    ):
        unavailable = DatabaseUnavailable()
        return _respond(request, 503, unavailable.title, unavailable.detail)
    if isinstance(
        exc, (asyncpg.exceptions.CharacterNotInRepertoireError, asyncpg.exceptions.UntranslatableCharacterError)
    ):
        # PostgreSQL text and jsonb cannot hold U+0000: whatever field carried it, the input is bad, not the server.
        return _respond(request, 400, N_("Invalid input"), "Text may not contain the NUL character (\\u0000).")
    request.logger.exception("unhandled error", exc_info=exc)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR, N_("Server error"), "Something went wrong on our side.")


def _input_error(exc: Exception) -> tuple[int, str] | None:
    """The last line of defence against input the bounds in lms.schemas did not stop: each of these is the client's
    input or a race between two clients' requests, never the server failing, so it is a 4xx, not a 500."""
    import asyncpg
    from asyncpg.exceptions import _base

    if isinstance(exc, RecursionError):
        # msgspec refuses JSON nested deeper than Python's recursion limit while decoding it
        return 400, "The JSON is nested too deeply."
    if isinstance(exc, (_base.DataError, asyncpg.exceptions.NumericValueOutOfRangeError)):
        # asyncpg refusing an argument (an integer beyond its column's range), or PostgreSQL's overflow on one
        return 400, "A number is out of range."
    if isinstance(exc, (asyncpg.exceptions.UniqueViolationError, asyncpg.exceptions.ExclusionViolationError)):
        return 409, "This was just done by another request at the same moment."
    if isinstance(exc, (asyncpg.exceptions.SerializationError, asyncpg.exceptions.DeadlockDetectedError)):
        return 409, "Another request changed the same record at the same moment; try again."
    return None


class Problem(msgspec.Struct, kw_only=True, frozen=True):
    """Problem details (RFC 9457): how every error on /api and /xapi is answered."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None  # the input field at fault, when there is one
    errors: list[dict[str, Any]] | None = None  # every validation error, each naming its field


PROBLEM_STATUSES = {
    400: "Invalid input: the detail (and `field`) names what was wrong",
    401: "Sign in, or send an API token",
    403: "Forbidden for this caller (or a missing CSRF token on a cookie-authenticated call)",
    404: "Not found, or not visible to this caller",
    405: "Method not allowed",
    409: "Conflict with the current state, or with a simultaneous request",
    413: "Request body too large",
    415: "Unsupported content type",
    429: "Too many requests",
    431: "Request headers too large",
    500: "Server error",
    503: "Database or media store unavailable for the moment; try again",
}


def document_problem_responses(app: Litestar) -> None:
    """Every operation in the OpenAPI document lists the errors it may answer, as ``application/problem+json``
    (what ``_problem`` sends), instead of Litestar's default 400 schema, which is not what this service answers."""
    specs = {
        status: ResponseSpec(
            data_container=Problem, description=text, media_type="application/problem+json", generate_examples=False
        )
        for status, text in PROBLEM_STATUSES.items()
    }
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                handler.responses = {**specs, **(handler.responses or {})}


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: server_error_handler,
}

__all__ = [
    "Conflict",
    "DatabaseUnavailable",
    "DomainError",
    "EXCEPTION_HANDLERS",
    "Forbidden",
    "HeadersTooLarge",
    "Invalid",
    "NotFound",
    "PreconditionFailed",
    "PreconditionRequired",
    "StoreUnavailable",
    "TooLarge",
    "TooMany",
    "LitestarNotFound",
    "PermissionDeniedException",
    "TooManyRequestsException",
]
