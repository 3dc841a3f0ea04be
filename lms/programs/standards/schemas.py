"""The programs' standards a program admin keeps: yearly tuition caps, supervised hours per role and board, and each
apprenticeship program's hours and model."""

from __future__ import annotations

from typing import Any

from lms.schemas import Form, Response


class CapForm(Form):
    year: str = ""
    cap: str = ""  # dollars, e.g. 5250 or 5250.00


class SupervisionForm(Form):
    requirement: str = ""  # "<role_key>/<board>"
    required_hours: str = ""


class ApprenticeshipStandardForm(Form):
    program: str = ""  # the program's key
    model: str = ""  # "time", "competency" or "hybrid"
    ojt_hours: str = ""
    ri_hours: str = ""
    journeyworker_wage: str = ""  # dollars an hour; blank for none


class Cap(Response):
    year: int
    cap_cents: int


class Requirement(Response):
    role_key: str
    board: str
    name: dict[str, Any]
    required_hours: int


class ProgramStandard(Response):
    key: str
    name: dict[str, Any]
    model: str
    ojt_hours: int
    ri_hours: int
    journeyworker_cents: int | None = None


class Standards(Response):
    caps: list[Cap]
    requirements: list[Requirement]
    programs: list[ProgramStandard]
