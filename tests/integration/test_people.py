"""People managed in the web: a clinic admin imports a roster of 200 workers (dry run first, every bad line named,
re-import updates), adds a worker without email, deactivates one who left, and changes roles only within her clinic."""

from __future__ import annotations

import re

from tests.helpers import PASSWORD, csrf_from, make_clinic, make_user, sign_in


def roster_csv(n: int, *, bad: bool = False, renamed: bool = False) -> str:
    lines = ["roster_id,name,email,phone,language"]
    for i in range(1, n + 1):
        email = f"worker{i}@example.org" if i % 2 else ""  # half of them have no email
        name = f"Worker {i}" + (" Jr" if renamed and i == 3 else "")
        lines.append(f"E{i:04d},{name},{email},,{'es' if i % 3 else 'en'}")
    if bad:
        lines[5] = "E0005,Worker 5,not-an-email,,es"
        lines[9] = "E0009,,worker9@example.org,,es"
        lines[12] = "E0012,Worker 12,,+1 510,xx"
    return "\n".join(lines) + "\n"


async def _upload(client, text: str, *, confirm: bool = False, csrf: str):
    if confirm:
        return await client.post("/people/import", data={"confirm": "1", "roster": text, "_csrf_token": csrf})
    return await client.post(
        "/people/import", files={"file": ("roster.csv", text.encode(), "text/csv")}, data={"_csrf_token": csrf}
    )


async def test_a_clinic_admin_imports_a_roster_of_200_checks_first_and_reimports_without_duplicates(client, conn):
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "baywell")
    await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns")
    await sign_in(client, "admin@example.org")
    csrf = csrf_from((await client.get("/people/import")).text)

    bad = await _upload(client, roster_csv(200, bad=True), csrf=csrf)
    assert bad.status_code == 400
    problems = re.findall(r"<li>(line \d+: [^<]+)</li>", bad.text)
    assert [p.split(":")[0] for p in problems] == ["line 6", "line 10", "line 13", "line 13"], problems
    assert "email" in problems[0] and "name" in problems[1] and "phone" in problems[2] and "language" in problems[3]
    assert await conn.fetchval("SELECT count(*) FROM users WHERE role = 'worker'") == 0, "nothing half-written"

    text = roster_csv(200)
    checked = await _upload(client, text, csrf=csrf)
    assert checked.status_code == 200 and "200 new workers, 0 updated" in checked.text
    assert await conn.fetchval("SELECT count(*) FROM users WHERE role = 'worker'") == 0, "a dry run writes nothing"
    done = await _upload(client, text, confirm=True, csrf=csrf)
    assert done.status_code == 200 and "Imported: 200 new workers" in done.text
    again = await _upload(client, roster_csv(200, renamed=True), confirm=True, csrf=csrf)
    assert "0 new workers, 200 updated" in again.text
    rows = await conn.fetch(
        "SELECT display_name, email, username, c.slug FROM users u JOIN clinics c ON c.id = u.clinic_id WHERE role = 'worker'"
    )
    assert len(rows) == 200 and {r["slug"] for r in rows} == {"st-johns"}
    assert any(r["display_name"] == "Worker 3 Jr" for r in rows)
    no_email = [r for r in rows if r["email"] is None]
    assert len(no_email) == 100 and all(r["username"].startswith("st-johns-e") for r in no_email)


async def test_a_worker_who_left_is_deactivated_her_records_kept_and_her_sign_in_refused(client, conn, settings):
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "baywell")
    leaving = await make_user(conn, "rosa@example.org", "worker", clinic="st-johns", name="Rosa Díaz")
    other = await make_user(conn, "luz@example.org", "worker", clinic="baywell", name="Luz Vega")
    await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns")
    from litestar.testing import AsyncTestClient

    from lms.app import create_app

    async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as phone:
        assert (await sign_in(phone, "rosa@example.org")).status_code == 303
        await sign_in(client, "admin@example.org")
        page = await client.get("/people")
        assert "Rosa Díaz" in page.text and "Luz Vega" not in page.text
        csrf = csrf_from(page.text)
        assert (await client.post(f"/people/{other.id}/deactivate", data={"_csrf_token": csrf})).status_code == 404
        assert (
            await client.post(f"/people/{leaving.id}/deactivate", data={"_csrf_token": csrf}, follow_redirects=False)
        ).status_code == 303
        assert "Left" in (await client.get("/people?q=Rosa")).text
        assert (await phone.get("/profile", follow_redirects=False)).status_code in (302, 303, 307, 401)
        phone.cookies.clear()
        assert (await sign_in(phone, "rosa@example.org", PASSWORD)).status_code == 400
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM users WHERE id = $1 AND NOT active AND deactivated_at IS NOT NULL", leaving.id
        )
        == 1
    )
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'user.deactivated'") == 1


async def test_roles_change_only_within_the_clinic_and_workers_without_email_can_be_added(client, conn):
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "baywell")
    mine = await make_user(conn, "rosa@example.org", "worker", clinic="st-johns")
    theirs = await make_user(conn, "luz@example.org", "worker", clinic="baywell")
    await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns")
    await sign_in(client, "admin@example.org")
    csrf = csrf_from((await client.get("/people")).text)
    assert (
        await client.post(f"/people/{theirs.id}/role", data={"role": "clinic_admin", "_csrf_token": csrf})
    ).status_code == 404
    assert (
        await client.post(f"/people/{mine.id}/role", data={"role": "program_admin", "_csrf_token": csrf})
    ).status_code == 403
    made = await client.post(
        f"/people/{mine.id}/role", data={"role": "clinic_admin", "_csrf_token": csrf}, follow_redirects=False
    )
    assert made.status_code == 303
    assert await conn.fetchval("SELECT role FROM users WHERE id = $1", mine.id) == "clinic_admin"

    added = await client.post(
        "/people",
        data={"name": "Lupe Ortiz", "roster_id": "A-77", "language": "es", "_csrf_token": csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303
    row = await conn.fetchrow(
        "SELECT email, username, roster_id, role, language FROM users WHERE display_name = 'Lupe Ortiz'"
    )
    assert dict(row) == {
        "email": None,
        "username": "st-johns-a-77",
        "roster_id": "A-77",
        "role": "worker",
        "language": "es",
    }
    refused = await client.post("/people", data={"name": "No Way", "_csrf_token": csrf})
    assert refused.status_code == 400 and "sign-in name" in refused.text


async def test_the_roster_s_bad_lines_are_named_in_the_admin_s_language(client, conn):
    await make_clinic(conn, "st-johns")
    await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns", language="es")
    await make_user(conn, "taken@example.org", "worker", clinic="st-johns")
    await sign_in(client, "admin@example.org")
    csrf = csrf_from((await client.get("/people/import")).text)
    text = roster_csv(20, bad=True).replace("E0003,Worker 3,worker3@example.org", "E0003,Worker 3,taken@example.org", 1)
    bad = await _upload(client, text, csrf=csrf)
    assert bad.status_code == 400
    problems = re.findall(r"<li>(línea \d+: [^<]+)</li>", bad.text)
    assert [p.split(":")[0] for p in problems] == ["línea 4", "línea 6", "línea 10", "línea 13", "línea 13"], problems
    assert "pertenece a otra cuenta" in problems[0] and "no es una dirección de correo electrónico" in problems[1]
    assert "obligatorio" in problems[2] and "código de país" in problems[3] and "no es uno de" in problems[4]
    header = await _upload(client, "id,nombre\n1,Ana\n", csrf=csrf)
    assert header.status_code == 400 and "el encabezado necesita las columnas roster_id, name" in header.text
