"""Structs of career ladders: a worker's place on each ladder, the ladders as a program admin edits them, and the
partnership's view of advancement and retention."""

from __future__ import annotations

from lms.schemas import Form, Response

# What reaches a step of each kind (ladder_steps.ref): see lms/db/migrations/0105_ladders_edited.sql.
STEP_KINDS = ("course", "credential", "outside", "apprenticeship", "tuition")
TUITION_FIELDS = ("nursing", "social_work", "dental", "behavioral_health", "other")


class Step(Response):
    id: str
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


class EditedStep(Response):
    id: str
    position: int
    kind: str
    ref: str
    name: dict[str, str]
    retired: bool
    ever_reached: int  # workers who reached it, ever: why a step is retired rather than deleted


class EditedLadder(Response):
    key: str
    name: dict[str, str]
    track: str | None
    retired: bool
    steps: list[EditedStep]


class RefOption(Response):
    """Something a step can name as what reaches it: a course, a credential, an apprenticeship program."""

    kind: str
    ref: str
    name: dict[str, str]


class GroupAdvance(Response):
    by: str  # "clinic" or "local"
    key: str  # its id ("" when not recorded)
    reached: int
    retained: int


class StepCount(Response):
    ladder: str
    ladder_name: dict[str, str]
    step_id: str
    position: int
    name: dict[str, str]
    kind: str
    retired: bool
    reached: int  # workers who first reached this step in the period
    retained: int  # of them, still active at a member clinic
    groups: list[GroupAdvance]


class StepRecordForm(Form):
    worker: str = ""  # email
    step: str = ""  # "<ladder key>/<position>"
    reached_on: str = ""


class NamesForm(Form):
    """A name in each interface language; English is required, the others fall back to it."""

    name_en: str = ""
    name_es: str = ""
    name_zh_Hant: str = ""
    name_vi: str = ""
    name_tl: str = ""


class LadderForm(NamesForm):
    key: str = ""  # when created; a ladder's key never changes
    track: str = ""
    retired: str = ""  # a checkbox: "on" retires the ladder (workers no longer see it)


class StepForm(NamesForm):
    reached_by: str = ""  # "<kind>:<ref>", e.g. "credential:RDA", "tuition:nursing", "outside:"
    approval_number: str = ""  # outside steps: the outside program's approval number, if any


class MoveForm(Form):
    direction: str = ""  # "up" or "down"
