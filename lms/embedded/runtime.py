"""Start what the settings leave unset, and hand back settings that point at it."""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from lms.embedded.errors import EmbeddedError
from lms.embedded.postgres import EmbeddedPostgres
from lms.embedded.seaweedfs import EmbeddedSeaweedFS
from lms.embedded.watchdog import Watchdog
from lms.settings import Settings

__all__ = ["EmbeddedError", "EmbeddedServers", "start_embedded"]


@dataclass
class EmbeddedServers:
    settings: Settings
    postgres: EmbeddedPostgres | None = None
    seaweedfs: EmbeddedSeaweedFS | None = None
    started: list[str] = field(default_factory=list)

    def watch(self, *, say=print) -> Watchdog:
        """Start again any of these servers whose process dies (lms.embedded.watchdog); stop it before ``stop``."""
        return Watchdog([s for s in (self.postgres, self.seaweedfs) if s is not None], say=say).start()

    def stop(self) -> None:
        if self.seaweedfs is not None:
            self.seaweedfs.stop()
        if self.postgres is not None:
            self.postgres.stop()


def _secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def start_embedded(settings: Settings, *, store: bool = True, say=print) -> EmbeddedServers:
    """Start an embedded PostgreSQL and/or SeaweedFS where no URL is configured; stop what started on failure."""
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if data_dir.stat().st_uid == os.geteuid():
        # Keys, passwords, database files and logs: the service's user only. As root, the embedded PostgreSQL's group
        # may pass through (lms.embedded.postgres); a running one must keep that while another `lms` command runs.
        data_dir.chmod(stat.S_IMODE(data_dir.stat().st_mode) & (0o710 if os.geteuid() == 0 else 0o700))
    servers = EmbeddedServers(settings)
    changes: dict[str, object] = {"data_dir": data_dir}
    if not settings.secret_key:
        changes["secret_key"] = _secret_key(data_dir)
    try:
        if settings.uses_embedded_postgres:
            say(
                f"Starting the embedded PostgreSQL on 127.0.0.1:{settings.embedded_pg_port} (data in {data_dir / 'postgres'}) ..."
            )
            servers.postgres = EmbeddedPostgres(
                data_dir, settings.embedded_pg_port, shared_buffers=settings.embedded_pg_shared_buffers
            )
            servers.postgres.start()
            changes["database_url"] = servers.postgres.url
        if store and settings.uses_embedded_s3:
            say(f"Starting the embedded SeaweedFS S3 gateway on 127.0.0.1:{settings.embedded_s3_port} ...")
            servers.seaweedfs = EmbeddedSeaweedFS(data_dir, settings.embedded_s3_port, settings.s3_bucket)
            servers.seaweedfs.start()
            access, secret = servers.seaweedfs.credentials()
            changes.update(
                s3_endpoint_url=servers.seaweedfs.endpoint_url, s3_access_key_id=access, s3_secret_access_key=secret
            )
    except BaseException:
        servers.stop()
        raise
    servers.settings = settings.replace(**changes)
    return servers
