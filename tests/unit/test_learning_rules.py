"""Learning rules without I/O: checking xAPI statements, the rotating attendance code, grading a quiz."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lms.errors import Invalid
from lms.learning import qr, xapi
from lms.learning.quizzes import grade

BASE = "https://training.example.org"
ME = uuid.UUID("6f1c1f4e-0a35-4c51-9a43-4c5b3b3e1f00")
NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def statement(**changes):
    st = {
        "id": "3F2B8C1E-4D5A-4B6C-8D7E-9F0A1B2C3D4E",
        "actor": {"objectType": "Agent", "account": {"homePage": BASE, "name": str(ME)}},
        "verb": {"id": xapi.VERB_BASE + "completed", "display": {"en-US": "completed"}},
        "object": {"id": f"{BASE}/activities/DA-IC-101/v1/hand-hygiene"},
        "timestamp": "2026-03-01T09:58:00-08:00",
    }
    st.update(changes)
    return st


def check(st):
    return xapi.check_statement(st, "statement", base_url=BASE, caller_id=ME, now=NOW)


def test_a_good_statement_is_normalised_for_comparison():
    row = check(statement(stored="2020-01-01T00:00:00Z", version="1.0.3"))
    assert row["id"] == "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"
    assert (row["code"], row["version"], row["akey"]) == ("DA-IC-101", 1, "hand-hygiene")
    assert row["raw"]["timestamp"] == "2026-03-01T17:58:00.000Z"
    assert "stored" not in row["raw"] and "version" not in row["raw"]
    # The same statement written another way (timestamp in UTC, upper-case id) compares equal.
    same = check(statement(timestamp="2026-03-01T17:58:00Z"))
    assert same["raw"] == row["raw"]


@pytest.mark.parametrize(("change", "reason"), [
    ({"id": "12345"}, "must be a UUID"),
    ({"verb": {"id": "completed"}}, "must be an IRI"),
    ({"verb": {"id": "http://example.org/verbs/liked"}}, "unknown verb"),
    ({"actor": {"account": {"homePage": BASE, "name": str(uuid.uuid4())}}}, "the actor must be you"),
    ({"actor": {"mbox": "mailto:ana@example.org"}}, "account"),
    ({"timestamp": "2026-03-01T18:30:00Z"}, "in the future"),
    ({"timestamp": "next tuesday"}, "ISO 8601"),
    ({"object": {"id": f"{BASE}/activities/not a course"}}, "activity IRI"),
    ({"object": {"objectType": "Agent", "id": "x:y"}}, "must be Activity"),
    ({"result": {"score": {"scaled": 1.5}}}, "between -1 and 1"),
    ({"result": {"duration": "five minutes"}}, "ISO 8601 duration"),
    ({"context": {"registration": "not-a-uuid"}}, "registration"),
    ({"attachments": []}, "unsupported"),
    ({"verb": {"id": xapi.VERB_BASE + "completed", "display": {"en-US": 5}}}, "verb.display: must be a language map"),
    ({"verb": {"id": xapi.VERB_BASE + "completed", "display": {"English": "completed"}}}, "verb.display: must be a language map"),
    ({"verb": {"id": xapi.VERB_BASE + "completed", "display": ["completed"]}}, "verb.display: must be a language map"),
    ({"object": {"id": f"{BASE}/activities/DA-IC-101/v1/hand-hygiene", "definition": {"name": {"es": "Higiene", "e s": "x"}}}},
     "object.definition.name: must be a language map"),
])
def test_a_malformed_statement_names_what_is_wrong(change, reason):
    with pytest.raises(Invalid) as caught:
        check(statement(**change))
    assert reason in caught.value.detail


def test_a_few_minutes_of_clock_drift_is_accepted():
    assert check(statement(timestamp=(NOW + timedelta(minutes=4)).isoformat()))


def test_voiding_needs_a_statement_ref():
    voiding = statement(verb={"id": xapi.VOIDED}, object={"objectType": "StatementRef", "id": str(uuid.uuid4())})
    assert check(voiding)["voids_id"] and check(voiding)["activity_iri"] is None
    with pytest.raises(Invalid, match="StatementRef"):
        check(statement(verb={"id": xapi.VOIDED}))


def test_a_batch_with_the_same_id_twice_must_say_the_same_thing():
    one = statement()
    assert len(xapi.check_batch([one, dict(one)], base_url=BASE, caller_id=ME, now=NOW)) == 1
    with pytest.raises(Invalid, match="appears twice"):
        xapi.check_batch([one, statement(result={"completion": True})], base_url=BASE, caller_id=ME, now=NOW)
    with pytest.raises(Invalid, match="at most 500"):
        xapi.check_batch([statement(id=str(uuid.uuid4())) for _ in range(501)], base_url=BASE, caller_id=ME, now=NOW)


def test_server_made_statements_pass_the_same_checks():
    made = xapi.build_statement(base_url=BASE, user_id=ME, verb="passed", code="DA-IC-101", version=1, key="precautions-quiz",
                                title={"en": "Quiz"}, registration=uuid.uuid4(), language="es", timestamp=NOW,
                                result={"score": {"scaled": 0.8}, "success": True})
    assert check(made)["akey"] == "precautions-quiz"


def test_the_attendance_code_rotates_and_expires():
    session = uuid.uuid4()
    t = 1_800_000_000.0
    code = qr.attendance_token("k" * 40, session, now=t)
    assert qr.read_attendance_token("k" * 40, code, now=t + 5) == session
    assert qr.read_attendance_token("k" * 40, code, now=t + 60) == session            # a slow phone
    assert qr.read_attendance_token("k" * 40, code, now=t + 120) is None              # a photo sent home
    assert qr.attendance_token("k" * 40, session, now=t + 30) != code                 # a new code every 30 s
    assert qr.read_attendance_token("another-secret" * 3, code, now=t) is None
    tampered = code[:-2] + ("AA" if code[-2:] != "AA" else "BB")
    assert qr.read_attendance_token("k" * 40, tampered, now=t) is None


def test_an_arrival_pass_is_bound_to_its_worker_once_signed_in():
    session, ana, luis = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    arrived = datetime.now(UTC)
    bound = qr.arrival_pass("k" * 40, session, arrived, ana)
    assert qr.read_arrival_pass("k" * 40, bound, ana) == (session, arrived.replace(microsecond=arrived.microsecond))
    assert qr.read_arrival_pass("k" * 40, bound, luis) is None
    unbound = qr.arrival_pass("k" * 40, session, arrived - timedelta(minutes=20))
    assert qr.read_arrival_pass("k" * 40, unbound, luis) is None  # too old to sign in with
    assert qr.qr_svg("https://x.example/attend/abc", title="Check in").startswith("<svg")


def test_a_quiz_is_graded_on_exactly_the_right_choices():
    learner = {"questions": [{"key": "q1", "choices": [{"key": "a"}, {"key": "b"}]},
                             {"key": "q2", "choices": [{"key": "a"}, {"key": "b"}, {"key": "c"}]}]}
    key = {"q1": {"correct": ["b"], "feedback": {"a": {"en": "No"}}}, "q2": {"correct": ["a", "c"], "feedback": {}}}
    score, right, results = grade(learner, key, {"q1": ["b"], "q2": ["a"]})
    assert (score, right) == (0.5, 1) and [r.correct for r in results] == [True, False]
    assert grade(learner, key, {"q1": ["a"], "q2": ["c", "a"]})[2][0].feedback == {"a": {"en": "No"}}
    assert grade(learner, key, {})[0] == 0.0
    with pytest.raises(Invalid, match="no choice"):
        grade(learner, key, {"q1": ["z"]})
    with pytest.raises(Invalid, match="no such question"):
        grade(learner, key, {"q9": ["a"]})
