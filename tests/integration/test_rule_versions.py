"""A new version of a board's rule is data: inserted rows, no code. A cycle that started before its effective date keeps
the old rule; the next cycle is judged by the new one. The Dental Board's first renewal after licensure is exempt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.clinic_time import today as clinic_today
from lms.credit.rules import add_months
from tests.helpers import make_clinic, make_user, token_for

pytestmark = pytest.mark.usefixtures("settings")


async def test_a_new_rule_version_applies_to_cycles_starting_after_it_and_the_first_renewal_is_exempt(client, conn):
    await make_clinic(conn, "st-johns")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="st-johns", name="Ana Pérez")
    bea = await make_user(conn, "bea@example.org", "worker", clinic="st-johns", name="Bea Cruz")
    admin = await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns")
    headers = {u.email: await token_for(conn, u.id) for u in (ana, bea, admin)}
    today = clinic_today()
    changed_on = today - timedelta(days=100)
    # The Board raises the RDA renewal to 30 units for cycles starting on or after `changed_on`: rows only.
    await conn.execute(
        """INSERT INTO credential_requirements (credential, name, body, units, cycle_months, max_non_live_share, rule_text, source,
                                                effective_from, version_of, first_renewal_exempt)
           SELECT 'RDA_NEW', name, body, 30, cycle_months, max_non_live_share, '30 units per 2-year renewal', source, $1, 'RDA', true
           FROM credential_requirements WHERE credential = 'RDA'""",
        changed_on,
    )
    await conn.execute("""INSERT INTO credential_category_minimums (credential, category, min_units, needs_live, must_be_current)
                          SELECT 'RDA_NEW', category, min_units, needs_live, must_be_current FROM credential_category_minimums
                          WHERE credential = 'RDA'""")
    await conn.execute("UPDATE credential_requirements SET effective_until = $1 WHERE credential = 'RDA'", changed_on)
    # Ana's cycle began a year ago (before the change), Bea's a month ago (after it).
    for who, start in (
        ("ana@example.org", today - timedelta(days=365)),
        ("bea@example.org", today - timedelta(days=30)),
    ):
        user_id = ana.id if who.startswith("ana") else bea.id
        put = await client.put(
            f"/api/v1/clinic/workers/{user_id}/credentials",
            headers=headers["admin@example.org"],
            json={"credential": "RDA", "cycle_start": start.isoformat()},
        )
        assert put.status_code == 200, put.text
    required = {}
    for who in ("ana@example.org", "bea@example.org"):
        renewal = (await client.get("/api/v1/me/transcript", headers=headers[who])).json()["renewals"][0]
        required[who] = (renewal["credential"], renewal["required"], renewal["rule_text"][:8])
    assert required == {"ana@example.org": ("RDA", 25, "25 units"), "bea@example.org": ("RDA", 30, "30 units")}
    # A version is not a credential a clinic records for someone.
    refused = await client.put(
        f"/api/v1/clinic/workers/{ana.id}/credentials",
        headers=headers["admin@example.org"],
        json={"credential": "RDA_NEW", "cycle_start": today.isoformat()},
    )
    assert refused.status_code == 400 and refused.json()["field"] == "credential"

    # Bea was licensed within this cycle: her first renewal is exempt; a licence date in the future is refused.
    future = await client.put(
        f"/api/v1/clinic/workers/{bea.id}/credentials",
        headers=headers["admin@example.org"],
        json={
            "credential": "RDA",
            "cycle_start": (today - timedelta(days=30)).isoformat(),
            "licensed_on": (today + timedelta(days=3)).isoformat(),
        },
    )
    assert future.status_code == 400 and future.json()["field"] == "licensed_on"
    licensed = await client.put(
        f"/api/v1/clinic/workers/{bea.id}/credentials",
        headers=headers["admin@example.org"],
        json={
            "credential": "RDA",
            "cycle_start": (today - timedelta(days=30)).isoformat(),
            "licensed_on": (today - timedelta(days=20)).isoformat(),
        },
    )
    assert licensed.status_code == 200 and licensed.json()["licensed_on"] == (today - timedelta(days=20)).isoformat()
    renewal = (await client.get("/api/v1/me/transcript", headers=headers["bea@example.org"])).json()["renewals"][0]
    assert renewal["exempt"] and renewal["meets"] and renewal["shortfalls"] == []
    assert renewal["cycle_end"] == add_months(today - timedelta(days=30), 24).isoformat()
    page = await client.get("/clinic/credit", headers={**headers["admin@example.org"], "accept": "text/html"})
    assert "first renewal: exempt" in page.text
