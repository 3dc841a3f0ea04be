"""The player page: a package full screen in an iframe of the content origin, with a way back to the course."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from lms.web import page


def player_page(
    request: Request[Any, Any, Any], *, iframe_url: str, back_url: str, title: str, title_lang: str
) -> Template:
    """For the cmi5 and SCORM launch routes: ``iframe_url`` on the content origin, ``back_url`` a path of the service."""
    return page(
        request,
        "packages/player.html.jinja2",
        iframe_url=iframe_url,
        back_url=back_url,
        title=title,
        title_lang=title_lang,
    )
