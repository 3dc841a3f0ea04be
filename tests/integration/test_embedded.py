"""The embedded PostgreSQL keeps its data across a stop and a start, and says clearly when its port is taken."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lms.embedded.errors import EmbeddedError
from lms.embedded.ports import free_port
from lms.embedded.postgres import EmbeddedPostgres


def _psql(pg: EmbeddedPostgres, sql: str) -> str:
    return pg._run("psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "lms", "-d", "lms", "-tAc", sql).stdout.strip()


def test_a_second_start_finds_the_data_again(tmp_path):
    first = EmbeddedPostgres(tmp_path, free_port())
    first.start()
    try:
        _psql(first, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
    finally:
        first.stop()
    second = EmbeddedPostgres(tmp_path, free_port())
    second.start()
    try:
        assert _psql(second, "SELECT v FROM kept") == "still here"
    finally:
        second.stop()


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmbeddedError, match=f"port {port} .* in use.*LMS_EMBEDDED_PG_PORT"):
            EmbeddedPostgres(tmp_path, port).start()


def test_a_data_dir_holding_something_else_is_refused(tmp_path):
    (tmp_path / "postgres").mkdir()
    (tmp_path / "postgres" / "notes.txt").write_text("not a database")
    with pytest.raises(EmbeddedError, match="not empty"):
        EmbeddedPostgres(tmp_path, free_port()).start()


def test_serve_refuses_a_bad_setting_with_one_line(tmp_path):
    lms = str(Path(sys.executable).parent / "lms")
    done = subprocess.run(
        [lms, "serve"],
        env={"LMS_PORT": "nope", "LMS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: LMS_PORT: expected a whole number, got 'nope'"
