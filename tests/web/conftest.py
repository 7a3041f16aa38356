"""Web fixtures: the app on SQLite or on a real PostgreSQL server started for the test session."""

from __future__ import annotations

import glob
import itertools
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
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


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (no disk, no password), or REDIS_TEST_URL when given; stopped at the end."""
    given = os.environ.get("REDIS_TEST_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if binary is None:
        _missing("Redis (Debian package redis-server)")
    assert binary is not None
    home = Path(tempfile.mkdtemp(prefix="aggregator-redis-"))
    port = _free_port()
    # Under `make test-dates` the suite runs in libfaketime, which stalls redis-server's event loop; the
    # server needs no date of its own (the app's "today" comes from aggregator.clock), so it runs on real time.
    real_time = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(home)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=real_time,
    )
    try:
        _wait_for_port(port, server)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(home, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


_REDIS_DATABASES = itertools.count(1)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A Redis database of its own for one test (one of the 16 a server has), emptied first."""
    import redis

    url = f"{re.sub(r'/[0-9]*$', '', redis_server)}/{next(_REDIS_DATABASES) % 16}"
    with redis.Redis.from_url(url) as connection:
        connection.flushdb()
    return url


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


_MADE: list[Flask] = []


@pytest.fixture(autouse=True)
def _close_databases() -> Iterator[None]:
    """Every app a test made lets go of its database connections when the test ends, so none is
    collected open later, in the middle of another test."""
    yield
    from webapp.extensions import db

    while _MADE:
        app = _MADE.pop()
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
    _MADE.append(app)
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
