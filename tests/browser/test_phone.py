"""A worker on a 360 x 740 phone with a slow connection that comes and goes:
- she enrols, and the course's lessons and quiz are kept on the phone;
- with no connection she reads two lessons, marks them done, answers the quiz, and a page that was never kept says
  that it needs a connection;
- back online, everything she did is sent, and stored once (reloading sends nothing twice);
- she switches language in the middle of the quiz and her ticked answers stay;
- a lesson page weighs less than 50 kB before its media.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import ARTIFACTS, sign_in, sql, wait_for
from tests.helpers import make_clinic, make_user
from tests.integration.fault_proxy import FaultyProxy
from tests.integration.test_offline_soak import ServerThread

CODE = "PHN-101"
SMALL_PHONE = {"width": 360, "height": 740}
# a slow mobile connection: 300 ms each way, about 400 kbit/s down
SLOW = {"offline": False, "latency": 300, "downloadThroughput": 50 * 1024, "uploadThroughput": 25 * 1024}


def phone_course(root: Path) -> Path:
    folder = root / CODE
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.yaml").write_text(
        textwrap.dedent(f"""\
        code: {CODE}
        track: MA
        languages: [en, es]
        title: {{en: "Taking vital signs", es: "Toma de signos vitales"}}
        summary: {{en: "Pulse and breathing.", es: "Pulso y respiración."}}
        modules:
          - key: vitals
            title: {{en: "Vital signs", es: "Signos vitales"}}
            activities:
              - key: pulse
                kind: lesson
                minutes: 10
                title: {{en: "Pulse", es: "Pulso"}}
              - key: breathing
                kind: lesson
                minutes: 10
                title: {{en: "Breathing", es: "Respiración"}}
              - key: check
                kind: quiz
                minutes: 5
                title: {{en: "Quick check", es: "Repaso rápido"}}
                pass_mark: 0.5
                questions:
                  - key: q1
                    prompt: {{en: "Where do you feel the radial pulse?", es: "¿Dónde se siente el pulso radial?"}}
                    choices:
                      - key: a
                        text: {{en: "At the wrist", es: "En la muñeca"}}
                        correct: true
                      - key: b
                        text: {{en: "At the ankle", es: "En el tobillo"}}
                  - key: q2
                    prompt: {{en: "For how long do you count breaths?", es: "¿Durante cuánto tiempo cuenta las respiraciones?"}}
                    choices:
                      - key: a
                        text: {{en: "Thirty seconds or a full minute", es: "Treinta segundos o un minuto completo"}}
                        correct: true
                      - key: b
                        text: {{en: "Five seconds", es: "Cinco segundos"}}
        """),
        encoding="utf-8",
    )
    lessons = {
        ("pulse", "en"): "Press two fingers on the inside of the wrist and count the beats for thirty seconds.",
        (
            "pulse",
            "es",
        ): "Presione dos dedos en la parte interna de la muñeca y cuente los latidos durante treinta segundos.",
        ("breathing", "en"): "Watch the chest rise and fall without telling the patient you are counting.",
        ("breathing", "es"): "Observe cómo sube y baja el pecho sin decirle al paciente que está contando.",
    }
    for (key, language), text in lessons.items():
        (folder / "lessons" / f"{key}.{language}.md").write_text(f"# {key}\n\n{text}\n", encoding="utf-8")
    return folder


@pytest.fixture
async def worker(conn, tmp_path):
    from lms.catalog.loader import publish_folder

    await publish_folder(conn, phone_course(tmp_path))
    await make_clinic(conn, "clinica-romero")
    return await make_user(
        conn, "lupe@example.org", "worker", clinic="clinica-romero", language="en", name="Lupe Ramos"
    )


@pytest.fixture
def served(settings, worker):
    """The server behind a proxy that can cut the connection: the browser's offline switch does not reach the
    service worker's own requests, a dead connection does."""
    port = free_port()
    with FaultyProxy(port) as proxy:
        settings = settings.replace(public_base_url=proxy.url)
        with ServerThread(create_app(settings), port):
            yield proxy, settings, worker


def test_a_worker_learns_offline_on_a_slow_phone_and_everything_is_sent_once(in_browser, served):
    in_browser(lambda chromium: offline_journey(chromium, *served))


