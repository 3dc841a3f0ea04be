"""LRS client credentials as the API takes and gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from lms.schemas import Request, Response

ClientName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LrsClientCreate(Request):
    name: ClientName
    can_read: bool = True
    can_write: bool = True


class LrsClientOut(Response):
    id: UUID
    key: str
    name: str
    can_read: bool
    can_write: bool
    created_at: datetime
    revoked_at: datetime | None


class LrsClientCreated(LrsClientOut):
    """The secret is shown once, at creation; only its hash is kept."""

    secret: str
