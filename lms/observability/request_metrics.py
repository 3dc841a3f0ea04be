"""Requests per route template, method and status, kept as plain numbers and read by Prometheus at scrape time.

Recorded by the request log wrapper (lms/observability/logs.py), which sees every request once. prometheus_client's
own Counter, Gauge and Histogram take a lock and walk the buckets in Python on every call, four times per request;
here a request adds to a few list slots (the bucket found by bisect) and the series are built only when scraped.
Static files are left out. Label values stay bounded: route templates (``(no route)`` for unrouted paths), methods and status codes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import REGISTRY, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

_APP = "lms"
_LABELS = ["app_name", "method", "path", "status_code"]
_BOUNDS = Histogram.DEFAULT_BUCKETS  # ends with +Inf, so every duration has a bucket
_LE = [floatToGoString(bound) for bound in _BOUNDS]
_SUM, _FIRST_BUCKET = 0, 1  # a series' slots: [seconds summed, count in bucket 0, bucket 1, ...]


class RequestMetrics:
    def __init__(self) -> None:
        self._finished: dict[tuple[str, str, int], list[float]] = {}
        self._running: dict[str, int] = {}

    def started(self, method: str) -> None:
        self._running[method] = self._running.get(method, 0) + 1

    def finished(self, method: str, route: str, status: int, seconds: float) -> None:
        self._running[method] -= 1
        if route.startswith("/static"):  # files, not work: counted while running only
            return
        key = (method, route, status)
        slots = self._finished.get(key)
        if slots is None:
            slots = self._finished[key] = [0.0] * (_FIRST_BUCKET + len(_BOUNDS))
        slots[_SUM] += seconds
        slots[_FIRST_BUCKET + bisect_left(_BOUNDS, seconds)] += 1

    def collect(self) -> Iterator[Metric]:
        total = CounterMetricFamily(
            "lms_http_requests", "Requests answered, by route template, method and status.", labels=_LABELS
        )
        errors = CounterMetricFamily("lms_http_requests_error", "Requests answered with a 5xx status.", labels=_LABELS)
        seconds = HistogramMetricFamily(
            "lms_http_request_duration_seconds", "Time to answer a request, in seconds.", labels=_LABELS
        )
        running = GaugeMetricFamily(
            "lms_http_requests_in_progress",
            "Requests being answered right now, by method.",
            labels=["app_name", "method"],
        )
        # Copies taken whole (each one call, under the GIL), so a scrape never sees a series half-updated.
        for (method, route, status), slots in list(self._finished.items()):
            slots = list(slots)
            labels = [_APP, method, route, str(status)]
            cumulative, buckets = 0.0, []
            for le, count in zip(_LE, slots[_FIRST_BUCKET:], strict=True):
                cumulative += count
                buckets.append((le, cumulative))
            total.add_metric(labels, cumulative)
            if status >= 500:
                errors.add_metric(labels, cumulative)
            seconds.add_metric(labels, buckets, slots[_SUM])
        for method, count in list(self._running.items()):
            running.add_metric([_APP, method], count)
        yield from (total, errors, seconds, running)


REQUEST_METRICS = RequestMetrics()
REGISTRY.register(REQUEST_METRICS)
