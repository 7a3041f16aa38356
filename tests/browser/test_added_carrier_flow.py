"""A carrier added as data, in a real browser: the broker downloads the canonical workbook, uploads the invented
サンプル損保 filled in, and the customer's form, comparison and workbook then show six carriers, their headers still
breaking only between words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from aggregator.schema import Carrier
from tests.browser.conftest import DESKTOP, TIMEOUT_MS, serving_with_broker
from tests.browser.test_customer_flow import WORDS, assert_headers_break_between_words, comparison_table, fill_quote_form, shown_premiums

pytestmark = pytest.mark.browser
PASSWORD = "browser added carrier 2026"
SAMPLE = next((Path(__file__).resolve().parents[2] / "fixtures" / "added" / "sample_sonpo").glob("*.xlsx"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_with_broker(tmp_path_factory.mktemp("added-carrier-app"), PASSWORD) as url:
        yield url
    Carrier.forget("sample_sonpo")


def test_a_broker_adds_a_carrier_and_the_customer_compares_six(browser: object, server: str, screenshots: Path, tmp_path: Path) -> None:
    context = browser.new_context(base_url=server, viewport=DESKTOP, locale="ja-JP", accept_downloads=True)  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/broker/login")
        page.get_by_label("ユーザー名").fill("yamada")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.get_by_role("link", name="保険会社データ").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="標準様式のブックをダウンロード").click()
        template = tmp_path / download.value.suggested_filename
        download.value.save_as(template)
        assert openpyxl.load_workbook(template).sheetnames[-1] == "記入方法"

        page.get_by_label("記入済みの標準様式のブック(.xlsx)").set_input_files(SAMPLE)
        page.get_by_role("button", name="アップロードして追加").click()
        expect(page.get_by_text("サンプル損保 を追加しました")).to_be_visible()
        added = page.locator("section#sample_sonpo")
        expect(added.get_by_role("heading", level=2)).to_contain_text("サンプル損保")
        expect(added.get_by_text("サンプルデータ")).to_be_visible()  # invented, and says so
        page.screenshot(path=screenshots / "added-1-carriers.png", full_page=True)

        customer = context.new_page()
        customer.goto("/")
        expect(customer.get_by_role("heading", level=1)).to_have_text("1回の入力で、6社の見積もりを並べて比較")
        fill_quote_form(customer, "ja")
        customer.get_by_role("button", name="6社の見積もりを比較する").click()
        customer.wait_for_url(re.compile(r"/quotes/[A-Za-z0-9_-]{32,}$"))
        table = comparison_table(customer, "ja")
        expect(table.get_by_role("columnheader").filter(has_text="サンプル損保").first).to_be_visible()
        assert len(shown_premiums(customer, "ja")) >= 6
        assert_headers_break_between_words(customer)
        customer.screenshot(path=screenshots / "added-2-comparison.png", full_page=True)
        with customer.expect_download() as download:
            customer.get_by_role("link", name=WORDS["ja"]["download"]).click()
        download.value.save_as(tmp_path / "comparison.xlsx")
        book = openpyxl.load_workbook(tmp_path / "comparison.xlsx")
        assert any("サンプル損保" in str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row)
    finally:
        context.close()
