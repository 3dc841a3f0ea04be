"""Writing a message for a person: which channel reaches her, in which language, once per occasion."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from lms.i18n import N_
from lms.messages import queries
from lms.messages.compose import compose, message_language
from lms.messages.schemas import Recipient
from lms.settings import Settings

# Kinds a person cannot opt out of: she asked for them, or they concern her account's safety.
ALWAYS_SENT = frozenset({"password.reset_link", "password.reset_code", "password.changed"})
# What a person can opt out of, per channel: a group of kinds, named by the kinds' first part.
OPT_OUT_GROUPS = {
    "renewal": N_("Renewal reminders"),
    "session": N_("Session reminders"),
    "certificate": N_("Certificate notices"),
}
CHANNELS = {"email": N_("Email"), "sms": N_("Text message (SMS)")}


def opt_out_group(kind: str) -> str:
    return kind.split(".")[0]


def choose_channel(person: Recipient, kind: str, settings: Settings, *, prefer: str | None = None) -> str | None:
    """email, sms or outbox; None when she opted out of every channel that reaches her.

    The outbox stands in for a channel that is not configured, so a pilot without a mail server still reaches
    people (program admins pass the message on); a person who opted out is not reached through it either.
    """
    group = opt_out_group(kind)

    def allowed(channel: str) -> bool:
        return kind in ALWAYS_SENT or not ({f"{group}:{channel}", f"*:{channel}"} & set(person.opted_out))

    order = ["sms", "email"] if prefer == "sms" else ["email", "sms"]
    for channel in order:
        address = person.email if channel == "email" else person.phone
        if address and allowed(channel):
            configured = settings.sends_email if channel == "email" else settings.sends_sms
            return channel if configured else "outbox"
    if not person.email and not person.phone:
        return "outbox"
    return None


async def send_message(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    user_id: UUID,
    kind: str,
    occasion: str,
    params: dict[str, Any],
    prefer: str | None = None,
) -> UUID | None:
    """Write the message in the caller's transaction; the job worker delivers it after commit.

    Returns its id, or None when nothing is sent: the person is inactive, opted out, or already has this occasion's
    message (so calling twice, from two processes at once, sends once).
    """
    person = await queries.recipient(conn, user_id)
    if person is None:
        return None
    channel = choose_channel(person, kind, settings, prefer=prefer)
    if channel is None:
        return None
    language = message_language(person.language)
    subject, body = compose(kind, language, params)
    return await queries.insert_message(
        conn,
        user_id=user_id,
        kind=kind,
        occasion=occasion,
        channel=channel,
        language=language,
        subject=subject,
        body=body,
    )
