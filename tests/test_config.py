"""Configuration from the environment, with safe development defaults."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ConfigError, load


def test_missing_secret_key_stops_start_up_outside_development(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load(str(tmp_path), environ={"PORTAL_ENV": "production"})


def test_app_factory_refuses_production_without_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_secret_is_generated_once_and_kept_in_instance(tmp_path):
    first = load(str(tmp_path), environ={})["SECRET_KEY"]
    second = load(str(tmp_path), environ={})["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_is_read(tmp_path):
    config = load(
        str(tmp_path),
        environ={
            "DATABASE_URL": "postgres://u@h/db",
            "SECRET_KEY": "s",
            "REDIS_URL": "redis://127.0.0.1:6379/2",
            "PORTAL_ACTIVATION_DAYS": "7",
            "PORTAL_BASE_URL": "https://linli.example",
        },
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/2"
    assert config["PORTAL_ACTIVATION_DAYS"] == 7
    assert config["PORTAL_BASE_URL"] == "https://linli.example"


def test_default_database_is_sqlite_in_instance(tmp_path):
    config = load(str(tmp_path), environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/linli.sqlite3"
