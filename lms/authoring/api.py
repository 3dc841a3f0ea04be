"""JSON: a course's draft, read with its revision (ETag) and replaced only at that revision (If-Match)."""

from __future__ import annotations

from typing import Annotated

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Response, get, put
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, JSONBody

from lms.accounts.auth import STAFF, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.authoring import drafts
from lms.catalog.api import Code
from lms.catalog.content import CourseDoc
from lms.catalog.schemas import TranslationStatus
from lms.deps import Db, Tx, User
from lms.errors import Problem

_ETAG = ResponseHeader(
    name="ETag",
    documentation_only=True,
    description="The draft's revision: send it back in If-Match to replace the draft.",
)


def _problem(text: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, description=text, media_type="application/problem+json", generate_examples=False
    )


class DraftController(Controller):
    path = "/api/v1/authoring/courses"
    tags = ["authoring"]
    guards = [require_role(*STAFF)]

    @get("/{code:str}/draft", operation_id="authoring_draft_get", response_headers=[_ETAG])
    async def get_draft(self, db: Db, user: User, code: Code) -> Response[CourseDoc]:
        doc, revision = await drafts.read_draft(db, code=code, editor=user)
        return Response(doc, headers={"ETag": drafts.etag(revision)})

    @put(
        "/{code:str}/draft",
        operation_id="authoring_draft_put",
        response_headers=[_ETAG],
        responses={
            409: _problem(
                "Another author saved the draft since the revision in If-Match: nothing saved; `detail` names what "
                "they changed, `etag` is the current revision"
            ),
            412: _problem("If-None-Match: * was sent, and the course exists already"),
            428: _problem("The course exists and If-Match is missing: read the draft first and send its ETag"),
        },
    )
    async def put_draft(
        self,
        tx: Tx,
        user: User,
        code: Code,
        data: JSONBody[CourseDoc],
        if_match: Annotated[
            str | None,
            HeaderParameter(
                name="If-Match",
                description="The ETag of the draft this one is based on (from GET …/draft or the last PUT); "
                "required to change an existing course",
                max_length=64,
            ),
        ] = None,
        if_none_match: Annotated[
            str | None,
            HeaderParameter(
                name="If-None-Match", description="`*`: create the course, never replace one", max_length=8
            ),
        ] = None,
    ) -> Response[TranslationStatus]:
        """Replace the whole draft, or create the course (its creator becomes an owner)."""
        status, revision = await drafts.replace_draft(
            tx, data, code=code, editor=user, if_match=if_match, if_none_match=if_none_match
        )
        return Response(status, headers={"ETag": drafts.etag(revision)})
