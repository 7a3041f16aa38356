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
        # Who the customer deals with (保険業法 294条の2): shown on every public page and in every workbook.
        "AGENCY_NAME": os.environ.get("AGENCY_NAME", "").strip(),
        "AGENCY_NAME_EN": os.environ.get("AGENCY_NAME_EN", "").strip(),
        "AGENCY_REGISTRATION_NO": os.environ.get("AGENCY_REGISTRATION_NO", "").strip(),
        "AGENCY_AUTHORITY": os.environ.get("AGENCY_AUTHORITY", "agent").strip(),  # agent (締結の代理) or intermediary (媒介)
        # recommendation.md, solicitation.md, privacy.md (and .en.md for English); instance/policies when unset
        "AGENCY_POLICY_DIR": os.environ.get("AGENCY_POLICY_DIR", "") or str(instance_path / "policies"),
    }
    config.update(overrides or {})
    check(config)
    return config


AGENCY_AUTHORITIES = ("agent", "intermediary")
REQUIRED_POLICIES = ("solicitation.md", "privacy.md")  # 勧誘方針 and the privacy policy: no built-in text can stand in for them


def check(config: dict[str, Any]) -> None:
    """Production refuses to start without a real secret key, with debug on, or without the agency's name, registration
    number and policies; no process starts with a stale time a live worker's heartbeat could miss."""
    if not 0 < 3 * config["BULK_HEARTBEAT_SECONDS"] <= config["BULK_STALE_SECONDS"]:
        raise ConfigError("BULK_STALE_SECONDS must be at least three heartbeats (BULK_HEARTBEAT_SECONDS)")
    if config.get("AGENCY_AUTHORITY", "agent") not in AGENCY_AUTHORITIES:
        raise ConfigError(f"AGENCY_AUTHORITY must be one of {', '.join(AGENCY_AUTHORITIES)}")
    if config["ENV_NAME"] != PRODUCTION:
        return
    secret = config.get("SECRET_KEY") or ""
    if len(secret) < 32 or secret == "dev-only-not-secret":
        raise ConfigError("SECRET_KEY must be set to a random value of at least 32 characters in production")
    if config.get("DEBUG") or config.get("TESTING"):
        raise ConfigError("debug and testing modes must be off in production")
    _check_agency(config)


def _check_agency(config: dict[str, Any]) -> None:
    """A live site must say who the customer deals with: the placeholders are for development only."""
    for name in ("AGENCY_NAME", "AGENCY_REGISTRATION_NO"):
        if not str(config.get(name) or "").strip():
            raise ConfigError(f"{name} must be set in production: every public page and workbook shows it (保険業法 294条の2)")
    folder = Path(config["AGENCY_POLICY_DIR"])
    missing = [name for name in REQUIRED_POLICIES if not (folder / name).is_file()]
    if missing:
        raise ConfigError(f"the agency's policies are missing in production: {', '.join(str(folder / m) for m in missing)}")
