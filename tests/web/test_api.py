"""API v1: applicant JSON in, comparison JSON out; errors name the field; the OpenAPI document holds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings

from carriers.registry import FIXTURES, REGISTRY
from tests.web.conftest import API_BODY, make_app


def test_post_returns_the_comparison_and_get_returns_it_again(client: FlaskClient) -> None:
    created = client.post("/api/v1/quotes", json={**API_BODY, "priorities": {"order": ["lowest_price"], "note": "安さ重視"}})
    assert created.status_code == 201
    data = created.get_json()
    assert data["comparison"]["sample"] is True
    assert {c["carrier"] for c in data["comparison"]["columns"]} == {c.value for c in REGISTRY}  # every carrier loaded
    first = data["comparison"]["columns"][0]
    assert {"carrier", "plan_code", "status", "premium_jpy", "cells", "rate_version"} <= set(first)
    assert all(isinstance(c["premium_jpy"], (int, type(None))) for c in data["comparison"]["columns"])
    assert {c["key"]: c["oed_code"] for c in first["cells"]}["extortion"] == "EXT"
    assert data["recommendation"]["reasons_ja"][0].startswith("お客様の優先順位(保険料の安さ")
    again = client.get(f"/api/v1/quotes/{data['id']}").get_json()
    assert again["comparison"] == data["comparison"]


def test_field_errors_name_each_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/quotes", json={**API_BODY, "records_held": -1, "industry": "bakery", "annual_revenue_jpy": "たくさん"})
    assert response.status_code == 422
    fields = {f["field"]: f["reason"] for f in response.get_json()["error"]["fields"]}
    assert set(fields) == {"records_held", "industry", "annual_revenue_jpy"}
    assert fields["industry"] == "業種が一覧にありません"


def test_consent_is_required(client: FlaskClient) -> None:
    body = {k: v for k, v in API_BODY.items() if k != "consent"}
    response = client.post("/api/v1/quotes", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0]["field"] == "consent"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "company=x", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
        ({"json": [1, 2, 3]}, 400, "invalid_json"),
    ],
)
def test_malformed_requests_get_json_errors(client: FlaskClient, kwargs: dict[str, Any], status: int, code: str) -> None:
    response = client.post("/api/v1/quotes", **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_unknown_id_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/quotes/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_describes_both_operations(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/api/v1/quotes", "/api/v1/quotes/{id}"}
    assert "system_integration" in spec["components"]["schemas"]["Applicant"]["properties"]["industry"]["enum"]


def test_api_conforms_to_its_openapi_document(tmp_path: Path) -> None:
    """Schemathesis generates requests from the OpenAPI document and checks every response against it."""
    app = make_app(f"sqlite:///{tmp_path / 'api.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {"POST /api/v1/quotes", "GET /api/v1/quotes/{id}"}
    for operation in operations:
        statuses = _exercise(operation)
        assert statuses, operation.label


def _exercise(operation: Any) -> list[int]:
    statuses: list[int] = []

    @given(operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        statuses.append(case.call_and_validate().status_code)

    check()
    return statuses


@pytest.mark.parametrize(("operator", "industries"), [("is one of", "SaaS / Cloud"), ("is not one of", "Fintech / Payment Services")])
def test_a_rule_dropping_a_rider_by_industry_list_is_quoted_not_a_500(tmp_path: Path, operator: str, industries: str) -> None:
    """An 'in' / 'not in' rule that takes a rider away used to crash every quote it matched (HTTP 500)."""
    carriers = Path(shutil.copytree(FIXTURES, tmp_path / "carriers"))
    rules = carriers / "aig" / "aig_underwriting_rules.csv"
    rules.write_text(
        rules.read_text(encoding="utf-8") + f"Cyber,CE-UW-99,Exclude Rider,Industry,{operator},{industries},,Network Interruption,\n",
        encoding="utf-8",
    )
    client = make_app(f"sqlite:///{tmp_path / 'api.sqlite3'}", tmp_path, WTF_CSRF_ENABLED=False, CARRIER_DATA=str(carriers)).test_client()
    response = client.post("/api/v1/quotes", json={**API_BODY, "riders": ["lost_profit"]})  # a SaaS company
    assert response.status_code == 201
    aig = next(c for c in response.get_json()["comparison"]["columns"] if c["carrier"] == "aig")
    assert aig["status"] != "declined" and aig["premium_jpy"] is not None
    assert aig["quoted"]["riders"] == []
    assert "業種がSaaS・クラウドサービスのため、喪失利益特約は付帯できません" in [a["text_ja"] for a in aig["adjustments"]]


def test_a_new_quote_is_compared_once_then_served_from_the_stored_result(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """POST works the comparison out once: the API, the results page and the workbook reuse it."""
    from aggregator import recommendation
    from aggregator.serialize import comparison_to_data
    from webapp import storage

    built: list[Any] = []
    original = recommendation.build_comparison

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(original(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(recommendation, "build_comparison", counted)
    monkeypatch.setattr(storage, "build_comparison", counted)
    created = client.post("/api/v1/quotes", json=API_BODY)
    assert created.status_code == 201
    token = created.get_json()["id"]
    assert client.get(f"/api/v1/quotes/{token}").status_code == 200
    assert client.get(f"/quotes/{token}").status_code == 200
    assert client.get(f"/quotes/{token}/comparison.xlsx").status_code == 200
    assert len(built) == 1
    assert created.get_json()["comparison"] == comparison_to_data(built[0])
    assert created.get_json()["rates_unchanged"] is True
