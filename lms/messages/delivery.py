"""Handing due messages to the SMTP server or Twilio, each exactly once.

A message is claimed with FOR UPDATE SKIP LOCKED, so two worker processes never send the same one; it is marked
sent in the same transaction right after the server accepted it. An SMTP server that refuses or times out leaves
the message pending with a growing wait, and after the last attempt it is marked failed and shows in the outbox.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

import aiosmtplib
import asyncpg
from litestar.concurrency import sync_to_thread

from lms.messages import queries
from lms.messages.schemas import PendingMessage
from lms.settings import Settings

log = logging.getLogger("lms.messages")


class DeliveryFailed(Exception):
    pass


async def send_email(settings: Settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)  # plain text, UTF-8
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryFailed(f"SMTP: {type(exc).__name__}: {exc}") from exc


async def send_sms(settings: Settings, to: str, body: str) -> None:
    from twilio.base.exceptions import TwilioException
    from twilio.rest import Client

    def send() -> None:
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        sender = settings.twilio_from
        by = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        client.messages.create(to=to, body=body, **by)

    try:
        await sync_to_thread(send)
    except (TwilioException, OSError) as exc:
        raise DeliveryFailed(f"SMS: {type(exc).__name__}: {exc}") from exc


async def _deliver(settings: Settings, message: PendingMessage) -> None:
    if message.channel == "email" and message.email:
        await send_email(settings, message.email, message.subject or "", message.body or "")
    elif message.channel == "sms" and message.phone:
        await send_sms(settings, message.phone, message.body or "")
    else:
        raise DeliveryFailed("the person no longer has an address on this channel")


async def deliver_due(pool: asyncpg.Pool, settings: Settings, *, most: int = 500) -> int:
    """Send what is due, one message per transaction (a crash re-sends at most the one in flight); return how many
    went out."""
    sent = 0
    for _ in range(most):
        async with pool.acquire() as conn, conn.transaction():
            due = await queries.claim_due(conn, limit=1)
            if not due:
                break
            message = due[0]
            try:
                await _deliver(settings, message)
            except DeliveryFailed as exc:
                log.warning("message delivery failed", extra={"message_id": str(message.id), "error": str(exc)})
                await queries.mark_failed_attempt(conn, message.id, str(exc))
            else:
                await queries.mark_sent(conn, message.id)
                sent += 1
    return sent
