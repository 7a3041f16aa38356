"""Every assumption behind the needs can be changed on the results page, through the API and by the broker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.web.conftest import FORM

# The SI case of issue 12: 30 people, 5億円 revenue, 20,000 records, breadth first.
SI: dict[str, Any] = {
    "company": "株式会社SIテスト",
    "industry": "system_integration",
    "annual_revenue_jpy": "5億円",
    "employees": 30,
    "records_held": 20_000,
    "servers": 10,
    "largest_contract_jpy": "3,000万円",
    "contract_type": "ukeoi",
    "controls": ["mfa", "edr"],
    "lines": ["cyber"],
    "limit_jpy": 100_000_000,
    "deductible_jpy": 100_000,
    "priorities": {"order": ["broadest_cover", "lowest_price"]},
    "consent": True,
}


def _liability(body: dict[str, Any]) -> dict[str, Any]:
    row = next(r for r in body["comparison"]["rows"] if r["key"] == "liability_damages")
    need: dict[str, Any] = row["need"]
    return need


def _first(body: dict[str, Any]) -> tuple[str, str]:
    column = body["comparison"]["columns"][body["recommendation"]["column"]]
    return column["carrier"], column["plan_code"]


def test_the_share_who_claim_changes_the_needs_and_the_choice_through_the_api(client: FlaskClient) -> None:
    usual = client.post("/api/v1/quotes", json=SI).get_json()
    # 20,000 affected × 0.03%〜0.3% claim = 6〜60 people × 3,000〜5,000円: 1.8万円〜30万円, read as 1万〜30万円
    assert (_liability(usual)["low_jpy"], _liability(usual)["high_jpy"]) == (10_000, 300_000)
    assert "ベネッセ事件で訴えたのは0.03%未満" in _liability(usual)["basis_ja"]
    assert usual["comparison"]["assumptions"]["claim_share_high_bp"] == 30
    # breadth first: the wide plan that leaves far less short is proposed, and the cheaper choice is weighed in words
    assert _first(usual) == ("mitsui_sumitomo", "CP-W")
    assert any(
        t.startswith("最も安いAIG損保「CyberEdge エッセンシャル」にすると、年間保険料が") and "安くなり、不足額が" in t
        for t in usual["recommendation"]["tradeoffs_ja"]
    )

    everyone = client.post("/api/v1/quotes", json={**SI, "assumptions": {"claim_share_high_bp": 10_000}}).get_json()
    # everyone affected claims: 20,000 × 5,000円 = 1億円, the whole policy limit
    assert _liability(everyone)["high_jpy"] == 100_000_000
    assert everyone["comparison"]["assumptions"]["claim_share_high_bp"] == 10_000
    # every plan's 1億 aggregate is used up, breadth no longer tells them apart, and the price decides
    assert _first(everyone) != _first(usual)


def test_a_wrong_assumption_is_refused_by_its_name(client: FlaskClient) -> None:
    for change, field in (
        ({"claim_share_high_bp": 20_000}, "assumptions.claim_share_high_bp"),
        ({"claimants": 3}, "assumptions.claimants"),
    ):
        response = client.post("/api/v1/quotes", json={**SI, "assumptions": change})
        assert response.status_code == 422
        assert response.get_json()["error"]["fields"][0]["field"] == field


def test_the_results_page_changes_an_assumption_as_a_new_version(client: FlaskClient) -> None:
    created = client.post("/", data={**FORM, "lines": ["cyber"]})
    token = created.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/quotes/{token}").get_data(as_text=True)
    assert "前提条件を変えて試算する" in page and re.search(r'<input[^>]*name="claim_share_high"[^>]*value="0.3"', page)
    fields = {
        "claim_share_high": "100",
        "damages_per_person_jpy": "5,000円",
        "apology_per_person_jpy": "500",
        "affected_share_pct": "100",
        "outage_days": "5",
        "forensic_per_server_high_jpy": "100万円",
    }
    bad = client.post(f"/quotes/{token}/assumptions?v=1", data={**fields, "claim_share_high": "120"})
    assert bad.status_code == 400 and "0〜100の数で、小数第2位まで入力してください" in bad.get_data(as_text=True)
    changed = client.post(f"/quotes/{token}/assumptions?v=1", data=fields)
    assert changed.status_code == 302 and changed.headers["Location"].endswith("?v=2")
    again = client.get(changed.headers["Location"]).get_data(as_text=True)
    # in the bad case everyone of the 20,000 claims: 6〜20,000 people × 3,000〜5,000円 = 1.8万円〜1億円 (read as 1万円〜1億円)
    assert "請求する人 6〜20,000人" in again and "1万円〜1億円" in again
    # a later re-quote keeps the changed assumption
    client.post(f"/quotes/{token}/requote", data={"line": "cyber", "limit_jpy": "300000000", "deductible_jpy": "100000"})
    assert "請求する人 6〜20,000人" in client.get(f"/quotes/{token}").get_data(as_text=True)


def test_the_broker_changes_an_assumption_and_the_log_keeps_it(tmp_path: Path) -> None:
    from tests.web.test_broker import _app, _customer_request, _login, _token
    from webapp.extensions import db
    from webapp.models import AuditEntry, QuoteRequest

    app = _app(tmp_path)
    broker = app.test_client()
    assert _login(broker).status_code == 302
    token = _customer_request(app)
    with app.app_context():
        request_id = db.session.query(QuoteRequest).filter_by(token=token).one().id
    detail = f"/broker/requests/{request_id}"
    fields = {
        "claim_share_high": "1",
        "damages_per_person_jpy": "30,000",
        "apology_per_person_jpy": "1,000",
        "affected_share_pct": "50",
        "outage_days": "3",
        "forensic_per_server_high_jpy": "150万円",
        "csrf_token": _token(broker, detail),
    }
    done = broker.post(f"{detail}/assumptions?v=1", data=fields)
    assert done.status_code == 302 and done.headers["Location"].endswith("v=2")
    assert "前提条件を変えて試算する" in broker.get(done.headers["Location"]).get_data(as_text=True)
    latest = app.test_client().get(f"/api/v1/quotes/{token}").get_json()
    # 20,000 × 50% = 10,000 affected; 0.03%〜1% claim: 3〜100 people × 3,000〜30,000円 = 9,000円〜300万円
    assert (_liability(latest)["low_jpy"], _liability(latest)["high_jpy"]) == (9_000, 3_000_000)
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="request.assumptions").one()
        assert "claim_share_high_bp=100" in entry.detail and "damages_per_person_jpy=30000" in entry.detail
