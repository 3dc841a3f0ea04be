"""HTML for instructors: drafts with every language side by side, translation status, preview, publish, retire."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import STAFF, require_role
from lms.catalog import queries, service
from lms.catalog.authoring import find_activity
from lms.catalog.language import content_language
from lms.catalog.language import KIND_NAMES, TRACK_NAMES, text_picker
from lms.catalog.schemas import ActivityPage
from lms.deps import Db, Tx, User
from lms.errors import DomainError, Invalid, NotFound
from lms.schemas import Form, VersionInPath
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]


class RetireForm(Form):
    reason: str = ""


class OwnerForm(Form):
    email: str = ""


class AuthoringPages(Controller):
    path = "/author"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/", operation_id="page_author_home")
    async def home(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return page(request, "catalog/author_home.html.jinja2", courses=await queries.authoring_list(db, editor=user), track_names=TRACK_NAMES)

    @get("/{code:str}/preview/{key:str}", operation_id="page_author_preview")
    async def preview(self, request: Request[Any, Any, Any], db: Db, user: User, code: Code, key: FromPath[str], lang: FromQuery[str] = "en") -> Template:
        """The draft activity exactly as a learner would see it, in the chosen language."""
        doc = await service.load_draft(db, code, editor=user)
        m, a = find_activity(doc, key)
        activity = doc.modules[m].activities[a]
        keys = [x.key for module in doc.modules for x in module.activities]
        index = keys.index(key)
        row = service.activity_row(doc.modules[m].key, index + 1, activity)
        view = ActivityPage(
            id=uuid4(), version_id=uuid4(), code=code, version=0, languages=doc.languages, course_title=doc.title,
            module_key=doc.modules[m].key, module_title=doc.modules[m].title, key=key, kind=row["kind"],
            minutes=activity.minutes, title=activity.title, body_html=row["body_html"], learner=row["learner"], previous_key=keys[index - 1] if index else None,
            next_key=keys[index + 1] if index + 1 < len(keys) else None,
        )
        clang = content_language(lang, doc.languages)
        t, missing = text_picker(clang, doc.languages)
        media = await service.draft_lesson_media(db, request.app.state.storage, doc=doc, key=key, language=clang) if row["kind"] == "lesson" else None
        return page(request, "catalog/activity.html.jinja2", a=view, clang=clang, t=t, missing=missing, media=media,
                    kind_names=KIND_NAMES, language_missing=False, preview_lang=lang,
                    link_base=f"/author/{code}/preview", link_suffix=f"?lang={lang}")

    @post("/{code:str}/publish", operation_id="page_author_publish")
    async def publish(self, tx: Tx, user: User, code: Code) -> Redirect:
        published = await service.publish_draft(tx, code=code, editor=user)
        return Redirect(f"/author/{code}?published={published.version}", status_code=303)

    @post("/{code:str}/versions/{version:int}/retire", operation_id="page_author_retire")
    async def retire(self, tx: Tx, user: User, code: Code, version: VersionInPath, data: URLEncodedBody[RetireForm]) -> Redirect:
        await service.retire(tx, code=code, version=version, editor=user, reason=data.reason[:500])
        return Redirect(f"/author/{code}", status_code=303)

    @get("/{code:str}/owners", operation_id="page_author_owners")
    async def owners(self, request: Request[Any, Any, Any], db: Db, user: User, code: Code) -> Template:
        return await _owners_page(request, db, user, code)

    @post("/{code:str}/owners", operation_id="page_author_owner_add")
    async def add_owner(self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code,
                        data: URLEncodedBody[OwnerForm]) -> Template:
        try:
            name = await service.add_owner(tx, code=code, email=data.email[:254], actor=user)
        except Invalid as exc:
            return await _owners_page(request, tx, user, code, status=400, error=exc.detail)
        return await _owners_page(request, tx, user, code, added=name)

    @post("/{code:str}/owners/{user_id:uuid}/remove", operation_id="page_author_owner_remove")
    async def remove_owner(self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code,
                           user_id: FromPath[UUID]) -> Template:
        try:
            await service.remove_owner(tx, code=code, user_id=user_id, actor=user)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await _owners_page(request, tx, user, code, status=exc.status, error=exc.detail)
        return await _owners_page(request, tx, user, code, removed=True)


async def _owners_page(request: Request[Any, Any, Any], db: Any, user: Any, code: str, *, status: int = 200,
                       error: str | None = None, added: str | None = None, removed: bool = False) -> Template:
    owners = await queries.list_owners(db, code=code, viewer=user)
    if owners is None:
        raise NotFound(f"no course {code} that you may change (its owners and program admins may)")
    return page(request, "catalog/author_owners.html.jinja2", status=status, code=code, owners=owners, error=error,
                added=added, removed=removed)
