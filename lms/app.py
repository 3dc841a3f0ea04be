"""The one app factory. Nothing Litestar-shaped is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from lms.accounts.auth import API_PREFIXES, USER_DEPENDENCY, AuthenticationMiddleware
from lms.accounts.schemas import ROLE_NAMES
from lms.credit.corrections import on_record_corrected
from lms.credit.service import on_completion
from lms.db.pool import create_pool
from lms.deps import DEPENDENCIES
from lms.errors import EXCEPTION_HANDLERS, document_problem_responses
from lms.input_limits import HeaderLimitMiddleware, refuse_invalid_utf8
from lms.learning.completion import completion_listener, on_completed, on_corrected
from lms.observability import ObservabilityPlugin, with_request_log
from lms.packages.cmi5.lrs import Cmi5LaunchAuthority
from lms.packages.content import ContentOriginSplit
from lms.packages.folder import register as register_package_folders
from lms.routes import ROUTES
from lms.security import security_headers
from lms.settings import Settings, SettingsError
from lms.storage import Storage
from lms.xapi.protocol import XapiProtocol

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, *, jobs: bool = False) -> Litestar:
    """The app; with ``jobs`` it also runs a background job worker for its lifetime (``lms serve``)."""
    settings = settings or Settings.from_env()
    if not settings.secret_key:  # `lms serve` generates one in the data dir; an ASGI server's --factory does not
        raise SettingsError(["LMS_SECRET_KEY: unset; the app signs CSRF tokens and encrypts the signing key with it"])
    # The credit feature listens to learning: a completed enrolment gets its certificate, and a corrected one has it
    # superseded or revoked, each in the same transaction.
    if on_completion not in on_completed:
        on_completed.append(on_completion)
    if on_record_corrected not in on_corrected:
        on_corrected.append(on_record_corrected)
    register_package_folders()  # course folders may name package zips (the first start's catalogue)

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await create_pool(settings)
        app.state.storage = Storage(settings)
        app.state.statement_listeners = [completion_listener(settings.public_base_url)]
        app.state.launch_authority = Cmi5LaunchAuthority(settings)
        try:
            async with AsyncExitStack() as stack:
                if jobs:
                    from lms.jobs.queue import running_worker

                    await stack.enter_async_context(running_worker(app.state.pool, settings))
                yield
        finally:
            await app.state.pool.close()

    def configure_jinja(engine: Engine) -> None:
        engine.engine.add_extension("jinja2.ext.i18n")
        engine.engine.policies["ext.i18n.trimmed"] = True
        engine.engine.globals["role_names"] = ROLE_NAMES
        # Templates ship with the release: no stat() of every template file on every render (restart after edits).
        engine.engine.auto_reload = False

    templates = TemplateConfig(directory=settings.templates_dir, engine=Engine, engine_callback=configure_jinja)
    app = Litestar(
        route_handlers=[
            *ROUTES,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        lifespan=[resources],
        dependencies={**DEPENDENCIES, **USER_DEPENDENCY},
        middleware=[HeaderLimitMiddleware(), ContentOriginSplit(), AuthenticationMiddleware()],
        before_request=refuse_invalid_utf8,
        plugins=[ObservabilityPlugin(settings)],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=templates,
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="lms_csrf",
            cookie_secure=settings.cookie_secure,
            cookie_httponly=True,
            # API routes check a cookie-authenticated caller's token themselves (lms.accounts.auth)
            # package files on the content origin: no cookie of any kind is set there
            exclude=[f"^{prefix}" for prefix in (*API_PREFIXES, "/health/", "/content/")],
        ),
        openapi_config=OpenAPIConfig(
            title="lms",
            version="1",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            description="Training, credit and certificate verification for community health center workers.",
        ),
        request_max_body_size=2 * 1024 * 1024,
        debug=False,
    )
    document_problem_responses(app)
    # version, CORS, HEAD, alternate syntax: before routing (a raw ASGI layer, typed with plain mappings)
    app.asgi_handler = XapiProtocol(app.asgi_handler)  # type: ignore[assignment]  # plain-mapping ASGI callable
    return with_request_log(app, security_headers(settings))


def create_app_from_env() -> Litestar:
    """For ASGI servers started with ``--factory``: settings from the environment, built to live as long as the process."""
    from lms.server import long_lived

    settings = Settings.from_env()
    return long_lived(create_app(settings, jobs=settings.jobs_in_serve))
