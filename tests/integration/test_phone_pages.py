"""What issue 28 asked of the pages beyond going offline: finding courses, dates and errors in the reader's language,
the program admin's credit link, the draft preview's way back, and images that say what they show."""

from __future__ import annotations

import re

from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, draft_form, make_clinic, make_owner, make_user, publish_folder, sign_in


async def _starters(conn) -> None:
    for code in ("DA-IC-101", "MA-VS-101", "CHW-CORE-101", "EHR-CHART-101", "CE-HIPAA-101"):
        await publish_folder(conn, COURSES_DIR / code)


def _codes(html: str) -> set[str]:
    return set(re.findall(r'<a href="/courses/([A-Z0-9-]+)"', html))


async def test_the_catalogue_is_searched_by_words_and_filtered_by_track_language_delivery_and_credit_body(client, conn):
    await _starters(conn)
    everything = await client.get("/")
    assert _codes(everything.text) == {"DA-IC-101", "MA-VS-101", "CHW-CORE-101", "EHR-CHART-101", "CE-HIPAA-101"}
    assert 'role="search"' in everything.text and '<select id="find-body"' in everything.text

    assert _codes((await client.get("/", params={"q": "infection"})).text) == {"DA-IC-101"}
    assert _codes((await client.get("/", params={"q": "higiene de manos"})).text) >= {"DA-IC-101"}  # Spanish words too
    assert _codes((await client.get("/", params={"track": "MA"})).text) == {"MA-VS-101"}
    assert _codes((await client.get("/", params={"body": "DBC"})).text) == {"DA-IC-101"}
    in_person = _codes((await client.get("/", params={"delivery": "in_person"})).text)
    online = _codes((await client.get("/", params={"delivery": "online"})).text)
    assert in_person and online and not in_person & online and "CE-HIPAA-101" in online
    assert _codes((await client.get("/", params={"language": "es-MX", "track": "DA", "q": "", "body": ""})).text) == {
        "DA-IC-101"
    }
    nothing = await client.get("/", params={"language": "vi"})
    assert _codes(nothing.text) == set() and "Nothing matches these filters." in nothing.text

    wrong = await client.get("/", params={"delivery": "by-pigeon"})
    assert wrong.status_code == 400 and "delivery" in wrong.text
    assert (await client.get("/", params={"q": "x" * 101})).status_code == 400


async def test_dates_numbers_and_errors_follow_the_reader_s_language(client, conn):
    await make_clinic(conn, "clinica-romero")
    await make_user(conn, "ana@example.org", "worker", clinic="clinica-romero", language="es")
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    await sign_in(client, "ana@example.org")
    home = await client.get("/")
    assert '<html lang="es">' in home.text and '<select id="language-pick" name="language">' in home.text
    for tag in ("en", "es", "zh-Hant", "vi", "tl"):
        assert f'<option value="{tag}" lang="{tag}"' in home.text

    switched = await client.post(
        "/language", data={"language": "zh-TW", "next": "/", "_csrf_token": csrf_from(home.text)}
    )
    assert switched.status_code == 200 and '<html lang="zh-Hant">' in switched.text and "課程" in switched.text
    missing = await client.get("/courses/NOPE-101/v/1/nothing")
    assert missing.status_code == 404 and "找不到" in missing.text


async def test_a_program_admin_chooses_a_clinic_for_workers_credit(client, conn):
    await make_clinic(conn, "clinica-romero")
    await make_user(conn, "pat@example.org", "program_admin")
    await sign_in(client, "pat@example.org")
    choose = await client.get("/clinic/credit")
    assert choose.status_code == 200 and 'href="/clinic/credit?clinic=clinica-romero"' in choose.text
    chosen = await client.get("/clinic/credit", params={"clinic": "clinica-romero"})
    assert chosen.status_code == 200


async def test_the_draft_preview_leads_back_to_the_draft_and_the_checklist_speaks_spanish(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    maria = await make_user(conn, "maria@example.org", "instructor", language="es")
    await make_owner(conn, "DA-IC-101", maria.id)
    await sign_in(client, "maria@example.org")
    preview = await client.get("/author/DA-IC-101/preview/hand-hygiene", params={"lang": "es"})
    assert preview.status_code == 200
    crumb = re.search(r'<p class="muted"><a href="([^"]+)"', preview.text)
    assert crumb and crumb.group(1) == "/author/DA-IC-101"
    assert (await client.get(crumb.group(1))).status_code == 200

    editor = await client.get("/author/DA-IC-101")
    saved = await client.post("/author/DA-IC-101", data={**draft_form(editor.text), "title.es": ""})
    overview = await client.get("/author/DA-IC-101")
    assert (
        saved.status_code in (200, 303)
        and "el título del curso" in overview.text
        and "the course title" not in overview.text
    )
