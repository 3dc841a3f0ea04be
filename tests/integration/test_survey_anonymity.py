"""Survey anonymity against an attacker who subtracts: a program admin and a clinic admin (the worker's employer) ask
for survey results through the real pages, CSV and API, then subtract the published figures from each other (the
total minus the groups, one filter minus another, one period minus another, the same question asked before and after
one more answer). No subtraction may leave between 1 and 4 people, nor a lone worker's comment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg

from lms.clinic_time import today as clinic_today
from tests.helpers import make_clinic, make_user, sign_in, token_for
from tests.integration.test_reports import COURSES, complete, publish, rows_of, worker

LIKERT = ("relevance", "schedule", "language", "instructor")


def month_back(months: int) -> date:
    """The 10th of the month ``months`` before this one, California time."""
    day = clinic_today().replace(day=1)
    for _ in range(months):
        day = (day - timedelta(days=1)).replace(day=1)
    return day.replace(day=10)


async def answered(
    client: Any,
    conn: asyncpg.Connection,
    clinic: str,
    count: int,
    *,
    track: str = "CE",
    score: int = 4,
    comment: str = "wish",
    language: str = "es",
    on: date | None = None,
    prefix: str = "w",
) -> None:
    """``count`` workers of ``clinic`` complete a course of ``track`` and answer its survey through the API; the answers
    are then dated ``on`` (a past month), as if given then."""
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    for i in range(count):
        user = await worker(conn, f"{prefix}{i}-{track.lower()}@{clinic}.org", clinic, language=language)
        await complete(conn, user, track, certificate=False)
        sent = await client.post(
            f"/api/v1/reports/surveys/{survey_id}/responses",
            headers=await token_for(conn, user.id),
            json={
                "language": language,
                "course": COURSES[track],
                "version": 1,
                "answers": {**dict.fromkeys(LIKERT, score), "next-training": f"{comment} {i}"},
            },
        )
        assert sent.status_code == 201, sent.text
    if on is not None:
        await conn.execute("UPDATE survey_responses SET submitted_on = $1 WHERE submitted_on > $1", on)


def figures(group: dict[str, Any]) -> list[int]:
    """A group's published counts: respondents, then each question's answers per option (hidden counts as 0)."""
    out = [group["respondents"] or 0]
    for q in group["questions"]:
        if q["kind"] == "likert":
            out.extend(q["distribution"] or [0] * 5)
    return out


def assert_nothing_small_left(whole: list[int], *parts: list[int], what: str) -> None:
    """``whole`` minus ``parts``: the people (and, per option, the answers) left must be none or at least 5."""
    left = [w - sum(p[i] for p in parts) for i, w in enumerate(whole)]
    assert left[0] == 0 or left[0] >= 5, f"{what}: {left[0]} respondent(s) recovered by subtraction"
    for start in range(1, len(left), 5):
        answers = sum(left[start : start + 5])
        assert answers == 0 or answers >= 5, (
            f"{what}: the answers of {answers} person(s) recovered: {left[start : start + 5]}"
        )


def csv_figures(rows: list[list[str]], group: str, value: str) -> list[int]:
    """The same counts read back from the survey CSV (one row per group and question)."""
    mine = [r for r in rows[1:] if r[0] == group and r[1] == value]
    if not mine or not mine[0][2].isdigit():
        return [0] + [0] * 5 * len(LIKERT)
    by_question = {r[3]: [int(x or 0) for x in r[6:11]] for r in mine}
    return [int(mine[0][2])] + [n for key in LIKERT for n in by_question.get(key, [0] * 5)]


async def test_a_program_admin_cannot_subtract_a_clinic_to_find_its_lone_worker(client, conn):
    await publish(conn, "CE")
    for slug in ("big-clinic", "lone-clinic"):
        await make_clinic(conn, slug)
    last_month = month_back(1)
    await answered(client, conn, "big-clinic", 5, score=4, comment="big wish", on=last_month)
    await answered(client, conn, "lone-clinic", 1, score=1, comment="lone secret wish", on=last_month)
    big = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'big-clinic'")
    admin = await make_user(conn, "pat@partnership.org", "program_admin")
    headers = await token_for(conn, admin.id)
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    url = f"/api/v1/reports/surveys/{survey_id}/results"

    everyone = (await client.get(url, headers=headers)).json()
    for dimension in ("clinic", "track", "language", "local"):
        groups = [g for g in everyone["breakdowns"] if g["dimension"] == dimension]
        assert_nothing_small_left(
            figures(everyone["overall"]), *map(figures, groups), what=f"total minus each {dimension}"
        )
    assert everyone["overall"]["respondents"] == 5  # the 5 who can hide among each other are shown
    only_big = (await client.get(f"{url}?clinic={big}", headers=headers)).json()
    assert_nothing_small_left(
        figures(everyone["overall"]), figures(only_big["overall"]), what="total minus the big clinic's filter"
    )
    comments = [c for q in everyone["overall"]["questions"] for c in q.get("comments") or []]
    assert comments and not any("lone secret" in c for c in comments)

    await sign_in(client, "pat@partnership.org")
    rows = rows_of((await client.get(f"/reports/surveys/{survey_id}/results.csv")).text)
    assert_nothing_small_left(
        csv_figures(rows, "all", "all"),
        csv_figures(rows, "clinic", "Big Clinic"),
        csv_figures(rows, "clinic", "Lone Clinic"),
        what="CSV: total minus clinics",
    )
    program_rows = rows_of((await client.get("/reports/program/export/survey.csv")).text)
    assert_nothing_small_left(
        csv_figures(program_rows, "all", "all"),
        csv_figures(program_rows, "clinic", "Big Clinic"),
        what="program CSV: total minus the big clinic",
    )
    for page in (f"/reports/surveys/{survey_id}", "/reports/program"):
        html = (await client.get(page)).text
        assert "5 responses." in html and "6 responses." not in html and "lone secret" not in html, page
        assert "big wish 0" in html, page  # the comments of the 5 are there


async def test_periods_and_asking_again_do_not_give_one_answer_away(client, conn):
    await publish(conn, "CE")
    await make_clinic(conn, "big-clinic")
    admin = await make_user(conn, "pat@partnership.org", "program_admin")
    headers = await token_for(conn, admin.id)
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    url = f"/api/v1/reports/surveys/{survey_id}/results"
    two_back, one_back = month_back(2), month_back(1)
    await answered(client, conn, "big-clinic", 5, score=4, on=two_back, prefix="early")
    await answered(client, conn, "big-clinic", 1, score=1, on=one_back, prefix="late")  # alike, one month later

    first_month = f"start={two_back.replace(day=1)}&end={two_back.replace(day=28)}"
    both_months = f"start={two_back.replace(day=1)}&end={one_back.replace(day=28)}"
    short = (await client.get(f"{url}?{first_month}", headers=headers)).json()
    long = (await client.get(f"{url}?{both_months}", headers=headers)).json()
    assert short["overall"]["respondents"] == 5
    assert_nothing_small_left(figures(long["overall"]), figures(short["overall"]), what="two months minus the first")

    before = (await client.get(url, headers=headers)).json()
    listed_before = (await client.get(f"/api/v1/reports/surveys/{survey_id}", headers=headers)).json()["responses"]
    await answered(client, conn, "big-clinic", 1, score=2, prefix="today")  # one more answer, now
    after = (await client.get(url, headers=headers)).json()
    listed_after = (await client.get(f"/api/v1/reports/surveys/{survey_id}", headers=headers)).json()["responses"]
    assert_nothing_small_left(
        figures(after["overall"]), figures(before["overall"]), what="after one more answer minus before"
    )
    assert listed_before == listed_after == 5


async def test_a_clinic_admin_cannot_single_out_the_one_worker_of_another_track(client, conn):
    await publish(conn, "CE", "MA")
    await make_clinic(conn, "st-johns")
    last_month = month_back(1)
    await answered(client, conn, "st-johns", 5, track="CE", score=4, on=last_month)
    await answered(client, conn, "st-johns", 1, track="MA", score=1, on=last_month)
    clinic = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'st-johns'")
    kim = await make_user(conn, "kim@stjohns.org", "clinic_admin", clinic="st-johns")
    headers = await token_for(conn, kim.id)

    board = (await client.get(f"/api/v1/reports/clinics/{clinic}", headers=headers)).json()["survey"]
    tracks = [g for g in board["breakdowns"] if g["dimension"] == "track"]
    assert_nothing_small_left(figures(board["overall"]), *map(figures, tracks), what="clinic total minus its tracks")
    ce_only = (await client.get(f"/api/v1/reports/clinics/{clinic}?track=CE", headers=headers)).json()["survey"]
    assert_nothing_small_left(
        figures(board["overall"]), figures(ce_only["overall"]), what="clinic total minus the CE filter"
    )

    await sign_in(client, "kim@stjohns.org")
    rows = rows_of((await client.get(f"/reports/clinics/{clinic}/export/survey.csv")).text)
    track_rows = {r[1] for r in rows[1:] if r[0] == "track"}
    assert_nothing_small_left(
        csv_figures(rows, "all", "all"),
        *(csv_figures(rows, "track", t) for t in track_rows),
        what="clinic CSV: total minus tracks",
    )
    html = (await client.get(f"/reports/clinics/{clinic}")).text
    assert "5 responses." in html and "6 responses." not in html


async def test_the_month_by_month_results_give_no_one_away(client, conn):
    """Two months: five alike answers in the first, five alike plus one lone answer of another clinic in the second.
    Each month shows its counted answers; neither the total minus the months, nor a month minus its clinics, nor a
    month of one filter minus the same month of another leaves the lone worker."""
    await publish(conn, "CE")
    for slug in ("big-clinic", "lone-clinic"):
        await make_clinic(conn, slug)
    two_back, one_back = month_back(2), month_back(1)
    await answered(client, conn, "big-clinic", 5, score=4, on=two_back, prefix="early")
    await answered(client, conn, "big-clinic", 5, score=3, on=one_back, prefix="late")
    await answered(client, conn, "lone-clinic", 1, score=1, on=one_back, prefix="lone")
    big = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'big-clinic'")
    admin = await make_user(conn, "pat@partnership.org", "program_admin")
    headers = await token_for(conn, admin.id)
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    url = f"/api/v1/reports/surveys/{survey_id}/results"
    period = f"start={two_back.replace(day=1)}&end={one_back.replace(day=28)}"

    everyone = (await client.get(f"{url}?{period}", headers=headers)).json()
    months = {g["key"]: g for g in everyone["breakdowns"] if g["dimension"] == "month"}
    first, second = two_back.replace(day=1).isoformat(), one_back.replace(day=1).isoformat()
    assert list(months) == [first, second]
    assert (months[first]["respondents"], months[second]["respondents"]) == (5, 5)  # the lone answer counts nowhere
    assert months[second]["label"] == one_back.isoformat()[:7]
    assert_nothing_small_left(
        figures(everyone["overall"]), *map(figures, months.values()), what="total minus each month"
    )
    only_big = (await client.get(f"{url}?{period}&clinic={big}", headers=headers)).json()
    big_months = {g["key"]: g for g in only_big["breakdowns"] if g["dimension"] == "month"}
    for key, group in months.items():
        assert_nothing_small_left(figures(group), figures(big_months[key]), what=f"{key} minus the big clinic's {key}")
    second_only = (
        await client.get(f"{url}?start={one_back.replace(day=1)}&end={one_back.replace(day=28)}", headers=headers)
    ).json()
    assert_nothing_small_left(
        figures(everyone["overall"]),
        figures(second_only["overall"]),
        figures(months[first]),
        what="period minus months",
    )

    await sign_in(client, "pat@partnership.org")
    rows = rows_of((await client.get(f"/reports/program/export/survey.csv?{period}")).text)
    assert csv_figures(rows, "month", one_back.isoformat()[:7])[0] == 5
    assert_nothing_small_left(
        csv_figures(rows, "all", "all"),
        csv_figures(rows, "month", two_back.isoformat()[:7]),
        csv_figures(rows, "month", one_back.isoformat()[:7]),
        what="program CSV: total minus months",
    )
    html = (await client.get(f"/reports/program?{period}")).text
    assert "By month" in html
    row = html.split(f'<tr data-month="{second}">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">5</td>' in row and "3.0" in row  # the late five's average; the lone 1 is not in it
