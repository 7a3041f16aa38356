"""The customer's form and results pages, through the Flask test client."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import FORM, make_app
from webapp import storage
from webapp.models import QuoteRequest


def _submit(client: FlaskClient, **changes: Any) -> Any:
    return client.post("/", data={**FORM, **changes})


def test_form_is_japanese_first_with_purpose_of_use(client: FlaskClient, app: Flask) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in page
    count = len(app.extensions["carriers"])
    assert f"1回の入力で、{count}社の見積もりを並べて比較" in page
    assert "比較のためにのみ利用し" in page and f"AIG損保の{count}社に提供します" in page
    assert "サンプルデータ" in page
    assert '<label for="company">会社名</label>' in page


def test_english_is_one_click_away(client: FlaskClient) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "One form, 5 insurers' quotes side by side" in page  # the count of the carriers loaded, never a literal
    assert "Sample data" in page and "Company name" in page
    assert "System integration / contract development" in page  # choices follow the language too
    assert "Company name" in client.get("/").get_data(as_text=True)  # the choice is remembered


def test_submission_stores_the_request_and_shows_five_carriers(client: FlaskClient, app: Flask) -> None:
    response = _submit(client)
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert len(token) >= 32
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for name in ("東京海上日動", "三井住友海上", "損保ジャパン", "あいおいニッセイ同和損保", "AIG損保"):
        assert name in page
    assert "ご提案" in page and "原因・被害範囲調査費用" in page and "推定必要額" in page
    with app.app_context():
        row = storage.find_request(token)
        assert row is not None and row.company == "株式会社テスト開発"
        assert row.latest.record["rate_versions"] and row.priorities["note"] == "お詫び対応を重視"


def test_page_and_api_show_the_same_premiums(client: FlaskClient) -> None:
    location = _submit(client).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    data = client.get("/api/v1/quotes/" + location.rsplit("/", 1)[1]).get_json()
    for column in data["comparison"]["columns"]:
        if column["premium_jpy"] is not None:
            assert f"{column['premium_jpy']:,}円" in page


def test_errors_are_japanese_and_keep_what_was_typed(client: FlaskClient) -> None:
    response = _submit(client, company="", annual_revenue="たくさん", consent="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "入力内容をご確認ください" in page
    assert "入力してください" in page
    assert "金額として読めません" in page
    assert "同意が必要です" in page
    assert 'value="たくさん"' in page and 'value="tanaka@example.co.jp"' in page
    assert 'aria-invalid="true"' in page


def test_switching_limit_and_line_keeps_earlier_versions(client: FlaskClient) -> None:
    location = _submit(client, lines=["cyber"]).headers["Location"]
    token = location.rsplit("/", 1)[1]
    switched = client.post(f"/quotes/{token}/requote", data={"line": "it_eo", "limit_jpy": "300000000", "deductible_jpy": "1000000"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("?v=2")
    page = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert "IT業務過誤賠償責任保険" in page and "第2版" in page
    assert re.search(r"ご希望: 支払限度額 3億円 / 免責金額 100万円", page)
    first = client.get(f"/quotes/{token}?v=1").get_data(as_text=True)
    assert "第1版" in first and "支払限度額 1億円" in first
    assert client.get(f"/quotes/{token}?v=9").status_code == 404
    bad = client.post(f"/quotes/{token}/requote", data={"line": "it_eo", "limit_jpy": "123", "deductible_jpy": "0"})
    assert bad.status_code == 400


def test_unknown_links_are_404(client: FlaskClient) -> None:
    assert client.get("/quotes/not-a-real-token").status_code == 404
    assert "ページが見つかりません" in client.get("/quotes/x").get_data(as_text=True)


def test_no_customer_data_in_logs(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _submit(client, company="株式会社ログ確認", contact_email="secret-person@example.jp")
    assert "ログ確認" not in caplog.text and "secret-person" not in caplog.text


def test_storage_round_trips_on_both_databases(backend: str, tmp_path: Path) -> None:
    app = make_app(backend, tmp_path, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    location = _submit(client, records_held="123456789012", lines=["cyber"]).headers["Location"]
    token = location.rsplit("/", 1)[1]
    client.post(f"/quotes/{token}/requote", data={"line": "cyber", "limit_jpy": "1000000000", "deductible_jpy": "0"})
    with app.app_context():
        row = storage.find_request(token)
        assert isinstance(row, QuoteRequest)
        assert [v.number for v in row.versions] == [1, 2]
        assert row.versions[1].limit_jpy == 1_000_000_000 and isinstance(row.versions[1].limit_jpy, int)
        assert row.applicant["records_held"] == 123_456_789_012
        comparison, fresh = storage.comparison_of(app.extensions["rater"], row.versions[1], {})
        assert fresh and len(comparison.columns) == len(app.extensions["carriers"])  # every carrier loaded, one column each
    assert client.get(location).status_code == 200


def test_sqlite_runs_in_wal_with_full_sync_and_a_busy_timeout(app: Flask) -> None:
    from sqlalchemy import text

    from webapp.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_quote_made_before_a_rate_change_is_shown_on_todays_rates_not_declined(client: FlaskClient, app: Flask) -> None:
    from dataclasses import replace
    from datetime import date

    from aggregator.rating import Rater

    location = _submit(client).headers["Location"]
    with app.app_context():
        row = storage.find_request(location.rsplit("/", 1)[1])
        assert row is not None
        version = row.latest
        version.as_of = date(2026, 5, 1)  # quoted in May
        version.record = {**version.record, "as_of": "2026-05-01"}
        from webapp.extensions import db

        db.session.commit()
        data = app.extensions["carriers"]
        tokio = next(d for d in data.values() if d.carrier.value == "tokio_marine")
        newer = replace(
            tokio,
            rate_tables=tuple(
                replace(t, version="2026.07", effective_from=date(2026, 7, 1), minimum_premium_jpy=t.minimum_premium_jpy + 10)
                for t in tokio.rate_tables
            ),
        )
        app.extensions["rater"] = Rater([newer if d is tokio else d for d in data.values()])
        app.extensions["comparisons"].clear()
        app.extensions["fragments"].clear()
        comparison, fresh = storage.comparison_of(app.extensions["rater"], version, app.extensions["comparisons"])
    assert not fresh
    tokio_column = next(c for c in comparison.columns if c.quote.carrier.value == "tokio_marine")
    assert tokio_column.quote.status.value != "declined" and tokio_column.quote.rate_version == "2026.07"
    assert "料率が更新されました" in client.get(location).get_data(as_text=True)


def test_a_gross_margin_given_on_the_form_sets_the_business_interruption_need(client: FlaskClient) -> None:
    page = client.get(_submit(client, gross_margin="60").headers["Location"]).get_data(as_text=True)
    # 5億円 × 60% ÷ 365 = 821,917円 a day × 5 days = 410万9,585円
    assert "粗利率60%(ご申告)" in page
    blank = client.get(_submit(client).headers["Location"]).get_data(as_text=True)
    assert "粗利率25%(システム受託開発・SIの仮定値。実際の粗利率に変更できます)" in blank
    wrong = _submit(client, gross_margin="120")
    assert wrong.status_code == 400 and "粗利率は0〜100％の整数で入力してください" in wrong.get_data(as_text=True)


def test_a_request_for_two_lines_shows_both_and_where_they_overlap(client: FlaskClient) -> None:
    token = _submit(client).headers["Location"].rsplit("/", 1)[1]  # cyber and IT E&O asked
    cyber = client.get(f"/quotes/{token}").get_data(as_text=True)
    assert '<span aria-current="page">サイバー保険</span>' in cyber  # the first line asked opens first
    assert f'href="/quotes/{token}?line=it_eo"' in cyber
    # 東京海上日動 and 損保ジャパン sell IT E&O as their cyber policy with an IT rider
    assert "東京海上日動・損保ジャパンのIT業務過誤賠償責任保険は、サイバー保険にIT業務の特約を付けた商品です" in cyber
    it_eo = client.get(f"/quotes/{token}?line=it_eo").get_data(as_text=True)
    assert '<span aria-current="page">IT業務過誤賠償責任保険</span>' in it_eo
    # あいおいニッセイ同和損保 sells no IT E&O in the sample data: its column says so and names its nearest product
    assert "IT業務過誤賠償責任保険の取扱いはありません。" in it_eo and "近い商品: 専門職業賠償責任保険" in it_eo
    data = client.get(f"/api/v1/quotes/{token}").get_json()
    assert data["comparison"]["columns"][0]["line"] == "cyber"
