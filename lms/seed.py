"""First start with an empty database: the partnership's clinics and locals, demo users, and the course catalogue.

Demo logins are printed once, on that first start. The passwords are random, so no known password ships.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import asyncpg

from lms.accounts import queries as accounts
from lms.accounts import service as account_service
from lms.accounts.schemas import UserCreate
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
LOCALS = [("seiu-521", "SEIU Local 521"), ("seiu-721", "SEIU Local 721"), ("seiu-1021", "SEIU Local 1021"), ("seiu-uhw", "SEIU-UHW")]
DEMO_INSTRUCTOR = "maria.instructor@example.org"
DEMO_USERS = [
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
        await account_service.create_user(conn, UserCreate(
            email=email, display_name=name, role=role, password=password, clinic=clinic, local=local, language=language,
        ))
        logins.append((role, email, password))
    from lms.catalog.loader import publish_catalogue

    published = await publish_catalogue(conn, settings, say=say)
    say(f"Published {published} course(s) from {settings.courses_dir}.")
    from lms.catalog.queries import own_every_course

    # The demo instructor authored the starter catalogue: she owns it (program admins may add co-authors).
    await own_every_course(conn, email=DEMO_INSTRUCTOR)
    say("Demo sign-ins (shown only now; keep them somewhere safe):")
    for role, email, password in logins:
        say(f"  {role:<14} {email:<32} {password}")
    return True
