from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.i18n import N_
from lms.schemas import Request, Response

Role = Literal["worker", "instructor", "clinic_admin", "program_admin"]
ROLES: tuple[str, ...] = ("worker", "instructor", "clinic_admin", "program_admin")


ROLE_NAMES = {"worker": N_("Worker"), "instructor": N_("Instructor"), "clinic_admin": N_("Clinic admin"), "program_admin": N_("Program admin")}
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
LanguageTag = Annotated[str, msgspec.Meta(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]+$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
OrgName = Annotated[str, msgspec.Meta(min_length=2, max_length=200)]  # as the clinics table's CHECK
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class CurrentUser(Response):
    """Who is calling: resolved once per request from a session cookie or an API token."""

    id: UUID
    email: str
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
    email: Email
    display_name: Name
    role: Role
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
