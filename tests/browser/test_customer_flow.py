"""A customer in a real browser: the form in Japanese, five carriers, another limit, the workbook; errors; English.

Debian's Chromium through Playwright, the app on a live server with CSRF on. Screenshots of each
page go to test-output/screenshots/ so a person can see what the customer saw.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from aggregator.matching import PRIORITY_LABELS, PriorityKind
from aggregator.schema import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES, LINE_NAMES, Carrier
from aggregator.taxonomy import KEY_INFO, CoverageKey
from tests.browser.conftest import japanese_font_families, missing
from tests.web.conftest import FORM

pytestmark = pytest.mark.browser

MOBILE = {"width": 390, "height": 844}

# What the customer reads next to each control, in each language.
WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "company": "会社名",
        "contact_email": "ご担当者のメールアドレス",
        "industry": "業種",
        "contract_type": "主な契約形態",
        "annual_revenue": "年間売上高(税込)",
        "employees": "従業員数",
        "largest_contract": "最大の契約金額(1件)",
        "records_held": "保有している個人情報の件数",
        "servers": "サーバー台数(クラウド含む)",
        "incidents_3y": "過去3年間の事故・インシデント件数",
        "controls": "導入済みのセキュリティ対策",
        "lines": "見積もりを希望する保険",
        "limit_jpy": "支払限度額",
        "deductible_jpy": "免責金額",
        "riders": "希望する特約",
        "priority": "いちばん重視すること",
        "priority_items": "必ず補償してほしい項目",
        "note": "ご要望(任意)",
        "consent": "入力内容を見積もりのため上記の保険会社に提供することに同意します",
        "submit": "5社の見積もりを比較する",
        "requote": "この条件で見積もる",
        "download": "比較表をExcelでダウンロード",
        "table": "比較表(横にスクロールできます)",
        "premium": "年間保険料",
        "requoted_version": "第3版",
        "asked": "ご希望: 支払限度額 3億円",
        "new_limit": "3億円",
        "sheet": "比較表",
        "file": "保険見積比較表_",
    },
    "en": {
        "company": "Company name",
        "contact_email": "Contact e-mail",
        "industry": "Industry",
        "contract_type": "Main contract type",
        "annual_revenue": "Annual revenue (tax included)",
        "employees": "Employees",
        "largest_contract": "Largest single contract",
        "records_held": "Personal-information records held",
        "servers": "Servers (including cloud)",
        "incidents_3y": "Incidents in the last three years",
        "controls": "Security controls in place",
        "lines": "Insurance to quote",
        "limit_jpy": "Limit",
        "deductible_jpy": "Deductible",
        "riders": "Riders wanted",
        "priority": "What matters most",
        "priority_items": "Items that must be covered",
        "note": "Anything else (optional)",
        "consent": "I agree that these details are passed to the insurers above for quoting",
        "submit": "Compare 5 insurers' quotes",
        "requote": "Quote these terms",
        "download": "Download the comparison (Excel)",
        "table": "Comparison table (scrolls sideways)",
        "premium": "Annual premium",
        "requoted_version": "version 3",
        "asked": "Asked: limit ¥300,000,000",
        "new_limit": "¥300,000,000",
        "sheet": "Comparison",
        "file": "insurance_quote_comparison_",
    },
}


def _option_label(table: dict[Any, tuple[str, str]], value: str, lang: str) -> str:
    """The words a choice shows on the page, from the same tables the app uses."""
    ja, en = next(names for key, names in table.items() if key.value == value)
    return en if lang == "en" else ja


def _item_label(value: str, lang: str) -> str:
    info = KEY_INFO[CoverageKey(value)]
    return info.label_en if lang == "en" else info.label_ja


def _group(page: Page, words: dict[str, str], name: str) -> Locator:
    return page.get_by_role("group", name=words[name], exact=True)


def fill_quote_form(page: Page, lang: str) -> None:
    """Fill every field of the quote form as a person does: by the labels they read."""
    words = WORDS[lang]
    for name in ("company", "contact_email", "annual_revenue", "employees", "largest_contract", "records_held", "servers", "incidents_3y"):
        page.get_by_label(words[name], exact=True).fill(FORM[name])
    page.get_by_label(words["industry"], exact=True).select_option(label=_option_label(INDUSTRY_NAMES, FORM["industry"], lang))
    _group(page, words, "contract_type").get_by_label(_option_label(CONTRACT_TYPE_NAMES, FORM["contract_type"], lang), exact=True).check()
    for value in FORM["controls"]:
        _group(page, words, "controls").get_by_label(_option_label(CONTROL_NAMES, value, lang), exact=True).check()
    for value in FORM["lines"]:
        _group(page, words, "lines").get_by_label(_option_label(LINE_NAMES, value, lang), exact=True).check()
    page.get_by_label(words["limit_jpy"], exact=True).select_option(FORM["limit_jpy"])
    page.get_by_label(words["deductible_jpy"], exact=True).select_option(FORM["deductible_jpy"])
    for value in FORM["riders"]:
        _group(page, words, "riders").get_by_label(_item_label(value, lang), exact=True).check()
    page.get_by_label(words["priority"], exact=True).select_option(
        label=_option_label({k: v for k, v in PRIORITY_LABELS.items() if k is not PriorityKind.ITEMS}, FORM["priority"], lang)
    )
    for value in FORM["priority_items"]:
        _group(page, words, "priority_items").get_by_label(_item_label(value, lang), exact=True).check()
    page.get_by_label(words["note"], exact=True).fill(FORM["note"])
    page.get_by_label(words["consent"], exact=True).check()


def comparison_table(page: Page, lang: str) -> Locator:
    return page.get_by_role("region", name=WORDS[lang]["table"]).get_by_role("table")


def shown_premiums(page: Page, lang: str) -> list[int]:
    """The premiums in the table's 年間保険料 row, as integers (a declined carrier shows —)."""
    table = comparison_table(page, lang)
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=WORDS[lang]["premium"], exact=True))
    texts = row.get_by_role("cell").all_inner_texts()
    pattern = r"¥([\d,]+)" if lang == "en" else r"([\d,]+)円"
    return [int(m.group(1).replace(",", "")) for text in texts if (m := re.search(pattern, text))]


