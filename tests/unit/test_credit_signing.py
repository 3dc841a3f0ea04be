"""The eddsa-rdfc-2022 signer against the W3C test vector, tampering, status lists and offline verification."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from lms.credit import keys, signing, status_list
from lms.credit.credential import open_badge
from lms.credit.schemas import CreditLine, Facts, InPersonPart, PublicCertificateRow
from lms.credit.service import public_view
from lms.credit.verification import key_resolver_from_did_document, verify_credential
from lms.settings import Settings

VECTORS = Path(__file__).resolve().parent.parent / "fixtures" / "eddsa-rdfc-2022"
BASE = "https://training.example.org"


def _vector() -> tuple[dict, dict]:
    signed = json.loads((VECTORS / "eddsa-rdfc-2022-signed.json").read_text())
    keypair = json.loads((VECTORS / "eddsa-rdfc-2022-keypair.json").read_text())
    return signed, keypair


def test_the_signer_reproduces_the_w3c_test_vector_proof_value():
    signed, keypair = _vector()
    proof = signed["proof"]
    again = signing.sign(
        signed,
        private_key=signing.private_from_multibase(keypair["privateKeyMultibase"]),
        verification_method=proof["verificationMethod"],
        created=proof["created"],
    )
    assert again["proof"] == proof
    assert (
        again["proof"]["proofValue"]
        == "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
    )


def test_the_w3c_test_vector_verifies_and_fails_once_one_character_changes():
    signed, keypair = _vector()
    public = signing.public_from_multibase(keypair["publicKeyMultibase"])
    signing.verify(signed, public_key=public)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = tampered["credentialSubject"]["alumniOf"].replace("E", "F")
    with pytest.raises(signing.ProofError):
        signing.verify(tampered, public_key=public)


def test_contexts_are_never_fetched():
    with pytest.raises(signing.ProofError):
        signing.canonize({"@context": ["https://example.com/evil-context"], "name": "x"})


def _facts(valid_until: date | None = None) -> Facts:
    return Facts(
        code="7KQ4M2XH9P",
        worker_name="Ana Pérez",
        language="es",
        course_code="DA-IC-101",
        course_title="Control de infecciones para asistentes dentales",
        course_version=1,
        track="DA",
        enrolled_on=date(2026, 3, 2),
        completed_on=date(2026, 3, 20),
        issued_at=datetime(2026, 3, 20, 18, 0, tzinfo=UTC),
        contact_minutes=120,
        contact_hours=2,
        live_minutes=70,
        self_paced_minutes=50,
        credits=[
            CreditLine(
                body="DBC",
                body_name="Dental Board of California",
                unit="unit",
                credit=2,
                live_credit=1.1,
                non_live_credit=0.9,
                minutes_counted=120,
                provider_number="RP-5621",
                approval_category="infection_control",
                approved_from=date(2026, 1, 1),
                approved_until=date(2027, 12, 31),
            )
        ],
        in_person=[
            InPersonPart(
                key="lab",
                kind="in_person",
                title="Taller práctico",
                date=date(2026, 3, 18),
                minutes=60,
                instructor="María López",
            )
        ],
        valid_until=valid_until,
        issuer_name="California Health Center Training Partnership",
    )


class _Issuer:
    """A key pair, its DID document and a status list, as a verifier elsewhere would fetch them."""

    def __init__(self) -> None:
        key_id, raw, _ = keys.new_key_material("k" * 40)
        self.key_id, self.private = key_id, raw
        self.method = keys.verification_method(BASE, key_id)
        self.did_doc = keys.did_document(BASE, [key_id])
        self.revoked: list[int] = []

    def sign(self, doc: dict) -> dict:
        return signing.sign(doc, private_key=self.private, verification_method=self.method)

    async def load_list(self, url: str) -> dict | None:
        if url != status_list.list_url(BASE, 1):
            return None
        return self.sign(
            status_list.status_list_credential(
                BASE, 1, issuer=keys.did_web(BASE), revoked_indexes=self.revoked, valid_from="2026-01-01T00:00:00Z"
            )
        )

    async def check(self, doc: dict, now: datetime | None = None):
        return await verify_credential(
            doc, resolve_key=key_resolver_from_did_document(self.did_doc), load_status_list=self.load_list, now=now
        )


async def test_an_open_badge_verifies_offline_and_fails_after_any_one_character_changes():
    issuer = _Issuer()
    credential = issuer.sign(open_badge(_facts(), certificate_id=uuid4(), status_index=5, public_base_url=BASE))
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["achievement"]["inLanguage"] == "es"
    result = await issuer.check(credential)
    assert result.verified and result.status == "valid", result.errors

    text = json.dumps(credential, ensure_ascii=False)
    name_at = text.index("Ana Pérez")
    tampered = json.loads(text[:name_at] + "Ena" + text[name_at + 3 :])
    result = await issuer.check(tampered)
    assert not result.verified and not result.checks["proof"]

    hours_at = text.index('"creditsEarned": 2') + len('"creditsEarned": ')
    assert not (await issuer.check(json.loads(text[:hours_at] + "3" + text[hours_at + 1 :]))).verified

    smuggled = copy.deepcopy(credential)
    smuggled["credentialSubject"]["undefinedTerm"] = "x"  # not in any context: refused, never silently dropped
    assert not (await issuer.check(smuggled)).verified


async def test_revoked_and_expired_credentials_say_so():
    issuer = _Issuer()
    credential = issuer.sign(
        open_badge(_facts(date(2026, 6, 30)), certificate_id=uuid4(), status_index=131_070, public_base_url=BASE)
    )
    assert credential["validUntil"] == "2026-06-30T23:59:59-07:00"  # the end of the California day
    assert (await issuer.check(credential, now=datetime(2026, 4, 1, tzinfo=UTC))).status == "valid"
    # the evening of 30 June in California is 1 July in UTC: still valid there
    assert (await issuer.check(credential, now=datetime(2026, 7, 1, 6, 0, tzinfo=UTC))).status == "valid"
    expired = await issuer.check(credential, now=datetime(2026, 7, 1, 7, 0, 1, tzinfo=UTC))
    assert (expired.verified, expired.status, expired.checks["proof"]) == (False, "expired", True)
    issuer.revoked.append(131_070)
    revoked = await issuer.check(credential, now=datetime(2026, 4, 1, tzinfo=UTC))
    assert (revoked.verified, revoked.status, revoked.checks["status"]) == (False, "revoked", False)


async def test_a_credential_signed_by_a_key_the_issuer_does_not_publish_fails():
    issuer, stranger = _Issuer(), _Issuer()
    credential = open_badge(_facts(), certificate_id=uuid4(), status_index=1, public_base_url=BASE)
    forged = signing.sign(credential, private_key=stranger.private, verification_method=issuer.method)
    result = await issuer.check(forged)
    assert not result.verified and not result.checks["proof"]


def test_the_status_list_is_a_gzip_bitstring_of_the_minimum_size():
    encoded = status_list.encode([0, 9, 131_071])
    bits = status_list.decode(encoded)
    assert len(bits) == 16_384 and encoded.startswith("u")
    assert [status_list.bit(bits, i) for i in (0, 1, 9, 10, 131_071)] == [True, False, True, False, True]
    assert status_list.status_entry(BASE, 131_073)["statusListIndex"] == "1"
    assert status_list.status_entry(BASE, 131_073)["statusListCredential"] == f"{BASE}/credentials/status/2"


def test_did_web_names_the_host_and_port_and_keys_decrypt_only_with_the_same_secret():
    assert keys.did_web("http://127.0.0.1:8000") == "did:web:127.0.0.1%3A8000"
    assert keys.did_web("https://lms.example.org/training/") == "did:web:lms.example.org:training"
    key_id, raw, blob = keys.new_key_material("a" * 40)
    assert keys.decrypt_private(blob, key_id=key_id, secret_key="a" * 40) == raw
    with pytest.raises(keys.KeyUnavailable):
        keys.decrypt_private(blob, key_id=key_id, secret_key="b" * 40)


def test_a_certificate_valid_until_today_reads_valid_all_evening_in_california():
    row = PublicCertificateRow(
        code="ABCD2345EFGH",
        valid_until=date(2026, 6, 30),
        facts=_facts(date(2026, 6, 30)),
        revoked_at=None,
        revoked_reason=None,
    )
    settings = Settings(public_base_url=BASE)
    evening = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # 11 pm on 30 June in California
    assert public_view(row, settings, now=evening).status == "valid"
    assert public_view(row, settings, now=datetime(2026, 7, 1, 7, 0, 1, tzinfo=UTC)).status == "expired"
