"""Building a course in the browser without JavaScript: a new course, modules and activities added, reordered and
removed, a quiz's question bank, an in-person session with its skills, problems shown next to their fields."""

from __future__ import annotations

import re

from tests.helpers import csrf_from, draft_form, make_user, sign_in

CODE = "CHW-ORAL-101"


async def _instructor(client, conn, email="ana@example.org", language="en"):
    person = await make_user(conn, email, "instructor", language=language)
    await sign_in(client, email)
    return person


async def _create(client, code=CODE, **extra):
    form = await client.get("/author/new")
    data = {
        "_csrf_token": csrf_from(form.text),
        "code": code,
        "track": "CHW",
        "language": ["en", "es"],
        "title.en": "Oral health for community health workers",
        "title.es": "Salud bucal para promotores de salud",
        "summary.en": "Talking with families about teeth.",
        "summary.es": "Cómo hablar con las familias sobre los dientes.",
        "approval.0.body": "IACET",
        "approval.0.provider_number": "IACET-4471",
        "approval.0.category": "general",
        "approval.0.approved_from": "2026-12-01",
        "approval.0.approved_until": "2028-11-30",
        **extra,
    }
    return await client.post("/author/new", data=data, follow_redirects=False)


async def _draft(client, code=CODE):
    answer = await client.get(f"/api/v1/authoring/courses/{code}/draft")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _press(client, url, op=None, **fields):
    """Post the form on ``url`` as shown, with these fields changed and (optionally) one of its buttons pressed."""
    page = await client.get(url)
    assert page.status_code == 200, page.text
    data = {**draft_form(page.text), **fields}
    if op:
        data["op"] = op
    return await client.post(url, data=data, follow_redirects=False)


async def test_an_instructor_creates_a_course_from_nothing_and_owns_it(client, conn):
    ana = await _instructor(client, conn)
    home = await client.get("/author")
    assert 'href="/author/new"' in home.text
    form = await client.get("/author/new")
    assert form.status_code == 200 and 'name="title.es"' in form.text and 'name="title.zh-Hant"' in form.text
    created = await _create(client)
    assert created.status_code == 303 and created.headers["location"] == f"/author/{CODE}?created=true"
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM course_owners o JOIN courses c ON c.id = o.course_id WHERE c.code = $1 AND o.user_id = $2",
            CODE,
            ana.id,
        )
        == 1
    )
    draft = await _draft(client)
    assert draft["languages"] == ["en", "es"] and draft["track"] == "CHW" and draft["modules"] == []
    assert draft["title"]["es"] == "Salud bucal para promotores de salud"
    assert draft["approvals"] == [
        {
            "body": "IACET",
            "provider_number": "IACET-4471",
            "approved_from": "2026-12-01",
            "approved_until": "2028-11-30",
            "category": "general",
        }
    ]
    page = await client.get(f"/author/{CODE}")
    assert "The course is created and you own it" not in page.text  # only right after creating
    assert (await client.get(created.headers["location"])).text.count("you own it") == 1
    again = await _create(client, **{"title.en": "Another"})
    assert again.status_code == 400 and "A course with this code exists already" in again.text
    assert (await _draft(client))["title"]["en"] == "Oral health for community health workers"


async def test_bad_new_course_input_is_shown_next_to_each_field_in_the_authors_language_and_nothing_is_saved(
    client, conn
):
    await _instructor(client, conn, language="es")
    refused = await _create(
        client,
        code="x",
        **{
            "language": [],
            "title.en": "T" * 201,
            "approval.0.provider_number": "",
            "approval.0.approved_until": "2020-01-01",
        },
    )
    assert refused.status_code == 400
    text = refused.text
    assert "Un código de curso tiene" in text  # the code
    assert 'aria-describedby="err-code"' in text and 'aria-describedby="err-approval.0.provider_number"' in text
    assert "Dé el número de proveedor" in text and "La aprobación termina antes de empezar" in text
    assert 'value="x"' in text  # what she typed is still there
    assert await conn.fetchval("SELECT count(*) FROM courses") == 0


