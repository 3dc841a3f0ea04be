"""SQL of the programs' content: an apprenticeship program's work processes, wage steps and competencies, and a
preceptorship role's competencies and evaluation items. Changed by program admins only (the controller's guard);
these tables hold no one's records, but records point to their keys, so an item in use is retired, not deleted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import asyncpg
import msgspec

from lms.errors import Conflict
from lms.i18n import N_
from lms.programs.content.schemas import ProgramContent, RoleContent

Removed = Literal["retired", "deleted"]


@dataclass(frozen=True)
class ItemTable:
    """One table of named, ordered items that records point to by key. ``owner``: the columns naming whose items they
    are; ``used``: SQL that finds a record using item ``{key}`` of the owner ``{o0}`` (and ``{o1}``)."""

    table: str
    owner: tuple[str, ...]
    used: str
    extra: tuple[str, ...] = ()

    def where(self) -> str:
        return " AND ".join(f"{column} = ${n}" for n, column in enumerate(self.owner, 1))

    @property
    def key_param(self) -> str:
        return f"${len(self.owner) + 1}"

    def used_by(self, owner: list[str], key: str) -> str:
        """``used`` for this owner (parameters or outer columns) and key."""
        return self.used.format(key=key, **{f"o{n}": value for n, value in enumerate(owner)})


WORK_PROCESSES = ItemTable(
    "apprenticeship_work_processes",
    ("program_id",),
    """SELECT 1 FROM ojt_hours h JOIN ojt_weeks w ON w.id = h.week_id JOIN apprenticeships a ON a.id = w.apprenticeship_id
       WHERE a.program_id = {o0} AND h.work_process = {key}""",
    ("hours",),
)
COMPETENCIES = ItemTable(
    "apprenticeship_competencies",
    ("program_id",),
    """SELECT 1 FROM competency_signoffs o JOIN apprenticeships a ON a.id = o.apprenticeship_id
       WHERE a.program_id = {o0} AND o.competency = {key}""",
)
SUPERVISION_ITEMS = ItemTable(
    "supervision_items",
    ("role_key", "board"),
    """SELECT 1 FROM preceptor_evaluations e JOIN preceptorships p ON p.id = e.preceptorship_id
       WHERE p.role_key = {o0} AND p.board = {o1} AND e.competency = {key}""",
    ("kind",),
)


def _items(t: ItemTable, outer: list[str]) -> str:
    """SQL: the items of the owner named by the outer query's columns ``outer``, each with whether records use it, as
    a JSON array in their order."""
    extra = "".join(f", '{column}', i.{column}" for column in t.extra)
    owned = " AND ".join(f"i.{column} = {value}" for column, value in zip(t.owner, outer, strict=True))
    return f"""(SELECT coalesce(json_agg(json_build_object(
                    'key', i.key, 'name', i.name, 'position', i.position, 'retired', i.retired_at IS NOT NULL,
                    'in_use', EXISTS ({t.used_by(outer, "i.key")}){extra}) ORDER BY i.position, i.key), '[]')
                FROM {t.table} i WHERE {owned})"""


async def program_content(conn: asyncpg.Connection, *, key: str) -> ProgramContent | None:
    row = await conn.fetchrow(
        f"""SELECT p.key, p.name, p.model, p.ojt_hours, p.ri_hours, p.journeyworker_cents,
                   {_items(WORK_PROCESSES, ["p.id"])} AS work_processes,
                   {_items(COMPETENCIES, ["p.id"])} AS competencies,
                   (SELECT coalesce(json_agg(json_build_object(
                               'id', s.id, 'from_hours', s.from_hours, 'from_competencies', s.from_competencies,
                               'hourly_cents', s.hourly_cents, 'journeyworker_percent', s.journeyworker_percent)
                               ORDER BY s.from_hours, s.from_competencies), '[]')
                    FROM apprenticeship_wage_steps s WHERE s.program_id = p.id) AS wage_steps
            FROM apprenticeship_programs p WHERE p.key = $1""",
        key,
    )
    return msgspec.convert(dict(row), ProgramContent, strict=False) if row else None


async def role_content(conn: asyncpg.Connection, *, role_key: str, board: str) -> RoleContent | None:
    row = await conn.fetchrow(
        f"""SELECT q.role_key, q.board, q.name, q.required_hours, {_items(SUPERVISION_ITEMS, ["q.role_key", "q.board"])} AS items
            FROM supervision_requirements q WHERE q.role_key = $1 AND q.board = $2""",
        role_key,
        board,
    )
    return msgspec.convert(dict(row), RoleContent, strict=False) if row else None


async def lock_program(conn: asyncpg.Connection, *, key: str) -> UUID | None:
    """The program's id, locked: one change to its content at a time (keys and positions are read, then written)."""
    return await conn.fetchval("SELECT id FROM apprenticeship_programs WHERE key = $1 FOR UPDATE", key)


async def lock_role(conn: asyncpg.Connection, *, role_key: str, board: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM supervision_requirements WHERE role_key = $1 AND board = $2 FOR UPDATE", role_key, board
    )
    return bool(found)


async def create_program(
    conn: asyncpg.Connection, *, key: str, name: dict[str, str], model: str, ojt_hours: int, ri_hours: int
) -> None:
    try:
        async with conn.transaction():
            await conn.execute(
                """INSERT INTO apprenticeship_programs (key, name, model, ojt_hours, ri_hours)
                   VALUES ($1, $2, $3, $4, $5)""",
                key,
                name,
                model,
                ojt_hours,
                ri_hours,
            )
    except asyncpg.UniqueViolationError:
        raise Conflict(N_("key: a program with this code exists already"), field="key") from None


