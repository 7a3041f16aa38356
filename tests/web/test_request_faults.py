"""Crafted requests: out-of-range numbers, deep JSON, a poisoned `next`, and the API held to the form's limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.schema import APPLICANT_LIMITS
from tests.web.conftest import API_BODY, FORM, make_app
from webapp.auth import create_user
from webapp.extensions import db
from webapp.models import QuoteRequest

HUGE = "99999999999999999999"
PASSWORD = "correct horse battery staple"


def _broker(app: Flask) -> FlaskClient:
    with app.app_context():
        create_user("tanaka", PASSWORD)
    client = app.test_client()
    assert client.post("/broker/login", data={"username": "tanaka", "password": PASSWORD}).status_code == 302
    return client


def test_out_of_range_numbers_and_odd_tokens_in_urls_are_404_never_500(backend: str, tmp_path: Path) -> None:
    app = make_app(backend, tmp_path, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    token = client.post("/api/v1/quotes", json=API_BODY).get_json()["id"]
    for url in (
        f"/quotes/abc?v={HUGE}",
        f"/quotes/{token}?v={HUGE}",
        f"/quotes/{token}?v=-1",
        f"/quotes/{token}/comparison.xlsx?v={HUGE}",
        "/quotes/%00abc",
        "/api/v1/quotes/%00abc",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/quotes/{token}?v=1").status_code == 200
    broker = _broker(app)
    with app.app_context():
        request_id = db.session.query(QuoteRequest).one().id
    for url in (
        f"/broker/?page={HUGE}",
        f"/broker/requests/{HUGE}",
        f"/broker/requests/{2**31}",
        f"/broker/requests/{request_id}?v={HUGE}",
        f"/broker/requests/{request_id}/comparison.xlsx?v={HUGE}",
        "/broker/bulk/%00",
    ):
        assert broker.get(url).status_code == 404, url
    for url in ("/broker/?from=9999-12-31&to=9999-12-31", "/broker/?q=%00テスト", f"/broker/requests/{request_id}?v=7"):
        assert broker.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"company": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"consent": true, "priorities": {"items": ' + b'{"a":' * 50 + b"1" + b"}" * 50 + b"}}",
    ],
)
def test_json_nested_too_deep_is_a_400_and_nothing_is_stored(client: FlaskClient, app: Flask, body: bytes) -> None:
    response = client.post("/api/v1/quotes", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json" and "入れ子が深すぎます" in response.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.query(QuoteRequest).count() == 0


def test_brackets_inside_strings_are_not_nesting(client: FlaskClient) -> None:
    body = {**API_BODY, "company": "株式会社" + "[" * 100, "priorities": {"note": "{" * 500}}
    assert client.post("/api/v1/quotes", json=body).status_code == 201


def test_an_api_body_past_1_mib_is_413(client: FlaskClient, app: Flask) -> None:
    response = client.post("/api/v1/quotes", json={**API_BODY, "priorities": {"note": "a" * 5_000_000}})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    with app.app_context():
        assert db.session.query(QuoteRequest).count() == 0


@pytest.mark.parametrize(
    "target",
    [
        "/broker/\r\nSet-Cookie: evil=1",
        "/broker/\nLocation: https://evil.example",
        "//evil.example/broker/",
        "/broker\\..\\evil",
        "https://evil.example",
    ],
)
def test_a_login_next_that_is_not_a_plain_broker_page_falls_back_to_the_dashboard(app: Flask, target: str) -> None:
    with app.app_context():
        create_user("tanaka", PASSWORD)
    client = app.test_client()
    response = client.post("/broker/login", query_string={"next": target}, data={"username": "tanaka", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/broker/"
    kept = app.test_client().post("/broker/login", query_string={"next": "/broker/bulk"}, data={"username": "tanaka", "password": PASSWORD})
    assert kept.headers["Location"] == "/broker/bulk"


def test_a_login_name_with_a_nul_is_a_wrong_password_not_an_error(backend: str, tmp_path: Path) -> None:
    app = make_app(backend, tmp_path, WTF_CSRF_ENABLED=False)
    response = app.test_client().post("/broker/login", data={"username": "tanaka\x00", "password": PASSWORD})
    assert response.status_code == 401 and "ユーザー名かパスワードが違います" in response.get_data(as_text=True)


# field: (what the API is sent, what the form is sent)
OVER_THE_LIMIT: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "note": ({"priorities": {"note": "あ" * 1_001}}, {"note": "あ" * 1_001}),
    "company": ({"company": "株" * 201}, {"company": "株" * 201}),
    "contact_email": ({"contact_email": "a" * 250 + "@example.co.jp"}, {"contact_email": "a" * 250 + "@example.co.jp"}),
    "incidents_3y": ({"incidents_3y": 101}, {"incidents_3y": "101"}),
    "employees": ({"employees": -1}, {"employees": "-1"}),
    "records_held": ({"records_held": 10**15 + 1}, {"records_held": str(10**15 + 1)}),
    "annual_revenue_jpy": ({"annual_revenue_jpy": "-5億円"}, {"annual_revenue": "-5億円"}),
    "largest_contract_jpy": ({"largest_contract_jpy": 10**15 + 1}, {"largest_contract": str(10**15 + 1)}),
}


@pytest.mark.parametrize("field", sorted(OVER_THE_LIMIT))
def test_the_api_holds_each_field_to_the_forms_limit_with_the_forms_words(client: FlaskClient, app: Flask, field: str) -> None:
    api_change, form_change = OVER_THE_LIMIT[field]
    message = APPLICANT_LIMITS[field].message
    response = client.post("/api/v1/quotes", json={**API_BODY, **api_change})
    assert response.status_code == 422, response.get_json()
    reasons = {e["field"].removeprefix("priorities."): e["reason"] for e in response.get_json()["error"]["fields"]}
    assert reasons[field] == message
    page = client.post("/", data={**FORM, **form_change})
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(QuoteRequest).count() == 0  # neither stored anything


def test_the_api_refuses_an_address_the_form_refuses(client: FlaskClient) -> None:
    response = client.post("/api/v1/quotes", json={**API_BODY, "contact_email": "tanaka\x00@example.co.jp"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0] == {
        "field": "contact_email",
        "reason": "メールアドレスの形式が正しくありません",
        "value": "tanaka\x00@example.co.jp",
    }
    assert client.post("/api/v1/quotes", json={**API_BODY, "contact_email": "tanaka@example.co.jp"}).status_code == 201
