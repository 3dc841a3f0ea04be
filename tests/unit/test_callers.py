"""Who is calling, kept a few seconds per process: expiry, forgetting on a change made here, bounded memory."""

from __future__ import annotations

import uuid

from lms.accounts.callers import CallerCache, callers_changed
from lms.accounts.schemas import CurrentUser


def _user(role: str = "worker") -> CurrentUser:
    return CurrentUser(
        id=uuid.uuid4(),
        email="ana@example.org",
        display_name="Ana",
        role=role,
        clinic_id=None,
        local_id=None,
        language="es",
    )


def test_a_caller_is_kept_for_the_configured_seconds_only():
    cache, ana = CallerCache(seconds=5), _user()
    cache.keep(b"s1", ana, now=100.0)
    assert cache.get(b"s1", now=104.9) == ana
    assert cache.get(b"s1", now=105.0) is None


def test_a_sign_out_or_role_change_made_here_is_seen_at_once():
    cache = CallerCache(seconds=5)
    cache.keep(b"s1", _user(), now=100.0)
    callers_changed()
    assert cache.get(b"s1", now=100.1) is None


def test_zero_seconds_keeps_nothing_and_a_flood_of_sessions_cannot_grow_it():
    off = CallerCache(seconds=0)
    off.keep(b"s1", _user(), now=100.0)
    assert off.get(b"s1", now=100.0) is None
    small = CallerCache(seconds=5, max_callers=3)
    for n in range(10):
        small.keep(b"s%d" % n, _user(), now=100.0)
    assert len(small._callers) <= 3 and small.get(b"s9", now=100.0) is not None
