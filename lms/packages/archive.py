"""Checking a package zip before anything is written: every refusal names the file in the zip and why.

Refused: a file that is not a zip, names that climb out of the package (``..``, absolute, backslashes, drive letters),
symbolic links, more files than a course needs, a single file or a total over the limits, and compression ratios
only a zip bomb has. The sizes the zip declares are checked first, and the bytes actually read are counted again
while unpacking, so a lying header cannot get past either.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from lms.errors import Invalid
from lms.i18n import N_, Text

MAX_FILES = 20_000
MAX_RATIO = 200  # uncompressed / compressed, for a file big enough that the ratio means something
RATIO_FLOOR = 1024 * 1024  # files smaller than this may compress as well as they like
MAX_NAME = 1024


@dataclass(frozen=True)
class Member:
    info: zipfile.ZipInfo
    path: str  # the member's path, checked: relative, forward slashes, no '..'


def _bad_name(name: str) -> str | None:
    if "\\" in name:
        return Text(N_("a backslash in a file name (zips use /)"))
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return Text(N_("an absolute path"))
    if any(part == ".." for part in name.split("/")):
        return Text(N_("a path that climbs out of the package (..)"))
    if "\x00" in name or len(name) > MAX_NAME:
        return Text(N_("a file name that is not a plain path"))
    return None


def open_zip(fileobj: IO[bytes], *, filename: str, max_unpacked: int) -> tuple[zipfile.ZipFile, dict[str, Member]]:
    """The zip and its files by path, once the directory passes every check; ``Invalid`` naming the problem otherwise."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Invalid(
            N_("%(filename)s: not a zip file (export the course as a zip package and upload that file)"),
            params={"filename": filename},
            field="file",
        ) from None
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise Invalid(
            N_("%(filename)s: %(count)s files; a package may hold at most %(max_files)s"),
            params={"filename": filename, "count": len(infos), "max_files": MAX_FILES},
            field="file",
        )
    members: dict[str, Member] = {}
    total = 0
    for info in infos:
        name = info.filename
        if problem := _bad_name(name):
            raise Invalid(
                N_("%(filename)s: %(name)s is refused: %(problem)s"),
                params={"filename": filename, "name": repr(name), "problem": problem},
                field="file",
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Invalid(
                N_("%(filename)s: %(name)s is a symbolic link; a package holds plain files only"),
                params={"filename": filename, "name": repr(name)},
                field="file",
            )
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise Invalid(
                N_("%(filename)s: %(name)s is encrypted; export the package without a password"),
                params={"filename": filename, "name": repr(name)},
                field="file",
            )
        total += info.file_size
        if total > max_unpacked:
            raise Invalid(
                N_("%(filename)s: its files unpack to more than %(mb)s MB, the limit for a package"),
                params={"filename": filename, "mb": max_unpacked // 1_000_000},
                field="file",
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Invalid(
                N_("%(filename)s: %(name)s is compressed %(ratio)s to 1, which only a zip bomb does; refused"),
                params={
                    "filename": filename,
                    "name": repr(name),
                    "ratio": info.file_size // max(info.compress_size, 1),
                },
                field="file",
            )
        path = name.lstrip("./") if name.startswith("./") else name
        if path in members:
            raise Invalid(
                N_("%(filename)s: %(name)s is in the zip twice"),
                params={"filename": filename, "name": repr(name)},
                field="file",
            )
        members[path] = Member(info=info, path=path)
    if not members:
        raise Invalid(N_("%(filename)s: the zip is empty"), params={"filename": filename}, field="file")
    return archive, members


def read_member(archive: zipfile.ZipFile, member: Member, *, filename: str, limit: int = 64 * 1024 * 1024) -> bytes:
    """A small file of the zip (a manifest) whole, never more than it declared."""
    return b"".join(member_chunks(archive, member, filename=filename, limit=limit))


def member_chunks(
    archive: zipfile.ZipFile, member: Member, *, filename: str, limit: int | None = None, chunk: int = 1024 * 1024
) -> Iterator[bytes]:
    """A file of the zip in chunks, refusing one that unpacks to more than it declared (or than ``limit``)."""
    allowed = member.info.file_size if limit is None else min(member.info.file_size, limit)
    if member.info.file_size > allowed:
        raise Invalid(
            N_("%(filename)s: %(path)s is too large to read (%(file_size)s bytes)"),
            params={"filename": filename, "path": member.path, "file_size": member.info.file_size},
            field="file",
        )
    seen = 0
    try:
        with archive.open(member.info) as stream:
            while block := stream.read(chunk):
                seen += len(block)
                if seen > allowed:
                    raise Invalid(
                        N_("%(filename)s: %(path)s unpacks to more than the zip declares; refused"),
                        params={"filename": filename, "path": member.path},
                        field="file",
                    )
                yield block
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise Invalid(
            N_("%(filename)s: %(path)s cannot be unpacked (%(reason)s)"),
            params={"filename": filename, "path": member.path, "reason": str(exc)},
            field="file",
        ) from None
