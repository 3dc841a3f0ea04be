"""People for the programs' tests: two clinics, an apprentice and another worker at each, a mentor, clinic admins
and a program admin, each with an API token; form posts carry the CSRF cookie's value as the header."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from tests.helpers import make_clinic, make_user, token_for


@dataclass
class Person:
    id: Any
    email: str
    name: str
    headers: dict[str, str]


@dataclass
class World:
    clinics: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Person:
        return self.people[name]


PEOPLE = (
    ("ana", "worker", "clinic-a", "Ana Apprentice"),
    ("bea", "worker", "clinic-a", "Bea Worker"),
    ("carl", "worker", "clinic-b", "Carl Worker"),
    ("mentor", "instructor", None, "Mona Mentor"),
    ("admin_a", "clinic_admin", "clinic-a", "Alma Admin"),
    ("admin_b", "clinic_admin", "clinic-b", "Bruno Admin"),
    ("program", "program_admin", None, "Pat Program"),
)


async def build(conn: Any) -> World:
    world = World()
    for slug in ("clinic-a", "clinic-b"):
        world.clinics[slug] = (await make_clinic(conn, slug)).id
    for key, role, clinic, name in PEOPLE:
        user = await make_user(conn, f"{key}@example.org", role, clinic=clinic, name=name)
        world.people[key] = Person(user.id, f"{key}@example.org", name, await token_for(conn, user.id))
    return world


async def post_form(client: Any, url: str, person: Person, data: dict[str, Any]) -> Any:
    """A form post as this person (their token), with the CSRF header a browser's form would carry as a field."""
    if not client.cookies.get("lms_csrf"):
        await client.get("/login")
    headers = {**person.headers, "x-csrftoken": client.cookies.get("lms_csrf"), "accept": "text/html"}
    return await client.post(url, data=data, headers=headers, follow_redirects=False)


async def get_page(client: Any, url: str, person: Person) -> Any:
    return await client.get(url, headers={**person.headers, "accept": "text/html"}, follow_redirects=False)


# ---------------------------------------------------------------- the authorization matrix's records


async def matrix_records(conn: Any, world: Any, instructor2: Any) -> dict[str, Any]:
    """For tests/integration/test_authorization_matrix.py's world: an apprenticeship for each worker (worker_a's mentor
    is the instructor, the others' the second instructor) with one week waiting. Answers the ids by worker."""
    program = await conn.fetchval("SELECT id FROM apprenticeship_programs WHERE key = 'chw'")
    apprenticeships, weeks = {}, {}
    for name in ("worker_a", "worker_a2", "worker_b"):
        person = world[name]
        mentor = world["instructor"].id if name == "worker_a" else instructor2
        apprenticeships[name] = str(
            await conn.fetchval(
                """INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on)
               VALUES ($1, $2, $3, $4, current_date - 60) RETURNING id""",
                program,
                person.id,
                world.clinic_ids[person.clinic],
                mentor,
            )
        )
        week = await conn.fetchval(
            """INSERT INTO ojt_weeks (apprenticeship_id, week_start) VALUES ($1, date_trunc('week', current_date - 7)::date)
               RETURNING id""",
            apprenticeships[name],
        )
        await conn.execute("INSERT INTO ojt_hours (week_id, work_process, minutes) VALUES ($1, 'outreach', 600)", week)
        weeks[name] = str(week)
    requests, documents = {}, {}
    for name in ("worker_a", "worker_a2", "worker_b"):
        person = world[name]
        requests[name] = str(
            await conn.fetchval(
                """INSERT INTO tuition_requests (user_id, clinic_id, field, program, school, term, year, cost_cents)
               VALUES ($1, $2, 'nursing', 'LVN', 'City College', 'Fall', 2026, 250000) RETURNING id""",
                person.id,
                world.clinic_ids[person.clinic],
            )
        )
        documents[name] = str(
            await conn.fetchval(
                """INSERT INTO tuition_documents (request_id, kind, filename, content_type, storage_key)
               VALUES ($1, 'receipt', 'receipt.pdf', 'application/pdf', $2) RETURNING id""",
                UUID(requests[name]),
                f"tuition/{requests[name]}/matrix",
            )
        )
    preceptorships, entries = {}, {}
    for name in ("worker_a", "worker_a2", "worker_b"):
        person = world[name]
        preceptor = world["instructor"].id if name == "worker_a" else instructor2
        preceptorships[name] = str(
            await conn.fetchval(
                """INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on)
               VALUES ($1, $2, $3, 'rn', 'BRN', current_date - 30) RETURNING id""",
                person.id,
                preceptor,
                world.clinic_ids[person.clinic],
            )
        )
        entries[name] = str(
            await conn.fetchval(
                """INSERT INTO supervised_hours (preceptorship_id, day, minutes, activity) VALUES ($1, current_date - 1, 240, 'Triage')
               RETURNING id""",
                preceptorships[name],
            )
        )
    return {
        "apprenticeship_id": apprenticeships,
        "week_id": weeks,
        "request_id": requests,
        "document_id": documents,
        "preceptorship_id": preceptorships,
        "entry_id": entries,
    }


PROGRAM_RECORDS = ("apprenticeship_id", "week_id", "request_id", "document_id", "preceptorship_id", "entry_id")
