"""Packages a course folder names (``package: {es: {file: packages/x.zip, unit: ...}}``), for `lms courses validate`
and `lms courses publish`: each zip checked like an upload, imported once per language (publishing the same zip
again reuses the package already imported from it), and the document given the packages' ids."""

from __future__ import annotations

import hashlib
from pathlib import Path as FsPath
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.catalog import course_file, loader
from lms.catalog import queries as catalog_queries
from lms.catalog.content import CourseDoc, Package, Path
from lms.errors import Invalid
from lms.i18n import N_, Text
from lms.packages import queries
from lms.packages.importing import MB, read_package, store_package
from lms.settings import Settings
from lms.storage import Storage


def folder_refs(doc: CourseDoc) -> list[tuple[Path, str, Any]]:
    """(place in the document, language, reference) of every package unit named by a zip file."""
    return [
        (("modules", m, "activities", a, "package", lang), lang, ref)
        for m, module in enumerate(doc.modules)
        for a, activity in enumerate(module.activities)
        if isinstance(activity, Package)
        for lang, ref in activity.package.items()
        if ref.file
    ]


def _inside(folder: FsPath, relative: str) -> FsPath | None:
    target = (folder / relative).resolve()
    return target if folder.resolve() in target.parents and target.is_file() else None


def folder_package_problems(folder: FsPath, doc: CourseDoc, *, max_unpacked_mb: int = 2000) -> list[tuple[Path, str]]:
    """Each zip is in the folder, is a package, and holds the unit named (read once per zip and language)."""
    problems: list[tuple[Path, str]] = []
    units: dict[tuple[str, str], set[str] | None] = {}
    for where, lang, ref in folder_refs(doc):
        if (ref.file, lang) not in units:
            path = _inside(folder, ref.file)
            if path is None:
                problems.append((where, Text(N_("package file '%(file)s' is not in the course folder"), file=ref.file)))
                units[(ref.file, lang)] = None
                continue
            try:
                with path.open("rb") as fileobj:
                    manifest = read_package(
                        fileobj, filename=ref.file, language=lang, max_unpacked=max_unpacked_mb * MB
                    )[2]
            except Invalid as exc:
                problems.append((where, exc.as_text()))
                units[(ref.file, lang)] = None
                continue
            units[(ref.file, lang)] = {u.unit_id for u in manifest.units}
        found = units[(ref.file, lang)]
        if found is not None and ref.unit not in found:
            problems.append(
                (
                    where,
                    Text(
                        N_("%(file)s has no unit '%(unit)s' (its units: %(found)s)"),
                        file=ref.file,
                        unit=ref.unit,
                        found=", ".join(sorted(found)[:5]),
                    ),
                )
            )
    return problems


async def import_folder_packages(
    conn: asyncpg.Connection, settings: Settings | None, folder: FsPath, doc: CourseDoc
) -> CourseDoc:
    """The document with every zip it names imported (inside the caller's transaction) and named by package id."""
    refs = folder_refs(doc)
    if not refs:
        return doc
    if settings is None:
        raise ValueError("settings are needed to import a course folder's packages")
    await catalog_queries.save_draft(conn, code=doc.code, track=doc.track, draft=msgspec.to_builtins(doc))
    course = await queries.course_id(conn, code=doc.code)
    assert course is not None
    storage = Storage(settings)
    imported: dict[tuple[str, str], UUID] = {}
    raw = msgspec.to_builtins(doc)
    for where, lang, ref in refs:
        if (ref.file, lang) not in imported:
            path = _inside(folder, ref.file)
            if path is None:
                raise Invalid(
                    N_("package file '%(file)s' is not in the course folder"), params={"file": ref.file}, field="file"
                )
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            existing = await queries.package_by_digest(conn, course_id=course, sha256=digest, language=lang)
            if existing is None:
                with path.open("rb") as fileobj:
                    existing = await store_package(
                        conn,
                        storage,
                        settings,
                        course_id=course,
                        code=doc.code,
                        fileobj=fileobj,
                        filename=path.name,
                        language=lang,
                        uploaded_by=None,
                        sha256=digest,
                    )
            imported[(ref.file, lang)] = existing
        target = raw
        for part in where:
            target = target[part]
        target.pop("file", None)
        target["package"] = str(imported[(ref.file, lang)])
    return msgspec.convert(raw, CourseDoc)


def register() -> None:
    """Course folders may name package zips: checked by `lms courses validate`, imported by publishing (called by
    the app factory and the `lms` command, as the credit feature's listeners are)."""
    if folder_package_problems not in course_file.folder_checks:
        course_file.folder_checks.append(folder_package_problems)
    if import_folder_packages not in loader.before_publish:
        loader.before_publish.append(import_folder_packages)
