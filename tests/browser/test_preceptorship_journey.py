"""Preceptorship in a real browser: the partnership assigns a preceptor from its desk; the worker logs supervised
hours on her phone in Spanish; her preceptor returns them with a note, then signs off the corrected hours and
evaluates a competency; the worker sees her hours signed off against what her board requires, and the evaluation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.app import create_app
from lms.clinic_time import today as clinic_today
from lms.embedded.ports import free_port
from tests.browser.conftest import PHONE, shot, sign_in, sql
from tests.helpers import make_clinic, make_user
from tests.integration.test_offline_soak import ServerThread

DESK = {"width": 1280, "height": 900}


@pytest.fixture
async def live(settings, conn):
    await make_clinic(conn, "clinica-romero")
    await make_user(conn, "ana@example.org", "worker", clinic="clinica-romero", name="Ana Pérez", language="es")
    await make_user(conn, "lupe@example.org", "instructor", name="Lupe Preceptora")
    await make_user(conn, "pat@example.org", "program_admin", name="Pat Nguyen")
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url, "settings": served}


def test_a_preceptor_returns_then_signs_supervised_hours_and_evaluates_a_competency(in_browser, live):
    in_browser(lambda chromium: journey(chromium, live))


def journey(chromium, live) -> None:
    base, settings = live["base"], live["settings"]
    yesterday = (clinic_today() - timedelta(days=1)).isoformat()

    # ---- the partnership assigns Lupe as Ana's preceptor for the Registered Dental Assistant hours (80, DBC)
    desk = chromium.new_context(viewport=DESK)
    admin = desk.new_page()
    sign_in(admin, base, "pat@example.org")
    admin.goto(f"{base}/programs")
    admin.select_option("#pr-req", "rda/DBC")
    admin.fill("#pr-worker", "ana@example.org")
    admin.fill("#pr-preceptor", "lupe@example.org")
    admin.click("form[action='/programs/preceptees'] button[type=submit]")
    admin.wait_for_url(re.compile(r"assigned=1"))
    assert "Ana Pérez" in admin.inner_text("section[aria-labelledby=h-preceptorships] table")

    # ---- Ana logs six hours on her phone, in Spanish
    phone = chromium.new_context(viewport=PHONE, locale="es-US")
    ana = phone.new_page()
    sign_in(ana, base, "ana@example.org")
    ana.goto(f"{base}/programs/preceptorship")
    assert "Asistente dental registrada (DBC)" in ana.content()
    ana.fill("#day-1", yesterday)
    ana.fill("#hours-1", "6")
    ana.fill("#activity-1", "Radiografías de aleta de mordida con supervisión")
    ana.click("form[action='/programs/preceptorship/hours'] button[type=submit]")
    ana.wait_for_url(re.compile(r"sent=1"))
    assert "Enviado a su preceptor." in ana.content() and "Esperando a su preceptor" in ana.content()
    shot(ana, "preceptee-hours-sent-es")

    # ---- her preceptor returns them from her desk with a note
    preceptor_context = chromium.new_context(viewport=DESK)
    lupe = preceptor_context.new_page()
    sign_in(lupe, base, "lupe@example.org")
    lupe.goto(f"{base}/programs")
    entry = lupe.locator("form.supervised-entry").first
    entry.locator("input[name=note]").fill("Fueron 4 horas, no 6.")
    entry.locator("button[value=return]").click()
    lupe.wait_for_url(re.compile(r"signed=1"))

    # ---- Ana reads the note and logs the four hours she did
    ana.goto(f"{base}/programs/preceptorship")
    assert "Fueron 4 horas, no 6." in ana.content() and "Devuelta" in ana.content()
    ana.fill("#day-1", yesterday)
    ana.fill("#hours-1", "4")
    ana.fill("#activity-1", "Radiografías de aleta de mordida con supervisión")
    ana.click("form[action='/programs/preceptorship/hours'] button[type=submit]")
    ana.wait_for_url(re.compile(r"sent=1"))

    # ---- the preceptor signs them off and evaluates dental radiography
    lupe.goto(f"{base}/programs")
    lupe.locator("form.supervised-entry").first.locator("button[value=sign]").click()
    lupe.wait_for_url(re.compile(r"signed=1"))
    evaluation = lupe.locator("form[action$='/evaluations']").first
    evaluation.locator("select[name=competency]").select_option("radiography")
    evaluation.locator("select[name=rating]").select_option("3")
    evaluation.locator("input[name=note]").fill("Buena técnica; falta rapidez.")
    evaluation.locator("button[type=submit]").click()
    lupe.wait_for_url(re.compile(r"evaluated=1"))
    shot(lupe, "preceptor-signed-and-evaluated")

    # ---- Ana sees 4 of 80 hours signed off, nothing pending, and the evaluation in Spanish
    ana.goto(f"{base}/programs/preceptorship")
    assert ana.inner_text(".signed-hours") == "4"
    card = ana.inner_text("section.card")
    assert "de 80" in card and "en espera de aprobación" not in card and "Esperando a su preceptor" not in card
    assert "Radiografía dental: Con supervisión: Buena técnica; falta rapidez." in " ".join(card.split())
    shot(ana, "preceptee-signed-off-es")
    statuses = sql(
        settings,
        "SELECT string_agg(status || ':' || minutes, ',' ORDER BY minutes) FROM supervised_hours",
    )
    assert statuses == "signed:240,returned:360"
    desk.close()
    preceptor_context.close()
    phone.close()
