"""東京海上日動's adapter: its sample workbooks load to the figures a broker would check, and bad files fail by name."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from aggregator.errors import CarrierDataError, UnclassifiedWordingError
from aggregator.schema import (
    CarrierData,
    Industry,
    LimitBasis,
    Line,
    Plan,
    RateTable,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
    Trigger,
)
from aggregator.serialize import to_data
from aggregator.taxonomy import CoverageKey
from carriers.tokio_marine import PLANS_FILE, RATES_FILE, TokioMarineAdapter

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "carriers" / "tokio_marine"
GOLDEN = ROOT / "tests" / "golden" / "tokio_marine.json"
HEADER_ROW = 4  # title, notice and a note sit above each sheet's header
MAN = 10_000


@pytest.fixture(scope="module")
def data() -> CarrierData:
    return TokioMarineAdapter().load(FIXTURES)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES, tmp_path / "tokio_marine"))


def _plan(data: CarrierData, code: str) -> Plan:
    return next(p for p in data.plans if p.code == code)


def _table(data: CarrierData, line: Line) -> RateTable:
    table = data.rate_table(line)
    assert table is not None
    return table


def _edit(path: Path, sheet: str, change: Callable[[Worksheet], None]) -> None:
    book = openpyxl.load_workbook(path)
    change(book[sheet])
    book.save(path)


def _column(ws: Worksheet, header: str) -> int:
    return next(int(c.column or 0) for c in ws[HEADER_ROW] if c.value == header)


def _row(ws: Worksheet, *values: str) -> int:
    """The first data row holding all `values` (plan code, wording …)."""
    for cells in ws.iter_rows(min_row=HEADER_ROW + 1):
        if all(v in [c.value for c in cells] for v in values):
            return int(cells[0].row or 0)
    raise AssertionError(f"no row with {values}")


def _set(path: Path, sheet: str, row_values: tuple[str, ...], header: str, value: str | int) -> int:
    """Write `value` under `header` in the row holding `row_values`; returns the row number."""
    found: list[int] = []

    def change(ws: Worksheet) -> None:
        found.append(_row(ws, *row_values))
        ws.cell(found[0], _column(ws, header), value)

    _edit(path, sheet, change)
    return found[0]


# ------------------------------------------------------------ the data ---


def test_fixtures_load_three_lines_six_plans_rate_version_2026_04(data: CarrierData) -> None:
    assert data.lines == (Line.CYBER, Line.IT_EO, Line.PROFESSIONAL_LIABILITY)
    assert [p.code for p in data.plans] == ["TMC-S", "TMC-W", "TMI-B", "TMI-P", "TMP-A", "TMP-B"]
    assert {p.rate_version for p in data.plans} == {t.version for t in data.rate_tables} == {"2026.04"}
    assert {p.effective_from for p in data.plans} == {t.effective_from for t in data.rate_tables} == {date(2026, 4, 1)}
    assert {p.effective_to for p in data.plans} == {None}
    assert _plan(data, "TMI-B").product == "サイバーリスク保険＋IT業務特約"
    assert _plan(data, "TMP-A").name == "専門職業賠償責任保険 Aプラン"


def test_invented_data_is_flagged_sample_everywhere(data: CarrierData) -> None:
    assert data.sample
    assert all(p.sample for p in data.plans)
    assert all(t.sample for t in data.rate_tables)


def test_files_without_the_sample_notice_load_as_real(folder: Path) -> None:
    for name in (PLANS_FILE, RATES_FILE):
        book = openpyxl.load_workbook(folder / name)
        for ws in book.worksheets:
            for cells in ws.iter_rows():
                for cell in cells:
                    if isinstance(cell.value, str) and ("サンプルデータ" in cell.value or "SAMPLE DATA" in cell.value):
                        cell.value = "東京海上日動 社外秘"
        book.save(folder / name)
    loaded = TokioMarineAdapter().load(folder)
    assert not loaded.sample
    assert not any(p.sample for p in loaded.plans)
    assert not any(t.sample for t in loaded.rate_tables)


def test_cyber_standard_investigation_is_1000man_at_90pct_inside_the_3000man_expense_pool(data: CarrierData) -> None:
    plan = _plan(data, "TMC-S")
    pool = plan.pool("expenses")
    assert pool is not None
    assert (pool.label_ja, pool.limit_jpy, pool.basis) == ("費用損害の総支払限度額", 3_000 * MAN, LimitBasis.BOTH)
    term = plan.term(CoverageKey.INVESTIGATION)
    assert term is not None
    assert (term.status, term.limit_jpy, term.payout_ratio_pct, term.parent) == (TermStatus.SUBLIMITED, 1_000 * MAN, 90, "expenses")
    assert term.wording == "事故原因・被害範囲調査費用"
    assert plan.limit_options_jpy == (1_000 * MAN, 3_000 * MAN, 5_000 * MAN, 10_000 * MAN, 30_000 * MAN)
    assert plan.deductible_options_jpy == (0, 10 * MAN, 50 * MAN, 100 * MAN)


def test_apology_money_is_capped_at_500_yen_per_person(data: CarrierData) -> None:
    for code in ("TMC-S", "TMC-W", "TMI-B", "TMI-P"):
        term = _plan(data, code).term(CoverageKey.APOLOGY)
        assert term is not None
        assert term.per_victim is not None
        assert (term.per_victim.per_person_jpy, term.per_victim.per_company_jpy) == (500, None)
    assert _plan(data, "TMC-W").term(CoverageKey.APOLOGY).limit_jpy == 3_000 * MAN  # type: ignore[union-attr]


def test_limit_bases_and_litigation_costs_inside_the_liability_limit(data: CarrierData) -> None:
    standard = _plan(data, "TMC-S")
    litigation = standard.term(CoverageKey.LITIGATION_COSTS)
    assert litigation is not None
    assert (litigation.status, litigation.limit_jpy, litigation.parent) == (TermStatus.INCLUDED, None, "policy")
    assert litigation.basis is LimitBasis.CLAIM_AND_AGGREGATE  # 1請求・保険期間中
    assert standard.term(CoverageKey.LEGAL_CONSULTING).basis is LimitBasis.AGGREGATE  # type: ignore[union-attr]  # 保険期間中
    assert _plan(data, "TMP-A").term(CoverageKey.LIABILITY_DAMAGES).basis is LimitBasis.PER_CLAIM  # type: ignore[union-attr]  # 1請求


def test_cyber_wide_covers_what_standard_leaves_out(data: CarrierData) -> None:
    standard, wide = _plan(data, "TMC-S"), _plan(data, "TMC-W")
    assert standard.term(CoverageKey.RECURRENCE_PREVENTION).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
    recurrence = wide.term(CoverageKey.RECURRENCE_PREVENTION)
    assert recurrence is not None
    assert (recurrence.limit_jpy, recurrence.payout_ratio_pct) == (1_000 * MAN, 90)
    credit = wide.term(CoverageKey.CREDIT_MONITORING)
    assert credit is not None
    assert credit.status is TermStatus.CONDITIONAL
    assert "クレジットカード番号" in credit.conditions
    assert wide.term(CoverageKey.EMPLOYEE_MISCONDUCT).status is TermStatus.OPTIONAL_RIDER  # type: ignore[union-attr]
    assert wide.term(CoverageKey.FUNDS_LOSS).status is TermStatus.UNKNOWN  # type: ignore[union-attr]  # 要照会, not ¥0
    assert wide.term(CoverageKey.EXTORTION).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
    restoration = standard.term(CoverageKey.DATA_RESTORATION)
    assert restoration is not None
    assert restoration.deductible_jpy == 10 * MAN
    assert standard.term(CoverageKey.EMERGENCY_RESPONSE).deductible_jpy == 0  # type: ignore[union-attr]  # 「なし」
    assert wide.term(CoverageKey.EMERGENCY_RESPONSE).deductible_jpy is None  # type: ignore[union-attr]  # policy deductible


def test_business_interruption_is_an_optional_rider_with_a_waiting_period(data: CarrierData) -> None:
    lost = _plan(data, "TMC-S").term(CoverageKey.LOST_PROFIT)
    assert lost is not None
    assert (lost.status, lost.limit_jpy, lost.waiting_hours, lost.trigger) == (
        TermStatus.OPTIONAL_RIDER,
        1_000 * MAN,
        12,
        Trigger.DISCOVERY,
    )
    assert _plan(data, "TMI-B").term(CoverageKey.EXTRA_EXPENSE).wording == "超過人件費"  # type: ignore[union-attr]
    assert _table(data, Line.CYBER).rider_factor_bp[CoverageKey.LOST_PROFIT] == 1_500
    assert _plan(data, "TMC-S").trigger is Trigger.CLAIMS_MADE


def test_it_eo_pays_a_delivery_delay_only_when_a_cyber_attack_caused_it(data: CarrierData) -> None:
    delay = _plan(data, "TMI-B").term(CoverageKey.CYBER_DELAY)
    assert delay is not None
    assert delay.status is TermStatus.CONDITIONAL
    assert "単なる納期遅延は対象外" in delay.conditions
    assert _plan(data, "TMC-S").term(CoverageKey.CYBER_DELAY).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]


def test_professional_liability_is_liability_and_defence_costs_only(data: CarrierData) -> None:
    for code in ("TMP-A", "TMP-B"):
        plan = _plan(data, code)
        assert plan.pools == ()
        offered = {t.key for t in plan.terms if t.offered}
        assert offered <= {CoverageKey.LIABILITY_DAMAGES, CoverageKey.LITIGATION_COSTS, CoverageKey.LEGAL_CONSULTING}
    consulting = _plan(data, "TMP-B").term(CoverageKey.LEGAL_CONSULTING)
    assert consulting is not None
    assert (consulting.limit_jpy, consulting.parent) == (100 * MAN, "policy")
    assert _plan(data, "TMP-B").term(CoverageKey.LITIGATION_COSTS).wording == "弁護士等への報酬"  # type: ignore[union-attr]


def test_rate_factors_read_from_the_native_cells(data: CarrierData) -> None:
    cyber = _table(data, Line.CYBER)
    assert cyber.deductible_factor_bp[10 * MAN] == 10_000  # 1.00
    assert cyber.deductible_factor_bp[0] == 11_000  # 1.10
    assert cyber.limit_factor_bp[100_000 * MAN] == 20_500  # 2.05 for 10億円
    assert cyber.plan_factor_bp == {"TMC-S": 10_000, "TMC-W": 13_500}
    assert cyber.control_credit_bp[SecurityControl.MFA] == -500  # 5% 割引
    assert cyber.missing_control_debit_bp == {SecurityControl.MFA: 1_000, SecurityControl.OFFLINE_BACKUP: 500}
    assert (cyber.max_credit_bp, cyber.incident_surcharge_bp, cyber.minimum_premium_jpy, cyber.rounding_jpy) == (2_500, 2_000, 50_000, 10)
    assert cyber.revenue_band_upper_jpy[0] == 100_000_000 and cyber.revenue_band_upper_jpy[-1] == 100_000_000_000
    assert cyber.industry_class[Industry.FINTECH] == "D"


def test_professional_liability_writes_neither_hosting_nor_revenue_above_100oku(data: CarrierData) -> None:
    pl = _table(data, Line.PROFESSIONAL_LIABILITY)
    assert Industry.HOSTING_DATACENTER not in pl.industry_class  # 「―」 in 業種区分
    assert pl.revenue_band_upper_jpy[-1] == 10_000_000_000
    assert pl.base_premium_jpy["B"] == (120_000, 230_000, 330_000, 480_000, 690_000, 930_000)
    decline = next(r for r in pl.rules if r.code == "TMP-01")
    assert (decline.action, decline.field, decline.op, decline.value) == (
        RuleAction.DECLINE,
        RuleField.ANNUAL_REVENUE,
        RuleOp.GT,
        10_000_000_000,
    )


def test_underwriting_rules(data: CarrierData) -> None:
    rules = {r.code: r for t in data.rate_tables for r in t.rules}
    mfa = rules["TMC-03"]
    assert (mfa.action, mfa.field, mfa.value, mfa.unless, mfa.days) == (
        RuleAction.CONDITION,
        RuleField.RECORDS_HELD,
        100_000,
        SecurityControl.MFA,
        30,
    )
    drop = rules["TMC-04"]
    assert (drop.action, drop.value, drop.rider) == (RuleAction.DROP_RIDER, 10_000_000_000, CoverageKey.LOST_PROFIT)
    assert (rules["TMI-03"].op, rules["TMI-03"].value) == (RuleOp.GE, 2)
    assert rules["TMI-02"].value == ("fintech",)
    assert rules["TMP-02"].value == ("ukeoi",)
    assert rules["TMC-01"].value == 100_000_000_000


def _premium(
    table: RateTable, plan: str, industry: Industry, revenue: int, limit: int, deductible: int, controls: set[SecurityControl]
) -> int:
    """The RateTable formula, by hand, with no incidents and no riders."""
    band = next(i for i, upper in enumerate(table.revenue_band_upper_jpy) if revenue < upper)
    premium = table.base_premium_jpy[table.industry_class[industry]][band]
    for factor in (table.plan_factor_bp[plan], table.limit_factor_bp[limit], table.deductible_factor_bp[deductible]):
        premium = premium * factor // 10_000
    credits = sum(bp for c, bp in table.control_credit_bp.items() if c in controls)
    debits = sum(bp for c, bp in table.missing_control_debit_bp.items() if c not in controls)
    premium = premium * (10_000 + max(credits, -table.max_credit_bp) + debits) // 10_000
    return max(-(-premium // table.rounding_jpy) * table.rounding_jpy, table.minimum_premium_jpy)


def test_it_eo_premiums_are_near_the_published_it_services_examples(data: CarrierData) -> None:
    # DOMAIN.md: IT services, liability 1億円 / costs 3,000万円, deductible 10万円, about half the controls:
    # 1,190,000 yen at revenue 5億円 and 2,418,000 at 30億円. Carriers differ by up to ±30%.
    half = {SecurityControl.MFA, SecurityControl.EDR, SecurityControl.ISMS_PMARK}
    table = _table(data, Line.IT_EO)
    small = _premium(table, "TMI-B", Industry.APP_DEVELOPMENT, 500_000_000, 10_000 * MAN, 10 * MAN, half)
    large = _premium(table, "TMI-B", Industry.APP_DEVELOPMENT, 3_000_000_000, 10_000 * MAN, 10 * MAN, half)
    assert small == 1_118_000
    assert 0.7 * 1_190_000 <= small <= 1.3 * 1_190_000
    assert 0.7 * 2_418_000 <= large <= 1.3 * 2_418_000


def test_golden(data: CarrierData) -> None:
    text = json.dumps(to_data(data), ensure_ascii=False, indent=1, sort_keys=True)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


# ------------------------------------------------------------ identify ---


def test_identify_claims_both_workbooks_and_nothing_else(tmp_path: Path) -> None:
    adapter = TokioMarineAdapter()
    assert adapter.identify(FIXTURES / PLANS_FILE)
    assert adapter.identify(FIXTURES / RATES_FILE)
    text = tmp_path / "notes.xlsx"
    text.write_text("プランコード,補償項目\n", encoding="utf-8")
    other = _other_carriers_workbook(tmp_path / "other.xlsx")
    assert not adapter.identify(text)
    assert not adapter.identify(other)
    assert not adapter.identify(tmp_path / "missing.xlsx")
    assert not adapter.identify(tmp_path)


def _other_carriers_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "プラン一覧"
    ws.append(["三井住友海上 サイバープロテクター プラン表 サンプルデータ(架空)"])
    ws.append(["プランコード", "プラン名"])
    ws.append(["MS-ECO", "エコノミープラン"])
    book.save(path)
    return path


# ----------------------------------------------------------- bad input ---


def test_another_carriers_workbook_in_place_of_ours(folder: Path) -> None:
    _other_carriers_workbook(folder / PLANS_FILE)
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    assert caught.value.file == PLANS_FILE
    assert "東京海上日動のファイルではありません" in caught.value.message


def test_a_folder_without_the_rate_workbook_is_not_tokio_marines(folder: Path) -> None:
    (folder / RATES_FILE).unlink()
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    assert caught.value.file == RATES_FILE
    assert "東京海上日動のデータではありません" in caught.value.message


def test_missing_sheet_is_named(folder: Path) -> None:
    book = openpyxl.load_workbook(folder / RATES_FILE)
    del book["引受基準"]
    book.save(folder / RATES_FILE)
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    assert (caught.value.file, caught.value.sheet) == (RATES_FILE, "引受基準")


def test_missing_column_is_named(folder: Path) -> None:
    _edit(folder / PLANS_FILE, "補償内容", lambda ws: setattr(ws.cell(HEADER_ROW, _column(ws, "支払割合")), "value", "縮小割合"))
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    error = caught.value
    assert (error.file, error.sheet, error.row, error.column) == (PLANS_FILE, "補償内容", HEADER_ROW, "支払割合")
    assert "縮小割合" in error.value


def test_unreadable_amount_names_its_cell(folder: Path) -> None:
    row = _set(folder / PLANS_FILE, "補償内容", ("TMC-S", "コールセンター設置費用"), "支払限度額(万円)", "五百万")
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    error = caught.value
    assert (error.file, error.sheet, error.row, error.value) == (PLANS_FILE, "補償内容", row, "五百万")
    assert error.column == "E(支払限度額(万円))"


def test_unknown_status_mark_names_its_cell(folder: Path) -> None:
    row = _set(folder / PLANS_FILE, "補償内容", ("TMC-W", "再発防止費用"), "補償の扱い", "△")
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    assert (caught.value.sheet, caught.value.row, caught.value.value) == ("補償内容", row, "△")
    assert "補償の扱い" in (caught.value.column or "")


def test_unknown_wording_is_listed_and_loads_once_mapped(folder: Path) -> None:
    _set(folder / PLANS_FILE, "補償内容", ("TMC-W", "コールセンター設置費用"), "補償項目", "ダークウェブ監視サービス")
    _set(folder / RATES_FILE, "割増引", ("サイバーリスク保険", "営業継続費用補償特約"), "項目", "事業中断拡張特約")
    with pytest.raises(UnclassifiedWordingError) as caught:
        TokioMarineAdapter().load(folder)
    listed = [wording for wording, _ in caught.value.items]
    assert listed == ["ダークウェブ監視サービス", "事業中断拡張特約"]
    assert "補償内容" in caught.value.items[0][1]
    assert "割増引" in caught.value.items[1][1]
    mappings = {"ダークウェブ監視サービス": CoverageKey.CALL_CENTER, "事業中断拡張特約": CoverageKey.EXTRA_EXPENSE}
    loaded = TokioMarineAdapter().load(folder, mappings)
    assert _plan(loaded, "TMC-W").term(CoverageKey.CALL_CENTER).wording == "ダークウェブ監視サービス"  # type: ignore[union-attr]
    assert _table(loaded, Line.CYBER).rider_factor_bp[CoverageKey.EXTRA_EXPENSE] == 500


def _lie_about_dimensions(path: Path) -> None:
    """Rewrite every sheet's <dimension ref> to A1:A1, as some generators do."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content, count = re.subn(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:A1"', content)
                assert count == 1
            dst.writestr(item, content)
    shutil.move(tmp, path)


