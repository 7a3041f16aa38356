"""The broker's book through the web app: the current policy and start of cover, 成約 and reopening, renewals, a list's rows made requests."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator import clock
from carriers.registry import REGISTRY
from tests.test_bulk import GOOD
from tests.web.conftest import API_BODY, FORM
from tests.web.test_broker import _app, _client_list, _login, _token, _wait
from webapp.extensions import db
from webapp.models import AuditEntry, BulkJob, Policy, QuoteRequest

CURRENT_FORM = {
    "cp-insurer": "other",
    "cp-insurer_name": "架空損保",
    "cp-product": "サイバー保険ライト",
    "cp-line": "cyber",
    "cp-limit": "5,000万円",
    "cp-deductible": "10万円",
    "cp-premium": "300,000",
    "cp-expiry": "2027-03-31",
    "cp-item-liability_damages": "yes",
    "cp-item-investigation": "yes",
    "cp-amount-investigation": "300万円",
    "cp-item-call_center": "no",
}
CURRENT_JSON = {
    "insurer": "mitsui_sumitomo",
    "product": "サイバープロテクター",
    "line": "cyber",
    "limit_jpy": 100_000_000,
    "deductible_jpy": 0,
    "premium_jpy": 450_000,
    "expiry": "2027-03-31",
    "items": {"liability_damages": True, "lost_profit": False, "investigation": "1,000万円"},
}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return _app(tmp_path)


@pytest.fixture
def broker(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert _login(client).status_code == 302
    return client


@pytest.fixture
def worker(app: Flask) -> Iterator[Any]:
    from webapp.tasks import start_embedded_worker

    consumer = start_embedded_worker(app)
    yield consumer
    consumer.stop(graceful=True)


def _submit(app: Flask, extra: dict[str, Any]) -> Any:
    client = app.test_client()
    return client, client.post("/", data={**FORM, **extra, "csrf_token": _token(client, "/")})


def _request(app: Flask, token: str) -> QuoteRequest:
    with app.app_context():
        found: QuoteRequest = db.session.query(QuoteRequest).filter_by(token=token).one()
        db.session.expunge(found)
        return found


def test_the_form_takes_a_current_policy_and_a_start_of_cover(app: Flask) -> None:
    client, created = _submit(app, {**CURRENT_FORM, "start_date": "2027-01-15"})
    assert created.status_code == 302
    token = created.headers["Location"].rsplit("/", 1)[1]
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "現在のご契約" in page and "架空損保 サイバー保険ライト" in page and "現在との差" in page
    assert "始期日 2027-01-15" in page
    assert 'class="vs vs-better"' in page and 'class="vs vs-worse"' in page
    assert "補償なし" in page and "不明" in page
    with app.app_context():
        row = db.session.query(QuoteRequest).filter_by(token=token).one()
        asked = len(row.versions)  # one version per line asked
        assert row.start_date == date(2027, 1, 15) and row.versions[0].as_of == date(2027, 1, 15)
        assert row.current_policy is not None and row.current_policy["items"] == {
            "liability_damages": True,
            "investigation": 3_000_000,
            "call_center": False,
        }
        record = row.versions[0].record
        assert record["as_of"] == "2027-01-15" and record["current_policy"]["insurer_name"] == "架空損保"
        valid = {c["valid_until"] for c in record["comparison"]["columns"] if c["valid_until"]}
        assert valid == {"2027-02-14"}  # valid 30 days from the start of cover the rates were taken on
    requoted = client.post(
        f"/quotes/{token}/requote",
        data={"csrf_token": _token(client, f"/quotes/{token}"), "line": "cyber", "limit_jpy": "300000000", "deductible_jpy": "0"},
    )
    assert requoted.status_code == 302
    broker = app.test_client()
    _login(broker)
    detail = f"/broker/requests/{_request(app, token).id}"
    broker.post(
        f"{detail}/requote", data={"csrf_token": _token(broker, detail), "line": "it_eo", "limit_jpy": "100000000", "deductible_jpy": "0"}
    )
    with app.app_context():
        versions = db.session.query(QuoteRequest).filter_by(token=token).one().versions
        assert len(versions) == asked + 2
        assert {v.as_of for v in versions} == {date(2027, 1, 15)}  # every version is rated for the start of cover
        assert all("current_policy" in v.record for v in versions)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/quotes/{token}/comparison.xlsx").data))
    head = next(r for r in book["比較表"].iter_rows(values_only=True) if r[0] == "補償項目")
    assert head[2] == "現在のご契約"


def test_the_form_says_what_is_wrong_with_a_current_policy_or_a_start_date(app: Flask) -> None:
    _client, refused = _submit(app, {**CURRENT_FORM, "cp-limit": "たくさん", "cp-insurer_name": "", "start_date": "2026-11-01"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "始期日は本日(2026年11月21日)から6か月以内(2027年5月21日まで)の日付を指定してください" in page
    assert "金額として読めません" in page and "保険会社名を入力してください" in page
    _client, far = _submit(app, {"start_date": "2027-06-01"})
    assert far.status_code == 400 and "6か月以内" in far.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(QuoteRequest).count() == 0


def test_the_api_takes_a_current_policy_and_a_start_date(app: Flask) -> None:
    client = app.test_client()
    created = client.post("/api/v1/quotes", json={**API_BODY, "current_policy": CURRENT_JSON, "start_date": "2027-02-01"})
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["start_date"] == "2027-02-01" and data["as_of"] == "2027-02-01"
    current = data["current_policy"]
    assert current["policy"]["insurer"] == "mitsui_sumitomo" and current["title"] == "三井住友海上 サイバープロテクター"
    assert {c["key"]: c["kind"] for c in current["cells"]}["lost_profit"] == "not_offered"
    assert {c["key"]: c["kind"] for c in current["cells"]}["extortion"] == "unknown"
    columns = data["comparison"]["columns"]
    assert len(current["versus"]) == len(columns)
    for versus, column in zip(current["versus"], columns, strict=True):
        assert versus["carrier"] == column["carrier"]
        if column["premium_jpy"] is not None:
            assert versus["premium_difference_jpy"] == column["premium_jpy"] - 450_000
    again = client.get(f"/api/v1/quotes/{data['id']}").get_json()
    assert again["current_policy"] == current
    bad = client.post("/api/v1/quotes", json={**API_BODY, "current_policy": {"insurer": "どこか"}, "start_date": "2030-01-01"})
    assert bad.status_code == 422
    fields = {f["field"] for f in bad.get_json()["error"]["fields"]}
    assert {"current_policy.insurer", "current_policy.line", "current_policy.limit_jpy", "start_date"} <= fields


def _form_fields(page: str, action: str) -> dict[str, Any]:
    """What the form posting to `action` would send as it stands: its inputs, ticked boxes, selected options and texts."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.fields, self.select, self.textarea = False, {}, None, None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "form":
                self.inside = a.get("action", "").split("?")[0].endswith(action)
            elif not self.inside or ("name" not in a and tag != "option"):
                return
            elif tag == "input" and a.get("type") in ("checkbox", "radio"):
                if "checked" in dict(attrs):
                    self.fields.setdefault(a["name"], []).append(a.get("value", "on"))
            elif tag == "input":
                self.fields[a["name"]] = a.get("value", "")
            elif tag == "select":
                self.select = a["name"]
            elif tag == "option" and self.select and ("selected" in dict(attrs) or self.select not in self.fields):
                self.fields[self.select] = a.get("value", "")
            elif tag == "textarea":
                self.textarea = a["name"]
                self.fields[a["name"]] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.inside = False
            self.select = None if tag == "select" else self.select
            self.textarea = None if tag == "textarea" else self.textarea

        def handle_data(self, data: str) -> None:
            if self.textarea:
                self.fields[self.textarea] += data.lstrip("\n")

    reader = Reader()
    reader.feed(page)
    return reader.fields


