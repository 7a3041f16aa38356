"""The broker's record of advice: 意向把握 → 意向確認 → 比較推奨, checked against the wishes, and what the customer then sees."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from typing import Any

import openpyxl
from flask import Flask
from flask.testing import FlaskClient

from aggregator import clock
from tests.web.test_broker import _customer_request, _token, app, broker  # noqa: F401 (fixtures)
from webapp.extensions import db
from webapp.models import AuditEntry, Proposal, QuoteRequest

WISHES = {  # FORM's wishes, as the customer gave them
    "limit_jpy": "100000000",
    "deductible_jpy": "100000",
    "riders": ["lost_profit"],
    "priority": "broadest_cover",
    "items": ["call_center"],
    "note": "お詫び対応を重視",
}


def _request(app: Flask) -> tuple[str, str]:  # noqa: F811 (the fixture's name)
    token = _customer_request(app)
    with app.app_context():
        request_id = db.session.execute(db.select(QuoteRequest.id).where(QuoteRequest.token == token)).scalar_one()
    return token, f"/broker/requests/{request_id}"


def _form(csrf: str, plan: str, *, final: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": csrf,
        "plan": plan,
        "reasons": "補償の広さで選びました",
        "explained_on": clock.today().isoformat(),
    }
    for prefix, wishes in (("initial", WISHES), ("final", {**WISHES, **(final or {})})):
        data.update({f"{prefix}-{k}": v for k, v in wishes.items()})
    return {**data, **extra}


def _plans(page: str) -> dict[str, str]:
    return dict(re.findall(r'<option (?:selected )?value="([a-z_]+:[A-Za-z0-9-]+)">([^<]+)</option>', page))


def test_the_wishes_are_prefilled_from_the_request_and_every_plan_quoted_can_be_proposed(app: Flask, broker: FlaskClient) -> None:  # noqa: F811
    detail = _request(app)[1]
    page = broker.get(detail).get_data(as_text=True)
    for prefix in ("initial", "final"):
        assert '<option selected value="100000000">1億円</option>' in page.split(f'id="{prefix}-limit_jpy"')[1].split("</select>")[0]
        assert re.search(rf'<input checked id="{prefix}-riders-\d+" name="{prefix}-riders" type="checkbox" value="lost_profit">', page)
        assert re.search(rf'<input checked id="{prefix}-items-\d+" name="{prefix}-items" type="checkbox" value="call_center">', page)
        assert re.search(rf'id="{prefix}-note"[^>]*>\s*お詫び対応を重視</textarea>', page)
    plans = _plans(page)
    table = page.split('<table class="comparison" data-plans=')[1].split("</thead>")[0]
    shown = len(re.findall(r'<th scope="col" class="plan">', table))
    assert len(plans) > shown >= 5  # every plan of every carrier quoted, not only the one each column shows
    assert all("tokio_marine" not in text and "aig " not in text for text in plans.values())
    assert plans["tokio_marine:TMC-W"].startswith("東京海上日動 サイバーリスク保険 ワイドプラン — ")
    assert '<optgroup label="あいおいニッセイ同和損保">' in page
    english = _plans(broker.get(f"{detail}?lang=en").get_data(as_text=True))
    assert english["aig:CE-PRO"].startswith("AIG General Insurance CyberEdge Professional — ¥")


def test_a_proposal_that_departs_from_the_confirmed_wishes_needs_a_reason_for_each_departure(
    app: Flask,  # noqa: F811
    broker: FlaskClient,  # noqa: F811
) -> None:
    token, detail = _request(app)
    csrf = _token(broker, detail)
    # The customer confirmed 5億 and funds loss as a must; the plan is quoted at 1億 and does not cover funds loss.
    final = {"limit_jpy": "500000000", "items": ["call_center", "funds_loss"]}
    refused = broker.post(f"{detail}/proposal", data=_form(csrf, "tokio_marine:TMC-S", final=final))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "支払限度額1億円がご希望の5億円に届きません" in page
    assert "必ず補償してほしい項目「資金損害」が補償されません" in page
    assert "支払限度額: 1億円 → 5億円" in page  # the change from the wishes first heard, listed
    assert "経緯を記入してください" in page
    with app.app_context():
        assert db.session.query(Proposal).count() == 0
    half = {"change_note": "お電話で取引先の要求が5億円と判明", "departure-limit": "5億円の設定がないプランのため"}
    again = broker.post(f"{detail}/proposal", data=_form(csrf, "tokio_marine:TMC-S", final=final, **half))
    assert again.status_code == 400 and "理由を記入してください" in again.get_data(as_text=True)
    with_reasons = {**half, "departure-item-funds_loss": "不正送金は別の保険で手当て済み"}
    accepted = broker.post(f"{detail}/proposal", data=_form(csrf, "tokio_marine:TMC-S", final=final, **with_reasons))
    assert accepted.status_code == 302
    with app.app_context():
        proposal = db.session.query(Proposal).one()
        assert proposal.initial_wishes and proposal.initial_wishes["limit_jpy"] == 100_000_000
        assert proposal.final_wishes and proposal.final_wishes["limit_jpy"] == 500_000_000
        assert [c["field"] for c in proposal.wish_changes or []] == ["limit_jpy", "items"]
        assert proposal.change_note == "お電話で取引先の要求が5億円と判明"
        assert [(d["kind"], d["key"], d["reason"]) for d in proposal.departures or []] == [
            ("limit", "", "5億円の設定がないプランのため"),
            ("item", "funds_loss", "不正送金は別の保険で手当て済み"),
        ]
        assert proposal.explained_on == clock.today() and proposal.confirmed_at is not None
        assert proposal.proposed and proposal.proposed["plan_name_en"] == "Cyber Risk Insurance, Standard Plan"
        assert len(proposal.compared or []) > 5
        entry = db.session.query(AuditEntry).filter_by(action="request.proposal").one()
        assert entry.data and entry.data["carrier"] == "tokio_marine" and entry.data["departures"] == 2
        assert db.session.query(QuoteRequest).one().status == "proposed"
    record = broker.get(detail).get_data(as_text=True)
    assert "提案を記録しました" in record and "不正送金は別の保険で手当て済み" in record
    # The customer now sees the adviser's proposal, and where it departs from the wishes.
    customer = app.test_client().get(f"/quotes/{token}").get_data(as_text=True)
    assert "担当者からのご提案" in customer and "ご希望に基づく候補" not in customer
    assert "東京海上日動 サイバーリスク保険 スタンダードプラン" in customer and "5億円の設定がないプランのため" in customer


def test_a_plan_outside_the_table_can_be_proposed_and_a_declined_one_cannot(app: Flask, broker: FlaskClient) -> None:  # noqa: F811
    token, detail = _request(app)
    page = broker.get(detail).get_data(as_text=True)
    csrf = _token(broker, detail)
    plans = _plans(page)
    headers = {re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<span class="plan-name">(.*?)</span></th>', page)}
    in_table = {value for value, text in plans.items() if text.split(" — ")[0].split(" ", 1)[1] in headers}
    assert 5 <= len(in_table) < len(plans)  # the five carriers' columns (and the broadest plan's, when it is another)
    outside = next(p for p in plans if p not in in_table)
    reasons = {**_reasons_for(broker, detail, csrf, outside), "change_note": "ご要望の言い回しを確認"}
    assert broker.post(f"{detail}/proposal", data=_form(csrf, outside, final={"note": "確認済み"}, **reasons)).status_code == 302
    with app.app_context():
        assert f"{db.session.query(Proposal).one().carrier}:{db.session.query(Proposal).one().plan_code}" == outside
    book = openpyxl.load_workbook(io.BytesIO(app.test_client().get(f"/quotes/{token}/comparison.xlsx").data))
    texts = "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    assert "担当者からのご提案" in texts and "意向確認: 最終的なご意向" in texts and "重要事項説明(契約概要・注意喚起情報)の説明日" in texts
    assert "ご希望に基づく候補:" not in texts
    forged = broker.post(f"{detail}/proposal", data=_form(csrf, "tokio_marine:NO-SUCH-PLAN"))
    assert forged.status_code == 400
    candidate_reasons = re.search(r'id="reasons"[^>]*>\s*(.*?)</textarea>', broker.get(detail).get_data(as_text=True), re.S)
    assert candidate_reasons is not None
    left = broker.post(f"{detail}/proposal", data=_form(csrf, outside, reasons=html.unescape(candidate_reasons.group(1))))
    assert left.status_code == 400 and "理由が自動で選んだ候補のままです" in left.get_data(as_text=True)


def _reasons_for(client: FlaskClient, detail: str, csrf: str, plan: str) -> dict[str, str]:
    """Learn which departures the plan has (a changed note without its account is refused, listing them), give each a reason."""
    page = client.post(f"{detail}/proposal", data=_form(csrf, plan, final={"note": "確認済み"})).get_data(as_text=True)
    assert "経緯を記入してください" in page
    return dict.fromkeys(re.findall(r'name="(departure-[a-z_-]+)"', page), "担当者の判断")


def test_the_key_facts_date_is_required_and_not_in_the_future(app: Flask, broker: FlaskClient) -> None:  # noqa: F811
    detail = _request(app)[1]
    csrf = _token(broker, detail)
    plan = next(iter(_plans(broker.get(detail).get_data(as_text=True))))
    missing = broker.post(f"{detail}/proposal", data=_form(csrf, plan, explained_on=""))
    assert missing.status_code == 400 and "説明した日を入力してください" in missing.get_data(as_text=True)
    assert "Not a valid date" not in missing.get_data(as_text=True)
    blank = broker.post(f"{detail}/proposal", data=_form(csrf, plan, explained_on="  "))
    assert blank.status_code == 400 and "説明した日を入力してください" in blank.get_data(as_text=True)
    wrong = broker.post(f"{detail}/proposal", data=_form(csrf, plan, explained_on="11月21日"))
    assert wrong.status_code == 400 and "日付として読めません" in wrong.get_data(as_text=True)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    future = broker.post(f"{detail}/proposal", data=_form(csrf, plan, explained_on=tomorrow))
    assert future.status_code == 400 and "今日より後の日付は記録できません" in future.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Proposal).count() == 0


def test_the_customer_page_calls_the_plan_a_candidate_until_a_broker_confirms(app: Flask) -> None:  # noqa: F811
    token = _customer_request(app)
    client = app.test_client()
    page = client.get(f"/quotes/{token}").get_data(as_text=True)
    assert "ご希望に基づく候補" in page and "担当者からのご提案" not in page
    assert "担当者がご意向を確認してから、正式にご提案します" in page
    english = client.get(f"/quotes/{token}?lang=en").get_data(as_text=True)
    assert "A candidate based on your stated wishes" in english
    with app.app_context():  # a proposal from before 意向確認 existed is not a confirmed one
        request_row = db.session.query(QuoteRequest).one()
        db.session.add(
            Proposal(
                request_id=request_row.id,
                version_id=request_row.versions[0].id,
                created_by="tanaka",
                wishes="旧形式",
                carrier="aig",
                plan_code="CE-ESS",
                reasons="旧形式の理由",
                comparison_sha256=request_row.versions[0].fingerprint,
            )
        )
        db.session.commit()
    assert "ご希望に基づく候補" in client.get(f"/quotes/{token}?lang=ja").get_data(as_text=True)
