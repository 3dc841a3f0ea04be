"""Reading a course folder (course.yaml + lessons/*.md): every problem with its file and line, or a CourseDoc."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import msgspec
import yaml

from lms.catalog.content import ACTIVITY_KINDS, CourseDoc, Lesson, MediaRef, Path, doc_problems
from lms.i18n import N_, Text

# Other features check what a course folder names for them (packages: its zips), each problem at a place in the
# document; lms.packages.folder.register() adds its check, so the catalogue depends on none of them.
FolderCheck = Callable[[FsPath, CourseDoc], list[tuple[Path, str]]]
folder_checks: list[FolderCheck] = []


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CourseFolderError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class _Lines:
    """Where each path of the YAML document starts (1-based), to point problems at a line."""

    def __init__(self) -> None:
        self.at: dict[Path, int] = {}

    def find(self, path: Path) -> int:
        while path and path not in self.at:
            path = path[:-1]
        return self.at.get(path, 1)


def _to_python(node: yaml.Node, path: Path, lines: _Lines, constructor: yaml.SafeLoader) -> Any:
    lines.at.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            lines.at[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, (*path, i), lines, constructor) for i, child in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def _struct_of(tp: Any) -> type[msgspec.Struct] | None:
    return tp if isinstance(tp, type) and issubclass(tp, msgspec.Struct) else None


def _check(value: Any, tp: Any, path: Path, out: list[tuple[Path, str]]) -> None:
    """Walk the value against the type and record every problem (msgspec itself stops at the first)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        _check_scalar(value, tp, path, out)
        return
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        structs = [a for a in args if _struct_of(a)]
        if len(structs) > 1:  # the activity union, tagged by `kind`
            if not isinstance(value, dict):
                out.append((path, Text(N_("expected a mapping"))))
            elif value.get("kind") not in ACTIVITY_KINDS:
                out.append(
                    (
                        (*path, "kind") if "kind" in value else path,
                        Text(N_("kind must be one of %(kinds)s"), kinds=", ".join(ACTIVITY_KINDS)),
                    )
                )
            else:
                _check({k: v for k, v in value.items() if k != "kind"}, ACTIVITY_KINDS[value["kind"]], path, out)
            return
        if value is None and type(None) in args:
            return
        _check(value, next(a for a in args if a is not type(None)), path, out)
        return
    if struct := _struct_of(tp):
        if not isinstance(value, dict):
            out.append((path, Text(N_("expected a mapping for %(kind)s"), kind=struct.__name__.lower())))
            return
        known = {f.encode_name: f for f in msgspec.structs.fields(struct)}
        for key in value:
            if key not in known:
                out.append(
                    (
                        (*path, key),
                        Text(
                            N_("unknown field '%(key)s' (expected one of: %(known)s)"), key=key, known=", ".join(known)
                        ),
                    )
                )
        for name, info in known.items():
            if name in value:
                _check(value[name], info.type, (*path, name), out)
            elif info.required:
                out.append((path, Text(N_("missing field '%(name)s'"), name=name)))
        return
    if origin is list:
        if not isinstance(value, list):
            out.append((path, Text(N_("expected a list"))))
            return
        (item,) = typing.get_args(tp)
        for i, child in enumerate(value):
            _check(child, item, (*path, i), out)
        return
    if origin is dict:
        if not isinstance(value, dict):
            out.append((path, Text(N_("expected a mapping of language to text, e.g. {en: ..., es: ...}"))))
            return
        key_tp, value_tp = typing.get_args(tp)
        for key, child in value.items():
            _check_scalar(key, key_tp, (*path, key), out, what="key")
            _check(child, value_tp, (*path, key), out)
        return
    _check_scalar(value, tp, path, out)


def _check_scalar(value: Any, tp: Any, path: Path, out: list[tuple[Path, str]], what: str = "value") -> None:
    try:
        msgspec.convert(value, tp)
    except msgspec.ValidationError as exc:
        message = str(exc).split(" - at `")[0]
        template = N_("key '%(value)s': %(message)s") if what == "key" else N_("value '%(value)s': %(message)s")
        out.append((path, Text(template, value=value, message=message)))


