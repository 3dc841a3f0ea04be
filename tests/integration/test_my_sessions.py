"""My sessions: the page, and the iCalendar feed a phone subscribes to by its signed address."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from icalendar import Calendar

from lms.i18n import LANGUAGE_COOKIE
from tests.integration.learning_fixtures import CODE, basic, hybrid_course, schedule_session, switch_to


async def test_a_worker_sees_her_sessions_and_her_phone_calendar_subscribes_to_them(client, conn):
    cast = await hybrid_course(conn)
    await client.post(
        "/api/v1/enrollments/bulk", headers=cast.instructor_headers, json={"code": CODE, "emails": ["ana@example.org"]}
    )
    session = await schedule_session(client, cast, starts_in=timedelta(days=4), minutes=90)
    assert (
        await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(cast.worker_token))
    ).status_code == 201

    await switch_to(client, "ana@example.org")
    page = await client.get("/my/sessions")
    assert page.status_code == 200 and "Operatory 2" in page.text and "St Johns" in page.text
    url = re.search(r'id="calendar-url">([^<]+)<', page.text).group(1)
    path = url.split("127.0.0.1:8000", 1)[1]

    client.cookies.clear()  # a calendar app has no session
    feed = await client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = list(Calendar.from_ical(feed.content).walk("VEVENT"))
    assert len(events) == 1 and str(events[0]["location"]) == "St Johns, Operatory 2"
    assert (events[0]["dtend"].dt - events[0]["dtstart"].dt) == timedelta(minutes=90)
    assert "ana@example.org" not in feed.text and "Ana" not in feed.text

    forged = path.replace(path.rsplit("/", 1)[1], "0" * 32 + ".ics")
    assert (await client.get(forged)).status_code == 404


async def test_my_sessions_speak_the_page_s_language_with_its_dates_times_and_course_title(client, conn):
    cast = await hybrid_course(conn)
    await client.post(
        "/api/v1/enrollments/bulk", headers=cast.instructor_headers, json={"code": CODE, "emails": ["ana@example.org"]}
    )
    session = await schedule_session(client, cast, starts_in=timedelta(days=4), minutes=90)
    await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(cast.worker_token))
    await switch_to(client, "ana@example.org")  # her profile says English; she reads the pages in Spanish
    client.cookies.set(LANGUAGE_COOKIE, "es")

    page = await client.get("/my/sessions")
    starts = datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo("America/Los_Angeles"))
    row = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert format_date(starts.date(), "medium", locale="es") in row  # "11 dic 2026", not 2026-12-11
    assert starts.date().isoformat() not in row
    assert format_time(starts, "short", locale="es") in row
    assert '<span lang="es">Control de infecciones para asistentes dentales</span>' in row
