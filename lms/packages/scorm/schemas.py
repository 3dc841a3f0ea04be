"""SCORM runtime Structs: attempts and launches as read from the database, the launch form, the page's data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from lms.packages.scorm.cmi import Completion, Format, Success
from lms.schemas import Form, Response


class AttemptRow(Response):
    id: UUID
    number: int
    package_id: UUID
    unit_id: str
    cmi: dict[str, Any]
    completion: Completion
    success: Success
    exit: str | None
    ended_at: datetime | None


class LaunchRow(Response):
    """A launch, with what its page and its commits need: the attempt, the worker, the activity and the unit."""

    entry: str
    language: str
    initialized_at: datetime | None
    terminated_at: datetime | None
    attempt_id: UUID
    number: int
    cmi: dict[str, Any]
    completion: Completion
    success: Success
    ended_at: datetime | None
    enrollment_id: UUID
    user_id: UUID
    display_name: str
    code: str
    version: int
    activity_id: UUID
    activity_key: str
    activity_title: dict[str, str]
    package_id: UUID
    format: Format
    unit_id: str
    launch: str
    mastery_score: float | None
    extra: dict[str, Any]


class LaunchForm(Form):
    """The Start button of a package activity: the language she wants it in (her interface language when empty)."""

    lang: Annotated[str, msgspec.Meta(pattern=r"^([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$", max_length=35)] = ""


class LaunchConfig(Response):
    """What the launch page's script gets: the runtime to make, the data it starts with, where it commits, the SCO."""

    format: Format
    cmi: dict[str, Any]
    commit_url: str
    sco_url: str
    app_origin: str
    terminated_field: str


class Started(Response):
    """A launch made: the player shows ``iframe_url`` (the content origin's launch page)."""

    iframe_url: str
    back_url: str
    title: str
    title_lang: str
