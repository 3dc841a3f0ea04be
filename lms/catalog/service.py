"""Publishing: one path for the CLI, the browser and the API. A version is whole or not there at all."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.catalog import queries
from lms.catalog.cache import catalogue_changed
from lms.catalog.content import (
    TRACKS,
    CourseDoc,
    InPerson,
    Lesson,
    Package,
    Quiz,
    doc_problems,
    kind_of,
    missing_translations,
    total_minutes,
)
from lms.catalog.render import render_markdown
from lms.catalog.schemas import CatalogueFilters, Published, TranslationStatus
from lms.db.after_commit import after_commit
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_, Listed, Text
from lms.media import queries as media_queries
from lms.media.delivery import learner_entry, missing_alt, signed_draft_media
from lms.media.schemas import LessonMedia
from lms.observability.logs import log_event
from lms.storage import Storage


def _path_text(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.lstrip(".")


def check_publishable(doc: CourseDoc) -> None:
    problems = doc_problems(doc)
    if problems:
        raise Invalid(
            N_("%(count)s problem(s): %(problems)s"),
            params={
                "count": len(problems),
                "problems": Listed(
                    Text(N_("%(where)s: %(problem)s"), where=_path_text(p), problem=m) for p, m in problems[:20]
                ),
            },
            field=_path_text(problems[0][0]),
            extra={"problems": [{"field": _path_text(p), "message": m} for p, m in problems]},
        )


def activity_row(
    module_key: str,
    position: int,
    activity: Any,
    media: list[Any] | None = None,
    formats: dict[tuple[str | None, str], str] | None = None,
) -> dict[str, Any]:
    """One activity as stored in a version: rendered lesson HTML, what the learner may see, and the answer key apart."""
    learner: dict[str, Any] = {}
    answer_key = None
    body_html: dict[str, str] = {}
    if isinstance(activity, Lesson):
        body_html = {lang: render_markdown(text) for lang, text in activity.body.items()}
        if media:
            learner["media"] = media
    elif isinstance(activity, Quiz):
        learner = {
            "pass_mark": activity.pass_mark,
            "max_attempts": activity.max_attempts,
            "questions": [
                {"key": q.key, "prompt": q.prompt, "choices": [{"key": c.key, "text": c.text} for c in q.choices]}
                for q in activity.questions
            ],
        }
        answer_key = {
            q.key: {
                "correct": sorted(c.key for c in q.choices if c.correct),
                "feedback": {c.key: c.feedback for c in q.choices if c.feedback},
            }
            for q in activity.questions
        }
    elif isinstance(activity, InPerson):
        learner = {"description": activity.description}
    elif isinstance(activity, Package):
        # The format per language tells the learner's page which runtime launches it (cmi5 or SCORM).
        learner = {
            "package": {
                lang: {"package": ref.package, "unit": ref.unit, "format": (formats or {}).get((ref.package, ref.unit))}
                for lang, ref in activity.package.items()
            }
        }
    else:
        learner = {"criteria": activity.criteria}
    return {
        "module_key": module_key,
        "position": position,
        "key": activity.key,
        "kind": kind_of(activity),
        "minutes": activity.minutes,
        "title": activity.title,
        "body_html": body_html,
        "learner": learner,
        "answer_key": answer_key,
    }


def activity_rows(
    doc: CourseDoc, media: dict[str, Any] | None, formats: dict[tuple[str | None, str], str] | None = None
) -> list[dict[str, Any]]:
    activities = [(m.key, a) for m in doc.modules for a in m.activities]
    return [activity_row(mk, i + 1, a, (media or {}).get(a.key), formats) for i, (mk, a) in enumerate(activities)]


def package_refs(doc: CourseDoc) -> list[tuple[str, str, str, Any]]:
    """(where, activity key, language, reference) of every package unit the document names."""
    return [
        (f"modules[{m}].activities[{a}].package.{lang}", activity.key, lang, ref)
        for m, module in enumerate(doc.modules)
        for a, activity in enumerate(module.activities)
        if isinstance(activity, Package)
        for lang, ref in activity.package.items()
    ]


async def package_formats(conn: asyncpg.Connection, doc: CourseDoc) -> dict[tuple[str | None, str], str]:
    """The format of every package unit the document names, after checking each is a unit of a package imported into
    this course in that language (one query); a reference that is not is refused naming its place."""
    refs = package_refs(doc)
    if not refs:
        return {}
    found = await queries.course_package_units(conn, code=doc.code, ids=[_as_uuid(r.package or "") for *_, r in refs])
    formats: dict[tuple[str | None, str], str] = {}
    for where, key, lang, ref in refs:
        if ref.package is None:
            raise Invalid(
                N_(
                    "%(where)s: activity %(key)s names a zip file; publish the course folder with `lms courses publish` or import the package on the authoring page"
                ),
                params={"where": where, "key": key},
                field=where,
            )
        unit = found.get((ref.package, ref.unit))
        if unit is None:
            raise Invalid(
                N_("%(where)s: package %(package)s imported into %(code)s has no unit '%(unit)s'"),
                params={"where": where, "package": ref.package, "code": doc.code, "unit": ref.unit},
                field=where,
            )
        if unit["language"] != lang:
            raise Invalid(
                N_("%(where)s: package %(package)s is in %(language)s, not %(lang)s"),
                params={"where": where, "package": ref.package, "language": unit["language"], "lang": lang},
                field=where,
            )
        formats[(ref.package, ref.unit)] = unit["format"]
    return formats


async def publish(
    conn: asyncpg.Connection, doc: CourseDoc, *, actor_id: UUID | None, media: dict[str, Any] | None = None
) -> Published:
    """Freeze the document as the next numbered version (inside the caller's transaction)."""
    check_publishable(doc)
    formats = await package_formats(conn, doc)
    as_json = msgspec.to_builtins(doc)
    course_id, version = await queries.lock_course(conn, code=doc.code, track=doc.track, draft=as_json)
    version_id = await queries.insert_version(
        conn,
        course_id=course_id,
        version=version,
        languages=doc.languages,
        title=doc.title,
        summary=doc.summary,
        total_minutes=total_minutes(doc),
        min_attendance_share=doc.completion.min_attendance_share,
        content=as_json,
        published_by=actor_id,
        modules=[{"position": i, "key": m.key, "title": m.title} for i, m in enumerate(doc.modules)],
        activities=activity_rows(doc, media, formats),
        approvals=[msgspec.to_builtins(a) for a in doc.approvals],
    )
    if formats:
        await queries.pin_package_units(
            conn,
            version_id=version_id,
            units=[
                {"key": key, "language": lang, "package_id": ref.package, "unit_id": ref.unit}
                for _, key, lang, ref in package_refs(doc)
            ],
        )
    await record(conn, actor_id=actor_id, action="course.published", subject=f"{doc.code} v{version}")
    after_commit(conn, catalogue_changed)
    log_event("course.published", course=doc.code, version=version, version_id=version_id, actor_id=actor_id)
    return Published(code=doc.code, version=version, version_id=version_id)


async def publish_draft(conn: asyncpg.Connection, *, code: str, editor: CurrentUser) -> Published:
    """Publish the draft edited in the browser or through the API, with the uploaded media its lessons name."""
    doc = await load_draft(conn, code, editor=editor)
    return await publish(conn, doc, actor_id=editor.id, media=await lesson_media_for_draft(conn, doc))


async def load_draft(conn: asyncpg.Connection, code: str, *, editor: CurrentUser) -> CourseDoc:
    """The draft of a course this person may edit (its owners, program admins); 404 for anyone else's."""
    raw = await queries.get_draft_for(conn, code=code, editor=editor)
    if raw is None:
        raise NotFound(
            N_("no course %(code)s that you may edit (its owners and program admins may)"), params={"code": code}
        )
    return msgspec.convert(raw, CourseDoc)


async def save_draft(conn: asyncpg.Connection, doc: CourseDoc, *, code: str, editor: CurrentUser) -> TranslationStatus:
    """Create or replace a draft without a revision check: a course folder imported on its page replaces the draft as
    a whole, on purpose (the JSON API checks the revision: lms.authoring.drafts)."""
    if doc.code != code:
        raise Invalid(N_("the course code in the document differs from the one in the URL"), field="code")
    if not await queries.save_draft_for(
        conn, code=doc.code, track=doc.track, draft=msgspec.to_builtins(doc), editor=editor
    ):
        raise Forbidden(
            N_("course %(code)s belongs to other instructors: ask one of them or a program admin to add you"),
            params={"code": code},
        )
    after_commit(conn, catalogue_changed)  # the catalogue shows the course's track
    return translation_status(doc, await image_refs(conn, doc))


async def image_refs(conn: asyncpg.Connection, doc: CourseDoc) -> frozenset[str]:
    """The lesson media references of a draft that are images of its library: their descriptions count as texts."""
    refs = [_as_uuid(ref.file) for m in doc.modules for a in m.activities if isinstance(a, Lesson) for ref in a.media]
    ids = list({media_id for media_id in refs if media_id is not None})
    if not ids:
        return frozenset()
    found = await media_queries.draft_media(conn, code=doc.code, ids=ids)
    return frozenset(str(row.id) for row in found if row.kind == "image")


def translation_status(doc: CourseDoc, images: frozenset[str] = frozenset()) -> TranslationStatus:
    missing = missing_translations(doc, images)
    return TranslationStatus(
        code=doc.code, languages=doc.languages, missing=missing, complete=not any(missing.values())
    )


async def retire(conn: asyncpg.Connection, *, code: str, version: int, editor: CurrentUser | None, reason: str) -> None:
    """Take a version out of the catalogue (its owners, program admins, or the system: ``editor=None``), for a reason
    kept in the audit log."""
    reason = reason.strip()
    if len(reason) < 3:
        raise Invalid(N_("reason: say why the version is retired"), field="reason")
    if not await queries.retire_version(conn, code=code, version=version, editor=editor):
        raise NotFound(
            N_("no published version %(version)s of %(code)s that you may retire"),
            params={"version": version, "code": code},
        )
    actor_id = editor.id if editor else None
    after_commit(conn, catalogue_changed)
    await record(
        conn, actor_id=actor_id, action="course.retired", subject=f"{code} v{version}", detail={"reason": reason}
    )


async def add_owner(conn: asyncpg.Connection, *, code: str, email: str, actor: CurrentUser) -> str:
    """An owner or a program admin adds an instructor as a co-author (audited)."""
    name = await queries.add_owner(conn, code=code, email=email, actor=actor)
    if name is None:
        raise Invalid(N_("email: no instructor with this email (co-authors are instructors)"), field="email")
    await record(
        conn, actor_id=actor.id, action="course.owner_added", subject=code, detail={"email": email.strip().lower()}
    )
    return name


async def remove_owner(conn: asyncpg.Connection, *, code: str, user_id: UUID, actor: CurrentUser) -> None:
    outcome = await queries.remove_owner(conn, code=code, user_id=user_id, actor=actor)
    if outcome == "last":
        raise Conflict(N_("a course keeps at least one owner: add another before removing this one"), field="user_id")
    if outcome != "removed":
        raise NotFound(N_("no such owner of a course you may change"), field="user_id")
    await record(conn, actor_id=actor.id, action="course.owner_removed", subject=code, detail={"user_id": str(user_id)})


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def lesson_media_for_draft(conn: asyncpg.Connection, doc: CourseDoc) -> dict[str, list[dict[str, Any]]]:
    """For publishing a draft edited in the browser or through the API: each lesson's ``media`` names uploaded files
    of this course by id (``file``: a media id, ``captions``: language -> caption id, or empty for the video's current
    captions). One query; a reference that is not a ready file of this course is refused naming its place."""
    places: list[tuple[str, str, UUID | None, dict[str, UUID | None], dict[str, str]]] = []
    for m, module in enumerate(doc.modules):
        for a, activity in enumerate(module.activities):
            if not isinstance(activity, Lesson):
                continue
            for i, ref in enumerate(activity.media):
                where = f"modules[{m}].activities[{a}].media[{i}]"
                places.append(
                    (
                        activity.key,
                        where,
                        _as_uuid(ref.file),
                        {lang: _as_uuid(v) for lang, v in ref.captions.items()},
                        ref.alt,
                    )
                )
    if not places:
        return {}
    wanted = [u for _, _, file_id, caps, _ in places for u in (file_id, *caps.values()) if u is not None]
    found = {row.id: row for row in await media_queries.draft_media(conn, code=doc.code, ids=wanted)}
    out: dict[str, list[dict[str, Any]]] = {}
    for key, where, file_id, caps, alt in places:
        row = found.get(file_id) if file_id else None
        if row is None or row.kind == "captions":
            raise Invalid(
                N_("%(where)s.file: not a ready media file of %(code)s (give the id of an uploaded file)"),
                params={"where": where, "code": doc.code},
                field=f"{where}.file",
            )
        if row.kind == "image" and (missing := missing_alt(alt, doc.languages)):
            raise Invalid(
                N_("%(where)s.alt: the image %(filename)s needs a text for people who cannot see it, in %(missing)s"),
                params={"where": where, "filename": row.filename, "missing": ", ".join(missing)},
                field=f"{where}.alt",
            )
        if caps:
            captions = []
            for lang, caption_id in caps.items():
                caption = found.get(caption_id) if caption_id else None
                if caption is None or caption.kind != "captions" or caption.video_id != row.id:
                    raise Invalid(
                        N_("%(where)s.captions.%(lang)s: not a ready caption file of this video"),
                        params={"where": where, "lang": lang},
                        field=f"{where}.captions.{lang}",
                    )
                captions.append(caption)
        else:
            captions = [c for c in found.values() if c.kind == "captions" and c.video_id == row.id]
        out.setdefault(key, []).append(learner_entry(row, captions, alt))
    return out


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_BODY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def catalogue_filters(*, q: str, track: str, language: str, delivery: str, body: str) -> CatalogueFilters:
    """The catalogue's search form as filters; a value the form never offers is refused naming its field."""
    q = " ".join(q.split())
    if len(q) > 100:
        raise Invalid(N_("Search for at most 100 characters."), field="q")
    if track and track not in TRACKS:
        raise Invalid(N_("track must be one of %(tracks)s"), params={"tracks": ", ".join(TRACKS)}, field="track")
    if language and not _LANGUAGE.match(language):
        raise Invalid(N_("language must be a language tag such as es or zh-Hant"), field="language")
    if delivery and delivery not in ("in_person", "online"):
        raise Invalid(N_("delivery must be in_person or online"), field="delivery")
    if body and not _BODY.match(body):
        raise Invalid(N_("body must be the short name of an accrediting body, such as IACET"), field="body")
    return CatalogueFilters(
        q=q, track=track or None, language=language or None, delivery=delivery or None, body=body or None
    )


async def draft_lesson_media(
    conn: asyncpg.Connection, storage: Storage, *, doc: CourseDoc, key: str, language: str
) -> LessonMedia:
    """The media a draft lesson names, signed as a learner would get them once published (for the author's preview).
    A reference that is not a ready file yet shows as unavailable rather than failing the preview."""
    try:
        refs = (await lesson_media_for_draft(conn, doc)).get(key, [])
    except Invalid:
        return LessonMedia(status="unavailable", items=[], expires_in=0)
    return await signed_draft_media(conn, storage, code=doc.code, refs=refs, language=language)
