"""Course folders as zip files: a draft or version written out in the ``courses/`` format (course.yaml +
lessons/<key>.<lang>.md; lesson media stay references to the course's media library), and a zip read back with every
problem named by file and line (lms.catalog.course_file does the reading). Pure: no database, no network.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec
import yaml

from lms.catalog.content import CourseDoc, Lesson, MediaRef
from lms.catalog.course_file import CourseFolderError, Problem, read_course_folder
from lms.i18n import N_, Text

MAX_FILES = 1000  # a course of a few hundred lessons in a few languages
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # text only: far above any real course, far below a zip bomb


def _plain(value: Any) -> Any:
    """The document as YAML-ready data, leaving out fields at their default (as a person writes course.yaml), the
    activity kind right after its key, and lesson bodies (they live in lessons/*.md)."""
    if isinstance(value, msgspec.Struct):
        tag = type(value).__struct_config__.tag
        out: dict[str, Any] = {}
        for field in msgspec.structs.fields(value):
            item = getattr(value, field.name)
            if isinstance(value, Lesson) and field.name == "body":
                continue
            if not field.required:
                default = field.default if field.default is not msgspec.NODEFAULT else field.default_factory()
                if item == default:
                    continue
            out[field.encode_name] = _plain(item)
            if field.name == "key" and tag:
                out["kind"] = tag
        return out
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def course_files(doc: CourseDoc) -> dict[str, str]:
    """The folder's files by relative path: course.yaml first, then one Markdown file per lesson and language."""
    files = {"course.yaml": yaml.safe_dump(_plain(doc), sort_keys=False, allow_unicode=True, width=110)}
    for module in doc.modules:
        for activity in module.activities:
            if isinstance(activity, Lesson):
                for lang in doc.languages:
                    if lang in activity.body:
                        files[f"lessons/{activity.key}.{lang}.md"] = activity.body[lang]
    return files


def course_zip(doc: CourseDoc) -> bytes:
    """A zip holding one folder named by the course code, as in ``courses/``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel, text in course_files(doc).items():
            archive.writestr(f"{doc.code}/{rel}", text.encode("utf-8"))
    return out.getvalue()


def _members(archive: zipfile.ZipFile, shown_name: str) -> tuple[str, dict[str, bytes]]:
    """(the folder inside the zip, or "", the files that make a course folder by their path inside it). Anything
    else in the zip is not read."""
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_FILES:
        raise CourseFolderError(
            [
                Problem(
                    shown_name,
                    1,
                    Text(N_("more than %(max_files)s files: this is not one course folder"), max_files=MAX_FILES),
                )
            ]
        )
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise CourseFolderError(
            [
                Problem(
                    shown_name,
                    1,
                    Text(N_("unpacked it is over 20 MB: a course folder holds text only (media stay in the library)")),
                )
            ]
        )
    names = [PurePosixPath(i.filename) for i in infos]
    for name in names:
        if name.is_absolute() or ".." in name.parts or "\\" in str(name):
            raise CourseFolderError(
                [Problem(shown_name, 1, Text(N_("%(name)s: a path outside the folder"), name=name))]
            )
    tops = {n.parts[0] for n in names if len(n.parts) > 1}
    root = ""
    if "course.yaml" not in {str(n) for n in names} and len(tops) == 1:
        root = tops.pop()
    wanted: dict[str, bytes] = {}
    for info, name in zip(infos, names, strict=True):
        rel = name.relative_to(root) if root else name
        if str(rel) == "course.yaml" or (len(rel.parts) == 2 and rel.parts[0] == "lessons" and rel.suffix == ".md"):
            wanted[str(rel)] = archive.read(info)
    return root, wanted


def _decode(files: dict[str, bytes], shown: Callable[[str], str]) -> dict[str, str]:
    texts, problems = {}, []
    for rel, data in files.items():
        try:
            texts[rel] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problems.append(Problem(shown(rel), line, Text(N_("not UTF-8 text"))))
    if "course.yaml" in texts:
        problems.extend(_alias_problems(texts["course.yaml"], shown("course.yaml")))
    if problems:
        raise CourseFolderError(problems)
    return texts


def _alias_problems(text: str, name: str) -> list[Problem]:
    """YAML anchors and aliases (``&a``, ``*a``) are refused: course.yaml never needs them, and nested aliases can make
    a small file expand without end."""
    try:
        return [
            Problem(name, token.start_mark.line + 1, Text(N_("YAML anchors and aliases (& and *) are not allowed")))
            for token in yaml.scan(text, Loader=yaml.SafeLoader)
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken)
        ][:1]
    except yaml.YAMLError:
        return []  # the reader reports the syntax error with its line


@dataclass(frozen=True)
class ReadCourse:
    doc: CourseDoc
    yaml_name: str  # course.yaml as named in the zip
    code_line: int

    def at_code(self, message: str) -> Problem:
        return Problem(self.yaml_name, self.code_line, message)


def read_course_zip(data: bytes, *, filename: str, check_media: Callable[[MediaRef], str | None]) -> ReadCourse:
    """A course folder uploaded as a zip, read as a draft: every problem with the file (as named inside the zip) and
    line, or the document. Nothing is written anywhere but a temporary folder."""
    shown_name = PurePosixPath(filename).name or "upload.zip"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CourseFolderError([Problem(shown_name, 1, Text(N_("not a zip file")))]) from None
    with archive:
        root, files = _members(archive, shown_name)

        def shown(rel: str) -> str:
            return f"{root}/{rel}" if root else rel

        texts = _decode(files, shown)
    with tempfile.TemporaryDirectory(prefix="lms-course-") as tmp:
        folder = Path(tmp) / "course"
        (folder / "lessons").mkdir(parents=True)
        for rel, text in texts.items():
            (folder / rel).write_text(text, encoding="utf-8")
        try:
            doc = read_course_folder(folder, as_draft=True, check_media=check_media, name_is_code=False)
        except CourseFolderError as exc:
            prefix = str(folder) + "/"
            raise CourseFolderError(
                [
                    Problem(
                        shown(p.file.removeprefix(prefix)),
                        p.line,
                        p.message if prefix not in p.message else p.message.replace(prefix, ""),
                    )
                    for p in exc.problems
                ]
            ) from None
    found = re.search(r"^code\s*:", texts.get("course.yaml", ""), flags=re.MULTILINE)
    line = texts["course.yaml"][: found.start()].count("\n") + 1 if found else 1
    return ReadCourse(doc=doc, yaml_name=shown("course.yaml"), code_line=line)


def export_name(code: str, version: int | None, today: date) -> str:
    return f"{code}-{'v' + str(version) if version else 'draft-' + today.isoformat()}.zip"
