"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC Data Integrity EdDSA).

proof config = the proof without ``proofValue``, with the credential's ``@context``;
hash = SHA-256(RDFC-1.0 N-Quads of the proof config) || SHA-256(RDFC-1.0 N-Quads of the credential without proof);
``proofValue`` = "z" + base58btc(Ed25519 signature of the hash).

JSON-LD contexts come ONLY from the copies in ``lms/credit/contexts`` (never the network), and expansion runs in
"safe mode": a property no context defines is an error, not silently dropped, so it cannot ride along unsigned.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

CONTEXTS_DIR = Path(__file__).parent / "contexts"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CONTEXT_FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
}
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
# pyld keeps module-level caches that are not thread-safe; canonicalization runs in worker threads one at a time.
_CANON_LOCK = threading.Lock()


class ProofError(Exception):
    """The proof is missing, malformed, or does not verify."""


@cache
def _context(url: str) -> dict[str, Any]:
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """Serve the bundled contexts; refuse everything else (a verifier must never fetch)."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"context {url} is not one this service knows", "jsonld.LoadDocumentError", code="loading document failed"
        )
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_context(url))}


def _dropped(term: str | None) -> None:
    raise ProofError(f"the property {term!r} is not defined by the credential's contexts")


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads."""
    with _CANON_LOCK:
        try:
            return jsonld.JsonLdProcessor(on_property_dropped=_dropped).normalize(
                document,
                {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader},
            )
        except jsonld.JsonLdError as exc:
            cause = exc
            while cause is not None:
                if isinstance(cause, ProofError):
                    raise cause from None
                cause = cause.__cause__
            raise ProofError(f"the document is not valid JSON-LD: {exc}") from None


def public_multibase(public: bytes) -> str:
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + public).decode()


def public_from_multibase(value: str) -> bytes:
    if not value.startswith("z"):
        raise ProofError("publicKeyMultibase must be base58btc (z...)")
    raw = base58.b58decode(value[1:])
    if raw[:2] != ED25519_PUB_PREFIX or len(raw) != 34:
        raise ProofError("not an Ed25519 Multikey")
    return raw[2:]


def private_from_multibase(value: str) -> bytes:
    raw = base58.b58decode(value[1:])
    if raw[:2] != ED25519_PRIV_PREFIX or len(raw) != 34:
        raise ProofError("not an Ed25519 private Multikey")
    return raw[2:]


def _hash(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return (
        hashlib.sha256(canonize(proof_config).encode()).digest() + hashlib.sha256(canonize(document).encode()).digest()
    )


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sign(
    document: dict[str, Any], *, private_key: bytes, verification_method: str, created: str | None = None
) -> dict[str, Any]:
    """A copy of ``document`` with a DataIntegrityProof (assertionMethod) made with the Ed25519 ``private_key``."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created or now_iso(),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(
        _hash(unsigned, {**proof, "@context": unsigned["@context"]})
    )
    return {**unsigned, "proof": {**proof, "proofValue": "z" + base58.b58encode(signature).decode()}}


def verify(document: dict[str, Any], *, public_key: bytes) -> None:
    """Raise ProofError unless ``document``'s proof was made by ``public_key`` over exactly this content."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the credential has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-rdfc-2022":
        raise ProofError("the proof is not a DataIntegrityProof with cryptosuite eddsa-rdfc-2022")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue must be base58btc (z...)")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        raise ProofError("proofValue is not base58btc") from None
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = unsigned.get("@context")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, _hash(unsigned, config))
    except (InvalidSignature, ValueError):
        raise ProofError(
            "the signature does not match the credential: it was changed after signing, or signed by another key"
        ) from None
