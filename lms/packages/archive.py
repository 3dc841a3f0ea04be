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
        return "a backslash in a file name (zips use /)"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if any(part == ".." for part in name.split("/")):
        return "a path that climbs out of the package (..)"
    if "\x00" in name or len(name) > MAX_NAME:
        return "a file name that is not a plain path"
    return None


def open_zip(fileobj: IO[bytes], *, filename: str, max_unpacked: int) -> tuple[zipfile.ZipFile, dict[str, Member]]:
    """The zip and its files by path, once the directory passes every check; ``Invalid`` naming the problem otherwise."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Invalid(
            f"{filename}: not a zip file (export the course as a zip package and upload that file)", field="file"
        ) from None
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise Invalid(f"{filename}: {len(infos)} files; a package may hold at most {MAX_FILES}", field="file")
    members: dict[str, Member] = {}
    total = 0
    for info in infos:
        name = info.filename
        if problem := _bad_name(name):
            raise Invalid(f"{filename}: {name!r} is refused: {problem}", field="file")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Invalid(f"{filename}: {name!r} is a symbolic link; a package holds plain files only", field="file")
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise Invalid(f"{filename}: {name!r} is encrypted; export the package without a password", field="file")
        total += info.file_size
        if total > max_unpacked:
            raise Invalid(
                f"{filename}: its files unpack to more than {max_unpacked // 1_000_000} MB, the limit for a package",
                field="file",
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Invalid(
                f"{filename}: {name!r} is compressed {info.file_size // max(info.compress_size, 1)} to 1, which only "
                "a zip bomb does; refused",
                field="file",
            )
        path = name.lstrip("./") if name.startswith("./") else name
        if path in members:
            raise Invalid(f"{filename}: {name!r} is in the zip twice", field="file")
        members[path] = Member(info=info, path=path)
    if not members:
        raise Invalid(f"{filename}: the zip is empty", field="file")
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
        raise Invalid(f"{filename}: {member.path} is too large to read ({member.info.file_size} bytes)", field="file")
    seen = 0
    try:
        with archive.open(member.info) as stream:
            while block := stream.read(chunk):
                seen += len(block)
                if seen > allowed:
                    raise Invalid(
                        f"{filename}: {member.path} unpacks to more than the zip declares; refused", field="file"
                    )
                yield block
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise Invalid(f"{filename}: {member.path} cannot be unpacked ({exc})", field="file") from None
