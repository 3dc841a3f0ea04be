"""An image without a description in one of the course's languages is a missing text like any other: the authoring
page's "Translation status" lists it in the instructor's language (a lesson's image file, and an image written into the
lesson's Markdown), and the course is not published until every language has one."""

from __future__ import annotations

from uuid import uuid4

from tests.helpers import make_owner, make_user, sign_in, token_for
from tests.integration.test_media import draft_course, png, upload


def _doc(code: str, image_id: str, alt: dict[str, str], body_es: str) -> dict:
    lesson = {
        "kind": "lesson",
        "key": "wash",
        "minutes": 5,
        "title": {"en": "Hand washing", "es": "Lavado de manos"},
        "body": {"en": "Wet your hands.\n\n![Hands under running water](/img/hands.png)", "es": body_es},
        "media": [{"file": image_id, "alt": alt}],
    }
    return {
        "code": code,
        "track": "DA",
        "languages": ["en", "es"],
        "title": {"en": "Infection control", "es": "Control de infecciones"},
        "summary": {"en": "Clean hands.", "es": "Manos limpias."},
        "modules": [{"key": "hands", "title": {"en": "Hands", "es": "Manos"}, "activities": [lesson]}],
    }


async def _save(client, url: str, headers: dict[str, str], doc: dict):
    """Save the draft as an API client does: based on the revision it read (If-Match)."""
    read = await client.get(url, headers=headers)
    return await client.put(url, json=doc, headers={**headers, "If-Match": read.headers["etag"]})


async def test_images_without_a_description_are_listed_as_missing_texts_and_block_publishing(client, conn):
    code = f"IMG-{uuid4().hex[:6].upper()}"
    await draft_course(conn, code)
    teacher = await make_user(conn, f"teacher-{uuid4().hex[:6]}@example.org", "instructor", language="es")
    await make_owner(conn, code, teacher.id)
    headers = await token_for(conn, teacher.id)
    image, _ = await upload(client, headers, code, png(), filename="steps.png", content_type="image/png", kind="image")
    assert (await client.post(image["complete_url"], headers=headers, json={})).status_code == 200
    image_id = image["media"]["id"]
    draft_url = f"/api/v1/authoring/courses/{code}/draft"

    saved = await _save(
        client,
        draft_url,
        headers,
        _doc(code, image_id, {"en": "Five steps of hand washing"}, "Moje sus manos.\n\n![](/img/manos.png)"),
    )
    assert saved.status_code == 200, saved.text
    status = saved.json()
    assert status["complete"] is False and status["missing"]["en"] == []
    assert sorted(status["missing"]["es"]) == [
        "activity 'wash' image 1 description",
        "activity 'wash' lesson text image 'manos.png' description",
    ]
    listed = await client.get(f"/api/v1/authoring/courses/{code}/translations", headers=headers)
    assert listed.json() == status

    await sign_in(client, teacher.email)
    page = await client.get(f"/author/{code}")
    assert page.status_code == 200
    section = page.text.split('id="translations"', 1)[1].split("</section>", 1)[0]
    assert "ES: Faltan 2 textos" in section
    assert "la descripción de la imagen 1 de la actividad &#39;wash&#39;" in section
    assert "la descripción de la imagen &#39;manos.png&#39; en el texto de la lección &#39;wash&#39;" in section

    versions = "SELECT count(*) FROM course_versions v JOIN courses c ON c.id = v.course_id WHERE c.code = $1"
    refused = await client.post(f"/api/v1/authoring/courses/{code}/publish", headers=headers)
    assert refused.status_code == 400 and "la imagen steps.png necesita un texto" in refused.json()["detail"]
    only_in_the_text = _doc(
        code,
        image_id,
        {"en": "Five steps of hand washing", "es": "Cinco pasos del lavado de manos"},
        'Moje sus manos.\n\n<img src="/img/manos.png">',
    )
    assert (await _save(client, draft_url, headers, only_in_the_text)).json()["missing"]["es"] == [
        "activity 'wash' lesson text image 'manos.png' description"
    ]
    refused = await client.post(f"/api/v1/authoring/courses/{code}/publish", headers=headers)
    assert refused.status_code == 400 and "manos.png" in refused.json()["detail"]
    assert await conn.fetchval(versions, code) == 0

    described = _doc(
        code,
        image_id,
        {"en": "Five steps of hand washing", "es": "Cinco pasos del lavado de manos"},
        "Moje sus manos.\n\n![Manos bajo el chorro de agua](/img/manos.png)",
    )
    assert (await _save(client, draft_url, headers, described)).json()["complete"] is True
    published = await client.post(f"/api/v1/authoring/courses/{code}/publish", headers=headers)
    assert published.status_code in (200, 201), published.text
