"""SCORM routes: the worker's Start button (service origin) and, on the content origin, the launch page that runs
scorm-again beside the SCO, its commits, and the runtime's script files.

The launch page and the SCO share the content origin, so the SCO finds ``window.API`` (SCORM 1.2) or
``window.API_1484_11`` (SCORM 2004) in its parent as the specifications' discovery expects; the service's pages
and cookies are on another host name. Commits carry the launch's token in their path, never a cookie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, PathParameter, URLEncodedBody
from litestar.response import File, Template

from lms.accounts.auth import require_login
from lms.deps import Db, SettingsDep, Tx, User
from lms.errors import Invalid, NotFound
from lms.i18n import N_, request_language
from lms.packages.content import content_headers
from lms.packages.player import player_page
from lms.packages.scorm import service
from lms.packages.scorm.schemas import LaunchForm
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
Key = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Token = Annotated[str, PathParameter(pattern=r"^[A-Za-z0-9_-]{43}$")]

HERE = Path(__file__).resolve().parent
# scorm-again, as `npm ci` in runtime/ installs it (pinned in runtime/package-lock.json), and the page's own script.
RUNTIME_FILES = {
    "scorm-again.min.js": HERE / "runtime" / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js",
    "scorm-launch.js": HERE / "launch.js",
}
RUNTIME_MISSING = N_("the SCORM runtime is not installed here: run `npm ci --prefix lms/packages/scorm/runtime`")


class ScormLaunchPages(Controller):
    """The worker's side, on the service's origin."""

    path = "/learn"
    include_in_schema = False
    guards = [require_login]

    @post("/{code:str}/v/{version:int}/{key:str}/scorm", operation_id="page_scorm_launch")
    async def start(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        code: Code,
        version: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
        key: Key,
        data: URLEncodedBody[LaunchForm],
    ) -> Template:
        started = await service.launch(
            tx,
            user=user,
            code=code,
            version=version,
            key=key,
            language=data.lang or request_language(request),
            settings=settings,
        )
        return player_page(
            request,
            iframe_url=started.iframe_url,
            back_url=started.back_url,
            title=started.title,
            title_lang=started.title_lang,
        )


class ScormRuntimePages(Controller):
    """The content origin's side: answered only there (``content_origin``), authorised by the launch token alone."""

    path = "/content"
    include_in_schema = False
    opt = {"content_origin": True}

    @get("/scorm/{token:str}", operation_id="page_scorm_runtime")
    async def launch_page(
        self, request: Request[Any, Any, Any], db: Db, settings: SettingsDep, token: Token
    ) -> Template:
        config = await service.launch_config(db, token=token, settings=settings)
        response = page(request, "packages/scorm_launch.html.jinja2", config=msgspec.to_builtins(config))
        response.headers.update({**content_headers(settings), "cache-control": "no-store"})
        return response

    @post("/scorm/{token:str}/commit", operation_id="scorm_commit", status_code=200)
    async def commit(
        self, request: Request[Any, Any, Any], tx: Tx, settings: SettingsDep, token: Token
    ) -> Response[dict[str, Any]]:
        try:
            body = msgspec.json.decode(await request.body())
        except msgspec.DecodeError:
            raise Invalid(N_("a commit is a JSON object of CMI elements"), field="body") from None
        await service.commit(tx, token=token, body=body, settings=settings)
        # scorm-again reads this answer: the commit succeeded
        return Response(
            {"result": True, "errorCode": 0},
            media_type=MediaType.JSON,
            headers={**content_headers(settings), "cache-control": "no-store"},
        )

    @get("/scorm-runtime/{name:str}", operation_id="scorm_runtime_file")
    async def runtime_file(self, settings: SettingsDep, name: FromPath[str]) -> File:
        path = RUNTIME_FILES.get(name)
        if path is None:
            raise NotFound(N_("no runtime file %(name)s"), params={"name": name}, field="name")
        if not path.is_file():
            raise NotFound(RUNTIME_MISSING, field="name")
        return File(
            path,
            content_disposition_type="inline",
            media_type="text/javascript; charset=utf-8",
            headers={**content_headers(settings), "cache-control": "public, max-age=86400"},
        )


SCORM_ROUTES = [ScormLaunchPages, ScormRuntimePages]
