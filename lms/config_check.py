"""`lms config check` beyond parsing: does the configured database answer, does the configured S3 store?

Only servers named in the environment are tried (the embedded ones do not exist until `lms serve` starts them).
Each failure is one line naming the variable to look at; credentials never appear in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from lms.observability.logs import scrub

if TYPE_CHECKING:
    from lms.settings import Settings

PROBE_SECONDS = 5.0


def reachability_problems(settings: Settings, known: list[str]) -> list[str]:
    """Problems reaching the database and the store, skipping whichever already has a problem in ``known``."""
    problems: list[str] = []
    if settings.database_url and not any(p.startswith("LMS_DATABASE_URL") for p in known):
        problems += anyio.run(_database_problems, settings)
    if settings.s3_endpoint_url and not any(p.startswith("LMS_S3_") for p in known):
        problems += _store_problems(settings)
    return problems


async def _database_problems(settings: Settings) -> list[str]:
    import asyncpg

    timeout = min(settings.database_timeout, PROBE_SECONDS)
    try:
        conn = await asyncpg.connect(settings.database_url, timeout=timeout)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return [f"LMS_DATABASE_URL: cannot connect to the database: {_say(exc)}"]
    try:
        version = await conn.fetchval("SELECT current_setting('server_version_num')::int")
    finally:
        await conn.close()
    if version < 150000:
        return [f"LMS_DATABASE_URL: PostgreSQL {version // 10000} is too old: 15 or newer is needed"]
    return []


def _store_problems(settings: Settings) -> list[str]:
    from botocore.exceptions import BotoCoreError, ClientError

    from lms.storage import make_s3_client

    client = make_s3_client(
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key_id,
        settings.s3_secret_access_key,
        timeout=PROBE_SECONDS,
    )
    try:
        client.head_bucket(Bucket=settings.s3_bucket)
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404:
            return [f"LMS_S3_BUCKET: the store has no bucket {settings.s3_bucket!r}"]
        if status in (401, 403):
            return [
                "LMS_S3_ACCESS_KEY_ID/LMS_S3_SECRET_ACCESS_KEY: the store refused these keys "
                f"for bucket {settings.s3_bucket!r}"
            ]
        return [f"LMS_S3_ENDPOINT_URL: the store answered {status}: {_say(exc)}"]
    except (BotoCoreError, OSError) as exc:
        return [f"LMS_S3_ENDPOINT_URL: cannot reach the store: {_say(exc)}"]
    return []


def _say(exc: BaseException) -> str:
    return scrub(str(exc) or type(exc).__name__)
