"""Settings: development defaults that run out of the box, and a production mode that refuses unsafe ones."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PRODUCTION = "production"


class ConfigError(RuntimeError):
    """The app must not start with these settings."""


def load(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ.get("AGGREGATOR_ENV", "development")
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'aggregator.sqlite3'}"
    if database.startswith("postgres://"):  # the scheme some hosts still hand out
        database = "postgresql://" + database.removeprefix("postgres://")
    if database.startswith("postgresql://"):
        database = "postgresql+psycopg://" + database.removeprefix("postgresql://")
    config: dict[str, Any] = {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-not-secret" if env != PRODUCTION else ""),
        "SQLALCHEMY_DATABASE_URI": database,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CARRIER_DATA": os.environ.get("CARRIER_DATA", ""),  # empty: the sample data in fixtures/carriers
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,  # client lists and carrier files are uploaded too
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == PRODUCTION,
        "REMEMBER_COOKIE_SECURE": env == PRODUCTION,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "BABEL_DEFAULT_LOCALE": "ja",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "PUBLIC_RATE_LIMIT": os.environ.get("PUBLIC_RATE_LIMIT", "30 per minute"),
        "AUTO_MIGRATE": env != PRODUCTION,
        "HUEY_DB": os.environ.get("HUEY_DB", ""),  # the SQLite task queue's file (instance/queue.sqlite3 when unset)
        # A bulk job's worker writes a sign of life this often; a job silent for the stale time lost its worker.
        "BULK_HEARTBEAT_SECONDS": float(os.environ.get("BULK_HEARTBEAT_SECONDS", "5")),
        "BULK_STALE_SECONDS": float(os.environ.get("BULK_STALE_SECONDS", "30")),
        "BULK_MEMORY_MB": int(os.environ.get("BULK_MEMORY_MB", "4096")),  # address space a bulk job may add; 0: no limit
        "DEBUG": os.environ.get("FLASK_DEBUG", "") in ("1", "true"),
        # Mail (webapp/mail.py, through Flask-Mailman, which reads these names). No MAIL_SERVER: no mail is queued,
        # and no page promises one. MAIL_BACKEND stays smtp even in testing: the tests send to a real SMTP server.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", ""),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "30")),  # seconds an SMTP server may take to answer
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", "60")),  # between a worker's five tries at a message
        "MAIL_BACKEND": "smtp",
        "BROKER_MAIL_TO": os.environ.get("BROKER_MAIL_TO", ""),  # the brokers' addresses, comma-separated
    }
    config.update(overrides or {})
    check(config)
    return config


def check(config: dict[str, Any]) -> None:
    """Production refuses to start without a real secret key, or with debug on; no process starts with a stale
    time a live worker's heartbeat could miss."""
    if not 0 < 3 * config["BULK_HEARTBEAT_SECONDS"] <= config["BULK_STALE_SECONDS"]:
        raise ConfigError("BULK_STALE_SECONDS must be at least three heartbeats (BULK_HEARTBEAT_SECONDS)")
    if config.get("MAIL_SERVER") and not config.get("MAIL_DEFAULT_SENDER"):
        raise ConfigError("MAIL_DEFAULT_SENDER must name the sender when MAIL_SERVER is set")
    if config["ENV_NAME"] != PRODUCTION:
        return
    secret = config.get("SECRET_KEY") or ""
    if len(secret) < 32 or secret == "dev-only-not-secret":
        raise ConfigError("SECRET_KEY must be set to a random value of at least 32 characters in production")
    if config.get("DEBUG") or config.get("TESTING"):
        raise ConfigError("debug and testing modes must be off in production")