def assert_five_carriers_with_premiums(page: Page, lang: str) -> list[int]:
    table = comparison_table(page, lang)
    expect(table).to_be_visible()
    for carrier in Carrier:
        name = carrier.names.en if lang == "en" else carrier.names.ja
        expect(table.get_by_role("columnheader").filter(has_text=name).first).to_be_visible()
    premiums = shown_premiums(page, lang)
    assert premiums, "no carrier's premium is shown"
    assert all(p > 0 for p in premiums)
    return premiums


def switch_limit_to_300m(page: Page, lang: str) -> None:
    words = WORDS[lang]
    page.get_by_label(words["limit_jpy"], exact=True).select_option(label=words["new_limit"])
    page.get_by_role("button", name=words["requote"]).click()
    page.wait_for_url(re.compile(r"/quotes/[^/?]+\?v=3$"))  # versions 1 and 2: the two lines asked
    expect(page.get_by_text(words["requoted_version"], exact=False).first).to_be_visible()
    expect(page.get_by_text(words["asked"], exact=False)).to_be_visible()
    expect(page.get_by_label(words["limit_jpy"], exact=True)).to_have_value("300000000")


def download_workbook(page: Page, lang: str, tmp_path: Path) -> tuple[str, openpyxl.Workbook]:
    with page.expect_download() as started:
        page.get_by_role("link", name=WORDS[lang]["download"]).click()
    download = started.value
    assert download.failure() is None, download.failure()
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.stat().st_size > 0
    return download.suggested_filename, openpyxl.load_workbook(saved)


def assert_workbook_has_premiums(book: openpyxl.Workbook, lang: str, premiums: list[int]) -> None:
    words = WORDS[lang]
    assert words["sheet"] in book.sheetnames, book.sheetnames
    sheet = book[words["sheet"]]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == words["premium"]]
    assert rows, f"no {words['premium']} row in the {words['sheet']} sheet"
    in_book = sorted(v for v in rows[0][2:] if isinstance(v, int))
    assert in_book == sorted(premiums), (in_book, premiums)


