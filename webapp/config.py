"""Settings: development defaults that run out of the box, and a production mode that refuses unsafe ones."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aggregator.serialize import dumps_text, loads

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
        # JSON columns written and read by orjson: a record's comparison goes in as the bytes already encoded.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "json_serializer": dumps_text, "json_deserializer": loads},
        "CARRIER_DATA": os.environ.get("CARRIER_DATA", ""),  # empty: the sample data in fixtures/carriers
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,  # client lists and carrier files are uploaded too
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == PRODUCTION,
        "REMEMBER_COOKIE_SECURE": env == PRODUCTION,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "BABEL_DEFAULT_LOCALE": "ja",
        # Redis (redis://host:6379/0): the task queue and the rate-limit counters every process shares.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Empty: REDIS_URL when set, else each process counts alone (memory://).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", ""),
        # Behind a proxy: how many proxies in front add X-Forwarded-For / set X-Forwarded-Proto (0: headers ignored).
        "PROXY_FIX_X_FOR": _count(os.environ.get("PROXY_FIX_X_FOR", "0"), "PROXY_FIX_X_FOR"),
        "PROXY_FIX_X_PROTO": _count(os.environ.get("PROXY_FIX_X_PROTO", "0"), "PROXY_FIX_X_PROTO"),
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
        # Who the customer deals with (保険業法 294条の2): shown on every public page and in every workbook.
        "AGENCY_NAME": os.environ.get("AGENCY_NAME", "").strip(),
        "AGENCY_NAME_EN": os.environ.get("AGENCY_NAME_EN", "").strip(),
        "AGENCY_REGISTRATION_NO": os.environ.get("AGENCY_REGISTRATION_NO", "").strip(),
        "AGENCY_AUTHORITY": os.environ.get("AGENCY_AUTHORITY", "agent").strip(),  # agent (締結の代理) or intermediary (媒介)
        # recommendation.md, solicitation.md, privacy.md (and .en.md for English); instance/policies when unset
        "AGENCY_POLICY_DIR": os.environ.get("AGENCY_POLICY_DIR", "") or str(instance_path / "policies"),
    }
    config.update(overrides or {})
    if not config["RATELIMIT_STORAGE_URI"]:
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    check(config)
    return config


def _count(value: str, name: str) -> int:
    """A number of proxies: a whole number from 0 to 5 (more hops than that is a mistake, not a network)."""
    if not value.strip().isdigit() or int(value) > 5:
        raise ConfigError(f"{name} must be the number of proxies in front of the app (0-5), not {value!r}")
    return int(value)


def instance_path() -> str | None:
    """AGGREGATOR_INSTANCE: the folder for uploads, bulk results and the SQLite files (shared by every host)."""
    given = os.environ.get("AGGREGATOR_INSTANCE", "")
    return str(Path(given).resolve()) if given else None


AGENCY_AUTHORITIES = ("agent", "intermediary")
REQUIRED_POLICIES = ("solicitation.md", "privacy.md")  # 勧誘方針 and the privacy policy: no built-in text can stand in for them


def check(config: dict[str, Any]) -> None:
    """Production refuses to start without a real secret key, with debug on, or without the agency's name, registration
    number and policies; no process starts with a stale time a live worker's heartbeat could miss."""
    if not 0 < 3 * config["BULK_HEARTBEAT_SECONDS"] <= config["BULK_STALE_SECONDS"]:
        raise ConfigError("BULK_STALE_SECONDS must be at least three heartbeats (BULK_HEARTBEAT_SECONDS)")
    if config.get("MAIL_SERVER") and not config.get("MAIL_DEFAULT_SENDER"):
        raise ConfigError("MAIL_DEFAULT_SENDER must name the sender when MAIL_SERVER is set")
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
