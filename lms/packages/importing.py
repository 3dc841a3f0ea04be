"""Importing a package zip into a course: checked whole before anything is written, files to the store under the
package's own prefix, then the package and its units in one statement. A failed import leaves nothing behind."""

from __future__ import annotations

import io
import tempfile
import zipfile
from typing import IO
from uuid import UUID, uuid4

import asyncpg
from litestar.concurrency import sync_to_thread

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Invalid, NotFound
from lms.i18n import N_
from lms.observability.logs import log_event
from lms.packages import queries
from lms.packages.archive import Member, member_chunks, open_zip, read_member
from lms.packages.content import content_type
from lms.packages.manifests import CMI5, SCORM, parse_cmi5
from lms.packages.manifests_scorm import parse_scorm
from lms.packages.schemas import Manifest, PackageOut
from lms.settings import Settings
from lms.storage import Storage

MB = 1_000_000


def _course_structure_alone(fileobj: IO[bytes], filename: str) -> IO[bytes]:
    """cmi5 §14.2: a bare cmi5.xml (its AUs all on the web) is a package of that one file."""
    if not filename.lower().endswith(".xml") or zipfile.is_zipfile(fileobj):
        fileobj.seek(0)
        return fileobj
    fileobj.seek(0)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as archive:  # stored: the zip-bomb ratio check sees 1:1
        archive.writestr(CMI5, fileobj.read())
    packed.seek(0)
    return packed


def read_package(
    fileobj: IO[bytes], *, filename: str, language: str, max_unpacked: int
) -> tuple[zipfile.ZipFile, dict[str, Member], Manifest]:
    """The zip (or a bare cmi5.xml) checked and its manifest parsed (blocking: run it in a thread)."""
    fileobj = _course_structure_alone(fileobj, filename)
    archive, members = open_zip(fileobj, filename=filename, max_unpacked=max_unpacked)
    files = set(members)
    if CMI5 in members:
        return archive, members, parse_cmi5(read_member(archive, members[CMI5], filename=filename), files)
    if SCORM in members:
        return (
            archive,
            members,
            parse_scorm(read_member(archive, members[SCORM], filename=filename), files, language=language),
        )
    nested = sorted(p for p in members if p.rsplit("/", 1)[-1] in (CMI5, SCORM))
    hint = f" (found {nested[0]}: zip the folder's contents, not the folder)" if nested else ""
    raise Invalid(
        N_("%(filename)s: no %(cmi5)s (cmi5) or %(scorm)s (SCORM) at the top of the zip%(hint)s"),
        params={"filename": filename, "cmi5": CMI5, "scorm": SCORM, "hint": hint},
        field="file",
    )


def _spooled(archive: zipfile.ZipFile, member: Member, filename: str) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=8 * MB)  # noqa: SIM115 (closed by the caller)
    for chunk in member_chunks(archive, member, filename=filename):
        spool.write(chunk)
    spool.seek(0)
    return spool


async def import_package(
    conn: asyncpg.Connection,
    storage: Storage,
    settings: Settings,
    *,
    code: str,
    editor: CurrentUser,
    fileobj: IO[bytes],
    filename: str,
    language: str,
) -> PackageOut:
    """Check, store and record a package for a course this person may change; ``Invalid`` naming the problem."""
    course = await queries.editable_course(conn, code=code, editor=editor)
    if course is None:
        raise NotFound(
            N_("no course %(code)s that you may change (its owners and program admins may)"), params={"code": code}
        )
    course_id, languages = course
    if language not in languages:
        raise Invalid(
            N_("language: %(language)s is not one of the course's languages (%(languages)s)"),
            params={"language": language or "(none)", "languages": ", ".join(languages)},
            field="language",
        )
    package_id = await store_package(
        conn,
        storage,
        settings,
        course_id=course_id,
        code=code,
        fileobj=fileobj,
        filename=filename,
        language=language,
        uploaded_by=editor.id,
    )
    found = await queries.get_package(conn, code=code, package_id=package_id)
    assert found is not None
    return found


async def store_package(
    conn: asyncpg.Connection,
    storage: Storage,
    settings: Settings,
    *,
    course_id: UUID,
    code: str,
    fileobj: IO[bytes],
    filename: str,
    language: str,
    uploaded_by: UUID | None,
    sha256: str | None = None,
) -> UUID:
    """Check the zip whole, then write its files under a prefix of their own and record the package (the caller
    decides who may)."""
    archive, members, manifest = await sync_to_thread(
        read_package, fileobj, filename=filename, language=language, max_unpacked=settings.package_max_unpacked_mb * MB
    )
    package_id = uuid4()
    prefix = f"packages/{code}/{package_id}/"
    try:
        for member in members.values():
            spool = await sync_to_thread(_spooled, archive, member, filename)
            try:
                await storage.upload_fileobj(prefix + member.path, spool, content_type(member.path))
            finally:
                spool.close()
        await queries.insert_package(
            conn,
            package_id=package_id,
            course_id=course_id,
            language=language,
            filename=filename[:200],
            s3_prefix=prefix,
            manifest=manifest,
            file_count=len(members),
            total_bytes=sum(m.info.file_size for m in members.values()),
            uploaded_by=uploaded_by,
            sha256=sha256,
        )
    except BaseException:
        try:
            await storage.delete_prefix(prefix)
        except Exception:
            pass  # the store itself is away: what got written sits under a prefix no package row names
        raise
    await record(
        conn,
        actor_id=uploaded_by,
        action="package.imported",
        subject=code,
        detail={"package_id": str(package_id), "format": manifest.format, "units": len(manifest.units)},
    )
    log_event("package.imported", course=code, package_id=package_id, format=manifest.format, units=len(manifest.units))
    return package_id
