"""Past one process: the queue and the rate limits on a real Redis, the client's address behind a proxy, the health check."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from huey import RedisHuey, SqliteHuey

from carriers.registry import REGISTRY
from tests.web.conftest import API_BODY, _free_port, _fresh_postgres_database, make_app
from webapp.config import ConfigError


def _app(tmp_path: Path, name: str, **extra: Any) -> Flask:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return make_app(f"sqlite:///{folder / 'app.sqlite3'}", folder, HUEY_DB=str(folder / "queue.sqlite3"), **extra)


def _post(app: Flask, address: str = "127.0.0.1", forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = app.test_client().post("/api/v1/quotes", json=API_BODY, headers=headers, environ_base={"REMOTE_ADDR": address})
    return response.status_code


# ------------------------------------------------------------------ settings ---


def test_redis_url_puts_the_queue_and_the_rate_limits_on_redis(tmp_path: Path, redis_url: str) -> None:
    on_redis = _app(tmp_path, "redis", REDIS_URL=redis_url)
    assert isinstance(on_redis.extensions["huey"], RedisHuey)
    assert on_redis.config["RATELIMIT_STORAGE_URI"] == redis_url
    alone = _app(tmp_path, "alone")
    assert isinstance(alone.extensions["huey"], SqliteHuey)
    assert alone.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_redis_url_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    app = _app(tmp_path, "env")
    assert app.config["REDIS_URL"] == redis_url and app.config["PROXY_FIX_X_FOR"] == 1
    assert isinstance(app.extensions["huey"], RedisHuey)
    monkeypatch.setenv("PROXY_FIX_X_FOR", "one")
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        _app(tmp_path, "bad")


# --------------------------------------------------------------- rate limits ---


def test_two_processes_share_one_rate_limit_bucket_on_redis(tmp_path: Path, redis_url: str) -> None:
    """Two app instances (as two gunicorn workers or two hosts) on one Redis: 3 a minute means 3, not 6."""
    prefix = uuid.uuid4().hex
    one, two = (_app(tmp_path, n, REDIS_URL=redis_url, PUBLIC_RATE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=prefix) for n in "ab")
    assert [_post(one), _post(two), _post(one), _post(two), _post(one)] == [201, 201, 201, 429, 429]


def test_behind_a_proxy_x_forwarded_for_decides_the_bucket(tmp_path: Path) -> None:
    app = _app(tmp_path, "proxied", PUBLIC_RATE_LIMIT="2 per minute", PROXY_FIX_X_FOR=1)
    proxy = "10.0.0.5"  # every request arrives from the proxy
    assert [_post(app, proxy, "203.0.113.7"), _post(app, proxy, "203.0.113.7"), _post(app, proxy, "203.0.113.7")] == [201, 201, 429]
    assert _post(app, proxy, "198.51.100.9") == 201  # another customer behind the same proxy has a bucket of their own
    # With one proxy, only the address it added counts: a client's own X-Forwarded-For entry is not trusted.
    assert _post(app, proxy, "198.51.100.1, 203.0.113.7") == 429


def test_without_proxy_fix_x_forwarded_for_is_ignored(tmp_path: Path) -> None:
    app = _app(tmp_path, "direct", PUBLIC_RATE_LIMIT="2 per minute")
    statuses = [_post(app, "192.0.2.1", f"203.0.113.{i}") for i in range(3)]
    assert statuses == [201, 201, 429]  # a made-up header does not buy a new bucket


def test_login_limit_follows_the_forwarded_address(tmp_path: Path) -> None:
    app = _app(tmp_path, "login", PROXY_FIX_X_FOR=1, WTF_CSRF_ENABLED=False)

    def login(client_address: str) -> int:
        return (
            app.test_client()
            .post(
                "/broker/login",
                data={"username": "nobody", "password": "wrong password"},
                headers={"X-Forwarded-For": client_address},
                environ_base={"REMOTE_ADDR": "10.0.0.5"},
            )
            .status_code
        )

    assert [login("203.0.113.7") for _ in range(11)][-1] == 429
    assert login("198.51.100.9") == 401  # the proxy's other clients can still log in


def test_proxy_fix_x_proto_gives_https_links(tmp_path: Path) -> None:
    plain = _app(tmp_path, "plain")
    proxied = _app(tmp_path, "tls", PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    assert plain.test_client().post("/api/v1/quotes", json=API_BODY, headers=headers).get_json()["url"].startswith("http://")
    assert proxied.test_client().post("/api/v1/quotes", json=API_BODY, headers=headers).get_json()["url"].startswith("https://")


# -------------------------------------------------------------- health check ---


def test_health_check_answers_for_the_database_and_the_queue(tmp_path: Path, redis_url: str) -> None:
    app = _app(tmp_path, "healthy", REDIS_URL=redis_url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True and (body["database"], body["queue"], body["queue_backend"]) == ("ok", "ok", "redis")
    assert body["carriers"] == len(app.extensions["carriers"]) == len(REGISTRY) and len(body["carrier_data"]) == 16
    # Another host with the same files shows the same carrier data digest.
    assert _app(tmp_path, "other").test_client().get("/healthz").get_json()["carrier_data"] == body["carrier_data"]


def test_health_check_fails_when_redis_is_down(tmp_path: Path) -> None:
    app = _app(tmp_path, "no-redis", REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")  # nothing listens there
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False and body["database"] == "ok" and body["queue"].startswith("error")


def test_health_check_fails_when_the_database_is_gone(tmp_path: Path, postgres_server: str) -> None:
    url = _fresh_postgres_database(postgres_server)
    app = make_app(url, tmp_path, HUEY_DB=str(tmp_path / "queue.sqlite3"))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_server.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"].startswith("error")
