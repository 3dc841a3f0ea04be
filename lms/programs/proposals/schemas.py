"""Structs of apprentice proposals: a clinic admin's proposal of one of her workers for an apprenticeship program,
and the partnership's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from lms.schemas import Form, Response

ProposalStatus = Literal["proposed", "accepted", "declined"]


class Proposal(Response):
    id: UUID
    program_key: str
    program_name: dict[str, str]
    user_id: UUID
    worker: str
    clinic: str
    proposed_by: str
    proposed_at: datetime
    note: str | None
    status: ProposalStatus
    decided_at: datetime | None
    declined_reason: str | None
    apprenticeship_id: UUID | None


class WorkerOption(Response):
    """A worker of the clinic admin's own clinic she may propose."""

    id: UUID
    name: str


class ProposalForm(Form):
    worker: str = ""  # the worker's id, from the list of the clinic's workers
    program: str = ""  # the apprenticeship program's key
    note: str = ""  # why her, for the partnership (optional)


class ProposalDecisionForm(Form):
    decision: str = ""  # accept | decline
    mentor: str = ""  # accept: the mentor's email
    reason: str = ""  # decline: why, for the clinic admin
