"""Building a course in a real browser, then taking it:
- an instructor creates a course from nothing (two modules; a lesson with an image and a video, the image described
  in both languages; a quiz of three questions: single answer, choose all that apply, true/false; an in-person
  session), fills English and Spanish, publishes; a worker takes it, is marked present, and gets a certificate;
- two authors edit one draft at once: the second save gets the conflict message, in her language, and loses nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import shot, sign_in, sql, wait_for
from tests.browser.test_journeys import CERTIFICATE, journey_course
from tests.helpers import make_clinic, make_owner, make_user, token_for
from tests.integration.test_media import MP4, png
from tests.integration.test_offline_soak import ServerThread

CODE = "CHW-ORAL-101"
DESK = {"width": 1200, "height": 900}


@pytest.fixture
async def cast(conn):
    await make_clinic(conn, "clinica-romero")
    maria = await make_user(conn, "maria@example.org", "instructor", name="María López")
    lupe = await make_user(conn, "lupe@example.org", "instructor", name="Lupe Soto", language="es")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="clinica-romero", name="Ana Pérez")
    return {
        "maria": maria,
        "lupe": lupe,
        "worker": worker,
        "maria_token": await token_for(conn, maria.id),
        "worker_token": await token_for(conn, worker.id),
    }


@pytest.fixture
def live(settings, cast):
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url, "settings": served, **cast}


def test_an_instructor_builds_a_bilingual_course_from_nothing_and_a_worker_earns_its_certificate(in_browser, live):
    in_browser(lambda chromium: build_and_take(chromium, live), timeout=420)


def _fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.fill(f"[name='{name}']", value)


def _save(page) -> None:
    page.locator("form[data-autosave] button[type=submit]").first.click()
    page.wait_for_load_state()


def _press(page, op: str) -> None:
    page.click(f"button[value='{op}']")
    page.wait_for_load_state()


def build_and_take(chromium, live) -> None:
    base, settings = live["base"], live["settings"]
    author = chromium.new_context(viewport=DESK)
    page = author.new_page()
    sign_in(page, base, "maria@example.org")

    # ---- a new course: code, track, both languages side by side, an approval
    page.goto(f"{base}/author")
    page.click("a[href='/author/new']")
    page.fill("#f-code", CODE)
    page.select_option("#f-track", "CHW")
    assert page.is_checked("input[name=language][value=en]") and page.is_checked("input[name=language][value=es]")
    assert page.locator("[data-language='vi']").is_hidden()  # only the columns of the languages ticked
    _fill(
        page,
        {
            "title.en": "Oral health for community health workers",
            "title.es": "Salud bucal para promotores de salud",
            "summary.en": "Talking with families about teeth.",
            "summary.es": "Cómo hablar con las familias sobre los dientes.",
        },
    )
    page.select_option("[name='approval.0.body']", "IACET")
    _fill(page, {"approval.0.provider_number": "IACET-4471", "approval.0.approved_from": "2026-01-01"})
    page.click("form[data-new-course] button[type=submit]")
    page.wait_for_url(re.compile(f"/author/{CODE}\\?created=true"))
    shot(page, "author-course-created")

    # ---- media for the lesson, through the library's direct-to-store upload
    page.goto(f"{base}/author/{CODE}/media")
    page.set_input_files("#media-file", files=[{"name": "brushing.mp4", "mimeType": "video/mp4", "buffer": MP4}])
    page.select_option("#media-kind", "video")
    page.click("form[data-media-upload] button[type=submit]")
    page.wait_for_url(re.compile(r"done="))
    page.goto(f"{base}/author/{CODE}/media")
    page.set_input_files("#media-file", files=[{"name": "toothbrush.png", "mimeType": "image/png", "buffer": png()}])
    page.select_option("#media-kind", "image")
    page.click("form[data-media-upload] button[type=submit]")
    page.wait_for_url(re.compile(r"done="))
    assert sql(settings, "SELECT count(*) FROM media WHERE status = 'ready'") == 2

    # ---- two modules, titled in both languages
    page.goto(f"{base}/author/{CODE}")
    _press(page, "module-add")
    _press(page, "module-add")
    _fill(
        page,
        {
            "module.module-1.en": "Talking about teeth",
            "module.module-1.es": "Hablar de los dientes",
            "module.module-2.en": "Practice",
            "module.module-2.es": "Práctica",
        },
    )
    _press(page, "activity-add:module-1:lesson")  # saves the titles, then opens the new lesson

    # ---- a lesson in Markdown with a live preview, a video and an image described in both languages
    assert page.url.endswith(f"/author/{CODE}/activities/lesson-1")
    _fill(
        page,
        {
            "minutes": "15",
            "title.en": "Brushing",
            "title.es": "El cepillado",
            "body.en": "## Two minutes\n\nBrush **twice** a day.",
            "body.es": "## Dos minutos\n\nCepíllese **dos** veces al día.",
        },
    )
    page.wait_for_selector("[id='preview-body.en'] strong")
    assert page.inner_text("[id='preview-body.es'] h3") == "Dos minutos"
    page.get_by_label(re.compile("brushing.mp4")).check()
    page.get_by_label(re.compile("toothbrush.png")).check()
    page.fill("input[name^='alt.'][name$='.en']", "A child's toothbrush with a pea-sized dab of toothpaste")
    page.fill("input[name^='alt.'][name$='.es']", "Un cepillo de dientes infantil con pasta del tamaño de un guisante")
    shot(page, "author-lesson")
    _save(page)
    assert "?saved=true" in page.url

    # ---- a quiz of three questions
    page.goto(f"{base}/author/{CODE}")
    _press(page, "activity-add:module-1:quiz")
    for op in ("question-add", "question-add", "question-add-tf"):
        _press(page, op)
    _fill(
        page,
        {
            "minutes": "10",
            "title.en": "Check",
            "title.es": "Repaso",
            "pass_mark": "60",
            "q.q-1.prompt.en": "How often should children brush?",
            "q.q-1.prompt.es": "¿Cada cuánto deben cepillarse?",
            "q.q-1.c.a.text.en": "Twice a day",
            "q.q-1.c.a.text.es": "Dos veces al día",
            "q.q-1.c.a.feedback.en": "Yes: morning and night.",
            "q.q-1.c.a.feedback.es": "Sí: mañana y noche.",
            "q.q-1.c.b.text.en": "Once a week",
            "q.q-1.c.b.text.es": "Una vez por semana",
            "q.q-1.c.c.text.en": "Never",
            "q.q-1.c.c.text.es": "Nunca",
            "q.q-2.prompt.en": "Which drinks harm teeth?",
            "q.q-2.prompt.es": "¿Qué bebidas dañan los dientes?",
            "q.q-2.c.a.text.en": "Water",
            "q.q-2.c.a.text.es": "Agua",
            "q.q-2.c.b.text.en": "Soda",
            "q.q-2.c.b.text.es": "Refresco",
            "q.q-2.c.c.text.en": "Juice",
            "q.q-2.c.c.text.es": "Jugo",
            "q.q-3.prompt.en": "Fluoride protects teeth.",
            "q.q-3.prompt.es": "El flúor protege los dientes.",
        },
    )
    for box in ("q.q-1.c.a.correct", "q.q-2.c.b.correct", "q.q-2.c.c.correct"):
        page.check(f"[name='{box}']")
    assert (
        page.is_checked("[name='q.q-3.c.true.correct']")
        and page.input_value("[name='q.q-3.c.false.text.es']") == "Falso"
    )
    shot(page, "author-quiz")
    _save(page)
    assert "?saved=true" in page.url, page.inner_text("main")[:800]

    # ---- an in-person session
    page.goto(f"{base}/author/{CODE}")
    _press(page, "activity-add:module-2:in_person")
    _fill(
        page,
        {
            "minutes": "60",
            "title.en": "Fluoride varnish practice",
            "title.es": "Práctica de barniz de flúor",
            "description.en": "At the clinic, with a partner.",
            "description.es": "En la clínica, en pareja.",
        },
    )
    _save(page)

    # ---- every text in both languages: publish (through the summary page when there is one)
    page.goto(f"{base}/author/{CODE}")
    assert page.locator("#translations ~ p.ok").count() == 1, page.inner_text("#translations ~ *")
    shot(page, "author-course-complete")
    summary = page.locator(f"a[href='/author/{CODE}/publish']")
    if summary.count():
        summary.first.click()
        page.wait_for_load_state()
    page.click(f"form[action='/author/{CODE}/publish'] button[type=submit]")
    page.wait_for_load_state()
    assert "published=1" in page.url, page.inner_text("main")[:1000]
    author.close()

    # ---- a worker takes it
    worker_id = live["worker"].id
    phone = chromium.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, base, "ana@example.org")
    page.goto(f"{base}/courses/{CODE}")
    page.click("form[action$='/enroll'] button")
    page.wait_for_load_state()
    page.goto(f"{base}/courses/{CODE}/v/1/lesson-1")
    page.wait_for_selector('img[alt="A child\'s toothbrush with a pea-sized dab of toothpaste"]')
    assert page.locator("video").count() == 1 and "Brush" in page.inner_text("main")
    page.click("form[data-xapi-statement] button")
    wait_for(
        lambda: (
            sql(settings, "SELECT count(*) FROM statements WHERE user_id = $1 AND verb LIKE '%/completed'", worker_id)
            == 1
        ),
        "the lesson to be marked done",
    )
    page.wait_for_url(re.compile(r"/quiz-1$"))  # done: the player goes on to the next activity
    page.goto(f"{base}/quiz/{CODE}/v/1/quiz-1")
    page.check("input[name='q.q-1'][value=a]")
    page.check("input[name='q.q-2'][value=b]")
    page.check("input[name='q.q-2'][value=c]")
    page.check("input[name='q.q-3'][value=true]")
    page.click("form[action$='/quiz-1'] button[type=submit]")
    page.wait_for_load_state()
    assert sql(settings, "SELECT bool_and(passed) FROM quiz_attempts") is True

    # ---- the in-person session: scheduled, attended, the instructor marks her present on the roster
    with httpx.Client(base_url=base) as api:
        starts = datetime.now(UTC) + timedelta(days=1)
        made = api.post(
            "/api/v1/sessions",
            headers=live["maria_token"],
            json={
                "code": CODE,
                "version": 1,
                "activity_key": "in-person-1",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=60)).isoformat(),
                "clinic": "clinica-romero",
                "room": "Room 2",
                "capacity": 8,
                "language": "es",
            },
        )
        assert made.status_code == 201, made.text
        session_id = made.json()["id"]
        registered = api.post(f"/api/v1/sessions/{session_id}/registrations", headers=live["worker_token"])
        assert registered.status_code == 201, registered.text
    sql(
        settings,
        "UPDATE inperson_sessions SET starts_at = starts_at - interval '2 days', ends_at = ends_at - interval '2 days' WHERE id = $1::uuid RETURNING 1",
        session_id,
    )
    teacher = chromium.new_context(viewport=DESK)
    roster = teacher.new_page()
    sign_in(roster, base, "maria@example.org")
    roster.goto(f"{base}/teach/sessions/{session_id}")
    roster.check(f"#p-{worker_id}")
    roster.click(f"form[action='/teach/sessions/{session_id}/roster'] button[type=submit]")
    roster.wait_for_load_state()
    teacher.close()

    page.goto(f"{base}/my/certificates")
    found = CERTIFICATE.search(page.inner_text("main"))
    assert found, page.inner_text("main")
    shot(page, "worker-certificate-built-course")
    phone.close()


@pytest.fixture
async def shared_draft(conn, tmp_path, cast):
    from lms.catalog.loader import publish_folder

    await publish_folder(conn, journey_course(tmp_path))
    for person in ("maria", "lupe"):
        await make_owner(conn, "JRN-101", cast[person].id)


def test_two_authors_edit_one_draft_and_the_second_save_loses_nothing(in_browser, live, shared_draft):
    in_browser(lambda chromium: two_authors(chromium, live))


def two_authors(chromium, live) -> None:
    base, settings = live["base"], live["settings"]
    url = f"{base}/author/JRN-101/activities/handwashing"
    maria_context, lupe_context = chromium.new_context(viewport=DESK), chromium.new_context(viewport=DESK, locale="es")
    maria, lupe = maria_context.new_page(), lupe_context.new_page()
    sign_in(maria, base, "maria@example.org")
    sign_in(lupe, base, "lupe@example.org")
    maria.goto(url)
    lupe.goto(url)

    maria.fill("[name='title.en']", "Washing hands")
    _save(maria)
    assert "?saved=true" in maria.url

    lupe.fill("[name='title.es']", "Lavarse las manos")
    lupe.fill("[name='body.es']", "Mójese, enjabónese y frote veinte segundos.")
    _save(lupe)
    conflict = lupe.inner_text("#conflict")
    assert "Otra autora u otro autor guardó este borrador" in conflict and "Título (EN)" in conflict
    # nothing she typed is lost, and María's change is in the form too
    assert lupe.input_value("[name='title.es']") == "Lavarse las manos"
    assert lupe.input_value("[name='body.es']") == "Mójese, enjabónese y frote veinte segundos."
    assert lupe.input_value("[name='title.en']") == "Washing hands"
    assert "changed" in (lupe.get_attribute("label[for='f-title.en'] .tag.changed", "class") or "")
    shot(lupe, "author-conflict-es")
    draft = "SELECT draft #>> '{modules,0,activities,0,title,%s}' FROM courses WHERE code = 'JRN-101'"
    assert sql(settings, draft % "es") != "Lavarse las manos"

    _save(lupe)
    assert "?saved=true" in lupe.url, lupe.inner_text("main")[:600]
    assert sql(settings, draft % "en") == "Washing hands" and sql(settings, draft % "es") == "Lavarse las manos"

    # no button at all: the page saves itself a moment after she stops typing
    lupe.fill("[name='minutes']", "12")
    minutes = "SELECT draft #>> '{modules,0,activities,0,minutes}' FROM courses WHERE code = 'JRN-101'"
    wait_for(lambda: sql(settings, minutes) == "12", "the draft to save itself", timeout=20)
    wait_for(lambda: lupe.inner_text("#autosave-status") == "Borrador guardado.", "the page to say it saved")
    maria_context.close()
    lupe_context.close()


AUTHOR_PAGES = (
    "/author/new",
    "/author/JRN-101",
    "/author/JRN-101/activities/handwashing",
    "/author/JRN-101/activities/check",
)


def test_the_authoring_forms_have_no_serious_accessibility_problem(in_browser, axe_js, live, shared_draft):
    in_browser(lambda chromium: authoring_accessibility(chromium, axe_js, live))


def authoring_accessibility(chromium, axe_js, live) -> None:
    base = live["base"]
    context = chromium.new_context(
        viewport=DESK, bypass_csp=True
    )  # lets the test inject axe; the pages' CSP stays strict
    page = context.new_page()
    sign_in(page, base, "lupe@example.org")  # in Spanish
    problems: list[str] = []
    for path in AUTHOR_PAGES:
        page.goto(base + path)
        assert page.get_attribute("html", "lang") == "es", path
        page.add_script_tag(path=str(axe_js))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert result["testEngine"]["name"] == "axe-core" and len(result["passes"]) > 10
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    assert not problems, "\n".join(problems)
    context.close()
