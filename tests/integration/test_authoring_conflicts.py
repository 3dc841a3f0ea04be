"""Two authors, one draft: a save made on an older revision is refused with a message naming what the other author
changed, in the author's language, and the form keeps both authors' work."""

from __future__ import annotations

import json

import httpx

from tests.conftest import COURSES_DIR
from tests.helpers import draft_form, make_owner, make_user, publish_folder, sign_in

CODE = "DA-IC-101"


async def _two_authors(app, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    first = await make_user(conn, "maria@example.org", "instructor")
    second = await make_user(conn, "lupe@example.org", "instructor", language="es")
    for person in (first, second):
        await make_owner(conn, CODE, person.id)


async def _draft(client):
    return (await client.get(f"/api/v1/authoring/courses/{CODE}/draft")).json()


async def _signed_in(client, email):
    """This person's cookies (one test client plays both authors, each with her own session)."""
    client.cookies.clear()
    await sign_in(client, email)
    return httpx.Cookies(client.cookies)


async def test_the_second_save_gets_a_conflict_naming_what_changed_and_loses_nothing(client, app, conn):
    await _two_authors(app, conn)
    maria, lupe = await _signed_in(client, "maria@example.org"), await _signed_in(client, "lupe@example.org")
    client.cookies = maria
    maria_page = await client.get(f"/author/{CODE}")
    client.cookies = lupe
    lupe_page = await client.get(f"/author/{CODE}")

    client.cookies = maria
    saved = await client.post(
        f"/author/{CODE}",
        data={**draft_form(maria_page.text), "title.en": "Infection control, 2027 edition"},
        follow_redirects=False,
    )
    assert saved.status_code == 303

    client.cookies = lupe
    late = await client.post(
        f"/author/{CODE}",
        data={
            **draft_form(lupe_page.text),
            "title.es": "Control de infecciones, edición 2027",
            "summary.en": "Lupe's summary.",
        },
        follow_redirects=False,
    )
    assert late.status_code == 409
    assert "Otra autora u otro autor guardó este borrador" in late.text and "Título (EN)" in late.text
    assert "Resumen (EN)" not in late.text.split('id="conflict"')[1].split("</div>")[0]  # only what the other changed
    # Both authors' work is in the form: María's title from the draft, Lupe's unsaved texts as she typed them
    assert 'value="Infection control, 2027 edition"' in late.text
    assert 'value="Control de infecciones, edición 2027"' in late.text and "Lupe&#39;s summary." in late.text
    draft = await _draft(client)
    assert (
        draft["title"]["en"] == "Infection control, 2027 edition"
        and draft["title"]["es"] != "Control de infecciones, edición 2027"
    )

    again = await client.post(
        f"/author/{CODE}",
        data={
            **draft_form(late.text),
            "title.en": "Infection control, 2027 edition",
            "title.es": "Control de infecciones, edición 2027",
            "summary.en": "Lupe's summary.",
        },
        follow_redirects=False,
    )
    assert again.status_code == 303
    draft = await _draft(client)
    assert draft["title"] == {"en": "Infection control, 2027 edition", "es": "Control de infecciones, edición 2027"}
    assert draft["summary"]["en"] == "Lupe's summary."


async def test_a_field_both_authors_changed_shows_the_other_authors_text_beside_hers(client, app, conn):
    await _two_authors(app, conn)
    await sign_in(client, "maria@example.org")
    url = f"/author/{CODE}/activities/hand-hygiene"
    page = await client.get(url)
    first = await client.post(url, data={**draft_form(page.text), "title.en": "Washing hands"}, follow_redirects=False)
    assert first.status_code == 303
    late = await client.post(url, data={**draft_form(page.text), "title.en": "Clean hands"}, follow_redirects=False)
    assert late.status_code == 409 and "Another author saved this draft" in late.text and "Title (EN)" in late.text
    assert (
        'value="Clean hands"' in late.text
        and "The other author&#39;s text:" in late.text
        and "Washing hands" in late.text
    )
    assert (await _draft(client))["modules"][0]["activities"][1]["title"]["en"] == "Washing hands"


async def test_autosave_answers_json_with_the_new_revision_and_a_conflict_in_the_authors_language(client, app, conn):
    await _two_authors(app, conn)
    await sign_in(client, "lupe@example.org")
    page = await client.get(f"/author/{CODE}")
    state = draft_form(page.text)
    first = await client.post(f"/author/{CODE}", data={**state, "autosave": "1", "summary.es": "Resumen nuevo."})
    assert first.status_code == 200
    answer = first.json()
    assert int(answer["revision"]) > int(state["revision"]) and json.loads(answer["base"])
    second = await client.post(
        f"/author/{CODE}",
        data={
            **state,
            "revision": str(answer["revision"]),
            "base": answer["base"],
            "autosave": "1",
            "summary.es": "Resumen más nuevo.",
        },
    )
    assert second.status_code == 200
    stale = await client.post(f"/author/{CODE}", data={**state, "autosave": "1", "summary.en": "Old page."})
    assert stale.status_code == 409 and "Resumen (ES)" in stale.json()["message"]
    assert (await _draft(client))["summary"]["es"] == "Resumen más nuevo."


async def test_a_save_without_a_revision_is_not_taken_as_current(client, app, conn):
    await _two_authors(app, conn)
    await sign_in(client, "maria@example.org")
    page = await client.get(f"/author/{CODE}")
    before = await _draft(client)
    blind = await client.post(
        f"/author/{CODE}", data={"_csrf_token": draft_form(page.text)["_csrf_token"], "title.en": "Blind"}
    )
    assert blind.status_code == 409 and await _draft(client) == before


async def test_text_for_an_activity_another_author_removed_is_handed_back_on_the_course_page(client, app, conn):
    await _two_authors(app, conn)
    await sign_in(client, "maria@example.org")
    before = await _draft(client)
    activity = await client.get(f"/author/{CODE}/activities/hand-hygiene")
    course = await client.get(f"/author/{CODE}")
    removed = await client.post(
        f"/author/{CODE}",
        data={**draft_form(course.text), "op": "activity-remove:hand-hygiene"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    late = await client.post(
        f"/author/{CODE}/activities/hand-hygiene",
        data={**draft_form(activity.text), "title.es": "Lavado de manos, mi versión"},
        follow_redirects=False,
    )
    assert late.status_code == 409 and "Lavado de manos, mi versión" in late.text and "Title (ES)" in late.text
    # the course page behind it shows the course as stored, so saving it again changes nothing of the course
    assert f'value="{before["title"]["en"]}"' in late.text
    again = await client.post(f"/author/{CODE}", data=draft_form(late.text), follow_redirects=False)
    assert again.status_code == 303
    after = await _draft(client)
    assert after["title"] == before["title"] and after["summary"] == before["summary"]
