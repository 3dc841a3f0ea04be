"""Learning rules without I/O: checking xAPI statements (lms.xapi), the rotating attendance code, grading a quiz."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lms.accounts.schemas import CurrentUser
from lms.errors import Invalid
from lms.learning import qr, xapi
from lms.learning.quizzes import grade
from lms.xapi import service
from lms.xapi.callers import Caller, person
from lms.xapi.validation import V1, V2, VOIDED

BASE = "https://training.example.org"
ME = uuid.UUID("6f1c1f4e-0a35-4c51-9a43-4c5b3b3e1f00")
NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
WORKER = person(
    CurrentUser(
        id=ME,
        email="ana@example.org",
        display_name="Ana",
        role="worker",
        clinic_id=uuid.uuid4(),
        local_id=None,
        language="es",
    ),
    BASE,
)


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


def check(st, caller=WORKER, version=V1):
    return service.check_batch([st], version=version, base_url=BASE, caller=caller, now=NOW)[0]


def test_a_good_statement_is_kept_as_sent_and_linked_to_its_activity():
    row = check(statement(stored="2020-01-01T00:00:00Z", version="1.0.3"))
    assert row["id"] == "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e" and row["user_id"] == ME
    assert (row["code"], row["version"], row["akey"]) == ("DA-IC-101", 1, "hand-hygiene")
    assert row["ts"] == datetime(2026, 3, 1, 17, 58, tzinfo=UTC) and row["finishes"]
    assert "stored" not in row["raw"] and row["raw"]["version"] == "1.0.3"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": "12345"}, "must be a UUID"),
        ({"verb": {"id": "completed"}}, "must be an IRI"),
        ({"timestamp": "next tuesday"}, "ISO 8601"),
        ({"timestamp": "2008-09-15T15:53:00.601-00:00"}, "ISO 8601"),
        ({"object": {"id": f"{BASE}/activities/not a course"}}, "IRI"),
        ({"object": {"objectType": "Agent", "id": "x:y"}}, "unknown properties"),
        ({"result": {"score": {"scaled": 1.5}}}, "between -1 and 1"),
        ({"result": {"score": {"min": 5, "max": 1}}}, "must not be more than max"),
        ({"result": {"duration": "five minutes"}}, "ISO 8601 duration"),
        ({"result": {"duration": "P4W1D"}}, "ISO 8601 duration"),
        ({"context": {"registration": "not-a-uuid"}}, "registration"),
        ({"context": {"extensions": {"not an iri": 1}}}, "not an IRI"),
        ({"version": "0.95"}, "must be 1.0.x"),
        ({"object": {"id": "http://example.org/q", "definition": {"interactionType": "essay"}}}, "interactionType"),
        (
            {
                "attachments": [
                    {
                        "usageType": "http://x.org/u",
                        "display": {"en": "a"},
                        "contentType": 5,
                        "length": 1,
                        "sha2": "ab" * 32,
                    }
                ]
            },
            "contentType",
        ),
        ({"actor": {"mbox": "mailto:ana@example.org", "openid": "http://id.example.org/ana"}}, "exactly one"),
        (
            {"verb": {"id": xapi.VERB_BASE + "completed", "display": {"en-US": 5}}},
            "verb.display.en-US: must be a string",
        ),
        ({"verb": {"id": xapi.VERB_BASE + "completed", "display": {"en_US": "completed"}}}, "not a language tag"),
        (
            {"verb": {"id": xapi.VERB_BASE + "completed", "display": ["completed"]}},
            "verb.display: must be a JSON object",
        ),
    ],
)
def test_a_malformed_statement_names_what_is_wrong(change, reason):
    with pytest.raises(Invalid) as caught:
        check(statement(**change))
    assert reason in caught.value.detail


def test_any_actor_form_verb_and_object_type_is_accepted():
    """What an LRS must take from any client: mbox, mbox_sha1sum, openid, groups, any verb, every object type."""
    client = Caller()  # an LRS client writes about anyone
    object.__setattr__(client, "client", object())
    for actor in (
        {"mbox": "mailto:luis@example.org"},
        {"mbox_sha1sum": "a" * 40},
        {"openid": "http://id.example.org/luis"},
        {"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}, {"mbox": "mailto:b@example.org"}]},
    ):
        assert check(statement(actor=actor, verb={"id": "http://example.org/verbs/liked"}), caller=client)
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": "http://x.org/v"},
        "object": {"id": "http://x.org/a"},
    }
    for obj in (
        {"objectType": "Agent", "mbox": "mailto:a@example.org"},
        {"objectType": "StatementRef", "id": str(uuid.uuid4())},
        sub,
    ):
        row = check(statement(object=obj, verb={"id": "http://example.org/verbs/saw"}), caller=client)
        assert row["activity_iri"] is None and not row["finishes"]
    assert check(statement(timestamp="2026-03-01T18:30:00Z"), caller=client)  # in the future: an LRS takes it


def test_a_worker_writes_statements_about_herself_only():
    mine = [{"mbox": "mailto:ana@example.org"}, {"mbox_sha1sum": hashlib.sha1(b"mailto:ana@example.org").hexdigest()}]
    for actor in mine:
        assert check(statement(actor=actor))["user_id"] == ME
    for actor in ({"account": {"homePage": BASE, "name": str(uuid.uuid4())}}, {"mbox": "mailto:luis@example.org"}):
        with pytest.raises(Invalid, match="only send statements about yourself"):
            check(statement(actor=actor))


def test_voiding_needs_a_statement_ref():
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": str(uuid.uuid4())})
    assert check(voiding)["voids_id"] and check(voiding)["activity_iri"] is None
    with pytest.raises(Invalid, match="StatementRef"):
        check(statement(verb={"id": VOIDED}))


def test_a_batch_repeats_an_id_only_with_the_same_content_and_only_in_1_0_3():
    one = statement()
    assert len(service.check_batch([one, dict(one)], version=V1, base_url=BASE, caller=WORKER, now=NOW)) == 1
    with pytest.raises(Invalid, match="appears twice"):
        service.check_batch(
            [one, statement(result={"completion": True})], version=V1, base_url=BASE, caller=WORKER, now=NOW
        )
    with pytest.raises(Invalid, match="appears twice"):
        service.check_batch([one, dict(one)], version=V2, base_url=BASE, caller=WORKER, now=NOW)
    with pytest.raises(Invalid, match="at most 500"):
        service.check_batch(
            [statement(id=str(uuid.uuid4())) for _ in range(501)], version=V1, base_url=BASE, caller=WORKER, now=NOW
        )


def test_version_2_takes_context_agents_and_rfc3339_times():
    st = statement(
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"mbox": "mailto:t@example.org"},
                    "relevantTypes": ["http://x.org/teacher"],
                }
            ]
        },
        timestamp="2026-03-01 09:58:00+00:00",
    )
    assert "mbox:mailto:t@example.org" in check(st, version=V2)["related_agents"]
    with pytest.raises(Invalid, match="unknown properties"):
        check(st)


def test_server_made_statements_pass_the_same_checks():
    made = xapi.build_statement(
        base_url=BASE,
        user_id=ME,
        verb="passed",
        code="DA-IC-101",
        version=1,
        key="precautions-quiz",
        title={"en": "Quiz"},
        registration=uuid.uuid4(),
        language="es",
        timestamp=NOW,
        result={"score": {"scaled": 0.8}, "success": True},
    )
    assert check(made, caller=None)["akey"] == "precautions-quiz"


def test_the_attendance_code_rotates_and_expires():
    session = uuid.uuid4()
    t = 1_800_000_000.0
    code = qr.attendance_token("k" * 40, session, now=t)
    assert qr.read_attendance_token("k" * 40, code, now=t + 5) == session
    assert qr.read_attendance_token("k" * 40, code, now=t + 60) == session  # a slow phone
    assert qr.read_attendance_token("k" * 40, code, now=t + 120) is None  # a photo sent home
    assert qr.attendance_token("k" * 40, session, now=t + 30) != code  # a new code every 30 s
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
    learner = {
        "questions": [
            {"key": "q1", "choices": [{"key": "a"}, {"key": "b"}]},
            {"key": "q2", "choices": [{"key": "a"}, {"key": "b"}, {"key": "c"}]},
        ]
    }
    key = {"q1": {"correct": ["b"], "feedback": {"a": {"en": "No"}}}, "q2": {"correct": ["a", "c"], "feedback": {}}}
    score, right, results = grade(learner, key, {"q1": ["b"], "q2": ["a"]})
    assert (score, right) == (0.5, 1) and [r.correct for r in results] == [True, False]
    assert grade(learner, key, {"q1": ["a"], "q2": ["c", "a"]})[2][0].feedback == {"a": {"en": "No"}}
    assert grade(learner, key, {})[0] == 0.0
    with pytest.raises(Invalid, match="no choice"):
        grade(learner, key, {"q1": ["z"]})
    with pytest.raises(Invalid, match="no such question"):
        grade(learner, key, {"q9": ["a"]})
