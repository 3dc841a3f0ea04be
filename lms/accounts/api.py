"""JSON: who am I, my API tokens, and (for admins) users and clinics."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from lms.accounts import queries, service
from lms.accounts.auth import require_login, require_role
from lms.accounts.schemas import (
    ROLES,
    Clinic,
    ClinicCreate,
    CurrentUser,
    LanguageChange,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
)
from lms.deps import Db, Tx, User
from lms.errors import Forbidden, NotFound
from lms.i18n import N_
from lms.schemas import Offset


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]
    guards = [require_login]

    @get("/", operation_id="me_get")
    async def me(self, user: User) -> CurrentUser:
        return user

    @post("/language", operation_id="me_set_language", status_code=200)
    async def set_language(self, tx: Tx, user: User, data: JSONBody[LanguageChange]) -> CurrentUser:
        await queries.set_language(tx, user.id, data.language)
        return CurrentUser(**{**{f: getattr(user, f) for f in user.__struct_fields__}, "language": data.language})

    @get("/tokens", operation_id="me_tokens_list")
    async def list_tokens(self, db: Db, user: User) -> list[TokenOut]:
        return await queries.list_tokens(db, user_id=user.id)

    @post("/tokens", operation_id="me_tokens_create")
    async def create_token(self, tx: Tx, user: User, data: JSONBody[TokenCreate]) -> TokenCreated:
        return await service.create_token(tx, user_id=user.id, label=data.label)

    @delete("/tokens/{token_id:uuid}", operation_id="me_tokens_revoke", status_code=204)
    async def revoke_token(self, tx: Tx, user: User, token_id: FromPath[UUID]) -> None:
        if await queries.revoke_token(tx, user_id=user.id, token_id=token_id) is None:
            raise NotFound(N_("no such token"))


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["accounts"]
    guards = [require_role("clinic_admin", "program_admin")]

    @get("/", operation_id="users_list")
    async def list_users(
        self,
        db: Db,
        user: User,
        role: Annotated[str | None, QueryParameter(pattern="^(worker|instructor|clinic_admin|program_admin)$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Offset = 0,
    ) -> list[UserOut]:
        return await queries.list_users(db, viewer=user, role=role, limit=limit, offset=offset)

    @get("/{user_id:uuid}", operation_id="users_get")
    async def get_user(self, db: Db, user: User, user_id: FromPath[UUID]) -> UserOut:
        found = await queries.get_user_for(db, viewer=user, user_id=user_id)
        if found is None:
            raise NotFound(N_("no such user"))
        return found

    @post("/", operation_id="users_create", guards=[require_role("program_admin")])
    async def create_user(self, tx: Tx, user: User, data: JSONBody[UserCreate]) -> UserOut:
        return await service.create_user(tx, data, actor_id=user.id)

    @post(
        "/{user_id:uuid}/role", operation_id="users_set_role", guards=[require_role("program_admin")], status_code=200
    )
    async def set_role(
        self,
        tx: Tx,
        user: User,
        user_id: FromPath[UUID],
        role: Annotated[str, QueryParameter(pattern="^(worker|instructor|clinic_admin|program_admin)$")],
    ) -> UserOut:
        if role not in ROLES:
            raise Forbidden(N_("unknown role"))
        return await service.change_role(tx, actor_id=user.id, user_id=user_id, role=role)


class ClinicsController(Controller):
    path = "/api/v1/clinics"
    tags = ["accounts"]
    guards = [require_login]

    @get("/", operation_id="clinics_list")
    async def list_clinics(self, db: Db) -> list[Clinic]:
        return await queries.list_clinics(db)

    @post("/", operation_id="clinics_create", guards=[require_role("program_admin")])
    async def create_clinic(self, tx: Tx, data: JSONBody[ClinicCreate]) -> Clinic:
        return await queries.create_clinic(tx, slug=data.slug, name=data.name)
