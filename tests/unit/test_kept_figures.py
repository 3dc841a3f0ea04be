"""A clinic view's figures kept in a Litestar store: one making per view and minute, a change to the clinic shows at
once, other clinics and other views are kept apart."""

from __future__ import annotations

import uuid

import msgspec
from litestar.stores.memory import MemoryStore

from lms.kept_figures import clinic_changed, kept_figures


class Board(msgspec.Struct, frozen=True):
    clinic: str
    made: int


async def test_figures_are_made_once_per_view_until_the_clinic_changes():
    store, made = MemoryStore(), []
    clinic, other = uuid.uuid4(), uuid.uuid4()

    def maker(clinic_id: uuid.UUID):
        async def make() -> Board:
            made.append(clinic_id)
            return Board(clinic=str(clinic_id), made=len(made))

        return make

    first = await kept_figures(store, clinic, ("credit", 24), Board, maker(clinic))
    again = await kept_figures(store, clinic, ("credit", 24), Board, maker(clinic))
    assert first == again == Board(clinic=str(clinic), made=1)  # the second viewing reads what the first made
    assert (await kept_figures(store, clinic, ("credit", 12), Board, maker(clinic))).made == 2  # another view
    assert (await kept_figures(store, other, ("credit", 24), Board, maker(other))).clinic == str(
        other
    )  # another clinic

    await clinic_changed(store, clinic)  # a credential recorded: this clinic's views are made again
    assert (await kept_figures(store, clinic, ("credit", 24), Board, maker(clinic))).made == 4
    assert (await kept_figures(store, other, ("credit", 24), Board, maker(other))).made == 3  # the other clinic's stays

    await clinic_changed(store, None)  # a change whose clinic is not at hand: every view is made again
    assert (await kept_figures(store, other, ("credit", 24), Board, maker(other))).made == 5
