"""The contract check and the six accidents on the web: the form, the results page in both languages, the API, the broker."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from aggregator.recommendation import fingerprint
from aggregator.schema import Answer, ContractTerms, LiabilityCap
from tests.web.conftest import API_BODY, FORM
from tests.web.test_broker import _app, _login, _token
from webapp import storage
from webapp.extensions import db
from webapp.models import AuditEntry, QuoteRequest

# The form's vendor, holding 200,000 records here, with a largest contract of 3,000万円. A leak's claim up
# the chain: 0.3% of 200,000 claim, 600 × 5,000円 = 300万円, and the client's apology to all of them,
# 200,000 × 500円 = 1億円: 1億300万円, read up as 1億1,000万円; the client's lost profit 100万円 a day ×
# 5 days = 500万円 (special damages).
CAPPED = {"liability_cap": "contract_amount", "special_damages_excluded": "yes", "gross_negligence_includes_leaks": "no"}


def _submit(client: FlaskClient, **answers: str) -> str:
    response = client.post("/", data={**FORM, "records_held": "200000", "lines": ["it_eo", "cyber"], **answers})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return str(response.headers["Location"])


def test_the_form_asks_the_contract_check_with_dont_know_chosen(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "契約の確認(1分でお答えください)" in page and "データの消失や情報漏えいを「重大な過失」とする定めがある" in page
    assert (
        '<input checked id="gross_negligence_includes_leaks-2" name="gross_negligence_includes_leaks" type="radio" value="unknown">' in page
    )
    assert len(re.findall(r'<input checked id="[a-z_]+-\d" name="[a-z_]+" type="radio" value="unknown">', page)) == 10  # all at わからない
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Contract check (a minute to answer)" in english and "Data loss or leaks are defined as gross negligence" in english
    assert "Don&#39;t know" in english


def test_answers_are_stored_and_set_the_it_eo_liability_on_the_page(client: FlaskClient, app: Flask) -> None:
    capped = _submit(client, **CAPPED)
    gross = _submit(client, **{**CAPPED, "gross_negligence_includes_leaks": "yes", "payment_terms": "no"})
    with app.app_context():
        row = storage.find_request(gross.rsplit("/", 1)[1])
        assert row is not None and row.applicant["contract"]["gross_negligence_includes_leaks"] == "yes"
    page = client.get(capped).get_data(as_text=True)
    # capped: the ordinary and the worst case are both the contract amount
    assert "契約の確認と賠償の想定" in page and "上限まで。ただし実際に故意・重大な過失があれば上限はなくなります" in page
    page = client.get(gross).get_data(as_text=True)
    assert '<strong class="amount">1億1,000万円</strong> 上限なし: データの消失・情報漏えいを重大な過失とする定めがあり' in page
    assert "支払の時期と金額を具体的に定め、「別途協議」のままにしないでください。" in page  # the advice for the weak clause
    assert "補償されません: 契約で法律上の責任を超える賠償を約束していないか確認してください" in page  # a plan's exclusion, not answered
    data = client.get("/api/v1/quotes/" + gross.rsplit("/", 1)[1]).get_json()["comparison"]
    need = next(r["need"] for r in data["rows"] if r["key"] == "liability_damages")
    assert (need["low_jpy"], need["high_jpy"]) == (30_000_000, 110_000_000)


def test_the_results_page_shows_the_six_accidents_in_japanese_and_english(client: FlaskClient) -> None:
    location = _submit(client, **CAPPED)
    page = client.get(location).get_data(as_text=True)
    assert "事故が起きたら: 6つの事故例で見る支払額" in page
    for title in ("取引先の顧客データの漏えい", "サイバー攻撃による開発の遅延", "従業員による顧客データの持ち出し"):
        assert title in page
    assert "単なる納期遅延(開発の遅れ・要員不足など、サイバー攻撃によらない遅延)は補償されません" in page
    english = client.get(location + "?lang=en").get_data(as_text=True)
    assert "If it happens: what each plan pays in six accidents" in english and "Leaking a client&#39;s customer data" in english
    assert "A plain delivery delay" in english and "Left to you" in english and "Ordinary case" in english
    assert "事故が起きたら" not in english and "契約の確認と賠償の想定" not in english


def test_the_form_needs_the_amount_when_another_cap_is_chosen(client: FlaskClient, app: Flask) -> None:
    refused = client.post("/", data={**FORM, "liability_cap": "other_amount"})
    assert refused.status_code == 400
    assert "「別の金額が上限」を選んだときは、上限の金額を入力してください" in refused.get_data(as_text=True)
    location = _submit(client, liability_cap="other_amount", liability_cap_amount="5,000万円")
    with app.app_context():
        row = storage.find_request(location.rsplit("/", 1)[1])
        assert row is not None and row.applicant["contract"]["liability_cap_jpy"] == 50_000_000


def test_the_api_takes_the_contract_and_returns_six_scenarios_for_every_plan(client: FlaskClient) -> None:
    body: dict[str, Any] = {**API_BODY, "lines": ["it_eo"], "contract": {"liability_cap": "none", "special_damages_excluded": False}}
    response = client.post("/api/v1/quotes", json=body)
    assert response.status_code == 201
    comparison = response.get_json()["comparison"]
    assert comparison["contract"]["answers"]["liability_cap"] == "none"
    assert comparison["contract"]["liability"]["uncapped"] is True
    plans = [(c["carrier"], c["plan_code"]) for c in comparison["columns"]]
    assert len(comparison["scenarios"]) == 6
    for scenario in comparison["scenarios"]:
        assert [(p["carrier"], p["plan_code"]) for p in scenario["plans"]] == plans
        for plan in scenario["plans"]:
            assert plan["payable_jpy"] + plan["shortfall_jpy"] == scenario["need_jpy"]


def test_the_api_refuses_an_unknown_answer_naming_it(client: FlaskClient) -> None:
    response = client.post("/api/v1/quotes", json={**API_BODY, "contract": {"liability_cap": "maybe", "payment_terms": "sometimes"}})
    assert response.status_code == 422
    fields = {f["field"]: f["reason"] for f in response.get_json()["error"]["fields"]}
    assert set(fields) == {"contract.liability_cap", "contract.payment_terms"}
    assert "contract_amount" in fields["contract.liability_cap"] and "yes / no / unknown" in fields["contract.payment_terms"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "contract" in spec["components"]["schemas"]["Applicant"]["properties"]
    assert spec["components"]["schemas"]["Quote"]["properties"]["comparison"]["properties"]["scenarios"]["minItems"] == 6


def test_the_workbook_has_the_scenarios_and_the_contract_sheets(client: FlaskClient) -> None:
    location = _submit(client, **{**CAPPED, "gross_negligence_includes_leaks": "yes"})
    book = openpyxl.load_workbook(io.BytesIO(client.get(location + "/comparison.xlsx").data))
    assert "事故シナリオ" in book.sheetnames and "契約の確認" in book.sheetnames
    values = [v for row in book["契約の確認"].iter_rows(values_only=True) for v in row if v is not None]
    assert "最悪の場合" in values and 110_000_000 in values


def test_a_record_made_before_the_contract_check_still_reads_as_current(client: FlaskClient, app: Flask) -> None:
    """A stored version without the new keys (its applicant had no contract, its JSON no scenarios) is not stale for that."""
    location = client.post("/", data=FORM).headers["Location"]  # cyber first: its liability need does not use the contract
    with app.app_context():
        row = storage.find_request(location.rsplit("/", 1)[1])
        assert row is not None
        version = row.versions[0]
        record = dict(version.record)
        record["applicant"] = {k: v for k, v in record["applicant"].items() if k != "contract"}
        record["comparison"] = {k: v for k, v in record["comparison"].items() if k not in ("contract", "scenarios")}
        record["comparison_sha256"] = fingerprint(record["comparison"])
        version.record, version.fingerprint = record, record["comparison_sha256"]
        db.session.commit()
    page = client.get(location).get_data(as_text=True)
    assert "保険会社の料率が更新されました" not in page and "事故が起きたら" in page


def test_the_broker_answers_the_contract_check_again_as_a_new_version(tmp_path: Path) -> None:
    app = _app(tmp_path)
    customer, broker = app.test_client(), app.test_client()
    customer.post("/", data={**FORM, "lines": ["it_eo"], "csrf_token": _token(customer, "/")})
    _login(broker)
    with app.app_context():
        request_id = db.session.scalars(select(QuoteRequest.id)).one()
    detail = f"/broker/requests/{request_id}"
    page = broker.get(detail).get_data(as_text=True)
    assert "契約の確認の回答を変えて再見積もりする" in page and "契約の確認と賠償の想定" in page
    answers = {**CAPPED, "gross_negligence_includes_leaks": "yes", "liability_beyond_law": "yes"}
    moved = broker.post(f"{detail}/contract", data={"csrf_token": _token(broker, detail), **answers})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("v=2")
    page = broker.get(moved.headers["Location"]).get_data(as_text=True)
    assert "補償されません: 契約で法律上の責任を超えて約束した賠償(違約金・無過失の保証など)は、このプランでは自己負担です" in page
    with app.app_context():
        row = db.session.get(QuoteRequest, request_id)
        assert row is not None and len(row.versions) == 2
        assert storage.version_applicant(row.versions[1]).contract == ContractTerms(
            LiabilityCap.CONTRACT_AMOUNT,
            special_damages_excluded=Answer.YES,
            gross_negligence_includes_leaks=Answer.YES,
            liability_beyond_law=Answer.YES,
        )
        assert storage.applicant_of(row).contract.gross_negligence_includes_leaks is Answer.YES  # later re-quotes keep it
        assert (
            db.session.scalars(select(AuditEntry.action).where(AuditEntry.target == f"request:{request_id}"))
            .all()
            .count("request.contract")
            == 1
        )
    refused = broker.post(f"{detail}/contract", data={"csrf_token": _token(broker, detail), "liability_cap": "other_amount"})
    assert refused.status_code == 302
    assert "上限の金額を入力してください" in broker.get(refused.headers["Location"]).get_data(as_text=True)
