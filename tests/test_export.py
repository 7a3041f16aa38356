"""The client workbook (比較表), read back with openpyxl and checked cell by cell as a broker and the client would see it."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from aggregator.applicants import applicant_from_data
from aggregator.cli import main
from aggregator.errors import ApplicantError
from aggregator.export import write_comparison
from aggregator.labels import SAMPLE_NOTICE, carrier_name
from aggregator.matching import CellKind, Comparison, compare
from aggregator.rating import Rater
from aggregator.recommendation import Recommendation, build_comparison, fingerprint, priorities_from_data, recommend
from aggregator.schema import Applicant, Carrier, Condition, Industry, Reason
from aggregator.serialize import comparison_to_data
from aggregator.sheets import FORMULA_TRIGGERS
from aggregator.taxonomy import CoverageKey as K
from aggregator.taxonomy import label
from aggregator.xlsxstyle import sheet_text
from tests.factories import OKU, applicant, carrier_data

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)
JA_SHEETS = ["比較表", "ご提案", "補償詳細", "必要額の試算", "事故シナリオ", "契約の確認", "引受条件・お断り", "ご注意"]
EN_SHEETS = [
    "Comparison",
    "Recommendation",
    "Coverage details",
    "Estimated needs",
    "Accident scenarios",
    "Contract check",
    "Underwriting",
    "Notes",
]
YEN_JA, YEN_EN = '#,##0"円"', '"¥"#,##0'
GREEN, GREY, YELLOW, PEACH, RED = "FFC6EFCE", "FFD9D9D9", "FFFFEB9C", "FFFCE4D6", "FFC00000"


def _fixture(name: str) -> tuple[Applicant, Any]:
    raw = json.loads((ROOT / "fixtures" / "applicants" / f"{name}.json").read_text(encoding="utf-8"))
    priorities = priorities_from_data(raw.pop("priorities", None))
    raw.pop("assumptions", None)
    return applicant_from_data(raw), priorities


class Case(tuple[Comparison, Applicant]):
    """A comparison and its applicant, with a short repr for hypothesis' failure reports."""

    def __repr__(self) -> str:
        return f"Case({self[1].company!r})"


@pytest.fixture(scope="module")
def si(rater: Rater) -> Case:
    person, priorities = _fixture("si_vendor")
    return Case((build_comparison(rater, person, AS_OF, priorities=priorities), person))


def _write(path: Path, comparison: Comparison, person: Applicant, lang: Any = "ja", advice: Recommendation | None = None) -> Any:
    write_comparison(comparison, path, lang=lang, applicant=person, as_of=AS_OF, advice=advice)
    return openpyxl.load_workbook(path)


def _find(ws: Worksheet, text: str, col: int = 1) -> int:
    """The row whose cell in `col` reads `text`."""
    for row in ws.iter_rows(min_col=col, max_col=col):
        if row[0].value == text:
            return int(row[0].row)
    raise AssertionError(f"{text!r} not found in column {col} of {ws.title}")


def _strings(book: Any) -> list[str]:
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def _rgb(color: Any) -> str | None:
    return color.rgb if color is not None and color.type == "rgb" else None


def _non_sample(comparison: Comparison) -> Comparison:
    """The same comparison as if every carrier's data were real (Plan.sample=False)."""
    columns = tuple(replace(c, quote=replace(c.quote, plan=replace(c.quote.plan, sample=False))) for c in comparison.columns)
    return replace(comparison, columns=columns)


# ------------------------------------------------------------- 比較表 ---


