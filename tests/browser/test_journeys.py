"""What people do, in a real browser at phone width:
- an instructor uploads a video and its captions through the media library and publishes a new version;
- a worker signs in, switches to Spanish, enrols, watches the captioned video (Spanish track by default), marks the
  lesson done while offline (sent once when back online), takes the quiz offline-then-online (recorded once, even
  when the same answers are sent twice), and gets a certificate;
- a clinic admin verifies the certificate by typing its code and by the QR code's URL;
- axe-core finds no serious or critical accessibility problem on the worker's pages, in English or Spanish.
"""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import PHONE, shot, sign_in, sql, wait_for
from tests.helpers import make_clinic, make_owner, make_user
from tests.integration.test_media import MP4, VTT_EN, VTT_ES
from tests.integration.test_offline_soak import ServerThread

CODE = "JRN-101"
CERTIFICATE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}\b")


def journey_course(root: Path) -> Path:
    """A short hybrid-free course: one lesson (the video comes later, from the instructor) and a one-question quiz."""
    folder = root / CODE
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.yaml").write_text(
        textwrap.dedent(f"""\
        code: {CODE}
        track: CHW
        languages: [en, es]
        title: {{en: "Hand hygiene basics", es: "Higiene de manos básica"}}
        summary: {{en: "Clean hands save lives.", es: "Las manos limpias salvan vidas."}}
        approvals:
          - body: IACET
            provider_number: "IACET-4471"
            approved_from: 2024-01-01
        modules:
          - key: basics
            title: {{en: "Basics", es: "Lo básico"}}
            activities:
              - key: handwashing
                kind: lesson
                minutes: 10
                title: {{en: "Handwashing", es: "Lavado de manos"}}
              - key: check
                kind: quiz
                minutes: 5
                title: {{en: "Quick check", es: "Repaso rápido"}}
                pass_mark: 1
                questions:
                  - key: q1
                    prompt: {{en: "How long should you scrub your hands?", es: "¿Cuánto tiempo debe frotarse las manos?"}}
                    choices:
                      - key: a
                        text: {{en: "Five seconds", es: "Cinco segundos"}}
                      - key: b
                        text: {{en: "Twenty seconds", es: "Veinte segundos"}}
                        correct: true
        """),
        encoding="utf-8",
    )
    for language, text in (
        ("en", "Wet, soap, scrub for twenty seconds, rinse, dry."),
        ("es", "Mójese, enjabónese, frote veinte segundos, enjuáguese y séquese."),
    ):
        (folder / "lessons" / f"handwashing.{language}.md").write_text(f"# Handwashing\n\n{text}\n", encoding="utf-8")
    return folder


@pytest.fixture
async def people(conn, tmp_path):
    from lms.catalog.loader import publish_folder

    await publish_folder(conn, journey_course(tmp_path))
    await make_clinic(conn, "clinica-romero")
    instructor = await make_user(conn, "maria@example.org", "instructor", name="María López")
    await make_owner(conn, CODE, instructor.id)  # she authors the course
    return {
        "worker": await make_user(
            conn, "ana@example.org", "worker", clinic="clinica-romero", language="en", name="Ana Pérez"
        ),
        "admin": await make_user(conn, "rosa@example.org", "clinic_admin", clinic="clinica-romero", name="Rosa Díaz"),
        "instructor": instructor,
    }


@pytest.fixture
def live(settings, people):
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url, "settings": served, "people": people}


def test_instructor_worker_and_clinic_admin_journeys(in_browser, live):
    in_browser(lambda chromium: journeys(chromium, live))


