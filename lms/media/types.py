"""What may be uploaded, how big, and what a file really is: its first bytes decide, never its name.

Pure functions (no I/O), so every rule here is unit-tested.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from lms.errors import Conflict, DomainError, Invalid
from lms.i18n import N_, Text

MiB = 1024 * 1024
GiB = 1024 * MiB

# content type -> (kind, extension, what to call it in a message)
ALLOWED: dict[str, tuple[str, str, str]] = {
    "video/mp4": ("video", ".mp4", N_("an MP4 video")),
    "video/webm": ("video", ".webm", N_("a WebM video")),
    "audio/mpeg": ("audio", ".mp3", N_("an MP3 audio file")),
    "audio/mp4": ("audio", ".m4a", N_("an M4A audio file")),
    "image/jpeg": ("image", ".jpg", N_("a JPEG image")),
    "image/png": ("image", ".png", N_("a PNG image")),
    "image/webp": ("image", ".webp", N_("a WebP image")),
    "application/pdf": ("pdf", ".pdf", N_("a PDF document")),
    "text/vtt": ("captions", ".vtt", N_("a WebVTT captions file")),
}
KINDS = ("video", "audio", "image", "pdf", "captions")
MAX_BYTES = {"video": 2 * GiB, "audio": 500 * MiB, "image": 20 * MiB, "pdf": 100 * MiB, "captions": 1 * MiB}
SIZE_TEXT = {"video": "2 GB", "audio": "500 MB", "image": "20 MB", "pdf": "100 MB", "captions": "1 MB"}
KIND_PLURAL = {
    "video": N_("videos"),
    "audio": N_("audio files"),
    "image": N_("images"),
    "pdf": N_("PDF documents"),
    "captions": N_("captions files"),
}
SINGLE_POST_MAX = 100 * MiB  # larger videos go as a multipart upload
MIN_PART = 5 * MiB  # S3's smallest part (except the last)
MAX_PARTS = 100  # part URLs handed out at once: keeps the answer small
SNIFF_BYTES = 4096

_ALIASES = {
    "audio/mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "text/webvtt": "text/vtt",
    "application/x-pdf": "application/pdf",
}
_EXTENSIONS = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".vtt": "text/vtt",
}
ACCEPTED_TEXT = N_(
    "Accepted: MP4 or WebM video, MP3 or M4A audio, JPEG, PNG or WebP images, PDF documents and WebVTT captions."
)


class LocalizedError(DomainError):
    """An error whose message is interface text: shown to an instructor in their language (English by default)."""

    def __init__(
        self, template: str, *, field: str = "file", extra: dict[str, Any] | None = None, **params: Any
    ) -> None:
        super().__init__(template, field=field, extra=extra, params=params)


class MediaRefused(LocalizedError, Invalid):
    """Bad input, or a file that is not what it claims (400)."""


class MediaConflict(LocalizedError, Conflict):
    """Not now: no file has arrived yet, or a published version uses it (409)."""


def localized_error_handler(request: Any, exc: LocalizedError) -> Any:
    """Controllers of this feature register this, so their messages follow the caller's language."""
    from lms.errors import domain_error_handler
    from lms.i18n import request_language

    return domain_error_handler(request, exc.localize(request_language(request)))


def normalise_type(content_type: str, filename: str) -> str:
    """The declared type as one of ours: browser aliases folded, parameters dropped, else guessed from the name."""
    declared = content_type.split(";")[0].strip().lower()
    declared = _ALIASES.get(declared, declared)
    if declared in ("", "application/octet-stream", "binary/octet-stream"):
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        declared = (
            _EXTENSIONS.get(suffix) or mimetypes.guess_type(filename)[0] or declared or "application/octet-stream"
        )
    return declared


