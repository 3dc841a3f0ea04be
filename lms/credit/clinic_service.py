"""A clinic's view of its workers' credit against their renewal requirements, and the licences it records."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.credit import queries
from lms.credit.rules import add_months
from lms.credit.schemas import ClinicReport
from lms.credit.standing import worker_credit
from lms.errors import Forbidden, Invalid, NotFound
from lms.i18n import N_

CLINIC_PAGE_SIZE = 50


async def viewer_clinic(conn: asyncpg.Connection, *, viewer: CurrentUser, clinic_slug: str | None) -> UUID:
    """The clinic whose credit this viewer may see: a clinic admin their own, a program admin the one named."""
    if viewer.role == "clinic_admin":
        clinic_id = viewer.clinic_id
    elif viewer.role == "program_admin":
        if not clinic_slug:
            raise Invalid(N_("Name the clinic."), field="clinic")
        clinic_id = await queries.clinic_id_by_slug(conn, clinic_slug)
    else:
        raise Forbidden(N_("Only clinic admins see their workers' credit."))
    if clinic_id is None:
        raise NotFound(N_("No such clinic."), field="clinic")
    return clinic_id


async def clinic_report(
    conn: asyncpg.Connection,
    *,
    viewer: CurrentUser,
    clinic_slug: str | None,
    months: int,
    fmt: str,
    today: date | None = None,
    page: int | None = None,
    short_only: bool = False,
    audit: bool = True,
) -> ClinicReport:
    """Each worker of the viewer's clinic (program admins: the clinic named), their credit per body in the last
    ``months`` months, and every credential they hold checked against its renewal requirement. Audit-logged.

    ``page`` (from 1): that page of CLINIC_PAGE_SIZE workers by name, else all. ``short_only``: only the workers
    short of a requirement (every worker is checked, then the page is taken from those)."""
    clinic_id = await viewer_clinic(conn, viewer=viewer, clinic_slug=clinic_slug)
    today = today or clinic_time.today()
    since = add_months(today, -months)
    offset = (page - 1) * CLINIC_PAGE_SIZE if page else 0
    paged_in_sql = page is not None and not short_only
    clinic_name, total, workers = await queries.clinic_workers_audited(
        conn,
        clinic_id=clinic_id,
        actor_id=viewer.id,
        fmt=fmt,
        months=months,
        limit=CLINIC_PAGE_SIZE if paged_in_sql else None,
        offset=offset if paged_in_sql else 0,
        audit=audit,
    )
    if clinic_name is None:
        raise NotFound(N_("No such clinic."), field="clinic")
    rules, requirements = await queries.rules_and_requirements(conn)
    out = [worker_credit(w, rules, requirements, since=since, today=today) for w in workers]
    if short_only:
        out = [w for w in out if w.meets is False]
        total = len(out)
        if page is not None:
            out = out[offset : offset + CLINIC_PAGE_SIZE]
    return ClinicReport(
        clinic_id=clinic_id,
        clinic_name=clinic_name,
        as_of=today,
        since=since,
        workers=out,
        credential_names={key: r.name for key, r in requirements.items() if r.version_of is None},
        total_workers=total,
        first=offset + 1 if out else 0,
        corrections=await queries.corrections_for_clinic(conn, clinic_id),
    )


def clinic_table(report: ClinicReport) -> tuple[list[str], list[list[Any]]]:
    """Clinic credit as a CSV table (written by lms.reports.exports, the one CSV writer: names are typed by people)."""
    header = [
        "worker",
        "credential",
        "body",
        "cycle_start",
        "cycle_end",
        "required",
        "counted",
        "earned",
        "live",
        "non_live",
        "meets",
        "short_of",
    ]
    rows: list[list[Any]] = []
    for worker in report.workers:
        if not worker.credentials:
            rows.append([worker.name, "", "", "", "", "", "", "", "", "", "", ""])
        for s in worker.credentials:
            short = "; ".join(
                f"{x.kind}{':' + x.category if x.category else ''} {x.have}/{x.needed}"
                if x.kind != "live"
                else f"live:{x.category}"
                for x in s.shortfalls
            )
            rows.append(
                [
                    worker.name,
                    s.credential,
                    s.body,
                    s.cycle_start,
                    s.cycle_end,
                    s.required,
                    s.counted,
                    s.earned,
                    s.live,
                    s.non_live,
                    "yes" if s.meets else "no",
                    short,
                ]
            )
    return header, rows


async def set_worker_credential(
    conn: asyncpg.Connection,
    *,
    viewer: CurrentUser,
    user_id: UUID,
    credential: str,
    cycle_start: date,
    licensed_on: date | None = None,
):
    if viewer.clinic_id is None:
        raise Forbidden(N_("Only a clinic's admin records its workers' credentials."))
    if licensed_on is not None and licensed_on > clinic_time.today():
        raise Invalid(N_("The licence's first issue date cannot be in the future."), field="licensed_on")
    saved = await queries.set_worker_credential(
        conn,
        clinic_id=viewer.clinic_id,
        user_id=user_id,
        credential=credential,
        cycle_start=cycle_start,
        recorded_by=viewer.id,
        licensed_on=licensed_on,
    )
    if saved is None:
        requirements = await queries.load_requirements(conn)
        known = sorted(key for key, r in requirements.items() if r.version_of is None)
        if credential not in known:
            raise Invalid(
                N_("Unknown credential '%(credential)s'; known: %(known)s."),
                params={"credential": credential, "known": ", ".join(known)},
                field="credential",
            )
        raise NotFound(N_("No worker of your clinic has this id."), field="user_id")
    await record(
        conn,
        actor_id=viewer.id,
        action="clinic.worker_credential",
        subject=str(user_id),
        detail={
            "credential": credential,
            "cycle_start": cycle_start.isoformat(),
            **({"licensed_on": licensed_on.isoformat()} if licensed_on else {}),
        },
    )
    return saved