def journeys(chromium, live) -> None:
    base, settings = live["base"], live["settings"]

    # ---- the instructor uploads a video and its Spanish and English captions, shows the video in the lesson, publishes
    instructor = chromium.new_context(viewport=PHONE)
    page = instructor.new_page()
    sign_in(page, base, "maria@example.org")
    page.goto(f"{base}/author/{CODE}/media")
    page.set_input_files("#media-file", files=[{"name": "handwash.mp4", "mimeType": "video/mp4", "buffer": MP4}])
    page.click("form[data-media-upload] button[type=submit]")
    page.wait_for_url(re.compile(r"done="))
    for language, captions in (("es", VTT_ES), ("en", VTT_EN)):
        page.goto(f"{base}/author/{CODE}/media")  # a clean address: "done=" below is this upload's, not the last one's
        page.set_input_files(
            "#media-file",
            files=[{"name": f"handwash.{language}.vtt", "mimeType": "text/vtt", "buffer": captions.encode()}],
        )
        page.select_option("#media-kind", "captions")
        page.select_option("#media-video", label="handwash.mp4")
        page.fill("#media-language", language)
        page.click("form[data-media-upload] button[type=submit]")
        page.wait_for_url(re.compile(r"done="))
    assert sql(settings, "SELECT count(*) FROM media WHERE kind = 'captions' AND status = 'ready'") == 2
    assert page.locator("#media-status.error").count() == 0
    shot(page, "instructor-media-library")
    page.goto(f"{base}/author/{CODE}/activities/handwashing")
    page.get_by_label(re.compile("handwash.mp4")).check()
    page.click(f"form[action='/author/{CODE}/activities/handwashing'] button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/author/{CODE}/publish")  # the summary of what publishing changes, then the confirmation
    page.click(f"form[action='/author/{CODE}/publish'] button")
    page.wait_for_url(re.compile(r"published=2"))
    shot(page, "instructor-published")
    assert (
        sql(
            settings,
            "SELECT count(*) FROM version_media m JOIN course_versions v ON v.id = m.version_id WHERE v.version = 2",
        )
        >= 1
    )
    instructor.close()

    # ---- the worker
    worker_id = live["people"]["worker"].id
    phone = chromium.new_context(viewport=PHONE, locale="en-US")
    page = phone.new_page()
    sign_in(page, base, "ana@example.org")
    page.click("details.language > summary")
    page.select_option("#language-pick", "es")
    page.click("form[action='/language'] button")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "es"
    page.goto(f"{base}/courses/{CODE}")
    page.click("form[action$='/enroll'] button")
    page.wait_for_load_state()
    page.goto(f"{base}/courses/{CODE}/v/2/handwashing")
    assert "Mójese" in page.content()
    assert page.locator("video track[srclang=es][default]").count() == 1
    assert page.locator("video track[srclang=en]:not([default])").count() == 1
    video_url = page.get_attribute("video", "src")
    seek = phone.request.get(video_url, headers={"Range": "bytes=0-99"})
    assert seek.status == 206 and seek.body() == MP4[:100]
    track_url = page.get_attribute("video track[srclang=es]", "src")
    assert "Lávese las manos" in phone.request.get(track_url).text()
    shot(page, "worker-lesson-es")

    # marks the lesson done with no connection: saved on the phone, sent once when back online
    completed = "SELECT count(*) FROM statements WHERE user_id = $1 AND verb LIKE '%/completed'"
    phone.set_offline(True)
    page.click("form[data-xapi-statement] button")
    page.wait_for_selector("[data-offline-next]:not([hidden])")
    assert "enviará" in page.inner_text("[data-queue-status]")
    assert sql(settings, completed, worker_id) == 0
    shot(page, "worker-lesson-offline-es")
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(lambda: sql(settings, completed, worker_id) == 1, "the queued statement to arrive")
    page.reload()
    time.sleep(0.5)  # the player flushes again on load: nothing is left to send twice
    assert sql(settings, completed, worker_id) == 1

    # takes the quiz: the answer sent offline fails, is sent again online, and a double submission counts once
    page.goto(f"{base}/quiz/{CODE}/v/2/check")
    attempt_id = page.get_attribute("input[name=attempt_id]", "value")
    phone.set_offline(True)
    page.check("input[name='q.q1'][value=b]")
    try:
        page.click("form[action$='/check'] button[type=submit]")
        page.wait_for_load_state()
    except Exception:  # noqa: BLE001 - the browser reports the lost connection its own way
        pass
    attempts = "SELECT count(*) FROM quiz_attempts q JOIN enrollments e ON e.id = q.enrollment_id WHERE e.user_id = $1"
    assert sql(settings, attempts, worker_id) == 0
    phone.set_offline(False)
    for _ in range(2):  # online again: the worker sends the same answers; then taps again on the same form
        page.goto(f"{base}/quiz/{CODE}/v/2/check")
        page.evaluate("id => { document.querySelector('input[name=attempt_id]').value = id; }", attempt_id)
        page.check("input[name='q.q1'][value=b]")
        page.click("form[action$='/check'] button[type=submit]")
        page.wait_for_load_state()
    assert sql(settings, attempts, worker_id) == 1
    shot(page, "worker-quiz-result-es")

    page.goto(f"{base}/my/certificates")
    found = CERTIFICATE.search(page.inner_text("main"))
    assert found, page.inner_text("main")
    code = found.group(0)
    shot(page, "worker-certificates-es")
    phone.close()

    # ---- a clinic admin verifies it by typing the code, and by the QR code's URL
    admin = chromium.new_context(viewport=PHONE)
    page = admin.new_page()
    sign_in(page, base, "rosa@example.org")
    page.goto(f"{base}/verify")
    page.fill("#code", code.replace("-", "").lower())
    page.click("form[action='/verify'] button")
    page.wait_for_load_state()
    assert "Ana Pérez" in page.content() and code in page.content()
    shot(page, "admin-verify-by-code")
    qr_url = f"{base}/verify/{code}"
    page.goto(qr_url)
    content = page.content()
    assert "Ana Pérez" in content and ("Higiene de manos" in content or "Hand hygiene" in content)
    print_page = page.request.get(f"{base}/certificates/{code}/print")
    assert print_page.status == 200 and "<svg" in print_page.text() and f"/verify/{code}" in print_page.text()
    shot(page, "admin-verify-by-qr-url")
    admin.close()


