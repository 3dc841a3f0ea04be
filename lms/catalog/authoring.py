"""Finding an activity of a draft by its key (the authoring forms themselves live in lms.authoring)."""

from __future__ import annotations

from lms.catalog.content import CourseDoc
from lms.errors import NotFound
from lms.i18n import N_


def find_activity(doc: CourseDoc, key: str) -> tuple[int, int]:
    for m, module in enumerate(doc.modules):
        for a, activity in enumerate(module.activities):
            if activity.key == key:
                return m, a
    raise NotFound(N_("no activity %(key)s in the draft"), params={"key": key})
