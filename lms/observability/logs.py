"""Log lines an operator can search: one per request and one per notable event, JSON or readable text.

What never reaches a line: passwords, tokens, session ids, cookies, Authorization headers, emails, names. Requests
are logged by their route template (``/courses/{code:str}``, never the raw path or query), the caller by the opaque
``users.id``. ``log_event`` drops sensitive-looking fields, and every finished line is scrubbed once more for email
addresses, bearer credentials, ``lms_`` tokens and passwords in URLs.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import os
import re
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.logging.config import LoggingConfig

from lms.observability.request_metrics import REQUEST_METRICS

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from lms.settings import Settings

EVENTS = logging.getLogger("lms.events")
REQUESTS = logging.getLogger("lms.requests")

# Set for the duration of a request so events logged inside it carry its id.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("lms_request_id", default=None)

_SENSITIVE_KEY = re.compile(r"password|passwd|token|secret|session|cookie|authorization|email|name|csrf", re.I)
# (pattern, replacement, a text without any of these cannot match): the quick test spares most lines the regexes.
_SCRUB = [
    (
        re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{16,}"),
        r"\1 [redacted]",
        ("earer", "EARER", "asic", "ASIC"),
    ),
    (re.compile(r"\b(?:lms|lmss)_[A-Za-z0-9_-]{16,}"), "[redacted-token]", ("lms_", "lmss_")),
    (re.compile(r"(\w+://[^:/@\s\"]+:)[^@\s\"]+@"), r"\1[redacted]@", ("@",)),
    (re.compile(r"(?i)((?:x-amz-)?(?:signature|credential|security-token)=)[^&\s,\"]+"), r"\1[redacted]", ("=",)),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), "[redacted-email]", ("@",)),
]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_QUIET_PREFIXES = ("/health/", "/metrics")
_encode = msgspec.json.Encoder(enc_hook=str).encode


def scrub(text: str) -> str:
    for pattern, replacement, needs in _SCRUB:
        if any(needle in text for needle in needs):
            text = pattern.sub(replacement, text)
    return text


def log_event(name: str, /, level: int = logging.INFO, **fields: Any) -> None:
    """One line for a notable event, e.g. ``log_event("certificate.issued", certificate_id=c.id, course="MA-101")``.

    Name events ``thing.happened``. Pass ids, codes and counts, never people's details: fields whose name looks
    sensitive (``*email*``, ``*name*``, ``*token*``, ``*password*`` ...) are replaced by ``[redacted]``.
    """
    clean = {key: ("[redacted]" if _SENSITIVE_KEY.search(key) else value) for key, value in fields.items()}
    if (request_id := request_id_var.get()) is not None:
        clean.setdefault("request_id", request_id)
    EVENTS.log(level, name, extra={"event": name, "fields": clean})


_stamp_second: tuple[int, str] = (-1, "")


def utc_stamp(created: float) -> str:
    """``2026-11-23T07:16:06.123Z``: the date and time made once a second, the milliseconds each time."""
    global _stamp_second
    second = int(created)
    if _stamp_second[0] != second:
        _stamp_second = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return f"{_stamp_second[1]}.{int((created - second) * 1000):03d}Z"


class LineFormatter(logging.Formatter):
    """A record as one JSON object per line, or as ``time LEVEL event key=value ...`` for people."""

    def __init__(self, json: bool = True) -> None:
        super().__init__()
        self.json = json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "fields", None) or {}
        event = getattr(record, "event", None)
        message = event or record.getMessage()
        if record.exc_info:
            fields = {**fields, "error": self.formatException(record.exc_info)}
        if self.json:
            line = {
                "ts": utc_stamp(record.created),
                "level": record.levelname.lower(),
                "logger": record.name,
                "event": message,
                **fields,
            }
            text = _encode(line).decode()
            return text if getattr(record, "nothing_to_scrub", False) else scrub(text)
        when = time.strftime("%H:%M:%S", time.localtime(record.created))
        fields = dict(fields)
        if event == "request":
            message = (
                f"{fields.pop('method')} {fields.pop('route')} {fields.pop('status')} {fields.pop('latency_ms')}ms"
            )
        pairs = " ".join(f"{key}={value}" for key, value in fields.items() if key != "error" and value is not None)
        text = f"{when} {record.levelname:<7} {message}" + (f"  {pairs}" if pairs else "")
        if "error" in fields:
            text += "\n" + fields["error"]
        return scrub(text)


class StderrHandler(logging.StreamHandler):
    """Writes each line to whatever ``sys.stderr`` is at the time (so a test capturing stderr sees the lines)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def wants_json(settings: Settings) -> bool:
    if settings.log_format == "auto":
        return not sys.stderr.isatty()
    return settings.log_format == "json"


