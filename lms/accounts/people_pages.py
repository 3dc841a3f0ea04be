"""HTML: the people a clinic admin (her clinic) or a program admin (everyone) looks after."""

from __future__ import annotations

from typing import Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from lms.accounts import queries
from lms.accounts.auth import ADMINS, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, User
from lms.web import page


class PeoplePages(Controller):
    include_in_schema = False
    guards = [require_role(*ADMINS)]

    @get("/people", operation_id="page_people")
    async def people(self, request: Request[Any, Any, Any], db: Db, user: User, q: FromQuery[str] = "") -> Template:
        people = await queries.list_people(db, viewer=user, search=q.strip()[:100])
        return page(request, "accounts/people.html.jinja2", people=people, q=q)
