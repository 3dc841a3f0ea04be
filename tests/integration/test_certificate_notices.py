"""A worker hears about her certificate being issued, replaced and revoked: each notice once, by email through a real
SMTP server (aiosmtpd), in her language."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from lms.accounts.schemas import CurrentUser
from lms.credit.corrections import on_record_corrected
from lms.credit.service import revoke
from lms.db.pool import create_pool
from lms.jobs.tasks import send_due_reminders
from lms.messages.delivery import deliver_due
from tests.helpers import make_user
from tests.integration.smtp_server import smtp_server
from tests.integration.test_credit import dental_worker_with_certificate


@pytest.fixture
def mail():
    with smtp_server() as (inbox, port):
        yield inbox, port


async def test_issued_superseded_and_revoked_notices_reach_her_inbox_once_each_in_spanish(client, settings, conn, mail):
    """(`client`: the app registers the credit feature's completion listeners, which issue the certificate.)"""
    inbox, port = mail
    settings = settings.replace(
        smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_from="training@example.org"
    )
    worker, instructor, first_code = await dental_worker_with_certificate(conn, language="es")
    admin = await make_user(conn, "admin@example.org", "program_admin")
    enrollment_id, first_id = await conn.fetchrow(
        "SELECT enrollment_id, id FROM certificates WHERE user_id = $1", worker.id
    )
    pool = await create_pool(settings)

    async def tick() -> list:
        before = len(inbox.received)
        await send_due_reminders(pool, settings, now=datetime.now(UTC) + timedelta(seconds=1))
        await deliver_due(pool, settings)
        return inbox.received[before:]

    try:
        [issued] = await tick()
        assert issued["To"] == "ana@example.org" and issued["From"] == "training@example.org"
        assert issued["Subject"].startswith("Su certificado: ")
        body = issued.get_content()
        assert "¡Felicidades! Se emitió su certificado" in body and first_code.replace("-", "") in body.replace("-", "")
        assert await tick() == [], "looking again sends nothing twice"

        # Her attendance is corrected (she left a minute early): the certificate is replaced by one with the new minutes.
        await conn.execute(
            "UPDATE attendance SET minutes = minutes - 1, left_at = left_at - interval '1 minute' WHERE enrollment_id = $1",
            enrollment_id,
        )
        await on_record_corrected(conn, enrollment_id, True, instructor.id, "Left a minute early")
        second = await conn.fetchval(
            "SELECT code FROM certificates WHERE enrollment_id = $1 AND revoked_at IS NULL", enrollment_id
        )
        assert await conn.fetchval("SELECT correction FROM certificates WHERE id = $1", first_id) == "superseded"
        replaced = {str(m["Subject"]).strip().split(":")[0]: m for m in await tick()}
        assert set(replaced) == {"Su certificado fue reemplazado", "Su certificado"}, list(replaced)
        assert "fue reemplazado por uno nuevo" in replaced["Su certificado fue reemplazado"].get_content()
        assert f"/verify/{second}" in replaced["Su certificado fue reemplazado"].get_content()

        program_admin = CurrentUser(
            id=admin.id,
            email=admin.email,
            display_name=admin.display_name,
            role="program_admin",
            clinic_id=None,
            local_id=None,
            language="en",
        )
        await revoke(conn, typed_code=second, actor=program_admin, reason="issued_in_error", note="Wrong course")
        [revoked] = await tick()
        assert str(revoked["Subject"]).strip().startswith("Su certificado fue revocado: ")  # a long subject is folded
        assert "fue revocado" in revoked.get_content() and "Wrong course" not in revoked.get_content()
        assert await tick() == []
    finally:
        await pool.close()

    kinds = Counter(await conn.fetch("SELECT kind FROM messages WHERE status = 'sent'"))
    assert len(inbox.received) == 4 and sorted(k["kind"] for k in kinds.elements()) == [
        "certificate.issued",
        "certificate.issued",
        "certificate.revoked",
        "certificate.superseded",
    ], kinds
    assert await conn.fetchval("SELECT count(*) FROM messages WHERE body IS NOT NULL") == 0, (
        "no bodies kept after delivery"
    )
