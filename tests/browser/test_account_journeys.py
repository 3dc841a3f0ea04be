"""Getting back in and looking after people, in a real browser at phone width:
- a worker who forgot her password resets it from the e-mailed link (the job worker sends it to a real SMTP server);
- a worker without email resets hers with a code her clinic admin reads to her;
- a clinic admin imports a roster of 200 workers (checked first, then imported) and deactivates one who left.
"""

from __future__ import annotations

import re

import pytest

from lms.app import create_app
from lms.embedded.ports import free_port
from tests.browser.conftest import ARTIFACTS, PHONE, sign_in, sql, wait_for
from tests.helpers import make_clinic, make_user
from tests.integration.smtp_server import smtp_server
from tests.integration.test_offline_soak import ServerThread
from tests.integration.test_people import roster_csv

NEW_PASSWORD = "lantern orchard velvet canyon"


@pytest.fixture
async def cast(conn):
    await make_clinic(conn, "clinica-romero")
    from lms.accounts import service
    from lms.accounts.schemas import UserCreate

    return {
        "worker": await make_user(
            conn, "ana@example.org", "worker", clinic="clinica-romero", language="es", name="Ana Pérez"
        ),
        "no_email": await service.create_user(
            conn,
            UserCreate(
                display_name="Lupe Ortiz", role="worker", clinic="clinica-romero", username="lupe.ortiz", language="es"
            ),
        ),
        "admin": await make_user(conn, "rosa@example.org", "clinic_admin", clinic="clinica-romero", name="Rosa Díaz"),
    }


@pytest.fixture
def live(settings, cast):
    with smtp_server() as (inbox, smtp_port):
        port = free_port()
        served = settings.replace(
            public_base_url=f"http://127.0.0.1:{port}", smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_security="none"
        )
        with ServerThread(create_app(served, jobs=True), port):  # as `lms serve`: with its job worker
            yield {"base": served.public_base_url, "settings": served, "inbox": inbox, "cast": cast}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_worker_resets_her_password_by_email_and_another_by_her_clinic_admins_code(in_browser, live):
    base, inbox = live["base"], live["inbox"]

    def journey(browser) -> None:
        worker = browser.new_context(viewport=PHONE).new_page()
        worker.goto(f"{base}/login")
        worker.click("a[href='/password/forgot']")
        worker.fill("#email", "ana@example.org")
        worker.click("form[action='/password/forgot'] button[type=submit]")
        worker.wait_for_load_state()
        assert worker.locator("p.ok[role=status]").count() == 1
        message = wait_for(lambda: inbox.to("ana@example.org"), "the reset email")[0]
        link = re.search(r"http://\S+/password/reset/\S+", message.get_content()).group(0)
        worker.goto(link)
        assert worker.locator("html").get_attribute("lang") == "es"  # the link speaks her language
        worker.fill("#new_password", NEW_PASSWORD)
        shot(worker, "reset-by-email")
        worker.click("form button[type=submit] >> nth=-1")
        worker.wait_for_url(re.compile(r"/login\?reset=1"))
        worker.fill("#email", "ana@example.org")
        worker.fill("#password", NEW_PASSWORD)
        worker.click("form[action='/login'] button[type=submit]")
        worker.wait_for_load_state()
        assert "/login" not in worker.url

        admin = browser.new_context(viewport=PHONE).new_page()
        sign_in(admin, base, "rosa@example.org")
        admin.goto(f"{base}/people?q=Lupe")
        admin.click("form[action$='/reset-code'] button")
        admin.wait_for_load_state()
        code = admin.text_content("#reset-code").strip()
        shot(admin, "reset-code-issued")

        lupe = browser.new_context(viewport=PHONE).new_page()
        lupe.goto(f"{base}/password/code")
        lupe.fill("#code", code.lower().replace("-", " "))  # as read over the phone
        lupe.fill("#new_password", NEW_PASSWORD)
        lupe.click("form[action='/password/code'] button[type=submit]")
        lupe.wait_for_url(re.compile(r"/login\?reset=1"))
        lupe.fill("#email", "lupe.ortiz")
        lupe.fill("#password", NEW_PASSWORD)
        lupe.click("form[action='/login'] button[type=submit]")
        lupe.wait_for_load_state()
        assert "/login" not in lupe.url, lupe.content()[:300]

    in_browser(journey)
    assert sql(live["settings"], "SELECT count(*) FROM password_resets WHERE used_at IS NOT NULL") == 2


def test_a_clinic_admin_imports_a_roster_of_200_and_deactivates_a_worker_who_left(in_browser, live, tmp_path):
    base = live["base"]
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv(200), encoding="utf-8")

    def journey(browser) -> None:
        admin = browser.new_context(viewport=PHONE).new_page()
        sign_in(admin, base, "rosa@example.org")
        admin.goto(f"{base}/people")
        admin.click("a[href='/people/import']")
        admin.set_input_files("#roster-file", str(roster))
        admin.click("form[enctype='multipart/form-data'] button[type=submit]")
        admin.wait_for_load_state()
        assert "200" in admin.text_content("#roster-summary")
        shot(admin, "roster-checked")
        admin.click("form input[name=confirm] >> xpath=.. >> button")
        admin.wait_for_load_state()
        assert "Imported" in admin.text_content("#roster-summary") or "Importada" in admin.text_content(
            "#roster-summary"
        )
        admin.goto(f"{base}/people?q=E0007")
        admin.click("form[action$='/deactivate'] button")
        admin.wait_for_load_state()
        admin.goto(f"{base}/people?q=E0007")
        shot(admin, "worker-deactivated")

    in_browser(journey)
    assert sql(live["settings"], "SELECT count(*) FROM users WHERE roster_id IS NOT NULL") == 200
    assert sql(live["settings"], "SELECT active FROM users WHERE roster_id = 'E0007'") is False
