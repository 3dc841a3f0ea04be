"""Launch-scoped LRS credentials: what launched content (a cmi5 AU) gets instead of a person's or client's access.

Such a credential names one session of one actor, registration and activity, and the launching feature decides what
it may do (cmi5's rules on statements and documents). The LRS only knows this interface; the feature that hands the
credentials out is wired into ``app.state.launch_authority`` by ``create_app``, so ``lms.xapi`` imports no feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import asyncpg

if TYPE_CHECKING:
    from lms.xapi.documents import DocKey

LAUNCH_KEY_PREFIX = "au_"


@dataclass(frozen=True, slots=True)
class LaunchGrant:
    """One launch session's credential: the actor (identity text), registration and activity it is limited to."""

    session_id: UUID
    key: str
    actor_key: str
    registration: UUID
    activity_id: str
    user_id: UUID | None  # the worker the actor is, when she has an account here


class LaunchAuthority(Protocol):
    async def resolve(self, conn: asyncpg.Pool | asyncpg.Connection, key: str, secret: str) -> LaunchGrant | None:
        """The live session this credential belongs to; None when unknown, ended or abandoned (401)."""

    async def check_statements(self, conn: asyncpg.Connection, grant: LaunchGrant, statements: list[Any]) -> None:
        """Raise Forbidden for a statement the session may not send (in the storing transaction, before storing)."""

    async def after_statements(
        self, conn: asyncpg.Connection, grant: LaunchGrant, rows: list[dict[str, Any]], base_url: str
    ) -> None:
        """Act on the stored statements (the launcher's own statements, satisfaction), in the same transaction."""

    async def check_document(
        self,
        conn: asyncpg.Connection,
        grant: LaunchGrant,
        key: DocKey,
        doc_id: str | None,
        *,
        method: str,
        content: bytes,
        content_type: str,
    ) -> None:
        """Raise Forbidden for a document request the session may not make."""
