"""Public lookups (verify pages, certificate JSON, credential checks) are rate limited per client IP.

A small in-process token bucket: each IP may burst 30 lookups, refilled at one every 2 seconds. With several
worker processes or replicas each keeps its own buckets, so the effective limit is that times the process count;
a shared limiter (at the proxy, or in PostgreSQL) is the step up when that matters. Behind a proxy, `lms serve`
trusts X-Forwarded-For (uvicorn ``proxy_headers``), so the client's address is the one limited.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers.base import BaseRouteHandler

BURST = 30
REFILL_PER_SECOND = 0.5
_STATE_KEY = "credit_lookup_buckets"


class TokenBuckets:
    def __init__(self, burst: int = BURST, per_second: float = REFILL_PER_SECOND, max_clients: int = 10_000) -> None:
        self.burst, self.per_second, self.max_clients = burst, per_second, max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, client: str, now: float | None = None) -> float:
        """0 when allowed; otherwise the seconds to wait before the next lookup."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.per_second
        if len(self._buckets) >= self.max_clients and client not in self._buckets:
            self._buckets.clear()  # a flood of addresses: start over rather than grow without bound
        self._buckets[client] = (tokens - 1, now)
        return 0.0


def check_lookup_rate(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Refuse with 429 (and Retry-After) when this client IP has used its lookups."""
    state = connection.app.state
    if _STATE_KEY not in state:
        state[_STATE_KEY] = TokenBuckets()
    client = connection.client.host if connection.client else "unknown"
    wait = state[_STATE_KEY].take(client)
    if wait:
        raise TooManyRequestsException(
            "Too many lookups from this address; wait a minute and try again.",
            headers={"Retry-After": str(int(wait) + 1)},
        )


async def limit_lookups(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard form of ``check_lookup_rate``."""
    check_lookup_rate(connection)
