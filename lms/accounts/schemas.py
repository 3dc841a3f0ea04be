from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.i18n import N_
from lms.schemas import Request, Response

Role = Literal["worker", "instructor", "clinic_admin", "program_admin"]
ROLES: tuple[str, ...] = ("worker", "instructor", "clinic_admin", "program_admin")


ROLE_NAMES = {
    "worker": N_("Worker"),
    "instructor": N_("Instructor"),
    "clinic_admin": N_("Clinic admin"),
    "program_admin": N_("Program admin"),
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+[1-9][0-9]{6,14}")  # E.164, as SMS providers want it
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+[1-9][0-9]{6,14}$")]
Username = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9._-]{2,62}$")]
LanguageTag = Annotated[str, msgspec.Meta(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]+$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
OrgName = Annotated[str, msgspec.Meta(min_length=2, max_length=200)]  # as the clinics table's CHECK
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class CurrentUser(Response):
    """Who is calling: resolved once per request from a session cookie or an API token."""

    id: UUID
    email: str | None
    display_name: str
    role: Role
    clinic_id: UUID | None
    local_id: UUID | None
    language: str


class Clinic(Response):
    id: UUID
    slug: str
    name: str


class UnionLocal(Response):
    id: UUID
    slug: str
    name: str


class UserOut(CurrentUser):
    """A user as an admin lists them: who they are, and whether they may still sign in."""

    active: bool


class ClinicCreate(Request):
    slug: Slug
    name: OrgName


class UserCreate(Request):
    """A person; one without email signs in with a sign-in name (username)."""

    display_name: Name
    role: Role
    email: Email | None = None
    username: Username | None = None
    phone: Phone | None = None
    password: Password | None = None
    clinic: Slug | None = None
    local: Slug | None = None
    language: LanguageTag = "en"


class TokenCreate(Request):
    label: Annotated[str, msgspec.Meta(max_length=100)] = ""


class TokenCreated(Response):
    id: UUID
    label: str
    token: str  # shown once, never stored


class TokenOut(Response):
    id: UUID
    label: str
    created_at: datetime
    revoked_at: datetime | None


class LanguageChange(Request):
    language: LanguageTag


class ProfileDetails(Response):
    """What her profile page shows and lets her change."""

    email: str | None
    phone: str | None
    username: str | None
    opted_out: list[str]  # "group:channel"
    has_tokens: bool


class PersonLine(Response):
    """A person on an admin's people page."""

    id: UUID
    display_name: str
    email: str | None
    username: str | None
    phone: str | None
    role: Role
    roster_id: str | None
    active: bool
    deactivated_at: datetime | None
    clinic: str | None
