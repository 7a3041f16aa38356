"""AIG損保: the English schedule of coverages and CSV rate tables load as the plans and rates a broker would read off them."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from aggregator.errors import CarrierDataError, UnclassifiedWordingError
from aggregator.schema import (
    POLICY_POOL,
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
from carriers.aig import AigAdapter

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "carriers" / "aig"
GOLDEN = ROOT / "tests" / "golden" / "aig.json"
SCHEDULE = "aig_schedule_of_coverages.xlsx"
K = CoverageKey


@pytest.fixture(scope="module")
def data() -> CarrierData:
    return AigAdapter().load(FIXTURES)


def _plan(data: CarrierData, code: str) -> Plan:
    return next(p for p in data.plans if p.code == code)


def _table(data: CarrierData, line: Line) -> RateTable:
    table = data.rate_table(line)
    assert table is not None
    return table


# ------------------------------------------------------------- loading ---


def test_fixtures_load_three_lines_two_plans_each_at_rate_version_2026_04(data: CarrierData) -> None:
    assert data.lines == (Line.CYBER, Line.IT_EO, Line.PROFESSIONAL_LIABILITY)
    assert [p.code for p in data.plans] == ["CE-ESS", "CE-PRO", "ITBG-STD", "ITBG-WIDE", "PI-BASIC", "PI-ENH"]
    assert {p.rate_version for p in data.plans} | {t.version for t in data.rate_tables} == {"2026.04"}
    assert {p.effective_from for p in data.plans} | {t.effective_from for t in data.rate_tables} == {date(2026, 4, 1)}
    assert _plan(data, "ITBG-WIDE").product == "ITビジネスガード (IT Business Guard)"
    assert all(p.trigger is Trigger.CLAIMS_MADE for p in data.plans)


def test_the_invented_files_are_flagged_as_sample_data_everywhere(data: CarrierData) -> None:
    assert data.sample
    assert all(p.sample for p in data.plans)
    assert all(t.sample for t in data.rate_tables)


def test_cyber_essentials_forensics_is_10m_at_90_percent_inside_the_30m_first_party_aggregate(data: CarrierData) -> None:
    plan = _plan(data, "CE-ESS")
    pool = plan.pool("expenses")
    assert pool is not None and pool.limit_jpy == 30_000_000
    forensics = plan.term(K.INVESTIGATION)
    assert forensics is not None
    assert (forensics.status, forensics.limit_jpy, forensics.parent, forensics.payout_ratio_pct) == (
        TermStatus.SUBLIMITED,
        10_000_000,
        "expenses",
        90,
    )
    assert forensics.deductible_jpy == 0 and forensics.trigger is Trigger.DISCOVERY
    notification = plan.term(K.APOLOGY)
    assert notification is not None and notification.per_victim is not None
    assert notification.per_victim.per_person_jpy == 500 and notification.per_victim.per_company_jpy is None


def test_cyber_essentials_leaves_out_what_the_professional_plan_offers(data: CarrierData) -> None:
    essentials, professional = _plan(data, "CE-ESS"), _plan(data, "CE-PRO")
    for key in (K.EXTORTION, K.FUNDS_LOSS, K.CREDIT_MONITORING, K.RECURRENCE_PREVENTION):
        assert essentials.term(key).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
        assert professional.term(key).offered  # type: ignore[union-attr]
    interruption = essentials.term(K.LOST_PROFIT)
    assert interruption is not None
    assert (interruption.status, interruption.limit_jpy, interruption.waiting_hours, interruption.basis) == (
        TermStatus.OPTIONAL_RIDER,
        10_000_000,
        12,
        LimitBasis.AGGREGATE,
    )
    regulatory = essentials.term(K.REGULATORY_RESPONSE)
    assert regulatory is not None and regulatory.status is TermStatus.CONDITIONAL
    assert "fines and penalties are not covered" in regulatory.conditions_en
    assert "罰金・課徴金は補償されません" in regulatory.conditions  # the Japanese the schedule gives beside it


def test_cyber_professional_apology_caps_bi_aggregate_and_riders(data: CarrierData) -> None:
    plan = _plan(data, "CE-PRO")
    apology = plan.term(K.APOLOGY)
    assert apology is not None and apology.per_victim is not None
    assert (apology.limit_jpy, apology.per_victim.per_person_jpy, apology.per_victim.per_company_jpy) == (30_000_000, 1_000, 50_000)
    assert plan.pool("business_interruption").limit_jpy == 50_000_000  # type: ignore[union-attr]
    extra = plan.term(K.EXTRA_EXPENSE)
    assert extra is not None and (extra.parent, extra.waiting_hours, extra.wording) == (
        "business_interruption",
        8,
        "Increased Cost of Working (追加費用)",
    )
    fraud = plan.term(K.FUNDS_LOSS)
    assert fraud is not None and (fraud.status, fraud.payout_ratio_pct, fraud.deductible_jpy) == (TermStatus.OPTIONAL_RIDER, 80, 500_000)
    extortion = plan.term(K.EXTORTION)
    assert extortion is not None and "ransom payments are not covered" in extortion.conditions_en
    response = plan.term(K.EMERGENCY_RESPONSE)
    assert response is not None and (response.status, response.limit_jpy, response.parent) == (TermStatus.INCLUDED, None, "expenses")
    assert plan.limit_options_jpy == (100_000_000, 300_000_000, 500_000_000, 1_000_000_000)


def test_it_business_guard_standard_and_wide(data: CarrierData) -> None:
    standard, wide = _plan(data, "ITBG-STD"), _plan(data, "ITBG-WIDE")
    assert standard.pool("expenses").limit_jpy == 10_000_000  # type: ignore[union-attr]
    assert wide.pool("expenses").limit_jpy == 30_000_000  # type: ignore[union-attr]
    delay = standard.term(K.CYBER_DELAY)
    assert delay is not None and delay.status is TermStatus.CONDITIONAL and delay.limit_jpy == 10_000_000
    assert "ordinary delivery delay is excluded" in delay.conditions_en
    assert standard.term(K.DATA_RESTORATION).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
    assert standard.term(K.LOST_PROFIT).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
    assert wide.term(K.LOST_PROFIT).status is TermStatus.OPTIONAL_RIDER  # type: ignore[union-attr]
    restoration = wide.term(K.DATA_RESTORATION)
    assert restoration is not None and (restoration.limit_jpy, restoration.deductible_jpy) == (10_000_000, 100_000)
    assert standard.deductible_options_jpy == (100_000, 500_000, 1_000_000, 3_000_000)
    assert wide.deductible_options_jpy[0] == 0 and wide.deductible_options_jpy[-1] == 10_000_000


def test_professional_indemnity_is_liability_and_defence_and_keeps_unknown_apart_from_not_covered(data: CarrierData) -> None:
    basic, enhanced = _plan(data, "PI-BASIC"), _plan(data, "PI-ENH")
    assert [t.key for t in basic.terms if t.offered] == [K.LIABILITY_DAMAGES, K.LITIGATION_COSTS]
    assert len(basic.terms) == 18 and basic.pools == ()
    lawyer = enhanced.term(K.LEGAL_CONSULTING)
    assert lawyer is not None and (lawyer.status, lawyer.limit_jpy, lawyer.parent) == (TermStatus.SUBLIMITED, 3_000_000, POLICY_POOL)
    assert enhanced.term(K.REGULATORY_RESPONSE).status is TermStatus.UNKNOWN  # type: ignore[union-attr]
    assert basic.term(K.REGULATORY_RESPONSE).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
    assert "Fraud or dishonest acts" in basic.exclusions_en and "詐欺・不誠実な行為" in basic.exclusions


# --------------------------------------------------------------- rates ---


def test_cyber_rates_rules_decline_above_1000_oku_and_ask_for_mfa_within_30_days(data: CarrierData) -> None:
    table = _table(data, Line.CYBER)
    assert table.revenue_band_upper_jpy[-1] == 100_000_000_000
    rules = {r.code: r for r in table.rules}
    assert (rules["CE-UW-01"].action, rules["CE-UW-01"].op, rules["CE-UW-01"].value) == (RuleAction.DECLINE, RuleOp.GE, 100_000_000_000)
    mfa = rules["CE-UW-04"]
    assert (mfa.action, mfa.field, mfa.value, mfa.unless, mfa.days) == (
        RuleAction.CONDITION,
        RuleField.RECORDS_HELD,
        100_000,
        SecurityControl.MFA,
        30,
    )
    drop = rules["CE-UW-05"]
    assert (drop.action, drop.rider, drop.value) == (RuleAction.DROP_RIDER, K.LOST_PROFIT, 10_000_000_000)
    assert Industry.FINTECH not in table.industry_class and rules["CE-UW-02"].value == ("fintech",)
    assert table.control_credit_bp[SecurityControl.MFA] == -750 and table.missing_control_debit_bp[SecurityControl.MFA] == 1_000
    assert table.rider_factor_bp == {K.LOST_PROFIT: 1_500, K.EXTRA_EXPENSE: 500, K.EXTORTION: 800, K.FUNDS_LOSS: 1_000}


def test_it_eo_retention_of_100k_is_factor_1_00_and_nil_costs_10_percent_more(data: CarrierData) -> None:
    table = _table(data, Line.IT_EO)
    assert table.deductible_factor_bp[100_000] == 10_000 and table.deductible_factor_bp[0] == 11_000
    assert table.limit_factor_bp[1_000_000_000] == 20_000
    assert table.plan_factor_bp == {"ITBG-STD": 10_000, "ITBG-WIDE": 11_500}
    assert (table.max_credit_bp, table.incident_surcharge_bp, table.minimum_premium_jpy, table.rounding_jpy) == (2_000, 2_000, 150_000, 10)
    assert table.industry_class[Industry.APP_DEVELOPMENT] == "B"
    assert table.base_premium_jpy["B"][2] == 1_350_000


def test_professional_indemnity_does_not_write_hosting_and_refers_contracts_for_work(data: CarrierData) -> None:
    table = _table(data, Line.PROFESSIONAL_LIABILITY)
    assert Industry.HOSTING_DATACENTER not in table.industry_class
    rules = {r.code: r for r in table.rules}
    assert (rules["PI-UW-04"].action, rules["PI-UW-04"].field, rules["PI-UW-04"].value) == (
        RuleAction.REFER,
        RuleField.CONTRACT_TYPE,
        ("ukeoi",),
    )
    assert rules["PI-UW-01"].value == 10_000_000_000


def _premium(table: RateTable, plan: str, limit: int, revenue: int, controls: set[SecurityControl]) -> int:
    """The brief's formula by hand for an app developer: retention 10万円, no incidents, no riders."""
    band = next(i for i, upper in enumerate(table.revenue_band_upper_jpy) if revenue < upper)
    credit = sum(v for c, v in table.control_credit_bp.items() if c in controls)
    credit += sum(v for c, v in table.missing_control_debit_bp.items() if c not in controls)
    credit = max(credit, -table.max_credit_bp)
    premium = table.base_premium_jpy[table.industry_class[Industry.APP_DEVELOPMENT]][band]
    for bp in (table.plan_factor_bp[plan], table.limit_factor_bp[limit], table.deductible_factor_bp[100_000], 10_000 + credit):
        premium = premium * bp // 10_000
    return max(premium, table.minimum_premium_jpy)