def read_course_folder(
    folder: FsPath,
    *,
    as_draft: bool = False,
    check_media: Callable[[MediaRef], str | None] | None = None,
    name_is_code: bool = True,
) -> CourseDoc:
    """Parse and check a course folder; raise CourseFolderError listing every problem with file and line.

    ``as_draft``: the folder becomes a draft, not a version, so texts may still be missing in some languages (publishing
    asks for them). ``check_media``: how a lesson's media reference is checked (default: a file in the folder); it
    answers a problem or None. ``name_is_code``: the folder must be named by the course code."""
    folder = FsPath(folder)
    yaml_path = folder / "course.yaml"
    name = str(yaml_path)
    if not yaml_path.exists():
        raise CourseFolderError([Problem(name, 1, Text(N_("no course.yaml in this folder")))])
    loader = yaml.SafeLoader(yaml_path.read_text(encoding="utf-8"))
    lines = _Lines()
    try:
        node = loader.get_single_node()
        raw = _to_python(node, (), lines, loader) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CourseFolderError(
            [
                Problem(
                    name,
                    mark.line + 1 if mark else 1,
                    Text(N_("not valid YAML: %(problem)s"), problem=getattr(exc, "problem", exc)),
                )
            ]
        ) from None
    finally:
        loader.dispose()
    structural: list[tuple[Path, str]] = []
    _check(raw, CourseDoc, (), structural)
    problems = [Problem(name, lines.find(p), m) for p, m in structural]
    # Set aside what is structurally wrong and keep checking the rest, so one run lists every problem.
    _prune(raw, [p for p, _ in structural])
    try:
        doc = msgspec.convert(
            _attach_lessons(folder, raw if isinstance(raw, dict) else {}, lines, problems, as_draft), CourseDoc
        )
    except (msgspec.ValidationError, KeyError, TypeError):
        raise CourseFolderError(sorted(problems, key=lambda p: (p.file, p.line))) from None
    if name_is_code and doc.code != folder.name:
        problems.append(
            Problem(
                name,
                lines.find(("code",)),
                Text(N_("code '%(code)s' differs from the folder name '%(name)s'"), code=doc.code, name=folder.name),
            )
        )
    problems.extend(
        Problem(name, lines.find(p), m)
        for p, m in doc_problems(doc)
        if not (as_draft and _translation_gap(m, doc.languages))
    )
    problems.extend(_media_problems(folder, doc, lines, name, check_media))
    if check_media is None:  # files of the folder itself (package zips); a web import names the library's instead
        for check in folder_checks:
            problems.extend(Problem(name, lines.find(p), m) for p, m in check(folder, doc))
    if problems:
        raise CourseFolderError(sorted(problems, key=lambda p: (p.file, p.line)))
    return doc


def _translation_gap(message: str, languages: list[str]) -> bool:
    return any(message.endswith(f"has no {lang} text") for lang in languages)


def _prune(raw: Any, paths: list[Path]) -> None:
    """Remove the unknown fields and activities of an unknown kind that problems point at."""
    for path in sorted(paths, key=lambda p: [str(x) for x in p], reverse=True):
        if path and path[-1] == "kind":
            path = path[:-1]
        if not path:
            continue
        parent = raw
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            if (
                isinstance(parent, dict)
                and isinstance(last, str)
                and last in parent
                and last not in ("modules", "title", "code", "track", "languages")
            ):
                del parent[last]
            elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                parent.pop(last)
        except (KeyError, IndexError, TypeError):
            continue


def _attach_lessons(
    folder: FsPath, raw: dict[str, Any], lines: _Lines, problems: list[Problem], as_draft: bool = False
) -> dict[str, Any]:
    """Lesson bodies come from lessons/<key>.<lang>.md; a body inline in the YAML is refused. A draft's lessons may
    still lack a language."""
    languages = raw.get("languages") or []
    used: set[FsPath] = set()
    for m, module in enumerate(raw.get("modules") or []):
        for a, activity in enumerate(module.get("activities") or []):
            if activity.get("kind") != "lesson":
                continue
            where = lines.find(("modules", m, "activities", a))
            if "body" in activity:
                problems.append(
                    Problem(
                        str(folder / "course.yaml"),
                        where,
                        Text(N_("lesson bodies live in lessons/<key>.<lang>.md, not in course.yaml")),
                    )
                )
            body = {}
            for lang in languages:
                md = folder / "lessons" / f"{activity['key']}.{lang}.md"
                used.add(md)
                if md.exists():
                    body[lang] = md.read_text(encoding="utf-8")
                elif not as_draft:
                    problems.append(
                        Problem(
                            str(md),
                            1,
                            Text(
                                N_("missing: the %(lang)s text of lesson '%(key)s' (course.yaml line %(where)s)"),
                                lang=lang,
                                key=activity["key"],
                                where=where,
                            ),
                        )
                    )
            activity["body"] = body
    lesson_dir = folder / "lessons"
    if lesson_dir.is_dir():
        for md in sorted(lesson_dir.glob("*.md")):
            if md not in used:
                problems.append(
                    Problem(
                        str(md),
                        1,
                        Text(N_("no lesson activity in course.yaml uses this file (its key or language differs)")),
                    )
                )
    return raw


def _media_problems(
    folder: FsPath,
    doc: CourseDoc,
    lines: _Lines,
    name: str,
    check_media: Callable[[MediaRef], str | None] | None = None,
) -> list[Problem]:
    out = []
    for m, module in enumerate(doc.modules):
        for a, activity in enumerate(module.activities):
            if not isinstance(activity, Lesson):
                continue
            for i, ref in enumerate(activity.media):
                path: Path = ("modules", m, "activities", a, "media", i)
                if check_media is not None:
                    if (problem := check_media(ref)) is not None:
                        out.append(Problem(name, lines.find(path), problem))
                    continue
                for rel in (ref.file, *ref.captions.values()):
                    target = (folder / rel).resolve()
                    if folder.resolve() not in target.parents or not target.is_file():
                        out.append(
                            Problem(
                                name,
                                lines.find(path),
                                Text(N_("media file '%(rel)s' is not in the course folder"), rel=rel),
                            )
                        )
    return out


def media_files(doc: CourseDoc) -> list[MediaRef]:
    return [ref for module in doc.modules for a in module.activities if isinstance(a, Lesson) for ref in a.media]
