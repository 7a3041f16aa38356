"""A broker in a real browser: log in, upload a client list, watch the progress bar finish, download the result."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import DESKTOP, TIMEOUT_MS, serving_with_broker
from tests.test_bulk import GOOD, HEAD

pytestmark = pytest.mark.browser
PASSWORD = "browser test password 2026"


@pytest.fixture(scope="module")
def broker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a broker account and the embedded worker, so bulk jobs really run through the queue."""
    with serving_with_broker(tmp_path_factory.mktemp("broker-app"), PASSWORD) as url:
        yield url


def _client_list(path: Path, good: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEAD)
    for i in range(good):
        sheet.append([f"株式会社ブラウザ{i:03d}", *GOOD[1:]])
    sheet.append(["株式会社入力ミス", "パン屋", *GOOD[2:]])
    book.save(path)
    return path


def test_broker_uploads_a_client_list_watches_progress_and_downloads(
    browser: object, broker_server: str, screenshots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=broker_server, viewport=DESKTOP, locale="ja-JP", accept_downloads=True)  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/broker/bulk")
        assert page.url.endswith("/broker/login?next=%2Fbroker%2Fbulk")  # anonymous: sent to the login page
        page.get_by_label("ユーザー名").fill("yamada")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url("**/broker/bulk")
        page.get_by_label("顧客リスト(.xlsx / .csv)").set_input_files(str(_client_list(tmp_path / "顧客リスト.xlsx", 120)))
        page.get_by_role("button", name="アップロードして見積もる").click()
        page.wait_for_url("**/broker/bulk/*")
        progress = page.locator("progress.job-progress")
        assert progress.is_visible()
        page.get_by_role("link", name="結果をダウンロード").wait_for(state="visible", timeout=60_000)
        assert progress.evaluate("el => el.value") == 100
        assert page.get_by_text("完了").first.is_visible()
        assert "見積もった社数: 120" in page.locator(".job-result").inner_text()
        assert page.get_by_text("取り込めなかった行").is_visible() and page.get_by_text("業種が一覧にありません").is_visible()
        page.screenshot(path=screenshots / "broker-bulk-done.png", full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="結果をダウンロード").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
        results = next(book[name] for name in book.sheetnames if name.startswith("一括見積結果"))
        companies = [row[1] for row in results.iter_rows(values_only=True) if isinstance(row[0], int)]
        assert len(companies) == 120 and companies[0] == "株式会社ブラウザ000"
        assert any(row[1] == "業種" for row in book["エラー"].iter_rows(values_only=True))
        assert saved.name.endswith("_見積結果.xlsx")
    finally:
        context.close()


def test_broker_hears_confirms_and_proposes_and_the_customer_sees_the_proposal(
    browser: object, broker_server: str, screenshots: Path
) -> None:
    """意向把握 → 意向確認 → 比較推奨 in a real browser: a departure from the confirmed wishes needs its reason."""
    import re

    from playwright.sync_api import expect

    from aggregator import clock
    from tests.browser.test_customer_flow import WORDS, fill_quote_form

    context = browser.new_context(base_url=broker_server, viewport=DESKTOP, locale="ja-JP")  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    try:
        customer = context.new_page()
        customer.goto("/?lang=ja")
        fill_quote_form(customer, "ja")
        customer.get_by_role("button", name=WORDS["ja"]["submit"]).click()
        customer.wait_for_url(re.compile(r"/quotes/[A-Za-z0-9_-]{32,}$"))
        link = customer.url
        expect(customer.locator("section.recommendation h2")).to_have_text("ご希望に基づく候補")

        page = context.new_page()
        page.goto("/broker/login")
        page.get_by_label("ユーザー名").fill("yamada")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.get_by_role("link", name="株式会社テスト開発").first.click()
        advice = page.locator("section.advice")
        expect(advice.get_by_label("ご要望(お客様のことば)").first).to_have_value("お詫び対応を重視")  # prefilled from the request
        final = advice.locator("fieldset.advice-step").nth(1)
        final.get_by_label("支払限度額").select_option(label="5億円")
        advice.get_by_label("ご提案するプラン").select_option("tokio_marine:TMC-S")
        advice.get_by_label("当初のご意向から変わった点の経緯").fill("お電話で、取引先から5億円の補償を求められていると伺った")
        advice.get_by_label("重要事項説明(契約概要・注意喚起情報)の説明日").fill(clock.today().isoformat())
        advice.get_by_role("button", name="提案を記録する").click()
        # The reasons prefilled are the automatic candidate's (another plan): they must be the broker's own.
        expect(page.get_by_text("理由が自動で選んだ候補のままです", exact=False)).to_be_visible()
        page.locator("section.advice").get_by_label("提案の理由").fill("お詫び対応の費用が手厚く、保険料も予算内のため")
        page.locator("section.advice").get_by_role("button", name="提案を記録する").click()

        departures = page.locator(".departures")
        expect(departures).to_contain_text("支払限度額1億円がご希望の5億円に届きません")
        expect(page.locator(".advice-changes")).to_contain_text("支払限度額: 1億円 → 5億円")
        departures.screenshot(path=screenshots / "broker-advice-departure.png")
        departures.get_by_role("textbox").first.fill("このプランの支払限度額は3,000万円〜1億円。5億円は別プランで再見積もり予定")
        for extra in departures.get_by_role("textbox").all()[1:]:
            extra.fill("担当者がお客様と確認済み")
        page.locator("section.advice").get_by_role("button", name="提案を記録する").click()
        expect(page.get_by_text("提案を記録しました")).to_be_visible()
        recorded = page.locator("ol.proposals > li").first
        expect(recorded).to_contain_text("東京海上日動 サイバーリスク保険 スタンダードプラン")
        expect(recorded).to_contain_text("5億円は別プランで再見積もり予定")
        recorded.screenshot(path=screenshots / "broker-advice-recorded.png")
        page.goto("/broker/audit")
        expect(page.locator("table.list")).to_contain_text("提案の記録")
        expect(page.locator("table.list")).not_to_contain_text("tokio_marine")
        page.screenshot(path=screenshots / "broker-audit-log.png", full_page=True)

        customer.goto(link)
        proposal = customer.locator("section.recommendation")
        expect(proposal.get_by_role("heading", level=2)).to_have_text("担当者からのご提案")
        expect(proposal).to_contain_text("東京海上日動 サイバーリスク保険 スタンダードプラン")
        expect(proposal).to_contain_text("サンプル代理店(開発用の仮の名称)")
        proposal.screenshot(path=screenshots / "ja-7-confirmed-proposal.png")
    finally:
        context.close()
