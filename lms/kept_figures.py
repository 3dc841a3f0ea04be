"""A clinic dashboard's figures, kept a minute in the app's Litestar store ``figures``.

What it buys: a clinic's credit page and its outcomes report each take several queries over the clinic's workers (on
the benchmark machine, rendered afresh for every viewing, the clinic report fell from 0.93x to 0.04x the floor and
the credit page from 0.54x to 0.13x, infra/bench/README.md). Only the figures and the blocks of a page that hold
nothing of a viewer (a ``KeptView``) are kept, never a page: every viewing is rendered for its own viewer (their
header, CSRF token and query string) and writes its own audit record. The key is the clinic and the view's
parameters (never the viewer; the viewer's role and language where the blocks show them), plus the clinic's
generation, which ``clinic_changed``
moves when a change is made to what the clinic's views show, so such a change shows at once; other changes (a
completion) show within ``SECONDS``. With a shared store (Redis) every replica sees the same figures and changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar
from uuid import UUID, uuid4

import msgspec
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

T = TypeVar("T")
SECONDS = 60
STORE = "figures"


class KeptView(msgspec.Struct, frozen=True):
    """The blocks of a clinic page rendered for every viewer of one view (their HTML by block name), the page's title,
    and the workers it shows, which each viewing's audit record names. A viewing decodes these few strings instead of
    the whole figures and renders only its own frame around them (in-process profile, 300 workers: the clinic
    report's CPU per viewing 4.8 -> 2.5 ms with one round trip instead of three)."""

    blocks: dict[str, str]
    worker_ids: list[str]
    title: str = ""


async def _generation(store: Store, clinic_id: UUID) -> str:
    found = await store.get(f"generation:{clinic_id}")
    return found.decode() if found else "0"


async def kept_figures(
    store: Store, clinic_id: UUID, view: Hashable, kind: type[T], make: Callable[[], Awaitable[T]]
) -> T:
    """The figures of this view of the clinic, made by ``make`` when missing or a minute old."""
    key = f"{clinic_id}:{await _generation(store, clinic_id)}:{view!r}"
    found = await store.get(key)
    if found is not None:
        return msgspec.msgpack.decode(found, type=kind)
    made = await make()
    if isinstance(store, MemoryStore):  # a process's own store forgets expired views only when told
        await store.delete_expired()
    await store.set(key, msgspec.msgpack.encode(made), expires_in=SECONDS)
    return made


async def clinic_changed(store: Store, clinic_id: UUID | None) -> None:
    """What this clinic's views show has changed (None: a change whose clinic is not at hand, e.g. a revocation)."""
    if clinic_id is None:
        await store.delete_all()
        return
    await store.set(f"generation:{clinic_id}", uuid4().hex)
