"""Preview as a learner: the draft in a phone-sized frame, in each language of the course, with its video."""

from __future__ import annotations

import re

from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, draft_form, make_owner, make_user, publish_folder, sign_in
from tests.integration.test_media import MP4, VTT_ES, upload

CODE = "DA-IC-101"


async def _draft_with_a_video(client, conn) -> str:
    """DA-IC-101's draft whose hand-hygiene lesson shows an uploaded video with Spanish captions; María owns it."""
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_owner(conn, CODE, (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    library = {"x-csrftoken": csrf_from((await client.get(f"/author/{CODE}/media")).text)}
    video, _ = await upload(client, library, CODE, MP4, filename="handwash.mp4", content_type="video/mp4", kind="video")
    assert (await client.post(video["complete_url"], json={}, headers=library)).status_code == 200
    captions, _ = await upload(
        client,
        library,
        CODE,
        VTT_ES.encode(),
        filename="es.vtt",
        content_type="text/vtt",
        kind="captions",
        language="es",
        video_id=video["media"]["id"],
    )
    assert (await client.post(captions["complete_url"], json={}, headers=library)).status_code == 200
    editor = await client.get(f"/author/{CODE}/activities/hand-hygiene")
    saved = await client.post(
        f"/author/{CODE}/activities/hand-hygiene",
        follow_redirects=False,
        data={**draft_form(editor.text), "media_listed": "1", "media": video["media"]["id"]},
    )
    assert saved.status_code == 303
    return video["media"]["id"]


async def test_the_phone_frame_shows_each_language_of_the_course_at_360_pixels(client, conn):
    await _draft_with_a_video(client, conn)
    frame = await client.get(f"/author/{CODE}/preview", params={"lang": "es", "key": "hand-hygiene"})
    assert frame.status_code == 200
    iframe = re.search(r"<iframe [^>]*>", frame.text).group(0)
    assert 'width="360"' in iframe and f'src="/author/{CODE}/preview/hand-hygiene?lang=es&amp;ui=learner"' in iframe
    frames = re.search(r"frame-src ([^;]*)", frame.headers["content-security-policy"]).group(1).split()
    assert "'self'" in frames  # the browser may show this site's page inside it
    for lang in ("en", "es"):  # a switch per language of the course, keeping the activity
        assert f'href="/author/{CODE}/preview?lang={lang}&amp;key=hand-hygiene"' in frame.text
    assert 'target="phone"' in frame.text and "Higiene de manos" in frame.text  # the outline in the preview's language
    first = await client.get(f"/author/{CODE}/preview", params={"lang": "xx"})
    assert (
        'src="/author/DA-IC-101/preview/standard-precautions?lang=en&amp;ui=learner"' in first.text
    )  # unknown: the first


async def test_the_preview_is_the_learner_page_in_that_language_with_the_video_and_may_be_framed_by_the_site(
    client, conn
):
    await _draft_with_a_video(client, conn)
    es = await client.get(f"/author/{CODE}/preview/hand-hygiene", params={"lang": "es", "ui": "learner"})
    assert es.status_code == 200
    assert (
        '<html lang="es">' in es.text and "Siguiente" in es.text
    )  # buttons too, as a Spanish-reading learner sees them
    assert "<video" in es.text and re.search(r'<track kind="captions" srclang="es"[^>]*default', es.text)
    assert "version=0" not in es.text  # no link to a version that does not exist
    assert f'<a href="/author/{CODE}" target="_top"' in es.text  # out of the frame, back to the draft
    assert (
        es.headers["x-frame-options"] == "SAMEORIGIN"
        and "frame-ancestors 'self'" in es.headers["content-security-policy"]
    )

    en = await client.get(f"/author/{CODE}/preview/hand-hygiene", params={"lang": "en", "ui": "learner"})
    assert '<html lang="en">' in en.text and "Hand Hygiene" in en.text and "<video" in en.text and "Next" in en.text
    # outside the phone frame the instructor's own interface language stays (here English) around Spanish content
    outside = await client.get(f"/author/{CODE}/preview/hand-hygiene", params={"lang": "es"})
    assert '<html lang="en">' in outside.text and "Higiene de manos" in outside.text and "Next" in outside.text
    draft = await client.get(f"/author/{CODE}")
    assert (
        draft.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in draft.headers["content-security-policy"]
    )


async def test_a_quiz_preview_shows_its_questions_but_not_the_answers(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_owner(conn, CODE, (await make_user(conn, "maria@example.org", "instructor")).id)
    await sign_in(client, "maria@example.org")
    quiz = await client.get(f"/author/{CODE}/preview/precautions-quiz", params={"lang": "es"})
    assert quiz.status_code == 200 and 'class="preview-quiz"' in quiz.text
    draft = await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE)
    questions = next(a for m in draft["modules"] for a in m["activities"] if a["key"] == "precautions-quiz")[
        "questions"
    ]
    assert questions[0]["prompt"]["es"] in quiz.text.replace("&#39;", "'").replace("&quot;", '"')
    feedback = next(c["feedback"]["es"] for c in questions[0]["choices"] if c.get("feedback"))
    assert feedback not in quiz.text


async def test_someone_elses_draft_has_no_preview(client, conn):
    await publish_folder(conn, COURSES_DIR / CODE)
    await make_user(conn, "pablo@example.org", "instructor")
    await sign_in(client, "pablo@example.org")
    assert (await client.get(f"/author/{CODE}/preview")).status_code == 404
    assert (await client.get(f"/author/{CODE}/preview/hand-hygiene", params={"lang": "es"})).status_code == 404
