"""Account use cases that span several queries: making users and tokens, contact details and message choices.

Signing in and getting back in are in lms/accounts/recovery.py."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from lms.accounts import queries
from lms.accounts.passwords import require_strong
from lms.accounts.schemas import EMAIL, PHONE, ProfileDetails, TokenCreated, UserCreate, UserOut
from lms.accounts.secrets import hash_password, new_token, token_hash
from lms.audit.queries import record
from lms.errors import Invalid, NotFound
from lms.i18n import N_
from lms.messages import queries as message_queries
from lms.messages.service import CHANNELS, OPT_OUT_GROUPS


async def create_user(conn: asyncpg.Connection, data: UserCreate, *, actor_id: UUID | None = None) -> UserOut:
    if data.password:
        require_strong(data.password, personal=(data.display_name, data.email or "", data.username or ""))
    password_hash = await hash_password(data.password) if data.password else None
    user = await queries.create_user(
        conn,
        email=data.email,
        display_name=data.display_name,
        role=data.role,
        password_hash=password_hash,
        clinic=data.clinic,
        local=data.local,
        language=data.language,
        username=data.username,
        phone=data.phone,
    )
    await record(conn, actor_id=actor_id, action="user.created", subject=str(user.id), detail={"role": user.role})
    return user


async def create_token(conn: asyncpg.Connection, *, user_id: UUID, label: str) -> TokenCreated:
    token = new_token("lms")
    token_id, label = await queries.create_token(conn, user_id=user_id, token_hash=token_hash(token), label=label)
    return TokenCreated(id=token_id, label=label, token=token)


async def create_token_for_email(conn: asyncpg.Connection, *, email: str, label: str) -> TokenCreated:
    user_id = await queries.user_id_by_email(conn, email)
    if user_id is None:
        raise NotFound(N_("no user with email '%(email)s'"), params={"email": email}, field="email")
    return await create_token(conn, user_id=user_id, label=label)


async def change_role(conn: asyncpg.Connection, *, actor_id: UUID, user_id: UUID, role: str) -> UserOut:
    user = await queries.set_role(conn, user_id=user_id, role=role)
    if user is None:
        raise NotFound(N_("no such user"))
    await record(conn, actor_id=actor_id, action="user.role_changed", subject=str(user_id), detail={"role": role})
    return user


async def change_contact(conn: asyncpg.Connection, *, user_id: UUID, email: str, phone: str) -> None:
    """Her email and phone, either of which she may remove (a blank field removes it)."""
    email = email.strip().lower()
    phone = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if email and not EMAIL.fullmatch(email):
        raise Invalid(N_("This email address does not look right."), field="email")
    if phone and not PHONE.fullmatch(phone):
        raise Invalid(N_("Write the phone number with its country code, e.g. +1 510 555 0100."), field="phone")
    await queries.set_contact(conn, user_id=user_id, email=email or None, phone=phone or None)
    await record(
        conn,
        actor_id=user_id,
        action="user.contact_changed",
        subject=str(user_id),
        detail={"email": bool(email), "phone": bool(phone)},
    )


async def set_message_choices(conn: asyncpg.Connection, *, user_id: UUID, wanted: set[str]) -> None:
    """``wanted`` holds "group:channel" for every kind of message she still wants; the rest she opts out of."""
    refused = [
        (group, channel) for group in OPT_OUT_GROUPS for channel in CHANNELS if f"{group}:{channel}" not in wanted
    ]
    await message_queries.set_opt_outs(conn, user_id, refused)


async def profile_details(conn: asyncpg.Connection, user_id: UUID) -> ProfileDetails:
    details = await queries.profile_details(conn, user_id)
    if details is None:
        raise NotFound(N_("no such user"))
    return details
