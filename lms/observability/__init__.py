"""Operating the service: structured logs, Prometheus metrics, OpenTelemetry traces, graceful shutdown.

For features: ``log_event("certificate.issued", certificate_id=...)`` from ``lms.observability.logs`` and
``inc("certificates_issued")`` from ``lms.observability.metrics``.
"""

from lms.observability.logs import log_event, with_request_log
from lms.observability.metrics import inc
from lms.observability.plugin import ObservabilityPlugin

__all__ = ["ObservabilityPlugin", "inc", "log_event", "with_request_log"]
