"""First start with an empty database: the partnership's clinics and locals, demo users, and the course catalogue.

The demo passwords are random, so no known password ships. They never go to the service's log (which is often
collected and kept): they are written to a file in the data dir that only the service's user can read, and shown on
the terminal when the service runs in one.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

import asyncpg

from lms.accounts import queries as accounts
from lms.accounts import service as account_service
from lms.accounts.schemas import Role, UserCreate
from lms.settings import Settings

CLINICS = [
    ("asian-health-services", "Asian Health Services"),
    ("clinica-romero", "Clínica Monseñor Oscar A. Romero"),
    ("gardner-health", "Gardner Health Services"),
    ("healthright-360", "HealthRIGHT 360"),
    ("st-johns", "St. John's Community Health"),
    ("baywell-health", "Baywell Health"),
    ("salud-para-la-gente", "Salud Para La Gente"),
]
LOCALS = [
    ("seiu-521", "SEIU Local 521"),
    ("seiu-721", "SEIU Local 721"),
    ("seiu-1021", "SEIU Local 1021"),
    ("seiu-uhw", "SEIU-UHW"),
]
DEMO_INSTRUCTOR = "maria.instructor@example.org"
DEMO_USERS: list[tuple[str, str, Role, str | None, str | None, str]] = [
    ("ana.worker@example.org", "Ana Martínez", "worker", "clinica-romero", "seiu-721", "es"),
    ("sam.worker@example.org", "Sam Lee", "worker", "st-johns", "seiu-721", "en"),
    ("maria.instructor@example.org", "María López", "instructor", None, None, "es"),
    ("clinic.admin@example.org", "Jordan Rivera", "clinic_admin", "clinica-romero", None, "en"),
    ("program.admin@example.org", "Pat Nguyen", "program_admin", None, None, "en"),
]


async def seed_if_empty(conn: asyncpg.Connection, settings: Settings, say: Callable[[str], None] = print) -> bool:
    if not settings.seed_demo or await accounts.count_users(conn) > 0:
        return False
    say("Empty database: loading the partnership's clinics, demo users and the starter course catalogue ...")
    for slug, name in CLINICS:
        await accounts.create_clinic(conn, slug=slug, name=name)
    for slug, name in LOCALS:
        await accounts.create_local(conn, slug=slug, name=name)
    logins = []
    for email, name, role, clinic, local, language in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        await account_service.create_user(
            conn,
            UserCreate(
                email=email,
                display_name=name,
                role=role,
                password=password,
                clinic=clinic,
                local=local,
                language=language,
            ),
        )
        logins.append((role, email, password))
    from lms.programs.demo import seed_programs

    await seed_programs(
        conn,
        apprentice="ana.worker@example.org",
        mentor="maria.instructor@example.org",
        second_worker="sam.worker@example.org",
    )
    from lms.catalog.loader import publish_catalogue

    published = await publish_catalogue(conn, settings, say=say)
    say(f"Published {published} course(s) from {settings.courses_dir}.")
    from lms.catalog.queries import own_every_course

    # The demo instructor authored the starter catalogue: she owns it (program admins may add co-authors).
    await own_every_course(conn, email=DEMO_INSTRUCTOR)
    lines = [f"{role:<14} {email:<32} {password}" for role, email, password in logins]
    path = write_private(settings.data_dir / "demo-sign-ins.txt", "".join(line + "\n" for line in lines))
    say(f"Demo sign-ins are in {path} (readable only by this user).")
    if sys.stderr.isatty():  # a person at a terminal, not a log collector
        print("Demo sign-ins (keep them somewhere safe):", *(f"  {line}" for line in lines), sep="\n", file=sys.stderr)
    return True


def write_private(path: Path, text: str) -> Path:
    """Created with mode 0600 from the start: no moment when another user could open it."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    return path
