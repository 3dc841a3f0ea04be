"""Structs of the programs' content as a program admin edits it: items with their names in every language, whether
records use them (then removing one retires it), and wage steps."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from lms.schemas import Form, Response

ItemKind = str  # "work_process" | "competency" (apprenticeship), "competency" | "evaluation" (preceptorship)


class ContentItem(Response):
    key: str
    name: dict[str, str]
    position: int
    retired: bool
    in_use: bool  # records point to it: removing it retires it
    hours: int | None = None  # work processes: the hours the standards plan
    kind: str | None = None  # preceptorship: competency | evaluation


class WageStepLine(Response):
    id: UUID
    from_hours: int
    from_competencies: int
    hourly_cents: int | None
    journeyworker_percent: int | None


class ProgramContent(Response):
    key: str
    name: dict[str, Any]
    model: str
    ojt_hours: int
    ri_hours: int
    journeyworker_cents: int | None
    work_processes: list[ContentItem]
    competencies: list[ContentItem]
    wage_steps: list[WageStepLine]


class RoleContent(Response):
    role_key: str
    board: str
    name: dict[str, Any]
    required_hours: int
    items: list[ContentItem]


class WageStepForm(Form):
    from_hours: str = ""
    from_competencies: str = ""
    wage: str = ""  # dollars an hour, or
    percent: str = ""  # of the journeyworker's wage


class RemoveForm(Form):
    kind: str = ""  # work_process | competency | wage_step (apprenticeship); ignored for preceptorship items
    item: str = ""  # the item's key, or the wage step's id
