"""Who is calling the LRS, and what that allows: a signed-in person (session or API token), an LRS client, or
content launched with a launch-scoped credential (lms/xapi/launch.py).

A worker (any person) writes statements and documents about herself only, whatever form her identity takes (her
account on this service, her email as mbox or mbox_sha1sum), and reads her own; program admins read everything;
clinic admins read their clinic's workers; an LRS client reads and/or writes everything, as its credential allows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from lms.accounts.schemas import CurrentUser
from lms.accounts.secrets import token_hash
from lms.errors import Forbidden
from lms.xapi import client_queries
from lms.xapi.iris import account_identity
from lms.xapi.launch import LAUNCH_KEY_PREFIX, LaunchGrant
from lms.xapi.queries import Scope

CLIENT_KEY_PREFIX = "lrs_"


@dataclass(frozen=True, slots=True)
class LrsClient:
    id: UUID
    key: str
    name: str
    can_read: bool
    can_write: bool


@dataclass(frozen=True, slots=True)
class Caller:
    user: CurrentUser | None = None
    client: LrsClient | None = None
    launch: LaunchGrant | None = None  # launched content (a cmi5 AU): its launcher's rules apply
    identities: frozenset[str] = field(default_factory=frozenset)

    @property
    def scope(self) -> Scope:
        if self.client is not None:
            return Scope(everything=True)
        if self.launch is not None:  # the learner's own statements at most
            return Scope(everything=False, user_id=self.launch.user_id or UUID(int=0))
        assert self.user is not None
        return Scope(
            everything=self.user.role == "program_admin",
            user_id=self.user.id,
            clinic_id=self.user.clinic_id if self.user.role == "clinic_admin" else None,
        )

    @property
    def writes_anything(self) -> bool:
        """An LRS client may write about anyone; a person only about herself."""
        return self.client is not None

    def may_write(self) -> None:
        if self.client is not None and not self.client.can_write:
            raise Forbidden("this LRS credential may only read")

    def may_read(self) -> None:
        if self.client is not None and not self.client.can_read:
            raise Forbidden("this LRS credential may only write")

    def authority(self, base_url: str) -> dict[str, Any]:
        home = base_url.rstrip("/")
        if self.client is not None:
            return {
                "objectType": "Agent",
                "name": self.client.name,
                "account": {"homePage": home, "name": self.client.key},
            }
        if self.launch is not None:
            return {"objectType": "Agent", "account": {"homePage": home, "name": self.launch.key}}
        assert self.user is not None
        return {"objectType": "Agent", "account": {"homePage": home, "name": str(self.user.id)}}

    def owns(self, identity: str) -> bool:
        return identity in self.identities


def person(user: CurrentUser, base_url: str) -> Caller:
    """A signed-in person, with every identity the LRS knows her by."""
    keys = {account_identity(base_url, str(user.id))}
    if user.email:
        mbox = "mailto:" + user.email.lower()
        keys |= {"mbox:" + mbox, "mbox_sha1sum:" + hashlib.sha1(mbox.encode()).hexdigest()}
    return Caller(user=user, identities=frozenset(keys))


def _basic_key(authorization: str) -> tuple[str, str] | None:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        key, _, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (key, secret) if key.startswith((CLIENT_KEY_PREFIX, LAUNCH_KEY_PREFIX)) else None


async def client_by_secret(conn: asyncpg.Pool | asyncpg.Connection, key: str, secret: str) -> LrsClient | None:
    row = await client_queries.live_client(conn, key=key, secret_hash=token_hash(secret))
    return LrsClient(**dict(row)) if row else None


async def resolve_caller(connection: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """The LRS client named by Basic credentials (`lrs_...` key), else the signed-in person; 401 when neither."""
    state = connection.app.state
    authorization = next((v.decode("latin-1") for k, v in connection.scope["headers"] if k == b"authorization"), None)
    credentials = _basic_key(authorization) if authorization else None
    if credentials is not None and credentials[0].startswith(LAUNCH_KEY_PREFIX):
        grant = await state.launch_authority.resolve(state.pool, *credentials)
        if grant is None:
            raise NotAuthorizedException("This launch's credential is not valid, or its session has ended.")
        return Caller(launch=grant, identities=frozenset({grant.actor_key}))
    if credentials is not None:
        client = await client_by_secret(state.pool, *credentials)
        if client is None:
            raise NotAuthorizedException("This LRS credential is not valid or was revoked.")
        return Caller(client=client)
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Sign in, or send an API token or LRS credential (HTTP Basic).")
    return person(user, state.settings.public_base_url)


async def require_lrs_caller(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    # the caller rides in the scope under our own key, which Litestar's Scope TypedDict does not declare
    connection.scope["xapi_caller"] = await resolve_caller(connection)  # type: ignore[typeddict-unknown-key]
