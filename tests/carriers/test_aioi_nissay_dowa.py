"""あいおいニッセイ同和損保: the sample workbooks load with the figures a broker checks, and every bad file names its place."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from aggregator.errors import CarrierDataError, UnclassifiedWordingError
from aggregator.schema import (
    POLICY_POOL,
    CarrierData,
    Industry,
    LimitBasis,
    Line,
    PerVictimCap,
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
from aggregator.taxonomy import CoverageKey as K
from carriers.aioi_nissay_dowa import PLAN_FILE, RATE_FILE, AioiNissayDowaAdapter

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "carriers" / "aioi_nissay_dowa"
GOLDEN = ROOT / "tests" / "golden" / "aioi_nissay_dowa.json"
CYBER, PL = "サイバーセキュリティ保険", "専門職業賠償責任保険"
CYBER_RATES, PL_RATES = "サイバー料率", "専門職賠料率"
MAN = 10_000  # 1万円


@pytest.fixture(scope="module")
def data() -> CarrierData:
    return AioiNissayDowaAdapter().load(FIXTURES)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "aioi_nissay_dowa"
    shutil.copytree(FIXTURES, copy)
    return copy


def plan(data: CarrierData, code: str) -> Plan:
    return next(p for p in data.plans if p.code == code)


def table(data: CarrierData, line: Line) -> RateTable:
    found = data.rate_table(line)
    assert found is not None
    return found


def find(path: Path, sheet: str, value: str) -> str:
    """The coordinate of the first cell holding `value`, so edits follow the fixture's layout."""
    ws = openpyxl.load_workbook(path)[sheet]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return str(cell.coordinate)
    raise AssertionError(f"{value!r} not in {sheet}")


