"""The JSON draft carries its revision: GET answers an ETag, a PUT to an existing course must send it back in
If-Match (428 without), and a PUT based on an older revision is refused with a 409 in the caller's language that names
what the other author changed; nothing of it is saved."""

from __future__ import annotations

import copy

import msgspec

from lms.catalog.course_file import read_course_folder
from tests.conftest import COURSES_DIR
from tests.helpers import make_user, token_for

CODE = "CE-HIPAA-101"
URL = f"/api/v1/authoring/courses/{CODE}/draft"


async def _two_authors(client, conn) -> tuple[dict[str, str], dict[str, str], dict]:
    """Maria (English) creates the course; Pat, a program admin who reads Spanish, may edit it too."""
    maria = await make_user(conn, "maria@example.org", "instructor")
    maria_headers = await token_for(conn, maria.id)
    doc = msgspec.to_builtins(read_course_folder(COURSES_DIR / CODE))
    created = await client.put(URL, json=doc, headers=maria_headers)
    assert created.status_code == 200, created.text
    assert created.headers["etag"].strip('"').isdigit()
    pat = await make_user(conn, "pat@example.org", "program_admin", language="es")
    return maria_headers, await token_for(conn, pat.id), doc


async def test_a_save_based_on_an_older_revision_is_refused_naming_what_the_other_author_changed(client, conn):
    maria, pat, _ = await _two_authors(client, conn)
    maria_read = await client.get(URL, headers=maria)
    pat_read = await client.get(URL, headers=pat)
    assert maria_read.headers["etag"] == pat_read.headers["etag"]

    hers = copy.deepcopy(maria_read.json())
    hers["title"]["en"] = "HIPAA for the front desk"
    quiz = next(a for m in hers["modules"] for a in m["activities"] if a["key"] == "phi-quiz")
    quiz["minutes"] += 5
    saved = await client.put(URL, json=hers, headers={**maria, "If-Match": maria_read.headers["etag"]})
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] != maria_read.headers["etag"]

    his = copy.deepcopy(pat_read.json())
    his["summary"]["en"] = "Pat's summary"
    stale = await client.put(URL, json=his, headers={**pat, "If-Match": pat_read.headers["etag"]})
    assert stale.status_code == 409, stale.text
    problem = stale.json()
    assert problem["field"] == "If-Match" and problem["etag"] == saved.headers["etag"]
    # In Pat's language, naming Maria's changes (not his own: the summary)
    detail = problem["detail"]
    assert "Otra persona" in detail and "título del curso" in detail, detail
    assert "phi-quiz" in detail and "minutos" in detail and "resumen" not in detail, detail
    assert (await client.get(URL, headers=maria)).json() == hers

    # With the new revision his save goes through.
    retried = await client.put(URL, json=his, headers={**pat, "If-Match": problem["etag"]})
    assert retried.status_code == 200
    assert (await client.get(URL, headers=maria)).json()["summary"]["en"] == "Pat's summary"


async def test_changing_an_existing_draft_without_its_revision_is_refused(client, conn):
    maria, _, doc = await _two_authors(client, conn)
    before = await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE)
    changed = dict(doc, title={**doc["title"], "en": "Overwritten"})

    missing = await client.put(URL, json=changed, headers=maria)
    assert missing.status_code == 428 and missing.json()["field"] == "If-Match"
    assert "If-Match" in missing.json()["detail"]

    garbled = await client.put(URL, json=changed, headers={**maria, "If-Match": "yesterday"})
    assert garbled.status_code == 400 and garbled.json()["field"] == "If-Match"

    create_only = await client.put(URL, json=changed, headers={**maria, "If-None-Match": "*"})
    assert create_only.status_code == 412 and CODE in create_only.json()["detail"]
    assert await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE) == before


async def test_the_put_is_documented_with_its_preconditions(client):
    schema = (await client.get("/schema/openapi.json")).json()
    put = schema["paths"][URL.replace(CODE, "{code}")]["put"]
    assert {"409", "412", "428"} <= set(put["responses"])
    assert "ETag" in put["responses"]["200"]["headers"]
    assert {"If-Match", "If-None-Match"} <= {p["name"] for p in put["parameters"] if p["in"] == "header"}