@pytest.mark.parametrize(
    ("plan", "limit", "revenue", "published"),
    [
        ("ITBG-STD", 100_000_000, 500_000_000, 1_190_000),
        ("ITBG-STD", 100_000_000, 3_000_000_000, 2_418_000),
        ("ITBG-WIDE", 500_000_000, 500_000_000, 1_828_000),
        ("ITBG-WIDE", 500_000_000, 3_000_000_000, 3_713_000),
    ],
)
def test_it_eo_premium_for_an_app_developer_is_within_30_percent_of_the_published_example(
    data: CarrierData, plan: str, limit: int, revenue: int, published: int
) -> None:
    half = {SecurityControl.MFA, SecurityControl.EDR, SecurityControl.ISMS_PMARK}
    premium = _premium(_table(data, Line.IT_EO), plan, limit, revenue, half)
    assert abs(premium - published) <= published * 0.3


def test_golden_file_matches_the_normalised_output(data: CarrierData) -> None:
    text = json.dumps(to_data(data), ensure_ascii=False, indent=1, sort_keys=True)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


# ------------------------------------------------------------ identify ---


def test_identify_claims_every_aig_file_and_nothing_else(tmp_path: Path) -> None:
    adapter = AigAdapter()
    assert all(adapter.identify(path) for path in FIXTURES.iterdir())
    other = tmp_path / "料率表.csv"
    other.write_text("# サンプルデータ(架空)\n業種,売上高,基本保険料\nSI,5億円,100000\n", encoding="utf-8")
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    assert not adapter.identify(other)
    assert not adapter.identify(_other_carrier_workbook(tmp_path / "plans.xlsx"))
    assert not adapter.identify(text)
    assert not adapter.identify(tmp_path / "missing.csv")