def edit(path: Path, sheet: str, cells: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book[sheet][ref] = value
    book.save(path)


def load_error(folder: Path) -> CarrierDataError:
    with pytest.raises(CarrierDataError) as info:
        AioiNissayDowaAdapter().load(folder)
    return info.value


# ------------------------------------------------------------ what loads ---


def test_loads_both_lines_with_two_plans_each(data: CarrierData) -> None:
    assert data.lines == (Line.CYBER, Line.PROFESSIONAL_LIABILITY)
    assert [p.code for p in data.plans] == ["ADW-CY-B", "ADW-CY-W", "ADW-PL-S", "ADW-PL-H"]
    assert plan(data, "ADW-CY-W").name == "サイバーセキュリティ保険 ワイドプラン"
    assert {(p.rate_version, p.effective_from, p.effective_to) for p in data.plans} == {("2026.04", date(2026, 4, 1), None)}
    assert {(t.version, t.effective_from) for t in data.rate_tables} == {("2026.04", date(2026, 4, 1))}
    assert all(p.trigger is Trigger.CLAIMS_MADE for p in data.plans)
    assert data.sources == (PLAN_FILE, RATE_FILE)


def test_sample_data_is_flagged_everywhere(data: CarrierData) -> None:
    assert data.sample
    assert all(p.sample for p in data.plans)
    assert all(t.sample for t in data.rate_tables)


def test_without_the_notice_nothing_is_flagged_sample(folder: Path) -> None:
    for name, sheets in ((PLAN_FILE, (CYBER, PL)), (RATE_FILE, (CYBER_RATES, PL_RATES))):
        for sheet in sheets:
            edit(folder / name, sheet, {"A1": f"あいおいニッセイ同和損害保険株式会社 {sheet}"})
    loaded = AioiNissayDowaAdapter().load(folder)
    assert not loaded.sample
    assert not any(p.sample for p in loaded.plans)
    assert not any(t.sample for t in loaded.rate_tables)


def test_cyber_basic_sublimits_sit_inside_the_expense_pool(data: CarrierData) -> None:
    basic = plan(data, "ADW-CY-B")
    pool = basic.pool("expenses")
    assert pool is not None and pool.limit_jpy == 3_000 * MAN
    investigation = basic.term(K.INVESTIGATION)
    assert investigation is not None
    assert (investigation.status, investigation.limit_jpy, investigation.payout_ratio_pct, investigation.parent) == (
        TermStatus.SUBLIMITED,
        1_000 * MAN,
        90,
        "expenses",
    )
    apology = basic.term(K.APOLOGY)
    assert apology is not None and apology.per_victim == PerVictimCap(per_person_jpy=500)
    liability = basic.term(K.LIABILITY_DAMAGES)
    assert liability is not None and (liability.status, liability.limit_jpy, liability.parent) == (TermStatus.INCLUDED, None, POLICY_POOL)


def test_cyber_basic_leaves_out_what_the_wide_plan_has(data: CarrierData) -> None:
    basic, wide = plan(data, "ADW-CY-B"), plan(data, "ADW-CY-W")
    for key in (K.RECURRENCE_PREVENTION, K.REPUTATIONAL_ADS, K.CREDIT_MONITORING, K.CYBER_DELAY):
        b, w = basic.term(key), wide.term(key)
        assert b is not None and w is not None
        assert b.status is TermStatus.NOT_OFFERED and w.offered, key
    call_center = basic.term(K.CALL_CENTER)
    assert call_center is not None
    assert call_center.status is TermStatus.CONDITIONAL
    assert call_center.conditions == "漏えい対象者が1,000名を超える場合に限る"
    extortion = wide.term(K.EXTORTION)
    assert extortion is not None and extortion.status is TermStatus.NOT_OFFERED and "身代金" in extortion.conditions


def test_cyber_wide_terms(data: CarrierData) -> None:
    wide = plan(data, "ADW-CY-W")
    assert wide.pools[0].limit_jpy == 1 * 100_000_000
    apology, ads, delay, lost = (wide.term(k) for k in (K.APOLOGY, K.REPUTATIONAL_ADS, K.CYBER_DELAY, K.LOST_PROFIT))
    assert apology is not None and apology.per_victim == PerVictimCap(per_person_jpy=1_000, per_company_jpy=5 * MAN)
    assert ads is not None and ads.deductible_jpy == 10 * MAN
    assert delay is not None and (delay.status, delay.limit_jpy, delay.deductible_jpy) == (TermStatus.OPTIONAL_RIDER, 1_000 * MAN, 50 * MAN)
    assert lost is not None and (lost.status, lost.limit_jpy, lost.waiting_hours, lost.basis, lost.parent) == (
        TermStatus.OPTIONAL_RIDER,
        5_000 * MAN,
        12,
        LimitBasis.PER_INCIDENT,
        POLICY_POOL,
    )
    misconduct = wide.term(K.EMPLOYEE_MISCONDUCT)
    assert misconduct is not None and (misconduct.status, misconduct.limit_jpy, misconduct.conditions) == (
        TermStatus.CONDITIONAL,
        None,
        "役員による行為を除く",
    )
    basic_lost = plan(data, "ADW-CY-B").term(K.LOST_PROFIT)
    assert basic_lost is not None and (basic_lost.limit_jpy, basic_lost.waiting_hours) == (1_000 * MAN, 24)


def test_professional_liability_is_mostly_liability(data: CarrierData) -> None:
    standard, high = plan(data, "ADW-PL-S"), plan(data, "ADW-PL-H")
    assert standard.pools == () and high.pools == ()
    assert [t.key for t in standard.terms if t.offered] == [K.LIABILITY_DAMAGES, K.LITIGATION_COSTS]
    legal = high.term(K.LEGAL_CONSULTING)
    assert legal is not None and (legal.status, legal.limit_jpy, legal.basis) == (TermStatus.SUBLIMITED, 100 * MAN, LimitBasis.PER_INCIDENT)
    investigation = high.term(K.INVESTIGATION)
    assert investigation is not None
    assert (investigation.status, investigation.payout_ratio_pct) == (TermStatus.CONDITIONAL, 90)
    assert investigation.conditions == "損害賠償請求のおそれがある事故に限る"
    regulatory = high.term(K.REGULATORY_RESPONSE)
    assert regulatory is not None and regulatory.status is TermStatus.UNKNOWN and not regulatory.offered
    assert "知的財産権の侵害" in high.exclusions


def test_limit_and_deductible_options(data: CarrierData) -> None:
    assert plan(data, "ADW-CY-B").limit_options_jpy == (3_000 * MAN, 5_000 * MAN, 10_000 * MAN, 30_000 * MAN)
    assert plan(data, "ADW-CY-W").limit_options_jpy[-1] == 10 * 100_000_000
    assert plan(data, "ADW-CY-W").deductible_options_jpy == (0, 10 * MAN, 50 * MAN, 100 * MAN, 500 * MAN, 1_000 * MAN)
    assert plan(data, "ADW-PL-S").deductible_options_jpy == (10 * MAN, 50 * MAN, 100 * MAN)


def test_cyber_rates(data: CarrierData) -> None:
    rates = table(data, Line.CYBER)
    assert rates.deductible_factor_bp[10 * MAN] == 10_000
    assert rates.deductible_factor_bp[0] == 10_800
    assert rates.limit_factor_bp[100_000_000] == 10_000
    assert rates.plan_factor_bp == {"ADW-CY-B": 10_000, "ADW-CY-W": 11_500}
    assert rates.revenue_band_upper_jpy[0] == 100_000_000 and rates.revenue_band_upper_jpy[-1] == 1_000 * 100_000_000
    assert rates.industry_class[Industry.APP_DEVELOPMENT] == "C区分"
    assert Industry.FINTECH not in rates.industry_class
    assert rates.base_premium_jpy["C区分"][2] == 1_250_000  # 5億〜10億円 未満
    assert rates.control_credit_bp[SecurityControl.MFA] == -500
    assert rates.missing_control_debit_bp == {SecurityControl.MFA: 1_000}
    assert (rates.max_credit_bp, rates.incident_surcharge_bp, rates.minimum_premium_jpy, rates.rounding_jpy) == (2_000, 2_000, 50_000, 10)
    assert rates.rider_factor_bp == {K.LOST_PROFIT: 2_500, K.EXTRA_EXPENSE: 1_000, K.CYBER_DELAY: 1_200}


def test_professional_liability_rates(data: CarrierData) -> None:
    rates = table(data, Line.PROFESSIONAL_LIABILITY)
    assert rates.limit_factor_bp[10 * 1_000 * MAN] == 10_000
    assert rates.deductible_factor_bp[300 * MAN] == 7_800
    assert Industry.HOSTING_DATACENTER not in rates.industry_class
    assert rates.rider_factor_bp == {K.EMERGENCY_RESPONSE: 800}
    assert rates.minimum_premium_jpy == 30_000


def test_eligibility_rules(data: CarrierData) -> None:
    rules = {r.code: r for r in table(data, Line.CYBER).rules}
    decline = rules["ADW-C01"]
    assert (decline.action, decline.field, decline.op, decline.value) == (
        RuleAction.DECLINE,
        RuleField.ANNUAL_REVENUE,
        RuleOp.GT,
        1_000 * 100_000_000,
    )
    assert rules["ADW-C02"].value == ("fintech",)
    assert (rules["ADW-C03"].action, rules["ADW-C03"].op, rules["ADW-C03"].value) == (RuleAction.REFER, RuleOp.GE, 2)
    mfa = rules["ADW-C04"]
    assert (mfa.action, mfa.field, mfa.value, mfa.unless, mfa.days) == (
        RuleAction.CONDITION,
        RuleField.RECORDS_HELD,
        100_000,
        SecurityControl.MFA,
        30,
    )
    drop = rules["ADW-C05"]
    assert (drop.action, drop.value, drop.rider) == (RuleAction.DROP_RIDER, 100 * 100_000_000, K.LOST_PROFIT)
    pl = {r.code: r for r in table(data, Line.PROFESSIONAL_LIABILITY).rules}
    assert pl["ADW-P02"].value == ("hosting_datacenter", "fintech")
    assert pl["ADW-P04"].field is RuleField.LARGEST_CONTRACT and pl["ADW-P04"].value == 10 * 100_000_000


def premium(
    rates: RateTable, plan_code: str, revenue: int, industry: Industry, limit: int, deductible: int, controls: set[SecurityControl]
) -> int:
    """The RateTable formula by hand, for a figure to hold against DOMAIN.md's published example."""
    band = next(i for i, upper in enumerate(rates.revenue_band_upper_jpy) if revenue < upper)
    amount = rates.base_premium_jpy[rates.industry_class[industry]][band]
    for factor in (rates.plan_factor_bp[plan_code], rates.limit_factor_bp[limit], rates.deductible_factor_bp[deductible]):
        amount = amount * factor // 10_000
    credit = sum(v for c, v in rates.control_credit_bp.items() if c in controls)
    credit += sum(v for c, v in rates.missing_control_debit_bp.items() if c not in controls)
    amount = amount * (10_000 + max(credit, -rates.max_credit_bp)) // 10_000
    return max(-(-amount // rates.rounding_jpy) * rates.rounding_jpy, rates.minimum_premium_jpy)


def test_premiums_are_in_the_published_range(data: CarrierData) -> None:
    rates = table(data, Line.CYBER)
    half = {SecurityControl.MFA, SecurityControl.EDR, SecurityControl.OFFLINE_BACKUP}
    small = premium(rates, "ADW-CY-B", 5 * 100_000_000, Industry.APP_DEVELOPMENT, 100_000_000, 10 * MAN, half)
    large = premium(rates, "ADW-CY-B", 30 * 100_000_000, Industry.APP_DEVELOPMENT, 100_000_000, 10 * MAN, half)
    assert small == 1_087_500
    assert 0.7 * 1_190_000 <= small <= 1.3 * 1_190_000
    assert 0.7 * 2_418_000 <= large <= 1.3 * 2_418_000
    wide = premium(rates, "ADW-CY-W", 5 * 100_000_000, Industry.APP_DEVELOPMENT, 5 * 100_000_000, 10 * MAN, half)
    assert 0.7 * 1_828_000 <= wide <= 1.3 * 1_828_000


def test_identify() -> None:
    adapter = AioiNissayDowaAdapter()
    assert adapter.identify(FIXTURES / PLAN_FILE)
    assert adapter.identify(FIXTURES / RATE_FILE)
    assert not adapter.identify(FIXTURES / "missing.xlsx")
    assert not adapter.identify(Path(__file__))


def test_identify_leaves_other_carriers_files_alone() -> None:
    others = [p for p in (ROOT / "fixtures" / "carriers").glob("*/*") if p.parent.name != "aioi_nissay_dowa"]
    assert [p.name for p in others if AioiNissayDowaAdapter().identify(p)] == []


def test_identify_rejects_other_files(tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active["A1"] = "東京海上日動火災保険 サイバーリスク保険 補償内容"
    book.save(other)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes((FIXTURES / PLAN_FILE).read_bytes()[:2000])
    assert not AioiNissayDowaAdapter().identify(other)
    assert not AioiNissayDowaAdapter().identify(broken)


def test_golden(data: CarrierData) -> None:
    text = json.dumps(to_data(data), ensure_ascii=False, indent=1, sort_keys=True)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


# ------------------------------------------------------------- bad input ---


def test_another_carriers_file(folder: Path) -> None:
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "補償内容"
    book.active["A1"] = "東京海上日動火災保険 サイバーリスク保険 補償内容一覧"
    book.save(folder / PLAN_FILE)
    error = load_error(folder)
    assert (error.file, error.row, error.value) == (PLAN_FILE, 1, "東京海上日動火災保険 サイバーリスク保険 補償内容一覧")
    assert "あいおいニッセイ同和損保のファイルではありません" in error.message


def test_folder_missing_a_file(folder: Path) -> None:
    (folder / RATE_FILE).unlink()
    error = load_error(folder)
    assert error.file == RATE_FILE and "ファイルがありません" in error.message


def test_missing_sheet(folder: Path) -> None:
    book = openpyxl.load_workbook(folder / RATE_FILE)
    del book[PL_RATES]
    book.save(folder / RATE_FILE)
    error = load_error(folder)
    assert (error.file, error.sheet) == (RATE_FILE, PL_RATES) and "シート" in error.message


def test_missing_amount_column(folder: Path) -> None:
    ref = find(folder / PLAN_FILE, CYBER, "支払限度額(千円)")
    edit(folder / PLAN_FILE, CYBER, {ref: "限度額"})
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column) == (PLAN_FILE, CYBER, 7, "C")
    assert error.value == ["補償", "限度額", "備考"]


def test_missing_rate_column(folder: Path) -> None:
    ref = find(folder / RATE_FILE, CYBER_RATES, "料率区分")
    edit(folder / RATE_FILE, CYBER_RATES, {ref: "区分"})
    error = load_error(folder)
    assert (error.file, error.sheet, error.column) == (RATE_FILE, CYBER_RATES, "料率区分")
    assert error.row == int(ref[1:])


def test_unreadable_amount(folder: Path) -> None:
    edit(folder / PLAN_FILE, CYBER, {"D12": "一千万くらい"})
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (PLAN_FILE, CYBER, 12, "D", "一千万くらい")


def test_unreadable_factor(folder: Path) -> None:
    ref = find(folder / RATE_FILE, CYBER_RATES, "ワイドプラン")
    factor = f"B{ref[1:]}"
    edit(folder / RATE_FILE, CYBER_RATES, {factor: "1.15倍"})
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (RATE_FILE, CYBER_RATES, int(ref[1:]), "B", "1.15倍")


def test_unknown_wording_is_listed_and_mappings_load_it(folder: Path) -> None:
    edit(folder / PLAN_FILE, CYBER, {"B11": "セキュリティ事案支援費用"})
    ref = find(folder / RATE_FILE, PL_RATES, "事故対応費用補償特約")
    edit(folder / RATE_FILE, PL_RATES, {ref: "セキュリティ事案支援費用補償特約"})
    with pytest.raises(UnclassifiedWordingError) as info:
        AioiNissayDowaAdapter().load(folder)
    assert [w for w, _ in info.value.items] == ["セキュリティ事案支援費用", "セキュリティ事案支援費用補償特約"]
    assert f"{PLAN_FILE} sheet={CYBER} row=11 column=B" == info.value.items[0][1]
    mappings = {"セキュリティ事案支援費用": K.EMERGENCY_RESPONSE, "セキュリティ事案支援費用補償特約": K.EMERGENCY_RESPONSE}
    loaded = AioiNissayDowaAdapter().load(folder, mappings)
    term = plan(loaded, "ADW-CY-B").term(K.EMERGENCY_RESPONSE)
    assert term is not None and term.wording == "セキュリティ事案支援費用"
    assert table(loaded, Line.PROFESSIONAL_LIABILITY).rider_factor_bp == {K.EMERGENCY_RESPONSE: 800}


def test_inner_limit_larger_than_its_pool(folder: Path) -> None:
    edit(folder / PLAN_FILE, CYBER, {"D12": 50_000})  # investigation 5,000万 inside a 3,000万 pool
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (PLAN_FILE, CYBER, 12, "D", 50_000_000)
    assert "親の限度額" in error.message


@pytest.mark.parametrize("mark", ["◎", "?"])
def test_unknown_mark(folder: Path, mark: str) -> None:
    edit(folder / PLAN_FILE, CYBER, {"F14": mark})
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (PLAN_FILE, CYBER, 14, "F", mark)
    assert "ワイドプラン" in error.message


def test_conditional_item_without_its_condition(folder: Path) -> None:
    edit(folder / PLAN_FILE, CYBER, {"E16": None})  # コールセンター △ in the basic plan
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (PLAN_FILE, CYBER, 16, "E", "△")
    assert "条件" in error.message


def test_not_offered_item_with_an_amount(folder: Path) -> None:
    edit(folder / PLAN_FILE, CYBER, {"D14": 5_000})  # 再発防止 × in the basic plan
    error = load_error(folder)
    assert (error.file, error.row, error.column, error.value) == (PLAN_FILE, 14, "D", 5_000)


def test_merged_header_without_its_plan_name(folder: Path) -> None:
    edit(folder / PLAN_FILE, PL, {"F6": None})
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (PLAN_FILE, PL, 6, "F", "補償")
    assert "プラン名" in error.message


def test_rate_sheet_names_a_plan_the_plan_sheet_lacks(folder: Path) -> None:
    ref = find(folder / RATE_FILE, CYBER_RATES, "ワイドプラン")
    edit(folder / RATE_FILE, CYBER_RATES, {ref: "プレミアムプラン"})
    error = load_error(folder)
    assert (error.sheet, error.row, error.value) == (CYBER_RATES, int(ref[1:]), "プレミアムプラン")


def test_rate_version_must_match_the_plans(folder: Path) -> None:
    edit(folder / RATE_FILE, PL_RATES, {"B2": "2025.10"})
    error = load_error(folder)
    assert (error.file, error.sheet, error.value) == (RATE_FILE, PL_RATES, "2025.10")


def test_unknown_industry(folder: Path) -> None:
    ref = find(folder / RATE_FILE, CYBER_RATES, "技術者派遣業(SES)")
    edit(folder / RATE_FILE, CYBER_RATES, {ref: "飲食業"})
    error = load_error(folder)
    assert (error.sheet, error.row, error.column, error.value) == (CYBER_RATES, int(ref[1:]), "A", "飲食業")


def test_limit_option_without_a_rate_factor(folder: Path) -> None:
    ref = find(folder / RATE_FILE, CYBER_RATES, "■支払限度額係数")
    row = int(ref[1:]) + 2  # the first factor row: 3,000万円
    edit(folder / RATE_FILE, CYBER_RATES, {f"A{row}": 40_000})
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.value) == (RATE_FILE, CYBER_RATES, int(ref[1:]), ["30000000"])
    assert "係数がありません" in error.message
