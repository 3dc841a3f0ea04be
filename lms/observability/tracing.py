"""OpenTelemetry traces, off unless ``LMS_OTLP_ENDPOINT`` is set: a span per request (Litestar's OpenTelemetry
middleware) with the asyncpg calls inside it as child spans, exported over OTLP/HTTP.

Nothing from the OpenTelemetry SDK, the exporter or the asyncpg instrumentation is imported until tracing is turned
on. The tracer provider and asyncpg's instrumentation are per process (asyncpg is patched globally), so they are made
once and shared by every app the process builds. Statement parameters are never recorded, only the SQL text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar.middleware.base import DefineMiddleware

    from lms.settings import Settings

_provider: Any = None


def traces_url(endpoint: str) -> str:
    """The collector's base URL (``http://collector:4318``) or its full traces URL, as the exporter wants it."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else endpoint + "/v1/traces"


def start_tracing(settings: Settings, exporter: Any = None) -> Any:
    """The process's tracer provider, made on first call. ``exporter`` (tests) replaces the OTLP exporter."""
    global _provider
    if _provider is None:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": "lms"}))
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(settings.otlp_endpoint)))
            )
        else:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        AsyncPGInstrumentor().instrument(tracer_provider=provider)
        _provider = provider
    return _provider


def stop_tracing() -> None:
    """Flush and drop the provider and un-patch asyncpg (process exit, or the end of a test)."""
    global _provider
    if _provider is None:
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor().uninstrument()
    _provider.shutdown()
    _provider = None


def tracing_middleware(settings: Settings) -> DefineMiddleware:
    """Litestar's OpenTelemetry middleware (Litestar moves it to the outside of the app on its own)."""
    from litestar.plugins.opentelemetry import OpenTelemetryConfig

    return OpenTelemetryConfig(
        tracer_provider=start_tracing(settings),
        exclude=["^/health/", "^/metrics", "^/static/"],
        exclude_spans=["receive", "send"],
    ).middleware