# ----------------------------------------------------------- bad input ---


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES, tmp_path / "aig"))


def _load_error(folder: Path) -> CarrierDataError:
    with pytest.raises(CarrierDataError) as info:
        AigAdapter().load(folder)
    return info.value


def _schedule_cell(folder: Path, code: str, coverage: str, column: str, value: str) -> int:
    """Write `value` into one Coverage Schedule cell; returns the Excel row."""
    path = folder / SCHEDULE
    book = openpyxl.load_workbook(path)
    ws = book["Coverage Schedule"]
    header = [c.value for c in ws[4]]
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == code and ws.cell(r, 2).value == coverage)
    ws.cell(row, header.index(column) + 1).value = value
    book.save(path)
    return row


def _other_carrier_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "補償内容"
    ws.append(["サンプルデータ(架空) 東京海上日動 サイバーリスク保険"])
    ws.append(["プラン", "補償項目", "支払限度額"])
    ws.append(["A", "争訟費用", "1億円"])
    book.save(path)
    return path


def test_another_carriers_workbook_in_place_of_ours_is_not_an_aig_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _other_carrier_workbook(folder / SCHEDULE)
    error = _load_error(folder)
    assert error.file == SCHEDULE and "not an AIG file" in error.message and error.value == ["補償内容"]


