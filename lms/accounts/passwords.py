"""How strong a new password must be: zxcvbn's estimate of the guesses it takes, not rules about character kinds.

A phrase of a few ordinary words passes; a name, a date, "Password123!" or the person's own email does not.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from lms.errors import Invalid
from lms.i18n import N_

MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline slow-hash scenario"
MIN_LENGTH = 10
MAX_LENGTH = 200

TOO_SHORT = N_("Use at least 10 characters.")
TOO_WEAK = N_("This password is too easy to guess. Use a longer phrase of a few unrelated words.")


def weakness(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is refused (a message for the catalogue), or None when it is strong enough."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_WEAK
    # zxcvbn's cost grows with length; what it judges is the first 100 characters.
    if zxcvbn(password[:100], user_inputs=[p for p in personal if p])["score"] < MIN_SCORE:
        return TOO_WEAK
    return None


def require_strong(password: str, *, personal: tuple[str, ...] = (), field: str = "password") -> None:
    problem = weakness(password, personal=personal)
    if problem is not None:
        raise Invalid(problem, field=field)
