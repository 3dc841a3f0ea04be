"""One Litestar plugin that wires logging, metrics, tracing and the graceful-shutdown hook into the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.plugins import InitPlugin

from lms.observability.logs import logging_config
from lms.observability.metrics import MetricsController
from lms.observability.shutdown import install_drain_on_sigterm, restore_sigterm

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.config.app import AppConfig

    from lms.settings import Settings


class ObservabilityPlugin(InitPlugin):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.logging_config = logging_config(self.settings)
        app_config.route_handlers.append(MetricsController)
        if self.settings.otlp_endpoint:
            from lms.observability.tracing import tracing_middleware

            app_config.middleware.insert(0, tracing_middleware(self.settings))
        app_config.on_startup.append(self._started)
        app_config.on_shutdown.append(restore_sigterm)
        return app_config

    def _started(self, app: Litestar) -> None:
        app.state.shutting_down = False
        install_drain_on_sigterm(app, self.settings.shutdown_drain_seconds)
