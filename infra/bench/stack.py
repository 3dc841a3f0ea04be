"""The servers a benchmark needs: PostgreSQL and S3, embedded under /tmp on free ports, or the ones configured."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from lms.embedded import start_embedded
from lms.embedded.ports import free_port, free_s3_port
from lms.settings import Settings


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def running_stack(*, keep: bool = False, say: Callable[[str], None] = print) -> Iterator[Settings]:
    """Settings pointing at a PostgreSQL and an S3 store: LMS_DATABASE_URL / LMS_S3_* when set, else embedded ones."""
    data_dir = Path(tempfile.mkdtemp(prefix="lms-bench-", dir="/tmp"))
    os.chmod(data_dir, 0o755)  # the embedded PostgreSQL runs as its own user when we are root
    base = Settings(
        data_dir=data_dir,
        database_url=os.environ.get("LMS_DATABASE_URL", ""),
        s3_endpoint_url=os.environ.get("LMS_S3_ENDPOINT_URL", ""),
        s3_access_key_id=os.environ.get("LMS_S3_ACCESS_KEY_ID", ""),
        s3_secret_access_key=os.environ.get("LMS_S3_SECRET_ACCESS_KEY", ""),
        s3_bucket=os.environ.get("LMS_S3_BUCKET", "lms-bench"),
        embedded_pg_port=free_port(),
        embedded_s3_port=free_s3_port(),
        seed_demo=False,
        # Both datasets are measured on one server: sized as a database server would be for 10 million statements.
        embedded_pg_shared_buffers=os.environ.get("LMS_EMBEDDED_PG_SHARED_BUFFERS", "1GB"),
        secret_key="bench-secret-key-" + "x" * 32,
        log_level="WARNING",
    )
    servers = start_embedded(base, say=say)
    try:
        yield servers.settings
    finally:
        servers.stop()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            say(f"Kept the benchmark data in {data_dir}")


async def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create a database for one dataset; returns its URL. Needs a role that may CREATE DATABASE."""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()
