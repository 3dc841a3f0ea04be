"""Structs of career ladders: a worker's place on each ladder, and the partnership's view of advancement."""

from __future__ import annotations

from lms.schemas import Form, Response


class Step(Response):
    position: int
    kind: str
    name: dict[str, str]
    reached: bool


class Ladder(Response):
    key: str
    name: dict[str, str]
    steps: list[Step]

    @property
    def next_step(self) -> Step | None:
        """The first step not reached yet, in the ladder's order."""
        return next((s for s in self.steps if not s.reached), None)

    @property
    def reached(self) -> int:
        return sum(1 for s in self.steps if s.reached)


class StepCount(Response):
    ladder: str
    ladder_name: dict[str, str]
    position: int
    name: dict[str, str]
    kind: str
    reached: int  # workers who reached this step
    retained: int  # of them, still active at a member clinic


class StepRecordForm(Form):
    worker: str = ""  # email
    step: str = ""  # "<ladder key>/<position>"
    reached_on: str = ""
