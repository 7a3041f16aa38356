"""Web fixtures: the app on SQLite or on a real PostgreSQL server started for the test session."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp import create_app

IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing(what: str) -> None:
    message = f"{what} is needed for this test; `make test` installs it where it can (root with apt-get)"
    if IN_CI:
        pytest.fail(message + " — under CI a missing dependency is a failure, not a skip")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1, or DATABASE_TEST_URL when given."""
    given = os.environ.get("DATABASE_TEST_URL")
    if given:
        yield given
        return
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        _missing("PostgreSQL (Debian package postgresql)")
    bindir = Path(found[-1]).parent
    # Not under pytest's basetemp: that is private to root, and the server runs as postgres.
    home = Path(tempfile.mkdtemp(prefix="aggregator-pg-"))
    data = home / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]),
        check=True,
        capture_output=True,
    )
    log = data / "server.log"
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-o",
                f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


def _fresh_postgres_database(server_url: str) -> str:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for each backend; tests that take it run against both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    return _fresh_postgres_database(server)


_APPS: list[Flask] = []  # every app a test made, so its database pool is closed when the test ends


@pytest.fixture(autouse=True)
def _close_database_pools() -> Iterator[None]:
    """Close the pools of the apps a test made when it ends: a PostgreSQL connection left for the garbage collector
    warns (ResourceWarning, an error here) in whichever later test happens to collect it."""
    yield
    from webapp.extensions import db

    while _APPS:
        app = _APPS.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def make_app(database_url: str, tmp_path: Path, **extra: Any) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PUBLIC_RATE_LIMIT": "1000 per minute",
        **extra,
    }
    app = create_app(config)
    _APPS.append(app)
    return app


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(f"sqlite:///{tmp_path / 'test.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


FORM: dict[str, Any] = {
    "company": "株式会社テスト開発",
    "contact_email": "tanaka@example.co.jp",
    "industry": "system_integration",
    "annual_revenue": "5億円",
    "revenue_unit": "yen",
    "employees": "40",
    "records_held": "20000",
    "servers": "10",
    "largest_contract": "3,000万円",
    "contract_type": "ukeoi",
    "controls": ["mfa", "edr", "offline_backup"],
    "incidents_3y": "0",
    "lines": ["cyber", "it_eo"],
    "limit_jpy": "100000000",
    "deductible_jpy": "100000",
    "riders": ["lost_profit"],
    "priority": "broadest_cover",
    "priority_items": ["call_center"],
    "note": "お詫び対応を重視",
    "consent": "y",
}

API_BODY: dict[str, Any] = {
    "company": "株式会社APIテスト",
    "industry": "saas",
    "annual_revenue_jpy": 1_200_000_000,
    "employees": 120,
    "records_held": 150_000,
    "servers": 30,
    "largest_contract_jpy": "1億円",
    "contract_type": "juninin",
    "controls": ["edr", "offline_backup"],
    "incidents_3y": 0,
    "lines": ["cyber"],
    "limit_jpy": 300_000_000,
    "deductible_jpy": 1_000_000,
    "consent": True,
}