def _proposed(app: Flask, broker: FlaskClient) -> tuple[int, str, str]:
    """A customer's request, with the candidate proposed through the three steps: (request id, its page, the plan)."""
    _client, created = _submit(app, {})
    token = created.headers["Location"].rsplit("/", 1)[1]
    request_id = _request(app, token).id
    detail = f"/broker/requests/{request_id}"
    return request_id, detail, _propose(broker, detail)


def _propose(broker: FlaskClient, detail: str) -> str:
    """The request's candidate proposed as the form prefills it (each departure from the wishes given a reason)."""
    fields = {**_form_fields(broker.get(detail).get_data(as_text=True), "/proposal"), "explained_on": clock.today().isoformat()}
    posted = broker.post(f"{detail}/proposal", data=fields)
    if posted.status_code == 400:  # the candidate departs from the wishes somewhere: each departure gets its reason
        reasons = dict.fromkeys(re.findall(r'name="(departure-[a-z_-]+)"', posted.get_data(as_text=True)), "担当者の判断")
        posted = broker.post(f"{detail}/proposal", data={**fields, **reasons})
    assert posted.status_code == 302, posted.get_data(as_text=True)[-3000:]
    return str(fields["plan"])


def _win(broker: FlaskClient, detail: str, plan: str, **extra: str) -> Any:
    data = {"plan": plan, "premium": "1,234,000", "start": "2026-12-01", "expiry": "2027-12-01", "number": "CY-0001", **extra}
    return broker.post(f"{detail}/win", data={"csrf_token": _token(broker, detail), **data})


