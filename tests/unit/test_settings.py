import pytest

from lms.settings import Settings, SettingsError, reference_rows


def test_defaults_use_the_embedded_servers():
    settings = Settings.from_env({})
    assert settings.uses_embedded_postgres and settings.uses_embedded_s3
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_a_bad_value_is_refused_naming_its_variable():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"LMS_PORT": "eighty"})
    assert caught.value.problems == ["LMS_PORT: expected a whole number, got 'eighty'"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {
                "LMS_DATABASE_URL": "mysql://x",
                "LMS_WORKERS": "0",
                "LMS_SECRET_KEY": "short",
                "LMS_COOKIE_SECURE": "maybe",
            }
        )
    text = " ".join(caught.value.problems)
    for name in ("LMS_DATABASE_URL", "LMS_WORKERS", "LMS_SECRET_KEY", "LMS_COOKIE_SECURE"):
        assert name in text


def test_an_external_s3_needs_its_keys():
    with pytest.raises(SettingsError, match="LMS_S3_ACCESS_KEY_ID"):
        Settings.from_env({"LMS_S3_ENDPOINT_URL": "https://s3.example.org"})


def test_the_reference_lists_every_setting_with_a_meaning():
    rows = reference_rows()
    assert len(rows) == len(Settings.__dataclass_fields__)
    assert all(name.startswith("LMS_") and meaning for name, _kind, _default, meaning in rows)


def test_the_embedded_postgres_memory_is_a_size_and_nothing_else():
    assert Settings.from_env({"LMS_EMBEDDED_PG_SHARED_BUFFERS": "2GB"}).embedded_pg_shared_buffers == "2GB"
    with pytest.raises(SettingsError, match="LMS_EMBEDDED_PG_SHARED_BUFFERS"):  # it goes on pg_ctl's command line
        Settings.from_env({"LMS_EMBEDDED_PG_SHARED_BUFFERS": "1GB -c listen_addresses=*"})


def test_the_sign_in_cache_is_a_few_seconds_at_most():
    assert Settings.from_env({"LMS_AUTH_CACHE_SECONDS": "0"}).auth_cache_seconds == 0
    with pytest.raises(SettingsError, match="LMS_AUTH_CACHE_SECONDS"):
        Settings.from_env({"LMS_AUTH_CACHE_SECONDS": "3600"})


def test_the_app_refuses_to_build_without_a_secret(monkeypatch):
    """An ASGI server started with --factory reads the environment only: without LMS_SECRET_KEY there is no app,
    rather than one signing CSRF tokens with a string anyone can read here."""
    from lms.app import create_app, create_app_from_env

    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="LMS_SECRET_KEY"):
        create_app_from_env()
    with pytest.raises(SettingsError, match="LMS_SECRET_KEY"):
        create_app(Settings())
    assert create_app(Settings(secret_key="s" * 32)).debug is False
