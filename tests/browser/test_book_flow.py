"""The broker's book in a real browser: a customer with a current policy, the comparison with it first, the broker wins it,
the policy comes due (the test's clock), and the renewal re-quote is compared with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from aggregator import clock
from tests.browser.conftest import DESKTOP, TIMEOUT_MS, serving_with_broker
from tests.browser.test_customer_flow import comparison_table, fill_quote_form

pytestmark = pytest.mark.browser
PASSWORD = "browser book password 2026"
COMPANY = "株式会社テスト開発"


@pytest.fixture(scope="module")
def book_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a broker and the embedded worker, so the renewal job runs through the queue."""
    with serving_with_broker(tmp_path_factory.mktemp("book-app"), PASSWORD) as url:
        yield url


def _enter_current_policy(page: Page) -> None:
    page.get_by_text("現在のご契約(任意)").click()  # the section opens
    page.get_by_label("現在の保険会社").select_option(label="その他")
    page.get_by_label("保険会社名(一覧にない場合)").fill("架空損保")
    page.get_by_label("商品名・プラン名").fill("サイバー保険ライト")
    page.get_by_label("現在の保険の種類").select_option(label="サイバー保険")
    page.get_by_label("現在の支払限度額").fill("5,000万円")
    page.get_by_label("現在の免責金額").fill("10万円")
    page.get_by_label("現在の年間保険料").fill("300,000")
    page.get_by_label("満期日").fill("2027-03-31")
    items = page.get_by_role("group", name="補償されている項目(分かる範囲で)")
    items.get_by_label("損害賠償金", exact=True).select_option(label="補償あり")
    items.get_by_label("原因・被害範囲調査費用", exact=True).select_option(label="補償あり")
    items.get_by_label("原因・被害範囲調査費用の限度額").fill("300万円")
    items.get_by_label("コールセンター費用", exact=True).select_option(label="補償なし")


def _headers(page: Page) -> list[str]:
    return [t.strip() for t in comparison_table(page, "ja").locator("thead th").all_inner_texts()]


def test_a_current_policy_is_compared_won_and_renewed_against(browser: object, book_server: str, screenshots: Path) -> None:
    context = browser.new_context(base_url=book_server, viewport=DESKTOP, locale="ja-JP")  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        # the customer: the form with what is held today and when cover should start
        page.goto("/")
        fill_quote_form(page, "ja")
        _enter_current_policy(page)
        page.get_by_label("始期日(補償の開始日)").fill("2026-12-01")
        page.locator("section.current-policy").screenshot(path=screenshots / "book-form-current-policy.png")
        page.get_by_role("button", name="5社の見積もりを比較する").click()
        page.wait_for_url(re.compile(r"/quotes/[^/?]+$"))
        headers = _headers(page)
        assert headers[2].startswith("現在のご契約") and "架空損保 サイバー保険ライト" in headers[2]  # the first column
        expect(page.get_by_text("始期日 2026-12-01")).to_be_visible()
        table = comparison_table(page, "ja")
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="サイバー恐喝", exact=True))
        assert row.get_by_role("cell").nth(1).inner_text().strip() == "不明"  # not known: 不明, never 補償なし
        expect(table.locator(".vs-better").first).to_be_visible()
        expect(table.get_by_text("現在との差").first).to_be_visible()
        page.screenshot(path=screenshots / "book-customer-current-policy.png", full_page=True)

        # the broker: records the proposal, then wins it with the policy's details
        page.goto("/broker/login")
        page.get_by_label("ユーザー名").fill("yamada")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url("**/broker/")
        page.get_by_role("link", name=COMPANY).first.click()
        advice = page.locator("section.advice")
        advice.get_by_label("重要事項説明(契約概要・注意喚起情報)の説明日").fill(clock.today().isoformat())
        advice.get_by_role("button", name="提案を記録する").click()
        win = page.locator("form.win-form")
        expect(win).to_be_visible()
        assert win.get_by_label("始期日").input_value() == "2026-12-01"
        assert win.get_by_label("満期日").input_value() == "2027-12-01"
        won_plan = win.get_by_label("成約したプラン").evaluate("el => el.options[el.selectedIndex].text")
        win.get_by_label("証券番号").fill("CY-2026-0001")
        win.get_by_role("button", name="成約として記録する").click()
        expect(page.get_by_role("heading", name="成約した契約")).to_be_visible()
        expect(page.locator(".result-head .status-tag")).to_have_text("成約")
        expect(page.get_by_text("2026-12-01 〜 2027-12-01")).to_be_visible()
        page.locator("#book").screenshot(path=screenshots / "book-broker-won.png")

        # the policy comes due: 47 days before its expiry it is in the 60-day window
        with clock.travel(date(2027, 10, 15)):
            page.get_by_role("link", name="満期管理").click()
            window = page.locator("#within-60")
            expect(window.get_by_role("link", name=COMPANY)).to_be_visible()
            expect(window.get_by_text("47日")).to_be_visible()
            expect(page.locator("#w60-title")).to_contain_text("満期まで31〜60日")
            page.screenshot(path=screenshots / "book-renewals-due.png", full_page=True)
            window.get_by_role("button", name="60日以内の契約をまとめて再見積もり(1件)").click()
            page.wait_for_url("**/broker/bulk/*")
            page.get_by_role("link", name="作成した見積依頼を見る").click(timeout=60_000)
            page.wait_for_url("**/broker/?source=renewal")
            page.get_by_role("link", name=COMPANY).first.click()
            expect(page.get_by_text("の更改です")).to_be_visible()
            headers = _headers(page)
            carrier, _, plan = won_plan.partition(" ")
            assert headers[2].startswith("現在のご契約") and carrier in headers[2] and plan in headers[2], headers
            expect(comparison_table(page, "ja").get_by_text("現在との差").first).to_be_visible()
            page.screenshot(path=screenshots / "book-renewal-comparison.png", full_page=True)
    finally:
        context.close()
