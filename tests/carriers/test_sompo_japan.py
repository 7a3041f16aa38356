"""損保ジャパン adapter: the sample JSON loads with the figures a broker would check, and bad files fail loudly."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
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
from carriers.sompo_japan import SompoJapanAdapter

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "carriers" / "sompo_japan"
GOLDEN = ROOT / "tests" / "golden" / "sompo_japan.json"
K = CoverageKey
MAN = 10_000
OKU = 100_000_000


@pytest.fixture(scope="module")
def data() -> CarrierData:
    return SompoJapanAdapter().load(FIXTURE)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "sompo_japan"
    shutil.copytree(FIXTURE, target)
    return target


def plan(data: CarrierData, code: str) -> Plan:
    return next(p for p in data.plans if p.code == code)


def table(data: CarrierData, line: Line) -> RateTable:
    found = data.rate_table(line)
    assert found is not None
    return found


def edit(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    path = folder / name
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def load_error(folder: Path) -> CarrierDataError:
    with pytest.raises(CarrierDataError) as info:
        SompoJapanAdapter().load(folder)
    return info.value


# ------------------------------------------------------------------ the sample data ---


def test_fixtures_load_as_invented_sample_data(data: CarrierData) -> None:
    assert data.lines == (Line.CYBER, Line.IT_EO)
    assert [p.code for p in data.plans_for(Line.CYBER)] == ["CY-BASIC", "CY-ADV"]
    assert [p.code for p in data.plans_for(Line.IT_EO)] == ["ITS-STD", "ITS-WIDE"]
    assert {p.product for p in data.plans} == {"サイバー保険", "サイバー保険＋ITサービス業務特約"}
    items: list[Plan | RateTable] = [*data.plans, *data.rate_tables]
    for item in items:
        assert item.sample is True
        assert item.effective_from == date(2026, 4, 1)
        assert item.effective_to is None
    assert {p.rate_version for p in data.plans} == {t.version for t in data.rate_tables} == {"2026.04"}
    assert data.sample is True
    assert data.sources == ("plans.json", "rates.json")
    assert plan(data, "ITS-WIDE").source == "plans.json plans[3]"


def test_every_plan_lists_every_coverage_item_in_the_carriers_words(data: CarrierData) -> None:
    for p in data.plans:
        assert {t.key for t in p.terms} == set(CoverageKey), p.code
    assert plan(data, "CY-BASIC").term(K.APOLOGY).wording == "個人情報漏えいについての見舞金"  # type: ignore[union-attr]
    assert plan(data, "CY-ADV").term(K.APOLOGY).wording == "お見舞品(金券)の購入費用"  # type: ignore[union-attr]


def test_cyber_basic_costs_sit_inside_the_30m_expense_pool(data: CarrierData) -> None:
    basic = plan(data, "CY-BASIC")
    pool = basic.pool("expenses")
    assert pool is not None and pool.label_ja == "費用損害" and pool.limit_jpy == 3_000 * MAN
    investigation = basic.term(K.INVESTIGATION)
    assert investigation is not None
    assert (investigation.status, investigation.limit_jpy, investigation.payout_ratio_pct) == (TermStatus.SUBLIMITED, 1_000 * MAN, 90)
    assert investigation.parent == "expenses" and investigation.trigger is Trigger.DISCOVERY
    apology = basic.term(K.APOLOGY)
    assert apology is not None and apology.per_victim is not None
    assert apology.per_victim.per_person_jpy == 500 and apology.per_victim.per_company_jpy is None
    assert apology.basis is LimitBasis.AGGREGATE
    restoration = basic.term(K.DATA_RESTORATION)
    assert restoration is not None and restoration.deductible_jpy == 10 * MAN
    liability = basic.term(K.LIABILITY_DAMAGES)
    assert liability is not None and liability.status is TermStatus.INCLUDED
    assert liability.limit_jpy is None and liability.parent == POLICY_POOL and liability.trigger is None
    assert basic.trigger is Trigger.CLAIMS_MADE


def test_not_offered_unknown_and_conditional_stay_apart(data: CarrierData) -> None:
    basic = plan(data, "CY-BASIC")
    statuses = {t.key: t.status for t in basic.terms}
    assert statuses[K.RECURRENCE_PREVENTION] is TermStatus.NOT_OFFERED
    assert statuses[K.CREDIT_MONITORING] is TermStatus.UNKNOWN
    regulatory = basic.term(K.REGULATORY_RESPONSE)
    assert regulatory is not None and regulatory.status is TermStatus.CONDITIONAL
    assert "報告" in regulatory.conditions
    lost_profit = basic.term(K.LOST_PROFIT)
    assert lost_profit is not None and lost_profit.status is TermStatus.OPTIONAL_RIDER
    assert (lost_profit.limit_jpy, lost_profit.waiting_hours) == (1_000 * MAN, 24)
    assert statuses[K.EXTRA_EXPENSE] is TermStatus.NOT_OFFERED


def test_cyber_advanced_is_wider_with_more_riders(data: CarrierData) -> None:
    basic, advanced = plan(data, "CY-BASIC"), plan(data, "CY-ADV")
    assert sum(t.offered for t in advanced.terms) > sum(t.offered for t in basic.terms)
    assert advanced.limit_options_jpy == (1 * OKU, 3 * OKU, 5 * OKU, 10 * OKU)
    assert advanced.deductible_options_jpy[-1] == 1_000 * MAN
    pool = advanced.pool("expenses")
    assert pool is not None and pool.limit_jpy == 1 * OKU
    apology = advanced.term(K.APOLOGY)
    assert apology is not None and apology.per_victim is not None
    assert (apology.per_victim.per_person_jpy, apology.per_victim.per_company_jpy) == (1_000, 5 * MAN)
    riders = {t.key for t in advanced.terms if t.status is TermStatus.OPTIONAL_RIDER}
    assert riders == {K.LOST_PROFIT, K.EXTRA_EXPENSE, K.EMPLOYEE_MISCONDUCT, K.FUNDS_LOSS}
    misconduct = advanced.term(K.EMPLOYEE_MISCONDUCT)
    assert misconduct is not None and misconduct.deductible_jpy == 50 * MAN
    funds = advanced.term(K.FUNDS_LOSS)
    assert funds is not None and funds.payout_ratio_pct == 90
    assert "身代金・恐喝金の支払" in advanced.exclusions


def test_it_eo_pays_a_delay_only_when_a_cyber_attack_caused_it(data: CarrierData) -> None:
    standard, wide = plan(data, "ITS-STD"), plan(data, "ITS-WIDE")
    delay = standard.term(K.CYBER_DELAY)
    assert delay is not None and delay.status is TermStatus.OPTIONAL_RIDER and delay.limit_jpy == 1_000 * MAN
    delay = wide.term(K.CYBER_DELAY)
    assert delay is not None and delay.status is TermStatus.CONDITIONAL and delay.limit_jpy == 3_000 * MAN
    assert "単なる納期遅延は補償の対象外" in delay.conditions
    assert "サイバー攻撃に起因しない単なる納期遅延" in standard.exclusions
    liability = standard.term(K.LIABILITY_DAMAGES)
    assert liability is not None and "再作成" in liability.wording
    assert standard.deductible_options_jpy == (10 * MAN, 50 * MAN, 100 * MAN)  # no zero deductible on the standard plan
    consulting = standard.term(K.LEGAL_CONSULTING)
    assert consulting is not None and consulting.limit_jpy == 300 * MAN
    assert wide.term(K.LEGAL_CONSULTING).status is TermStatus.INCLUDED  # type: ignore[union-attr]
    assert standard.term(K.LOST_PROFIT).status is TermStatus.NOT_OFFERED  # type: ignore[union-attr]


def test_rate_factors_are_read_as_basis_points(data: CarrierData) -> None:
    rates = table(data, Line.IT_EO)
    assert rates.deductible_factor_bp[10 * MAN] == 10_000  # 1.0
    assert rates.deductible_factor_bp[0] == 11_000  # 1.1
    assert rates.limit_factor_bp[1 * OKU] == 10_000 and rates.limit_factor_bp[5 * OKU] == 13_500
    assert rates.plan_factor_bp == {"ITS-STD": 10_000, "ITS-WIDE": 11_500}
    assert rates.control_credit_bp[SecurityControl.MFA] == -500  # -0.05: a 5% credit
    assert rates.missing_control_debit_bp == {SecurityControl.MFA: 500}
    assert (rates.max_credit_bp, rates.incident_surcharge_bp) == (2_000, 2_000)
    assert rates.rider_factor_bp[K.LOST_PROFIT] == 1_000 and rates.rider_factor_bp[K.CYBER_DELAY] == 600
    assert (rates.minimum_premium_jpy, rates.rounding_jpy) == (100_000, 100)
    assert rates.revenue_band_upper_jpy[2] == 10 * OKU
    assert rates.base_premium_jpy["B"][2] == 1_310_000
    cyber = table(data, Line.CYBER)
    assert cyber.industry_class[Industry.APP_DEVELOPMENT] == "B"
    assert cyber.deductible_factor_bp[1_000 * MAN] == 7_000


def test_underwriting_rules(data: CarrierData) -> None:
    cyber = {r.code: r for r in table(data, Line.CYBER).rules}
    big = cyber["SJ-CY-U01"]
    assert (big.action, big.field, big.op, big.value) == (RuleAction.DECLINE, RuleField.ANNUAL_REVENUE, RuleOp.GE, 1_000 * OKU)
    fintech = cyber["SJ-CY-U02"]
    assert (fintech.action, fintech.op, fintech.value) == (RuleAction.DECLINE, RuleOp.IN, ("fintech",))
    assert cyber["SJ-CY-U03"].action is RuleAction.REFER and cyber["SJ-CY-U03"].value == 2
    mfa = cyber["SJ-CY-U04"]
    assert (mfa.action, mfa.value, mfa.unless, mfa.days) == (RuleAction.CONDITION, 100_000, SecurityControl.MFA, 30)
    drop = cyber["SJ-CY-U06"]
    assert (drop.action, drop.value, drop.rider) == (RuleAction.DROP_RIDER, 100 * OKU, K.LOST_PROFIT)
    it_eo = table(data, Line.IT_EO)
    assert Industry.SES_STAFFING not in it_eo.industry_class  # SES is not written for IT E&O
    assert Industry.FINTECH not in it_eo.industry_class
    assert any(r.field is RuleField.LARGEST_CONTRACT and r.action is RuleAction.REFER for r in it_eo.rules)


def _premium(rates: RateTable, plan_code: str, klass: str, band: int, limit: int, deductible: int, controls: set[SecurityControl]) -> int:
    credit = sum(v for c, v in rates.control_credit_bp.items() if c in controls)
    credit += sum(v for c, v in rates.missing_control_debit_bp.items() if c not in controls)
    credit = max(credit, -rates.max_credit_bp)
    factors = (rates.plan_factor_bp[plan_code], rates.limit_factor_bp[limit], rates.deductible_factor_bp[deductible], 10_000 + credit)
    premium = rates.base_premium_jpy[klass][band]
    for bp in factors:
        premium = premium * bp // 10_000
    return premium


def test_it_services_premiums_match_the_published_figures_within_30_percent(data: CarrierData) -> None:
    """DOMAIN.md: IT services, ded. 10万円, about half the controls: 5億円 ① 1,190,000 ② 1,828,000; 30億円 ① 2,418,000."""
    rates = table(data, Line.IT_EO)
    klass = rates.industry_class[Industry.APP_DEVELOPMENT]
    half = {SecurityControl.MFA, SecurityControl.EDR, SecurityControl.ISMS_PMARK, SecurityControl.STAFF_TRAINING}
    band_5oku = rates.revenue_band_upper_jpy.index(10 * OKU)  # 5億円 falls in [5億円, 10億円)
    band_30oku = rates.revenue_band_upper_jpy.index(50 * OKU)
    cases = [
        (_premium(rates, "ITS-STD", klass, band_5oku, 1 * OKU, 10 * MAN, half), 1_190_000),
        (_premium(rates, "ITS-WIDE", klass, band_5oku, 5 * OKU, 10 * MAN, half), 1_828_000),
        (_premium(rates, "ITS-STD", klass, band_30oku, 1 * OKU, 10 * MAN, half), 2_418_000),
    ]
    for premium, published in cases:
        assert 0.7 * published <= premium <= 1.3 * published, (premium, published)


def test_golden(data: CarrierData) -> None:
    text = json.dumps(to_data(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


def test_identify_claims_only_sompo_japan_files(tmp_path: Path) -> None:
    adapter = SompoJapanAdapter()
    assert adapter.identify(FIXTURE / "plans.json") and adapter.identify(FIXTURE / "rates.json")
    other = tmp_path / "plans.json"
    other.write_text(json.dumps({"insurerCode": "TMNF", "documentType": "plans"}), encoding="utf-8")
    text = tmp_path / "rates.json"
    text.write_text("a,b\n1,2\n", encoding="utf-8")
    assert not adapter.identify(other)
    assert not adapter.identify(text)
    assert not adapter.identify(tmp_path / "missing.json")
    assert not adapter.identify(FIXTURE)
    assert not adapter.identify(FIXTURE.parent.parent / "generate" / "sompo_japan.py")


def test_a_file_without_the_sample_notice_is_not_sample(folder: Path) -> None:
    for name in ("plans.json", "rates.json"):
        edit(folder, name, lambda d: d.pop("notice"))
    loaded = SompoJapanAdapter().load(folder)
    assert loaded.sample is False
    assert not any(p.sample for p in loaded.plans) and not any(t.sample for t in loaded.rate_tables)


# ------------------------------------------------------------------------- bad input ---


def test_malformed_json_names_the_line(folder: Path) -> None:
    path = folder / "plans.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if '"planCode": "CY-ADV"' in line)
    lines[number - 1] = lines[number - 1].replace('"CY-ADV"', "CY-ADV")
    path.write_text("\n".join(lines), encoding="utf-8")
    err = load_error(folder)
    assert (err.file, err.row) == ("plans.json", number)
    assert "JSON" in err.message


def test_truncated_json_names_the_line(folder: Path) -> None:
    path = folder / "rates.json"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    err = load_error(folder)
    assert err.file == "rates.json" and err.row is not None and err.row > 1


def test_csv_named_json(folder: Path) -> None:
    (folder / "plans.json").write_text("\nplanCode,limit\nCY-BASIC,30000000\n", encoding="utf-8")
    err = load_error(folder)
    assert (err.file, err.row, err.value) == ("plans.json", 2, "planCode,limit")
    assert "JSONではありません" in err.message


def test_another_carriers_workbook_in_place_of_rates(folder: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["料率表", "東京海上日動"])  # type: ignore[union-attr]
    book.save(folder / "rates.json")
    err = load_error(folder)
    assert err.file == "rates.json" and "xlsx" in err.message and "損保ジャパンのファイルではありません" in err.message


def test_another_carriers_json(folder: Path) -> None:
    edit(folder, "plans.json", lambda d: d.update(insurerCode="TMNF"))
    err = load_error(folder)
    assert (err.file, err.column, err.value) == ("plans.json", "insurerCode", "TMNF")
    assert "this is not a Sompo Japan file" in err.message


def test_folder_missing_the_rates_file(folder: Path) -> None:
    (folder / "rates.json").unlink()
    err = load_error(folder)
    assert err.file == "rates.json" and "Sompo Japan" in err.message


def test_missing_required_key(folder: Path) -> None:
    edit(folder, "plans.json", lambda d: d["plans"][1]["coverageGroups"][1]["coverages"][3].pop("status"))
    err = load_error(folder)
    assert err.column == "plans[1].coverageGroups[1].coverages[3].status"
    assert "status" in err.message


def test_float_amount_is_an_error_not_a_guess(folder: Path) -> None:
    edit(folder, "plans.json", lambda d: d["plans"][1]["coverageGroups"][1]["coverages"][3].update(limit=12.5))
    err = load_error(folder)
    assert (err.file, err.column, err.value) == ("plans.json", "plans[1].coverageGroups[1].coverages[3].limit", 12.5)
    assert "小数" in err.message


def test_amount_written_as_text_is_an_error(folder: Path) -> None:
    edit(folder, "rates.json", lambda d: d["rateTables"][0].update(minimumPremium="5万円"))
    err = load_error(folder)
    assert (err.file, err.column, err.value) == ("rates.json", "rateTables[0].minimumPremium", "5万円")


def test_unreadable_factor(folder: Path) -> None:
    edit(folder, "rates.json", lambda d: d["rateTables"][1]["limitFactors"][2].update(factor="x1.2"))
    err = load_error(folder)
    assert (err.column, err.value) == ("rateTables[1].limitFactors[2].factor", "x1.2")


def test_unknown_code_lists_the_known_ones(folder: Path) -> None:
    edit(folder, "rates.json", lambda d: d["rateTables"][0]["industryClasses"][0].update(industryCode="IT-999"))
    err = load_error(folder)
    assert (err.column, err.value) == ("rateTables[0].industryClasses[0].industryCode", "IT-999")
    assert "IT-110" in err.message


def test_duplicate_factor_is_not_silently_overwritten(folder: Path) -> None:
    edit(folder, "rates.json", lambda d: d["rateTables"][0]["deductibleFactors"].append({"deductible": 0, "factor": 1.2}))
    err = load_error(folder)
    assert err.column == "rateTables[0].deductibleFactors[7]" and "2回" in err.message


def test_unknown_wording_is_listed_and_loads_with_a_mapping(folder: Path) -> None:
    def rename(d: Any) -> None:
        d["plans"][0]["coverageGroups"][1]["coverages"][5]["labelJa"] = "受付窓口設置費"
        d["plans"][2]["riders"][0]["coverages"][0]["labelJa"] = "ITサービス遅れ特約損害"

    edit(folder, "plans.json", rename)
    with pytest.raises(UnclassifiedWordingError) as info:
        SompoJapanAdapter().load(folder)
    wordings = [w for w, _ in info.value.items]
    assert wordings == ["受付窓口設置費", "ITサービス遅れ特約損害"]
    assert "plans[0].coverageGroups[1].coverages[5].labelJa" in info.value.items[0][1]
    mapped = SompoJapanAdapter().load(folder, {"受付窓口設置費": K.CALL_CENTER, "ITサービス遅れ特約損害": K.CYBER_DELAY})
    term = plan(mapped, "CY-BASIC").term(K.CALL_CENTER)
    assert term is not None and term.wording == "受付窓口設置費"


def test_wrong_encoding(folder: Path) -> None:
    path = folder / "plans.json"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp932"))
    err = load_error(folder)
    assert err.file == "plans.json" and err.row == 2  # the notice line is the first with Japanese
    assert "UTF-8" in err.message


def test_inner_limit_larger_than_its_pool(folder: Path) -> None:
    edit(folder, "plans.json", lambda d: d["plans"][0]["coverageGroups"][1]["coverages"][1].update(limit=6_000 * MAN))
    err = load_error(folder)
    assert (err.file, err.column, err.value) == ("plans.json", "plans[0]", 6_000 * MAN)
    assert "investigation" in err.message and "30,000,000" in err.message


def test_rider_without_a_loading(folder: Path) -> None:
    edit(folder, "rates.json", lambda d: d["rateTables"][0]["riderLoadings"].pop(3))
    err = load_error(folder)
    assert "CY-ADV" in err.message and err.value == K.FUNDS_LOSS


def test_one_coverage_code_for_two_items(folder: Path) -> None:
    edit(folder, "plans.json", lambda d: d["plans"][1]["coverageGroups"][1]["coverages"][2].update(coverageCode="CS-02"))
    err = load_error(folder)
    assert (err.column, err.value) == ("plans[1].coverageGroups[1].coverages[2].coverageCode", "CS-02")


def test_plans_and_rates_of_different_versions(folder: Path) -> None:
    edit(folder, "rates.json", lambda d: d.update(rateVersion="2025.10"))
    err = load_error(folder)
    assert (err.file, err.column, err.value) == ("rates.json", "rateVersion", "2025.10")
