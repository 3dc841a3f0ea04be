"""HTML for building a course: a new course, the course page (modules, activities, approvals) and each activity's
form, every language side by side. A form posts its draft revision; the small script saves as you type (JSON
answers), the Save buttons do the same without it."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromQuery, PathParameter
from litestar.response import Redirect, Template

from lms.accounts.auth import STAFF, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.authoring import service
from lms.authoring.fields import APPROVAL_PARTS, BODIES, activity_values, course_values
from lms.authoring.labels import field_label
from lms.authoring.merge import Merge, digest
from lms.authoring.service import Outcome
from lms.catalog import queries as catalog_queries
from lms.catalog import service as catalog_service
from lms.catalog.content import TRACKS, CourseDoc, Quiz, kind_of, missing_translation_labels
from lms.catalog.language import KIND_NAMES, TRACK_NAMES
from lms.catalog.render import render_markdown
from lms.deps import Db, Tx, User
from lms.errors import Invalid, NotFound
from lms.i18n import N_, UI_LANGUAGES, gettext_callables, gettext_for, request_language
from lms.media.queries import list_media
from lms.schemas import VersionInQuery
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
Key = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
MARKDOWN_LIMIT = 50_000


async def _posted(request: Request[Any, Any, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The form's single fields (a multi-valued one joined by commas) and its multi-valued fields as lists."""
    form = await request.form()
    lists = {name: [v for v in form.getall(name, []) if isinstance(v, str)] for name in ("media", "language")}
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if "media_listed" in fields:
        fields["media"] = ",".join(lists["media"])
    return fields, lists


