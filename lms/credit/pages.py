"""HTML: public verification (no login), the printable certificate, a worker's certificates, revocation by a
program admin, and a clinic admin's view of their workers' credit."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, PathParameter, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup

from lms import csv_export
from lms.accounts import queries as accounts_queries
from lms.accounts.auth import require_login, require_role
from lms.audit.queries import record_many
from lms.catalog.language import pick
from lms.credit import clinic_service, codes, queries, service
from lms.credit.ratelimit import limit_lookups
from lms.credit.schemas import (
    CATEGORY_NAMES,
    REVOCATION_REASONS,
    ROUNDING_NAMES,
    STATUS_NAMES,
    UNIT_NAMES,
    PublicCertificate,
)
from lms.deps import Db, SettingsDep, Tx, User
from lms.errors import Invalid, shown
from lms.i18n import LANGUAGE_COOKIE, N_, request_language, set_request_language, ui_language
from lms.kept_figures import STORE as FIGURES
from lms.kept_figures import KeptView, clinic_changed, kept_figures
from lms.schemas import Form
from lms.web import page, rendered_block

CodeParam = Annotated[str, PathParameter(min_length=1, max_length=40)]
LangParam = Annotated[str | None, QueryParameter(pattern=r"^[a-z]{2}$")]
Months = Annotated[int, QueryParameter(ge=1, le=120)]
ClinicSlug = Annotated[str | None, QueryParameter(pattern=r"^[a-z0-9][a-z0-9-]+$")]
PageParam = Annotated[int, QueryParameter(name="page", ge=1, le=10_000)]


class RevokeForm(Form):
    reason: str = ""
    note: str = ""


class CredentialForm(Form):
    user_id: str = ""
    credential: str = ""
    cycle_start: str = ""
    licensed_on: str = ""  # optional: when the licence was first issued (the RDA's first renewal is exempt)


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no script, no request) that prints crisply."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, title=url)


def _certificate_language(request: Request[Any, Any, Any], lang: str | None, cert: PublicCertificate) -> str:
    """The certificate's language, unless the visitor chose one (?lang= link, or the site's language switch)."""
    chosen = ui_language(lang or request.cookies.get(LANGUAGE_COOKIE))
    language = chosen or ui_language(cert.facts.language) or request_language(request)
    set_request_language(request, language)
    return language


def _names() -> dict[str, Any]:
    return {
        "unit_names": UNIT_NAMES,
        "status_names": STATUS_NAMES,
        "category_names": CATEGORY_NAMES,
        "grouped": codes.grouped,
        "revocation_reasons": REVOCATION_REASONS,
        "rounding_names": ROUNDING_NAMES,
    }


class CreditPages(Controller):
    include_in_schema = False

    @get("/verify", operation_id="page_verify_form")
    async def verify_form(self, request: Request[Any, Any, Any], code: FromQuery[str] = "") -> Template | Redirect:
        if code.strip():
            normal = codes.normalize(code)
            return Redirect(f"/verify/{codes.grouped(normal) if normal else code.strip()[:40]}", status_code=303)
        return page(request, "credit/verify_form.html.jinja2")

    @get("/verify/{code:str}", operation_id="page_verify", guards=[limit_lookups])
    async def verify(
        self, request: Request[Any, Any, Any], db: Db, settings: SettingsDep, code: CodeParam, lang: LangParam = None
    ) -> Template:
        cert = await service.public_certificate(db, code, settings)
        language = _certificate_language(request, lang, cert)
        return page(
            request,
            "credit/verify.html.jinja2",
            cert=cert,
            qr=qr_svg(cert.verify_url),
            shown_language=language,
            error=None,
            **_names(),
        )

    @post("/verify/{code:str}/revoke", operation_id="page_verify_revoke", guards=[require_role("program_admin")])
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        code: CodeParam,
        data: URLEncodedBody[RevokeForm],
    ) -> Template | Redirect:
        try:
            revoked = await service.revoke(tx, typed_code=code, actor=user, reason=data.reason, note=data.note)
        except Invalid as exc:
            cert = await service.public_certificate(tx, code, settings)
            return page(
                request,
                "credit/verify.html.jinja2",
                status=400,
                cert=cert,
                qr=qr_svg(cert.verify_url),
                shown_language=request_language(request),
                error=shown(request, exc),
                **_names(),
            )
        return Redirect(f"/verify/{codes.grouped(revoked.code)}", status_code=303)

    @get("/certificates/{code:str}/print", operation_id="page_certificate_print", guards=[limit_lookups])
    async def printable(
        self, request: Request[Any, Any, Any], db: Db, settings: SettingsDep, code: CodeParam, lang: LangParam = None
    ) -> Template:
        cert = await service.public_certificate(db, code, settings)
        language = _certificate_language(request, lang, cert)
        return page(
            request,
            "credit/print.html.jinja2",
            cert=cert,
            qr=qr_svg(cert.verify_url),
            shown_language=language,
            **_names(),
        )

    @get("/my/certificates", operation_id="page_my_certificates", guards=[require_login])
    async def transcript(self, request: Request[Any, Any, Any], tx: Tx, user: User, settings: SettingsDep) -> Template:
        data = await service.transcript(tx, user, settings)
        return page(request, "credit/transcript.html.jinja2", transcript=data, **_names())

    @get("/my/certificates.csv", operation_id="page_my_certificates_csv", guards=[require_login])
    async def transcript_csv(self, tx: Tx, user: User, settings: SettingsDep) -> Response[bytes]:
        return csv_export.csv_response(
            "transcript.csv", *service.transcript_table(await service.transcript(tx, user, settings))
        )

    @get("/clinic/credit", operation_id="page_clinic_credit", guards=[require_role("clinic_admin", "program_admin")])
    async def clinic(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: User,
        months: Months = 24,
        clinic: ClinicSlug = None,
        short: FromQuery[bool] = False,
        saved: FromQuery[bool] = False,
        page_number: PageParam = 1,
    ) -> Template | Response[Any]:
        """The blocks of the page that hold nothing of the viewer are kept a minute (lms.kept_figures); every viewing
        is rendered for its viewer (header, "Saved.", the form's CSRF token) and audit-logged with the workers shown."""
        if user.role == "program_admin" and not clinic:  # the partnership sees every clinic: first choose one
            return page(request, "credit/clinic_choose.html.jinja2", clinics=await accounts_queries.list_clinics(db))
        if user.role == "clinic_admin" and user.clinic_id is not None:
            clinic_id = user.clinic_id
        else:
            clinic_id = await clinic_service.viewer_clinic(db, viewer=user, clinic_slug=clinic)

        language = request_language(request)

        async def render_view() -> KeptView:
            report = await clinic_service.clinic_report(
                db,
                viewer=user,
                clinic_slug=clinic,
                months=months,
                fmt="html",
                page=page_number,
                short_only=short,
                audit=False,
            )
            context = dict(
                report=report,
                workers=report.workers,
                short=short,
                months=months,
                clinic_slug=clinic,
                credential_names={key: pick(name, language)[0] for key, name in report.credential_names.items()},
                page_size=clinic_service.CLINIC_PAGE_SIZE,
                page_number=page_number,
                **_names(),
            )
            return KeptView(
                blocks={
                    block: str(rendered_block(request, "credit/clinic.html.jinja2", block=block, **context))
                    for block in ("heading", "overview", "credential_fields")
                },
                worker_ids=[str(w.user_id) for w in report.workers],
            )

        # The query string's clinic is written into the page's links: part of the key, as the viewer's role is.
        view = ("credit", months, short, page_number, clinic, language, user.role)
        kept = await kept_figures(request.app.stores.get(FIGURES), clinic_id, view, KeptView, render_view)
        await record_many(
            db,
            [
                queries.credit_lookup_entry(
                    clinic_id=clinic_id, actor_id=user.id, fmt="html", months=months, worker_ids=kept.worker_ids
                )
            ],
        )
        return page(
            request,
            "credit/clinic_kept.html.jinja2",
            kept_blocks={name: Markup(html) for name, html in kept.blocks.items()},
            workers=kept.worker_ids,
            saved=saved,
        )

    @get(
        "/clinic/credit.csv",
        operation_id="page_clinic_credit_csv",
        guards=[require_role("clinic_admin", "program_admin")],
    )
    async def clinic_csv(self, tx: Tx, user: User, months: Months = 24, clinic: ClinicSlug = None) -> Response[bytes]:
        report = await clinic_service.clinic_report(tx, viewer=user, clinic_slug=clinic, months=months, fmt="csv")
        return csv_export.csv_response("clinic-credit.csv", *clinic_service.clinic_table(report))

    @post(
        "/clinic/credit/credentials", operation_id="page_clinic_credential_set", guards=[require_role("clinic_admin")]
    )
    async def set_credential(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, data: URLEncodedBody[CredentialForm]
    ) -> Redirect:
        try:
            user_id = UUID(data.user_id)
            cycle_start = date.fromisoformat(data.cycle_start)
        except ValueError:
            raise Invalid(N_("Choose a worker and a cycle start date."), field="cycle_start") from None
        try:
            licensed_on = date.fromisoformat(data.licensed_on) if data.licensed_on.strip() else None
        except ValueError:
            raise Invalid(
                N_("Give the date the licence was first issued, or leave it empty."), field="licensed_on"
            ) from None
        await clinic_service.set_worker_credential(
            tx,
            viewer=user,
            user_id=user_id,
            credential=data.credential,
            cycle_start=cycle_start,
            licensed_on=licensed_on,
        )
        await clinic_changed(request.app.stores.get(FIGURES), user.clinic_id)
        return Redirect("/clinic/credit?saved=true", status_code=303)
