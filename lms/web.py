"""Rendering a page in the caller's language: every template gets the same few helpers."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template

from lms.accounts.schemas import ROLE_NAMES
from lms.i18n import UI_LANGUAGES, request_language, translations


def _gettext_callables(language: str) -> dict[str, Any]:
    catalog = translations(language)

    def gettext(message: str, **variables: Any) -> str:
        text = catalog.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        return catalog.ngettext(singular, plural, n) % variables

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    language = request_language(request)
    context.update(_gettext_callables(language))
    context.update(
        lang=language,
        ui_languages=UI_LANGUAGES,
        role_names=ROLE_NAMES,
        user=request.scope.get("user"),
        path=request.url.path,
        query=str(request.url.query or ""),
    )
    return Template(template_name=template, context=context, status_code=status, media_type=MediaType.HTML)
