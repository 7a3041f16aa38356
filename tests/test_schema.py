"""The common schema refuses values that cannot be true, naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from aggregator.errors import ApplicantError, SchemaError
from aggregator.schema import (
    Applicant,
    Carrier,
    ContractType,
    CoverageTerm,
    EligibilityRule,
    Industry,
    LimitPool,
    Line,
    PerVictimCap,
    Plan,
    RuleAction,
    RuleField,
    RuleOp,
    TermStatus,
)
from aggregator.taxonomy import CoverageKey


def _plan(**overrides: Any) -> Plan:
    values: dict[str, Any] = {
        "carrier": Carrier.AIG,
        "line": Line.CYBER,
        "code": "P1",
        "name": "テストプラン",
        "product": "サイバー保険",
        "rate_version": "2026.04",
        "effective_from": date(2026, 4, 1),
        "effective_to": None,
        "limit_options_jpy": (50_000_000, 100_000_000),
        "deductible_options_jpy": (0, 100_000),
        "pools": (LimitPool("expenses", "費用損害", "Incident costs", 30_000_000),),
        "terms": (
            CoverageTerm(CoverageKey.LIABILITY_DAMAGES, TermStatus.INCLUDED, "賠償金"),
            CoverageTerm(
                CoverageKey.INVESTIGATION, TermStatus.SUBLIMITED, "調査費用", limit_jpy=10_000_000, parent="expenses", payout_ratio_pct=90
            ),
        ),
    }
    values.update(overrides)
    return Plan(**values)


def test_a_valid_plan_keeps_its_terms() -> None:
    plan = _plan()
    term = plan.term(CoverageKey.INVESTIGATION)
    assert term is not None and term.limit_jpy == 10_000_000 and term.payout_ratio_pct == 90
    assert plan.pool("expenses") is not None
    assert plan.term(CoverageKey.EXTORTION) is None


def test_negative_limit_is_refused() -> None:
    with pytest.raises(SchemaError, match="負"):
        CoverageTerm(CoverageKey.INVESTIGATION, TermStatus.SUBLIMITED, "調査費用", limit_jpy=-1)


@pytest.mark.parametrize("ratio", [0, 101, 150])
def test_payout_ratio_must_be_one_to_hundred_percent(ratio: int) -> None:
    with pytest.raises(SchemaError) as caught:
        CoverageTerm(CoverageKey.INVESTIGATION, TermStatus.INCLUDED, "調査費用", payout_ratio_pct=ratio)
    assert caught.value.field.endswith("payout_ratio_pct")


def test_inner_limit_larger_than_its_pool_is_refused() -> None:
    big = CoverageTerm(CoverageKey.INVESTIGATION, TermStatus.SUBLIMITED, "調査費用", limit_jpy=40_000_000, parent="expenses")
    with pytest.raises(SchemaError, match="親の限度額"):
        _plan(terms=(big,))


def test_inner_limit_larger_than_the_largest_policy_limit_is_refused() -> None:
    big = CoverageTerm(CoverageKey.LIABILITY_DAMAGES, TermStatus.SUBLIMITED, "賠償金", limit_jpy=200_000_000)
    with pytest.raises(SchemaError, match="親の限度額"):
        _plan(terms=(big,))


def test_term_inside_a_pool_the_plan_does_not_have_is_refused() -> None:
    orphan = CoverageTerm(CoverageKey.APOLOGY, TermStatus.INCLUDED, "見舞金", parent="nowhere")
    with pytest.raises(SchemaError, match="存在しない内枠"):
        _plan(terms=(orphan,))


def test_not_offered_and_unknown_carry_no_amount_and_sublimit_needs_one() -> None:
    with pytest.raises(SchemaError):
        CoverageTerm(CoverageKey.EXTORTION, TermStatus.NOT_OFFERED, "サイバー恐喝", limit_jpy=0)
    with pytest.raises(SchemaError):
        CoverageTerm(CoverageKey.EXTORTION, TermStatus.SUBLIMITED, "サイバー恐喝")
    zero = CoverageTerm(CoverageKey.EXTORTION, TermStatus.SUBLIMITED, "サイバー恐喝", limit_jpy=0)
    assert zero.offered and zero.limit_jpy == 0  # ¥0 is a third thing, neither of the two


def test_conditional_term_needs_its_condition() -> None:
    with pytest.raises(SchemaError, match="条件"):
        CoverageTerm(CoverageKey.LOST_PROFIT, TermStatus.CONDITIONAL, "利益損害")


def test_per_victim_cap_needs_an_amount() -> None:
    with pytest.raises(SchemaError):
        PerVictimCap()
    assert PerVictimCap(per_person_jpy=500).per_person_jpy == 500


def test_duplicate_items_and_unsorted_options_are_refused() -> None:
    term = CoverageTerm(CoverageKey.LIABILITY_DAMAGES, TermStatus.INCLUDED, "賠償金")
    with pytest.raises(SchemaError, match="重複"):
        _plan(terms=(term, term))
    with pytest.raises(SchemaError, match="昇順"):
        _plan(limit_options_jpy=(100_000_000, 50_000_000))


def test_rule_shapes_are_checked() -> None:
    with pytest.raises(SchemaError):
        EligibilityRule("R1", RuleAction.CONDITION, RuleField.RECORDS_HELD, RuleOp.GT, 100_000)  # no control, no days
    with pytest.raises(SchemaError):
        EligibilityRule("R2", RuleAction.DECLINE, RuleField.INDUSTRY, RuleOp.GT, 3)
    rule = EligibilityRule("R3", RuleAction.DECLINE, RuleField.INDUSTRY, RuleOp.IN, ("fintech",))
    assert rule.value == ("fintech",)


def _applicant(**overrides: Any) -> Applicant:
    values: dict[str, Any] = {
        "company": "株式会社サンプル開発",
        "industry": Industry.SYSTEM_INTEGRATION,
        "annual_revenue_jpy": 500_000_000,
        "employees": 40,
        "records_held": 20_000,
        "servers": 10,
        "largest_contract_jpy": 30_000_000,
        "contract_type": ContractType.UKEOI,
        "controls": frozenset(),
        "incidents_3y": 0,
        "lines": (Line.CYBER,),
        "limit_jpy": 100_000_000,
        "deductible_jpy": 100_000,
    }
    values.update(overrides)
    return Applicant(**values)


@pytest.mark.parametrize(
    ("field", "value"),
    [("annual_revenue_jpy", -1), ("records_held", -5), ("employees", -1), ("company", " "), ("lines", ()), ("limit_jpy", 0)],
)
def test_applicant_field_errors_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ApplicantError) as caught:
        _applicant(**{field: value})
    assert caught.value.field == field


def test_applicant_industry_must_be_known() -> None:
    with pytest.raises(ApplicantError) as caught:
        _applicant(industry="bakery")
    assert caught.value.field == "industry"


def test_a_carrier_is_declared_once_by_a_well_formed_code_and_crosses_processes_with_its_names() -> None:
    import pickle

    from aggregator.codes import CarrierNames

    with pytest.raises(ValueError):
        Carrier("no_such_carrier")
    for bad in ("other", "Sakura", "1st", "x", "a-b"):
        with pytest.raises(ValueError):
            Carrier.declare(bad, CarrierNames("名", "Name"))
    added = Carrier.declare("test_sonpo", CarrierNames("テスト損保", "Test Sonpo", ("テスト", "損保")))
    try:
        assert Carrier("test_sonpo") is added and added in Carrier and len(Carrier) == 6 and list(Carrier)[-1] is added
        assert added.names.words() == ("テスト", "損保") and f"{added}" == "test_sonpo" == added.value
        pickled = pickle.dumps(added)
        Carrier.forget("test_sonpo")
        revived = pickle.loads(pickled)  # another process knows it from the pickle alone
        assert revived == "test_sonpo" and revived.names.en == "Test Sonpo"
    finally:
        Carrier.forget("test_sonpo")
    assert len(Carrier) == 5
