"""CSRF on the JSON API and xAPI: a browser's session cookie alone never changes anything there; the page's CSRF token
in the X-CSRFToken header must come with it. API token (Bearer or Basic) clients and anonymous public calls are
unaffected, since nothing the browser sends on its own signs them in."""

from __future__ import annotations

import base64

from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for


async def _signed_in_admin(client, conn):
    await make_clinic(conn, "clinic-a")
    await make_user(conn, "pat@example.org", "program_admin")
    target = await make_user(conn, "ana@example.org", "worker", clinic="clinic-a")
    assert (await sign_in(client, "pat@example.org")).status_code in (302, 303)
    return target


async def test_a_cookie_alone_changes_nothing_through_the_api(client, conn):
    target = await _signed_in_admin(client, conn)
    # What another same-site origin can make a browser send: a body-less text/plain POST carrying only the cookies.
    forged = {"content-type": "text/plain"}
    promote = await client.post(f"/api/v1/users/{target.id}/role?role=program_admin", headers=forged)
    assert promote.status_code == 403 and "CSRF" in promote.json()["detail"]
    minted = await client.post("/api/v1/me/tokens", content=b'{"label": "x"}', headers=forged)
    assert minted.status_code == 403
    statements = await client.post(
        "/xapi/statements", content=b"[]", headers={**forged, "X-Experience-API-Version": "1.0.3"}
    )
    assert statements.status_code == 403
    # A token that does not match the signed cookie is refused as well.
    wrong = await client.post(f"/api/v1/users/{target.id}/role?role=program_admin", headers={"x-csrftoken": "0" * 128})
    assert wrong.status_code == 403
    assert await conn.fetchval("SELECT role FROM users WHERE id = $1", target.id) == "worker"
    assert await conn.fetchval("SELECT count(*) FROM api_tokens") == 0

    # The same calls from the service's own pages (the token of the page, sent as a header) go through.
    token = csrf_from((await client.get("/")).text)
    promoted = await client.post(f"/api/v1/users/{target.id}/role?role=instructor", headers={"x-csrftoken": token})
    assert promoted.status_code == 200, promoted.text
    assert await conn.fetchval("SELECT role FROM users WHERE id = $1", target.id) == "instructor"
    # Reading needs no token.
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_token_basic_and_anonymous_clients_need_no_csrf_token(client, conn):
    await make_clinic(conn, "clinic-a")
    admin = await make_user(conn, "pat@example.org", "program_admin")
    headers = await token_for(conn, admin.id)
    created = await client.post("/api/v1/me/tokens", json={"label": "script"}, headers=headers)
    assert created.status_code in (200, 201), created.text
    token = headers["Authorization"].removeprefix("Bearer ")
    basic = {
        "Authorization": "Basic " + base64.b64encode(f"lrs:{token}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
    }
    assert (await client.post("/xapi/statements", json=[], headers=basic)).status_code != 403
    # Anonymous public verification: no cookie, no token, no CSRF needed.
    verify = await client.post("/api/v1/credentials/verify", json={"code": "NOPE-NOPE"})
    assert verify.status_code != 403, verify.text