def test_sheets_in_order_in_both_languages(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    assert _write(tmp_path / "ja.xlsx", comparison, person).sheetnames == JA_SHEETS
    assert _write(tmp_path / "en.xlsx", comparison, person, "en").sheetnames == EN_SHEETS


def test_comparison_header_premiums_and_limits_are_numbers(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    ws = _write(tmp_path / "c.xlsx", comparison, person)["比較表"]
    head = _find(ws, "補償項目")
    for i, column in enumerate(comparison.columns):
        quote = column.quote
        assert ws.cell(head, 3 + i).value == carrier_name(quote.carrier)
        assert ws.cell(head + 1, 3 + i).value == quote.plan.name
        premium = ws.cell(_find(ws, "年間保険料"), 3 + i)
        assert premium.value == quote.premium_jpy and type(premium.value) is int
        assert premium.number_format == YEN_JA
        limit = ws.cell(_find(ws, "支払限度額"), 3 + i)
        assert limit.value == quote.limit_jpy and limit.number_format == YEN_JA
        assert ws.cell(_find(ws, "免責金額"), 3 + i).value == quote.deductible_jpy
        valid = ws.cell(_find(ws, "見積有効期限"), 3 + i)
        assert quote.valid_until is not None and valid.value == datetime.combine(quote.valid_until, datetime.min.time())
        total = ws.cell(_find(ws, "不足額の合計"), 3 + i)
        assert total.value == column.total_shortfall_jpy and total.number_format == '"▲"#,##0"円"'
        assert _rgb(total.font.color) == RED
    asked = ws.cell(_find(ws, "支払限度額"), 2)
    assert asked.value == person.limit_jpy and asked.number_format == '#,##0"円 (ご希望)"'
    assert ws.freeze_panes == f"C{head + 2}"
    assert ws.print_title_rows == f"${head}:${head + 1}"


def test_rows_grouped_by_category_with_needs(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    ws = _write(tmp_path / "c.xlsx", comparison, person)["比較表"]
    groups = [_find(ws, f"【{name}】") for name in ("賠償損害", "費用損害", "利益損害", "その他")]
    assert groups == sorted(groups)
    assert ws.cell(groups[0], 1).fill.fgColor.rgb == "FFDDEBF7"
    categories = [category for category, _ in comparison.groups]
    for row in comparison.rows:
        r = _find(ws, label(row.key))
        k = categories.index(row.category)
        assert groups[k] < r and (k + 1 == len(groups) or r < groups[k + 1])
        need = ws.cell(r, 2)
        if row.need is None:
            assert need.value == "—"
        else:
            assert need.value == row.need.amount_jpy and need.number_format == YEN_JA


def test_every_item_cell_shows_its_kind(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    ws = _write(tmp_path / "c.xlsx", comparison, person)["比較表"]
    seen = set()
    for row in comparison.rows:
        r = _find(ws, label(row.key))
        for i in range(len(comparison.columns)):
            cell = comparison.cell(i, row.key)
            got = ws.cell(r, 3 + i)
            seen.add(cell.kind)
            if cell.kind is CellKind.NOT_OFFERED:
                assert (got.value, got.fill.fgColor.rgb) == ("補償なし", GREY)
            elif cell.kind is CellKind.UNKNOWN:
                assert (got.value, got.fill.fgColor.rgb) == ("不明(要確認)", YELLOW)
            elif cell.kind is CellKind.RIDER:
                assert got.value == "特約(未付帯)" and got.font.i
            elif not cell.limit_stated:
                assert (got.value, got.fill.fgColor.rgb) == ("限度額要確認", YELLOW)
                seen.add("unstated")
            else:
                assert got.value == cell.effective_jpy and type(got.value) is int
                notes = (
                    ([f"{cell.payout_ratio_pct}%"] if cell.payout_ratio_pct != 100 else [])
                    + (["条件付き"] if cell.kind is CellKind.CONDITIONAL else ["特約"] if cell.kind is CellKind.RIDER_INCLUDED else [])
                    + (["範囲限定"] if cell.scope else [])
                )
                assert got.number_format == ('#,##0"円 (' + ", ".join(notes) + ')"' if notes else YEN_JA)
            assert (got.fill.fgColor.rgb == GREEN) is cell.best
            if cell.shortfall_jpy:
                assert _rgb(got.font.color) == RED
                below = ws.cell(r + 1, 3 + i)
                assert ws.cell(r + 1, 1).value == "└ 不足額"
                assert below.value == cell.shortfall_jpy and below.number_format == '"▲"#,##0"円"'
    assert {CellKind.NOT_OFFERED, CellKind.UNKNOWN, CellKind.RIDER, CellKind.RIDER_INCLUDED, CellKind.CONDITIONAL, "unstated"} <= seen


def test_zero_limit_is_a_number_with_its_own_format(tmp_path: Path) -> None:
    rater = Rater([carrier_data(Carrier.AIG)])
    person = applicant(riders=frozenset())
    quotes = rater.quote(person, AS_OF)
    zeroed = []
    for q in quotes:
        terms = tuple(replace(t, limit_jpy=0) if t.key is K.INVESTIGATION else t for t in q.plan.terms)
        zeroed.append(replace(q, plan=replace(q.plan, terms=terms)))
    comparison = compare(zeroed, build_comparison(rater, person, AS_OF).needs)
    ws = _write(tmp_path / "z.xlsx", comparison, person)["比較表"]
    r = _find(ws, label(K.INVESTIGATION))
    got = ws.cell(r, 3)
    assert comparison.cell(0, K.INVESTIGATION).kind is CellKind.ZERO
    assert got.value == 0 and type(got.value) is int
    assert got.number_format == '#,##0"円";-#,##0"円";"0円 (限度額ゼロ)"'
    assert got.fill.fgColor.rgb == PEACH
    legend = _find(ws, "凡例")
    assert [ws.cell(legend + k, 1).value for k in range(1, 7)] == [100_000_000, 5_000_000, "補償なし", "不明(要確認)", 0, "特約(未付帯)"]


def test_proposed_plan_is_marked_and_follows_the_advice(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    advice = recommend(comparison)
    assert advice.proposed is not None
    ws = _write(tmp_path / "c.xlsx", comparison, person)["比較表"]
    rank = _find(ws, "ご提案順位")
    assert ws.cell(rank, 3 + advice.proposed).number_format == '"◎ "0"位 (候補)"'
    other = (advice.proposed + 1) % len(comparison.columns)
    chosen = Recommendation(comparison, other, ("担当者の判断",), ("broker's choice",))
    book = _write(tmp_path / "o.xlsx", comparison, person, advice=chosen)
    ws = book["比較表"]
    assert ws.cell(rank, 3 + other).number_format == '"◎ "0"位 (候補)"'
    assert ws.cell(rank, 3 + advice.proposed).number_format == '0"位"'
    assert "担当者の判断" in _strings(book)


# ------------------------------------------------------ the other sheets ---


def test_recommendation_sheet_keeps_the_evidence(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    advice = recommend(comparison)
    book = _write(tmp_path / "c.xlsx", comparison, person)
    ws = book["ご提案"]
    texts = _strings(book)
    assert "コールセンター費用" in texts  # the item the customer asked for
    assert "情報漏えい時のお詫びと問い合わせ対応を重視" in texts  # in the customer's words
    assert all(reason in texts for reason in advice.reasons_ja)
    premium = ws.cell(_find(ws, "年間保険料"), 3)
    assert advice.proposed is not None and premium.value == comparison.columns[advice.proposed].quote.premium_jpy
    sha = fingerprint(comparison_to_data(comparison))
    assert ws.cell(_find(ws, "比較データの指紋(SHA-256)"), 3).value == sha
    assert {p.name: p.value for p in book.custom_doc_props.props}["comparison_sha256"] == sha
    first = _find(ws, "順位") + 1
    ranked = [r for r in comparison.ranking if r.rank is not None]
    assert [ws.cell(first + k, 1).value for k in range(len(ranked))] == [r.rank for r in ranked]


def test_details_sheet_has_each_carriers_wording_caps_and_ratios(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    ws = _write(tmp_path / "c.xlsx", comparison, person)["補償詳細"]
    head = _find(ws, "補償項目")
    assert [ws.cell(head, c).value for c in (10, 12, 13)] == ["免責金額", "条件", "保険会社の文言"]
    assert ws.freeze_panes == f"B{head + 1}" and ws.print_title_rows == f"${head}:${head}"
    rows = list(ws.iter_rows(min_row=head + 1, values_only=True))
    for column in comparison.columns:
        plan = column.quote.plan
        block = next(
            i
            for i, r in enumerate(rows)
            if isinstance(r[0], str) and r[0].startswith(f"{carrier_name(plan.carrier)} {plan.name} [{plan.code}]")
        )
        for k, row in enumerate(comparison.rows, start=1):
            term = plan.term(row.key)
            got = rows[block + k]
            assert got[0] == label(row.key)
            if term is None:
                continue
            assert got[12] == term.wording and got[6] == term.payout_ratio_pct
            if term.per_victim is not None and term.per_victim.per_person_jpy is not None:
                assert got[7] == term.per_victim.per_person_jpy
            assert got[9] == (term.deductible_jpy if term.deductible_jpy is not None else column.quote.deductible_jpy)
            if term.offered and term.limit_jpy is not None:
                assert got[2] == term.limit_jpy


def test_needs_sheet_lists_each_estimate_and_assumption(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    ws = _write(tmp_path / "c.xlsx", comparison, person)["必要額の試算"]
    for need in comparison.needs.items:
        r = _find(ws, label(need.key), col=2)
        assert (ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 5).value) == (need.low_jpy, need.high_jpy, need.basis_ja)
        assert ws.cell(r, 4).number_format == YEN_JA
    assumptions = comparison.needs.assumptions
    assert ws.cell(_find(ws, "システム停止日数"), 3).value == assumptions.outage_days
    assert ws.cell(_find(ws, "お詫び 1人あたり"), 3).value == assumptions.apology_per_person_jpy
    assert ws.cell(_find(ws, "売上高(年間)"), 3).value == person.annual_revenue_jpy
    assert ws.cell(_find(ws, "保有する個人情報の件数"), 3).number_format == '#,##0"件"'


def test_underwriting_sheet_gives_reasons_conditions_and_changes(tmp_path: Path, rater: Rater) -> None:
    person, priorities = _fixture("saas_large")
    comparison = build_comparison(rater, person, AS_OF, priorities=priorities, all_plans=True)  # the capped plans too
    book = _write(tmp_path / "u.xlsx", comparison, person)
    ws = book["引受条件・お断り"]
    rows = list(ws.iter_rows(min_row=_find(ws, "保険会社") + 1, values_only=True))
    for column in comparison.columns:
        quote = column.quote
        mine = [r for r in rows if r[0] == carrier_name(quote.carrier) and r[1] == quote.plan.name]
        for condition in quote.conditions:
            assert ("引受条件", condition.text_ja, condition.days) in [(r[3], r[4], r[7]) for r in mine]
        for adj in quote.adjustments:
            if adj.what == "limit":
                assert ("ご希望からの変更", adj.reason.text_ja, adj.asked, adj.quoted) in [(r[3], r[4], r[5], r[6]) for r in mine]
    table = book["比較表"]
    capped = next(i for i, c in enumerate(comparison.columns) if c.quote.limit_jpy < c.quote.asked_limit_jpy)
    assert table.cell(_find(table, "支払限度額"), 3 + capped).number_format == '#,##0"円 (変更)"'


def test_declined_plans_show_no_premium_and_say_why(tmp_path: Path) -> None:
    rater = Rater([carrier_data(Carrier.AIG)])
    person = applicant(industry=Industry.FINTECH)
    comparison = build_comparison(rater, person, AS_OF, all_plans=True)
    book = _write(tmp_path / "d.xlsx", comparison, person)
    ws = book["比較表"]
    assert ws.cell(_find(ws, "状態"), 3).value == "お引受け不可"
    assert ws.cell(_find(ws, "年間保険料"), 3).value == "—"
    assert ws.cell(_find(ws, "ご提案順位"), 3).value == "対象外"
    uw = book["引受条件・お断り"]
    kinds = [r[3] for r in uw.iter_rows(min_row=_find(uw, "保険会社") + 1, values_only=True)]
    assert kinds.count("お引受け不可の理由") == sum(len(c.quote.reasons) for c in comparison.columns) >= len(comparison.columns)
    assert "ご希望の条件に合うプランはありません(「ご提案」シート)" in _strings(book)


def test_notes_say_what_the_comparison_cannot_promise(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    book = _write(tmp_path / "c.xlsx", comparison, person)
    notes = " ".join(str(v) for row in book["ご注意"].iter_rows(values_only=True) for v in row if v)
    assert "保険会社とプランによって異なります" in notes
    assert "単なる納期遅延" in notes and "サイバー攻撃に起因する納期遅延" in notes
    assert "お見積もりの有効期限は2026年12月21日までです" in notes


# -------------------------------------------------- print, properties, EN ---


def test_print_setup_fonts_and_properties(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    book = _write(tmp_path / "c.xlsx", comparison, person)
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize or 0)) == ("landscape", 9)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # fitToWidth="1" is the default XlsxWriter leaves out
        assert ws.oddHeader.left.text == f"{person.company} 様"
        assert ws.oddHeader.center.text == f"サイバー保険 お見積もり比較表 — {ws.title}"
        assert ws.oddHeader.right.text == "見積日 2026年11月21日"
        assert (ws.oddFooter.center.text, ws.oddFooter.right.text) == ("&P / &N", "&A")
        assert ws.freeze_panes is not None
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Meiryo"}
    props = book.properties
    assert props.title == f"サイバー保険 お見積もり比較表 — {person.company} 様"
    assert props.creator == "quote-aggregator" and props.created == datetime(2026, 11, 21)
    assert "比較推奨" in str(props.subject)
    custom = {p.name: p.value for p in book.custom_doc_props.props}
    assert custom["as_of"] == "2026-11-21" and custom["line"] == "cyber" and custom["language"] == "ja"


def test_english_workbook(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    book = _write(tmp_path / "en.xlsx", comparison, person, "en")
    ws = book["Comparison"]
    head = _find(ws, "Coverage item")
    assert [ws.cell(head, 3 + i).value for i in range(len(comparison.columns))] == [
        carrier_name(c.quote.carrier, "en") for c in comparison.columns
    ]
    premium = ws.cell(_find(ws, "Annual premium"), 3)
    assert premium.value == comparison.columns[0].quote.premium_jpy and premium.number_format == YEN_EN
    assert _find(ws, "[Third-party liability]")
    short = next(row.key for row in comparison.rows if comparison.cell(0, row.key).shortfall_jpy)
    r = _find(ws, label(short, "en"))
    assert ws.cell(r + 1, 1).value == "└ Shortfall" and ws.cell(r + 1, 3).number_format == '"short ¥"#,##0'
    texts = _strings(book)
    assert "Not offered" in texts and "Rider (not taken)" in texts
    assert SAMPLE_NOTICE[1] in texts and SAMPLE_NOTICE[0] not in texts
    assert all(reason in texts for reason in recommend(comparison).reasons_en)
    assert book["Notes"].oddHeader.right.text == "Quoted 2026-11-21"
    assert book.properties.title.startswith("Cyber insurance: quote comparison")
    japanese_labels = {"補償なし", "比較表", "年間保険料", "ご提案", "不足額"}
    assert not japanese_labels & set(texts)


def test_sample_notice_when_and_only_when_sample_data(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    assert comparison.sample
    book = _write(tmp_path / "s.xlsx", comparison, person)
    for ws in book.worksheets:
        assert any(SAMPLE_NOTICE[0] in str(c.value) for row in ws.iter_rows(max_row=4) for c in row), ws.title
        assert ws.oddFooter.left.text == "サンプルデータ(架空)"
    assert book.properties.description == SAMPLE_NOTICE[0]
    assert {p.name: p.value for p in book.custom_doc_props.props}["sample_data"] is True

    real = _non_sample(comparison)
    assert not real.sample
    for lang in ("ja", "en"):
        book = _write(tmp_path / f"r_{lang}.xlsx", real, person, lang)
        texts = " ".join(_strings(book))
        assert "サンプルデータ" not in texts and "Sample data" not in texts and "架空の見本" not in texts
        for ws in book.worksheets:
            assert not ws.oddFooter.left.text
        assert not book.properties.description
        assert {p.name: p.value for p in book.custom_doc_props.props}["sample_data"] is False


def test_streams_to_a_binary_file(si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    buffer = io.BytesIO()
    write_comparison(comparison, buffer, applicant=person, as_of=AS_OF)
    assert buffer.getvalue()[:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == JA_SHEETS


def test_a_comparison_with_no_plans_still_writes(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    empty = replace(comparison, columns=(), ranking=())
    book = _write(tmp_path / "e.xlsx", empty, person)
    assert "この条件でお見積もりできるプランはありません。" in _strings(book)


# ------------------------------------------------------ formula injection ---

NASTY = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+81-3-0000",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    "＝ＳＵＭ(A1)",
    "＋1",
    "－1",
    "＠A1",
    "<r><t>x</t></r>",
    "\x00\x07_x0041_",
    "\ufffe\uffff",
]


def _poison(comparison: Comparison, person: Applicant, words: list[str]) -> tuple[Comparison, Applicant]:
    """Carrier and customer text replaced by `words`: plan names, wording, conditions, reasons, the company and the note."""
    try:
        person = replace(person, company=words[0])
    except ApplicantError:
        person = replace(person, company="株式会社" + "".join(ch for ch in words[0] if ch.isprintable())[:50])
    columns = []
    for i, column in enumerate(comparison.columns):
        quote = column.quote
        plan = quote.plan
        terms = tuple(
            replace(
                t,
                wording=words[(i + k) % 6 + 2],
                conditions=words[(i + k) % 3 + 7] if t.conditions and words[(i + k) % 3 + 7].strip() else t.conditions,
            )
            for k, t in enumerate(plan.terms)
        )
        plan = replace(plan, name=words[i % 8 + 2], terms=terms, exclusions=(words[9],))
        quote = replace(
            quote,
            plan=plan,
            rate_version=words[(i + 1) % 10],
            conditions=(Condition("c", words[8], words[8], 30),),
            reasons=(Reason("r", words[9], words[9]),),
        )
        columns.append(replace(column, quote=quote))
    priorities = replace(comparison.priorities, note=words[1])
    return replace(comparison, columns=tuple(columns), priorities=priorities), person


def _as_read(text: str) -> str:
    """Text as openpyxl reads it back: it leaves Excel's _xHHHH_ escapes of control characters in place."""
    return re.sub("[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def _assert_no_formula(book: Any, words: list[str]) -> None:
    """No formula anywhere, no text starting with a trigger, and each trigger-led word there, prefixed."""
    values = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), (ws.title, cell.value)
                    values.add(cell.value)
    for word in words[2:10]:
        if word.startswith(FORMULA_TRIGGERS) and not re.search("_x[0-9a-fA-F]{4}_", word):
            assert sheet_text(word).startswith("'") and _as_read(sheet_text(word)) in values, word


def test_known_injections_are_neutralised(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    for start in range(0, len(NASTY), 5):
        words = [NASTY[(start + k) % len(NASTY)] for k in range(10)]
        poisoned, who = _poison(comparison, person, words)
        book = _write(tmp_path / f"n{start}.xlsx", poisoned, who)
        _assert_no_formula(book, words)
    assert sheet_text("<r><t>x</t></r>") == "'<r><t>x</t></r>"
    assert sheet_text("\ufffe=1") == "\ufffd=1"


TEXTS = st.one_of(
    st.text(max_size=40),
    st.builds(lambda t, rest: t + rest, st.sampled_from(FORMULA_TRIGGERS), st.text(max_size=30)),
    st.sampled_from(NASTY),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(words=st.lists(TEXTS, min_size=10, max_size=10))
def test_no_generated_text_becomes_a_formula(si: tuple[Comparison, Applicant], words: list[str]) -> None:
    """100 workbooks × 10 strings = 1,000 generated strings as company, note, plan names, wording, conditions and reasons."""
    comparison, person = si
    poisoned, who = _poison(comparison, person, words)
    buffer = io.BytesIO()
    write_comparison(poisoned, buffer, applicant=who, as_of=AS_OF)
    _assert_no_formula(openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True), words)


# ------------------------------------------------------------------ CLI ---


def test_quote_command_writes_the_workbook_with_the_json_premiums(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out.xlsx"
    applicant_file = str(ROOT / "fixtures" / "applicants" / "si_vendor.json")
    result = runner.invoke(main, ["quote", applicant_file, "--xlsx", str(out), "--as-of", "2026-11-21"])
    assert result.exit_code == 0, result.output
    assert "比較表を書き出しました" in result.output
    as_json = runner.invoke(main, ["quote", applicant_file, "--json", "--as-of", "2026-11-21"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    ws = openpyxl.load_workbook(out)["比較表"]
    premiums = [ws.cell(_find(ws, "年間保険料"), 3 + i).value for i in range(len(data["columns"]))]
    assert premiums == [c["premium_jpy"] for c in data["columns"]]
    head = _find(ws, "補償項目")
    assert [ws.cell(head + 1, 3 + i).value for i in range(len(data["columns"]))] == [c["plan_name"] for c in data["columns"]]
    assert not (tmp_path / "out.xlsx.part").exists()
    english = tmp_path / "en.xlsx"
    assert runner.invoke(main, ["quote", applicant_file, "--xlsx", str(english), "--as-of", "2026-11-21", "--lang", "en"]).exit_code == 0
    assert openpyxl.load_workbook(english).sheetnames == EN_SHEETS


def test_same_input_gives_the_same_cells(tmp_path: Path, si: tuple[Comparison, Applicant]) -> None:
    comparison, person = si
    one = _write(tmp_path / "1.xlsx", comparison, person)
    two = _write(tmp_path / "2.xlsx", comparison, person)
    for a, b in zip(one.worksheets, two.worksheets, strict=True):
        assert list(a.iter_rows(values_only=True)) == list(b.iter_rows(values_only=True))


# ------------------------------------------------- the bulk workbook's look ---


def _client_list(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    head = ["会社名", "業種", "売上高(円)", "従業員数", "保有個人情報件数", "サーバー台数", "最大契約金額(円)", "契約形態"]
    head += ["多要素認証(MFA)", "EDR", "過去3年の事故件数", "希望種目", "支払限度額(円)", "免責金額(円)", "特約"]
    ws.append(head)
    ws.append(
        [
            "株式会社テスト",
            "システム受託開発・SI",
            500_000_000,
            40,
            20_000,
            10,
            30_000_000,
            "請負",
            "○",
            "○",
            1,
            "サイバー保険",
            OKU,
            100_000,
            "",
        ]
    )
    book.save(path)
    return path


@pytest.mark.parametrize("sample", [True, False])
def test_bulk_results_use_the_same_look(tmp_path: Path, sample: bool) -> None:
    from aggregator.bulk import run_bulk

    data = replace(carrier_data(), sample=sample)
    out = tmp_path / "bulk.xlsx"
    run_bulk(Rater([data]), _client_list(tmp_path / "clients.xlsx"), out, AS_OF)
    book = openpyxl.load_workbook(out)
    ws = book["一括見積結果"]
    assert ws.cell(3, 1).fill.fgColor.rgb == "FF1F3A5F" and ws.cell(3, 1).font.name == "Meiryo"
    assert ws.cell(4, 2).value == "株式会社テスト" and ws.cell(4, 2).font.name == "Meiryo"
    premium = ws.cell(4, [c.value for c in ws[3]].index("AIG損保 保険料(円)") + 1)
    assert type(premium.value) is int and premium.number_format == YEN_JA
    assert ws.freeze_panes == "C4" and ws.print_title_rows == "$3:$3" and ws.print_title_cols == "$A:$B"
    for sheet in book.worksheets:
        assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize or 0)) == ("landscape", 9)
        assert sheet.oddHeader.right.text == "見積日 2026年11月21日" and sheet.oddFooter.center.text == "&P / &N"
        assert (sheet.oddFooter.left.text or "") == ("サンプルデータ(架空)" if sample else "")
    assert book.properties.created == datetime(2026, 11, 21) and book.properties.title == "一括見積もり結果"
    assert (SAMPLE_NOTICE[0] in " ".join(_strings(book))) is sample
    assert {p.name: p.value for p in book.custom_doc_props.props}["sample_data"] is sample
