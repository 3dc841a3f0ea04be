"""The Open Badges 3.0 ``OpenBadgeCredential`` (W3C VC Data Model 2.0) a certificate's frozen facts make."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from uuid import UUID

from lms import clinic_time
from lms.credit.codes import grouped
from lms.credit.keys import did_web
from lms.credit.rules import number
from lms.credit.schemas import Facts
from lms.credit.signing import CREDENTIALS_V2, OB_V3
from lms.credit.status_list import status_entry

ISSUER_NAME = "California Health Center Training Partnership"


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def open_badge(facts: Facts, *, certificate_id: UUID, status_index: int, public_base_url: str) -> dict[str, Any]:
    base = public_base_url.rstrip("/")
    verify_url = f"{base}/verify/{grouped(facts.code)}"
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": f"{line.body_name}: {number(line.credit)} {line.unit}",
            "targetCode": line.provider_number,
            "targetFramework": line.body,
            "targetDescription": (
                f"Provider {line.provider_number}; approved {line.approved_from.isoformat()}"
                + (f" to {line.approved_until.isoformat()}" if line.approved_until else "")
                + (f"; category {line.approval_category}" if line.approval_category else "")
                + f"; {number(line.live_credit)} live, {number(line.non_live_credit)} non-live"
            ),
            "targetUrl": verify_url,
        }
        for line in facts.credits
    ]
    achievement: dict[str, Any] = {
        "id": f"{base}/courses/{facts.course_code}?version={facts.course_version}",
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": facts.course_title,
        "description": f"{facts.course_code} version {facts.course_version}: {number(facts.contact_hours)} contact hours",
        "criteria": {
            "narrative": "Completed every lesson and quiz, attended the in-person sessions and passed the skills checkoffs of this course version."
        },
        "humanCode": facts.course_code,
        "version": str(facts.course_version),
        "inLanguage": facts.language,
        "creditsAvailable": number(facts.contact_hours),
    }
    if alignments:
        achievement["alignment"] = alignments
    document: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OB_V3],
        "id": f"urn:uuid:{certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.course_title,
        "description": f"Certificate {grouped(facts.code)}; verify at {verify_url}",
        "issuer": {"id": did_web(public_base_url), "type": ["Profile"], "name": facts.issuer_name, "url": base},
        "validFrom": _iso(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityHash": facts.worker_name, "identityType": "name", "hashed": False}
            ],
            "achievement": achievement,
            "creditsEarned": number(facts.contact_hours),
            "activityStartDate": facts.enrolled_on.isoformat(),
            "activityEndDate": facts.completed_on.isoformat(),
        },
        "credentialStatus": status_entry(public_base_url, status_index),
    }
    if facts.valid_until is not None:
        document["validUntil"] = datetime.combine(facts.valid_until, time(23, 59, 59), clinic_time.ZONE).isoformat()
    return document