def test_another_carriers_csv_in_place_of_our_rates_is_not_an_aig_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "aig_rates.csv").write_text("# サンプルデータ(架空)\n業種,売上高,基本保険料\nSI,5億円,100000\n", encoding="utf-8")
    error = _load_error(folder)
    assert error.file == "aig_rates.csv" and "not an AIG file" in error.message


def test_a_folder_missing_one_of_our_files_says_which(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "aig_underwriting_rules.csv").unlink()
    error = _load_error(folder)
    assert error.file == "aig_underwriting_rules.csv" and "missing AIG file" in error.message


def test_a_missing_sheet_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    book = openpyxl.load_workbook(folder / SCHEDULE)
    del book["Aggregate Limits"]
    book.save(folder / SCHEDULE)
    error = _load_error(folder)
    assert (error.file, error.sheet) == (SCHEDULE, "Aggregate Limits")


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    book = openpyxl.load_workbook(folder / SCHEDULE)
    book["Coverage Schedule"]["G4"] = "Coinsurance %"
    book.save(folder / SCHEDULE)
    error = _load_error(folder)
    assert (error.sheet, error.row, error.column) == ("Coverage Schedule", 4, "Co-insurance")


@pytest.mark.parametrize(("amount", "reason"), [("JPY fifty million", "金額として読めません"), ("USD 1M", "円以外の通貨")])
def test_an_unreadable_amount_is_named_with_its_cell(tmp_path: Path, amount: str, reason: str) -> None:
    folder = _copy(tmp_path)
    row = _schedule_cell(folder, "CE-ESS", "Forensic Investigation", "Limit", amount)
    error = _load_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.value) == (SCHEDULE, "Coverage Schedule", row, "D(Limit)", amount)
    assert reason in error.message