WORKER_PAGES = (
    "/",
    f"/courses/{CODE}",
    f"/courses/{CODE}/v/1/handwashing",
    f"/quiz/{CODE}/v/1/check",
    "/my",
    "/verify",
)


def test_worker_pages_have_no_serious_accessibility_problems_in_english_or_spanish(in_browser, axe_js, live):
    in_browser(lambda chromium: accessibility(chromium, axe_js, live))


def accessibility(chromium, axe_js, live) -> None:
    base = live["base"]
    phone = chromium.new_context(
        viewport=PHONE, bypass_csp=True
    )  # lets the test inject axe; the pages' CSP stays strict
    page = phone.new_page()
    sign_in(page, base, "ana@example.org")
    page.goto(f"{base}/courses/{CODE}")
    page.click("form[action$='/enroll'] button")
    page.wait_for_load_state()
    problems: list[str] = []
    minor: list[str] = []
    checked = rules_run = 0
    for language in ("en", "es"):
        page.goto(f"{base}/")
        page.click("details.language > summary")
        page.select_option("#language-pick", language)
        page.click("form[action='/language'] button")
        page.wait_for_load_state()
        for path in WORKER_PAGES:
            page.goto(base + path)
            assert page.get_attribute("html", "lang") == language, path
            page.add_script_tag(path=str(axe_js))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert result["testEngine"]["name"] == "axe-core" and result["url"].startswith(base)
            checked += 1
            rules_run += len(result["passes"]) + len(result["violations"]) + len(result["incomplete"])
            minor.extend(
                f"{language} {path}: {v['id']} ({v['impact']})"
                for v in result["violations"]
                if v["impact"] not in ("serious", "critical")
            )
            for violation in result["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
                    problems.append(
                        f"{language} {path}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
                    )
            if path == WORKER_PAGES[2]:
                shot(page, f"a11y-lesson-{language}")
    assert checked == 2 * len(WORKER_PAGES) and rules_run > 100
    print(f"\naxe-core: {checked} pages, {rules_run} rule results; minor or moderate: {minor or 'none'}")
    assert not problems, "\n".join(problems)
    phone.close()
