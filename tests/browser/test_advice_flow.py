"""Advice a broker can sign, walked in a real browser: the SI case and the SaaS case of issue 12, in Japanese and English.

- SI (30 people, 5億円 revenue, 20,000 records, breadth first): the candidate is the broad plan that
  leaves far less short, and the page says in words what the cheapest would change; the IT E&O tab
  shows あいおいニッセイ同和損保 as 取扱なし with its nearest product.
- SaaS (300 people, 50億円 revenue, 200万 records, 5億円 asked, price first): every carrier's column
  shows 5億円; the liability need comes from the claimants, and changing the share who claim on the
  page makes a new version whose need is different.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from aggregator.schema import CONTRACT_TYPE_NAMES, INDUSTRY_NAMES, LINE_NAMES
from tests.browser.test_customer_flow import WORDS, _group, _option_label, comparison_table

pytestmark = pytest.mark.browser

SI = {
    "company": "株式会社SIブラウザ",
    "contact_email": "si@example.co.jp",
    "industry": "system_integration",
    "annual_revenue": "5億円",
    "employees": "30",
    "largest_contract": "3,000万円",
    "records_held": "20000",
    "servers": "10",
    "incidents_3y": "0",
    "contract_type": "ukeoi",
    "lines": ["cyber", "it_eo"],
    "limit_jpy": "100000000",
    "deductible_jpy": "100000",
    "priority": "broadest_cover",
}
SAAS = {
    **SI,
    "company": "株式会社SaaSブラウザ",
    "contact_email": "saas@example.co.jp",
    "industry": "saas",
    "annual_revenue": "50億円",
    "employees": "300",
    "largest_contract": "1億円",
    "records_held": "2000000",
    "servers": "60",
    "contract_type": "juninin",
    "lines": ["cyber"],
    "limit_jpy": "500000000",
    "deductible_jpy": "1000000",
    "priority": "lowest_price",
}
PRIORITY_WORDS = {"broadest_cover": ("補償の広さ", "broadest cover"), "lowest_price": ("保険料の安さ", "lowest premium")}
TEXT = {
    "ja": {
        "candidate": "ご希望と優先順位に合う候補",
        "cheapest_trade": "最も安い",
        "shortfall_falls": "不足額が",
        "not_sold": "IT業務過誤賠償責任保険の取扱いはありません。",
        "it_eo_tab": "IT業務過誤賠償責任保険",
        "assumptions": "前提条件を変えて試算する",
        "claim_share": "損害賠償を請求する人の割合(多い場合・%)",
        "recompute": "この前提で計算し直す",
        "limit": "5億円",
    },
    "en": {
        "candidate": "The candidate for your wishes and priorities",
        "cheapest_trade": "With the cheapest",
        "shortfall_falls": "the shortfall",
        "not_sold": "Does not sell IT errors & omissions.",
        "it_eo_tab": "IT errors & omissions",
        "assumptions": "Change the assumptions",
        "claim_share": "Share of those affected who claim damages (bad case, %)",
        "recompute": "Work it out again",
        "limit": "¥500,000,000",
    },
}


def _fill(page: Page, case: dict[str, object], lang: str) -> None:
    words = WORDS[lang]
    for name in ("company", "contact_email", "annual_revenue", "employees", "largest_contract", "records_held", "servers", "incidents_3y"):
        page.get_by_label(words[name], exact=True).fill(str(case[name]))
    page.get_by_label(words["industry"], exact=True).select_option(label=_option_label(INDUSTRY_NAMES, str(case["industry"]), lang))
    _group(page, words, "contract_type").get_by_label(
        _option_label(CONTRACT_TYPE_NAMES, str(case["contract_type"]), lang), exact=True
    ).check()
    for value in case["lines"]:  # type: ignore[attr-defined]
        _group(page, words, "lines").get_by_label(_option_label(LINE_NAMES, value, lang), exact=True).check()
    page.get_by_label(words["limit_jpy"], exact=True).select_option(str(case["limit_jpy"]))
    page.get_by_label(words["deductible_jpy"], exact=True).select_option(str(case["deductible_jpy"]))
    ja, en = PRIORITY_WORDS[str(case["priority"])]
    page.get_by_label(words["priority"], exact=True).select_option(label=en if lang == "en" else ja)
    page.get_by_label(words["consent"], exact=True).check()
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_url(re.compile(r"/quotes/[A-Za-z0-9_-]{32,}$"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_si_case_states_the_trade_off_and_shows_a_carrier_that_sells_no_it_eo(page: Page, screenshots: Path, lang: str) -> None:
    page.goto("/?lang=en" if lang == "en" else "/")
    _fill(page, SI, lang)
    text = TEXT[lang]
    recommendation = page.locator("section.recommendation")
    expect(recommendation.get_by_text(text["candidate"])).to_be_visible()
    trade = recommendation.locator(".tradeoffs li").first
    expect(trade).to_contain_text(text["cheapest_trade"])
    expect(trade).to_contain_text(text["shortfall_falls"])
    recommendation.screenshot(path=screenshots / f"{lang}-advice-1-si-tradeoff.png")
    page.get_by_role("link", name=text["it_eo_tab"], exact=True).click()
    page.wait_for_url(re.compile(r"\?line=it_eo$"))
    table = comparison_table(page, lang)
    expect(table.get_by_text(text["not_sold"])).to_be_visible()
    page.screenshot(path=screenshots / f"{lang}-advice-2-si-it-eo-not-sold.png", full_page=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_saas_case_meets_5oku_and_the_share_who_claim_can_be_changed(page: Page, screenshots: Path, lang: str) -> None:
    page.goto("/?lang=en" if lang == "en" else "/")
    _fill(page, SAAS, lang)
    text = TEXT[lang]
    table = comparison_table(page, lang)
    limit_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=WORDS[lang]["limit_jpy"], exact=True))
    cells = limit_row.get_by_role("cell").all_inner_texts()[1:]  # the first cell is the limit asked
    assert cells and all(c.strip().startswith(text["limit"]) for c in cells), cells
    needs = page.locator("section[aria-labelledby=needs-title]")
    before = page.content()
    assert "0.03%" in before and "0.3%" in before  # the claimants' share, from the Benesse case
    page.get_by_text(text["assumptions"]).click()
    page.get_by_label(text["claim_share"], exact=True).fill("3")
    page.get_by_role("button", name=text["recompute"]).click()
    page.wait_for_url(re.compile(r"\?v=2$"))
    after = page.content()
    assert "3%" in after and after != before
    needs.first.screenshot(path=screenshots / f"{lang}-advice-3-saas-needs-after.png")
