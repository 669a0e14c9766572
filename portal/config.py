"""Configuration: safe development defaults, then the environment (PORTAL_* and the usual names)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """Start-up stops with this when the configuration is unsafe or unusable."""


DEFAULTS: dict[str, object] = {
    "PORTAL_ENV": "development",
    "SQLALCHEMY_DATABASE_URI": None,  # filled from DATABASE_URL or instance/linli.sqlite3
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "zh_Hans",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "PORTAL_LOCALES": ("zh_Hans", "en"),
    "PORTAL_ACTIVATION_DAYS": 30,
    # Failed attempts only (portal/ratelimits.py): per client address, and per account or code typed; the short
    # per-account window bounds how long a stranger's junk attempts can lock the owner out.
    "PORTAL_LOGIN_LIMIT": "50 per hour",
    "PORTAL_LOGIN_ACCOUNT_LIMIT": "10 per 15 minutes",
    "PORTAL_ACTIVATION_LIMIT": "50 per hour",
    "PORTAL_ACTIVATION_ACCOUNT_LIMIT": "10 per 15 minutes",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),  # "stay logged in": kept by WeChat's browser across restarts
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead: older owners leave forms open for hours
    "MAX_CONTENT_LENGTH": None,  # derived from PORTAL_UPLOAD_LIMIT_MB unless set
    "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,  # the register preview carries the file back in a form field
    "PORTAL_BASE_URL": None,  # used in activation letters' QR codes; defaults to the request's host
    "PORTAL_UPLOAD_DIR": None,  # user files; defaults to instance/uploads, never under static/
    "PORTAL_UPLOAD_LIMIT_MB": 10,  # one uploaded file, in MiB
    "PORTAL_SUPERVISION_DAYS": 3,  # a request untouched this many days is flagged for 督办 on the staff pages
    "PORTAL_PROXY_HOPS": 0,  # proxies in front (nginx: 1) whose X-Forwarded-For/-Proto/-Host/-Port are trusted
    "PORTAL_LOG_LEVEL": "INFO",  # DEBUG, INFO, WARNING or ERROR
    "PORTAL_LOG_JSON": "0",  # 1: one JSON object per log line (for a log collector)
}

# Environment variables read at start-up, each with the config key it fills.
ENVIRONMENT = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "REDIS_URL": "RATELIMIT_STORAGE_URI",
}
INT_KEYS = {"PORTAL_ACTIVATION_DAYS", "MAX_CONTENT_LENGTH", "PORTAL_UPLOAD_LIMIT_MB", "PORTAL_SUPERVISION_DAYS"}
INT_KEYS |= {"PORTAL_PROXY_HOPS"}
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MIB = 1024 * 1024
FORM_OVERHEAD = MIB  # a request carries the file plus the form's other fields and multipart framing


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the short way (postgres://, postgresql://)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load(instance_path: str, overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Build the configuration: defaults → environment → explicit overrides; then check it."""
    environ = os.environ if environ is None else environ
    config: dict = dict(DEFAULTS)
    for name, key in ENVIRONMENT.items():
        if environ.get(name):
            config[key] = environ[name]
    for name, value in environ.items():
        if name.startswith("PORTAL_") and not name.startswith("PORTAL_TEST_"):
            config[name] = int(value) if name in INT_KEYS else value
    if environ.get("MAX_CONTENT_LENGTH"):
        config["MAX_CONTENT_LENGTH"] = int(environ["MAX_CONTENT_LENGTH"])
    config.update(overrides or {})

    development = config["PORTAL_ENV"] in ("development", "testing")
    if not config.get("SECRET_KEY"):
        if not development:
            raise ConfigError(
                f"SECRET_KEY is not set. Outside development (PORTAL_ENV={config['PORTAL_ENV']}) Linli will not "
                "start without it: set SECRET_KEY to a long random value, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        # Development only: a per-instance random key kept in instance/, never in the source.
        config["SECRET_KEY"] = _instance_secret(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(instance_path) / "linli.sqlite3")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    _uploads(config, instance_path)
    config.setdefault("SESSION_COOKIE_SECURE", not development)
    config.setdefault("REMEMBER_COOKIE_SECURE", not development)
    return config


def _uploads(config: dict, instance_path: str) -> None:
    """Resolve the upload folder and size the request limit so one file at the upload limit fits."""
    folder = Path(config.get("PORTAL_UPLOAD_DIR") or Path(instance_path) / "uploads").resolve()
    if folder.is_relative_to(STATIC_DIR):
        raise ConfigError(
            f"PORTAL_UPLOAD_DIR={folder} is inside static/, where anyone could fetch the files without a permission "
            "check. Choose a folder outside the application, e.g. the default instance/uploads."
        )
    config["PORTAL_UPLOAD_DIR"] = str(folder)
    limit = config["PORTAL_UPLOAD_LIMIT_MB"] = int(config["PORTAL_UPLOAD_LIMIT_MB"])
    if limit < 1:
        raise ConfigError(f"PORTAL_UPLOAD_LIMIT_MB must be at least 1, not {limit}.")
    if config.get("MAX_CONTENT_LENGTH") is None:
        # The register's confirmation carries its file back in one form field of up to MAX_FORM_MEMORY_SIZE.
        largest = max(limit * MIB, int(config.get("MAX_FORM_MEMORY_SIZE") or 0))
        config["MAX_CONTENT_LENGTH"] = largest + FORM_OVERHEAD


def _instance_secret(instance_path: str) -> str:
    """Read or create the development secret in instance/secret_key (mode 600)."""
    import secrets

    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
