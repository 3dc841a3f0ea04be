"""Structs of the apprenticeship: the record with its standards and progress, weeks of hours, forms."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from lms.i18n import N_
from lms.schemas import Form, Response

WeekStatus = Literal["submitted", "returned", "approved"]
# A week's status as the apprentice and her mentor read it, on the page and inside a message.
WEEK_STATUS_NAMES: dict[str, str] = {
    "submitted": N_("Waiting for the mentor"),
    "returned": N_("Returned"),
    "approved": N_("Approved"),
}


class WorkProcess(Response):
    key: str
    name: dict[str, str]
    hours: int  # what the standards plan for this work process
    approved_minutes: int
    pending_minutes: int
    retired: bool = False  # shown while hours were logged under it; no new hours


class WageStep(Response):
    step: int
    from_hours: int
    from_competencies: int = 0
    hourly_cents: int | None = None  # None: a percentage of a journeyworker wage the program has not set
    journeyworker_percent: int | None = None

    def reached(self, approved_minutes: int, signed_competencies: int) -> bool:
        return self.from_hours * 60 <= approved_minutes and self.from_competencies <= signed_competencies


class Competency(Response):
    key: str
    name: dict[str, str]
    signed_on: date | None = None
    signed_by: str | None = None
    retired: bool = False  # shown while signed off; no new sign-offs


class WeekLine(Response):
    work_process: str
    minutes: int


class Week(Response):
    id: UUID
    week_start: date
    status: WeekStatus
    note: str | None
    submitted_at: datetime
    decided_at: datetime | None
    lines: list[WeekLine]

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)


class Apprenticeship(Response):
    id: UUID
    program_key: str
    program_name: dict[str, str]
    model: str
    user_id: UUID
    apprentice: str
    clinic_id: UUID
    clinic: str
    mentor_id: UUID
    mentor: str
    starts_on: date
    status: str
    completed_on: date | None
    placed_on: date | None
    placement: str | None
    ojt_hours: int  # required by the standards
    ri_hours: int
    ri_minutes: int  # related instruction: this service's completions (and approved outside records)
    work_processes: list[WorkProcess]
    wage_steps: list[WageStep]
    competencies: list[Competency]
    weeks: list[Week]

    @property
    def approved_minutes(self) -> int:
        return sum(w.approved_minutes for w in self.work_processes)

    @property
    def pending_minutes(self) -> int:
        return sum(w.pending_minutes for w in self.work_processes)

    @property
    def signed_competencies(self) -> int:
        """Competencies in force that are signed off (a retired one no longer counts toward steps or completion)."""
        return sum(1 for c in self.competencies if c.signed_on and not c.retired)

    @property
    def open_competencies(self) -> list[Competency]:
        return [c for c in self.competencies if not c.signed_on and not c.retired]

    @property
    def wage_step(self) -> WageStep | None:
        reached = [s for s in self.wage_steps if s.reached(self.approved_minutes, self.signed_competencies)]
        return reached[-1] if reached else None

    @property
    def next_wage_step(self) -> WageStep | None:
        ahead = [s for s in self.wage_steps if not s.reached(self.approved_minutes, self.signed_competencies)]
        return ahead[0] if ahead else None

    @property
    def completion_met(self) -> bool:
        """What the program's model asks to complete: its on-the-job and related-instruction hours (time-based), every
        competency signed off (competency-based), or both (hybrid)."""
        hours_met = self.approved_minutes >= self.ojt_hours * 60 and self.ri_minutes >= self.ri_hours * 60
        competencies_met = not self.open_competencies and self.signed_competencies > 0
        if self.model == "time":
            return hours_met
        if self.model == "competency":
            return competencies_met
        return hours_met and competencies_met


class ApprenticeshipRow(Response):
    """One line of a desk's list."""

    id: UUID
    user_id: UUID
    apprentice: str
    clinic: str
    mentor_id: UUID
    mentor: str
    program_key: str
    starts_on: date
    status: str
    placed_on: date | None
    approved_minutes: int
    ojt_hours: int
    waiting_weeks: int


class WaitingWeek(Response):
    """A week sent to a mentor, with what she needs to decide."""

    id: UUID
    apprenticeship_id: UUID
    apprentice: str
    week_start: date
    submitted_at: datetime
    lines: list[WeekLine]
    work_process_names: dict[str, dict[str, str]]

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)


class DecisionForm(Form):
    decision: str = ""
    note: str = ""


class OutcomeForm(Form):
    completed_on: str = ""
    placed_on: str = ""
    placement: str = ""


class CompetencyForm(Form):
    competency: str = ""


class NewApprenticeshipForm(Form):
    apprentice: str = ""  # the worker's email
    mentor: str = ""  # the mentor's email
    program: str = "chw"
    starts_on: str = ""
