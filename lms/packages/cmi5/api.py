"""JSON for cmi5: the AU's one-time fetch URL (anonymous: the token is the key), and for program admins launching an
AU for an outside learner (another system, CATAPULT's LMS test suite), waiving an AU and abandoning a session."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg  # noqa: F401 - Litestar resolves the Tx annotation's type among this module's names
from litestar import Controller, Response, post
from litestar.params import FromPath, JSONBody, PathParameter

from lms.accounts.auth import require_role
from lms.deps import SettingsDep, Tx
from lms.errors import NotFound
from lms.i18n import N_
from lms.packages.cmi5 import queries, service
from lms.packages.cmi5.schemas import Launch, OutsideLaunch, Waive

FetchToken = Annotated[str, PathParameter(pattern=r"^[A-Za-z0-9_-]{20,100}$")]


class Cmi5FetchController(Controller):
    path = "/api/v1/cmi5/fetch"
    tags = ["cmi5"]

    @post("/{fetch_token:str}", operation_id="cmi5_fetch", status_code=200)
    async def fetch(self, tx: Tx, fetch_token: FetchToken) -> Response[dict[str, str]]:
        """cmi5 §8.2: the AU's auth token, once. The AU runs on the content origin, hence any origin may ask."""
        return Response(
            await service.fetch(tx, fetch_token),
            headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"},
        )


class Cmi5AdminController(Controller):
    path = "/api/v1/cmi5"
    tags = ["cmi5"]
    guards = [require_role("program_admin")]

    @post("/packages/{package_id:uuid}/launches", operation_id="cmi5_outside_launch", status_code=201)
    async def launch(
        self, tx: Tx, settings: SettingsDep, package_id: FromPath[UUID], data: JSONBody[OutsideLaunch]
    ) -> Launch:
        """Launch AU ``au`` (0 first) for an outside actor; its workers launch from their course pages instead."""
        au = await queries.au(tx, package_id=package_id, index=data.au)
        if au is None:
            raise NotFound(
                N_("no AU %(au)s in a cmi5 package %(package_id)s"),
                params={"au": data.au, "package_id": package_id},
                field="au",
            )
        return await service.launch_outside(
            tx,
            settings,
            au=au,
            actor=data.actor,
            registration_id=data.registration,
            launch_mode=data.launch_mode,
            return_url=data.return_url,
        )

    @post("/registrations/{registration_id:uuid}/waive", operation_id="cmi5_waive", status_code=204)
    async def waive(
        self, tx: Tx, settings: SettingsDep, registration_id: FromPath[UUID], data: JSONBody[Waive]
    ) -> None:
        await service.waive(tx, settings, registration_id=registration_id, au_index=data.au, reason=data.reason)

    @post("/sessions/{cmi5_session_id:uuid}/abandon", operation_id="cmi5_abandon", status_code=204)
    async def abandon(self, tx: Tx, settings: SettingsDep, cmi5_session_id: FromPath[UUID]) -> None:
        if not await service.abandon(tx, settings, session_id=cmi5_session_id):
            raise NotFound(N_("no open cmi5 session with this id"), field="session_id")
