"""Use cases of the programs' content: a program admin creates an apprenticeship program, edits its work processes,
wage steps and competencies, and each preceptorship role's competencies and evaluation items. Every input is bounded
as its column is, every error names its field, and every change is audited."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Invalid, NotFound
from lms.i18n import N_, UI_LANGUAGES
from lms.programs.content import queries
from lms.programs.content.queries import COMPETENCIES, SUPERVISION_ITEMS, WORK_PROCESSES, ItemTable
from lms.programs.content.schemas import RemoveForm, WageStepForm
from lms.programs.standards.service import hourly_cents, whole

MAX_NAME = 200
PROGRAM_KEY = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
MODELS = ("time", "competency", "hybrid")
APPRENTICESHIP_ITEMS = {"work_process": WORK_PROCESSES, "competency": COMPETENCIES}
SUPERVISION_KINDS = ("competency", "evaluation")


def names(form: dict[str, Any]) -> dict[str, str]:
    """The `name-<language>` fields: English required (every other language falls back to it), each at most 200
    characters, blanks left out."""
    found = {}
    for tag in UI_LANGUAGES:
        field = f"name-{tag}"
        text = " ".join(str(form.get(field, "")).split())
        if len(text) > MAX_NAME:
            raise Invalid(
                N_("%(field)s: at most %(count)s characters"), field=field, params={"field": field, "count": MAX_NAME}
            )
        if text:
            found[tag] = text
    if "en" not in found:
        raise Invalid(N_("name-en: give the name in English"), field="name-en")
    return found


def new_key(english: str, taken: set[str]) -> str:
    """A short key from the English name ('Health education' -> 'health-education'), never one used before."""
    ascii_name = unicodedata.normalize("NFKD", english).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40].strip("-") or "item"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def _position(form: dict[str, Any]) -> int | None:
    text = str(form.get("position", "")).strip()
    return whole(text, "position", 1, 999) if text else None


async def create_program(conn: asyncpg.Connection, *, actor: CurrentUser, form: dict[str, Any]) -> str:
    key = str(form.get("key", "")).strip().lower()
    if not PROGRAM_KEY.fullmatch(key):
        raise Invalid(N_("key: 2 to 63 lower-case letters, digits and dashes, such as chw-2027"), field="key")
    name = names(form)
    model = str(form.get("model", ""))
    if model not in MODELS:
        raise Invalid(N_("model: choose time-based, competency-based or hybrid"), field="model")
    ojt = whole(str(form.get("ojt_hours", "")), "ojt_hours", 1, 20000)
    ri = whole(str(form.get("ri_hours", "")), "ri_hours", 0, 5000)
    await queries.create_program(conn, key=key, name=name, model=model, ojt_hours=ojt, ri_hours=ri)
    await record(
        conn,
        actor_id=actor.id,
        action="programs.apprenticeship_program_created",
        subject=key,
        detail={"model": model, "ojt_hours": ojt, "ri_hours": ri},
    )
    return key


async def _program(conn: asyncpg.Connection, key: str) -> UUID:
    program_id = await queries.lock_program(conn, key=key)
    if program_id is None:
        raise NotFound(N_("program: no such apprenticeship program"), field="program")
    return program_id


async def _save_item(
    conn: asyncpg.Connection,
    t: ItemTable,
    owner: tuple[Any, ...],
    *,
    form: dict[str, Any],
    extra: dict[str, Any],
    actor: CurrentUser,
    action: str,
    subject: str,
) -> str:
    """Adds an item (no `item` field) or changes the one named; answers its key."""
    name = names(form)
    position = _position(form)
    key = str(form.get("item", "")).strip()
    if key:
        if not await queries.change_item(conn, t, owner, key=key, name=name, position=position, extra=extra):
            raise Invalid(N_("item: no such item in force"), field="item")
        done = "changed"
    else:
        key = new_key(name["en"], await queries.item_keys(conn, t, owner))
        await queries.add_item(conn, t, owner, key=key, name=name, position=position, extra=extra)
        done = "added"
    await record(
        conn,
        actor_id=actor.id,
        action=f"programs.{action}_{done}",
        subject=f"{subject}/{key}",
        detail={"name": name, "position": position, **extra},
    )
    return key


async def save_apprenticeship_item(
    conn: asyncpg.Connection, *, actor: CurrentUser, program_key: str, kind: str, form: dict[str, Any]
) -> str:
    t = APPRENTICESHIP_ITEMS[kind]
    program_id = await _program(conn, program_key)
    extra = {"hours": whole(str(form.get("hours", "")), "hours", 0, 20000)} if t is WORK_PROCESSES else {}
    return await _save_item(
        conn, t, (program_id,), form=form, extra=extra, actor=actor, action=kind, subject=program_key
    )


async def _remove(
    conn: asyncpg.Connection,
    t: ItemTable,
    owner: tuple[Any, ...],
    *,
    key: str,
    actor: CurrentUser,
    action: str,
    subject: str,
) -> str:
    removed = await queries.remove_item(conn, t, owner, key=key.strip())
    if removed is None:
        raise Invalid(N_("item: no such item in force"), field="item")
    await record(conn, actor_id=actor.id, action=f"programs.{action}_{removed}", subject=f"{subject}/{key.strip()}")
    return removed


async def _restore(
    conn: asyncpg.Connection,
    t: ItemTable,
    owner: tuple[Any, ...],
    *,
    key: str,
    actor: CurrentUser,
    action: str,
    subject: str,
) -> None:
    if not await queries.restore_item(conn, t, owner, key=key.strip()):
        raise Invalid(N_("item: no such retired item"), field="item")
    await record(conn, actor_id=actor.id, action=f"programs.{action}_restored", subject=f"{subject}/{key.strip()}")


async def remove_apprenticeship_item(
    conn: asyncpg.Connection, *, actor: CurrentUser, program_key: str, form: RemoveForm
) -> str:
    """Retires (when records use it) or deletes a work process or a competency; deletes a wage step."""
    program_id = await _program(conn, program_key)
    if form.kind == "wage_step":
        try:
            step_id = UUID(form.item.strip())
        except ValueError:
            raise Invalid(N_("item: no such wage step"), field="item") from None
        removed = await queries.remove_wage_step(conn, program_id=program_id, step_id=step_id)
        if removed is None:
            raise Invalid(N_("item: no such wage step"), field="item")
        await record(conn, actor_id=actor.id, action="programs.wage_step_deleted", subject=program_key, detail=removed)
        return "deleted"
    if form.kind not in APPRENTICESHIP_ITEMS:
        raise Invalid(N_("kind: a work process, a competency or a wage step"), field="kind")
    return await _remove(
        conn,
        APPRENTICESHIP_ITEMS[form.kind],
        (program_id,),
        key=form.item,
        actor=actor,
        action=form.kind,
        subject=program_key,
    )


async def restore_apprenticeship_item(
    conn: asyncpg.Connection, *, actor: CurrentUser, program_key: str, form: RemoveForm
) -> None:
    """A retired work process or competency in force again: hours can be logged under it and sign-offs count again
    toward wage steps and completion."""
    program_id = await _program(conn, program_key)
    if form.kind not in APPRENTICESHIP_ITEMS:
        raise Invalid(N_("kind: a work process or a competency"), field="kind")
    await _restore(
        conn,
        APPRENTICESHIP_ITEMS[form.kind],
        (program_id,),
        key=form.item,
        actor=actor,
        action=form.kind,
        subject=program_key,
    )


async def add_wage_step(conn: asyncpg.Connection, *, actor: CurrentUser, program_key: str, form: WageStepForm) -> None:
    """A step after some approved hours and/or competencies signed off, paying an hourly wage or a percentage of the
    journeyworker's."""
    program_id = await _program(conn, program_key)
    from_hours = whole(form.from_hours or "0", "from_hours", 0, 20000)
    from_competencies = whole(form.from_competencies or "0", "from_competencies", 0, 200)
    in_force = await queries.active_competencies(conn, program_id=program_id)
    if from_competencies > in_force:
        raise Invalid(
            N_("from_competencies: the program has %(count)s competencies"),
            field="from_competencies",
            params={"count": in_force},
        )
    if bool(form.wage.strip()) == bool(form.percent.strip()):
        raise Invalid(N_("wage: give an hourly wage or a percentage of the journeyworker wage, not both"), field="wage")
    cents = hourly_cents(form.wage, "wage") if form.wage.strip() else None
    percent = whole(form.percent.strip().rstrip("%"), "percent", 1, 100) if form.percent.strip() else None
    await queries.add_wage_step(
        conn,
        program_id=program_id,
        from_hours=from_hours,
        from_competencies=from_competencies,
        hourly_cents=cents,
        journeyworker_percent=percent,
    )
    await record(
        conn,
        actor_id=actor.id,
        action="programs.wage_step_added",
        subject=program_key,
        detail={
            "from_hours": from_hours,
            "from_competencies": from_competencies,
            "hourly_cents": cents,
            "journeyworker_percent": percent,
        },
    )


