"""A customer answers the contract check in a real browser, then reads the liability it sets and the six accidents, in Japanese and English.

The form's vendor (tests/web/conftest.py FORM), holding 200,000 records here, with a largest contract of
3,000万円. Capped at the contract amount with special damages excluded, but with leaks defined as gross
negligence: the ordinary case is 3,000万円 and the worst is the whole claim up the chain — 0.3% of
200,000 claim, 600 × 5,000円 = 300万円, and the client's apology to everyone, 200,000 × 500円 = 1億円 —
1億300万円, read up as 1億1,000万円.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from aggregator.contract import QUESTION
from tests.browser.test_customer_flow import MOBILE, WORDS, assert_no_sideways_page_scroll, fill_quote_form

pytestmark = pytest.mark.browser

ANSWERS = {  # question → the answer's words, in each language
    "liability_cap": ("契約金額が上限", "Capped at the contract amount"),
    "special_damages_excluded": ("はい", "Yes"),
    "gross_negligence_includes_leaks": ("はい", "Yes"),
    "payment_terms": ("いいえ", "No"),
}


def answer_contract_check(page: Page, lang: str) -> None:
    i = 1 if lang == "en" else 0
    for field, words in ANSWERS.items():
        question = QUESTION[field].text_en if i else QUESTION[field].text_ja
        group = page.get_by_role("group", name=question, exact=True)
        expect(group.get_by_label("Don't know" if i else "わからない", exact=True)).to_be_checked()  # unknown until answered
        group.get_by_label(words[i], exact=True).check()


def switch_to_it_eo(page: Page, lang: str) -> None:
    page.get_by_label("Insurance" if lang == "en" else "保険の種類", exact=True).select_option("it_eo")
    page.get_by_role("button", name=WORDS[lang]["requote"]).click()
    page.wait_for_url(re.compile(r"\?v=\d+$"))


def test_japanese_customer_answers_the_contract_check_and_reads_the_accidents(page: Page, screenshots: Path) -> None:
    page.goto("/")
    fill_quote_form(page, "ja")
    page.get_by_label(WORDS["ja"]["records_held"], exact=True).fill("200000")
    answer_contract_check(page, "ja")
    page.locator("section.contract-check").screenshot(path=screenshots / "ja-contract-1-form.png")
    page.get_by_role("button", name=WORDS["ja"]["submit"]).click()
    page.wait_for_url(re.compile(r"/quotes/[A-Za-z0-9_-]{32,}$"))
    switch_to_it_eo(page, "ja")

    contract = page.get_by_role("region", name="契約の確認と賠償の想定")
    expect(contract.get_by_text("通常の場合", exact=True)).to_be_visible()
    expect(contract.locator(".case.uncapped .amount")).to_have_text("1億1,000万円")
    expect(contract.locator(".case").first.locator(".amount")).to_have_text("3,000万円")
    expect(contract.get_by_text("支払の時期と金額を具体的に定め、「別途協議」のままにしないでください。")).to_be_visible()
    contract.screenshot(path=screenshots / "ja-contract-2-check.png")

    scenarios = page.get_by_role("region", name="事故が起きたら: 6つの事故例で見る支払額")
    summary = scenarios.get_by_role("region", name="事故例ごとの支払額(横にスクロールできます)").get_by_role("table")
    expect(summary.get_by_role("row")).to_have_count(7)  # a header and six accidents
    delay = scenarios.locator("#scenario-attack_delay")
    delay.locator("summary").click()
    expect(delay.get_by_text(re.compile("^単なる納期遅延"))).to_be_visible()
    expect(delay.get_by_text(re.compile("^サイバー攻撃による納期遅延")).first).to_be_visible()  # each plan says what it does
    scenarios.screenshot(path=screenshots / "ja-contract-3-scenarios.png")

    page.set_viewport_size(MOBILE)
    assert_no_sideways_page_scroll(page)
    page.locator("section.contract").screenshot(path=screenshots / "ja-contract-4-mobile.png")


def test_english_customer_answers_the_contract_check_and_reads_the_accidents(page: Page, screenshots: Path) -> None:
    page.goto("/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    fill_quote_form(page, "en")
    page.get_by_label(WORDS["en"]["records_held"], exact=True).fill("200000")
    answer_contract_check(page, "en")
    page.locator("section.contract-check").screenshot(path=screenshots / "en-contract-1-form.png")
    page.get_by_role("button", name=WORDS["en"]["submit"]).click()
    page.wait_for_url(re.compile(r"/quotes/[A-Za-z0-9_-]{32,}$"))
    switch_to_it_eo(page, "en")

    contract = page.get_by_role("region", name="Contract check and the liability it sets")
    expect(contract.locator(".case.uncapped .amount")).to_have_text("¥110,000,000")
    expect(contract.get_by_text("Fix when and how much is paid; do not leave it 'to be agreed separately' (別途協議).")).to_be_visible()
    contract.screenshot(path=screenshots / "en-contract-2-check.png")

    scenarios = page.get_by_role("region", name="If it happens: what each plan pays in six accidents")
    leak = scenarios.locator("#scenario-customer_data_leak")
    leak.locator("summary").click()
    expect(leak.get_by_text("Leaking a client's customer data", exact=True)).to_be_visible()
    expect(leak.get_by_role("rowheader", name="Left to you (shortfall)")).to_be_visible()
    expect(scenarios.get_by_text("Left to you", exact=False).first).to_be_visible()
    scenarios.screenshot(path=screenshots / "en-contract-3-scenarios.png")
    assert "事故が起きたら" not in page.content()
