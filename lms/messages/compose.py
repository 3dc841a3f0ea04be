"""What each kind of message says, in the recipient's language: plain text that reads on a phone.

Each kind is a subject and a body with %(name)s placeholders, marked for the catalogues with N_ and translated when
the message is written. A new kind is a new entry here (and its translations).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lms.errors import Invalid
from lms.i18n import N_, Text, say, ui_language

KINDS: dict[str, tuple[str, str]] = {
    "password.reset_link": (
        N_("Reset your password"),
        N_(
            "Someone asked to reset the password of your training account. To choose a new password, open this link "
            "within %(minutes)s minutes:\n\n%(link)s\n\nIf it was not you, do nothing: your password stays as it is."
        ),
    ),
    "password.reset_code": (
        N_("Your password reset code"),
        N_(
            "Your training account reset code is %(code)s. It works once, for %(minutes)s minutes. Enter it at %(link)s"
        ),
    ),
    "password.changed": (
        N_("Your password was changed"),
        N_(
            "The password of your training account was changed. If it was not you, ask your clinic's training "
            "coordinator for a reset code at once."
        ),
    ),
    "renewal.reminder": (
        N_("Your %(credential)s renewal is in %(days)s days"),
        N_(
            "Your %(credential)s renewal period ends on %(ends)s, in %(days)s days. Still missing: %(missing)s.\n\n"
            "See your training: %(link)s"
        ),
    ),
    "renewal.reminder_admin": (
        N_("%(worker)s: %(credential)s renewal in %(days)s days"),
        N_(
            "%(worker)s's %(credential)s renewal period ends on %(ends)s, in %(days)s days. Still missing: "
            "%(missing)s.\n\n%(link)s"
        ),
    ),
    "session.reminder": (
        N_("Training tomorrow: %(course)s"),
        N_("Reminder: your in-person session for %(course)s is tomorrow, %(starts)s, at %(place)s."),
    ),
    "certificate.issued": (
        N_("Your certificate: %(course)s"),
        N_(
            "Congratulations! Your certificate for %(course)s was issued. Its code is %(code)s; anyone can check it "
            "at %(link)s"
        ),
    ),
    "certificate.revoked": (
        N_("Your certificate was revoked: %(course)s"),
        N_("Your certificate %(code)s for %(course)s was revoked. Ask your clinic's training coordinator why."),
    ),
    "certificate.superseded": (
        N_("Your certificate was replaced: %(course)s"),
        N_("Your certificate %(code)s for %(course)s was replaced by a new one. See it at %(link)s"),
    ),
}


def message_language(preferred: str | None) -> str:
    """The interface language that serves a person's preference (``zh-Hant`` stays ``zh-Hant``, ``es-MX`` is
    ``es``), English when none does."""
    return ui_language(preferred) or "en"


def compose(kind: str, language: str, params: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a ``kind`` message in ``language``; a placeholder missing from ``params`` is a caller bug."""
    try:
        subject, body = KINDS[kind]
    except KeyError:
        raise Invalid(N_("no message kind '%(kind)s'"), params={"kind": kind}, field="kind") from None
    language = message_language(language)
    # a date reads as the recipient's language writes it; a status word or a message value in it too
    values = {name: value if isinstance(value, date | Text) else str(value) for name, value in params.items()}
    return say(language, subject, values), say(language, body, values)
