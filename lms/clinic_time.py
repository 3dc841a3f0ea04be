"""The partnership's clinics are all in California: every day the service names (a certificate's date, a report's
period, "today" on a form) is a California day, which is one day behind UTC every afternoon and evening."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ZONE_NAME = "America/Los_Angeles"
ZONE = ZoneInfo(ZONE_NAME)


def today() -> date:
    return datetime.now(ZONE).date()