def logging_config(settings: Settings) -> LoggingConfig:
    """Litestar's logging config, pointed at one stderr handler with our formatter, for every logger."""
    # Our lines carry no thread or process names: spare every record (one per request) looking them up.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    # ... nor the caller's file and line: no stack walk per record (the logging HOWTO's "Optimization" section).
    logging._srcfile = None
    level = settings.log_level.upper()
    return LoggingConfig(
        formatters={"lms": {"()": LineFormatter, "json": wants_json(settings)}},
        # Litestar's default handler names, redefined so no queue-listener thread is started.
        handlers={name: {"()": StderrHandler, "formatter": "lms"} for name in ("console", "queue_listener")},
        loggers={
            "litestar": {"level": level, "handlers": [], "propagate": True},
            "lms": {"level": level, "handlers": [], "propagate": True},
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "propagate": True},
            # At DEBUG these print signed S3 requests; they never go below WARNING.
            **{
                name: {"level": "WARNING", "propagate": True} for name in ("botocore", "boto3", "s3transfer", "urllib3")
            },
        },
        root={"handlers": ["console"], "level": level},
    )


def configure_logging(settings: Settings) -> None:
    """For processes that serve no app (the `lms` command itself, uvicorn's supervisor)."""
    logging_config(settings).configure()


class _RequestIds:
    """32 hex characters: 16 random to this process (new in a forked child), then a count of its requests. Unique
    across replicas and restarts without asking the kernel for randomness on every request (uuid4 did)."""

    def __init__(self) -> None:
        self.renew()
        os.register_at_fork(after_in_child=self.renew)

    def renew(self) -> None:
        self.prefix, self.count = os.urandom(8).hex(), itertools.count(1)

    def new(self) -> str:
        return f"{self.prefix}{next(self.count):016x}"


_new_request_id = _RequestIds().new


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            offered = value.decode("latin-1").strip()
            if _REQUEST_ID.match(offered) and scrub(offered) == offered:  # nothing in it the log lines would hide
                return offered
            break
    return _new_request_id()


_NO_STORE = (b"cache-control", b"no-store")


def _answers_a_caller(scope: Scope) -> bool:
    """A signed-in or credentialed request: its answer may hold personal data, so no browser or proxy may keep it
    (anonymous pages such as the catalogue and verification keep their own caching)."""
    if scope.get("user") is not None:
        return True
    return not scope["path"].startswith("/static/") and any(
        key == b"authorization" for key, _ in scope.get("headers", [])
    )


class RequestLog:
    """Outermost ASGI wrapper: a request id and the given headers (lms.security's) on every response, one line per
    request, ``Connection: close`` while draining (so clients stop reusing connections to a replica that is about to
    go away), ``Cache-Control: no-store`` on answers to a signed-in caller. A header the response sets itself is not
    added again."""

    def __init__(self, app: Litestar, inner: ASGIApp, every_response: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.inner = inner
        self.every_response = every_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        request_id = _request_id(scope)
        draining = bool(self.app.state.get("shutting_down"))
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                own = message.get("headers", [])
                present = {k.lower() for k, _ in own}
                headers = [
                    *own,
                    *(h for h in self.every_response if h[0] not in present),
                    (b"x-request-id", request_id.encode()),
                ]
                if b"cache-control" not in present and _answers_a_caller(scope):
                    headers.append(_NO_STORE)
                if draining:
                    headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        token = request_id_var.set(request_id)
        method = str(scope.get("method", ""))
        REQUEST_METRICS.started(method)
        try:
            await self.inner(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            seconds = time.perf_counter() - started
            route = scope.get("path_template") or "(no route)"
            REQUEST_METRICS.finished(method, route, status, seconds)
            _log_request(scope, route, request_id, status, seconds)


def _log_request(scope: Scope, route: str, request_id: str, status: int, seconds: float) -> None:
    if scope.get("path", "").startswith(_QUIET_PREFIXES):  # probes and scrapes: only worth a line when they fail
        level = logging.DEBUG if status < 400 else logging.WARNING
    else:
        level = logging.ERROR if status >= 500 else logging.INFO
    if not REQUESTS.isEnabledFor(level):
        return
    user = scope.get("user")
    # Ids, a route template, a method token and numbers: nothing a scrub pattern could find.
    REQUESTS.log(
        level,
        "request",
        extra={
            "event": "request",
            "nothing_to_scrub": True,
            "fields": {
                "request_id": request_id,
                "method": scope.get("method"),
                "route": route,
                "status": status,
                "latency_ms": round(seconds * 1000, 2),
                "user_id": str(user.id) if user is not None else None,
                "role": user.role if user is not None else None,
                "clinic_id": str(user.clinic_id) if user is not None and user.clinic_id else None,
            },
        },
    )


def with_request_log(app: Litestar, every_response: list[tuple[bytes, bytes]]) -> Litestar:
    """Wrap the app's whole ASGI handler (so unrouted 404s and errors are logged and get the headers too); returns
    the same app."""
    app.asgi_handler = RequestLog(app, app.asgi_handler, every_response)
    return app
