"""The audit log reads as words: statuses by their names, amounts as amounts, carriers by name, in the page's language."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.web.test_broker import _customer_request, _token, app, broker  # noqa: F401 (fixtures)
from webapp.extensions import db
from webapp.models import AuditEntry, QuoteRequest


def _cells(page: str) -> str:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_log_words_new_entries_from_their_data_and_old_ones_from_their_detail(app: Flask, broker: FlaskClient) -> None:  # noqa: F811
    token = _customer_request(app)
    with app.app_context():
        request_id = db.session.execute(db.select(QuoteRequest.id).where(QuoteRequest.token == token)).scalar_one()
        target = f"request:{request_id}"
        db.session.add_all(  # written before entries kept data: their detail is all there is
            [
                AuditEntry(username="tanaka", action="request.status", target=target, detail="proposed -> won"),
                AuditEntry(
                    username="tanaka", action="request.requote", target=target, detail="v2 it_eo limit=500000000 deductible=1000000"
                ),
                AuditEntry(username="tanaka", action="request.proposal", target=target, detail="v2 tokio_marine:TMC-S"),
                AuditEntry(username="tanaka", action="carrier.mapping", target="carrier:aig", detail="Breach Coach -> legal_consulting"),
                AuditEntry(username="tanaka", action="someone.else", target="x:1", detail="kept as written"),
            ]
        )
        db.session.commit()
    detail = f"/broker/requests/{request_id}"
    csrf = _token(broker, detail)
    broker.post(f"{detail}/requote", data={"csrf_token": csrf, "line": "cyber", "limit_jpy": "300000000", "deductible_jpy": "500000"})
    broker.post(f"{detail}/status", data={"csrf_token": csrf, "status": "proposed"})

    ja = _cells(broker.get("/broker/audit?lang=ja").get_data(as_text=True))
    for words in (
        "状態の変更",
        "提案済 → 成約",
        "見積済 → 提案済",
        "第2版: IT業務過誤賠償責任保険 支払限度額 5億円 / 免責金額 100万円",
        "第2版: サイバー保険 支払限度額 3億円 / 免責金額 50万円",
        "第2版: 東京海上日動 TMC-S",
        "「Breach Coach」→ 弁護士・コンサルタント相談費用",
        "AIG損保",
        f"見積依頼 #{request_id} 株式会社テスト開発",
        "kept as written",
    ):
        assert words in ja, words
    for code in ("proposed -> won", "limit=", "tokio_marine", "request.status", "carrier:aig"):
        assert code not in ja, code

    en = _cells(broker.get("/broker/audit?lang=en").get_data(as_text=True))
    for words in (
        "Status changed",
        "Proposed → Won",
        "version 2: IT errors & omissions, limit ¥500,000,000, deductible ¥1,000,000",
        "Tokio Marine & Nichido TMC-S",
        "AIG General Insurance",
        f"Request #{request_id}",
    ):
        assert words in en, words
    request_page = broker.get(f"{detail}?lang=ja").get_data(as_text=True)
    assert "提案済 → 成約" in request_page and "proposed -&gt; won" not in request_page


def test_flashed_messages_follow_the_page_language(app: Flask, broker: FlaskClient) -> None:  # noqa: F811
    token = _customer_request(app)
    with app.app_context():
        request_id = db.session.execute(db.select(QuoteRequest.id).where(QuoteRequest.token == token)).scalar_one()
    detail = f"/broker/requests/{request_id}"
    broker.get(f"{detail}?lang=en")
    broker.post(f"{detail}/status", data={"csrf_token": _token(broker, detail), "status": "won"})
    page = broker.get(detail).get_data(as_text=True)
    assert "A request cannot go from “New” to “Won”" in page and "には変更できません" not in page
    logged_out = app.test_client()
    logged_out.get("/?lang=en")
    assert "Please log in" in logged_out.get("/broker/", follow_redirects=True).get_data(as_text=True)
