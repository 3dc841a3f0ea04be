"""Certificate codes people can read aloud and type on a phone: ``7KQ4-M2XH-9P``.

Nine random characters from an alphabet without look-alikes (no 0/O, 1/I/L), then one check character, so a typo
or two swapped neighbours is caught before any lookup. The alphabet has 31 symbols, a prime, which is what makes a
weighted sum modulo 31 catch every single substitution and every adjacent transposition.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
PAYLOAD = 9
LENGTH = PAYLOAD + 1
_SEPARATORS = str.maketrans("", "", " -_.\t")
_WELL_FORMED = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def check_character(payload: str) -> str:
    total = 0
    for weight, ch in enumerate(payload, 1):
        total += weight * _VALUE[ch]
    return ALPHABET[total % len(ALPHABET)]


def new_code() -> str:
    """A fresh code, stored without dashes (10 characters)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD))
    return payload + check_character(payload)


def normalize(typed: str) -> str | None:
    """What someone typed (any case, spaces or dashes) as a stored code, or None when it cannot be one. Every public
    lookup starts here, so it is a translate and one match rather than a loop over the characters."""
    cleaned = typed.upper().translate(_SEPARATORS)
    if _WELL_FORMED.fullmatch(cleaned) is None or check_character(cleaned[:PAYLOAD]) != cleaned[PAYLOAD]:
        return None
    return cleaned


def grouped(code: str) -> str:
    """``XXXX-XXXX-XX``: how a code is printed and read aloud."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
