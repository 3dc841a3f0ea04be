"""A strict WebVTT check (https://www.w3.org/TR/webvtt1/): a bad file is refused with the line that is wrong.

Browsers silently drop cues they cannot parse, so a learner would simply see no captions; an instructor should
instead hear at upload which line to fix.
"""

from __future__ import annotations

import re
from typing import Any

from lms.i18n import N_
from lms.media.types import MediaRefused

_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t]+(.*))?$")
_PERCENT = r"\d+(?:\.\d+)?%"
_SETTINGS = {
    "vertical": re.compile(r"^(rl|lr)$"),
    "line": re.compile(rf"^(?:{_PERCENT}|-?\d+)(?:,(start|center|end))?$"),
    "position": re.compile(rf"^{_PERCENT}(?:,(line-left|center|line-right))?$"),
    "size": re.compile(rf"^{_PERCENT}$"),
    "align": re.compile(r"^(start|center|end|left|right)$"),
    "region": re.compile(r"^[^\s]+$"),
}


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _shown(line: str) -> str:
    return line if len(line) <= 60 else line[:57] + "..."


def _refuse(template: str, **params: Any) -> MediaRefused:
    return MediaRefused(template, **params)


def check_webvtt(data: bytes) -> int:
    """The number of cues in a valid WebVTT file; MediaRefused naming the first wrong line otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(
            N_("Captions line %(line)s is not UTF-8 text: save the file as UTF-8."),
            line=data[: exc.start].count(b"\n") + 1,
        ) from None
    text = text.removeprefix("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise _refuse(N_("Captions line %(line)s: a WebVTT file starts with the line WEBVTT."), line=1)
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise _refuse(N_("Captions line %(line)s contains a NUL character."), line=number)

    i = 1
    while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
        i += 1  # header lines (old files carry e.g. "Kind: captions")
    cues = 0
    previous_start = -1.0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        block = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i])
            i += 1
        first = block[0]
        if re.match(r"^NOTE(?:[ \t]|$)", first):
            for offset, line in enumerate(block):
                if "-->" in line:
                    raise _refuse(
                        N_('Captions line %(line)s: a NOTE may not contain "-->".'), line=block_start + offset + 1
                    )
            continue
        if first in ("STYLE", "REGION") or re.match(r"^(STYLE|REGION)[ \t]", first):
            if cues:
                raise _refuse(
                    N_("Captions line %(line)s: STYLE and REGION blocks must come before the first cue."),
                    line=block_start + 1,
                )
            continue
        timing_at = 0 if "-->" in first else 1
        if timing_at >= len(block):
            raise _refuse(
                N_(
                    "Captions line %(line)s: “%(text)s” should be followed by a timing line like 00:00:01.000 --> 00:00:04.000."
                ),
                line=block_start + 1,
                text=_shown(first),
            )
        number = block_start + timing_at + 1
        timing = block[timing_at]
        match = _TIMING.match(timing.strip())
        if not match:
            raise _refuse(
                N_("Captions line %(line)s: “%(text)s” is not a timing line like 00:00:01.000 --> 00:00:04.000."),
                line=number,
                text=_shown(timing),
            )
        start = _seconds(*match.group(1, 2, 3, 4))
        end = _seconds(*match.group(5, 6, 7, 8))
        if end <= start:
            raise _refuse(N_("Captions line %(line)s: the cue ends before it starts."), line=number)
        if start < previous_start:
            raise _refuse(
                N_("Captions line %(line)s: this cue starts before the one above it; cues must be in time order."),
                line=number,
            )
        previous_start = start
        for setting in (match.group(9) or "").split():
            name, colon, value = setting.partition(":")
            if not colon or name not in _SETTINGS or not _SETTINGS[name].match(value):
                raise _refuse(
                    N_(
                        "Captions line %(line)s: “%(text)s” is not a cue setting (vertical, line, position, size, align or region)."
                    ),
                    line=number,
                    text=_shown(setting),
                )
        for offset, line in enumerate(block[timing_at + 1 :], start=timing_at + 1):
            if "-->" in line:
                raise _refuse(
                    N_('Captions line %(line)s: cue text may not contain "-->"; leave a blank line between cues.'),
                    line=block_start + offset + 1,
                )
        cues += 1
    if not cues:
        raise _refuse(N_("The captions file has no cues: add at least one timing line and its text."), line=len(lines))
    return cues
