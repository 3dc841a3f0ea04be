"""The funder's report: all six targets with their written definitions, for the partnership and by clinic and by
union local over a period, as charts and CSV beside the survey results. The expected numbers are worked out here from
the raw records (certificates, enrolments, apprenticeships, tuition requests, preceptor assignments), not from the
summary tables the report reads."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from lms.clinic_time import today as clinic_today
from tests.integration.test_reports import outcomes, program_admin, rows_of

TARGETS = ("industry_credentials", "ce_and_ehr", "professional_development", "apprentices", "tuition", "preceptorship")


async def program_records(conn, workers) -> None:
    """Apprentices, tuition requests and preceptor assignments, some inside the period and some outside it."""
    ana, ben, caro, dev = workers
    today = clinic_today()
    long_ago = today - timedelta(days=800)
    mentor = await conn.fetchval(
        "INSERT INTO users (email, display_name, role) VALUES ('m@example.org', 'Mentor', 'instructor') RETURNING id"
    )
    program = await conn.fetchval("SELECT id FROM apprenticeship_programs WHERE key = 'chw'")
    for person, placed in ((ana, today), (dev, long_ago), (caro, None)):
        await conn.execute(
            """INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on, status, completed_on, placed_on, placement)
               VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::date IS NULL THEN 'active' ELSE 'completed' END, $6, $6,
                       CASE WHEN $6::date IS NULL THEN NULL ELSE 'CHW' END)""",
            program,
            person.id,
            person.clinic_id,
            mentor,
            long_ago - timedelta(days=400),
            placed,
        )
    now = datetime.now(UTC)
    for person, status, approved_at in (
        (ben, "approved", now),
        (ana, "paid", now),
        (ana, "approved", now),
        (caro, "clinic_approved", None),
        (dev, "paid", now - timedelta(days=800)),
    ):
        await conn.execute(
            """INSERT INTO tuition_requests (user_id, clinic_id, field, program, school, term, year, cost_cents, status,
                                             approved_cents, approved_at, paid_cents)
               VALUES ($1, $2, 'nursing', 'LVN', 'City College', 'Fall', 2026, 100000, $3,
                       CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 100000 END, $4, CASE WHEN $3 = 'paid' THEN 100000 END)""",
            person.id,
            person.clinic_id,
            status,
            approved_at,
        )
    for person, starts in ((caro, today), (dev, today - timedelta(days=30)), (dev, today), (ben, long_ago)):
        await conn.execute(
            """INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on)
               VALUES ($1, $2, $3, 'rn', 'BRN', $4)""",
            person.id,
            mentor,
            person.clinic_id,
            starts,
        )


async def expected(conn, start: date, end: date, clinic=None) -> dict[str, dict]:
    """Per target: (overall, by clinic name, by local name), counted from the raw records."""
    people = {
        r["id"]: r
        for r in await conn.fetch(
            """SELECT u.id, c.name AS clinic, l.name AS local FROM users u LEFT JOIN clinics c ON c.id = u.clinic_id
           LEFT JOIN union_locals l ON l.id = u.local_id"""
        )
    }
    clinic_names = {r["id"]: r["name"] for r in await conn.fetch("SELECT id, name FROM clinics")}
    events: dict[str, list[tuple]] = defaultdict(list)  # target -> (counted thing, clinic name, local name, day)
    day = "(x AT TIME ZONE 'America/Los_Angeles')::date"
    for r in await conn.fetch(f"""SELECT c.id, c.user_id, e.clinic_id, k.track, {day.replace("x", "c.issued_at")} AS day
                                  FROM certificates c JOIN enrollments e ON e.id = c.enrollment_id
                                  JOIN course_versions v ON v.id = c.version_id JOIN courses k ON k.id = v.course_id
                                  WHERE c.revoked_at IS NULL"""):
        if r["track"] in ("MA", "DA", "CHW") and start <= r["day"] <= end:
            events["industry_credentials"].append(
                (r["id"], clinic_names[r["clinic_id"]], people[r["user_id"]]["local"], r["day"])
            )
    firsts: dict[tuple, date] = {}
    for r in await conn.fetch(f"""SELECT e.user_id, k.track, e.clinic_id, {day.replace("x", "e.enrolled_at")} AS day
                                  FROM enrollments e JOIN course_versions v ON v.id = e.version_id JOIN courses k ON k.id = v.course_id"""):
        key = (r["user_id"], r["track"], clinic_names[r["clinic_id"]])
        firsts[key] = min(firsts.get(key, r["day"]), r["day"])
    for (user_id, track, clinic_name), first in firsts.items():
        if start <= first <= end:
            where = (user_id, clinic_name, people[user_id]["local"], first)
            events["professional_development"].append(where)
            if track in ("CE", "EHR"):
                events["ce_and_ehr"].append(where)
    for r in await conn.fetch("SELECT user_id, clinic_id, placed_on FROM apprenticeships WHERE placed_on IS NOT NULL"):
        if start <= r["placed_on"] <= end:
            events["apprentices"].append(
                (r["user_id"], clinic_names[r["clinic_id"]], people[r["user_id"]]["local"], r["placed_on"])
            )
    for r in await conn.fetch(
        f"SELECT user_id, clinic_id, status, {day.replace('x', 'approved_at')} AS day FROM tuition_requests"
    ):
        if r["status"] in ("approved", "paid") and start <= r["day"] <= end:
            events["tuition"].append(
                (r["user_id"], clinic_names[r["clinic_id"]], people[r["user_id"]]["local"], r["day"])
            )
    for r in await conn.fetch("SELECT user_id, clinic_id, starts_on FROM preceptorships"):
        if start <= r["starts_on"] <= end:
            events["preceptorship"].append(
                (r["user_id"], clinic_names[r["clinic_id"]], people[r["user_id"]]["local"], r["starts_on"])
            )
    out = {}
    for target in TARGETS:
        rows = [e for e in events[target] if clinic is None or e[1] == clinic]
        by_clinic: dict[str, set] = defaultdict(set)
        by_local: dict[str, set] = defaultdict(set)
        by_month: dict[date, set] = defaultdict(set)
        by_quarter: dict[date, set] = defaultdict(set)
        for thing, clinic_name, local_name, day in rows:
            by_clinic[clinic_name].add(thing)
            by_local[local_name or "Not recorded"].add(thing)
            by_month[date(day.year, day.month, 1)].add(thing)
            by_quarter[date(day.year, (day.month - 1) // 3 * 3 + 1, 1)].add(thing)
        out[target] = {
            "all": len({r[0] for r in rows}),
            "clinic": {k: len(v) for k, v in by_clinic.items()},
            "local": {k: len(v) for k, v in by_local.items()},
            "month": {k: len(v) for k, v in by_month.items()},
            "quarter": {k: len(v) for k, v in by_quarter.items()},
        }
    return out


def by_group(table: list[list[str]]) -> dict[str, dict[str, int]]:
    header = table[0]
    return {target: {row[0]: int(row[i]) for row in table[1:] if int(row[i])} for i, target in enumerate(header) if i}


async def test_the_funder_report_shows_all_six_targets_by_clinic_and_local_as_derived_from_the_records(client, conn):
    world = await outcomes(conn)
    await program_records(conn, world["workers"])
    await program_admin(conn, client)
    start, end = clinic_today() - timedelta(days=365), clinic_today()
    want = await expected(conn, start, end)
    assert (
        want["apprentices"]["all"] == 1 and want["tuition"]["all"] == 2 and want["preceptorship"]["all"] == 2
    )  # the data bites

    qs = f"start={start.isoformat()}&end={end.isoformat()}"
    totals = rows_of((await client.get(f"/reports/program/export/funder.csv?{qs}")).text)
    assert totals[0][:3] == ["target", "name", "definition"]
    assert [r[0] for r in totals[1:]] == list(TARGETS)
    assert {r[0]: int(r[5]) for r in totals[1:]} == {t: want[t]["all"] for t in TARGETS}
    assert {r[0]: int(r[6]) for r in totals[1:]} == {
        "industry_credentials": 400,
        "ce_and_ehr": 900,
        "professional_development": 1800,
        "apprentices": 10,
        "tuition": 200,
        "preceptorship": 100,
    }
    assert all(r[2] for r in totals[1:])  # each with its written definition

    for dimension in ("clinic", "local"):
        table = rows_of((await client.get(f"/reports/program/export/funder_by_{dimension}.csv?{qs}")).text)
        assert table[0] == [dimension, *TARGETS]
        got = by_group(table)
        assert got == {t: want[t][dimension] for t in TARGETS}, dimension

    # one clinic, as the filter asks
    clinic = await conn.fetchrow("SELECT id, name FROM clinics WHERE slug = 'la-clinica'")
    only = await expected(conn, start, end, clinic=clinic["name"])
    board = (await client.get(f"/api/v1/reports/program?{qs}&clinic={clinic['id']}")).json()
    assert {t["key"]: t["achieved"] for t in board["funder"]} == {t: only[t]["all"] for t in TARGETS}

    # the page: the six targets with their definitions, in charts and tables, in English and in Spanish, beside the survey
    page = await client.get(f"/reports/program?{qs}")
    html = page.text
    assert page.status_code == 200 and "<script" not in html
    for chart in ("funder", "funder-by-clinic", "funder-by-local"):
        assert f'id="{chart}-title"' in html
    assert html.count('<tr data-target="') == 6 and "Workers in clinical supervision and preceptorship" in html
    assert "Distinct workers with a preceptor assignment" in html and 'id="h-survey"' in html
    await client.post("/language", data={"language": "es", "next": "/", "_csrf_token": client.cookies.get("lms_csrf")})
    spanish = (await client.get(f"/reports/program?{qs}")).text
    assert (
        "Trabajadores en supervisión clínica y preceptoría" in spanish
        and "Aprendices colocados en un empleo" in spanish
    )


async def test_the_targets_list_counts_the_programs_over_each_targets_own_period(client, conn):
    world = await outcomes(conn)
    await program_records(conn, world["workers"])
    await program_admin(conn, client)
    await conn.execute(
        "UPDATE program_targets SET period_start = $1, period_end = $2 WHERE key IN ('apprentices', 'tuition', 'preceptorship')",
        clinic_today() - timedelta(days=1000),
        clinic_today(),
    )
    targets = {t["key"]: t["achieved"] for t in (await client.get("/api/v1/reports/targets")).json()}
    long_ago = await expected(conn, clinic_today() - timedelta(days=1000), clinic_today())
    assert targets["apprentices"] == long_ago["apprentices"]["all"] == 2
    assert targets["tuition"] == long_ago["tuition"]["all"] == 3
    assert targets["preceptorship"] == long_ago["preceptorship"]["all"] == 3


def month_starts(start: date, end: date, step: int) -> list[date]:
    """Every month (step 1) or calendar quarter (step 3) the period touches, by its first day."""
    day = date(start.year, (start.month - 1) // step * step + 1, 1)
    out = []
    while day <= end:
        out.append(day)
        month = day.month - 1 + step
        day = date(day.year + month // 12, month % 12 + 1, 1)
    return out


async def test_the_funder_report_counts_each_target_month_by_month_and_quarter_by_quarter(client, conn):
    world = await outcomes(conn)
    await program_records(conn, world["workers"])
    await program_admin(conn, client)
    await conn.execute(  # one more preceptor assignment two months back, so that months differ
        """INSERT INTO preceptorships (user_id, preceptor_id, clinic_id, role_key, board, starts_on)
           SELECT p.user_id, p.preceptor_id, p.clinic_id, p.role_key, p.board, current_date - 62 FROM preceptorships p
           LIMIT 1"""
    )
    start, end = clinic_today() - timedelta(days=365), clinic_today()
    want = await expected(conn, start, end)
    qs = f"start={start.isoformat()}&end={end.isoformat()}"
    for period, step in (("month", 1), ("quarter", 3)):
        table = rows_of((await client.get(f"/reports/program/export/funder_by_{period}.csv?{qs}")).text)
        assert table[0] == [period, *TARGETS]
        firsts = month_starts(start, end, step)
        assert [date.fromisoformat(r[0]) for r in table[1:]] == firsts  # every period, empty ones included
        got = {
            t: {date.fromisoformat(r[0]): int(r[i]) for r in table[1:] if int(r[i])} for i, t in enumerate(TARGETS, 1)
        }
        assert got == {t: want[t][period] for t in TARGETS}, period
        # a worker counted once per target in a period, however many times she appears in it
        assert sum(want["preceptorship"][period].values()) >= want["preceptorship"]["all"]
    assert len(want["preceptorship"]["month"]) >= 2 and sum(len(want[t]["month"]) for t in TARGETS) > len(TARGETS)

    page = (await client.get(f"/reports/program?{qs}")).text
    for chart in ("funder-by-month", "funder-by-quarter"):
        assert f'id="{chart}-title"' in page
    quarters = re.search(r'id="funder-by-quarter-table">(.*?)</table>', page, re.S).group(1)
    assert quarters.count("<tr data-period=") == len(month_starts(start, end, 3))
    this_quarter = month_starts(end, end, 3)[0]
    row = re.search(rf'<tr data-period="{this_quarter.isoformat()}">(.*?)</tr>', quarters, re.S).group(1)
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == [
        want[t]["quarter"].get(this_quarter, 0) for t in TARGETS
    ]
