"""Small helpers tests share: making people, signing in, publishing a course, serving an app over a real socket."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn

from lms.accounts import queries as accounts
from lms.accounts import service as account_service
from lms.accounts.schemas import UserCreate
from lms.embedded.ports import free_port
from lms.server import UVICORN_PROTOCOLS

PASSWORD = "correct horse battery"


async def make_clinic(conn: asyncpg.Connection, slug: str) -> Any:
    return await accounts.create_clinic(conn, slug=slug, name=slug.replace("-", " ").title())


async def make_user(
    conn: asyncpg.Connection,
    email: str,
    role: str,
    clinic: str | None = None,
    language: str = "en",
    name: str | None = None,
) -> Any:
    return await account_service.create_user(
        conn,
        UserCreate(
            email=email,
            display_name=name or email.split("@")[0].title(),
            role=role,
            password=PASSWORD,
            clinic=clinic,
            language=language,
        ),
    )


async def make_owner(conn: asyncpg.Connection, code: str, user_id: Any) -> None:
    """Make this instructor an owner of the course (courses published from folders in tests have none)."""
    await conn.execute(
        "INSERT INTO course_owners (course_id, user_id) SELECT id, $2 FROM courses WHERE code = $1", code, user_id
    )


async def token_for(conn: asyncpg.Connection, user_id: Any) -> dict[str, str]:
    created = await account_service.create_token(conn, user_id=user_id, label="test")
    return {"Authorization": f"Bearer {created.token}"}


def csrf_from(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def draft_form(html: str) -> dict[str, str]:
    """The hidden fields an authoring form posts back: its CSRF token, the draft revision and the digest of what it
    showed (without them a save is refused as a possible overwrite)."""
    fields = {"_csrf_token": csrf_from(html)}
    for name in ("revision", "base"):
        found = re.search(rf'name="{name}" value="([^"]*)"', html)
        assert found, f"the page has no {name} field"
        fields[name] = unescape(found.group(1))
    return fields


def fingerprint_from(html: str) -> str:
    found = re.search(r'name="fingerprint" value="([^"]+)"', html)
    assert found, "the page has no publish confirmation"
    return found.group(1)


async def publish_in_browser(client: Any, code: str) -> Any:
    """The instructor reads the publish summary, then confirms it (the answer: a redirect to the course's page)."""
    summary = await client.get(f"/author/{code}/publish")
    return await client.post(
        f"/author/{code}/publish",
        follow_redirects=False,
        data={"_csrf_token": csrf_from(summary.text), "fingerprint": fingerprint_from(summary.text)},
    )


async def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "_csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )


async def publish_folder(conn: asyncpg.Connection, folder: Path) -> Any:
    from lms.catalog.loader import publish_folder as publish

    return await publish(conn, folder)


@asynccontextmanager
async def serving(app: Any, *, lifespan: str = "on") -> AsyncIterator[str]:
    """``app`` served by uvicorn on a free port of this event loop, on the protocol `lms serve` runs; yields its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan, **UVICORN_PROTOCOLS)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def put_draft(client: Any, code: str, doc: Any, headers: dict[str, str]) -> Any:
    """Replace a course's draft through the API at its current revision (read first, as any client must)."""
    read = await client.get(f"/api/v1/authoring/courses/{code}/draft", headers=headers)
    assert read.status_code == 200, read.text
    at = {**headers, "If-Match": read.headers["etag"]}
    return await client.put(f"/api/v1/authoring/courses/{code}/draft", json=doc, headers=at)
