from __future__ import annotations

from datetime import datetime
from uuid import UUID

from lms.schemas import Response


class Recipient(Response):
    """What choosing a channel needs to know about a person: where she can be reached and what she opted out of."""

    id: UUID
    email: str | None
    phone: str | None
    language: str
    opted_out: list[str]  # "kind:channel", "*:channel"


class PendingMessage(Response):
    id: UUID
    channel: str
    email: str | None
    phone: str | None
    subject: str | None
    body: str | None
    attempts: int


class OutboxLine(Response):
    """A message as program admins see it in the outbox: kept ones with their text, failed ones with the reason."""

    id: UUID
    created_at: datetime
    kind: str
    channel: str
    status: str
    recipient: str
    clinic: str | None
    subject: str | None
    body: str | None
    attempts: int
    last_error: str | None
    sent_at: datetime | None
