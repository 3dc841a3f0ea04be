"""HTML: a worker starts a cmi5 activity of her course; the player page shows the AU full screen."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter
from litestar.response import Template

from lms.accounts.auth import require_login
from lms.catalog.language import content_language, pick
from lms.deps import SettingsDep, Tx, User
from lms.i18n import request_language
from lms.packages.cmi5 import service
from lms.packages.content import content_headers
from lms.packages.player import player_page
from lms.schemas import VersionInPath
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
Key = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class Cmi5Pages(Controller):
    include_in_schema = False

    @post(
        "/learn/{code:str}/v/{version:int}/{key:str}/cmi5",
        operation_id="page_cmi5_launch",
        guards=[require_login],
        status_code=200,
    )
    async def launch(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        code: Code,
        version: VersionInPath,
        key: Key,
    ) -> Template:
        """The form's ``lang`` (else her language) picks the package; her language is the AU's languagePreference.
        Each launch is a new session."""
        form = await request.form()
        wanted = form.get("lang") if isinstance(form.get("lang"), str) else None
        language = request_language(request)
        launched, unit = await service.launch_for_worker(
            tx,
            settings,
            user_id=user.id,
            code=code,
            version=version,
            key=key,
            language=wanted or language,
            preference=language,
        )
        languages = list(unit.title) or [unit.language]
        title, title_lang = pick(unit.title, content_language(language, languages), languages)
        return player_page(
            request,
            iframe_url=launched.url,
            back_url=f"/courses/{code}/v/{version}/{key}",
            title=title,
            title_lang=title_lang,
        )


class Cmi5ReturnPage(Controller):
    """An AU's returnURL: on the content origin, inside the player's frame, it tells the player she is done (the
    player then takes her back to the course; the frame's sandbox keeps content from navigating the page itself)."""

    path = "/content/cmi5"
    include_in_schema = False
    opt = {"content_origin": True}

    @get("/return", operation_id="page_cmi5_return")
    async def returned(self, request: Request[Any, Any, Any], settings: SettingsDep) -> Template:
        response = page(request, "packages/cmi5_return.html.jinja2")
        response.headers.update(content_headers(settings))
        return response
