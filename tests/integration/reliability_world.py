"""A small populated world the reliability tests share: two clinics, one person of every role (two workers in one
clinic, one in the other), a published hybrid course, and each worker's completed enrolment with its certificate.

Used by the fuzzing, the authorization matrix and the backup test, so each of them meets real rows, not an empty
database where every lookup is trivially a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from tests.conftest import COURSES_DIR
from tests.helpers import make_clinic, make_owner, make_user, publish_folder, token_for

COURSE = "DA-IC-101"


@dataclass
class Person:
    role: str
    email: str
    id: UUID
    clinic: str | None
    headers: dict[str, str]
    enrollment_id: UUID | None = None
    certificate: str | None = None  # grouped code, e.g. ABCD-EFGH-JK


@dataclass
class World:
    clinic_ids: dict[str, UUID]
    people: dict[str, Person]
    version_id: UUID
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Person:
        return self.people[name]


# name -> (role, clinic)
CAST = {
    "worker_a": ("worker", "clinic-a"),
    "worker_a2": ("worker", "clinic-a"),
    "worker_b": ("worker", "clinic-b"),
    "admin_a": ("clinic_admin", "clinic-a"),
    "admin_b": ("clinic_admin", "clinic-b"),
    "instructor": ("instructor", None),
    "program_admin": ("program_admin", None),
}


async def build_world(
    conn: asyncpg.Connection, *, certificates_for: tuple[str, ...] = ("worker_a", "worker_b")
) -> World:
    from tests.integration.test_credit import certificate_code, do_everything

    published = await publish_folder(conn, COURSES_DIR / COURSE)
    clinic_ids = {slug: (await make_clinic(conn, slug)).id for slug in ("clinic-a", "clinic-b")}
    people: dict[str, Person] = {}
    for name, (role, clinic) in CAST.items():
        user = await make_user(
            conn, f"{name.replace('_', '-')}@example.org", role, clinic=clinic, name=name.replace("_", " ").title()
        )
        people[name] = Person(role, user.email, user.id, clinic, await token_for(conn, user.id))
    await make_owner(conn, COURSE, people["instructor"].id)  # the instructor authors the course
    for name in certificates_for:
        person = people[name]
        person.enrollment_id = await do_everything(
            conn, user_id=person.id, version_id=published.version_id, instructor_id=people["instructor"].id
        )
        person.certificate = await certificate_code(conn, person.enrollment_id)
    return World(clinic_ids, people, published.version_id)
