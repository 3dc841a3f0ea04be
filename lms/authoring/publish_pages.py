"""HTML: publishing that says what it does. The summary first (GET), then the confirmation that publishes exactly the
draft summarised (POST, with the summary's fingerprint)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import STAFF, require_role
from lms.authoring.publish_summary import COURSE_FIELD_NAMES, FIELD_NAMES, publish_confirmed, publish_summary
from lms.authoring.question_changes import QUESTION_FIELD_NAMES
from lms.catalog.authoring_pages import Code
from lms.catalog.language import KIND_NAMES, text_picker
from lms.credit.schemas import CATEGORY_NAMES, UNIT_NAMES
from lms.deps import Db, Tx, User
from lms.errors import Conflict, Invalid
from lms.i18n import request_language
from lms.schemas import Form
from lms.web import page


class PublishForm(Form):
    fingerprint: str = ""


async def _summary_page(
    request: Request[Any, Any, Any], db: Any, user: Any, code: str, *, status: int = 200, error: str | None = None
) -> Template:
    summary = await publish_summary(db, code=code, editor=user)
    t, _missing = text_picker(request_language(request), summary.languages)
    return page(
        request,
        "authoring/publish_summary.html.jinja2",
        status=status,
        s=summary,
        t=t,
        error=error,
        kind_names=KIND_NAMES,
        field_names=FIELD_NAMES,
        course_field_names=COURSE_FIELD_NAMES,
        question_field_names=QUESTION_FIELD_NAMES,
        unit_names=UNIT_NAMES,
        category_names=CATEGORY_NAMES,
    )


class PublishPages(Controller):
    path = "/author"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/{code:str}/publish", operation_id="page_author_publish_summary")
    async def summary(self, request: Request[Any, Any, Any], db: Db, user: User, code: Code) -> Template:
        return await _summary_page(request, db, user, code)

    @post("/{code:str}/publish", operation_id="page_author_publish")
    async def publish(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code, data: URLEncodedBody[PublishForm]
    ) -> Redirect | Template:
        try:
            published = await publish_confirmed(tx, code=code, editor=user, confirmed=data.fingerprint[:64])
        except (Conflict, Invalid) as exc:
            return await _summary_page(
                request, tx, user, code, status=exc.status, error=exc.localize(request_language(request)).detail
            )
        return Redirect(f"/author/{code}?published={published.version}", status_code=303)