def test_workbooks_whose_dimension_tag_lies_still_load_every_row(folder: Path, data: CarrierData) -> None:
    for name in (PLANS_FILE, RATES_FILE):
        _lie_about_dimensions(folder / name)
    naive = openpyxl.load_workbook(folder / PLANS_FILE, read_only=True)
    assert len(list(naive["補償内容"].iter_rows(values_only=True))) == 1  # what trusting the tag would give
    naive.close()
    assert to_data(TokioMarineAdapter().load(folder)) == to_data(data)


def test_inner_limit_above_its_pool_is_a_schema_error_at_the_term_row(folder: Path) -> None:
    row = _set(folder / PLANS_FILE, "補償内容", ("TMC-S", "事故原因・被害範囲調査費用"), "支払限度額(万円)", 5000)
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    error = caught.value
    assert (error.file, error.sheet, error.row, error.value) == (PLANS_FILE, "補償内容", row, 50_000_000)
    assert "支払限度額(万円)" in (error.column or "")
    assert "30,000,000" in error.message


def test_plan_on_another_rate_version_is_refused(folder: Path) -> None:
    row = _set(folder / PLANS_FILE, "プラン一覧", ("TMI-P",), "料率改定版", "2025.10")
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    assert (caught.value.sheet, caught.value.row, caught.value.value) == ("プラン一覧", row, "2025.10")
    assert "2026.04" in caught.value.message


def test_a_limit_option_without_a_rate_factor_is_refused(folder: Path) -> None:
    _set(folder / PLANS_FILE, "プラン一覧", ("TMP-A",), "支払限度額(万円)", "1,000／3,000／5,000／10,000／20,000")
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    assert caught.value.value == 200_000_000
    assert "係数がありません" in caught.value.message


def test_a_factor_written_twice_is_refused(folder: Path) -> None:
    row = _set(folder / RATES_FILE, "係数", ("サイバーリスク保険", "TMC-W"), "プランコード", "TMC-S")
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(folder)
    assert (caught.value.file, caught.value.sheet, caught.value.row, caught.value.value) == (RATES_FILE, "係数", row, "TMC-S")
