"""三井住友海上: the cp932 CSV files (サイバープロテクター, ITプロテクター) load as the plans and rates a broker reads off them."""

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
    ContractType,
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
from carriers.mitsui_sumitomo import MitsuiSumitomoAdapter

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "carriers" / "mitsui_sumitomo"
GOLDEN = ROOT / "tests" / "golden" / "mitsui_sumitomo.json"
FILES = ("プラン.csv", "補償内容.csv", "基本保険料.csv", "業種区分.csv", "料率.csv", "引受基準.csv")
K = CoverageKey
MAN, OKU = 10_000, 100_000_000


@pytest.fixture(scope="module")
def data() -> CarrierData:
    return MitsuiSumitomoAdapter().load(FIXTURES)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the fixture folder to damage."""
    return Path(shutil.copytree(FIXTURES, tmp_path / "mitsui_sumitomo"))


def _plan(data: CarrierData, code: str) -> Plan:
    return next(p for p in data.plans if p.code == code)


def _table(data: CarrierData, line: Line) -> RateTable:
    table = data.rate_table(line)
    assert table is not None
    return table


def _edit_row(folder: Path, name: str, needle: str, old: str, new: str) -> int:
    """Replace `old` with `new` in the one line of a cp932 file that holds `needle`; return its row number."""
    path = folder / name
    lines = path.read_bytes().decode("cp932").split("\r\n")
    hits = [i for i, line in enumerate(lines) if needle in line]
    assert len(hits) == 1, (needle, hits)
    assert old in lines[hits[0]], (old, lines[hits[0]])
    lines[hits[0]] = lines[hits[0]].replace(old, new, 1)
    path.write_bytes("\r\n".join(lines).encode("cp932"))
    return hits[0] + 1


def _load_error(folder: Path) -> CarrierDataError:
    with pytest.raises(CarrierDataError) as caught:
        MitsuiSumitomoAdapter().load(folder)
    return caught.value


def _premium(
    table: RateTable, plan: str, industry: Industry, revenue: int, limit: int, deductible: int, controls: set[SecurityControl]
) -> int:
    """The brief's formula by hand, integer yen, for one applicant with no incidents and no riders."""
    band = next(i for i, upper in enumerate(table.revenue_band_upper_jpy) if revenue < upper)
    amount = table.base_premium_jpy[table.industry_class[industry]][band]
    for factor in (table.plan_factor_bp[plan], table.limit_factor_bp[limit], table.deductible_factor_bp[deductible]):
        amount = amount * factor // 10_000
    credits = sum(bp for c, bp in table.control_credit_bp.items() if c in controls)
    credits = max(credits, -table.max_credit_bp) + sum(bp for c, bp in table.missing_control_debit_bp.items() if c not in controls)
    amount = amount * (10_000 + credits) // 10_000
    return max(-(-amount // table.rounding_jpy) * table.rounding_jpy, table.minimum_premium_jpy)


# ------------------------------------------------------------- loading ---


def test_fixtures_load_cyber_and_it_eo_with_three_and_two_plans_at_rate_version_2026_04(data: CarrierData) -> None:
    assert data.lines == (Line.CYBER, Line.IT_EO)
    assert [p.code for p in data.plans_for(Line.CYBER)] == ["CP-E", "CP-B", "CP-W"]
    assert [p.code for p in data.plans_for(Line.IT_EO)] == ["ITP-S", "ITP-P"]
    assert _plan(data, "CP-W").name == "サイバープロテクター ワイドプラン"
    assert _plan(data, "ITP-P").product == "ITプロテクター"
    assert {p.rate_version for p in data.plans} | {t.version for t in data.rate_tables} == {"2026.04"}
    assert {p.effective_from for p in data.plans} | {t.effective_from for t in data.rate_tables} == {date(2026, 4, 1)}  # 令和8年4月1日
    assert {p.effective_to for p in data.plans} | {t.effective_to for t in data.rate_tables} == {None}
    assert all(p.trigger is Trigger.CLAIMS_MADE for p in data.plans)
    assert data.sources == FILES


def test_the_invented_files_are_cp932_with_crlf_and_say_sample_data_in_their_title_row(data: CarrierData) -> None:
    for name in FILES:
        raw = (FIXTURES / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("cp932")
        assert text.count("\n") == text.count("\r\n") > 3
        assert "サンプルデータ(架空)" in text.split("\r\n")[0] and "三井住友海上" in text.split("\r\n")[0]
    assert data.sample and all(p.sample for p in data.plans) and all(t.sample for t in data.rate_tables)


def test_basic_plan_investigation_is_10m_at_90_percent_inside_the_30m_expense_pool(data: CarrierData) -> None:
    plan = _plan(data, "CP-B")
    pool = plan.pool("expenses")
    assert pool is not None and (pool.label_ja, pool.limit_jpy) == ("費用損害", 30 * MAN * 100)
    investigation = plan.term(K.INVESTIGATION)
    assert investigation is not None
    assert (investigation.status, investigation.limit_jpy, investigation.parent, investigation.payout_ratio_pct) == (
        TermStatus.SUBLIMITED,
        1_000 * MAN,
        "expenses",
        90,
    )
    assert investigation.wording == "原因・被害範囲調査費用" and investigation.trigger is Trigger.DISCOVERY
    restoration = plan.term(K.DATA_RESTORATION)
    assert restoration is not None and (restoration.limit_jpy, restoration.deductible_jpy) == (1_000 * MAN, 10 * MAN)
    litigation = plan.term(K.LITIGATION_COSTS)
    assert litigation is not None and (litigation.status, litigation.parent, litigation.limit_jpy) == (
        TermStatus.INCLUDED,
        POLICY_POOL,
        None,
    )
    assert plan.limit_options_jpy == (3_000 * MAN, 5_000 * MAN, OKU, 3 * OKU)
    assert plan.deductible_options_jpy == (0, 10 * MAN, 50 * MAN, 100 * MAN, 300 * MAN)


def test_apology_caps_read_as_1000_yen_per_person_and_50000_yen_per_company(data: CarrierData) -> None:
    basic = _plan(data, "CP-B").term(K.APOLOGY)
    assert basic is not None and basic.per_victim is not None
    assert (basic.per_victim.per_person_jpy, basic.per_victim.per_company_jpy) == (1_000, 50_000)
    economy = _plan(data, "CP-E").term(K.APOLOGY)
    assert economy is not None and economy.per_victim is not None
    assert (economy.limit_jpy, economy.per_victim.per_person_jpy, economy.per_victim.per_company_jpy) == (300 * MAN, 500, None)


def test_economy_leaves_out_what_basic_and_wide_offer_and_keeps_unknown_apart_from_not_offered(data: CarrierData) -> None:
    economy, basic, wide = _plan(data, "CP-E"), _plan(data, "CP-B"), _plan(data, "CP-W")
    for key in (K.RECURRENCE_PREVENTION, K.REPUTATIONAL_ADS, K.CREDIT_MONITORING, K.LOST_PROFIT):
        assert economy.term(key).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
        assert wide.term(key).offered  # type: ignore[union-attr]
    regulatory = economy.term(K.REGULATORY_RESPONSE)
    assert regulatory is not None and regulatory.status is TermStatus.UNKNOWN and regulatory.limit_jpy is None
    assert economy.pool("expenses").limit_jpy == 1_000 * MAN  # type: ignore[union-attr]
    credit = basic.term(K.CREDIT_MONITORING)
    assert credit is not None and credit.status is TermStatus.CONDITIONAL and "クレジットカード番号" in credit.conditions
    assert all(p.term(K.EXTORTION).status is TermStatus.NOT_OFFERED for p in (economy, basic, wide))  # type: ignore[union-attr]


def test_business_interruption_and_other_riders_with_waiting_periods(data: CarrierData) -> None:
    basic, wide = _plan(data, "CP-B"), _plan(data, "CP-W")
    lost = basic.term(K.LOST_PROFIT)
    assert lost is not None
    assert (lost.status, lost.limit_jpy, lost.waiting_hours, lost.basis, lost.trigger) == (
        TermStatus.OPTIONAL_RIDER,
        3_000 * MAN,
        12,
        LimitBasis.AGGREGATE,
        Trigger.OCCURRENCE,
    )
    assert wide.term(K.LOST_PROFIT).waiting_hours == 8  # type: ignore[union-attr]
    funds = wide.term(K.FUNDS_LOSS)
    assert funds is not None and (funds.status, funds.limit_jpy, funds.deductible_jpy) == (TermStatus.OPTIONAL_RIDER, 1_000 * MAN, 50 * MAN)
    assert basic.term(K.CYBER_DELAY).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]
    assert wide.term(K.CYBER_DELAY).status is TermStatus.OPTIONAL_RIDER  # type: ignore[union-attr]
    response = wide.term(K.EMERGENCY_RESPONSE)
    assert response is not None and (response.status, response.limit_jpy, response.parent) == (TermStatus.INCLUDED, None, "expenses")


def test_it_protector_is_liability_and_litigation_costs_with_the_premium_plan_adding_a_little(data: CarrierData) -> None:
    standard, premium = _plan(data, "ITP-S"), _plan(data, "ITP-P")
    assert [t.key for t in standard.terms if t.offered] == [K.LIABILITY_DAMAGES, K.LITIGATION_COSTS]
    assert len(standard.terms) == 18 and standard.pools == ()
    lawyer = premium.term(K.LEGAL_CONSULTING)
    assert lawyer is not None and (lawyer.status, lawyer.limit_jpy, lawyer.deductible_jpy) == (TermStatus.SUBLIMITED, 300 * MAN, 0)
    delay = premium.term(K.CYBER_DELAY)
    assert delay is not None and (delay.status, delay.limit_jpy, delay.payout_ratio_pct) == (TermStatus.CONDITIONAL, 1_000 * MAN, 90)
    assert "単なる納期遅延は対象外" in delay.conditions
    apology = premium.term(K.APOLOGY)
    assert apology is not None and apology.status is TermStatus.OPTIONAL_RIDER
    assert premium.limit_options_jpy == (5_000 * MAN, OKU, 3 * OKU, 5 * OKU)
    assert "知的財産権の侵害" in standard.exclusions


# --------------------------------------------------------------- rates ---


def test_cyber_rate_table_factors_credits_and_riders(data: CarrierData) -> None:
    table = _table(data, Line.CYBER)
    assert table.deductible_factor_bp[10 * MAN] == 10_000  # 10万円: ×1.00
    assert table.deductible_factor_bp[0] == 10_500
    assert table.limit_factor_bp[10 * OKU] == 25_000
    assert table.plan_factor_bp == {"CP-E": 8_000, "CP-B": 10_000, "CP-W": 13_500}
    assert table.control_credit_bp[SecurityControl.MFA] == -500  # ▲5%
    assert table.missing_control_debit_bp == {SecurityControl.MFA: 1_000, SecurityControl.OFFLINE_BACKUP: 500}
    assert (table.max_credit_bp, table.incident_surcharge_bp) == (2_000, 1_000)
    assert table.rider_factor_bp == {K.LOST_PROFIT: 1_200, K.EXTRA_EXPENSE: 500, K.CYBER_DELAY: 600, K.FUNDS_LOSS: 400}
    assert (table.minimum_premium_jpy, table.rounding_jpy) == (50_000, 100)
    assert table.revenue_band_upper_jpy[-1] == 1_000 * OKU
    assert table.industry_class[Industry.APP_DEVELOPMENT] == "B" and table.base_premium_jpy["B"][2] == 1_100_000


def test_cyber_eligibility_rules(data: CarrierData) -> None:
    rules = {r.code: r for r in _table(data, Line.CYBER).rules}
    assert (rules["MC-01"].action, rules["MC-01"].field, rules["MC-01"].op, rules["MC-01"].value) == (
        RuleAction.DECLINE,
        RuleField.ANNUAL_REVENUE,
        RuleOp.GE,
        1_000 * OKU,
    )
    assert (rules["MC-02"].action, rules["MC-02"].value) == (RuleAction.DECLINE, (Industry.FINTECH.value,))
    assert (rules["MC-03"].action, rules["MC-03"].op, rules["MC-03"].value) == (RuleAction.REFER, RuleOp.GE, 2)
    mfa = rules["MC-04"]
    assert (mfa.action, mfa.field, mfa.value, mfa.unless, mfa.days) == (
        RuleAction.CONDITION,
        RuleField.RECORDS_HELD,
        100_000,
        SecurityControl.MFA,
        30,
    )
    drop = rules["MC-06"]
    assert (drop.action, drop.op, drop.value, drop.rider) == (RuleAction.DROP_RIDER, RuleOp.GT, 100 * OKU, K.LOST_PROFIT)


def test_it_eo_is_not_written_above_100_oku_nor_for_ec_and_fintech(data: CarrierData) -> None:
    table = _table(data, Line.IT_EO)
    assert table.revenue_band_upper_jpy == (OKU, 5 * OKU, 10 * OKU, 30 * OKU, 50 * OKU, 100 * OKU)
    assert Industry.FINTECH not in table.industry_class and Industry.EC_PLATFORM not in table.industry_class
    assert table.industry_class[Industry.MANAGED_SECURITY] == "C"
    rules = {r.code: r for r in table.rules}
    assert (rules["IT-01"].action, rules["IT-01"].op, rules["IT-01"].value) == (RuleAction.DECLINE, RuleOp.GE, 100 * OKU)
    assert (rules["IT-02"].field, rules["IT-02"].value) == (RuleField.LARGEST_CONTRACT, 5 * OKU)
    assert rules["IT-04"].value == 1_000
    assert table.rider_factor_bp == {K.APOLOGY: 500}
    assert ContractType.UKEOI.value not in {v for r in table.rules if isinstance(r.value, tuple) for v in r.value}


def test_premiums_are_near_the_published_it_services_example(data: CarrierData) -> None:
    """DOMAIN.md: IT services, 1億 limit, deductible 10万, half the controls: about 1,190,000 (5億) and 2,418,000 (30億)."""
    cyber = _table(data, Line.CYBER)
    half = {SecurityControl.MFA, SecurityControl.EDR, SecurityControl.ISMS_PMARK, SecurityControl.STAFF_TRAINING}
    small = _premium(cyber, "CP-B", Industry.APP_DEVELOPMENT, 5 * OKU, OKU, 10 * MAN, half)
    large = _premium(cyber, "CP-B", Industry.APP_DEVELOPMENT, 30 * OKU, OKU, 10 * MAN, half)
    assert (small, large) == (990_000, 2_340_000)  # offline backup missing: +5% debit
    assert 0.7 * 1_190_000 <= small <= 1.3 * 1_190_000 and 0.7 * 2_418_000 <= large <= 1.3 * 2_418_000
    it_eo = _premium(_table(data, Line.IT_EO), "ITP-S", Industry.APP_DEVELOPMENT, 5 * OKU, OKU, 10 * MAN, {SecurityControl.ISMS_PMARK})
    assert it_eo == 570_000


def test_golden(data: CarrierData) -> None:
    text = json.dumps(to_data(data), ensure_ascii=False, indent=1, sort_keys=True)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text + "\n", encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text + "\n"


def test_identify_claims_only_this_carriers_files(tmp_path: Path) -> None:
    adapter = MitsuiSumitomoAdapter()
    assert all(adapter.identify(FIXTURES / name) for name in FILES)
    assert adapter.identify(FIXTURES)
    other = tmp_path / "プラン.csv"
    other.write_bytes("東京海上日動 サイバーリスク保険\r\nプランコード,プラン名\r\nTM-1,スタンダード\r\n".encode("cp932"))
    assert not adapter.identify(other)
    assert not adapter.identify(tmp_path / "missing.csv")
    assert not adapter.identify(ROOT / "pyproject.toml")


# ----------------------------------------------------------- bad input ---


def test_an_xlsx_saved_under_the_csv_name_is_refused(folder: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["三井住友海上", "サンプルデータ"])  # type: ignore[union-attr]
    book.save(folder / "料率.csv")
    error = _load_error(folder)
    assert error.file == "料率.csv" and "xlsx" in error.message


def test_another_carriers_file_is_not_a_mitsui_sumitomo_file(folder: Path) -> None:
    (folder / "プラン.csv").write_bytes(
        "東京海上日動 サイバーリスク保険 プラン表 サンプルデータ(架空)\r\nプランコード,プラン名,支払限度額\r\nTM-CY1,スタンダード,1億円\r\n".encode(
            "cp932"
        )
    )
    error = _load_error(folder)
    assert error.file == "プラン.csv" and "三井住友海上のファイルではありません" in error.message


def test_a_folder_missing_one_file_names_it(folder: Path) -> None:
    (folder / "引受基準.csv").unlink()
    error = _load_error(folder)
    assert error.file == "引受基準.csv" and "ありません" in error.message
    empty = folder.parent / "empty"
    empty.mkdir()
    assert "三井住友海上のデータのフォルダではありません" in _load_error(empty).message


def test_a_missing_column_names_it(folder: Path) -> None:
    _edit_row(folder, "補償内容.csv", "プランコード,区分", "縮小支払割合", "支払割合")
    error = _load_error(folder)
    assert (error.file, error.row, error.column) == ("補償内容.csv", 3, "縮小支払割合")


def test_an_unreadable_amount_names_file_row_column_and_value(folder: Path) -> None:
    row = _edit_row(folder, "補償内容.csv", "CP-B,費用損害,再発防止費用", "300万円", '"3,00万円"')
    error = _load_error(folder)
    assert (error.file, error.row, error.column, error.value) == ("補償内容.csv", row, "支払限度額", "3,00万円")


def test_unknown_wording_is_listed_and_loads_once_mapped(folder: Path) -> None:
    row = _edit_row(folder, "補償内容.csv", "CP-W,費用損害,再発防止策", "再発防止策の策定費用", "システム停止時の臨時対策費")
    rider_row = _edit_row(folder, "料率.csv", "資金損害補償特約", "資金損害補償特約", "プロバイダ停止対策費")
    with pytest.raises(UnclassifiedWordingError) as caught:
        MitsuiSumitomoAdapter().load(folder)
    assert [w for w, _ in caught.value.items] == ["システム停止時の臨時対策費", "プロバイダ停止対策費"]
    assert f"補償内容.csv row={row} column=補償項目" in caught.value.items[0][1]
    assert f"料率.csv row={rider_row}" in caught.value.items[1][1]
    mapped = MitsuiSumitomoAdapter().load(
        folder, {"システム停止時の臨時対策費": K.RECURRENCE_PREVENTION, "プロバイダ停止対策費": K.FUNDS_LOSS}
    )
    term = _plan(mapped, "CP-W").term(K.RECURRENCE_PREVENTION)
    assert term is not None and (term.wording, term.limit_jpy) == ("システム停止時の臨時対策費", 1_000 * MAN)


def test_a_file_saved_as_utf8_names_the_file_and_row(folder: Path) -> None:
    path = folder / "引受基準.csv"
    path.write_bytes(path.read_bytes().decode("cp932").encode("utf-8"))
    error = _load_error(folder)
    assert (error.file, error.row) == ("引受基準.csv", 1) and "UTF-8" in error.message


def test_one_row_pasted_in_utf8_names_that_row(folder: Path) -> None:
    path = folder / "補償内容.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[9] = lines[9].decode("cp932").encode("utf-8")
    path.write_bytes(b"\r\n".join(lines))
    error = _load_error(folder)
    assert (error.file, error.row) == ("補償内容.csv", 10) and "UTF-8" in error.message


def test_a_japanese_era_date_that_does_not_exist(folder: Path) -> None:
    row = _edit_row(folder, "プラン.csv", "CP-W", "令和8年4月1日", "令和8年2月30日")
    error = _load_error(folder)
    assert (error.file, error.row, error.column, error.value) == ("プラン.csv", row, "適用開始日", "令和8年2月30日")
    assert "存在しない日付" in error.message


def test_an_inner_limit_above_its_pool_names_the_item_row(folder: Path) -> None:
    row = _edit_row(folder, "補償内容.csv", "CP-B,費用損害,原因・被害範囲調査費用", "1,000万円", "5,000万円")
    error = _load_error(folder)
    assert (error.file, error.row, error.column, error.value) == ("補償内容.csv", row, "支払限度額", 50_000_000)
    assert "30,000,000" in error.message


def test_a_truncated_file_is_an_error_not_a_partial_load(folder: Path) -> None:
    path = folder / "料率.csv"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    error = _load_error(folder)
    assert error.file == "料率.csv"


def test_a_limit_option_without_a_rate_factor_is_refused(folder: Path) -> None:
    _edit_row(folder, "料率.csv", "サイバープロテクター,支払限度額係数,10億円", "10億円", "20億円")
    error = _load_error(folder)
    assert error.file == "料率.csv" and error.value == 1_000_000_000 and "支払限度額の係数がありません" in error.message


def test_a_duplicated_rate_row_names_both_rows(folder: Path) -> None:
    row = _edit_row(folder, "料率.csv", "サイバープロテクター,プラン係数,CP-E", "CP-E", "CP-B")
    error = _load_error(folder)
    assert (error.file, error.row, error.value) == ("料率.csv", row + 1, "plan_factor_bp[CP-B]")
    assert f"前の行: {row}" in error.message


def test_a_gap_in_a_base_premium_row_is_refused(folder: Path) -> None:
    row = _edit_row(folder, "基本保険料.csv", "ITプロテクター,B,", '"900,000"', "－")
    error = _load_error(folder)
    assert (error.file, error.row, error.column) == ("基本保険料.csv", row, "売上高10億円以上30億円未満")


def test_files_without_the_sample_marker_load_as_real_data(folder: Path) -> None:
    for name in FILES:
        path = folder / name
        path.write_bytes(path.read_bytes().decode("cp932").replace("サンプルデータ(架空)", "").encode("cp932"))
    loaded = MitsuiSumitomoAdapter().load(folder)
    assert not loaded.sample and not any(p.sample for p in loaded.plans) and not any(t.sample for t in loaded.rate_tables)