def test_an_unreadable_base_premium_in_the_csv_is_named_with_its_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "aig_rates.csv"
    path.write_text(path.read_text(encoding="utf-8").replace('"JPY 1,350,000"', '"USD 13,500"'), encoding="utf-8")
    error = _load_error(folder)
    assert (error.file, error.column, error.value) == ("aig_rates.csv", "G(Annual Base Premium)", "USD 13,500")
    assert error.row == 36  # notice, header, 24 cyber rows, 7 of IT E&O class A, then class B's third band


def test_unknown_wording_lists_every_miss_and_loads_once_a_person_maps_it(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    row = _schedule_cell(folder, "CE-ESS", "Data Restoration", "Coverage", "Hardware Replacement (Bricking)")
    factors = folder / "aig_factors.csv"
    factors.write_text(
        factors.read_text(encoding="utf-8").replace("Cyber,Rider Loading,Cyber Extortion", "Cyber,Rider Loading,Outage Cover"),
        encoding="utf-8",
    )
    with pytest.raises(UnclassifiedWordingError) as info:
        AigAdapter().load(folder)
    assert [w for w, _ in info.value.items] == ["Hardware Replacement (Bricking)", "Outage Cover"]
    assert f"sheet=Coverage Schedule row={row} column=B(Coverage)" in info.value.items[0][1]
    assert "aig_factors.csv" in info.value.items[1][1]
    data = AigAdapter().load(folder, {"Hardware Replacement (Bricking)": K.DATA_RESTORATION, "Outage Cover": K.EXTORTION})
    term = _plan(data, "CE-ESS").term(K.DATA_RESTORATION)
    assert term is not None and term.wording == "Hardware Replacement (Bricking)" and term.limit_jpy == 10_000_000


def test_a_shift_jis_csv_is_a_wrong_encoding(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "aig_industry_classes.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("System Integration", "システム受託開発").encode("cp932"))
    error = _load_error(folder)
    assert (error.file, error.row) == ("aig_industry_classes.csv", 1) and "utf-8" in error.message


def test_a_sublimit_larger_than_its_aggregate_is_named_at_its_row(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    row = _schedule_cell(folder, "CE-ESS", "Forensic Investigation", "Limit", "JPY 50M")
    error = _load_error(folder)
    assert (error.sheet, error.row, error.column, error.value) == ("Coverage Schedule", row, "D(Limit)", 50_000_000)
    assert "30,000,000" in error.message


def test_a_limit_option_without_a_rate_factor_is_named_at_its_plan(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    factors = folder / "aig_factors.csv"
    factors.write_bytes(factors.read_bytes().replace(b"Cyber,Limit of Liability,JPY 30M,0.60\r\n", b""))
    error = _load_error(folder)
    assert (error.file, error.sheet, error.row, error.value) == (SCHEDULE, "Plans", 5, 30_000_000)


def test_a_data_row_above_the_header_is_an_error_not_skipped(tmp_path: Path) -> None:
    from carriers.registry import FIXTURES

    folder = tmp_path / "aig"
    shutil.copytree(FIXTURES / "aig", folder)
    rates = folder / "aig_rates.csv"
    lines = rates.read_text(encoding="utf-8").splitlines(keepends=True)
    rates.write_text(lines[0] + "Cyber,2026.04,2026-04-01,,C1,JPY 100M,JPY 1\n" + "".join(lines[1:]), encoding="utf-8")
    with pytest.raises(CarrierDataError) as caught:
        AigAdapter().load(folder)
    assert (caught.value.file, caught.value.row) == ("aig_rates.csv", 2)
    assert "見出し行より前" in caught.value.message
