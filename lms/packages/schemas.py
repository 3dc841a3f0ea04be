"""Imported packages and their units: what the import finds in a manifest, and what a runtime launches."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from lms.schemas import Response

Format = Literal["cmi5", "scorm12", "scorm2004"]
FORMAT_NAMES = {"cmi5": "cmi5", "scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004"}


class Unit(msgspec.Struct, kw_only=True):
    """One launchable unit of a manifest: a cmi5 AU or a SCORM SCO (or asset)."""

    unit_id: str
    title: dict[str, str]
    launch: str  # relative to the package root (may carry a query), or an absolute URL (cmi5)
    description: dict[str, str] = {}
    move_on: str | None = None
    mastery_score: float | None = None
    launch_method: str | None = None
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    extra: dict[str, Any] = {}


class Manifest(msgspec.Struct, kw_only=True):
    """What a package's manifest says: its format, title, units in order, and the structure around them."""

    format: Format
    title: dict[str, str]
    units: list[Unit]
    structure: dict[str, Any] = {}


class PackageUnitOut(Response):
    unit_id: str
    position: int
    title: dict[str, str]
    launch: str
    move_on: str | None = None
    mastery_score: float | None = None


class PackageOut(Response):
    id: UUID
    code: str
    format: Format
    language: str
    title: dict[str, str]
    filename: str
    file_count: int
    total_bytes: int
    created_at: datetime
    units: list[PackageUnitOut]


class LaunchUnit(Response):
    """A worker's package activity, resolved to the unit in her language (or a fallback) and her enrolment."""

    enrollment_id: UUID
    user_id: UUID
    activity_id: UUID
    version_id: UUID
    code: str
    version: int
    activity_key: str
    activity_title: dict[str, str]
    package_id: UUID
    format: Format
    language: str
    unit_id: str
    title: dict[str, str]
    launch: str
    move_on: str | None
    mastery_score: float | None
    launch_method: str | None
    launch_parameters: str | None
    entitlement_key: str | None
    extra: dict[str, Any]
    s3_prefix: str