async def _role(conn: asyncpg.Connection, role_key: str, board: str) -> tuple[str, str]:
    if not await queries.lock_role(conn, role_key=role_key, board=board):
        raise NotFound(N_("requirement: no such role and board"), field="requirement")
    return role_key, board


async def save_role_item(
    conn: asyncpg.Connection, *, actor: CurrentUser, role_key: str, board: str, form: dict[str, Any]
) -> str:
    owner = await _role(conn, role_key, board)
    kind = str(form.get("kind", "competency"))
    if kind not in SUPERVISION_KINDS:
        raise Invalid(N_("kind: a competency or an evaluation item"), field="kind")
    return await _save_item(
        conn,
        SUPERVISION_ITEMS,
        owner,
        form=form,
        extra={"kind": kind},
        actor=actor,
        action="supervision_item",
        subject=f"{role_key}/{board}",
    )


async def remove_role_item(
    conn: asyncpg.Connection, *, actor: CurrentUser, role_key: str, board: str, form: RemoveForm
) -> str:
    owner = await _role(conn, role_key, board)
    return await _remove(
        conn,
        SUPERVISION_ITEMS,
        owner,
        key=form.item,
        actor=actor,
        action="supervision_item",
        subject=f"{role_key}/{board}",
    )


async def restore_role_item(
    conn: asyncpg.Connection, *, actor: CurrentUser, role_key: str, board: str, form: RemoveForm
) -> None:
    owner = await _role(conn, role_key, board)
    await _restore(
        conn,
        SUPERVISION_ITEMS,
        owner,
        key=form.item,
        actor=actor,
        action="supervision_item",
        subject=f"{role_key}/{board}",
    )