def offline_journey(chromium, proxy, settings, worker) -> None:
    base = settings.public_base_url

    def connection(on: bool) -> None:
        proxy.set("pass" if on else "down")
        context.set_offline(not on)

    context = chromium.new_context(viewport=SMALL_PHONE, locale="en-US", service_workers="allow")
    page = context.new_page()
    context.new_cdp_session(page).send("Network.emulateNetworkConditions", SLOW)
    sign_in(page, base, "lupe@example.org")

    lesson = f"{base}/courses/{CODE}/v/1/pulse"
    assert len(page.request.get(lesson).body()) < 50_000  # the whole page, before its media

    page.goto(f"{base}/courses/{CODE}")
    page.click("form[action$='/enroll'] button")
    page.wait_for_load_state()
    page.wait_for_selector("[data-keep-offline]:not([hidden])", timeout=30_000)  # the course is kept on the phone
    header = page.locator("header.site").bounding_box()
    assert header and header["height"] <= 64, header  # one line: the header leaves the screen to the lesson
    page.screenshot(path=str(ARTIFACTS / "phone-course-kept.png"), full_page=True)

    completed = (
        "SELECT count(*) FROM statements WHERE user_id = $1 AND verb LIKE '%/completed'"
        " AND (activity_iri LIKE '%/pulse' OR activity_iri LIKE '%/breathing')"
    )
    attempts = "SELECT count(*) FROM quiz_attempts q JOIN enrollments e ON e.id = q.enrollment_id WHERE e.user_id = $1"

    # ---- no connection: two lessons read and marked done, the quiz answered
    connection(False)
    page.goto(lesson)
    assert "inside of the wrist" in page.inner_text("main")
    page.click("form[data-xapi-statement] button")
    page.wait_for_selector("[data-offline-next]:not([hidden])")
    assert "saved on this phone" in page.inner_text("[data-queue-status]").lower()
    page.click("[data-offline-next] a")
    page.wait_for_url(re.compile(r"/breathing$"))
    assert "chest rise and fall" in page.inner_text("main")
    page.click("form[data-xapi-statement] button")
    page.wait_for_selector("[data-offline-next]:not([hidden])")

    page.goto(f"{base}/quiz/{CODE}/v/1/check")
    page.check("input[name='q.q1'][value=a]")
    page.check("input[name='q.q2'][value=a]")
    page.click("form[action$='/check'] button[type=submit]")
    page.wait_for_selector("[data-outbox-status]:not([hidden])")
    assert "saved on this phone" in page.inner_text("[data-outbox-status]").lower()
    page.screenshot(path=str(ARTIFACTS / "phone-quiz-saved-offline.png"), full_page=True)

    page.goto(f"{base}/my/certificates")  # never kept: says so instead of the browser's error page
    assert "needs a connection" in page.inner_text("main")
    assert sql(settings, completed, worker.id) == 0 and sql(settings, attempts, worker.id) == 0

    # ---- back online: everything is sent, once
    connection(True)
    page.goto(f"{base}/my")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(lambda: sql(settings, completed, worker.id) == 2, "both lessons' statements to arrive", timeout=30)
    wait_for(lambda: sql(settings, attempts, worker.id) == 1, "the quiz answers to arrive", timeout=30)
    page.wait_for_selector("[data-outbox-status]:not([hidden])")
    assert "sent" in page.inner_text("[data-outbox-status]").lower()
    for again in (f"{base}/my", lesson, f"{base}/quiz/{CODE}/v/1/check"):
        page.goto(again)
        page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1500)
    assert sql(settings, completed, worker.id) == 2 and sql(settings, attempts, worker.id) == 1
    assert (
        sql(
            settings,
            "SELECT passed FROM quiz_attempts q JOIN enrollments e ON e.id = q.enrollment_id WHERE e.user_id = $1",
            worker.id,
        )
        is True
    )

    # ---- switching language in the middle of the quiz keeps her answers
    page.goto(f"{base}/quiz/{CODE}/v/1/check")
    page.check("input[name='q.q1'][value=b]")
    page.check("input[name='q.q2'][value=a]")
    page.click("details.language > summary")  # the picker opens from the header's one line
    page.select_option("#language-pick", "es")
    page.click("form[action='/language'] button")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "es"
    assert "muñeca" in page.inner_text("main")
    assert page.is_checked("input[name='q.q1'][value=b]") and page.is_checked("input[name='q.q2'][value=a]")
    page.screenshot(path=str(ARTIFACTS / "phone-quiz-after-language-switch-es.png"), full_page=True)
    context.close()
