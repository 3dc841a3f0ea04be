"""Checking an OpenBadgeCredential the way a standard verifier does: schema, proof, status, validity window.

Key and status-list lookups are passed in, so the same code checks a credential against this service's database
(the verify endpoint) or against documents fetched elsewhere (an offline copy of did.json and the status list).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from lms.credit import status_list
from lms.credit.schemas import Status, VerificationProblem, VerificationResult
from lms.credit.signing import CREDENTIALS_V2, OB_V3, ProofError, public_from_multibase, verify
from lms.i18n import N_, Text

KeyResolver = Callable[[str], Awaitable[bytes | None]]  # verificationMethod -> Ed25519 public key
StatusListLoader = Callable[[str], Awaitable[dict[str, Any] | None]]  # statusListCredential URL -> signed list


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _types(value: Any) -> list[str]:
    return (
        [value]
        if isinstance(value, str)
        else [v for v in value if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )


def schema_errors(doc: Any, *, kind: str = "OpenBadgeCredential") -> list[str]:
    if not isinstance(doc, dict):
        return ["a credential is a JSON object"]
    errors = []
    context = doc.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        errors.append(f"@context must start with {CREDENTIALS_V2}")
    if kind == "OpenBadgeCredential" and (not isinstance(context, list) or OB_V3 not in context):
        errors.append(f"@context must include {OB_V3}")
    if not {"VerifiableCredential", kind} <= set(_types(doc.get("type"))):
        errors.append(f"type must include VerifiableCredential and {kind}")
    issuer = doc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or ":" not in issuer_id:
        errors.append("issuer must be a URL or an object with an id")
    if parse_time(doc.get("validFrom")) is None:
        errors.append("validFrom must be a date-time")
    if "validUntil" in doc and parse_time(doc.get("validUntil")) is None:
        errors.append("validUntil must be a date-time")
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        errors.append("credentialSubject must be an object")
    elif kind == "OpenBadgeCredential":
        achievement = subject.get("achievement")
        if "AchievementSubject" not in _types(subject.get("type")):
            errors.append("credentialSubject.type must include AchievementSubject")
        if (
            not isinstance(achievement, dict)
            or "Achievement" not in _types(achievement.get("type"))
            or not isinstance(achievement.get("name"), str)
            or not isinstance(achievement.get("criteria"), dict)
        ):
            errors.append("credentialSubject.achievement must be an Achievement with a name and criteria")
        if not subject.get("id") and not subject.get("identifier"):
            errors.append("credentialSubject needs an id or an identifier")
    status = doc.get("credentialStatus")
    if status is not None and (
        not isinstance(status, dict)
        or status.get("type") != "BitstringStatusListEntry"
        or not isinstance(status.get("statusListCredential"), str)
        or not str(status.get("statusListIndex", "")).isdigit()
    ):
        errors.append("credentialStatus must be a BitstringStatusListEntry")
    proof = doc.get("proof")
    if not isinstance(proof, dict) or not isinstance(proof.get("verificationMethod"), str):
        errors.append("proof with a verificationMethod is required")
    return errors


async def check_proof(doc: dict[str, Any], resolve_key: KeyResolver) -> str | None:
    """None when the proof verifies; otherwise why not."""
    method = doc["proof"]["verificationMethod"]
    issuer = doc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if method.split("#")[0] != issuer_id:
        return "the proof's key does not belong to the issuer"
    public = await resolve_key(method)
    if public is None:
        return "the proof's key is not one the issuer publishes"
    try:
        verify(doc, public_key=public)
    except ProofError as exc:
        return str(exc)
    return None


def _problem(code: str, message: Text) -> VerificationProblem:
    """A reason the credential does not verify: ``code`` for programs, ``message`` (said again in the caller's
    language by the endpoint) for people."""
    return VerificationProblem(code=code, message=message)


async def verify_credential(
    doc: Any,
    *,
    resolve_key: KeyResolver,
    load_status_list: StatusListLoader,
    now: datetime | None = None,
) -> VerificationResult:
    now = now or datetime.now(UTC)
    checks = {"schema": False, "proof": False, "status": False, "validity": False}
    found = schema_errors(doc)
    if found:
        # the schema's own words name JSON members, which programs read: they stay as they are inside the sentence
        not_one = N_("This is not an Open Badges 3.0 credential: %(detail)s.")
        return VerificationResult(
            verified=False,
            status=None,
            checks=checks,
            errors=[_problem("not_a_credential", Text(not_one, detail=detail)) for detail in found],
        )
    checks["schema"] = True

    problem = await check_proof(doc, resolve_key)
    if problem:
        unknown = problem.startswith("the proof's key")
        message = (
            Text(N_("The credential was not signed by a key this issuer publishes, so it cannot be checked."))
            if unknown
            else Text(N_("The signature does not match: the credential was changed after it was issued."))
        )
        return VerificationResult(
            verified=False,
            status=None,
            checks=checks,
            errors=[_problem("unknown_issuer_key" if unknown else "signature_mismatch", message)],
        )
    checks["proof"] = True
    errors: list[VerificationProblem] = []
    unreadable = Text(N_("The revocation list cannot be read right now, so revocation could not be checked."))

    status: Status = "valid"
    entry = doc.get("credentialStatus")
    if entry is None:
        checks["status"] = True
    else:
        listed = await load_status_list(entry["statusListCredential"])
        if (
            listed is None
            or schema_errors(listed, kind="BitstringStatusListCredential")
            or await check_proof(listed, resolve_key) is not None
        ):
            errors.append(_problem("status_unavailable", unreadable))
        else:
            try:
                revoked = status_list.bit(
                    status_list.decode(listed["credentialSubject"]["encodedList"]), int(entry["statusListIndex"])
                )
            except (ValueError, KeyError, OSError):
                errors.append(_problem("status_unavailable", unreadable))
            else:
                checks["status"] = not revoked
                if revoked:
                    status = "revoked"
                    errors.append(_problem("revoked", Text(N_("The certificate was revoked."))))

    valid_from = parse_time(doc["validFrom"])
    valid_until = parse_time(doc.get("validUntil"))
    if valid_from is not None and valid_from > now:
        errors.append(_problem("not_yet_valid", Text(N_("The certificate is not valid yet."))))
    elif valid_until is not None and valid_until < now:
        errors.append(_problem("expired", Text(N_("The certificate has expired."))))
        status = "expired" if status == "valid" else status
    else:
        checks["validity"] = True
    return VerificationResult(verified=all(checks.values()), status=status, checks=checks, errors=errors)


def key_resolver_from_did_document(did_document: dict[str, Any]) -> KeyResolver:
    """Resolve keys from a did:web document already in hand (offline verification)."""
    keys = {
        m["id"]: m["publicKeyMultibase"]
        for m in did_document.get("verificationMethod", [])
        if m.get("type") == "Multikey"
    }
    allowed = set(did_document.get("assertionMethod", []))

    async def resolve(method: str) -> bytes | None:
        if method not in keys or method not in allowed:
            return None
        try:
            return public_from_multibase(keys[method])
        except ProofError:
            return None

    return resolve
