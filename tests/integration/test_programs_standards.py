"""A program admin changes the programs' standards in the web: a year's tuition cap, the supervised hours a role
requires, an apprenticeship program's hours; each change shows at once, is audited, and bad numbers are refused with
the field named. No one else may change them."""

from __future__ import annotations

import pytest

from tests.integration.programs_world import build, get_page, post_form


@pytest.fixture
async def world(conn):
    return await build(conn)


async def test_a_program_admin_sets_caps_supervision_hours_and_apprenticeship_hours(client, conn, world):
    page = await get_page(client, "/programs/standards", world["program"])
    assert page.status_code == 200 and "$5,250.00" in page.text and 'value="2000"' in page.text

    saved = await post_form(client, "/programs/standards/caps", world["program"], {"year": "2029", "cap": "6,000"})
    assert saved.status_code == 303
    assert await conn.fetchval("SELECT cap_cents FROM tuition_caps WHERE year = 2029") == 600000
    await post_form(client, "/programs/standards/caps", world["program"], {"year": "2027", "cap": "4800.50"})
    assert await conn.fetchval("SELECT cap_cents FROM tuition_caps WHERE year = 2027") == 480050

    await post_form(
        client, "/programs/standards/supervision", world["program"], {"requirement": "rn/BRN", "required_hours": "150"}
    )
    assert (
        await conn.fetchval(
            "SELECT required_hours FROM supervision_requirements WHERE role_key = 'rn' AND board = 'BRN'"
        )
        == 150
    )

    await post_form(
        client,
        "/programs/standards/apprenticeship",
        world["program"],
        {"program": "chw", "model": "competency", "ojt_hours": "1500", "ri_hours": "160"},
    )
    row = await conn.fetchrow("SELECT model, ojt_hours, ri_hours FROM apprenticeship_programs WHERE key = 'chw'")
    assert tuple(row) == ("competency", 1500, 160)
    shown = await get_page(client, "/programs/standards", world["program"])
    assert "$6,000.00" in shown.text and 'value="1500"' in shown.text and "150" in shown.text

    actions = await conn.fetchval(
        "SELECT array_agg(action ORDER BY action) FROM audit_log WHERE action LIKE 'programs.%'"
    )
    assert actions == [
        "programs.apprenticeship_standard_set",
        "programs.supervision_hours_set",
        "programs.tuition_cap_set",
        "programs.tuition_cap_set",
    ]


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/programs/standards/caps", {"year": "1999", "cap": "5000"}, "year"),
        ("/programs/standards/caps", {"year": "2029", "cap": "-5"}, "cap"),
        ("/programs/standards/caps", {"year": "2029", "cap": "5000.001"}, "cap"),
        ("/programs/standards/caps", {"year": "2029", "cap": "NaN"}, "cap"),
        ("/programs/standards/supervision", {"requirement": "rn/BRN", "required_hours": "0"}, "required_hours"),
        ("/programs/standards/supervision", {"requirement": "pilot/FAA", "required_hours": "10"}, "requirement"),
        (
            "/programs/standards/apprenticeship",
            {"program": "chw", "model": "vibes", "ojt_hours": "10", "ri_hours": "1"},
            "model",
        ),
        (
            "/programs/standards/apprenticeship",
            {"program": "chw", "model": "time", "ojt_hours": "20001", "ri_hours": "1"},
            "ojt_hours",
        ),
        (
            "/programs/standards/apprenticeship",
            {"program": "nope", "model": "time", "ojt_hours": "10", "ri_hours": "1"},
            "program",
        ),
    ],
)
async def test_bad_numbers_are_refused_naming_the_field_and_nothing_changes(client, conn, world, url, data, field):
    before = await conn.fetchval(
        """SELECT md5(concat((SELECT json_agg(t ORDER BY year) FROM tuition_caps t),
                             (SELECT json_agg(s ORDER BY role_key, board) FROM supervision_requirements s),
                             (SELECT json_agg(p ORDER BY key) FROM apprenticeship_programs p)))"""
    )
    refused = await post_form(client, url, world["program"], data)
    assert refused.status_code == 400 and field in refused.text
    after = await conn.fetchval(
        """SELECT md5(concat((SELECT json_agg(t ORDER BY year) FROM tuition_caps t),
                             (SELECT json_agg(s ORDER BY role_key, board) FROM supervision_requirements s),
                             (SELECT json_agg(p ORDER BY key) FROM apprenticeship_programs p)))"""
    )
    assert after == before


async def test_only_program_admins_change_the_standards(client, conn, world):
    for who in ("ana", "mentor", "admin_a"):
        assert (await get_page(client, "/programs/standards", world[who])).status_code == 403
        refused = await post_form(client, "/programs/standards/caps", world[who], {"year": "2029", "cap": "1"})
        assert refused.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM tuition_caps WHERE year = 2029") == 0