def assert_noto_sans_cjk_renders(page: Page) -> None:
    """The pages name the Japanese stack, and Chromium really draws the Japanese with Noto Sans CJK JP."""
    if "Noto Sans CJK JP" not in japanese_font_families():
        missing("Noto Sans CJK JP (Debian package fonts-noto-cjk)")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    for name in ("Noto Sans CJK JP", "Hiragino", "Yu Gothic", "Meiryo"):
        assert name in family, family
    assert page.evaluate("""document.fonts.check('16px "Noto Sans CJK JP"', '日本語')""")
    # fonts.check() is true for any installed-or-not system font; ask the renderer which font drew the glyphs.
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        for selector in ("h1", "label[for=company]"):
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            used = {f["familyName"] for f in fonts}
            assert used == {"Noto Sans CJK JP"}, (selector, fonts)
    finally:
        cdp.detach()


AGENCY = {
    "ja": ("取扱代理店", "サンプル代理店(開発用の仮の名称)", "登録番号未設定", "ご希望に基づく候補", "比較推奨販売の方針"),
    "en": (
        "Your agency",
        "Sample Agency (a development placeholder)",
        "registration number not set",
        "A candidate based on your stated wishes",
        "Recommendation policy",
    ),
}


def assert_agency_block(page: Page, lang: str, *, results: bool) -> None:
    """Every public page names the agency, its registration and its policies; the results page beside its candidate too."""
    title, name, registration, candidate, policy = AGENCY[lang]
    block = page.get_by_role("contentinfo").get_by_role("region", name=title)
    expect(block).to_be_visible()
    expect(block).to_contain_text(name)
    expect(block).to_contain_text(registration)
    for link in ("recommendation", "solicitation", "privacy"):
        expect(block.locator(f'a[href="/policies/{link}"]')).to_be_visible()
    if results:
        recommendation = page.locator("section.recommendation")
        expect(recommendation.get_by_role("heading", level=2)).to_have_text(candidate)
        expect(recommendation.locator(".advice-by")).to_contain_text(policy)
        expect(recommendation.locator(".advice-by")).to_contain_text(name)


# The text of an element line by line, as the browser laid it out (a new line wherever a character sits lower).
LINES_JS = """(el) => {
  const lines = []; let line = ''; let top = null;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (top !== null && rect.top > top + 2) { lines.push(line); line = ''; }
      line += node.data[i]; top = rect.top;
    }
  }
  lines.push(line); return lines;
}"""
SMALL_KANA = "ーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ"


def _script(ch: str) -> str:
    return "katakana" if "\u30a0" <= ch <= "\u30ff" else "kanji" if "\u4e00" <= ch <= "\u9fff" else "other"


def assert_headers_break_between_words(page: Page) -> None:
    """No column header breaks inside a word: a carrier's name only between its words, a plan name never inside a katakana
    or kanji word, and no line starts with ー or a small kana (「あい / おいニッセイ」 and 「ー」 first were the faults)."""
    words = [carrier.names.words() for carrier in Carrier]
    starts = {"".join(parts[:i]) for parts in words for i in range(len(parts) + 1)}
    headers = page.locator("table.comparison:not(.scenario-items) thead th.plan")
    assert headers.count() >= 5  # the five carriers, and the broadest plan when another carrier's plan is it
    for i in range(headers.count()):
        carrier = headers.nth(i).locator(".carrier").evaluate(LINES_JS)
        if _script("".join(carrier)[0]) != "other":  # a Japanese name: each line ends where one of its words does
            assert all("".join(carrier[: k + 1]) in starts for k in range(len(carrier))), carrier
        lines = headers.nth(i).locator(".plan-name").evaluate(LINES_JS)
        for before, after in itertools.pairwise(lines):
            if before.endswith(" ") or after.startswith(" "):
                continue  # a break at a space, between words
            last, first = before[-1:], after[:1]
            assert first not in SMALL_KANA, lines
            assert not (last and _script(last) == _script(first) != "other"), lines


