"""Signing in with a browser, API tokens, and clinic boundaries, against the real PostgreSQL."""

from __future__ import annotations

import base64

from tests.helpers import PASSWORD, csrf_from, make_clinic, make_user, sign_in, token_for


async def test_a_user_made_with_the_cli_signs_in_and_gets_an_api_token(client, conn):
    await make_clinic(conn, "st-johns")
    await make_user(conn, "ana@example.org", "worker", clinic="st-johns", name="Ana Martínez")

    signed_in = await sign_in(client, "ana@example.org")
    assert signed_in.status_code in (302, 303)
    cookie_header = signed_in.headers.get("set-cookie", "")
    assert (
        "lms_session=" in cookie_header
        and "HttpOnly" in cookie_header
        and "SameSite=lax" in cookie_header.replace("Lax", "lax")
    )

    profile = await client.get("/profile")
    assert profile.status_code == 200 and "Ana Martínez" in profile.text
    created = await client.post("/profile/tokens", data={"label": "phone", "_csrf_token": csrf_from(profile.text)})
    token = created.text.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("lms_")

    client.cookies.clear()
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == "ana@example.org"
    basic = base64.b64encode(f"ana@example.org:{token}".encode()).decode()
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Basic {basic}"})).status_code == 200


async def test_the_token_is_stored_only_as_a_hash(client, conn):
    await make_clinic(conn, "st-johns")
    user = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    headers = await token_for(conn, user.id)
    token = headers["Authorization"].split()[1]
    stored = await conn.fetchval("SELECT token_hash FROM api_tokens")
    assert token.encode() not in stored and len(stored) == 32


async def test_a_revoked_token_is_refused(client, conn):
    await make_clinic(conn, "st-johns")
    user = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    headers = await token_for(conn, user.id)
    tokens = (await client.get("/api/v1/me/tokens", headers=headers)).json()
    assert (await client.delete(f"/api/v1/me/tokens/{tokens[0]['id']}", headers=headers)).status_code == 204
    refused = await client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")


async def test_a_wrong_password_is_refused_and_counted_against_the_account_and_the_address(client, conn):
    await make_clinic(conn, "st-johns")
    await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    for _ in range(2):
        wrong = await sign_in(client, "ana@example.org", "not the password")
        assert wrong.status_code == 400 and "do not match" in wrong.text
    failures = await conn.fetch("SELECT email_hash, address_hash FROM login_failures")
    assert len(failures) == 2 and all(f["address_hash"] for f in failures)
    assert b"ana" not in failures[0]["email_hash"]
    # throttling itself: tests/integration/test_account_recovery.py


async def test_a_form_post_without_the_csrf_token_is_refused(client, conn):
    await make_clinic(conn, "st-johns")
    await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    await client.get("/login")
    refused = await client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert refused.status_code == 403
    assert "lms_session" not in refused.headers.get("set-cookie", "")


async def test_signing_out_ends_the_session_on_the_server(client, conn):
    await make_clinic(conn, "st-johns")
    await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    await sign_in(client, "ana@example.org")
    session = client.cookies.get("lms_session")
    profile = await client.get("/profile")
    await client.post("/logout", data={"_csrf_token": csrf_from(profile.text)})
    client.cookies.set("lms_session", session)
    after = await client.get("/profile", follow_redirects=False, headers={"accept": "text/html"})
    assert after.status_code in (302, 303, 307) and after.headers["location"].startswith("/login")


async def test_a_clinic_admin_is_refused_another_clinics_worker(client, conn):
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "clinica-romero")
    own = await make_user(conn, "own@example.org", "worker", clinic="st-johns")
    other = await make_user(conn, "other@example.org", "worker", clinic="clinica-romero")
    admin = await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns")
    headers = await token_for(conn, admin.id)

    assert (await client.get(f"/api/v1/users/{own.id}", headers=headers)).status_code == 200
    assert (await client.get(f"/api/v1/users/{other.id}", headers=headers)).status_code == 404
    listed = {u["email"] for u in (await client.get("/api/v1/users", headers=headers)).json()}
    assert "own@example.org" in listed and "other@example.org" not in listed


async def test_a_worker_may_not_list_users_or_create_clinics(client, conn):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "w@example.org", "worker", clinic="st-johns")
    headers = await token_for(conn, worker.id)
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 403
    assert (
        await client.post("/api/v1/clinics", json={"slug": "x-clinic", "name": "X"}, headers=headers)
    ).status_code == 403
    assert (await client.get("/api/v1/users")).status_code == 401


async def test_bad_json_names_the_field_and_never_500s(client, conn):
    admin = await make_user(conn, "pa@example.org", "program_admin")
    headers = await token_for(conn, admin.id)
    unknown = await client.post(
        "/api/v1/clinics", json={"slug": "ok-clinic", "name": "OK", "ssn": "1"}, headers=headers
    )
    assert unknown.status_code == 400 and "ssn" in unknown.json()["detail"]
    wrong_type = await client.post("/api/v1/clinics", json={"slug": 5, "name": "OK"}, headers=headers)
    assert wrong_type.status_code == 400 and "slug" in wrong_type.json()["detail"]
    broken = await client.post(
        "/api/v1/clinics", content=b"{not json", headers={**headers, "content-type": "application/json"}
    )
    assert broken.status_code == 400
    made = await client.post("/api/v1/clinics", json={"slug": "ok-clinic", "name": "OK"}, headers=headers)
    assert made.status_code == 201
    again = await client.post("/api/v1/clinics", json={"slug": "ok-clinic", "name": "OK"}, headers=headers)
    assert again.status_code == 409 and again.json()["field"] == "slug"


async def test_the_language_switch_is_remembered_in_the_profile(client, conn):
    await make_clinic(conn, "st-johns")
    user = await make_user(conn, "ana@example.org", "worker", clinic="st-johns", language="en")
    await sign_in(client, "ana@example.org")
    home = await client.get("/")
    await client.post("/language", data={"language": "es", "next": "/", "_csrf_token": csrf_from(home.text)})
    assert await conn.fetchval("SELECT language FROM users WHERE id = $1", user.id) == "es"
    client.cookies.delete("lms_lang")
    assert '<html lang="es">' in (await client.get("/")).text
