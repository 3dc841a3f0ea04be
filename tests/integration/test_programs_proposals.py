"""Apprentice proposals: a clinic admin proposes one of her own clinic's workers for the apprenticeship; the
partnership declines one with a reason and accepts another, which starts her apprenticeship today with the mentor it
names; the clinic admin reads each answer. Another clinic's admin sees none of it; bad input is refused naming the
field, with nothing written."""

from __future__ import annotations

import re

from lms.clinic_time import today as clinic_today
from tests.integration.programs_world import build, get_page, post_form

PAGE = "/programs/proposals"


def proposal_card(html: str, worker: str) -> str:
    cards = re.findall(r'<li class="card proposal".*?</li>', html, re.S)
    return next(c for c in cards if f"<strong>{worker}</strong>" in c)


async def test_a_clinic_proposes_an_apprentice_and_the_partnership_answers(client, conn):
    world = await build(conn)
    clinic, partnership = world["admin_a"], world["program"]
    ana, bea, carl = world["ana"], world["bea"], world["carl"]

    form = (await get_page(client, PAGE, clinic)).text
    offered = re.search(r'<select id="p-worker".*?</select>', form, re.S).group(0)
    assert ana.name in offered and bea.name in offered and carl.name not in offered

    # bad input names the field and writes nothing: another clinic's worker, no worker, no program, a long note
    for data, field, status in (
        ({"worker": str(carl.id), "program": "chw"}, "worker", 400),
        ({"worker": str(world["mentor"].id), "program": "chw"}, "worker", 400),
        ({"worker": "Bea", "program": "chw"}, "worker", 400),
        ({"worker": str(bea.id), "program": "no-such"}, "program", 400),
        ({"worker": str(bea.id), "program": "chw", "note": "x" * 1001}, "note", 400),
    ):
        refused = await post_form(client, PAGE, clinic, data)
        assert refused.status_code == status and field in refused.text, (data, refused.status_code)
    assert await conn.fetchval("SELECT count(*) FROM apprentice_proposals") == 0

    for who in (bea, ana):
        sent = await post_form(client, PAGE, clinic, {"worker": str(who.id), "program": "chw", "note": "Ready"})
        assert sent.status_code == 303 and sent.headers["location"] == f"{PAGE}?proposed=1"
    again = await post_form(client, PAGE, clinic, {"worker": str(bea.id), "program": "chw"})
    assert again.status_code == 409 and "worker" in again.text
    mine = (await get_page(client, f"{PAGE}?proposed=1", clinic)).text
    assert "Waiting for the partnership" in proposal_card(mine, bea.name)
    # another clinic's admin sees none of it; workers and program admins do not propose
    assert bea.name not in (await get_page(client, PAGE, world["admin_b"])).text
    for who in ("ana", "mentor", "program"):
        tried = await post_form(client, PAGE, world[who], {"worker": str(bea.id), "program": "chw"})
        assert tried.status_code in (302, 303, 401, 403) and "proposed=1" not in tried.headers.get("location", "")

    ids = {r["user_id"]: r["id"] for r in await conn.fetch("SELECT id, user_id FROM apprentice_proposals")}
    desk = (await get_page(client, PAGE, partnership)).text
    assert f'action="{PAGE}/{ids[bea.id]}/decision"' in proposal_card(desk, bea.name)
    # the clinic admin cannot answer her own proposal
    assert (
        await post_form(client, f"{PAGE}/{ids[ana.id]}/decision", clinic, {"decision": "decline", "reason": "No"})
    ).status_code == 403

    # declined: a reason is needed, and the clinic reads it
    no_reason = await post_form(client, f"{PAGE}/{ids[ana.id]}/decision", partnership, {"decision": "decline"})
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    declined = await post_form(
        client,
        f"{PAGE}/{ids[ana.id]}/decision",
        partnership,
        {"decision": "decline", "reason": "The 2027 cohort is full; propose her again in the spring"},
    )
    assert declined.status_code == 303
    card = proposal_card((await get_page(client, PAGE, clinic)).text, ana.name)
    assert "Declined" in card and "The 2027 cohort is full; propose her again in the spring" in card

    # accepted: the mentor must be an active user other than the apprentice
    for data, field in (
        ({"decision": "accept"}, "mentor"),
        ({"decision": "accept", "mentor": "nobody@example.org"}, "mentor"),
        ({"decision": "accept", "mentor": bea.email}, "mentor"),
        ({"decision": "maybe", "mentor": world["mentor"].email}, "decision"),
    ):
        refused = await post_form(client, f"{PAGE}/{ids[bea.id]}/decision", partnership, data)
        assert refused.status_code == 400 and field in refused.text, (data, refused.text[:300])
    assert await conn.fetchval("SELECT count(*) FROM apprenticeships") == 0
    accepted = await post_form(
        client, f"{PAGE}/{ids[bea.id]}/decision", partnership, {"decision": "accept", "mentor": world["mentor"].email}
    )
    assert accepted.status_code == 303
    started = await conn.fetchrow("SELECT id, user_id, mentor_id, clinic_id, starts_on, status FROM apprenticeships")
    assert accepted.headers["location"] == f"/programs/apprentices/{started['id']}?started=1"
    assert (
        started["user_id"],
        started["mentor_id"],
        started["clinic_id"],
        started["starts_on"],
        started["status"],
    ) == (
        bea.id,
        world["mentor"].id,
        world.clinics["clinic-a"],
        clinic_today(),
        "active",
    )
    card = proposal_card((await get_page(client, PAGE, clinic)).text, bea.name)
    assert "Accepted" in card and f'href="/programs/apprentices/{started["id"]}"' in card
    assert "Apprenticeship started on" in card
    # she sees her apprenticeship; her clinic sees the record; an answered proposal stays answered
    assert "Community Health Worker" in (await get_page(client, "/programs/apprenticeship", bea)).text
    assert (await get_page(client, f"/programs/apprentices/{started['id']}", clinic)).status_code == 200
    twice = await post_form(
        client, f"{PAGE}/{ids[bea.id]}/decision", partnership, {"decision": "decline", "reason": "Changed my mind"}
    )
    assert twice.status_code == 409
    in_program = await post_form(client, PAGE, clinic, {"worker": str(bea.id), "program": "chw"})
    assert in_program.status_code == 409 and "already an apprentice" in in_program.text

    actions = [
        r["action"]
        for r in await conn.fetch("SELECT action FROM audit_log WHERE action LIKE 'apprenticeship.%' ORDER BY id")
    ]
    assert actions == [
        "apprenticeship.proposed",
        "apprenticeship.proposed",
        "apprenticeship.proposal_declined",
        "apprenticeship.proposal_accepted",
    ]
