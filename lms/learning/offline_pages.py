"""The service worker that keeps enrolled courses on a worker's phone (lms/static/sw.js). It is served from the root
of the site, because a service worker answers only for the pages under the address it was loaded from."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, Response, get

SERVICE_WORKER = (Path(__file__).resolve().parents[1] / "static" / "sw.js").read_bytes()


class OfflinePages(Controller):
    include_in_schema = False

    @get("/sw.js", operation_id="page_service_worker")
    async def service_worker(self) -> Response[bytes]:
        # checked on every page load, so a new version reaches phones at once
        return Response(
            SERVICE_WORKER, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"}
        )