def _revision(posted: dict[str, str]) -> int | None:
    raw = posted.get("revision", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _conflict_message(outcome: Outcome, language: str, questions: list[str] | None = None) -> str:
    _ = gettext_for(language)
    names = [
        _(t, **v) if v else _(t)
        for t, v in (field_label(n, outcome.doc, questions) for n in (outcome.merge.theirs if outcome.merge else []))
    ]
    if names:
        return _(
            N_(
                "Another author saved this draft while you were editing it. They changed: %(fields)s. Your own "
                "changes are kept in the form and nothing was saved yet: check the marked fields, then save again."
            ),
            fields="; ".join(dict.fromkeys(names)),
        )
    return _(
        N_(
            "This draft was saved elsewhere while you were editing it. Your changes are kept in the form and "
            "nothing was saved yet: save again."
        )
    )


def _json_answer(outcome: Outcome, language: str, questions: list[str] | None = None) -> Response[Any]:
    """What the autosave script gets: the new revision, or the problems and conflict in the author's language."""
    _ = gettext_for(language)
    body: dict[str, Any] = {"revision": outcome.revision, "base": outcome.base}
    if outcome.status == 409:
        body["message"] = _conflict_message(outcome, language, questions)
    elif outcome.status == 400:
        body["problems"] = {name: _(t, **v) if v else _(t) for name, (t, v) in outcome.problems.items()}
        body["message"] = gettext_callables(language)["ngettext"](
            "Not saved: %(num)s field needs attention.",
            "Not saved: %(num)s fields need attention.",
            len(outcome.problems),
        )
    return Response(body, status_code=200 if outcome.status == 303 else outcome.status, media_type=MediaType.JSON)


def _editing(outcome: Outcome, language: str, questions: list[str] | None = None) -> dict[str, Any]:
    """The template context every authoring form shares."""
    merge = outcome.merge
    return {
        "doc": outcome.doc,
        "values": outcome.values,
        "revision": outcome.revision,
        "base": outcome.base,
        "problems": outcome.problems,
        "theirs": merge.theirs if merge else [],
        "both": merge.both if merge else {},
        "orphans": merge.orphans if merge else {},
        "conflict": _conflict_message(outcome, language, questions) if outcome.status == 409 else None,
        "label": lambda name: field_label(name, outcome.doc, questions),
    }


async def _library(db: Any, code: str) -> list[Any]:
    return [m for m in await list_media(db, code=code) if m.kind != "captions" and m.status == "ready"]


class BuildPages(Controller):
    path = "/author"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/new", operation_id="page_author_new")
    async def new_course(self, request: Request[Any, Any, Any]) -> Template:
        return self._new_page(request, values={}, chosen=["en", "es"], problems={})

    @post("/new", operation_id="page_author_create")
    async def create_course(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Redirect | Template:
        posted, lists = await _posted(request)
        chosen = [tag for tag in lists["language"] if tag in UI_LANGUAGES]
        chosen += [t.strip() for t in posted.get("other_languages", "").replace(";", ",").split(",") if t.strip()]
        code, problems = await service.create_course(tx, editor=user, posted=posted, languages=chosen)
        if code is None:
            return self._new_page(request, values=posted, chosen=chosen, problems=problems, status=400)
        return Redirect(f"/author/{code}?created=true", status_code=303)

    @staticmethod
    def _new_page(
        request: Request[Any, Any, Any],
        *,
        values: dict[str, str],
        chosen: list[str],
        problems: dict[str, Any],
        status: int = 200,
    ) -> Template:
        blank = {f"approval.0.{part}": "" for part in APPROVAL_PARTS}
        return page(
            request,
            "authoring/new_course.html.jinja2",
            status=status,
            values={**blank, **values},
            chosen=chosen,
            problems=problems,
            tracks=TRACKS,
            track_names=TRACK_NAMES,
            bodies=BODIES,
            theirs=[],
            both={},
            languages=UI_LANGUAGES,
        )

    @get("/{code:str}", operation_id="page_author_course")
    async def course(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: User,
        code: Code,
        published: VersionInQuery = None,
        saved: FromQuery[bool] = False,
        created: FromQuery[bool] = False,
    ) -> Template:
        doc, revision = await service.open_draft(db, code, editor=user)
        values = course_values(doc)
        outcome = Outcome(status=200, doc=doc, revision=revision, values=values, base=digest(values))
        return await self._course_page(request, db, outcome, published=published, saved=saved, created=created)

    @post("/{code:str}", operation_id="page_author_course_save")
    async def save_course(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code
    ) -> Response[Any] | Redirect | Template:
        posted, _ = await _posted(request)
        outcome = await service.save_course_form(
            tx,
            code=code,
            editor=user,
            posted=posted,
            revision=_revision(posted),
            base=posted.get("base", ""),
            op=posted.get("op", ""),
        )
        if posted.get("autosave"):
            return _json_answer(outcome, request_language(request))
        if outcome.status != 303:
            return await self._course_page(request, tx, outcome)
        if posted.get("op", "").startswith("activity-add"):
            return Redirect(f"/author/{code}/activities/{outcome.focus}", status_code=303)
        return Redirect(f"/author/{code}?saved=true" + (f"#{outcome.focus}" if outcome.focus else ""), status_code=303)

    @staticmethod
    async def _course_page(
        request: Request[Any, Any, Any],
        db: Any,
        outcome: Outcome,
        *,
        published: int | None = None,
        saved: bool = False,
        created: bool = False,
    ) -> Template:
        doc = outcome.doc
        images = await catalog_service.image_refs(db, doc)
        return page(
            request,
            "catalog/author_course.html.jinja2",
            status=outcome.status if outcome.status >= 400 else 200,
            **_editing(outcome, request_language(request)),
            translation=catalog_service.translation_status(doc, images),
            missing_labels=missing_translation_labels(doc, images),
            versions=await catalog_queries.list_versions(db, code=doc.code),
            published=published,
            saved=saved,
            created=created,
            kind_names=KIND_NAMES,
            kind_of=kind_of,
            tracks=TRACKS,
            track_names=TRACK_NAMES,
            bodies=BODIES,
            error=None,
        )

    @get("/{code:str}/activities/{key:str}", operation_id="page_author_activity")
    async def activity(
        self, request: Request[Any, Any, Any], db: Db, user: User, code: Code, key: Key, saved: FromQuery[bool] = False
    ) -> Template:
        doc, revision = await service.open_draft(db, code, editor=user)
        place = service.locate(doc, key)
        if place is None:
            raise NotFound(N_("no activity %(key)s in the draft"), params={"key": key})
        values = activity_values(doc, doc.modules[place[0]].activities[place[1]])
        outcome = Outcome(status=200, doc=doc, revision=revision, values=values, base=digest(values))
        return await self._activity_page(request, db, outcome, key, saved=saved)

    @post("/{code:str}/activities/{key:str}", operation_id="page_author_activity_save")
    async def save_activity(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code, key: Key
    ) -> Response[Any] | Redirect | Template:
        posted, _ = await _posted(request)
        library = {str(m.id): m.kind for m in await _library(tx, code)}
        outcome = await service.save_activity_form(
            tx,
            code=code,
            key=key,
            editor=user,
            posted=posted,
            revision=_revision(posted),
            base=posted.get("base", ""),
            op=posted.get("op", ""),
            library=library,
        )
        if posted.get("autosave"):
            return _json_answer(outcome, request_language(request), _question_keys(outcome.doc, key))
        if outcome.status == 409 and service.locate(outcome.doc, key) is None:
            # Another author removed the activity: the course page, as stored, with her unsaved text to copy from.
            values = course_values(outcome.doc)
            orphans = outcome.merge.orphans if outcome.merge else {}
            gone = Outcome(
                status=409,
                doc=outcome.doc,
                revision=outcome.revision,
                values=values,
                base=digest(values),
                merge=Merge(values=values, theirs=[], both={}, orphans=orphans),
            )
            return await self._course_page(request, tx, gone)
        if outcome.status != 303:
            return await self._activity_page(request, tx, outcome, key)
        if posted.get("op", "").startswith("skill-add"):
            return Redirect(f"/author/{code}/activities/{outcome.focus}", status_code=303)
        return Redirect(
            f"/author/{code}/activities/{key}?saved=true" + (f"#{outcome.focus}" if outcome.focus else ""),
            status_code=303,
        )

    @staticmethod
    async def _activity_page(
        request: Request[Any, Any, Any], db: Any, outcome: Outcome, key: str, *, saved: bool = False
    ) -> Template:
        doc = outcome.doc
        m, a = service.locate(doc, key) or (0, 0)
        activity = doc.modules[m].activities[a]
        following = list(doc.modules[m].activities[a + 1 :])
        skills = []
        for x in following:  # the skills signed off at an in-person session follow it in its module
            if kind_of(x) != "checkoff":
                break
            skills.append(x)
        return page(
            request,
            "catalog/author_activity.html.jinja2",
            status=outcome.status if outcome.status >= 400 else 200,
            **_editing(outcome, request_language(request), _question_keys(doc, key)),
            module=doc.modules[m],
            activity=activity,
            kind_names=KIND_NAMES,
            kind_of=kind_of,
            saved=saved,
            skills=skills,
            library=await _library(db, doc.code),
            error=None,
        )

    @post("/markdown", operation_id="page_author_markdown", status_code=200)
    async def markdown(self, request: Request[Any, Any, Any]) -> Response[str]:
        """A lesson's Markdown as learners will see it, through the same sanitiser publishing uses (the live preview)."""
        text = (await request.form()).get("text", "")
        if not isinstance(text, str) or len(text) > MARKDOWN_LIMIT:
            raise Invalid(
                N_("text: at most %(max)s characters of Markdown"), params={"max": MARKDOWN_LIMIT}, field="text"
            )
        return Response(render_markdown(text), media_type=MediaType.HTML)


def _question_keys(doc: CourseDoc, key: str) -> list[str] | None:
    place = service.locate(doc, key)
    if place is None:
        return None
    activity = doc.modules[place[0]].activities[place[1]]
    return [q.key for q in activity.questions] if isinstance(activity, Quiz) else None
