"""One frozen settings object, read from ``LMS_*`` environment variables once.

Every field documents itself (``help``); ``lms config reference`` prints the table and ``lms config check`` reports
every problem in the environment at once. Those problems stay English on purpose: an operator reads them on the
console before any request, so there is no reader's language to follow.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    """A bad ``LMS_*`` value: every message names its variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _setting(default: Any, help: str, *, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret})


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = _setting(
        "", "PostgreSQL URL. Unset: an embedded PostgreSQL 18 is started with data in the data dir.", secret=True
    )
    database_pool_min: int = _setting(2, "Smallest number of pooled database connections per process.")
    database_pool_max: int = _setting(10, "Largest number of pooled database connections per process.")
    database_timeout: float = _setting(10.0, "Seconds a request may wait for the database before it is answered 503.")
    s3_endpoint_url: str = _setting(
        "", "S3 endpoint URL. Unset: an embedded SeaweedFS S3 gateway is started on 127.0.0.1."
    )
    s3_public_endpoint_url: str = _setting(
        "", "S3 URL as browsers reach it, when it differs from the endpoint (presigned URLs)."
    )
    s3_bucket: str = _setting("lms-media", "Bucket for lesson media.")
    s3_region: str = _setting("us-east-1", "S3 region.")
    s3_access_key_id: str = _setting(
        "", "S3 access key. Embedded store: generated once and kept in the data dir.", secret=True
    )
    s3_secret_access_key: str = _setting(
        "", "S3 secret key. Embedded store: generated once and kept in the data dir.", secret=True
    )
    secret_key: str = _setting(
        "",
        "Secret for CSRF tokens and signed values (32+ characters). Unset: generated once in the data dir.",
        secret=True,
    )
    data_dir: Path = _setting(Path("var"), "Directory for the embedded servers' data, keys and generated secrets.")
    public_base_url: str = _setting(
        "http://127.0.0.1:8000", "The service's public URL, used in QR codes, credentials and links."
    )
    content_origin: str = _setting(
        "",
        "Origin (scheme://host[:port]) that serves imported cmi5/SCORM package files, on a host name other than the public base URL's, so package scripts never run on the service's origin or see its cookies. It must reach this same service. Unset: the public base URL with 127.0.0.1 and localhost swapped, or content.<its host>.",
    )
    package_max_mb: int = _setting(500, "Largest package zip an instructor may import, in MB (at most 2000).")
    package_max_unpacked_mb: int = _setting(
        2000,
        "Largest total size of a package's files once unpacked, in MB (a zip bomb is refused before anything is written).",
    )
    host: str = _setting("127.0.0.1", "Address `lms serve` listens on.")
    port: int = _setting(8000, "Port `lms serve` listens on.")
    workers: int = _setting(1, "Worker processes for `lms serve`.")
    embedded_pg_port: int = _setting(54329, "TCP port of the embedded PostgreSQL on 127.0.0.1.")
    embedded_pg_shared_buffers: str = _setting(
        "256MB",
        "shared_buffers of the embedded PostgreSQL, its cache of tables and indexes (PostgreSQL's own default is 128MB; on a server of its own give it about a quarter of the memory, e.g. 2GB).",
    )
    embedded_s3_port: int = _setting(
        8333,
        "Port of the embedded SeaweedFS S3 gateway on 127.0.0.1 (it also takes the next few hundred above it for its internal servers).",
    )
    templates_dir: Path = _setting(REPO_ROOT / "templates", "Jinja2 templates directory.")
    courses_dir: Path = _setting(REPO_ROOT / "courses", "Course folders loaded into an empty database on first start.")
    seed_demo: bool = _setting(True, "Load the course catalogue and demo users into an empty database on first start.")
    cookie_secure: bool = _setting(False, "Mark session cookies Secure (set true behind https).")
    session_hours: int = _setting(12, "Hours a browser session lasts.")
    auth_cache_seconds: float = _setting(
        5.0,
        "Seconds each process keeps who a session cookie or API token belongs to (one query less per request). A sign-out, revoked token or role change made through a process applies there at once and in other processes within this time; 0 looks up every request.",
    )
    login_max_failures: int = _setting(
        5,
        "Failed sign-ins for one account within 15 minutes before each further try is slowed (1 s more each, up to 10 s); the right password still signs in.",
    )
    login_max_failures_per_address: int = _setting(
        30,
        "Failed sign-ins from one client address within 15 minutes before that address is refused for a while (the right password of an account under attack still works from elsewhere).",
    )
    password_reset_minutes: int = _setting(
        60, "Minutes an e-mailed or texted password-reset link or code stays valid (single use)."
    )
    reset_code_hours: int = _setting(72, "Hours a reset code that a clinic admin issues stays valid (single use).")
    smtp_host: str = _setting(
        "", "SMTP server for email. Unset: messages are kept in the outbox that program admins read on the web."
    )
    smtp_port: int = _setting(587, "SMTP port.")
    smtp_security: str = _setting("starttls", "SMTP connection security: starttls, tls or none.")
    smtp_username: str = _setting("", "SMTP user name (unset: no login).")
    smtp_password: str = _setting("", "SMTP password.", secret=True)
    smtp_from: str = _setting("lms@localhost", "From address of email messages.")
    smtp_timeout: float = _setting(20.0, "Seconds an SMTP server may take before a delivery is retried later.")
    twilio_account_sid: str = _setting(
        "",
        "Twilio account SID for SMS. Unset (with the token and sender): no SMS, messages go by email or to the outbox.",
    )
    twilio_auth_token: str = _setting("", "Twilio auth token.", secret=True)
    twilio_from: str = _setting(
        "", "Twilio sender: a phone number in E.164 form (+15105550100) or a messaging service SID."
    )
    jobs_in_serve: bool = _setting(
        True,
        "Run the background job worker (messages, reminders) inside `lms serve`; set false when `lms worker` runs as a separate process.",
    )
    default_language: str = _setting("en", "Interface language when nothing else decides.")
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")
    log_format: str = _setting(
        "auto",
        "Log line format: json (one JSON object per line), text (readable), or auto (text when stderr is a terminal, else json).",
    )
    metrics_allow: str = _setting(
        "127.0.0.1/32,::1/128", "Comma-separated CIDR ranges whose clients may read /metrics; everyone else gets 404."
    )
    otlp_endpoint: str = _setting(
        "",
        "OpenTelemetry collector URL for traces over OTLP/HTTP, e.g. http://otel-collector:4318. Unset: tracing is off.",
    )
    shutdown_drain_seconds: float = _setting(
        0.0,
        "Seconds `lms serve` keeps serving after SIGTERM with /health/ready answering 503, so load balancers stop sending new requests.",
    )
    shutdown_grace_seconds: float = _setting(
        20.0,
        "Seconds in-flight requests get to finish once `lms serve` stops accepting connections; longer ones are cancelled.",
    )

    @property
    def uses_embedded_postgres(self) -> bool:
        return not self.database_url

    @property
    def sends_email(self) -> bool:
        return bool(self.smtp_host)

    @property
    def sends_sms(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from)

    @property
    def content_origin_url(self) -> str:
        """Where package files are served: LMS_CONTENT_ORIGIN, or the public URL's host swapped for its other name."""
        if self.content_origin:
            return self.content_origin.rstrip("/")
        parts = urlparse(self.public_base_url)
        host = parts.hostname or ""
        other = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(host, f"content.{host}")
        return f"{parts.scheme}://{other}" + (f":{parts.port}" if parts.port else "")

    @property
    def uses_embedded_s3(self) -> bool:
        return not self.s3_endpoint_url

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``LMS_*`` variable; raise one ``SettingsError`` listing every bad one."""
        settings, problems = cls.read_env(environ)
        if problems:
            raise SettingsError(problems)
        return settings

    @classmethod
    def read_env(cls, environ: Mapping[str, str] | None = None) -> tuple[Settings, list[str]]:
        """Settings from what parses (defaults for the rest) and every problem found, for ``lms config check``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []
        for f in fields(cls):
            name = env_name(f.name)
            raw = environ.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = _parse(f.default, raw)
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
        settings = cls(**values)
        problems.extend(settings.problems())
        return settings, problems

    def problems(self) -> list[str]:
        out: list[str] = []
        if self.database_url and urlparse(self.database_url).scheme not in ("postgres", "postgresql"):
            out.append("LMS_DATABASE_URL: must start with postgresql://")
        if self.content_origin:
            origin = urlparse(self.content_origin)
            if origin.scheme not in ("http", "https") or not origin.hostname or origin.path.strip("/"):
                out.append("LMS_CONTENT_ORIGIN: must be an origin such as https://content.example.org (no path)")
            elif origin.hostname == urlparse(self.public_base_url).hostname:
                out.append(
                    "LMS_CONTENT_ORIGIN: must use another host name than LMS_PUBLIC_BASE_URL (cookies are shared per host name)"
                )
        if not 1 <= self.package_max_mb <= min(self.package_max_unpacked_mb, 2000):
            out.append(
                "LMS_PACKAGE_MAX_MB/LMS_PACKAGE_MAX_UNPACKED_MB: need 1 <= zip size <= unpacked size, and a zip of at most 2000 MB"
            )
        for name in ("s3_endpoint_url", "s3_public_endpoint_url", "public_base_url"):
            value = getattr(self, name)
            if value and urlparse(value).scheme not in ("http", "https"):
                out.append(f"{env_name(name)}: must be an http:// or https:// URL")
        if self.s3_endpoint_url and not (self.s3_access_key_id and self.s3_secret_access_key):
            out.append("LMS_S3_ACCESS_KEY_ID/LMS_S3_SECRET_ACCESS_KEY: required with LMS_S3_ENDPOINT_URL")
        if self.secret_key and len(self.secret_key) < 32:
            out.append("LMS_SECRET_KEY: must be at least 32 characters")
        for name in ("port", "embedded_pg_port", "embedded_s3_port"):
            if not 0 < getattr(self, name) < 65536:
                out.append(f"{env_name(name)}: must be a port between 1 and 65535")
        if not 0 <= self.auth_cache_seconds <= 60:
            out.append("LMS_AUTH_CACHE_SECONDS: must be between 0 and 60")
        if self.smtp_security not in ("starttls", "tls", "none"):
            out.append("LMS_SMTP_SECURITY: must be starttls, tls or none")
        twilio = (self.twilio_account_sid, self.twilio_auth_token, self.twilio_from)
        if any(twilio) and not all(twilio):
            out.append("LMS_TWILIO_ACCOUNT_SID/LMS_TWILIO_AUTH_TOKEN/LMS_TWILIO_FROM: set all three or none")
        for name in ("password_reset_minutes", "reset_code_hours", "login_max_failures_per_address"):
            if getattr(self, name) < 1:
                out.append(f"{env_name(name)}: must be at least 1")
        if self.workers < 1:
            out.append("LMS_WORKERS: must be at least 1")
        if not re.fullmatch(r"[1-9][0-9]{0,6}(kB|MB|GB)", self.embedded_pg_shared_buffers):
            out.append("LMS_EMBEDDED_PG_SHARED_BUFFERS: must be a size such as 256MB or 2GB")
        if not 1 <= self.database_pool_min <= self.database_pool_max:
            out.append("LMS_DATABASE_POOL_MIN/MAX: need 1 <= min <= max")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            out.append("LMS_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR")
        if not 3 <= len(self.s3_bucket) <= 63:
            out.append("LMS_S3_BUCKET: must be 3 to 63 characters")
        if self.log_format not in ("auto", "json", "text"):
            out.append("LMS_LOG_FORMAT: must be auto, json or text")
        try:
            metrics_networks(self.metrics_allow)
        except ValueError as exc:
            out.append(f"LMS_METRICS_ALLOW: {exc}")
        if self.otlp_endpoint and urlparse(self.otlp_endpoint).scheme not in ("http", "https"):
            out.append("LMS_OTLP_ENDPOINT: must be an http:// or https:// URL")
        for name in ("shutdown_drain_seconds", "shutdown_grace_seconds"):
            if getattr(self, name) < 0:
                out.append(f"{env_name(name)}: must be 0 or more")
        return out


