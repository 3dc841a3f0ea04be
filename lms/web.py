"""Rendering a page in the caller's language: every template gets the same few helpers."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template
from markupsafe import Markup

from lms.i18n import UI_LANGUAGES, gettext_callables, request_language


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    return Template(
        template_name=template, context=_with_helpers(request, context), status_code=status, media_type=MediaType.HTML
    )


def _with_helpers(request: Request[Any, Any, Any], context: dict[str, Any]) -> dict[str, Any]:
    """The context every template gets: the caller's language and its gettext, the user, the path."""
    language = request_language(request)
    context.update(gettext_callables(language))
    context.update(
        lang=language,
        ui_languages=UI_LANGUAGES,
        user=request.scope.get("user"),
        path=request.scope.get("root_path", "") + request.scope["path"],
        query=request.scope.get("query_string", b"").decode("latin-1"),
    )
    return context


def rendered_block(request: Request[Any, Any, Any], template: str, block: str = "content", **context: Any) -> Markup:
    """One block of a page, rendered with the context ``page()`` gives, to keep and serve again through
    ``_kept_block.html.jinja2`` (whose other blocks are rendered per request: header, CSRF token, language switch).
    Only for blocks that hold nothing of one viewer (visitors' pages)."""
    engine = request.app.template_engine
    assert engine is not None  # create_app always configures templates
    tpl = engine.engine.get_template(template)
    return Markup("".join(tpl.blocks[block](tpl.new_context(_with_helpers(request, context)))))
