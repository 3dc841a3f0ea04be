"""The `lms` commands against the test database (LMS_DATABASE_URL set, so nothing embedded starts)."""

from __future__ import annotations

import anyio
import pytest
from click.testing import CliRunner

from lms.cli import main
from tests.conftest import COURSES_DIR, FIXTURES_DIR


@pytest.fixture
def env(settings):
    return {
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "LMS_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "LMS_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "LMS_S3_BUCKET": settings.s3_bucket,
        "LMS_DATA_DIR": str(settings.data_dir),
    }


def _invoke(args, env):
    # click's runner is synchronous and the command runs its own event loop: keep it off this test's loop.
    return anyio.to_thread.run_sync(lambda: CliRunner().invoke(main, args, env=env, catch_exceptions=False))


async def test_clinics_users_and_tokens_from_the_command_line(env, conn):
    made = await _invoke(["clinics", "create", "--slug", "st-johns", "--name", "St. John's Community Health"], env)
    assert made.exit_code == 0, made.output
    user = await _invoke(
        [
            "users",
            "create",
            "--email",
            "Ana@Example.org",
            "--name",
            "Ana",
            "--password",
            "a long enough password",
            "--role",
            "worker",
            "--clinic",
            "st-johns",
            "--language",
            "es",
        ],
        env,
    )
    assert user.exit_code == 0 and "Created worker ana@example.org" in user.output
    token = await _invoke(["tokens", "create", "--email", "ana@example.org"], env)
    assert token.exit_code == 0 and token.output.strip().splitlines()[-1].startswith("lms_")
    assert await conn.fetchval("SELECT language FROM users WHERE email = 'ana@example.org'") == "es"


async def test_bad_cli_input_is_one_clear_line(env):
    no_clinic = await _invoke(
        ["users", "create", "--email", "w@example.org", "--role", "worker", "--password", "a long enough password"], env
    )
    assert no_clinic.exit_code != 0 and "clinic" in no_clinic.output
    short = await _invoke(
        ["users", "create", "--email", "w@example.org", "--role", "instructor", "--password", "short"], env
    )
    assert short.exit_code != 0 and "password" in short.output


async def test_courses_validate_lists_problems_and_publish_refuses_a_broken_folder(env, conn):
    broken = await _invoke(["courses", "validate", str(FIXTURES_DIR / "broken-course")], env)
    assert broken.exit_code == 1 and broken.output.count("BROKEN-101/") >= 5
    refused = await _invoke(["courses", "publish", str(FIXTURES_DIR / "broken-course" / "BROKEN-101")], env)
    assert refused.exit_code == 1
    assert await conn.fetchval("SELECT count(*) FROM courses") == 0
    ok = await _invoke(["courses", "publish", str(COURSES_DIR / "CE-HIPAA-101")], env)
    assert ok.exit_code == 0 and "Published CE-HIPAA-101 version 1" in ok.output


async def test_config_check_names_a_broken_variable(env):
    broken = await _invoke(["config", "check"], {**env, "LMS_DATABASE_POOL_MAX": "lots"})
    assert broken.exit_code == 1 and "LMS_DATABASE_POOL_MAX" in broken.output


def test_python_m_lms_cli_has_every_command():
    """`python -m lms.cli` and the installed `lms` are the same command with the same subcommands (the feature
    commands were once registered on a second copy of the module and missing here)."""
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-m", "lms.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    listed = {line.split()[0] for line in shown.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert (
        listed == set(main.commands) >= {"serve", "migrate", "courses", "keys", "media", "reports", "config", "users"}
    )