def check_declared(*, kind: str, content_type: str, size: int) -> None:
    """Refuse a request before any byte moves: unknown type, a type of another kind, or too big."""
    if content_type not in ALLOWED:
        raise MediaRefused(
            N_("Files of type %(type)s are not accepted. %(accepted)s"),
            field="content_type",
            type=content_type,
            accepted=Text(ACCEPTED_TEXT),
        )
    if ALLOWED[content_type][0] != kind:
        raise MediaRefused(
            N_("%(type)s is not a type for %(kind)s."),
            field="content_type",
            type=content_type,
            kind=Text(KIND_PLURAL[kind]),
        )
    if size > MAX_BYTES[kind]:
        raise MediaRefused(
            N_("This file is too large: %(kind)s may be at most %(limit)s."),
            field="size",
            kind=Text(KIND_PLURAL[kind]),
            limit=SIZE_TEXT[kind],
        )


@dataclass(frozen=True)
class Sniffed:
    content_type: str | None  # one of ALLOWED, or None when the file is something we do not take
    what: str  # how to name it in a message
    dangerous: bool = False  # could run or render as a page: HTML, SVG, XML, programs, archives


_ISO_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
_MARKUP = (
    "<!doctype",
    "<html",
    "<head",
    "<body",
    "<script",
    "<iframe",
    "<svg",
    "<?xml",
    "<!--",
    "<meta",
    "<style",
    "<div",
    "<a ",
    "<img",
    "<object",
    "<embed",
    "<form",
    "<title",
    "<table",
    "<p>",
    "<br",
)


def _mp3_frame(head: bytes) -> bool:
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def sniff(head: bytes) -> Sniffed:
    """What the first bytes of a file say it is (magic numbers, as a browser would sniff them)."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _ISO_AUDIO_BRANDS:
            return Sniffed("audio/mp4", ALLOWED["audio/mp4"][2])
        if brand == b"qt  ":
            return Sniffed(None, N_("a QuickTime (.mov) video"))
        if brand in _HEIF_BRANDS:
            return Sniffed(None, N_("a HEIC/AVIF image"))
        if brand.startswith(b"3g"):
            return Sniffed(None, N_("a 3GP phone video"))
        return Sniffed("video/mp4", ALLOWED["video/mp4"][2])
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return (
            Sniffed("video/webm", ALLOWED["video/webm"][2])
            if b"webm" in head[:64]
            else Sniffed(None, N_("a Matroska (.mkv) video"))
        )
    if head.startswith(b"ID3") or _mp3_frame(head):
        return Sniffed("audio/mpeg", ALLOWED["audio/mpeg"][2])
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", ALLOWED["image/jpeg"][2])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", ALLOWED["image/png"][2])
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Sniffed("image/webp", ALLOWED["image/webp"][2])
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", ALLOWED["application/pdf"][2])
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.startswith(b"WEBVTT") and (len(text) == 6 or text[6:7] in (b" ", b"\t", b"\n", b"\r")):
        return Sniffed("text/vtt", ALLOWED["text/vtt"][2])
    return _refused(head)


def _refused(head: bytes) -> Sniffed:
    if (
        head.startswith(b"MZ")
        or head.startswith(b"\x7fELF")
        or head[:4]
        in (
            b"\xfe\xed\xfa\xce",
            b"\xfe\xed\xfa\xcf",
            b"\xce\xfa\xed\xfe",
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
        )
        or head.startswith(b"#!")
        or head.startswith(b"\x00asm")
    ):
        return Sniffed(None, N_("a program"), dangerous=True)
    if (
        head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
        or head.startswith(
            (
                b"Rar!\x1a\x07",
                b"7z\xbc\xaf\x27\x1c",
                b"\x1f\x8b",
                b"BZh",
                b"\xfd7zXZ\x00",
                b"MSCF",
                b"\x28\xb5\x2f\xfd",
            )
        )
        or head[257:262] == b"ustar"
    ):
        return Sniffed(None, N_("an archive (ZIP, RAR, 7z, tar or similar)"), dangerous=True)
    markup = _markup(head)
    if markup:
        return markup
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Sniffed(None, N_("a GIF image"))
    if head.startswith(b"RIFF"):
        return Sniffed(None, N_("a WAV or AVI file"))
    if head.startswith(b"OggS"):
        return Sniffed(None, N_("an Ogg audio or video file"))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Sniffed(None, N_("an old Microsoft Office document"))
    return Sniffed(None, N_("a file of a type we do not recognise"))


def _markup(head: bytes) -> Sniffed | None:
    """Anything a browser could render as a page: it must never be served from the store."""
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    lowered = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n\x0c").lower()
    if "<svg" in lowered[:1024]:
        return Sniffed(None, N_("an SVG image"), dangerous=True)
    if lowered.startswith(_MARKUP) or "<script" in lowered or "<html" in lowered:
        return Sniffed(None, N_("an HTML page"), dangerous=True)
    if lowered.startswith("<"):
        return Sniffed(None, N_("an XML or HTML document"), dangerous=True)
    return None


def check_content(declared: str, head: bytes) -> str:
    """The type to record and serve, from the file's first bytes; MediaRefused when they disagree with the declaration."""
    found = sniff(head)
    name = ALLOWED[declared][2]
    if found.content_type is None:
        if found.dangerous:
            raise MediaRefused(
                N_(
                    "This file is %(found)s, not %(declared)s. Web pages, SVG images, programs and archives are never accepted."
                ),
                found=Text(found.what),
                declared=Text(name),
            )
        raise MediaRefused(
            N_("This file is %(found)s, not %(declared)s. %(accepted)s"),
            found=Text(found.what),
            declared=Text(name),
            accepted=Text(ACCEPTED_TEXT),
        )
    if found.content_type == declared:
        return declared
    if declared == "audio/mp4" and found.content_type == "video/mp4":
        return declared  # sound-only MP4s often carry a generic brand (isom, mp42)
    raise MediaRefused(
        N_("This file is %(found)s, but it was sent as %(declared)s. Choose the right file, or the right kind."),
        found=Text(found.what),
        declared=Text(name),
    )