async def item_keys(conn: asyncpg.Connection, t: ItemTable, owner: tuple[Any, ...]) -> set[str]:
    """Every key the owner has used, retired ones too: a new item never takes an old one's key."""
    rows = await conn.fetch(f"SELECT key FROM {t.table} WHERE {t.where()}", *owner)
    return {r["key"] for r in rows}


async def add_item(
    conn: asyncpg.Connection,
    t: ItemTable,
    owner: tuple[Any, ...],
    *,
    key: str,
    name: dict[str, str],
    position: int | None,
    extra: dict[str, Any],
) -> None:
    """A new item; without a position, after the last one."""
    columns = [*t.owner, "key", "name", *t.extra]
    values = [*owner, key, name, *(extra[c] for c in t.extra)]
    n = len(values)
    await conn.execute(
        f"""INSERT INTO {t.table} ({", ".join(columns)}, position)
            VALUES ({", ".join(f"${i}" for i in range(1, n + 1))},
                    coalesce(${n + 1}::int, (SELECT least(coalesce(max(position), 0) + 1, 999) FROM {t.table} WHERE {t.where()})))""",
        *values,
        position,
    )


async def change_item(
    conn: asyncpg.Connection,
    t: ItemTable,
    owner: tuple[Any, ...],
    *,
    key: str,
    name: dict[str, str],
    position: int | None,
    extra: dict[str, Any],
) -> bool:
    """False when the owner has no such item in force (a retired one is not changed)."""
    k = len(owner)
    sets = [f"name = ${k + 2}", f"position = coalesce(${k + 3}::int, position)"]
    sets += [f"{c} = ${k + 4 + i}" for i, c in enumerate(t.extra)]
    changed = await conn.fetchval(
        f"""UPDATE {t.table} SET {", ".join(sets)}
            WHERE {t.where()} AND key = {t.key_param} AND retired_at IS NULL RETURNING true""",
        *owner,
        key,
        name,
        position,
        *(extra[c] for c in t.extra),
    )
    return bool(changed)


async def remove_item(conn: asyncpg.Connection, t: ItemTable, owner: tuple[Any, ...], *, key: str) -> Removed | None:
    """Retires the item when records use it (they keep pointing to it), deletes it otherwise; None when the owner has
    no such item in force."""
    found = await conn.fetchrow(
        f"""SELECT EXISTS ({t.used_by([f"${n}" for n in range(1, len(t.owner) + 1)], t.key_param)}) AS used FROM {t.table}
            WHERE {t.where()} AND key = {t.key_param} AND retired_at IS NULL FOR UPDATE""",
        *owner,
        key,
    )
    if found is None:
        return None
    if found["used"]:
        await conn.execute(
            f"UPDATE {t.table} SET retired_at = now() WHERE {t.where()} AND key = {t.key_param}", *owner, key
        )
        return "retired"
    await conn.execute(f"DELETE FROM {t.table} WHERE {t.where()} AND key = {t.key_param}", *owner, key)
    return "deleted"


async def restore_item(conn: asyncpg.Connection, t: ItemTable, owner: tuple[Any, ...], *, key: str) -> bool:
    """A retired item in force again, under its old key (records kept pointing to it); False when the owner has no
    such retired item."""
    done = await conn.fetchval(
        f"""UPDATE {t.table} SET retired_at = NULL
            WHERE {t.where()} AND key = {t.key_param} AND retired_at IS NOT NULL RETURNING true""",
        *owner,
        key,
    )
    return bool(done)


async def active_competencies(conn: asyncpg.Connection, *, program_id: UUID) -> int:
    return await conn.fetchval(
        "SELECT count(*)::int FROM apprenticeship_competencies WHERE program_id = $1 AND retired_at IS NULL", program_id
    )


async def add_wage_step(
    conn: asyncpg.Connection,
    *,
    program_id: UUID,
    from_hours: int,
    from_competencies: int,
    hourly_cents: int | None,
    journeyworker_percent: int | None,
) -> UUID:
    try:
        async with conn.transaction():
            return await conn.fetchval(
                """INSERT INTO apprenticeship_wage_steps (program_id, from_hours, from_competencies, hourly_cents,
                                                          journeyworker_percent)
                   VALUES ($1, $2, $3, $4, $5) RETURNING id""",
                program_id,
                from_hours,
                from_competencies,
                hourly_cents,
                journeyworker_percent,
            )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            N_("from_hours: the program has a step at these hours and competencies already"), field="from_hours"
        ) from None


async def remove_wage_step(conn: asyncpg.Connection, *, program_id: UUID, step_id: UUID) -> dict[str, Any] | None:
    """Deletes the step (nothing points to a step: the apprentices' steps are computed from it); what it was, for the
    audit log."""
    row = await conn.fetchrow(
        """DELETE FROM apprenticeship_wage_steps WHERE program_id = $1 AND id = $2
           RETURNING from_hours, from_competencies, hourly_cents, journeyworker_percent""",
        program_id,
        step_id,
    )
    return dict(row) if row else None


async def set_journeyworker_wage(conn: asyncpg.Connection, *, key: str, cents: int | None) -> None:
    await conn.execute("UPDATE apprenticeship_programs SET journeyworker_cents = $2 WHERE key = $1", key, cents)