def test_winning_records_the_policy_and_a_won_request_reopens_only_with_a_reason(app: Flask, broker: FlaskClient) -> None:
    request_id, detail, plan = _proposed(app, broker)
    assert "満期日は始期日より後" in (_win(broker, detail, plan, expiry="2026-11-30") and broker.get(detail).get_data(as_text=True))
    assert _win(broker, detail, plan).status_code == 302
    page = broker.get(detail).get_data(as_text=True)
    assert "成約した契約" in page and "CY-0001" in page and "2026-12-01 〜 2027-12-01" in page
    with app.app_context():
        policy = db.session.query(Policy).one()
        carrier, _, code = plan.partition(":")
        assert (policy.carrier, policy.plan_code, policy.premium_jpy, policy.status) == (carrier, code, 1_234_000, "in_force")
        assert policy.items and policy.expiry_date == date(2027, 12, 1)
        assert db.session.get(QuoteRequest, request_id).status == "won"  # type: ignore[union-attr]
    csrf = _token(broker, detail)
    broker.post(f"{detail}/status", data={"csrf_token": csrf, "status": "quoted"})
    assert "「成約を取り消す」に理由を入力して提案済に戻してから変更してください" in broker.get(detail).get_data(as_text=True)
    broker.post(f"{detail}/proposal", data={"csrf_token": csrf, "wishes": "x", "plan": plan, "reasons": "y"})
    assert "先に「成約を取り消す」に理由を入力して提案済に戻してください" in broker.get(detail).get_data(as_text=True)
    broker.post(f"{detail}/reopen", data={"csrf_token": csrf, "reason": "  "})
    assert "理由を入力してください" in broker.get(detail).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuoteRequest, request_id).status == "won"  # type: ignore[union-attr]
    assert broker.post(f"{detail}/reopen", data={"csrf_token": csrf, "reason": "別の会社と誤って成約にしました"}).status_code == 302
    page = broker.get(detail).get_data(as_text=True)
    assert "取消: 別の会社と誤って成約にしました" in page and "成約の記録" in page  # back to 提案済: it can be won again
    with app.app_context():
        assert db.session.get(QuoteRequest, request_id).status == "proposed"  # type: ignore[union-attr]
        policy = db.session.query(Policy).one()
        assert (policy.status, policy.cancel_reason) == ("cancelled", "別の会社と誤って成約にしました")
        entry = db.session.query(AuditEntry).filter_by(action="request.reopen").one()
        assert "別の会社と誤って成約にしました" in entry.detail and entry.username == "tanaka"


def test_a_quoted_request_is_not_won_without_a_proposal(app: Flask, broker: FlaskClient) -> None:
    _client, created = _submit(app, {})
    request_id = _request(app, created.headers["Location"].rsplit("/", 1)[1]).id
    detail = f"/broker/requests/{request_id}"
    plan = re.search(r'<option value="([a-z_]+:[A-Z0-9-]+)"', broker.get(detail).get_data(as_text=True))
    assert plan
    _win(broker, detail, plan.group(1))
    with app.app_context():
        assert db.session.query(Policy).count() == 0