def metrics_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The allow-list for /metrics: ``10.0.0.0/8,::1/128``; a bare address means just that address."""
    networks = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an address or CIDR range") from None
    return networks


def env_name(field_name: str) -> str:
    return "LMS_" + field_name.upper()


def _parse(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"expected true or false, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
    if isinstance(default, Path):
        return Path(raw)
    return raw


def reference_rows() -> list[tuple[str, str, str, str]]:
    """(variable, type, default, meaning) for every setting: the configuration reference."""
    rows = []
    for f in fields(Settings):
        default = f.default
        shown = "(unset)" if default == "" else str(default)
        if isinstance(default, Path) and default.is_absolute():
            shown = "./" + str(default.relative_to(REPO_ROOT))
        rows.append((env_name(f.name), type(default).__name__.replace("PosixPath", "path"), shown, f.metadata["help"]))
    return rows


REFERENCE_START = "<!-- config:start -->"
REFERENCE_END = "<!-- config:end -->"


def reference_markdown() -> str:
    """The configuration reference as a Markdown table (``lms config reference``)."""
    lines = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {kind} | `{default}` | {meaning} |" for name, kind, default, meaning in reference_rows()]
    return "\n".join(lines)


def with_reference(document: str) -> str:
    """``document`` with the block between the config markers replaced by the current reference table."""
    start, end = document.find(REFERENCE_START), document.find(REFERENCE_END)
    if start < 0 or end < start:
        raise ValueError(f"no {REFERENCE_START} ... {REFERENCE_END} block to replace")
    return document[: start + len(REFERENCE_START)] + "\n" + reference_markdown() + "\n" + document[end:]
