"""What a file really is (its first bytes, not its name), and WebVTT that names the wrong line."""

from __future__ import annotations

import struct
import zlib

import pytest

from lms.media.types import MediaRefused, check_content, check_declared, normalise_type, part_plan, safe_filename, sniff
from lms.media.webvtt import check_webvtt

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 64
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    + b"\x00" * 32
)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (MP4, "video/mp4"),
        (M4A, "audio/mp4"),
        (WEBM, "video/webm"),
        (b"ID3\x04\x00" + b"\x00" * 20, "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 20, "audio/mpeg"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (png(), "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n", "text/vtt"),
        (b"\xef\xbb\xbfWEBVTT - captions\n", "text/vtt"),
    ],
)
def test_the_first_bytes_say_what_a_file_is(head, expected):
    assert sniff(head).content_type == expected


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script>", "HTML"),
        (b"\n  <html><head>", "HTML"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
        (b"MZ\x90\x00\x03", "program"),
        (b"\x7fELF\x02\x01", "program"),
        (b"#!/bin/sh\n", "program"),
        (b"PK\x03\x04\x14\x00", "archive"),
        (b"\x1f\x8b\x08\x00", "archive"),
        (b"Rar!\x1a\x07\x00", "archive"),
    ],
)
def test_pages_programs_and_archives_are_never_accepted_whatever_they_claim(head, what):
    found = sniff(head)
    assert found.content_type is None and found.dangerous
    with pytest.raises(MediaRefused) as refused:
        check_content("video/mp4", head)
    assert what in refused.value.detail and "never accepted" in refused.value.detail


def test_a_real_file_of_another_kind_is_refused_naming_both_types():
    with pytest.raises(MediaRefused, match="a PNG image, but it was sent as an MP4 video"):
        check_content("video/mp4", png())
    with pytest.raises(MediaRefused, match="QuickTime"):
        check_content("video/mp4", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00")
    assert check_content("audio/mp4", MP4) == "audio/mp4"  # sound-only MP4 with a generic brand


def test_a_refusal_keeps_its_message_and_parameters_for_translation():
    with pytest.raises(MediaRefused) as refused:
        check_content("video/mp4", b"<html>")
    assert refused.value.template.startswith("This file is %(found)s, not %(declared)s.")
    assert refused.value.params == {"found": "an HTML page", "declared": "an MP4 video"}
    assert refused.value.localize("en").detail.startswith("This file is an HTML page, not an MP4 video.")


def test_declared_types_sizes_and_names():
    assert normalise_type("audio/x-m4a", "a.m4a") == "audio/mp4"
    assert normalise_type("", "Subtítulos.ES.VTT") == "text/vtt"
    assert normalise_type("application/octet-stream", "clip.webm") == "video/webm"
    with pytest.raises(MediaRefused, match="text/html"):
        check_declared(kind="video", content_type="text/html", size=10)
    with pytest.raises(MediaRefused, match="at most 2 GB"):
        check_declared(kind="video", content_type="video/mp4", size=3 * 1024**3)
    with pytest.raises(MediaRefused) as wrong_kind:
        check_declared(kind="image", content_type="video/mp4", size=10)
    assert wrong_kind.value.field == "content_type"
    assert safe_filename("C:\\fakepath\\Lavado de manos (español).MP4", "video/mp4") == "Lavado-de-manos-espanol.mp4"
    assert safe_filename('"><script>.html', "image/png") == "script.png"
    assert safe_filename("...", "application/pdf") == "pdf.pdf"


def test_a_multipart_plan_stays_within_a_hundred_parts_of_at_least_5_mb():
    assert part_plan(5 * 1024**2 + 1000) == (5 * 1024**2, 2)
    size, count = part_plan(2 * 1024**3)
    assert count <= 100 and size * count >= 2 * 1024**3 and size >= 5 * 1024**2


GOOD_VTT = """WEBVTT - Lavado de manos

NOTE made by hand

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:04.000 line:90% align:center
Lávese las manos <i>antes</i> de atender a cada paciente.

00:04.500 --> 00:07.250
Use agua y jabón
durante 20 segundos.
"""


def test_valid_webvtt_counts_its_cues():
    assert check_webvtt(GOOD_VTT.encode()) == 2
    assert check_webvtt(GOOD_VTT.replace("\n", "\r\n").encode("utf-8-sig")) == 2


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("WEBVTX\n\n00:01.000 --> 00:02.000\nhi\n", 1, "starts with the line WEBVTT"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\n00:03,000 --> 00:04.000\nthere\n", 6, "is not a timing line"),
        ("WEBVTT\n\n1\n00:01.000 -> 00:02.000\nhi\n", 4, "is not a timing line"),
        ("WEBVTT\n\n00:05.000 --> 00:02.000\nhi\n", 3, "ends before it starts"),
        ("WEBVTT\n\n00:05.000 --> 00:06.000\nhi\n\n00:01.000 --> 00:02.000\nback\n", 6, "time order"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000 colour:red\nhi\n", 3, "not a cue setting"),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n00:02.000 --> 00:03.000\nno blank line\n",
            5,
            "blank line between cues",
        ),
        ("WEBVTT\n\njust some words\n", 3, "should be followed by a timing line"),
        ("WEBVTT\n\n00:61.000 --> 00:62.000\nhi\n", 3, "is not a timing line"),
    ],
)
def test_invalid_webvtt_is_refused_naming_the_line(text, line, words):
    with pytest.raises(MediaRefused) as refused:
        check_webvtt(text.encode())
    assert f"line {line}" in refused.value.detail and words in refused.value.detail


def test_webvtt_that_is_not_utf8_or_has_no_cues_is_refused():
    with pytest.raises(MediaRefused, match="line 4 is not UTF-8"):
        check_webvtt("WEBVTT\n\n00:01.000 --> 00:02.000\nLávese\n".encode("latin-1"))
    with pytest.raises(MediaRefused, match="no cues"):
        check_webvtt(b"WEBVTT\n\nNOTE nothing here\n")


def test_a_valid_header_with_a_page_inside_is_refused_as_a_polyglot():
    from lms.media.types import check_no_embedded_markup

    mp4 = MP4[:24]
    check_no_embedded_markup("video", mp4 + bytes(range(256)), b"\x00" * 64)
    check_no_embedded_markup("captions", b"WEBVTT\n\n<script> is only text in a caption")
    for head, tail in (
        (mp4 + b"<html><body>hi</body></html>", b""),
        (b"\x89PNG\r\n\x1a\n", b"IEND<ScRiPt>x()</script>"),
    ):
        with pytest.raises(MediaRefused):
            check_no_embedded_markup("video", head, tail)
