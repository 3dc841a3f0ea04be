"""Preceptorship over HTTP: a program admin assigns a preceptor for a role and board; the worker logs supervised hours;
her preceptor returns an entry with a note and signs another off; only signed hours count toward the role's required
hours; the preceptor evaluates a competency; no one else can sign or evaluate."""

from __future__ import annotations

import re
from datetime import timedelta

from lms.clinic_time import today as clinic_today
from tests.integration.programs_world import build, get_page, post_form


async def test_supervised_hours_are_signed_off_and_evaluated_by_the_preceptor(client, conn):
    world = await build(conn)
    none_yet = await post_form(
        client,
        "/programs/preceptorship/hours",
        world["ana"],
        {"day": clinic_today().isoformat(), "hours": "4", "activity": "Triage"},
    )
    assert none_yet.status_code == 400 and "preceptor assignment" in none_yet.text
    not_admin = await post_form(client, "/programs/preceptees", world["admin_a"], {"worker": "ana@example.org"})
    assert not_admin.status_code == 403
    assigned = await post_form(
        client,
        "/programs/preceptees",
        world["program"],
        {
            "worker": "ana@example.org",
            "preceptor": "mentor@example.org",
            "requirement": "rda/DBC",
            "starts_on": clinic_today().isoformat(),
        },
    )
    assert assigned.status_code == 303, assigned.text

    for hours, activity in (("4", "Coronal polishing with Dr. Vega"), ("3.5", "Radiographs, full mouth series")):
        sent = await post_form(
            client,
            "/programs/preceptorship/hours",
            world["ana"],
            {"day": (clinic_today() - timedelta(days=1)).isoformat(), "hours": hours, "activity": activity},
        )
        assert sent.status_code == 303, sent.text
    bad = await post_form(
        client,
        "/programs/preceptorship/hours",
        world["ana"],
        {"day": clinic_today().isoformat(), "hours": "17", "activity": "x y"},
    )
    assert bad.status_code == 400 and "16 hours" in bad.text
    first, second = [r["id"] for r in await conn.fetch("SELECT id FROM supervised_hours ORDER BY minutes DESC")]

    assert (
        await post_form(client, f"/programs/hours/{first}/decision", world["bea"], {"decision": "sign"})
    ).status_code == 404
    assert (
        await post_form(client, f"/programs/hours/{first}/decision", world["admin_a"], {"decision": "sign"})
    ).status_code == 404
    home = await get_page(client, "/programs", world["mentor"])
    assert "Workers I precept" in home.text and "Coronal polishing with Dr. Vega" in home.text
    assert (
        await post_form(client, f"/programs/hours/{first}/decision", world["mentor"], {"decision": "sign"})
    ).status_code == 303
    returned = await post_form(
        client,
        f"/programs/hours/{second}/decision",
        world["mentor"],
        {"decision": "return", "note": "That was 2.5 hours; log it again."},
    )
    assert returned.status_code == 303
    assert (
        await post_form(client, f"/programs/hours/{first}/decision", world["mentor"], {"decision": "sign"})
    ).status_code == 409

    preceptorship_id = await conn.fetchval("SELECT id FROM preceptorships")
    unknown = await post_form(
        client,
        f"/programs/preceptees/{preceptorship_id}/evaluations",
        world["mentor"],
        {"competency": "juggling", "rating": "3"},
    )
    assert unknown.status_code == 400
    assert (
        await post_form(
            client,
            f"/programs/preceptees/{preceptorship_id}/evaluations",
            world["admin_a"],
            {"competency": "radiography", "rating": "3"},
        )
    ).status_code == 404
    evaluated = await post_form(
        client,
        f"/programs/preceptees/{preceptorship_id}/evaluations",
        world["mentor"],
        {"competency": "radiography", "rating": "3", "note": "Good positioning."},
    )
    assert evaluated.status_code == 303

    page = (await get_page(client, "/programs/preceptorship", world["ana"])).text
    assert re.search(r'class="signed-hours">4<', page) and "of 80" in page  # only the signed entry counts
    assert "That was 2.5 hours; log it again." in page and "With supervision" in page and "Good positioning." in page
    clinic_view = (await get_page(client, "/programs", world["admin_a"])).text
    assert "Ana Apprentice" in clinic_view and "4 / 80" in clinic_view
    assert "Ana Apprentice" not in (await get_page(client, "/programs", world["admin_b"])).text
