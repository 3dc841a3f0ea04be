"""Clinic admins and program admins looking after people: add one, import a roster, deactivate, change a role.

Who may touch whom is decided in each statement's WHERE: a clinic admin only her own clinic's people (workers, and
clinic admins when changing roles), a program admin anyone.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts import people_queries, recovery_queries, roster
from lms.accounts.callers import callers_changed
from lms.accounts.schemas import ROLES, UserCreate, UserOut
from lms.accounts.service import create_user
from lms.audit.queries import record
from lms.errors import Forbidden, Invalid, NotFound, invalid_value
from lms.i18n import N_

CLINIC_ADMIN_MAY_GIVE = ("worker", "clinic_admin")


async def _admin_clinic(conn: asyncpg.Connection, admin: Any, clinic_slug: str | None) -> tuple[UUID, str]:
    """The clinic an admin acts on: her own (clinic admins), or the one named (program admins)."""
    row = await people_queries.admin_clinic(conn, role=admin.role, clinic_id=admin.clinic_id, slug=clinic_slug)
    if row is None:
        raise Invalid(N_("choose a clinic"), field="clinic")
    return row["id"], row["slug"]


async def add_person(conn: asyncpg.Connection, *, admin: Any, data: dict[str, str]) -> UserOut:
    """A clinic admin adds a worker of her clinic; a program admin anyone (instructors and program admins need no
    clinic)."""
    if admin.role == "program_admin" and data.get("role") in ("instructor", "program_admin") and not data.get("clinic"):
        slug = None
    else:
        _clinic_id, slug = await _admin_clinic(conn, admin, data.get("clinic") or None)
    email = data.get("email", "").strip().lower() or None
    roster_id = data.get("roster_id", "").strip() or None
    username = data.get("username", "").strip().lower() or None
    if email is None and username is None:
        if roster_id is None:
            raise Invalid(N_("give an email, a sign-in name or a roster number"), field="email")
        username = roster.sign_in_name(slug or "lms", roster_id)
    phone = "".join(ch for ch in data.get("phone", "") if ch.isdigit() or ch == "+") or None
    role = data.get("role") or "worker"
    if admin.role != "program_admin" and role != "worker":
        raise Forbidden(N_("a clinic admin adds workers"))
    try:
        payload = msgspec.convert(
            {
                "display_name": data.get("name", "").strip(),
                "role": role,
                "email": email,
                "username": username,
                "phone": phone,
                "clinic": slug,
                "language": data.get("language") or "en",
            },
            UserCreate,
        )
    except msgspec.ValidationError as exc:
        raise invalid_value(exc, field="person", names={"display_name": "name"}) from None
    user = await create_user(conn, payload, actor_id=admin.id)
    if roster_id:
        await people_queries.set_roster_id(conn, user_id=user.id, roster_id=roster_id)
    return user


async def import_roster(
    conn: asyncpg.Connection, *, admin: Any, text: str, clinic_slug: str | None, dry_run: bool
) -> roster.RosterCheck:
    clinic_id, slug = await _admin_clinic(conn, admin, clinic_slug)
    check = roster.parse_roster(text)
    await roster.check_against_database(conn, check, clinic_id=clinic_id)
    if dry_run or check.problems:
        return check  # nothing is written while any line is bad
    try:
        async with conn.transaction():
            await roster.write_roster(conn, check, clinic_id=clinic_id, clinic_slug=slug)
    except asyncpg.UniqueViolationError as exc:
        raise Invalid(
            N_("a sign-in name or email is taken by another account (%(constraint)s); nothing was imported"),
            params={"constraint": exc.constraint_name or ""},
            field="roster",
        ) from None
    await record(
        conn,
        actor_id=admin.id,
        action="users.roster_imported",
        subject=str(clinic_id),
        detail={"new": check.new, "updated": check.updated},
    )
    callers_changed()
    return check


async def deactivate(conn: asyncpg.Connection, *, admin: Any, user_id: UUID) -> None:
    """She left: sign-in refused, sessions and tokens ended, every record kept."""
    done = await people_queries.deactivate_user(conn, user_id=user_id, admin=admin)
    if done is None:
        raise NotFound(N_("no such active person in your clinic"))
    await recovery_queries.end_sessions(conn, user_id)
    await recovery_queries.revoke_tokens(conn, user_id)
    await record(conn, actor_id=admin.id, action="user.deactivated", subject=str(user_id), detail={})


async def change_role(conn: asyncpg.Connection, *, admin: Any, user_id: UUID, role: str) -> None:
    # whom first, then what: someone outside her clinic is not found, whatever role was asked for
    visible = await people_queries.person_whose_role_admin_may_change(conn, user_id=user_id, admin=admin)
    if visible is None:
        raise NotFound(N_("no such active person in your clinic"))
    if role not in ROLES:
        raise Invalid(N_("choose a role"), field="role")
    if admin.role == "clinic_admin" and role not in CLINIC_ADMIN_MAY_GIVE:
        raise Forbidden(N_("a clinic admin may make people workers or clinic admins of her clinic"))
    try:
        async with conn.transaction():
            await people_queries.set_role(conn, user_id=user_id, role=role)
    except asyncpg.CheckViolationError:
        raise Invalid(N_("workers and clinic admins belong to a clinic"), field="role") from None
    callers_changed()
    await record(conn, actor_id=admin.id, action="user.role_changed", subject=str(user_id), detail={"role": role})
