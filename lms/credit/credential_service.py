"""A certificate as a signed Open Badge: signed once and kept, the issuer's DID document, the signed status lists,
and checking a credential as any verifier would, with its reasons in the caller's language."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.concurrency import sync_to_thread

from lms.credit import codes, keys, queries, signing, status_list
from lms.credit.credential import open_badge
from lms.credit.schemas import CertificateRow, VerificationProblem, VerificationResult
from lms.credit.verification import verify_credential
from lms.errors import NotFound
from lms.i18n import N_, Text
from lms.settings import Settings


async def ensure_credential(conn: asyncpg.Connection, cert: CertificateRow, settings: Settings) -> dict[str, Any]:
    """The certificate's signed OpenBadgeCredential, signed once with the active key and then kept as it is."""
    stored = await queries.credential_by_code(conn, cert.code)
    if stored is not None:
        return stored
    key = await keys.active_key(conn, secret_key=settings.secret_key)
    unsigned = open_badge(
        cert.facts, certificate_id=cert.id, status_index=cert.status_index, public_base_url=settings.public_base_url
    )
    signed = await sync_to_thread(
        signing.sign,
        unsigned,
        private_key=key.private_key,
        verification_method=keys.verification_method(settings.public_base_url, key.id),
    )
    if await queries.store_credential(conn, certificate_id=cert.id, credential=signed, key_id=key.id):
        return signed
    theirs = await queries.credential_by_code(conn, cert.code)  # another request signed it first
    if theirs is None:
        raise NotFound(N_("No certificate has this code."))
    return theirs


async def did_document(conn: asyncpg.Connection, settings: Settings) -> dict[str, Any]:
    await keys.active_key(conn, secret_key=settings.secret_key)  # made on first use, so the document is never empty
    published = await queries.list_keys(conn)
    return keys.did_document(settings.public_base_url, [k.id for k in published])


_STATUS_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


async def status_list_credential(conn: asyncpg.Connection, settings: Settings, number_: int) -> dict[str, Any]:
    """The signed list; re-signed only when a revocation changed it (or the key rotated)."""
    if number_ < 1 or number_ > status_list.list_number(max(await queries.max_status_index(conn), 0)):
        raise NotFound(N_("No such status list."))
    key = await keys.active_key(conn, secret_key=settings.secret_key)
    version = await queries.status_list_version(conn)
    cache_key = (settings.public_base_url, number_, key.id, *version)
    cached = _STATUS_CACHE.get(cache_key)
    if cached is not None:
        return cached
    first = (number_ - 1) * status_list.LIST_SIZE
    revoked = await queries.revoked_indexes(conn, first=first, last=first + status_list.LIST_SIZE - 1)
    unsigned = status_list.status_list_credential(
        settings.public_base_url,
        number_,
        issuer=keys.did_web(settings.public_base_url),
        revoked_indexes=revoked,
        valid_from=signing.now_iso(),
    )
    signed = await sync_to_thread(
        signing.sign,
        unsigned,
        private_key=key.private_key,
        verification_method=keys.verification_method(settings.public_base_url, key.id),
    )
    if len(_STATUS_CACHE) > 64:
        _STATUS_CACHE.clear()
    _STATUS_CACHE[cache_key] = signed
    return signed


async def verify_document(
    conn: asyncpg.Connection, settings: Settings, document: Any, *, language: str
) -> VerificationResult:
    """Check a credential as any verifier would, resolving this service's own DID and status lists locally; the
    reasons it does not verify read in ``language``."""
    return _said_in(await _verify_document(conn, settings, document), language)


def _said_in(result: VerificationResult, language: str) -> VerificationResult:
    return msgspec.structs.replace(
        result,
        errors=[
            msgspec.structs.replace(e, message=e.message.localize(language)) if isinstance(e.message, Text) else e
            for e in result.errors
        ],
    )


async def _verify_document(conn: asyncpg.Connection, settings: Settings, document: Any) -> VerificationResult:
    did = keys.did_web(settings.public_base_url)
    base = status_list.list_url(settings.public_base_url, 1).rsplit("/", 1)[0] + "/"

    async def resolve_key(method: str) -> bytes | None:
        controller, _, key_id = method.partition("#")
        if controller != did or not await queries.key_exists(conn, key_id):
            return None
        try:
            return signing.public_from_multibase(key_id)
        except signing.ProofError:
            return None

    async def load_list(url: str) -> dict[str, Any] | None:
        tail = url[len(base) :] if url.startswith(base) else ""
        if not tail.isdigit():
            return None
        try:
            return await status_list_credential(conn, settings, int(tail))
        except NotFound:
            return None

    result = await verify_credential(document, resolve_key=resolve_key, load_status_list=load_list)
    if not result.checks["proof"] or not str(document.get("id", "")).startswith("urn:uuid:"):
        return result
    try:
        certificate_id = UUID(document["id"][len("urn:uuid:") :])
    except ValueError:
        return result
    code = await queries.code_by_id(conn, certificate_id)
    if code is None:
        return result
    found = await queries.public_certificate_by_code(conn, code)
    if found is not None and found.superseded_by_code is not None:
        # a correction replaced it: its bit in the status list is set, but "revoked" would hide the newer certificate
        newer = codes.grouped(found.superseded_by_code)
        result = msgspec.structs.replace(
            result,
            status="superseded",
            errors=[
                VerificationProblem(
                    code="superseded",
                    message=Text(N_("The certificate was replaced by a newer one, %(code)s."), code=newer),
                ),
                *(e for e in result.errors if e.code != "revoked"),
            ],
        )
    return msgspec.structs.replace(result, code=codes.grouped(code))
