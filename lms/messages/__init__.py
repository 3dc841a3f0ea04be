"""Messages to people: email (SMTP), SMS (Twilio) or, when neither reaches her, the outbox program admins read.

The whole API other features need is ``send_message`` (lms/messages/service.py)::

    await send_message(conn, user_id=worker.id, kind="certificate.issued", occasion=str(certificate_id),
                       params={"course": "...", "code": "..."})

It writes the message in the caller's transaction (nothing goes out if that rolls back) and returns at once; the
job worker (lms/jobs) delivers it. ``(user, kind, occasion, channel)`` is unique, so asking twice for the same
occasion sends once. The text is composed in the recipient's language from the gettext catalogues
(lms/messages/compose.py, where each kind is defined); after delivery only the fact of the message is kept.
"""
