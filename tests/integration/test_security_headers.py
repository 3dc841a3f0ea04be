"""Every response carries the hardening headers; the CSP allows no inline script."""

from __future__ import annotations

from tests.helpers import make_user, token_for


async def test_pages_and_api_responses_carry_security_headers(client):
    for path in ("/", "/login", "/api/v1/courses", "/static/app.css", "/no-such-page"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_the_object_store_is_the_only_other_origin_allowed(client, settings):
    csp = (await client.get("/")).headers["content-security-policy"]
    store = settings.s3_endpoint_url.rstrip("/")
    assert f"media-src 'self' {store}" in csp and f"connect-src 'self' {store}" in csp


async def test_no_page_has_inline_scripts_or_handlers(client):
    html = (await client.get("/login")).text.lower()
    assert "<script>" not in html and " onclick=" not in html and " style=" not in html


async def test_an_oversized_body_is_refused_not_buffered(client, conn):
    admin = await make_user(conn, "pa@example.org", "program_admin")
    response = await client.post(
        "/api/v1/clinics",
        content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json", **await token_for(conn, admin.id)},
    )
    assert response.status_code == 413