def test_policies_due_are_listed_and_re_quoted_as_a_job_against_the_policy_they_renew(app: Flask, broker: FlaskClient, worker: Any) -> None:
    _request_id, detail, plan = _proposed(app, broker)
    _win(broker, detail, plan)
    assert "株式会社テスト開発" not in broker.get("/broker/renewals").get_data(as_text=True)  # a year off: not due
    with clock.travel(date(2027, 10, 15)):  # 47 days before the expiry
        page = broker.get("/broker/renewals").get_data(as_text=True)
        section = page[page.index('id="within-60"') : page.index('id="within-90"')]
        assert "株式会社テスト開発" in section and "2027-12-01" in section and "47日" in section
        assert "60日以内の契約をまとめて再見積もり(1件)" in page
        started = broker.post("/broker/renewals/requote", data={"csrf_token": _token(broker, "/broker/renewals"), "window": "60"})
        job_token = started.headers["Location"].rsplit("/", 1)[1]
        status = _wait(broker, job_token)
        assert status["status"] == "done" and status["clients"] == 1, status
        with app.app_context():
            policy = db.session.query(Policy).one()
            renewal = db.session.get(QuoteRequest, policy.renewal_request_id)
            assert renewal is not None and renewal.source == "renewal" and renewal.company == "株式会社テスト開発"
            assert renewal.start_date == date(2027, 12, 1) and renewal.versions[0].as_of == date(2027, 12, 1)
            assert renewal.versions[0].line == policy.line
            current = renewal.versions[0].record["comparison"]["current_policy"]
            assert current["policy"]["insurer"] == policy.carrier and current["policy"]["product"] == policy.plan_name
            assert current["policy"]["premium_jpy"] == 1_234_000 and current["policy"]["policy_number"] == "CY-0001"
            renewal_id = renewal.id
        page = broker.get(f"/broker/requests/{renewal_id}").get_data(as_text=True)
        assert "の更改です" in page and "現在のご契約" in page and policy.plan_name in page
        assert "まだ再見積もりしていない契約はありません" in broker.post(
            "/broker/renewals/requote", data={"csrf_token": _token(broker, "/broker/renewals"), "window": "90"}, follow_redirects=True
        ).get_data(as_text=True)
        assert "株式会社テスト開発" in broker.get("/broker/?source=renewal").get_data(as_text=True)
        # winning the renewal marks the policy it renews as renewed
        renewal_page = f"/broker/requests/{renewal_id}"
        chosen = _propose(broker, renewal_page)
        _win(broker, renewal_page, chosen, start="2027-12-01", expiry="2028-12-01", number="CY-0002")
        with app.app_context():
            statuses = {p.policy_number: p.status for p in db.session.query(Policy)}
            assert statuses == {"CY-0001": "renewed", "CY-0002": "in_force"}


def test_rows_of_a_quoted_list_become_requests_with_their_quotes(app: Flask, broker: FlaskClient, worker: Any) -> None:
    rows = [GOOD, [f"{GOOD[0]}2", *GOOD[1:]], [f"{GOOD[0]}3", *GOOD[1:]], [*GOOD[:1], "パン屋", *GOOD[2:]]]
    upload = broker.post(
        "/broker/bulk",
        data={"csrf_token": _token(broker, "/broker/bulk"), "file": (io.BytesIO(_client_list(rows)), "顧客リスト.xlsx")},
    )
    token = upload.headers["Location"].rsplit("/", 1)[1]
    assert _wait(broker, token)["status"] == "done"
    page = broker.get(f"/broker/bulk/{token}").get_data(as_text=True)
    assert "すべての行(3社)を見積依頼にする" in page and 'name="row" value="2"' in page
    chosen = broker.post(f"/broker/bulk/{token}/requests", data={"csrf_token": _token(broker, f"/broker/bulk/{token}"), "row": ["3"]})
    first = _wait(broker, chosen.headers["Location"].rsplit("/", 1)[1])
    assert first["status"] == "done" and first["clients"] == 1, first
    dashboard = broker.get("/broker/?source=bulk").get_data(as_text=True)
    assert f"{GOOD[0]}2" in dashboard and f"{GOOD[0]}3" not in dashboard
    every = broker.post(f"/broker/bulk/{token}/requests", data={"csrf_token": _token(broker, f"/broker/bulk/{token}"), "all": "1"})
    rest = _wait(broker, every.headers["Location"].rsplit("/", 1)[1])
    assert rest["status"] == "done" and rest["clients"] == 2, rest  # the row already made a request is not made twice
    with app.app_context():
        job = db.session.query(BulkJob).filter_by(token=token).one()
        made = db.session.query(QuoteRequest).filter_by(bulk_job_id=job.id).order_by(QuoteRequest.bulk_row).all()
        assert [(r.bulk_row, r.company, r.source, r.status) for r in made] == [
            (2, GOOD[0], "bulk", "new"),
            (3, f"{GOOD[0]}2", "bulk", "new"),
            (4, f"{GOOD[0]}3", "bulk", "new"),
        ]
        # one version per line the row asks for, each with every carrier loaded
        assert [len(r.versions) for r in made] == [len(r.lines.split(",")) for r in made]
        assert all(len({c["carrier"] for c in v.record["comparison"]["columns"]}) == len(REGISTRY) for r in made for v in r.versions)
        request_id = made[0].id
    dashboard = broker.get("/broker/?source=bulk").get_data(as_text=True)
    assert all(name in dashboard for name in (GOOD[0], f"{GOOD[0]}2", f"{GOOD[0]}3")) and "一括見積" in dashboard
    detail = broker.get(f"/broker/requests/{request_id}").get_data(as_text=True)
    assert "東京海上日動" in detail and "年間保険料" in detail and "意向把握と比較推奨" in detail
    assert "見積依頼を開く" in broker.get(f"/broker/bulk/{token}").get_data(as_text=True)