def assert_no_sideways_page_scroll(page: Page) -> None:
    """On a phone the page itself must not scroll sideways; only the comparison table's own region does."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_japanese_customer_compares_switches_limit_and_downloads(page: Page, screenshots: Path, tmp_path: Path) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("1回の入力で、5社の見積もりを並べて比較")
    assert_noto_sans_cjk_renders(page)
    fill_quote_form(page, "ja")
    page.screenshot(path=screenshots / "ja-1-form.png", full_page=True)

    page.get_by_role("button", name=WORDS["ja"]["submit"]).click()
    page.wait_for_url(re.compile(r"/quotes/[A-Za-z0-9_-]{32,}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(FORM["company"])
    expect(page.get_by_text("第1版", exact=False).first).to_be_visible()
    assert_five_carriers_with_premiums(page, "ja")
    assert_agency_block(page, "ja", results=True)
    assert_headers_break_between_words(page)
    page.screenshot(path=screenshots / "ja-2-results.png", full_page=True)
    comparison_table(page, "ja").locator("thead").screenshot(path=screenshots / "ja-2-headers.png")
    page.locator("section.recommendation").screenshot(path=screenshots / "ja-2-candidate-and-agency.png")
    page.get_by_role("contentinfo").screenshot(path=screenshots / "ja-2-footer-agency.png")

    switch_limit_to_300m(page, "ja")
    premiums = assert_five_carriers_with_premiums(page, "ja")
    page.screenshot(path=screenshots / "ja-3-requoted.png", full_page=True)

    name, book = download_workbook(page, "ja", tmp_path)
    try:
        assert name.startswith(WORDS["ja"]["file"]) and name.endswith("_v3.xlsx"), name
        assert_workbook_has_premiums(book, "ja", premiums)
        notes = "\n".join(str(c.value) for row in book["ご注意"].iter_rows() for c in row if c.value)
        assert "サンプル代理店(開発用の仮の名称)(登録番号 登録番号未設定)" in notes and "/policies/solicitation" in notes
        assert any("ご希望に基づく候補" in str(c.value) for row in book["比較表"].iter_rows() for c in row if c.value)
    finally:
        book.close()

    page.set_viewport_size(MOBILE)
    assert_no_sideways_page_scroll(page)
    assert_headers_break_between_words(page)
    page.screenshot(path=screenshots / "ja-4-results-mobile.png", full_page=True)
    region = page.get_by_role("region", name=WORDS["ja"]["table"])
    head = page.locator("table.comparison:not(.scenario-items) thead")
    head.scroll_into_view_if_needed()
    for k, left in enumerate((0, 330, 660)):  # the table scrolls sideways on a phone: its headers in three views
        region.evaluate(f"el => {{ el.scrollLeft = {left}; }}")
        box = head.bounding_box()
        assert box is not None
        page.screenshot(
            path=screenshots / f"ja-4-headers-mobile-{k}.png",
            clip={"x": 0, "y": box["y"], "width": MOBILE["width"], "height": box["height"]},
        )
    page.goto("/")
    assert_no_sideways_page_scroll(page)
    assert_agency_block(page, "ja", results=False)
    page.screenshot(path=screenshots / "ja-5-form-mobile.png", full_page=True)
    page.get_by_role("contentinfo").get_by_role("link", name="勧誘方針").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("勧誘方針")
    assert_agency_block(page, "ja", results=False)
    page.screenshot(path=screenshots / "ja-6-solicitation-policy-mobile.png", full_page=True)


def test_form_errors_are_japanese_focused_and_keep_what_was_typed(page: Page, screenshots: Path) -> None:
    words = WORDS["ja"]
    page.goto("/")
    page.get_by_role("button", name=words["submit"]).click()

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="入力内容をご確認ください"))
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # the summary takes focus, so a screen reader starts there
    for name in ("company", "contact_email", "annual_revenue", "employees", "largest_contract", "records_held", "servers", "incidents_3y"):
        field = page.get_by_label(words[name], exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = f"{name}-error"
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"(^|\s){error_id}(\s|$)"))
        expect(page.locator(f"#{error_id}")).to_have_text(re.compile(r"入力してください$"))  # 会社名を入力してください, 金額を…
    expect(_group(page, words, "lines")).to_contain_text("1つ以上選んでください")
    expect(_group(page, words, "contract_type")).to_contain_text("選んでください")
    expect(page.get_by_text("同意が必要です", exact=True)).to_be_visible()
    expect(page.get_by_label(words["consent"], exact=True)).to_have_attribute("aria-describedby", "consent-error")

    # Each line of the summary takes the customer to its field.
    summary.get_by_role("link", name=re.compile("^会社名")).click()
    expect(page.get_by_label(words["company"], exact=True)).to_be_focused()
    summary.get_by_role("link", name=re.compile("^主な契約形態")).click()
    expect(_group(page, words, "contract_type").get_by_role("radio").first).to_be_focused()
    page.screenshot(path=screenshots / "ja-errors-empty.png", full_page=True)

    # Partly filled with an amount that is not one: what was typed comes back, with the reason.
    page.get_by_label(words["company"], exact=True).fill(FORM["company"])
    page.get_by_label(words["contact_email"], exact=True).fill(FORM["contact_email"])
    page.get_by_label(words["annual_revenue"], exact=True).fill("たくさん")
    page.get_by_label(words["employees"], exact=True).fill("40")
    _group(page, words, "controls").get_by_label("EDR", exact=True).check()
    page.get_by_label(words["note"], exact=True).fill(FORM["note"])
    page.get_by_role("button", name=words["submit"]).click()

    expect(page.get_by_label(words["company"], exact=True)).to_have_value(FORM["company"])
    expect(page.get_by_label(words["company"], exact=True)).to_have_attribute("aria-invalid", "false")
    expect(page.get_by_label(words["contact_email"], exact=True)).to_have_value(FORM["contact_email"])
    expect(page.get_by_label(words["employees"], exact=True)).to_have_value("40")
    expect(page.get_by_label(words["note"], exact=True)).to_have_value(FORM["note"])
    expect(_group(page, words, "controls").get_by_label("EDR", exact=True)).to_be_checked()
    revenue = page.get_by_label(words["annual_revenue"], exact=True)
    expect(revenue).to_have_value("たくさん")
    expect(revenue).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#annual_revenue-error")).to_contain_text("金額として読めません")
    page.screenshot(path=screenshots / "ja-errors-kept.png", full_page=True)


def test_english_customer_walks_the_whole_flow(page: Page, screenshots: Path, tmp_path: Path) -> None:
    page.goto("/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("One form, 5 insurers' quotes side by side")
    fill_quote_form(page, "en")
    page.screenshot(path=screenshots / "en-1-form.png", full_page=True)

    page.get_by_role("button", name=WORDS["en"]["submit"]).click()
    page.wait_for_url(re.compile(r"/quotes/[A-Za-z0-9_-]{32,}$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_five_carriers_with_premiums(page, "en")
    assert_agency_block(page, "en", results=True)
    assert_headers_break_between_words(page)
    table = comparison_table(page, "en")
    expect(table.get_by_role("columnheader").filter(has_text="CyberEdge")).not_to_contain_text("エッセンシャル")
    expect(table.locator(".lang-fallback").first).to_have_text("(Japanese only)")
    page.screenshot(path=screenshots / "en-2-results.png", full_page=True)
    page.locator("section.recommendation").screenshot(path=screenshots / "en-2-candidate-and-agency.png")
    table.locator("thead").screenshot(path=screenshots / "en-2-headers.png")
    page.locator("section.plan-terms").screenshot(path=screenshots / "en-2-plan-terms.png")
    page.get_by_role("contentinfo").screenshot(path=screenshots / "en-2-footer-agency.png")

    switch_limit_to_300m(page, "en")
    premiums = assert_five_carriers_with_premiums(page, "en")
    page.screenshot(path=screenshots / "en-3-requoted.png", full_page=True)

    name, book = download_workbook(page, "en", tmp_path)
    try:
        assert name.startswith(WORDS["en"]["file"]) and name.endswith("_v3.xlsx"), name
        assert_workbook_has_premiums(book, "en", premiums)
        notes = "\n".join(str(c.value) for row in book["Notes"].iter_rows() for c in row if c.value)
        assert "registration no. registration number not set" in notes and "/policies/privacy" in notes
    finally:
        book.close()
    page.get_by_role("contentinfo").get_by_role("link", name="Privacy policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy policy")
    page.screenshot(path=screenshots / "en-4-privacy-policy.png", full_page=True)
