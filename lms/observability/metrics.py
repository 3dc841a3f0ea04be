"""Prometheus metrics: the database pool and counters the features increment (requests per route and status are
in lms/observability/request_metrics.py).

Features count things with one call::

    from lms.observability.metrics import inc

    inc("statements_ingested")                      # or inc("statements_ingested", amount=12)
    inc("quizzes_graded", outcome="passed")         # outcome: passed | failed
    inc("certificates_verified", outcome="valid")   # outcome: valid | revoked | expired | unknown
    inc("media_uploads_refused", reason="type")     # reason: type | size | missing | ...

A label left out is recorded as ``other``; an unknown counter name is a ``KeyError`` (a typo fails the tests).
Label values must come from a short fixed list, never from user input (each value is a new time series).

``/metrics`` is not public: only clients in ``LMS_METRICS_ALLOW`` get it (others get 404), and a request that came
through a proxy from an address outside the list (``X-Forwarded-For``/``Forwarded``) is refused too. Metrics are per
process: run one worker per container and let Prometheus sum the replicas.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusController
from prometheus_client import Counter, Gauge

from lms.settings import metrics_networks

_COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "statements_ingested": ("xAPI statements stored.", ()),
    "quizzes_graded": ("Quiz attempts graded, by outcome (passed, failed).", ("outcome",)),
    "certificates_issued": ("Certificates issued.", ()),
    "certificates_revoked": ("Certificates revoked.", ()),
    "certificates_verified": (
        "Certificate verifications, by outcome (valid, revoked, expired, unknown).",
        ("outcome",),
    ),
    "media_uploads_accepted": ("Media uploads accepted after their checks.", ()),
    "media_uploads_refused": ("Media uploads refused, by reason.", ("reason",)),
    "s3_errors": (
        "Calls to the object store that failed (unreachable, or a 5xx answer), by operation.",
        ("operation",),
    ),
}

COUNTERS: dict[str, Counter] = {
    name: Counter(f"lms_{name}", help_text, labelnames=labels) for name, (help_text, labels) in _COUNTERS.items()
}

DB_POOL_SIZE = Gauge("lms_db_pool_connections", "Open connections in this process's database pool.")
DB_POOL_IN_USE = Gauge("lms_db_pool_in_use", "Pooled database connections handed out to requests right now.")
DB_POOL_WAITING = Gauge("lms_db_pool_waiting", "Requests waiting for a pooled database connection right now.")
DB_POOL_MAX = Gauge("lms_db_pool_max", "Largest number of connections the pool may open (LMS_DATABASE_POOL_MAX).")


def inc(name: str, amount: float = 1, **labels: str) -> None:
    """Add ``amount`` to the counter ``name`` (see the module docstring for the names and their labels)."""
    counter = COUNTERS[name]
    declared = _COUNTERS[name][1]
    unknown = set(labels) - set(declared)
    if unknown:
        raise ValueError(f"counter {name} has no label(s) {sorted(unknown)}; it has {list(declared)}")
    if declared:
        counter = counter.labels(**{label: str(labels.get(label) or "other") for label in declared})
    counter.inc(amount)


def observe_pool(pool: Any) -> None:
    """Read the asyncpg pool's sizes into the gauges (called just before each scrape)."""
    if pool is None:
        return
    size, idle = pool.get_size(), pool.get_idle_size()
    DB_POOL_SIZE.set(size)
    DB_POOL_IN_USE.set(max(size - idle, 0))
    DB_POOL_MAX.set(pool.get_max_size())
    # asyncpg has no public count of waiters: they are the pending getters of its holder queue.
    getters = getattr(getattr(pool, "_queue", None), "_getters", None) or ()
    DB_POOL_WAITING.set(sum(1 for waiter in getters if not waiter.done()))


@functools.lru_cache(maxsize=16)
def _networks(value: str) -> tuple[Any, ...]:
    return tuple(metrics_networks(value))


def _address(text: str) -> Any:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


_FORWARDED_FOR = re.compile(r"for=\"?\[?([^\]\";,]+)", re.I)


def _forwarded_addresses(connection: ASGIConnection[Any, Any, Any, Any]) -> list[str]:
    found = [part for value in connection.headers.getall("x-forwarded-for", []) for part in value.split(",")]
    for value in connection.headers.getall("forwarded", []):
        found += _FORWARDED_FOR.findall(value)
    return [part.strip() for part in found if part.strip()]


async def allowed_to_scrape(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: the caller (and every proxy hop it came through) must be inside ``LMS_METRICS_ALLOW``; else 404."""
    networks = _networks(connection.app.state.settings.metrics_allow)
    client = connection.scope.get("client")
    candidates = [client[0] if client else ""] + _forwarded_addresses(connection)
    for text in candidates:
        address = _address(text)
        if address is None or not any(address.version == net.version and address in net for net in networks):
            raise NotFoundException()


async def _before_scrape(request: Request[Any, Any, Any]) -> None:
    observe_pool(request.app.state.get("pool"))


class MetricsController(PrometheusController):
    """``GET /metrics`` in the Prometheus text format, for allow-listed clients only."""

    path = "/metrics"
    include_in_schema = False
    guards = [allowed_to_scrape]
    before_request = _before_scrape  # type: ignore[assignment]  # a hook Litestar calls unbound, not a method