async def test_modules_and_activities_are_added_reordered_and_removed_with_buttons(client, conn):
    await _instructor(client, conn)
    await _create(client)
    url = f"/author/{CODE}"
    assert (await _press(client, url, "module-add")).status_code == 303
    assert (
        await _press(client, url, "module-add", **{"module.module-1.en": "Basics", "module.module-1.es": "Lo básico"})
    ).status_code == 303
    added = await _press(client, url, "activity-add:module-1:lesson")
    assert added.status_code == 303 and added.headers["location"] == f"{url}/activities/lesson-1"
    for op in ("activity-add:module-1:quiz", "activity-add:module-2:in_person", "activity-add:module-2:checkoff"):
        assert (await _press(client, url, op)).status_code == 303
    draft = await _draft(client)
    assert [[a["key"] for a in m["activities"]] for m in draft["modules"]] == [
        ["lesson-1", "quiz-1"],
        ["in-person-1", "checkoff-1"],
    ]
    assert draft["modules"][0]["title"] == {"en": "Basics", "es": "Lo básico"}

    await _press(client, url, "activity-up:in-person-1")  # from the top of module 2 to the end of module 1
    await _press(client, url, "activity-up:quiz-1")
    await _press(client, url, "module-down:module-1")
    draft = await _draft(client)
    assert [[a["key"] for a in m["activities"]] for m in draft["modules"]] == [
        ["checkoff-1"],
        ["quiz-1", "lesson-1", "in-person-1"],
    ]
    await _press(client, url, "activity-remove:lesson-1")
    await _press(client, url, "module-remove:module-2")
    draft = await _draft(client)
    assert [[a["key"] for a in m["activities"]] for m in draft["modules"]] == [["quiz-1", "in-person-1"]]
    page = await client.get(url)
    assert 'value="activity-down:quiz-1"' in page.text and 'value="activity-up:in-person-1"' in page.text
    assert 'value="activity-up:quiz-1"' not in page.text  # nowhere further up to go
    assert 'value="activity-down:in-person-1"' not in page.text and 'value="module-add"' in page.text


async def test_a_quiz_question_bank_with_single_multiple_and_true_false_answers_and_feedback(client, conn):
    await _instructor(client, conn)
    await _create(client)
    await _press(client, f"/author/{CODE}", "module-add")
    await _press(client, f"/author/{CODE}", "activity-add:module-1:quiz")
    url = f"/author/{CODE}/activities/quiz-1"
    await _press(client, url, "question-add")
    await _press(client, url, "question-add")
    tf = await _press(client, url, "question-add-tf")
    assert tf.status_code == 303 and tf.headers["location"].endswith("#q-q-3")
    saved = await _press(
        client,
        url,
        **{
            "pass_mark": "75",
            "max_attempts": "3",
            "title.en": "Check",
            "title.es": "Comprobación",
            "q.q-1.prompt.en": "How often should children brush?",
            "q.q-1.prompt.es": "¿Cada cuánto deben cepillarse los niños?",
            "q.q-1.c.a.text.en": "Twice a day",
            "q.q-1.c.a.text.es": "Dos veces al día",
            "q.q-1.c.a.correct": "on",
            "q.q-1.c.a.feedback.en": "Yes: morning and night.",
            "q.q-1.c.a.feedback.es": "Sí: mañana y noche.",
            "q.q-1.c.b.text.en": "Once a week",
            "q.q-1.c.b.text.es": "Una vez por semana",
            "q.q-1.c.c.text.en": "Never",
            "q.q-1.c.c.text.es": "Nunca",
            "q.q-2.prompt.en": "Which drinks harm teeth?",
            "q.q-2.prompt.es": "¿Qué bebidas dañan los dientes?",
            "q.q-2.c.a.text.en": "Soda",
            "q.q-2.c.a.text.es": "Refresco",
            "q.q-2.c.a.correct": "on",
            "q.q-2.c.b.text.en": "Juice",
            "q.q-2.c.b.text.es": "Jugo",
            "q.q-2.c.b.correct": "on",
            "q.q-2.c.c.text.en": "Water",
            "q.q-2.c.c.text.es": "Agua",
            "q.q-3.prompt.en": "Fluoride protects teeth.",
            "q.q-3.prompt.es": "El flúor protege los dientes.",
            "q.q-3.c.true.correct": "on",  # ticked when the true/false question was added; a browser posts it as shown
        },
    )
    assert saved.status_code == 303, re.findall(r"field-error\" id=\"([^\"]+)\">([^<]*)<", saved.text)
    quiz = (await _draft(client))["modules"][0]["activities"][0]
    assert quiz["pass_mark"] == 0.75 and quiz["max_attempts"] == 3
    q1, q2, q3 = quiz["questions"]
    assert [c["correct"] for c in q1["choices"]] == [True, False, False]
    assert q1["choices"][0]["feedback"] == {"en": "Yes: morning and night.", "es": "Sí: mañana y noche."}
    assert [c["correct"] for c in q2["choices"]] == [True, True, False]  # learners choose all that apply
    assert q3["choices"] == [
        {"key": "true", "text": {"en": "True", "es": "Verdadero"}, "correct": True, "feedback": {}},
        {"key": "false", "text": {"en": "False", "es": "Falso"}, "correct": False, "feedback": {}},
    ]

    shown = {
        "q.q-1.c.a.correct": "on",
        "q.q-2.c.a.correct": "on",
        "q.q-2.c.b.correct": "on",
        "q.q-3.c.true.correct": "on",
    }
    await _press(client, url, "question-up:q-3", **shown)
    await _press(client, url, "choice-remove:q-1:c", **shown)
    quiz = (await _draft(client))["modules"][0]["activities"][0]
    assert [q["key"] for q in quiz["questions"]] == ["q-1", "q-3", "q-2"] and len(quiz["questions"][0]["choices"]) == 2

    before = await _draft(client)
    wrong = await _press(client, url, "question-add", **{**shown, "pass_mark": "150", "q.q-1.c.a.correct": ""})
    assert wrong.status_code == 400
    assert (
        "Give the pass mark as a percentage from 0 to 100." in wrong.text
        and 'aria-describedby="err-pass_mark"' in wrong.text
    )
    assert "Tick at least one correct answer." in wrong.text and 'id="err-q.q-1"' in wrong.text
    assert await _draft(client) == before  # nothing half saved, and the button did nothing either


