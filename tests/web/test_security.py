"""CSRF on every form, security headers, production settings, rate limits and size limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import FORM, make_app
from webapp.config import ConfigError


@pytest.fixture
def csrf_client(tmp_path: Path) -> FlaskClient:
    return make_app(f"sqlite:///{tmp_path / 'csrf.sqlite3'}", tmp_path).test_client()


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_every_form_post_without_a_csrf_token_is_refused(csrf_client: FlaskClient) -> None:
    assert csrf_client.post("/", data=FORM).status_code == 400
    token = _token(csrf_client.get("/").get_data(as_text=True))
    created = csrf_client.post("/", data={**FORM, "csrf_token": token})
    assert created.status_code == 302
    quote_token = created.headers["Location"].rsplit("/", 1)[1]
    requote = {"line": "cyber", "limit_jpy": "300000000", "deductible_jpy": "0"}
    assert csrf_client.post(f"/quotes/{quote_token}/requote", data=requote).status_code == 400
    page = csrf_client.get(created.headers["Location"]).get_data(as_text=True)
    assert csrf_client.post(f"/quotes/{quote_token}/requote", data={**requote, "csrf_token": _token(page)}).status_code == 302


def test_security_headers_and_no_inline_script_or_style(client: FlaskClient) -> None:
    for path in ("/", "/quotes/missing", "/api/v1/openapi.json"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    page = client.get("/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page and "<style" not in page


def test_pages_name_a_japanese_font_stack(client: FlaskClient) -> None:
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    for font in ("Noto Sans CJK JP", "Hiragino", "Yu Gothic", "Meiryo"):
        assert font in css


def test_production_refuses_without_a_secret_key_or_with_debug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AGGREGATOR_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_app(f"sqlite:///{tmp_path / 'p.sqlite3'}", tmp_path, SECRET_KEY="")
    with pytest.raises(ConfigError, match="debug"):
        make_app(f"sqlite:///{tmp_path / 'p.sqlite3'}", tmp_path, TESTING=False, DEBUG=True)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AGENCY_NAME", "株式会社テスト保険サービス")
    monkeypatch.setenv("AGENCY_REGISTRATION_NO", "関東財務局長 第00001号")
    policies = tmp_path / "policies"
    policies.mkdir()
    for name in ("solicitation.md", "privacy.md"):
        (policies / name).write_text("当社の方針", encoding="utf-8")
    monkeypatch.setenv("AGENCY_POLICY_DIR", str(policies))
    from webapp import create_app
    from webapp.migrate import upgrade

    upgrade(f"sqlite:///{tmp_path / 'p.sqlite3'}")  # production does not migrate by itself
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.config["AUTO_MIGRATE"]


def test_public_form_and_api_are_rate_limited(tmp_path: Path) -> None:
    client = make_app(
        f"sqlite:///{tmp_path / 'r.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False, PUBLIC_RATE_LIMIT="2 per minute"
    ).test_client()
    statuses = [client.post("/", data={**FORM, "company": ""}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    api = [client.get("/api/v1/quotes/none").status_code for _ in range(3)]
    assert api[-1] == 429
    assert "リクエストが多すぎます" in client.get("/api/v1/quotes/none").get_json()["error"]["message"]
    # Another app in the same process keeps its own limit: the strict one above does not follow it.
    other = make_app(f"sqlite:///{tmp_path / 'o.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False, PUBLIC_RATE_LIMIT="100 per minute")
    assert [other.test_client().get("/api/v1/quotes/none").status_code for _ in range(5)] == [404] * 5


def test_oversized_requests_are_refused(tmp_path: Path) -> None:
    client = make_app(f"sqlite:///{tmp_path / 's.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/api/v1/quotes", data="x" * 4096, content_type="application/json")
    assert response.status_code == 413


def test_a_cached_results_page_carries_each_visitors_own_csrf_token(csrf_client: FlaskClient, tmp_path: Path) -> None:
    created = csrf_client.post("/", data={**FORM, "csrf_token": _token(csrf_client.get("/").get_data(as_text=True))})
    location = created.headers["Location"]
    first = _token(csrf_client.get(location).get_data(as_text=True))
    other = csrf_client.application.test_client()  # another visitor with the link, after the page was cached
    second = _token(other.get(location).get_data(as_text=True))
    assert first != second
    token = location.rsplit("/", 1)[1]
    requote = {"line": "cyber", "limit_jpy": "300000000", "deductible_jpy": "0", "csrf_token": second}
    assert other.post(f"/quotes/{token}/requote", data=requote).status_code == 302