# Markup that a browser would run if it ever treated the file as a page: a polyglot (a valid MP4 or PNG header, then
# HTML or script in the body or at the end) is refused even though its first bytes are right.
_EMBEDDED_MARKUP = (
    b"<script",
    b"<html",
    b"<!doctype html",
    b"<iframe",
    b"<svg",
    b"<body",
    b"<object",
    b"<embed",
    b"javascript:",
    b"<?xml-stylesheet",
)


def check_no_embedded_markup(kind: str, *pieces: bytes) -> None:
    """Refuse a media file that carries a web page or script inside (the first and last bytes are looked at)."""
    if kind == "captions":
        return  # text, checked line by line as WebVTT
    for piece in pieces:
        lowered = piece.lower()
        if any(marker in lowered for marker in _EMBEDDED_MARKUP):
            raise MediaRefused(
                N_(
                    "This file carries a web page or script inside it. Such files are never accepted: "
                    "export the file again from the program that made it."
                )
            )


def final_key(upload_key: str) -> str:
    """Where a file lives once checked: no upload form can write here, so what was checked is what is served."""
    return f"{upload_key}.checked"


def safe_filename(name: str, content_type: str) -> str:
    """A download name that cannot break a header or a path: ASCII letters, digits, dot, dash; our extension."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:80].strip("-_")
    kind, extension, _ = ALLOWED[content_type]
    return f"{stem or kind}{extension}"


def storage_key(code: str, media_id: Any) -> str:
    """Chosen by the service, never by the uploader: the course and a random id, nothing a browser could steer."""
    return f"media/{code}/{media_id}"


def part_plan(size: int) -> tuple[int, int]:
    """(part size, number of parts) for a multipart upload of ``size`` bytes."""
    part = max(MIN_PART, -(-size // MAX_PARTS))
    part = -(-part // MiB) * MiB
    return part, max(1, -(-size // part))