async def test_an_in_person_session_template_with_contact_minutes_and_skills_to_sign_off(client, conn):
    await _instructor(client, conn)
    await _create(client)
    await _press(client, f"/author/{CODE}", "module-add")
    await _press(client, f"/author/{CODE}", "activity-add:module-1:in_person")
    await _press(client, f"/author/{CODE}", "activity-add:module-1:quiz")
    url = f"/author/{CODE}/activities/in-person-1"
    skill = await _press(
        client,
        url,
        "skill-add",
        minutes="90",
        **{
            "title.en": "Fluoride varnish practice",
            "title.es": "Práctica de barniz de flúor",
            "description.en": "Bring gloves.",
            "description.es": "Traiga guantes.",
        },
    )
    assert skill.status_code == 303 and skill.headers["location"] == f"/author/{CODE}/activities/checkoff-1"
    await _press(
        client, skill.headers["location"], **{"title.en": "Applies varnish", "criteria.en": "Dries the teeth first."}
    )
    draft = await _draft(client)
    session, checkoff, _quiz = draft["modules"][0]["activities"]
    assert (
        session["kind"] == "in_person"
        and session["minutes"] == 90
        and session["description"]["es"] == "Traiga guantes."
    )
    assert checkoff["kind"] == "checkoff" and checkoff["criteria"] == {"en": "Dries the teeth first."}
    page = await client.get(url)
    assert re.search(r'id="skills".*Applies varnish', page.text, re.S)


async def test_over_long_text_is_refused_next_to_its_field(client, conn):
    await _instructor(client, conn)
    await _create(client)
    before = await _draft(client)
    refused = await _press(client, f"/author/{CODE}", **{"summary.es": "x" * 2001, "title.en": "Changed"})
    assert refused.status_code == 400 and 'aria-describedby="err-summary.es"' in refused.text
    assert "Keep this under 2000 characters (it has 2001)." in refused.text and 'value="Changed"' in refused.text
    assert await _draft(client) == before


async def test_the_live_preview_renders_markdown_through_the_publishing_sanitiser(client, conn):
    await _instructor(client, conn)
    page = await client.get("/author/new")
    shown = await client.post(
        "/author/markdown",
        data={"_csrf_token": csrf_from(page.text), "text": "# Brushing\n\n**Two** minutes <script>alert(1)</script>"},
    )
    assert shown.status_code == 200 and "<h2>Brushing</h2>" in shown.text and "<strong>Two</strong>" in shown.text
    assert "<script" not in shown.text


async def test_a_lesson_cannot_show_a_file_that_is_not_a_ready_file_of_the_course(client, conn):
    await _instructor(client, conn)
    await _create(client)
    await _press(client, f"/author/{CODE}", "module-add")
    await _press(client, f"/author/{CODE}", "activity-add:module-1:lesson")
    before = await _draft(client)
    refused = await _press(
        client, f"/author/{CODE}/activities/lesson-1", media_listed="1", media="00000000-0000-4000-8000-000000000000"
    )
    assert refused.status_code == 400 and "is not a ready file of this course" in refused.text
    assert 'id="err-media"' in refused.text and await _draft(client) == before
