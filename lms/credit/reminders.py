"""Credit reminders, run by the job queue's reminder tick (lms/jobs/tasks.py): renewal 90, 30 and 7 days before a
worker's cycle ends (to her and her clinic's admins) naming what is missing, and certificate notices.

Each reminder is one row per person and occasion in ``messages`` (unique), so a tick that runs twice, late, or in two
processes at once sends it once. ``now`` is the tick's time: tests move it forward.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from lms import clinic_time
from lms.credit import reminder_queries as q
from lms.credit.queries import rules_and_requirements
from lms.credit.renewal import RenewalStatus
from lms.credit.schemas import CATEGORY_NAMES, UNIT_NAMES
from lms.credit.standing import worker_credit
from lms.i18n import gettext_callables
from lms.messages.compose import message_language
from lms.messages.service import send_message
from lms.settings import Settings

RENEWAL_DAYS = (7, 30, 90)  # smallest first: a late tick sends the nearest one only, never the ones it passed


def renewal_threshold(days_left: int) -> int | None:
    """Which reminder is due with ``days_left`` until the cycle ends: 7, 30, 90 or none."""
    if days_left < 0:
        return None
    return next((t for t in RENEWAL_DAYS if days_left <= t), None)


def describe_missing(status: RenewalStatus, language: str) -> str:
    """What the renewal still misses, in the words of the renewal view (templates/credit/_missing.html.jinja2)."""
    i18n = gettext_callables(message_language(language))
    _, day = i18n["gettext"], i18n["day"]
    unit = _(UNIT_NAMES.get(status.unit, status.unit))
    parts = []
    for x in status.shortfalls:
        category = _(CATEGORY_NAMES.get(x.category, x.category)) if x.category else ""
        if x.kind == "units":
            parts.append(
                _(
                    "%(missing)s %(unit)s more before %(end)s (%(have)s of %(needed)s count).",
                    missing=x.missing,
                    unit=unit,
                    end=day(status.cycle_end),
                    have=x.have,
                    needed=x.needed,
                )
            )
        elif x.kind == "category" and x.needed:
            parts.append(
                _(
                    "%(missing)s %(unit)s of %(category)s (%(have)s of %(needed)s).",
                    missing=x.missing,
                    unit=unit,
                    category=category,
                    have=x.have,
                    needed=x.needed,
                )
            )
        elif x.kind == "category":
            parts.append(_("A %(category)s course.", category=category))
        elif x.kind == "live":
            parts.append(_("%(category)s with an in-person skills part.", category=category))
        elif x.kind == "current" and x.expired_on:
            parts.append(
                _("%(category)s expired on %(date)s: a current course.", category=category, date=day(x.expired_on))
            )
        elif x.kind == "current":
            parts.append(_("A current %(category)s course.", category=category))
        elif x.kind == "approved":
            parts.append(
                _(
                    "%(missing)s %(unit)s more from programs the body approved (%(have)s of %(needed)s).",
                    missing=x.missing,
                    unit=unit,
                    have=x.have,
                    needed=x.needed,
                )
            )
        else:
            parts.append(_("Only %(limit)s non-live count (%(have)s earned).", limit=x.needed, have=x.have))
    return " ".join(parts)


async def renewal_reminders(conn: asyncpg.Connection, settings: Settings, now: datetime) -> int:
    today = now.astimezone(clinic_time.ZONE).date()
    holders = await q.credential_holders(conn)
    if not holders:
        return 0
    rules, requirements = await rules_and_requirements(conn)
    languages = await q.languages(conn, [h["user_id"] for h in holders] + [a for h in holders for a in h["admin_ids"]])
    sent = 0
    for holder in holders:
        credit = worker_credit(holder, rules, requirements, since=today, today=today)
        for status in credit.credentials:
            threshold = renewal_threshold((status.cycle_end - today).days)
            if status.meets or threshold is None:
                continue
            days = (status.cycle_end - today).days
            name = requirements[status.credential].name
            common: dict[str, Any] = {
                "credential": name.get("en", status.credential),
                "days": days,
                "ends": status.cycle_end.isoformat(),
                "link": settings.public_base_url.rstrip("/") + "/my/certificates",
            }
            occasion = f"{status.credential}:{status.cycle_end.isoformat()}:{threshold}"
            language = languages.get(holder["user_id"], "en")
            own = {
                **common,
                "credential": name.get(message_language(language), common["credential"]),
                "missing": describe_missing(status, language),
            }
            sent += (
                await send_message(
                    conn, settings, user_id=holder["user_id"], kind="renewal.reminder", occasion=occasion, params=own
                )
                is not None
            )
            for admin_id in holder["admin_ids"]:
                admin_language = languages.get(admin_id, "en")
                theirs = {
                    **common,
                    "worker": holder["name"],
                    "link": settings.public_base_url.rstrip("/") + "/clinic/credit",
                    "credential": name.get(message_language(admin_language), common["credential"]),
                    "missing": describe_missing(status, admin_language),
                }
                sent += (
                    await send_message(
                        conn,
                        settings,
                        user_id=admin_id,
                        kind="renewal.reminder_admin",
                        occasion=f"{holder['user_id']}:{occasion}",
                        params=theirs,
                    )
                    is not None
                )
    return sent


async def certificate_notices(conn: asyncpg.Connection, settings: Settings, now: datetime) -> int:
    sent = 0
    base = settings.public_base_url.rstrip("/")
    for row in await q.certificate_events(conn, now):
        code = row["new_code"] or row["code"]
        sent += (
            await send_message(
                conn,
                settings,
                user_id=row["user_id"],
                kind=row["kind"],
                occasion=str(row["id"]),
                params={"course": row["course"], "code": row["code"], "link": f"{base}/verify/{code}"},
            )
            is not None
        )
    return sent
