"""An error shown beside a form (not as an error page) speaks the reader's language, like the error pages do."""

from __future__ import annotations

import re

from lms.i18n import LANGUAGE_COOKIE
from tests.helpers import csrf_from, sign_in
from tests.integration.learning_fixtures import CODE, _urlencode, hybrid_course


async def test_a_worker_out_of_quiz_attempts_reads_why_in_spanish(client, conn):
    cast = await hybrid_course(conn)
    quiz = next(a for a in cast.activities if a["kind"] == "quiz")
    await conn.execute(
        "INSERT INTO enrollments (user_id, version_id) SELECT $1, v.id FROM course_versions v "
        "JOIN courses c ON c.id = v.course_id WHERE c.code = $2",
        cast.worker.id,
        CODE,
    )
    await sign_in(client, "ana@example.org")
    client.cookies.set(LANGUAGE_COOKIE, "es")
    answers = []
    for _ in range(4):  # three wrong attempts are allowed; the fourth is refused
        form = await client.get(f"/quiz/{CODE}/v/1/{quiz['key']}")
        attempt = re.search(r'name="attempt_id" value="([^"]+)"', form.text)
        fields = [("_csrf_token", csrf_from(form.text)), ("attempt_id", attempt.group(1) if attempt else "")]
        answers.append(
            await client.post(
                f"/quiz/{CODE}/v/1/{quiz['key']}",
                content=_urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        )
    refused = answers[-1]
    assert [a.status_code for a in answers] == [200, 200, 200, 409]
    assert "No le quedan intentos" in refused.text and "No attempts left" not in refused.text
