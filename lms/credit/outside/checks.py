"""What an outside record must be before anything is stored: pure functions, so every rule is unit-tested.

Each refusal names the field (or, for a CSV line, the column) at fault; messages are interface text.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date

from lms.credit.outside.schemas import OutsideRecordIn
from lms.credit.rules import CreditRule
from lms.errors import Invalid
from lms.i18n import N_, Text
from lms.media.types import SNIFF_BYTES, MediaRefused, check_no_embedded_markup, safe_filename, sniff

# A scanned certificate or a phone photo of one; the request body limit (2 MB) bounds it anyway.
MAX_CERTIFICATE_BYTES = 1_500_000
CERTIFICATE_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp")
EARLIEST = date(1970, 1, 1)


def same_course_overlapping(a: OutsideRecordIn, b: OutsideRecordIn) -> bool:
    """Two records of one worker that are one course twice: the same provider, the same approval number or title, and
    dates that overlap (an exact repeat overlaps too)."""
    return (
        a.provider.strip().lower() == b.provider.strip().lower()
        and (
            a.approval_number.strip() == b.approval_number.strip() or a.title.strip().lower() == b.title.strip().lower()
        )
        and a.started_on <= b.ended_on
        and b.started_on <= a.ended_on
    )


def check_record(data: OutsideRecordIn, rules: dict[str, CreditRule], *, today: date) -> None:
    """Dates in the past, in order; minutes that fit in the days it ran; a body and category the service knows."""
    if data.started_on < EARLIEST:
        raise Invalid(N_("The first day cannot be before 1970."), field="started_on")
    if data.started_on > today:
        raise Invalid(
            N_("The first day (%(day)s) has not happened yet: only training already done can be recorded."),
            field="started_on",
            params={"day": data.started_on},
        )
    if data.ended_on > today:
        raise Invalid(
            N_("The last day (%(day)s) has not happened yet: only training already done can be recorded."),
            field="ended_on",
            params={"day": data.ended_on},
        )
    if data.ended_on < data.started_on:
        raise Invalid(N_("The last day is before the first day."), field="ended_on")
    days = (data.ended_on - data.started_on).days + 1
    if data.minutes > days * 1440:
        raise Invalid(
            N_("%(minutes)s minutes do not fit in %(days)s day(s) of training."),
            field="minutes",
            params={"minutes": data.minutes, "days": days},
        )
    rule = rules.get(data.body)
    if rule is None:
        raise Invalid(
            N_("Unknown accrediting body %(body)s; known: %(known)s."),
            field="body",
            params={"body": data.body, "known": ", ".join(sorted(rules))},
        )
    if data.category is not None and rule.category(data.category) is None:
        known = ", ".join(c.category for c in rule.categories) or "-"
        raise Invalid(
            N_("%(body)s has no category %(category)s; its categories: %(known)s."),
            field="category",
            params={"body": data.body, "category": data.category, "known": known},
        )
    for name in ("provider", "approval_number", "title"):
        if not getattr(data, name).strip():
            raise Invalid(N_("This field cannot be blank."), field=name)


def decode_certificate(data_base64: str) -> bytes:
    try:
        return base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(N_("The certificate file is not valid base64."), field="certificate.data_base64") from None


def check_certificate(content: bytes, filename: str, *, field: str = "certificate") -> tuple[str, str]:
    """(content type, safe file name) of a certificate file, decided by its bytes: a PDF or an image, nothing that
    could render as a page (the media library's checks)."""
    if not content:
        raise Invalid(N_("The certificate file is empty."), field=field)
    if len(content) > MAX_CERTIFICATE_BYTES:
        raise Invalid(
            N_("The certificate file is too large (at most %(limit)s)."), field=field, params={"limit": "1.5 MB"}
        )
    found = sniff(content[:SNIFF_BYTES])
    if found.content_type not in CERTIFICATE_TYPES:
        raise MediaRefused(
            N_("The certificate must be a PDF or an image (JPEG, PNG or WebP); this file is %(found)s."),
            field=field,
            found=Text(found.what),
        )
    try:
        check_no_embedded_markup("pdf", content)
    except Invalid:
        raise Invalid(
            N_("The certificate file carries a web page or script inside it; such files are never accepted."),
            field=field,
        ) from None
    return found.content_type, safe_filename(filename, found.content_type)
