"""Who may call what: every route of the app × every role × own/other worker × own/other clinic, written down below
and checked against the running app.

How to read a cell (columns: anonymous, worker, instructor, clinic admin, program admin):
  "-"       refused: anonymous gets 401 (API) or a redirect to sign in (pages); a signed-in role gets 403 (or 404 where
            the route hides itself)
  "y"       allowed
  "me"      allowed, and the answer is about the caller by construction (no id to guess); no one else's data in it
  "self"    allowed on the caller's own records only: another worker's id, same clinic or not, answers 404/403
  "clinic"  a clinic admin: allowed on their own clinic's workers only; another clinic's answers 404/403
  "runs"    an instructor: allowed on sessions they run only; another instructor's session answers 404/403
Where a call is allowed for someone else's records, the answer still never carries a worker's email or name across a
boundary it must not cross (another worker's for a worker; another clinic's for a clinic admin); public certificate
views show the worker's name by design, and never the email.

A route that is not in the table fails the test: a new route must be classified here before it ships.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lms.learning import qr
from tests.helpers import make_user, token_for
from tests.integration.programs_world import PROGRAM_RECORDS, matrix_records
from tests.integration.reliability_world import COURSE, build_world

ROLES = ("anonymous", "worker", "instructor", "clinic_admin", "program_admin")
CALLERS = {
    "anonymous": None,
    "worker": "worker_a",
    "instructor": "instructor",
    "clinic_admin": "admin_a",
    "program_admin": "program_admin",
}
STAFF = ("-", "-", "y", "-", "y")  # instructors and program admins
PROGRAM = ("-", "-", "-", "-", "y")  # program admins only
ANYONE = ("y", "y", "y", "y", "y")
SIGNED_IN = ("-", "me", "me", "me", "me")
ADMINS = ("-", "-", "-", "clinic", "y")  # clinic admins (their clinic) and program admins
TEACHERS = ("-", "-", "runs", "-", "y")  # the instructor running the session, and program admins
WORKER_VOICE = ("-", "me", "-", "-", "-")  # surveys are answered by workers only (anonymously)

#        route                                                                      anon  worker  instr   clinic    program
MATRIX: dict[str, tuple[str, str, str, str, str]] = {
    # health, schema, static, metrics
    "GET /health/live": ANYONE,
    "GET /health/ready": ANYONE,
    "GET /schema": ANYONE,
    "GET /schema/openapi.json": ANYONE,
    "GET /schema/scalar": ANYONE,
    "GET /schema/{path:str}": ("-", "-", "-", "-", "-"),  # catch-all: 404 to all
    "GET /static/{file_path:path}": ANYONE,
    "GET /metrics": ("-", "-", "-", "-", "-"),  # by address, not role
    # accounts
    "GET /api/v1/me": SIGNED_IN,
    "POST /api/v1/me/language": SIGNED_IN,
    "GET /api/v1/me/tokens": SIGNED_IN,
    "POST /api/v1/me/tokens": SIGNED_IN,
    "DELETE /api/v1/me/tokens/{token_id:uuid}": ("-", "self", "self", "self", "self"),
    "GET /api/v1/users": ADMINS,
    "GET /api/v1/users/{user_id:uuid}": ADMINS,
    "POST /api/v1/users": PROGRAM,
    "POST /api/v1/users/{user_id:uuid}/role": PROGRAM,
    "GET /api/v1/clinics": ("-", "y", "y", "y", "y"),
    "POST /api/v1/clinics": PROGRAM,
    "GET /login": ANYONE,
    "POST /login": ANYONE,
    "POST /logout": ANYONE,
    "POST /language": ANYONE,
    "GET /sw.js": ANYONE,
    "GET /profile": SIGNED_IN,
    "POST /profile/tokens": SIGNED_IN,
    "POST /profile/password": SIGNED_IN,
    "POST /profile/contact": SIGNED_IN,
    "POST /profile/messages": SIGNED_IN,
    "POST /profile/sign-out-everywhere": SIGNED_IN,
    "GET /password/forgot": ANYONE,
    "POST /password/forgot": ANYONE,
    "GET /password/reset/{secret:str}": ANYONE,
    "POST /password/reset/{secret:str}": ANYONE,
    "GET /password/code": ANYONE,
    "POST /password/code": ANYONE,
    "GET /people": ADMINS,
    "POST /people/{user_id:uuid}/reset-code": ADMINS,
    "POST /people": ADMINS,
    "GET /people/import": ADMINS,
    "POST /people/import": ADMINS,
    "POST /people/{user_id:uuid}/deactivate": ADMINS,
    "POST /people/{user_id:uuid}/role": ADMINS,
    "POST /people/organisations": PROGRAM,
    "GET /admin/outbox": PROGRAM,
    "GET /my/sessions": SIGNED_IN,
    "POST /teach/enrollments/{enrollment_id:uuid}/quizzes/{key:str}/reset": STAFF,
    "POST /teach/enrollments/{enrollment_id:uuid}/unenrol": STAFF,  # owners / session instructors: in the query
    "GET /calendar/{user_id:uuid}/{signature:str}": ("-", "-", "-", "-", "-"),  # needs its signed address
    # catalogue and authoring
    "GET /": ANYONE,
    "GET /courses/{code:str}": ANYONE,
    "GET /courses/{code:str}/v/{version:int}/{key:str}": ANYONE,
    "GET /api/v1/courses": ANYONE,
    "GET /api/v1/courses/{code:str}": ANYONE,
    "GET /api/v1/courses/{code:str}/versions": STAFF,
    "GET /api/v1/authoring/courses/{code:str}/draft": STAFF,
    "PUT /api/v1/authoring/courses/{code:str}/draft": STAFF,
    "GET /api/v1/authoring/courses/{code:str}/translations": STAFF,
    "POST /api/v1/authoring/courses/{code:str}/publish": STAFF,
    "POST /api/v1/authoring/courses/{code:str}/versions/{version:int}/retire": STAFF,
    "GET /author": STAFF,
    "GET /author/new": STAFF,
    "POST /author/new": STAFF,
    "POST /author/markdown": STAFF,
    "GET /author/{code:str}": STAFF,
    "POST /author/{code:str}": STAFF,
    "GET /author/{code:str}/activities/{key:str}": STAFF,
    "POST /author/{code:str}/activities/{key:str}": STAFF,
    "GET /author/{code:str}/preview": STAFF,
    "GET /author/{code:str}/preview/{key:str}": STAFF,
    "GET /author/{code:str}/publish": STAFF,
    "POST /author/{code:str}/publish": STAFF,
    "POST /author/{code:str}/versions/{version:int}/retire": STAFF,
    "GET /author/{code:str}/copy": STAFF,
    "POST /author/{code:str}/copy": STAFF,
    "GET /author/{code:str}/export": STAFF,
    "POST /author/{code:str}/import": STAFF,
    "GET /author/import": STAFF,
    "POST /author/import": STAFF,
    "GET /author/{code:str}/owners": STAFF,
    "POST /author/{code:str}/owners": STAFF,
    "POST /author/{code:str}/owners/{user_id:uuid}/remove": STAFF,
    # media
    "GET /api/v1/courses/{code:str}/media": STAFF,
    "GET /api/v1/courses/{code:str}/media/{media_id:uuid}": STAFF,
    "POST /api/v1/courses/{code:str}/media/uploads": STAFF,
    "POST /api/v1/courses/{code:str}/media/{media_id:uuid}/complete": STAFF,
    "DELETE /api/v1/courses/{code:str}/media/{media_id:uuid}": STAFF,
    "GET /api/v1/courses/{code:str}/versions/{version:int}/activities/{key:str}/media": ("-", "y", "y", "y", "y"),
    "GET /api/v1/courses/{code:str}/packages": STAFF,
    "POST /api/v1/courses/{code:str}/packages": STAFF,
    "POST /api/v1/courses/{code:str}/packages/{package_id:uuid}/activities": STAFF,
    "GET /author/{code:str}/packages": STAFF,
    "POST /author/{code:str}/packages": STAFF,
    "GET /author/{code:str}/packages/{package_id:uuid}": STAFF,
    "POST /author/{code:str}/packages/{package_id:uuid}": STAFF,
    "GET /author/{code:str}/packages/{package_id:uuid}/play/{position:int}": STAFF,
    "GET /content/{token:str}/{file_path:path}": ("-", "-", "-", "-", "-"),  # the content origin, by signed path
    "POST /learn/{code:str}/v/{version:int}/{key:str}/scorm": SIGNED_IN,  # her own enrolment (in the query)
    "GET /content/scorm/{token:str}": ("-", "-", "-", "-", "-"),  # content origin, launch token
    "POST /content/scorm/{token:str}/commit": ("-", "-", "-", "-", "-"),  # content origin, launch token
    "GET /content/scorm-runtime/{name:str}": ("-", "-", "-", "-", "-"),  # content origin only
    "GET /content/cmi5/return": ("-", "-", "-", "-", "-"),  # content origin only
    "GET /author/{code:str}/media": STAFF,
    "POST /author/{code:str}/media/uploads": STAFF,
    "GET /author/{code:str}/media/{media_id:uuid}/uploaded": STAFF,
    "POST /author/{code:str}/media/{media_id:uuid}/delete": STAFF,
    # learning records: enrolments, statements, quizzes
    "GET /xapi/about": ANYONE,
    "GET /xapi/statements": ("-", "self", "self", "clinic", "y"),
    "POST /xapi/statements": SIGNED_IN,
    "PUT /xapi/statements": SIGNED_IN,
    # the rest of the LRS: documents about the caller (checked in the query; tests/integration/test_xapi_lrs.py)
    "GET /xapi/activities": SIGNED_IN,
    "GET /xapi/agents": SIGNED_IN,
    "GET /xapi/activities/state": SIGNED_IN,
    "PUT /xapi/activities/state": SIGNED_IN,
    "POST /xapi/activities/state": SIGNED_IN,
    "DELETE /xapi/activities/state": SIGNED_IN,
    "GET /xapi/activities/profile": SIGNED_IN,
    "PUT /xapi/activities/profile": SIGNED_IN,
    "POST /xapi/activities/profile": SIGNED_IN,
    "DELETE /xapi/activities/profile": SIGNED_IN,
    "GET /xapi/agents/profile": SIGNED_IN,
    "PUT /xapi/agents/profile": SIGNED_IN,
    "POST /xapi/agents/profile": SIGNED_IN,
    "DELETE /xapi/agents/profile": SIGNED_IN,
    "GET /api/v1/lrs/clients": PROGRAM,
    "POST /api/v1/lrs/clients": PROGRAM,
    "DELETE /api/v1/lrs/clients/{client_id:uuid}": PROGRAM,
    "GET /admin/lrs-clients": PROGRAM,
    "POST /admin/lrs-clients": PROGRAM,
    "POST /admin/lrs-clients/{client_id:uuid}/revoke": PROGRAM,
    "GET /api/v1/enrollments": SIGNED_IN,
    "POST /api/v1/enrollments": SIGNED_IN,
    "POST /api/v1/enrollments/bulk": ("-", "-", "y", "clinic", "y"),
    "POST /api/v1/enrollments/move": SIGNED_IN,  # the caller's own open enrolment in the course
    "POST /api/v1/enrollments/{enrollment_id:uuid}/unenrol": STAFF,  # owners / session instructors: in the query
    "GET /api/v1/enrollments/{enrollment_id:uuid}/progress": ("-", "self", "y", "clinic", "y"),
    "POST /api/v1/enrollments/{enrollment_id:uuid}/completion": ("-", "self", "y", "clinic", "y"),
    "POST /api/v1/enrollments/{enrollment_id:uuid}/quizzes/{key:str}/attempts": ("-", "self", "self", "self", "self"),
    "GET /api/v1/learners/{code:str}/{version:int}": ("-", "-", "y", "clinic", "y"),
    "GET /my": SIGNED_IN,
    "POST /courses/{code:str}/v/{version:int}/enroll": SIGNED_IN,
    "POST /courses/{code:str}/move": SIGNED_IN,
    "POST /learn/{code:str}/v/{version:int}/{key:str}/done": SIGNED_IN,
    # cmi5: an AU's one-time fetch (the token is the key), a worker's launch, outside launches by program admins
    "POST /api/v1/cmi5/fetch/{fetch_token:str}": ANYONE,
    "POST /learn/{code:str}/v/{version:int}/{key:str}/cmi5": SIGNED_IN,
    "POST /api/v1/cmi5/packages/{package_id:uuid}/launches": PROGRAM,
    "POST /api/v1/cmi5/registrations/{registration_id:uuid}/waive": PROGRAM,
    "POST /api/v1/cmi5/sessions/{cmi5_session_id:uuid}/abandon": PROGRAM,
    "GET /quiz/{code:str}/v/{version:int}/{key:str}": SIGNED_IN,
    "POST /quiz/{code:str}/v/{version:int}/{key:str}": SIGNED_IN,
    # in-person sessions, attendance, checkoffs
    "GET /api/v1/sessions": ("-", "-", "me", "-", "me"),
    "POST /api/v1/sessions": STAFF,
    "GET /api/v1/sessions/{session_id:uuid}/roster": TEACHERS,
    "PUT /api/v1/sessions/{session_id:uuid}/roster": TEACHERS,
    "GET /api/v1/sessions/{session_id:uuid}/roster.csv": TEACHERS,
    "GET /api/v1/sessions/{session_id:uuid}/code": TEACHERS,
    "POST /api/v1/sessions/{session_id:uuid}/close": TEACHERS,
    "POST /api/v1/sessions/{session_id:uuid}/registrations": ("-", "y", "y", "y", "y"),
    "POST /api/v1/sessions/attendance": SIGNED_IN,
    "POST /api/v1/checkoffs": STAFF,
    "POST /sessions/{session_id:uuid}/register": ("-", "y", "y", "y", "y"),
    "POST /sessions/{session_id:uuid}/unregister": ("-", "y", "y", "y", "y"),
    "GET /attend/{token:str}": ("-", "y", "y", "y", "y"),  # signed out: sign in first
    "GET /attend/pass/{arrival:str}": SIGNED_IN,
    "POST /attend": SIGNED_IN,
    "GET /attend": SIGNED_IN,
    "POST /attend/code": SIGNED_IN,
    "GET /teach": ("-", "-", "y", "y", "y"),
    "GET /teach/courses/{code:str}/v/{version:int}": ("-", "-", "y", "clinic", "y"),
    "POST /teach/courses/{code:str}/v/{version:int}/enroll": ("-", "-", "y", "clinic", "y"),
    "POST /teach/sessions": STAFF,
    "GET /teach/sessions/{session_id:uuid}": TEACHERS,
    "POST /teach/sessions/{session_id:uuid}/roster": TEACHERS,
    "GET /teach/sessions/{session_id:uuid}/code": TEACHERS,
    "GET /teach/sessions/{session_id:uuid}/roster.csv": TEACHERS,
    "POST /teach/sessions/{session_id:uuid}/cancel": TEACHERS,
    "POST /teach/sessions/{session_id:uuid}/close": TEACHERS,
    "POST /teach/checkoffs": STAFF,
    # credit: certificates, credentials, transcripts, clinic credit
    "GET /verify": ANYONE,
    "GET /verify/{code:str}": ANYONE,  # public by design
    "GET /certificates/{code:str}/print": ANYONE,  # the same public facts
    "GET /api/v1/certificates/{code:str}": ANYONE,
    "POST /api/v1/credentials/verify": ANYONE,
    "GET /.well-known/did.json": ANYONE,
    "GET /credentials/status/{number:int}": ANYONE,
    "POST /api/v1/certificates/{code:str}/revoke": PROGRAM,
    "POST /verify/{code:str}/revoke": PROGRAM,
    "GET /api/v1/me/certificates/{code:str}/credential": ("-", "self", "self", "self", "self"),
    "GET /api/v1/me/transcript": SIGNED_IN,
    "GET /api/v1/me/transcript.csv": SIGNED_IN,
    "GET /my/certificates": SIGNED_IN,
    "GET /my/certificates.csv": SIGNED_IN,
    "GET /api/v1/clinic/credit": ADMINS,
    "GET /api/v1/clinic/credit.csv": ADMINS,
    "PUT /api/v1/clinic/workers/{user_id:uuid}/credentials": ("-", "-", "-", "clinic", "-"),
    "GET /clinic/credit": ADMINS,
    "GET /clinic/credit.csv": ADMINS,
    "POST /clinic/credit/credentials": ("-", "-", "-", "clinic", "-"),
    # outside records: the worker's own, reviewed and imported by a clinic admin of her clinic
    "GET /api/v1/me/outside-records": ("-", "me", "-", "-", "-"),
    "POST /api/v1/me/outside-records": ("-", "me", "-", "-", "-"),
    "GET /api/v1/clinic/outside-records": ("-", "-", "-", "y", "-"),
    "POST /api/v1/clinic/outside-records": ("-", "-", "-", "y", "-"),
    "POST /api/v1/clinic/outside-records/{record_id:uuid}/review": ("-", "-", "-", "clinic", "-"),
    "POST /api/v1/clinic/outside-records/import": ("-", "-", "-", "y", "-"),
    "GET /api/v1/outside-records/{record_id:uuid}/certificate": ("-", "self", "-", "clinic", "y"),
    "GET /my/outside-records": ("-", "me", "-", "-", "-"),
    "POST /my/outside-records": ("-", "me", "-", "-", "-"),
    "GET /clinic/outside-records": ("-", "-", "-", "y", "-"),
    "POST /clinic/outside-records/{record_id:uuid}/review": ("-", "-", "-", "clinic", "-"),
    "POST /clinic/outside-records/import": ("-", "-", "-", "y", "-"),
    # reports and surveys
    "GET /api/v1/reports/program": PROGRAM,
    "GET /api/v1/reports/targets": PROGRAM,
    "PUT /api/v1/reports/targets/{key:str}": PROGRAM,
    "GET /api/v1/reports/audit": PROGRAM,
    "GET /api/v1/reports/clinics/{clinic_id:uuid}": ADMINS,
    "GET /api/v1/reports/surveys": PROGRAM,
    "POST /api/v1/reports/surveys": PROGRAM,
    "GET /api/v1/reports/surveys/pending": SIGNED_IN,
    "GET /api/v1/reports/surveys/{survey_id:uuid}": PROGRAM,
    "PUT /api/v1/reports/surveys/{survey_id:uuid}": PROGRAM,
    "GET /api/v1/reports/surveys/{survey_id:uuid}/results": PROGRAM,
    "POST /api/v1/reports/surveys/{survey_id:uuid}/responses": WORKER_VOICE,
    "GET /reports": ADMINS,
    "GET /reports/clinic": ADMINS,
    "GET /reports/clinics/{clinic_id:uuid}": ADMINS,
    "GET /reports/clinics/{clinic_id:uuid}/export/{table:str}": ADMINS,
    "GET /reports/program": PROGRAM,
    "GET /reports/program/export/{table:str}": PROGRAM,
    "GET /reports/audit": PROGRAM,
    "GET /reports/surveys": PROGRAM,
    "GET /reports/surveys/new": PROGRAM,
    "POST /reports/surveys/new": PROGRAM,
    "GET /reports/surveys/{survey_id:uuid}": PROGRAM,
    "POST /reports/surveys/{survey_id:uuid}": PROGRAM,
    "GET /reports/surveys/{survey_id:uuid}/results.csv": PROGRAM,
    "GET /surveys": SIGNED_IN,
    "GET /surveys/{survey_id:uuid}": SIGNED_IN,
    "POST /surveys/{survey_id:uuid}": WORKER_VOICE,
    "GET /surveys/after/{code:str}/{version:int}": SIGNED_IN,
    "POST /surveys/after/{code:str}/{version:int}": WORKER_VOICE,
    # programs: apprenticeship ("runs": the apprentice's mentor)
    "GET /api/v1/me/programs": SIGNED_IN,
    "GET /programs": SIGNED_IN,
    "GET /programs/apprenticeship": SIGNED_IN,
    "POST /programs/apprenticeship/weeks": SIGNED_IN,
    "POST /programs/apprenticeship/weeks/{week_id:uuid}": ("-", "self", "self", "self", "self"),
    "GET /programs/apprentices/{apprenticeship_id:uuid}": ("-", "self", "runs", "clinic", "y"),
    "POST /programs/weeks/{week_id:uuid}/decision": ("-", "-", "runs", "-", "y"),
    "POST /programs/apprentices/{apprenticeship_id:uuid}/competencies": ("-", "-", "runs", "-", "y"),
    "POST /programs/apprentices/{apprenticeship_id:uuid}/outcome": ADMINS,
    "POST /programs/apprentices": PROGRAM,
    "GET /programs/apprenticeship/export.csv": ADMINS,
    # programs: apprentice proposals (a clinic admin proposes her clinic's workers; the partnership answers)
    "GET /programs/proposals": ADMINS,
    "POST /programs/proposals": ("-", "-", "-", "clinic", "-"),
    "POST /programs/proposals/{proposal_id:uuid}/decision": PROGRAM,
    # programs: preceptorship ("runs": the worker's preceptor)
    "GET /programs/preceptorship": SIGNED_IN,
    "POST /programs/preceptorship/hours": SIGNED_IN,
    "POST /programs/hours/{entry_id:uuid}/decision": ("-", "-", "runs", "-", "y"),
    "POST /programs/preceptees/{preceptorship_id:uuid}/evaluations": ("-", "-", "runs", "-", "y"),
    "POST /programs/preceptees": PROGRAM,
    # programs: tuition reimbursement (amounts and grades: the worker, her clinic's admins, program admins)
    "GET /programs/tuition": SIGNED_IN,
    "POST /programs/tuition": SIGNED_IN,
    "GET /programs/tuition/{request_id:uuid}": ("-", "self", "-", "clinic", "y"),
    "POST /programs/tuition/{request_id:uuid}": ("-", "self", "-", "-", "-"),
    "POST /programs/tuition/{request_id:uuid}/decision": ADMINS,
    "POST /programs/tuition/{request_id:uuid}/documents": ("-", "self", "-", "-", "-"),
    "GET /programs/tuition/{request_id:uuid}/documents/{document_id:uuid}/uploaded": ("-", "self", "-", "-", "-"),
    "GET /programs/tuition/{request_id:uuid}/documents/{document_id:uuid}": ("-", "self", "-", "clinic", "y"),
    "GET /programs/tuition/desk": ADMINS,
    "GET /programs/tuition/report.csv": ADMINS,
    # programs: career ladders (the report is counts, no names)
    "GET /programs/pathways": SIGNED_IN,
    "GET /programs/pathways/report": ADMINS,
    "POST /programs/pathways/records": ADMINS,
    "GET /programs/pathways/report.csv": ADMINS,
    # programs: career ladders as program admins edit them (no one's records)
    "GET /programs/pathways/ladders": PROGRAM,
    "POST /programs/pathways/ladders": PROGRAM,
    "GET /programs/pathways/ladders/{key:str}": PROGRAM,
    "POST /programs/pathways/ladders/{key:str}": PROGRAM,
    "POST /programs/pathways/ladders/{key:str}/steps": PROGRAM,
    "POST /programs/pathways/ladders/{key:str}/steps/{step_id:uuid}/move": PROGRAM,
    "POST /programs/pathways/ladders/{key:str}/steps/{step_id:uuid}/retire": PROGRAM,
    "POST /programs/pathways/ladders/{key:str}/steps/{step_id:uuid}/restore": PROGRAM,
    "POST /programs/pathways/ladders/{key:str}/steps/{step_id:uuid}/name": PROGRAM,
    # programs: standards (caps, supervised hours, apprenticeship hours: no one's records)
    "GET /programs/standards": PROGRAM,
    "POST /programs/standards/caps": PROGRAM,
    "POST /programs/standards/supervision": PROGRAM,
    "POST /programs/standards/apprenticeship": PROGRAM,
    # programs: content (work processes, wage steps, competencies, preceptorship items: no one's records)
    "POST /programs/standards/programs": PROGRAM,
    "GET /programs/standards/apprenticeship/{program_key:str}": PROGRAM,
    "POST /programs/standards/apprenticeship/{program_key:str}/work-processes": PROGRAM,
    "POST /programs/standards/apprenticeship/{program_key:str}/competencies": PROGRAM,
    "POST /programs/standards/apprenticeship/{program_key:str}/wage-steps": PROGRAM,
    "POST /programs/standards/apprenticeship/{program_key:str}/remove": PROGRAM,
    "POST /programs/standards/apprenticeship/{program_key:str}/restore": PROGRAM,
    "GET /programs/standards/supervision/{role_key:str}/{board:str}": PROGRAM,
    "POST /programs/standards/supervision/{role_key:str}/{board:str}/items": PROGRAM,
    "POST /programs/standards/supervision/{role_key:str}/{board:str}/remove": PROGRAM,
    "POST /programs/standards/supervision/{role_key:str}/{board:str}/restore": PROGRAM,
}

WORKERS = ("worker_a", "worker_a2", "worker_b")
# Everyone who calls is also a learner with a completed enrolment, a statement and a certificate of their own, so that
# learner actions answer the same for every role and "own" always has something to ask for.
LEARNERS = (*WORKERS, "instructor", "admin_a", "program_admin")
CERTIFICATE_ROUTES = re.compile(r"/(certificates|verify)/\{code")
QUIZ_ROUTES = re.compile(r"/(quiz|quizzes)/")
SCORM_COURSE = "SCO-MX"  # a course whose one activity is a SCORM 1.2 SCO (tests/scorm_scos.py)
# Calls that change or end what later calls need go last.
LAST = ("DELETE ", "/cancel", "/revoke", "/logout", "/role", "/retire", "/publish", "/sign-out-everywhere")


def app_routes(app) -> set[str]:
    return {
        f"{method} {route.path}"
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_route_of_the_app_is_classified(app):
    served = app_routes(app)
    missing = sorted(served - set(MATRIX))
    stale = sorted(set(MATRIX) - served)
    assert not missing, "routes with no row in the authorization matrix (classify them):\n" + "\n".join(missing)
    assert not stale, "rows for routes the app no longer serves:\n" + "\n".join(stale)
    for route, cells in MATRIX.items():
        assert len(cells) == 5 and set(cells) <= {"-", "y", "me", "self", "clinic", "runs"}, route
        assert cells[0] in ("-", "y"), f"{route}: anonymous callers have no records of their own"


# ---------------------------------------------------------------- the checks against the running app


@dataclass
class Call:
    route: str
    caller: str  # a role
    which: str  # "own" or the person whose records were asked for
    status: int
    location: str
    body: str


@pytest.fixture
async def matrix_world(conn, client, settings):
    from tests.integration.test_learning_xapi import statement
    from tests.integration.test_media import MP4, upload

    world = await build_world(conn, certificates_for=(*WORKERS, "admin_a"))
    for name in ("instructor", "program_admin"):  # staff have no clinic: enrolled, not completed
        enrolled = await client.post("/api/v1/enrollments", json={"code": COURSE}, headers=world[name].headers)
        assert enrolled.status_code == 201, enrolled.text
        world[name].enrollment_id = enrolled.json()["id"]
    second = await make_user(conn, "instructor-2@example.org", "instructor", name="Instructor Two")
    world.extra["instructor2"] = second.id
    world.extra["instructor2_headers"] = await token_for(conn, second.id)
    quiz_key = await conn.fetchval(
        "SELECT key FROM version_activities WHERE version_id = $1 AND kind = 'quiz' ORDER BY position LIMIT 1",
        world.version_id,
    )
    lesson_key = await conn.fetchval(
        "SELECT key FROM version_activities WHERE version_id = $1 AND kind = 'lesson' ORDER BY position LIMIT 1",
        world.version_id,
    )
    inperson_key = await conn.fetchval(
        "SELECT key FROM version_activities WHERE version_id = $1 AND kind = 'in_person' ORDER BY position LIMIT 1",
        world.version_id,
    )
    world.extra.update(quiz_key=quiz_key, lesson_key=lesson_key, inperson_key=inperson_key)

    statements: dict[str, str] = {}
    for name in LEARNERS:
        person = world[name]
        st = statement(person.id, key=lesson_key, verb="progressed", registration=person.enrollment_id)
        sent = await client.post(
            "/xapi/statements", json=st, headers={**person.headers, "X-Experience-API-Version": "1.0.3"}
        )
        assert sent.status_code == 200, sent.text
        statements[name] = st["id"]
    world.extra["statements"] = statements

    sessions: dict[str, str] = {}
    for name, headers in (
        ("instructor", world["instructor"].headers),
        ("instructor2", world.extra["instructor2_headers"]),
    ):
        starts = datetime.now(UTC) + timedelta(days=2)
        made = await client.post(
            "/api/v1/sessions",
            headers=headers,
            json={
                "code": COURSE,
                "version": 1,
                "activity_key": inperson_key,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "clinic": "clinic-a",
                "room": "Room 2",
                "capacity": 10,
                "language": "es",
            },
        )
        assert made.status_code in (200, 201), made.text
        sessions[name] = made.json()["id"]
    world.extra["sessions"] = sessions

    ticket, sent = await upload(
        client, world["instructor"].headers, COURSE, MP4, filename="clip.mp4", content_type="video/mp4", kind="video"
    )
    assert sent.status_code in (200, 204), sent.text
    done = await client.post(ticket["complete_url"], headers=world["instructor"].headers, json={})
    assert done.status_code == 200, done.text
    world.extra["media_id"] = ticket["media"]["id"]
    from tests.package_zips import scorm12_zip

    imported = await client.post(
        f"/api/v1/courses/{COURSE}/packages",
        headers=world["instructor"].headers,
        files={"file": ("pulse.zip", scorm12_zip(), "application/zip")},
        data={"language": "en"},
    )
    assert imported.status_code == 201, imported.text
    world.extra["package_id"] = imported.json()["id"]
    from tests.scorm_scos import UNIT_12, publish_scorm_course

    world.extra["scorm_key"] = (await publish_scorm_course(client, conn, SCORM_COURSE))[UNIT_12]
    for name in LEARNERS:  # everyone launches a SCO of a course they are enrolled in
        enrolled = await client.post("/api/v1/enrollments", json={"code": SCORM_COURSE}, headers=world[name].headers)
        assert enrolled.status_code == 201, enrolled.text

    credential = await client.get(
        f"/api/v1/me/certificates/{world['worker_a'].certificate}/credential", headers=world["worker_a"].headers
    )
    assert credential.status_code == 200, credential.text
    world.extra["status_list"] = int(
        credential.json()["credentialStatus"]["statusListCredential"].rstrip("/").rsplit("/", 1)[1]
    )
    from lms.reports.schemas import SurveyIn, SurveyQuestion
    from lms.reports.surveys import create_survey

    survey = await create_survey(
        conn,
        SurveyIn(
            kind="on_demand",
            title={"en": "Schedules", "es": "Horarios"},
            opens_at=datetime.now(UTC) - timedelta(days=1),
            closes_at=datetime.now(UTC) + timedelta(days=7),
            questions=[
                SurveyQuestion(
                    key="evenings", kind="likert", prompt={"en": "Evenings suit me.", "es": "Las tardes me convienen."}
                )
            ],
        ),
        actor=await _current(conn, world["program_admin"].id),
    )
    world.extra["survey_id"] = str(survey.id)
    world.extra["programs"] = await matrix_records(conn, world, second.id)
    world.extra["instructor_headers"] = world["instructor"].headers
    world.extra["settings"] = settings
    return world


class Caller:
    """One role's view of the app: its API token on every call, and the CSRF cookie's value as the header form posts
    need (the CSRF token is not tied to a person, so one client serves every role)."""

    def __init__(self, client, role: str, world) -> None:
        self.role = role
        self.name = CALLERS[role]
        self.client = client
        self.headers: dict[str, str] = dict(world[self.name].headers) if self.name else {}

    async def start(self) -> Caller:
        if not self.client.cookies.get("lms_csrf"):
            await self.client.get("/login")
        self.headers["x-csrftoken"] = self.client.cookies.get("lms_csrf")
        return self

    async def call(self, route: str, values: dict[str, str], query: dict[str, str], body: Any) -> Any:
        method, path = route.split(" ", 1)
        url = re.sub(r"\{(\w+)(:[a-z]+)?\}", lambda m: str(values[m.group(1)]), path)
        headers = {**self.headers, "X-Experience-API-Version": "1.0.3"}
        is_page = not path.startswith(("/api/", "/xapi/"))
        if is_page:
            headers["accept"] = "text/html"
        kwargs: dict[str, Any] = {"headers": headers, "params": query, "follow_redirects": False}
        if method in ("POST", "PUT"):
            if is_page:
                kwargs["data"] = body or {}
            else:
                kwargs["json"] = {} if body is None else body
        return await self.client.request(method, url, **kwargs)


def owners(cell: str, caller: str | None, param: str) -> tuple[str | None, list[str]]:
    """(whose record the own call asks for, whose records the other calls ask for)."""
    if param == "session_id":
        if cell == "runs":
            return caller, ["instructor2"]
        return "instructor", []
    if param in PROGRAM_RECORDS and cell == "runs":  # worker_a's mentor is the instructor, worker_b's another one
        return "worker_a", ["worker_b"]
    if cell == "self":
        return caller, [w for w in WORKERS if w != caller]
    if cell == "clinic":
        return "worker_a", ["worker_b"]
    return "worker_a", []


async def value(world, conn, client, param: str, person: str | None, route: str, caller: str | None) -> str | None:
    extra = world.extra
    if param == "code":
        if CERTIFICATE_ROUTES.search(route):
            return world[person].certificate
        return SCORM_COURSE if route.endswith("/scorm") else COURSE
    if param == "key" and route.endswith("/scorm"):
        return extra["scorm_key"]
    if param == "enrollment_id":
        return str(world[person].enrollment_id)
    if param == "user_id" and route.endswith("/owners/{user_id:uuid}/remove"):
        await conn.execute(
            """INSERT INTO course_owners (course_id, user_id) SELECT id, $2 FROM courses WHERE code = $1
                              ON CONFLICT DO NOTHING""",
            COURSE,
            extra["instructor2"],
        )
        return str(extra["instructor2"])
    if param == "user_id" and route.endswith("/deactivate"):  # someone who may leave without spoiling later calls
        return await _fresh_worker(conn, world[person].clinic)
    if param == "user_id":
        return str(world[person].id)
    if param == "clinic_id":
        return str(world.clinic_ids[world[person].clinic])
    if param == "session_id":
        if route.endswith("/cancel"):
            return await _fresh_session(client, extra, person)
        return extra["sessions"][person]
    if param == "media_id" and ("DELETE " in route or route.endswith("/delete")):
        return await _fresh_media(client, extra)
    if param == "version" and route.endswith("/retire"):
        made = await client.post(f"/api/v1/authoring/courses/{COURSE}/publish", headers=extra["instructor_headers"])
        assert made.status_code == 201, made.text
        return str(made.json()["version"])
    if param == "statement_id":
        return extra["statements"].get(person)
    if param in ("cmi5_session_id", "registration_id"):  # an outside learner's open session (abandoning ends it)
        return (await _cmi5_launch(world, client))[param]
    if param == "client_id":
        from lms.xapi.clients import create_client

        return str(
            (
                await create_client(
                    conn, name="matrix", can_read=True, can_write=False, created_by=world["program_admin"].id
                )
            ).id
        )
    if param == "key" and "/pathways/ladders/" in route:
        return "chw"
    if param == "step_id":  # the first step in use of a seeded ladder
        return str(
            await conn.fetchval(
                """SELECT s.id FROM ladder_steps s JOIN career_ladders l ON l.id = s.ladder_id
                   WHERE l.key = 'chw' AND s.retired_at IS NULL ORDER BY s.position LIMIT 1"""
            )
        )
    if param == "proposal_id":  # a fresh open proposal: a decision answers it
        return await _fresh_proposal(conn, world)
    if param in PROGRAM_RECORDS:
        return extra["programs"][param].get(person)
    if param == "record_id":  # an outside record of that worker: a fresh pending one, with a certificate file on record
        return await _fresh_outside_record(conn, world[person].id) if person else None
    if param == "token_id":
        user_id = world[person].id if person else None
        return str((await _fresh_token(conn, user_id)).id) if user_id else None
    fixed = {
        "version": "1",
        "media_id": extra["media_id"],
        "package_id": extra["package_id"],
        "position": "1",
        "survey_id": extra["survey_id"],
        "number": str(extra["status_list"]),
        "fetch_token": "not-a-fetch-token-of-any-launch",
        "file_path": "app.css",
        "path": "nothing-here",
        "name": "scorm-again.min.js",
        "secret": "not-a-reset-link",
        "signature": "not-a-signature.ics",
        "table": "workers.csv" if "clinics" in route else "targets.csv",
        "key": extra["quiz_key"]
        if QUIZ_ROUTES.search(route)
        else ("completions" if "targets" in route else extra["lesson_key"]),
        "program_key": "chw",
        "role_key": "rn",
        "board": "BRN",
        "token": qr.attendance_token(extra["settings"].secret_key, uuid.UUID(extra["sessions"]["instructor"])),
    }
    if param == "arrival":  # a signed pass bound to the person who scanned the code
        user = world[caller or "worker_a"].id
        return qr.arrival_pass(
            extra["settings"].secret_key, uuid.UUID(extra["sessions"]["instructor"]), datetime.now(UTC), user
        )
    return fixed[param]


async def _current(conn, user_id):
    from lms.accounts.schemas import CurrentUser

    row = await conn.fetchrow(
        "SELECT id, email, display_name, role, clinic_id, local_id, language FROM users WHERE id = $1", user_id
    )
    return CurrentUser(**dict(row))


async def _fresh_session(client, extra, person: str) -> str:
    headers = extra["instructor2_headers"] if person == "instructor2" else extra["instructor_headers"]
    starts = datetime.now(UTC) + timedelta(days=3)
    made = await client.post(
        "/api/v1/sessions",
        headers=headers,
        json={
            "code": COURSE,
            "version": 1,
            "activity_key": extra["inperson_key"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "clinic": "clinic-a",
            "room": "Room 3",
            "capacity": 5,
            "language": "en",
        },
    )
    assert made.status_code in (200, 201), made.text
    return made.json()["id"]


async def _fresh_media(client, extra) -> str:
    asked = await client.post(
        f"/api/v1/courses/{COURSE}/media/uploads",
        headers=extra["instructor_headers"],
        json={"filename": "spare.png", "content_type": "image/png", "size": 100, "kind": "image"},
    )
    assert asked.status_code == 201, asked.text
    return asked.json()["media"]["id"]


async def _cmi5_launch(world, client) -> dict[str, str]:
    """A cmi5 package in the course (imported once) and a new launch of its AU for an outside learner."""
    headers = world["program_admin"].headers
    if "cmi5_package_id" not in world.extra:
        from tests.package_zips import cmi5_zip

        imported = await client.post(
            f"/api/v1/courses/{COURSE}/packages",
            headers=headers,
            data={"language": "en"},
            files={"file": ("hygiene.zip", cmi5_zip(1), "application/zip")},
        )
        assert imported.status_code == 201, imported.text
        world.extra["cmi5_package_id"] = imported.json()["id"]
    launched = await client.post(
        f"/api/v1/cmi5/packages/{world.extra['cmi5_package_id']}/launches",
        headers=headers,
        json={"au": 0, "actor": {"account": {"homePage": "https://other.example.org", "name": "m"}}},
    )
    assert launched.status_code == 201, launched.text
    return {"cmi5_session_id": launched.json()["session_id"], "registration_id": launched.json()["registration"]}


async def _fresh_worker(conn, clinic: str) -> str:
    from lms.accounts import queries as accounts

    made = await accounts.create_user(
        conn,
        email=f"leaving-{uuid.uuid4().hex[:8]}@example.org",
        display_name="Leaving",
        role="worker",
        password_hash=None,
        clinic=clinic,
        local=None,
        language="en",
    )
    return str(made.id)


async def _fresh_proposal(conn, world) -> str:
    """worker_a proposed by her clinic admin for a program of its own (she is in the seeded one already)."""
    program = await conn.fetchval(
        """INSERT INTO apprenticeship_programs (key, name) VALUES ('matrix-' || substr(md5(random()::text), 1, 8),
           '{"en": "Matrix program"}') RETURNING id"""
    )
    return str(
        await conn.fetchval(
            """INSERT INTO apprentice_proposals (program_id, user_id, clinic_id, proposed_by)
               SELECT $1, u.id, u.clinic_id, $3 FROM users u WHERE u.id = $2 RETURNING id""",
            program,
            world["worker_a"].id,
            world["admin_a"].id,
        )
    )


async def _fresh_outside_record(conn, user_id) -> str:
    return str(
        await conn.fetchval(
            """INSERT INTO outside_records (user_id, provider, approval_number, title, started_on, ended_on, minutes, delivery, body,
                                        certificate_key, certificate_type, certificate_name, certificate_bytes, source, recorded_by)
           VALUES ($1, 'Red Cross', 'A-' || gen_random_uuid(), 'BLS', current_date - 30, current_date - 30, 240, 'in_person',
                   'DBC', 'outside/matrix/' || gen_random_uuid(), 'application/pdf', 'bls.pdf', 100, 'worker', $1) RETURNING id""",
            user_id,
        )
    )


async def _fresh_token(conn, user_id):
    from lms.accounts import service

    return await service.create_token(conn, user_id=user_id, label="matrix")


OUTSIDE_RECORD = {
    "provider": "Red Cross",
    "approval_number": "RC-1",
    "title": "BLS for healthcare providers",
    "started_on": "2026-01-10",
    "ended_on": "2026-01-10",
    "minutes": 240,
    "delivery": "in_person",
    "body": "DBC",
    "category": "bls",
}
OUTSIDE_CSV = "email,provider,approval_number,title,started_on,ended_on,minutes,delivery,body\n{email},CDA,C-9,Infection control,2025-03-01,2025-03-01,120,home_study,DBC\n"


def body_for(route: str, world) -> Any:
    """Bodies that get past validation, so that the ownership check itself is what answers."""
    bodies = {
        "POST /api/v1/enrollments/{enrollment_id:uuid}/quizzes/{key:str}/attempts": {
            "attempt_id": str(uuid.uuid4()),
            "answers": {},
        },
        "PUT /api/v1/clinic/workers/{user_id:uuid}/credentials": {"credential": "RDA", "cycle_start": "2025-01-01"},
        "PUT /api/v1/sessions/{session_id:uuid}/roster": {"marks": []},
        "POST /api/v1/reports/surveys/{survey_id:uuid}/responses": {"language": "en", "answers": {"evenings": 4}},
        "POST /api/v1/authoring/courses/{code:str}/versions/{version:int}/retire": {
            "reason": "Replaced by a new edition"
        },
        "POST /author/{code:str}/versions/{version:int}/retire": {"reason": "Replaced by a new edition"},
        "POST /author/{code:str}/owners": {"email": "instructor-2@example.org"},
        "POST /api/v1/lrs/clients": {"name": "An outside tool"},
        "POST /admin/lrs-clients": {"name": "An outside tool", "can_read": "on"},
        "POST /api/v1/me/outside-records": OUTSIDE_RECORD,
        "POST /api/v1/clinic/outside-records": {**OUTSIDE_RECORD, "user_id": str(world["worker_a"].id)},
        "POST /api/v1/clinic/outside-records/{record_id:uuid}/review": {"decision": "approve"},
        "POST /clinic/outside-records/{record_id:uuid}/review": {"decision": "approve"},
        "POST /api/v1/clinic/outside-records/import": {"csv": OUTSIDE_CSV.format(email=world["worker_a"].email)},
        "POST /clinic/outside-records/import": {"csv": OUTSIDE_CSV.format(email=world["worker_a"].email)},
        "POST /programs/proposals": {"worker": str(world["worker_a"].id), "program": "chw"},
        "POST /programs/proposals/{proposal_id:uuid}/decision": {"decision": "decline", "reason": "Not this year"},
        "POST /programs/pathways/ladders": {"key": "matrix-ladder", "name_en": "Matrix ladder"},
        "POST /programs/pathways/ladders/{key:str}": {"name_en": "Community Health Worker onward", "track": "CHW"},
        "POST /programs/pathways/ladders/{key:str}/steps": {"name_en": "A step elsewhere", "reached_by": "outside:"},
        "POST /programs/pathways/ladders/{key:str}/steps/{step_id:uuid}/move": {"direction": "down"},
        "POST /programs/pathways/ladders/{key:str}/steps/{step_id:uuid}/name": {"name_en": "Community Health Worker"},
    }
    return bodies.get(route)


def query_for(route: str, person: str | None, world) -> dict[str, str] | None:
    if route == "GET /xapi/statements":
        if person is None:
            return None
        return {"statementId": world.extra["statements"][person]}
    if route.startswith("GET ") and ("/clinic/credit" in route or route.endswith("/api/v1/clinic/credit.csv")):
        return {"clinic": world[person].clinic} if person else {}
    return {}


def refused(call: Call) -> bool:
    if call.status in (401, 403, 404):
        return True
    return call.status in (302, 303) and call.location.startswith("/login")


def leak_markers(caller: str | None, world, route: str) -> list[str]:
    """What this caller must never see, whatever they ask for."""
    if caller == "worker_a":
        others = ("worker_a2", "worker_b")
    elif caller == "admin_a":
        others = ("worker_b",)
    else:
        return []
    markers = [world[o].email for o in others]
    if not CERTIFICATE_ROUTES.search(route) and route != "GET /api/v1/certificates/{code:str}":
        markers += [o.replace("_", " ").title() for o in others]  # display names, e.g. "Worker B"
    return markers


def ordered(routes):
    return sorted(routes, key=lambda r: (any(part in r for part in LAST), r))


async def test_every_route_answers_every_role_as_the_matrix_says(client, conn, matrix_world):
    world = matrix_world
    problems: list[str] = []
    calls = other_calls = 0
    callers = {role: await Caller(client, role, world).start() for role in ROLES}
    for route in ordered(MATRIX):
        for role, caller in callers.items():
            if True:
                cell = MATRIX[route][ROLES.index(role)]
                params = re.findall(r"\{(\w+)", route.split(" ", 1)[1])
                owned = [
                    p
                    for p in params
                    if p
                    in (
                        "enrollment_id",
                        "user_id",
                        "clinic_id",
                        "session_id",
                        "token_id",
                        "record_id",
                        *PROGRAM_RECORDS,
                    )
                    or (p == "code" and CERTIFICATE_ROUTES.search(route))
                ]
                if route == "GET /xapi/statements":
                    owned = ["statement_id"]
                own_person, other_people = owners(cell, caller.name, owned[0]) if owned else ("worker_a", [])
                attempts: list[tuple[str, str | None]] = [("own", own_person)] + [
                    (o, o) for o in (other_people if cell not in ("-",) else [])
                ]
                for which, person in attempts:
                    values: dict[str, str] = {}
                    missing = False
                    for p in params:
                        v = await value(
                            world, conn, client, p, person if p in owned else "worker_a", route, caller.name
                        )
                        if v is None:
                            missing = True
                        values[p] = v
                    query = query_for(route, person, world)
                    if missing or query is None:
                        continue  # e.g. an instructor has no enrolment of their own to ask about
                    response = await caller.call(route, values, query, body_for(route, world))
                    calls += 1
                    other_calls += which != "own"
                    call = Call(
                        route, role, which, response.status_code, response.headers.get("location", ""), response.text
                    )
                    where = f"{route} as {role} ({which}): {call.status} {call.body[:200]!r}"
                    if call.status >= 500:
                        problems.append("server error: " + where)
                    elif cell == "-" or (which != "own" and cell in ("self", "clinic", "runs")):
                        if not refused(call):
                            problems.append("should be refused: " + where)
                        elif role == "anonymous" and call.status == 403:
                            problems.append("anonymous should be asked to sign in, not refused: " + where)
                    elif refused(call):
                        problems.append("should be allowed: " + where)
                    for marker in leak_markers(caller.name, world, route):
                        if marker in call.body and marker not in str(values) + str(query):
                            problems.append(f"leaks {marker!r}: {where}")
    print(
        f"\n{calls} calls over {len(MATRIX)} routes x {len(ROLES)} roles, {other_calls} of them with someone else's ids"
    )
    assert other_calls > 50, "the own/other dimension was not exercised"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


# ---------------------------------------------------------------- guessing another worker's ids


async def test_guessing_another_workers_ids_reads_and_changes_nothing(client, conn, matrix_world):
    """Worker A holds worker B's real ids (as if guessed or leaked) and random ones, and tries every door with them."""
    from tests.integration.test_learning_xapi import statement

    world = matrix_world
    me, other = world["worker_a"], world["worker_b"]
    xapi = {**me.headers, "X-Experience-API-Version": "1.0.3"}
    secret_bits = [other.email, "Worker B", str(other.id)]
    before = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM statements WHERE user_id = $1) AS statements,
                  (SELECT count(*) FROM statements WHERE user_id = $1 AND voided) AS voided,
                  (SELECT count(*) FROM quiz_attempts q JOIN enrollments e ON e.id = q.enrollment_id WHERE e.user_id = $1) AS attempts,
                  (SELECT count(*) FROM enrollments WHERE user_id = $1) AS enrollments,
                  (SELECT revoked_at FROM certificates WHERE user_id = $1) AS revoked""",
        other.id,
    )

    guesses = [str(other.enrollment_id), str(uuid.uuid4())]
    for enrollment in guesses:
        for method, url, body in (
            ("GET", f"/api/v1/enrollments/{enrollment}/progress", None),
            ("POST", f"/api/v1/enrollments/{enrollment}/completion", None),
            (
                "POST",
                f"/api/v1/enrollments/{enrollment}/quizzes/{world.extra['quiz_key']}/attempts",
                {"attempt_id": str(uuid.uuid4()), "answers": {"q1": ["a"]}},
            ),
        ):
            answer = await client.request(method, url, headers=me.headers, json=body)
            assert answer.status_code == 404, (url, answer.status_code, answer.text)
            assert not any(bit in answer.text for bit in secret_bits)

    theirs = world.extra["statements"]["worker_b"]
    for params in ({"statementId": theirs}, {"voidedStatementId": theirs}, {"statementId": str(uuid.uuid4())}):
        answer = await client.get("/xapi/statements", params=params, headers=xapi)
        assert answer.status_code == 404 and theirs not in answer.text.replace(f"no statement {theirs}", "")
    listed = await client.get("/xapi/statements", params={"registration": str(other.enrollment_id)}, headers=xapi)
    assert listed.status_code == 200 and listed.json()["statements"] == []
    # voiding their statement: stored as my (pointless) statement, their record untouched
    void = statement(me.id, verb="voided")
    void["object"] = {"objectType": "StatementRef", "id": theirs}
    answer = await client.post("/xapi/statements", json=void, headers=xapi)
    assert answer.status_code in (200, 400, 403, 404), answer.text
    # speaking for them: a statement with their account as actor, or their enrolment as registration
    posing = statement(other.id, key=world.extra["lesson_key"], verb="completed")
    assert (await client.post("/xapi/statements", json=posing, headers=xapi)).status_code in (400, 403)
    hijack = statement(me.id, key=world.extra["lesson_key"], verb="completed", registration=other.enrollment_id)
    answer = await client.post("/xapi/statements", json=hijack, headers=xapi)
    assert answer.status_code in (200, 400, 403, 404), answer.text

    for code in (other.certificate, other.certificate.replace("-", "").lower()):
        answer = await client.get(f"/api/v1/me/certificates/{code}/credential", headers=me.headers)
        assert answer.status_code == 404 and "credentialSubject" not in answer.text
    transcript = (await client.get("/api/v1/me/transcript", headers=me.headers)).text
    assert other.certificate not in transcript and me.certificate in transcript
    assert other.certificate not in (await client.get("/my/certificates", headers=me.headers)).text
    public = (await client.get(f"/api/v1/certificates/{other.certificate}")).json()
    assert "email" not in str(public) and other.email not in str(public)  # public facts only, never the email

    media = world.extra["media_id"]
    for url in (
        f"/api/v1/courses/{COURSE}/media",
        f"/api/v1/courses/{COURSE}/media/{media}",
        f"/author/{COURSE}/media",
    ):
        assert (await client.get(url, headers=me.headers)).status_code == 403
    assert (await client.delete(f"/api/v1/courses/{COURSE}/media/{media}", headers=me.headers)).status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM media WHERE id = $1::uuid", media) == 1

    for url in (
        f"/api/v1/reports/clinics/{world.clinic_ids['clinic-b']}",
        f"/reports/clinics/{world.clinic_ids['clinic-b']}",
        "/api/v1/reports/program",
        "/api/v1/clinic/credit",
        f"/api/v1/users/{other.id}",
        "/api/v1/learners/DA-IC-101/1",
    ):
        answer = await client.get(url, headers=me.headers)
        assert answer.status_code in (403, 404) and not any(bit in answer.text for bit in secret_bits[:2]), url

    # a clinic admin of clinic A, with clinic B's ids
    admin = world["admin_a"].headers
    for url in (
        f"/api/v1/reports/clinics/{world.clinic_ids['clinic-b']}",
        f"/reports/clinics/{world.clinic_ids['clinic-b']}/export/workers.csv",
        f"/api/v1/users/{other.id}",
        f"/api/v1/enrollments/{other.enrollment_id}/progress",
    ):
        answer = await client.get(url, headers=admin)
        assert answer.status_code in (403, 404) and other.email not in answer.text, url
    for url in (
        "/api/v1/clinic/credit?clinic=clinic-b",
        "/api/v1/users",
        "/api/v1/learners/DA-IC-101/1",
        "/clinic/credit.csv",
    ):
        answer = await client.get(url, headers=admin)
        assert answer.status_code == 200 and other.email not in answer.text and "Worker B" not in answer.text, url
    bulk = await client.post(
        "/api/v1/enrollments/bulk",
        headers=admin,
        json={"code": "DA-IC-101", "user_ids": [str(world["worker_b"].id)], "emails": [other.email]},
    )
    assert bulk.status_code in (200, 400, 404), bulk.text
    if bulk.status_code == 200:
        assert bulk.json()["enrolled"] == 0 and bulk.json()["already_enrolled"] == 0  # worker B is not theirs to reach
    credential = await client.put(
        f"/api/v1/clinic/workers/{other.id}/credentials",
        headers=admin,
        json={"credential": "RDA", "cycle_start": "2025-01-01"},
    )
    assert credential.status_code in (403, 404)

    after = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM statements WHERE user_id = $1) AS statements,
                  (SELECT count(*) FROM statements WHERE user_id = $1 AND voided) AS voided,
                  (SELECT count(*) FROM quiz_attempts q JOIN enrollments e ON e.id = q.enrollment_id WHERE e.user_id = $1) AS attempts,
                  (SELECT count(*) FROM enrollments WHERE user_id = $1) AS enrollments,
                  (SELECT revoked_at FROM certificates WHERE user_id = $1) AS revoked""",
        other.id,
    )
    assert dict(after) == dict(before), "worker B's records changed"
    assert await conn.fetchval(
        "SELECT count(*) FROM statements WHERE (raw -> 'context' ->> 'registration') = $1", str(other.enrollment_id)
    ) == await conn.fetchval(
        "SELECT count(*) FROM statements WHERE user_id = $1 AND (raw -> 'context' ->> 'registration') = $2",
        other.id,
        str(other.enrollment_id),
    )
