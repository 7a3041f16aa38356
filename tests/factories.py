"""Small hand-built carriers and applicants whose premiums can be worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregator.schema import (
    Applicant,
    Carrier,
    CarrierData,
    ContractType,
    CoverageTerm,
    EligibilityRule,
    Industry,
    LimitPool,
    Line,
    PerVictimCap,
    Plan,
    RateTable,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
)
from aggregator.taxonomy import CoverageKey as K

MAN = 10_000
OKU = 100_000_000


def plan(code: str, *, wide: bool, carrier: Carrier = Carrier.AIG) -> Plan:
    pool = LimitPool("expenses", "費用損害", "Incident costs", (10_000 if wide else 3_000) * MAN)
    terms = [
        CoverageTerm(K.LIABILITY_DAMAGES, TermStatus.INCLUDED, "損害賠償金"),
        CoverageTerm(K.LITIGATION_COSTS, TermStatus.INCLUDED, "争訟費用"),
        CoverageTerm(K.INVESTIGATION, TermStatus.SUBLIMITED, "原因調査費用", limit_jpy=1_000 * MAN, parent="expenses", payout_ratio_pct=90),
        CoverageTerm(K.APOLOGY, TermStatus.INCLUDED, "見舞金", parent="expenses", per_victim=PerVictimCap(per_person_jpy=500)),
        CoverageTerm(
            K.CALL_CENTER,
            TermStatus.INCLUDED if wide else TermStatus.NOT_OFFERED,
            "コールセンター費用",
            parent="expenses" if wide else "policy",
        ),
        CoverageTerm(K.EXTORTION, TermStatus.UNKNOWN, "サイバー恐喝"),
    ]
    if wide:
        terms.append(CoverageTerm(K.LOST_PROFIT, TermStatus.OPTIONAL_RIDER, "利益損害", limit_jpy=5_000 * MAN, waiting_hours=12))
    else:
        terms.append(CoverageTerm(K.LOST_PROFIT, TermStatus.NOT_OFFERED, "利益損害"))
    return Plan(
        carrier=carrier,
        line=Line.CYBER,
        code=code,
        name=f"テスト{'ワイド' if wide else 'スタンダード'}",
        product="サイバー保険",
        rate_version="2026.04",
        effective_from=date(2026, 4, 1),
        effective_to=date(2027, 3, 31),
        limit_options_jpy=(5_000 * MAN, OKU, 3 * OKU),
        deductible_options_jpy=(0, 10 * MAN, 100 * MAN),
        terms=tuple(terms),
        pools=(pool,),
    )


RULES = (
    EligibilityRule("R1", RuleAction.DECLINE, RuleField.ANNUAL_REVENUE, RuleOp.GT, 50 * OKU),
    EligibilityRule("R2", RuleAction.REFER, RuleField.INCIDENTS_3Y, RuleOp.GE, 2),
    EligibilityRule("R3", RuleAction.CONDITION, RuleField.RECORDS_HELD, RuleOp.GT, 100_000, unless=SecurityControl.MFA, days=30),
    EligibilityRule("R4", RuleAction.DECLINE, RuleField.RECORDS_HELD, RuleOp.GT, 1_000_000, unless=SecurityControl.MFA),
    EligibilityRule("R5", RuleAction.DROP_RIDER, RuleField.ANNUAL_REVENUE, RuleOp.GT, 30 * OKU, rider=K.LOST_PROFIT),
    EligibilityRule("R6", RuleAction.DECLINE, RuleField.INDUSTRY, RuleOp.IN, ("fintech",)),
)


def rate_table(carrier: Carrier = Carrier.AIG, **overrides: Any) -> RateTable:
    values: dict[str, Any] = {
        "carrier": carrier,
        "line": Line.CYBER,
        "version": "2026.04",
        "effective_from": date(2026, 4, 1),
        "effective_to": date(2027, 3, 31),
        "revenue_band_upper_jpy": (OKU, 10 * OKU, 100 * OKU),
        "industry_class": {Industry.SYSTEM_INTEGRATION: "A", Industry.SAAS: "A", Industry.APP_DEVELOPMENT: "B", Industry.FINTECH: "B"},
        "base_premium_jpy": {"A": (300_000, 800_000, 2_000_000), "B": (400_000, 1_000_000, 2_500_000)},
        "plan_factor_bp": {"STD": 10_000, "WIDE": 13_000},
        "limit_factor_bp": {5_000 * MAN: 7_000, OKU: 10_000, 3 * OKU: 16_000},
        "deductible_factor_bp": {0: 11_000, 10 * MAN: 10_000, 100 * MAN: 9_000},
        "control_credit_bp": {SecurityControl.MFA: -1_000, SecurityControl.EDR: -500, SecurityControl.OFFLINE_BACKUP: -500},
        "missing_control_debit_bp": {SecurityControl.INCIDENT_RESPONSE_PLAN: 500},
        "max_credit_bp": 1_500,
        "incident_surcharge_bp": 2_000,
        "rider_factor_bp": {K.LOST_PROFIT: 1_500},
        "minimum_premium_jpy": 100_000,
        "rounding_jpy": 100,
        "rules": RULES,
    }
    values.update(overrides)
    return RateTable(**values)


def carrier_data(carrier: Carrier = Carrier.AIG, **table_overrides: Any) -> CarrierData:
    return CarrierData(
        carrier=carrier,
        plans=(plan("STD", wide=False, carrier=carrier), plan("WIDE", wide=True, carrier=carrier)),
        rate_tables=(rate_table(carrier, **table_overrides),),
    )


def applicant(**overrides: Any) -> Applicant:
    values: dict[str, Any] = {
        "company": "株式会社サンプル開発",
        "industry": Industry.SYSTEM_INTEGRATION,
        "annual_revenue_jpy": 5 * OKU,
        "employees": 40,
        "records_held": 20_000,
        "servers": 10,
        "largest_contract_jpy": 3_000 * MAN,
        "contract_type": ContractType.UKEOI,
        "controls": frozenset({SecurityControl.MFA, SecurityControl.EDR}),
        "incidents_3y": 1,
        "lines": (Line.CYBER,),
        "limit_jpy": OKU,
        "deductible_jpy": 10 * MAN,
        "riders": frozenset({K.LOST_PROFIT}),
    }
    values.update(overrides)
    return Applicant(**values)
