"""Career ladders as a program admin edits them: the forms read and checked (each error names its field), the
change made and audited in the same transaction."""

from __future__ import annotations

import re
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.catalog.language import TRACK_NAMES
from lms.errors import Invalid, NotFound
from lms.i18n import N_
from lms.programs.pathways import queries
from lms.programs.pathways.schemas import STEP_KINDS, TUITION_FIELDS, LadderForm, NamesForm, StepForm

KEY = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
MAX_NAME = 200
MAX_REF = 100
# Form field -> the language tag a name is stored under (lms.catalog.language.pick reads these tags).
NAME_FIELDS = {"name_en": "en", "name_es": "es", "name_zh_Hant": "zh-Hant", "name_vi": "vi", "name_tl": "tl"}


def names(form: NamesForm) -> dict[str, str]:
    out = {}
    for field, tag in NAME_FIELDS.items():
        text = " ".join(getattr(form, field).split())
        if len(text) > MAX_NAME:
            raise Invalid(
                N_("%(field)s: at most %(n)s characters"), field=field, params={"field": field, "n": MAX_NAME}
            )
        if text:
            out[tag] = text
    if len(out.get("en", "")) < 2:
        raise Invalid(N_("name_en: give the name in English (2 characters or more)"), field="name_en")
    return out


def track_of(value: str) -> str | None:
    if value and value not in TRACK_NAMES:
        raise Invalid(N_("track: one of %(tracks)s"), field="track", params={"tracks": ", ".join(TRACK_NAMES)})
    return value or None


async def create_ladder(conn: asyncpg.Connection, *, viewer: CurrentUser, form: LadderForm) -> str:
    key = form.key.strip().lower()
    if not KEY.fullmatch(key):
        raise Invalid(N_("key: 2 to 63 lowercase letters, digits and hyphens, such as ma-lvn-rn"), field="key")
    name, track = names(form), track_of(form.track)
    await queries.create_ladder(conn, key=key, name=name, track=track)
    await record(conn, actor_id=viewer.id, action="pathways.ladder_created", subject=key, detail={"track": track})
    return key


async def update_ladder(
    conn: asyncpg.Connection, *, viewer: CurrentUser, key: str, form: LadderForm, retired: bool
) -> None:
    name, track = names(form), track_of(form.track)
    if not await queries.update_ladder(conn, key=key, name=name, track=track, retired=retired):
        raise NotFound(N_("ladder: no such ladder"), field="ladder")
    await record(
        conn,
        actor_id=viewer.id,
        action="pathways.ladder_updated",
        subject=key,
        detail={"name": name, "track": track, "retired": retired},
    )


async def reached_by(conn: asyncpg.Connection, form: StepForm) -> tuple[str, str]:
    """What reaches the step: (kind, ref), each ref checked against what exists."""
    kind, _colon, ref = form.reached_by.strip().partition(":")
    if kind not in STEP_KINDS:
        raise Invalid(N_("reached_by: choose what reaches this step"), field="reached_by")
    if kind == "outside":
        ref = " ".join(form.approval_number.split())
        if len(ref) > MAX_REF:
            raise Invalid(
                N_("%(field)s: at most %(n)s characters"),
                field="approval_number",
                params={"field": "approval_number", "n": MAX_REF},
            )
        return kind, ref
    if kind == "tuition":
        if ref not in TUITION_FIELDS:
            raise Invalid(N_("reached_by: not a field of study for tuition reimbursement"), field="reached_by")
        return kind, ref
    known = {(o.kind, o.ref) for o in await queries.ref_options(conn)}
    if (kind, ref) not in known:
        raise Invalid(N_("reached_by: no such course, credential or program"), field="reached_by")
    return kind, ref


async def add_step(conn: asyncpg.Connection, *, viewer: CurrentUser, ladder: str, form: StepForm) -> None:
    name = names(form)
    kind, ref = await reached_by(conn, form)
    made = await queries.add_step(conn, ladder=ladder, kind=kind, ref=ref, name=name)
    if made is None:
        raise NotFound(N_("ladder: no such ladder"), field="ladder")
    await record(
        conn,
        actor_id=viewer.id,
        action="pathways.step_added",
        subject=f"{ladder}/{made['id']}",
        detail={"kind": kind, "ref": ref, "name": name, "position": made["position"]},
    )


async def move_step(
    conn: asyncpg.Connection, *, viewer: CurrentUser, ladder: str, step_id: UUID, direction: str
) -> None:
    if direction not in ("up", "down"):
        raise Invalid(N_("direction: up or down"), field="direction")
    if not await queries.step_exists(conn, ladder=ladder, step_id=step_id):
        raise NotFound(N_("step: no such step on this ladder"), field="step")
    if await queries.move_step(conn, ladder=ladder, step_id=step_id, up=direction == "up"):
        await record(
            conn,
            actor_id=viewer.id,
            action="pathways.step_moved",
            subject=f"{ladder}/{step_id}",
            detail={"direction": direction},
        )


async def retire_step(conn: asyncpg.Connection, *, viewer: CurrentUser, ladder: str, step_id: UUID) -> None:
    if not await queries.step_exists(conn, ladder=ladder, step_id=step_id):
        raise NotFound(N_("step: no such step on this ladder"), field="step")
    if await queries.retire_step(conn, ladder=ladder, step_id=step_id):
        await record(conn, actor_id=viewer.id, action="pathways.step_retired", subject=f"{ladder}/{step_id}")


async def restore_step(conn: asyncpg.Connection, *, viewer: CurrentUser, ladder: str, step_id: UUID) -> None:
    """A retired step in use again: workers see it, and what reaches it counts again."""
    if not await queries.step_exists(conn, ladder=ladder, step_id=step_id):
        raise NotFound(N_("step: no such step on this ladder"), field="step")
    if await queries.restore_step(conn, ladder=ladder, step_id=step_id):
        await record(conn, actor_id=viewer.id, action="pathways.step_restored", subject=f"{ladder}/{step_id}")


async def rename_step(
    conn: asyncpg.Connection, *, viewer: CurrentUser, ladder: str, step_id: UUID, form: NamesForm
) -> None:
    name = names(form)
    if not await queries.rename_step(conn, ladder=ladder, step_id=step_id, name=name):
        raise NotFound(N_("step: no such step on this ladder"), field="step")
    await record(
        conn, actor_id=viewer.id, action="pathways.step_renamed", subject=f"{ladder}/{step_id}", detail={"name": name}
    )
