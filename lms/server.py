"""The production HTTP server behind `lms serve`: one function, two servers to choose from.

uvicorn with uvloop and httptools is the default. Measured
against granian (a Rust HTTP server) on the same 2-core machine with this app (infra/bench/README.md;
`python -m infra.bench --servers uvicorn,granian` measures it again), granian answered a bare handler much faster,
but this app's pages, where the time goes to Python (middleware, templates), about equally fast; and `lms serve`'s
graceful shutdown (readiness 503, drain, then uvicorn's own SIGTERM handling; lms/observability/shutdown.py) is built
on uvicorn. granian stays selectable for deployments that want it (``server="granian"``; it then gets no drain
period).
"""

from __future__ import annotations

import gc
import importlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

SERVERS = ("uvicorn", "granian")
DEFAULT_SERVER = "uvicorn"
TRUSTED_PROXIES = "127.0.0.1"
# What uvicorn runs on, in `lms serve` and in the tests that start a real server.
UVICORN_PROTOCOLS: dict[str, Any] = {"loop": "uvloop", "http": "httptools"}
_FACTORY_VARIABLE = "LMS_SERVER_FACTORY"  # plumbing between this process and granian's workers, not a setting


App = TypeVar("App")


def long_lived(app: App) -> App:
    """The app as a server process keeps it: what exists once it is built (modules, routes, the OpenAPI schema,
    templates' environment, translations) lives as long as the process, so it is moved out of the garbage
    collector's sight (gc.freeze). Otherwise every full collection walks all of it again: a pause of about 75 ms
    every few thousand requests on the benchmark machine, which was most of the statement batch's p99."""
    gc.collect()
    gc.freeze()
    return app


def _load(path: str) -> Callable[[], Any]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def granian_app() -> Any:
    """What each granian worker calls: the named app factory, behind X-Forwarded-For handling like uvicorn's."""
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    return wrap_asgi_with_proxy_headers(_load(os.environ[_FACTORY_VARIABLE])(), trusted_hosts=TRUSTED_PROXIES)


def run_server(
    app: Any,
    *,
    host: str,
    port: int,
    workers: int = 1,
    factory: bool = False,
    server: str = DEFAULT_SERVER,
    timeout_graceful_shutdown: int = 20,
    **uvicorn_options: Any,
) -> None:
    """Serve ``app`` (an ASGI app, or with ``factory`` the "module:function" that makes one in each worker process)
    until SIGTERM or SIGINT; requests in flight get ``timeout_graceful_shutdown`` seconds to finish.

    Both servers trust ``X-Forwarded-For`` from 127.0.0.1 only (a proxy on the same host), so per-client rate
    limits count the real client. ``uvicorn_options`` (logging, proxy headers) go to uvicorn as they are.
    """
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}: choose one of {', '.join(SERVERS)}")
    if server == "uvicorn":
        import uvicorn

        options = {"proxy_headers": True, "forwarded_allow_ips": TRUSTED_PROXIES, **uvicorn_options}
        uvicorn.run(
            app,
            factory=factory,
            host=host,
            port=port,
            workers=workers,
            **UVICORN_PROTOCOLS,
            timeout_graceful_shutdown=timeout_graceful_shutdown,
            **options,
        )
        return
    if not (factory and isinstance(app, str)):
        raise ValueError("granian starts its workers from a factory: pass 'module:function' with factory=True")
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    os.environ[_FACTORY_VARIABLE] = app
    Server(
        "lms.server:granian_app",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        websockets=False,
        log_level=LogLevels.warning,
        log_access=False,
        workers_kill_timeout=timeout_graceful_shutdown,
    ).serve()
