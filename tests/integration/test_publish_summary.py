"""Publishing says what it does: before confirming, the instructor reads what changed since the version learners get
today, who stays on their version, and the credit the new version carries; then exactly that draft is published."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import COURSES_DIR
from tests.helpers import (
    csrf_from,
    fingerprint_from,
    make_clinic,
    make_owner,
    make_user,
    publish_folder,
    put_draft,
    sign_in,
    token_for,
)

CODE = "DA-IC-101"


def row(html: str, attribute: str, value: str) -> str:
    found = re.search(rf'<tr {attribute}="{re.escape(value)}"[^>]*>(.*?)</tr>', html, flags=re.S)
    assert found, f"no row {attribute}={value}"
    return found.group(0)


def cells(row_html: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, flags=re.S)
    ]


async def _course_with_learners(client, conn):
    """DA-IC-101 version 1, owned by María, with two workers enrolled in it; the draft then loses the skills
    checkoff, gains a 20-minute lesson, and one lesson takes 7 minutes instead of 5."""
    await publish_folder(conn, COURSES_DIR / CODE)
    maria = await make_user(conn, "maria@example.org", "instructor")
    await make_owner(conn, CODE, maria.id)
    await make_clinic(conn, "clinica-romero")
    for email in ("ana@example.org", "luis@example.org"):
        worker = await make_user(conn, email, "worker", clinic="clinica-romero")
        enrolled = await client.post(
            "/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, worker.id)
        )
        assert enrolled.status_code == 201, enrolled.text
    api = await token_for(conn, maria.id)
    draft = (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=api)).json()
    last = draft["modules"][-1]["activities"]
    checkoff = next(a for a in last if a["kind"] == "checkoff")
    last.remove(checkoff)
    first = draft["modules"][0]["activities"]
    first[0]["minutes"] = 7
    first.append(
        {
            "kind": "lesson",
            "key": "sharps-safety",
            "minutes": 20,
            "title": {"en": "Sharps safety", "es": "Seguridad con objetos punzantes"},
            "body": {"en": "Never recap a needle.", "es": "Nunca vuelva a tapar una aguja."},
        }
    )
    saved = await put_draft(client, CODE, draft, api)
    assert saved.status_code == 200, saved.text
    await sign_in(client, "maria@example.org")
    return api, draft, first[0]["key"], checkoff["key"]


async def test_the_summary_names_changes_minutes_learners_who_stay_and_credit_then_publishes(client, conn):
    _api, draft, changed_key, removed_key = await _course_with_learners(client, conn)
    summary = await client.get(f"/author/{CODE}/publish")
    assert summary.status_code == 200, summary.text
    html = summary.text
    assert "version 1" in html and "Publish version 2" in html

    assert "Added" in row(html, "data-activity", "sharps-safety") and 'data-change="added"' in html
    removed = row(html, "data-activity", removed_key)
    assert 'data-change="removed"' in removed and cells(removed)[-2:] == ["10", "—"]
    changed = row(html, "data-activity", changed_key)
    assert 'data-change="changed"' in changed and "minutes" in cells(changed)[2] and cells(changed)[-2:] == ["5", "7"]
    # 120 minutes before (50 online, 70 live); now 120 - 10 + 2 + 20 = 132 (72 online, 60 live)
    assert re.search(r"<td>120</td><td data-total>132</td>", html)
    assert "60 minutes in person" in html and "72 minutes online" in html

    assert 'data-pinned="2"' in html and "2 learners enrolled in earlier versions stay on them" in html
    assert "2 of them have not completed yet" in html

    # Dental Board: 1 unit an hour, floored to 0.1 (132/60 = 2.2, 1 of it live; before 120/60 = 2);
    # IACET: 1 CEU per 600 minutes, floored to 0.1 (0.22 -> 0.2; before 0.2)
    dbc, iacet = cells(row(html, "data-body", "DBC")), cells(row(html, "data-body", "IACET"))
    assert dbc[1] == "RP-5621" and dbc[2].startswith("2.2 units") and dbc[3] == "1 / 1.2" and dbc[4] == "2"
    assert iacet[2].startswith("0.2 CEU") and iacet[4] == "0.2"

    published = await client.post(
        f"/author/{CODE}/publish",
        follow_redirects=False,
        data={"_csrf_token": csrf_from(html), "fingerprint": fingerprint_from(html)},
    )
    assert published.status_code == 303 and published.headers["location"].endswith("published=2")
    v2 = await conn.fetchrow("SELECT v.total_minutes FROM course_versions v WHERE v.version = 2")
    assert v2["total_minutes"] == 132
    # the two workers are still on version 1
    assert (
        await conn.fetchval("""SELECT count(*) FROM enrollments e JOIN course_versions v ON v.id = e.version_id
                                  WHERE v.version = 1""")
        == 2
    )

    after = (await client.get(f"/author/{CODE}/publish")).text
    assert "compared with version 2" in after and "0 activities added" in after and "0 changed" in after


async def test_a_draft_changed_after_the_summary_is_not_published_until_the_new_summary_is_read(client, conn):
    api, draft, _changed, _removed = await _course_with_learners(client, conn)
    summary = (await client.get(f"/author/{CODE}/publish")).text
    draft["modules"][0]["activities"][0]["minutes"] = 9  # a co-author saves meanwhile
    assert (await put_draft(client, CODE, draft, api)).status_code == 200

    stale = await client.post(
        f"/author/{CODE}/publish",
        follow_redirects=False,
        data={"_csrf_token": csrf_from(summary), "fingerprint": fingerprint_from(summary)},
    )
    assert stale.status_code == 409 and "The draft changed since this summary was made" in stale.text
    assert await conn.fetchval("SELECT count(*) FROM course_versions") == 1
    assert re.search(r"<td>5</td><td>9</td>", stale.text)  # the page now shows the draft as it is

    again = await client.post(
        f"/author/{CODE}/publish",
        follow_redirects=False,
        data={"_csrf_token": csrf_from(stale.text), "fingerprint": fingerprint_from(stale.text)},
    )
    assert again.status_code == 303
    missing = await client.post(
        f"/author/{CODE}/publish", follow_redirects=False, data={"_csrf_token": csrf_from(stale.text)}
    )
    assert missing.status_code == 409 and await conn.fetchval("SELECT count(*) FROM course_versions") == 2


async def test_an_untranslated_draft_shows_what_is_missing_and_no_publish_button(client, conn):
    api, draft, _changed, _removed = await _course_with_learners(client, conn)
    draft["modules"][0]["activities"][-1]["title"].pop("es")
    assert (await put_draft(client, CODE, draft, api)).status_code == 200
    await client.post(
        "/language", data={"language": "es", "next": "/", "_csrf_token": csrf_from((await client.get("/login")).text)}
    )
    html = (await client.get(f"/author/{CODE}/publish")).text
    assert "Este borrador todavía no se puede publicar" in html and "ES: Falta 1 texto" in html
    assert "sharps-safety" in html and 'name="fingerprint"' not in html


async def test_a_new_course_has_nothing_to_compare_and_no_one_enrolled(client, conn):
    maria = await make_user(conn, "maria@example.org", "instructor")
    api = await token_for(conn, maria.id)
    doc = {
        "code": "NEW-101",
        "track": "CE",
        "languages": ["en"],
        "title": {"en": "New"},
        "summary": {"en": "A new course."},
        "modules": [
            {
                "key": "m",
                "title": {"en": "M"},
                "activities": [
                    {
                        "kind": "in_person",
                        "key": "lab",
                        "minutes": 90,
                        "title": {"en": "Lab"},
                        "description": {"en": "Practice."},
                    }
                ],
            }
        ],
        "approvals": [
            {"body": "IACET", "provider_number": "I-1", "approved_from": "2020-01-01", "approved_until": "2021-01-01"}
        ],
    }
    assert (await client.put("/api/v1/authoring/courses/NEW-101/draft", json=doc, headers=api)).status_code == 200
    await sign_in(client, "maria@example.org")
    html = unescape((await client.get("/author/NEW-101/publish")).text)
    assert "This is the course's first version." in html and 'data-pinned="0"' in html
    iacet = cells(row(html, "data-body", "IACET"))
    assert iacet[2].startswith("0.1 CEU") and "Not in effect today" in iacet[5]


async def test_someone_elses_course_has_no_summary(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_user(conn, "pablo@example.org", "instructor")
    await sign_in(client, "pablo@example.org")
    assert (await client.get(f"/author/{CODE}/publish")).status_code == 404
    page = await client.get("/login")
    refused = await client.post(
        f"/author/{CODE}/publish", data={"_csrf_token": csrf_from(page.text), "fingerprint": "x"}
    )
    assert refused.status_code == 404 and await conn.fetchval("SELECT count(*) FROM course_versions") == 1


async def test_the_summary_names_the_quiz_questions_added_removed_and_changed(client, conn):
    api, draft, _changed, _removed = await _course_with_learners(client, conn)
    quiz = next(a for m in draft["modules"] for a in m["activities"] if a["kind"] == "quiz")
    first, second = quiz["questions"][0], quiz["questions"][1]
    # The first question's right answer moves to another choice; the second goes; a new one comes.
    wrong = next(c["key"] for c in first["choices"] if not c.get("correct"))
    for choice in first["choices"]:
        choice["correct"] = choice["key"] == wrong
    quiz["questions"].remove(second)
    quiz["questions"].append(
        {
            "key": "q-gloves",
            "prompt": {"en": "When do you change gloves?", "es": "¿Cuándo se cambia los guantes?"},
            "choices": [
                {"key": "a", "text": {"en": "Between patients", "es": "Entre pacientes"}, "correct": True},
                {"key": "b", "text": {"en": "Once a day", "es": "Una vez al día"}},
            ],
        }
    )
    assert (await put_draft(client, CODE, draft, api)).status_code == 200

    html = unescape((await client.get(f"/author/{CODE}/publish")).text)
    row = html.split(f'data-activity="{quiz["key"]}"')[1].split("</tr>")[0]
    assert 'data-question="q-gloves" data-change="added"' in row and "When do you change gloves?" in row
    assert f'data-question="{second["key"]}" data-change="removed"' in row and second["prompt"]["en"] in row
    changed = row.split(f'data-question="{first["key"]}" data-change="changed"')[1].split("</li>")[0]
    assert "right answer" in changed and "question text" not in changed
