"""The service's Ed25519 signing keys: made on first use, kept in PostgreSQL with the private half encrypted by a
key derived from LMS_SECRET_KEY (never in git, never on disk in the clear), rotated with ``lms keys rotate``.

Every key, retired or not, stays in the did:web document at /.well-known/did.json, so old credentials verify.
"""

from __future__ import annotations

import os
from datetime import datetime
from urllib.parse import quote, urlsplit

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lms.credit import queries
from lms.credit.signing import DID_V1, MULTIKEY_V1, public_multibase
from lms.schemas import Response


class KeyUnavailable(Exception):
    """The stored private key cannot be decrypted: LMS_SECRET_KEY changed since the key was made."""


class SigningKey(Response):
    id: str  # publicKeyMultibase
    private_key: bytes
    created_at: datetime


def did_web(public_base_url: str) -> str:
    """did:web for the service's public URL: https://lms.example.org:8443/x -> did:web:lms.example.org%3A8443:x"""
    parts = urlsplit(public_base_url)
    host = quote(parts.netloc, safe="")
    path = [quote(p, safe="") for p in parts.path.split("/") if p]
    return ":".join(["did:web", host, *path])


def verification_method(public_base_url: str, key_id: str) -> str:
    return f"{did_web(public_base_url)}#{key_id}"


def _wrapping_key(secret_key: str) -> bytes:
    if not secret_key:
        raise KeyUnavailable("LMS_SECRET_KEY is not set; it protects the signing key")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"lms credential signing keys", info=b"ed25519 v1").derive(
        secret_key.encode()
    )


def encrypt_private(private: bytes, *, key_id: str, secret_key: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_wrapping_key(secret_key)).encrypt(nonce, private, key_id.encode())


def decrypt_private(blob: bytes, *, key_id: str, secret_key: str) -> bytes:
    try:
        return AESGCM(_wrapping_key(secret_key)).decrypt(blob[:12], blob[12:], key_id.encode())
    except InvalidTag:
        raise KeyUnavailable(
            "the signing key cannot be decrypted: LMS_SECRET_KEY differs from when it was made"
        ) from None


def new_key_material(secret_key: str) -> tuple[str, bytes, bytes]:
    """(key id, raw private key, encrypted private key)."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = public_multibase(public)
    return key_id, raw, encrypt_private(raw, key_id=key_id, secret_key=secret_key)


async def active_key(conn: asyncpg.Connection, *, secret_key: str) -> SigningKey:
    """The key new credentials are signed with; made on first use (two racing first uses agree on one)."""
    row = await queries.active_signing_key(conn)
    if row is None:
        key_id, _raw, blob = new_key_material(secret_key)
        await queries.insert_signing_key(conn, key_id=key_id, encrypted=blob)
        row = await queries.active_signing_key(conn)
        assert row is not None  # inserted just now, in this transaction
    return SigningKey(
        id=row["id"],
        private_key=decrypt_private(row["private_key_encrypted"], key_id=row["id"], secret_key=secret_key),
        created_at=row["created_at"],
    )


async def rotate(conn: asyncpg.Connection, *, secret_key: str) -> tuple[str | None, str]:
    """Retire the active key (it stays published) and make a new one: (old id, new id)."""
    key_id, _raw, blob = new_key_material(secret_key)
    await queries.lock_key_rotation(conn)
    old = await queries.retire_active_key(conn)
    await queries.insert_signing_key(conn, key_id=key_id, encrypted=blob)
    return old, key_id


def did_document(public_base_url: str, key_ids: list[str]) -> dict:
    did = did_web(public_base_url)
    methods = [{"id": f"{did}#{k}", "type": "Multikey", "controller": did, "publicKeyMultibase": k} for k in key_ids]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
