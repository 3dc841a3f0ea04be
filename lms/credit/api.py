"""JSON: public certificate lookup and credential checks, the DID document and status lists, a worker's transcript
and credentials, revocation, and a clinic's view of its workers' credit."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter

from lms import csv_export
from lms.accounts.auth import require_login, require_role
from lms.credit import clinic_service, codes, credential_service, queries, service
from lms.credit.ratelimit import check_lookup_rate, limit_lookups
from lms.credit.schemas import (
    ClinicReport,
    PublicCertificate,
    RevokeRequest,
    Transcript,
    VerificationResult,
    WorkerCredentialOut,
    WorkerCredentialSet,
)
from lms.deps import Db, SettingsDep, Tx, User, connection
from lms.errors import NotFound
from lms.i18n import N_, request_language
from lms.kept_figures import STORE as FIGURES
from lms.kept_figures import clinic_changed
from lms.schemas import INT4_MAX

CodeParam = Annotated[str, PathParameter(min_length=1, max_length=40)]
Months = Annotated[int, QueryParameter(ge=1, le=120)]
ClinicSlug = Annotated[str | None, QueryParameter(pattern=r"^[a-z0-9][a-z0-9-]+$")]


def _download(content: Any, filename: str, media_type: str) -> Response[Any]:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


class CertificatesController(Controller):
    path = "/api/v1/certificates"
    tags = ["credit"]

    @get("/{code:str}", operation_id="certificates_get")
    async def get_certificate(self, request: Request[Any, Any, Any], code: CodeParam) -> PublicCertificate:
        """Public, no login: the frozen facts and the status (valid, expired, revoked). Unknown codes are 404."""
        # The hottest public endpoint: the rate limit is checked here rather than as a guard (Litestar copies the
        # handler for each guard call), before a connection is borrowed, and nothing is injected.
        check_lookup_rate(request)
        state = request.app.state
        async with connection(state) as db:
            return await service.public_certificate(db, code, state.settings)

    @post(
        "/{code:str}/revoke",
        operation_id="certificates_revoke",
        status_code=200,
        guards=[require_role("program_admin")],
    )
    async def revoke(
        self, tx: Tx, user: User, settings: SettingsDep, code: CodeParam, data: JSONBody[RevokeRequest]
    ) -> PublicCertificate:
        return service.public_view(
            await service.revoke(tx, typed_code=code, actor=user, reason=data.reason, note=data.note), settings
        )


class CredentialsController(Controller):
    path = "/api/v1/credentials"
    tags = ["credit"]

    @post("/verify", operation_id="credentials_verify", status_code=200, guards=[limit_lookups])
    async def verify(
        self, request: Request[Any, Any, Any], db: Db, settings: SettingsDep, data: JSONBody[dict[str, Any]]
    ) -> VerificationResult:
        """Check an OpenBadgeCredential: schema, Data Integrity proof (eddsa-rdfc-2022), revocation status, validity.
        Each reason it fails has a stable ``code`` and a ``message`` in the caller's Accept-Language."""
        return await credential_service.verify_document(db, settings, data, language=request_language(request))


class PublicKeysController(Controller):
    """What a standard verifier fetches: the issuer's did:web document and the revocation status lists."""

    tags = ["credit"]

    @get("/.well-known/did.json", operation_id="did_document", media_type="application/did+json")
    async def did_document(self, tx: Tx, settings: SettingsDep) -> dict[str, Any]:
        return await credential_service.did_document(tx, settings)

    @get("/credentials/status/{number:int}", operation_id="status_list_get", media_type="application/vc+ld+json")
    async def status_list(
        self, tx: Tx, settings: SettingsDep, number: Annotated[int, PathParameter(ge=0, le=INT4_MAX)]
    ) -> dict[str, Any]:
        return await credential_service.status_list_credential(tx, settings, number)


class TranscriptController(Controller):
    path = "/api/v1/me"
    tags = ["credit"]
    guards = [require_login]

    @get("/transcript", operation_id="me_transcript")
    async def transcript(self, tx: Tx, user: User, settings: SettingsDep) -> Transcript:
        return await service.transcript(tx, user, settings)

    @get("/transcript.csv", operation_id="me_transcript_csv", media_type="text/csv")
    async def transcript_csv(self, tx: Tx, user: User, settings: SettingsDep) -> Response[bytes]:
        data = await service.transcript(tx, user, settings)
        return csv_export.csv_response("transcript.csv", *service.transcript_table(data))

    @get("/certificates/{code:str}/credential", operation_id="me_certificate_credential")
    async def credential(self, tx: Tx, user: User, settings: SettingsDep, code: CodeParam) -> Response[Any]:
        """The signed OpenBadgeCredential (W3C VC 2.0, eddsa-rdfc-2022) of one of the caller's own certificates."""
        normal = codes.normalize(code)
        cert = await queries.certificate_by_code(tx, normal) if normal else None
        if cert is None or cert.user_id != user.id:
            raise NotFound(N_("No certificate of yours has this code."))
        credential = await credential_service.ensure_credential(tx, cert, settings)
        return _download(credential, f"certificate-{codes.grouped(cert.code)}.json", MediaType.JSON)


class ClinicCreditController(Controller):
    path = "/api/v1/clinic"
    tags = ["credit"]
    guards = [require_role("clinic_admin", "program_admin")]

    @get("/credit", operation_id="clinic_credit")
    async def credit(self, tx: Tx, user: User, months: Months = 24, clinic: ClinicSlug = None) -> ClinicReport:
        """Workers of the caller's clinic with their credit and renewal status. Each lookup is audit-logged."""
        return await clinic_service.clinic_report(tx, viewer=user, clinic_slug=clinic, months=months, fmt="json")

    @get("/credit.csv", operation_id="clinic_credit_csv", media_type="text/csv")
    async def credit_csv(self, tx: Tx, user: User, months: Months = 24, clinic: ClinicSlug = None) -> Response[bytes]:
        report = await clinic_service.clinic_report(tx, viewer=user, clinic_slug=clinic, months=months, fmt="csv")
        return csv_export.csv_response("clinic-credit.csv", *clinic_service.clinic_table(report))

    @put(
        "/workers/{user_id:uuid}/credentials",
        operation_id="clinic_worker_credential_set",
        guards=[require_role("clinic_admin")],
    )
    async def set_credential(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        user_id: FromPath[UUID],
        data: JSONBody[WorkerCredentialSet],
    ) -> WorkerCredentialOut:
        """Record which credential a worker of this clinic holds and when its renewal cycle started."""
        saved = await clinic_service.set_worker_credential(
            tx,
            viewer=user,
            user_id=user_id,
            credential=data.credential,
            cycle_start=data.cycle_start,
            licensed_on=data.licensed_on,
        )
        await clinic_changed(request.app.stores.get(FIGURES), user.clinic_id)
        return saved
