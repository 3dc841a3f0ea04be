"""Revocation published as a W3C Bitstring Status List: one bit per certificate (its ``status_index``), 1 = revoked.

Each credential's ``credentialStatus`` points at /credentials/status/{list}; the list itself is a signed
``BitstringStatusListCredential`` any verifier can fetch. 131,072 bits per list (16 KiB, the spec's minimum size
for herd privacy), so the list number is ``status_index // 131072 + 1``.
"""

from __future__ import annotations

import base64
import gzip
from typing import Any

from lms.credit.signing import CREDENTIALS_V2

LIST_SIZE = 131_072


def list_number(status_index: int) -> int:
    return status_index // LIST_SIZE + 1


def list_url(public_base_url: str, number: int) -> str:
    return f"{public_base_url.rstrip('/')}/credentials/status/{number}"


def status_entry(public_base_url: str, status_index: int) -> dict[str, Any]:
    url = list_url(public_base_url, list_number(status_index))
    position = status_index % LIST_SIZE
    return {
        "id": f"{url}#{position}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(position),
        "statusListCredential": url,
    }


def encode(set_bits: list[int], size: int = LIST_SIZE) -> str:
    """Multibase base64url (no padding) of the GZIP-compressed bitstring; bit 0 is the first byte's highest bit."""
    bits = bytearray(size // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (u...)")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bitstring: bytes, index: int) -> bool:
    if index < 0 or index // 8 >= len(bitstring):
        raise ValueError("statusListIndex is outside the status list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    public_base_url: str, number: int, *, issuer: str, revoked_indexes: list[int], valid_from: str
) -> dict[str, Any]:
    """The unsigned list credential for list ``number``; ``revoked_indexes`` are global status indexes."""
    url = list_url(public_base_url, number)
    offset = (number - 1) * LIST_SIZE
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode([i - offset for i in revoked_indexes if offset <= i < offset + LIST_SIZE]),
        },
    }
