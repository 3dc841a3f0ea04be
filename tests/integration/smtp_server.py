"""A real SMTP server (aiosmtpd) on a free port that keeps what it receives, for the message tests."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from lms.embedded.ports import free_port


@dataclass
class Inbox:
    received: list[EmailMessage] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "550 mailbox unavailable": every message is refused
    tries: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.tries += 1
        if self.refuse_with:
            return self.refuse_with
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
