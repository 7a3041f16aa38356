"""Carriers' rates and eligibility rules in the common schema, and CarrierData: one carrier's plans and rates, validated as a whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from aggregator.codes import (
    CAP_ON_NET,
    Carrier,
    Industry,
    Line,
    RatingStep,
    RoundingMode,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
)
from aggregator.plans import MAX_CARRIER_COUNT, Plan, require, yen_or_none
from aggregator.taxonomy import CoverageKey


@dataclass(frozen=True, slots=True)
class EligibilityRule:
    """One appetite rule: when `field op value` holds (and `unless` is not in place), act.

    E.g. decline when records_held > 100,000 unless MFA; refer when incidents_3y >= 2;
    drop the lost-profit rider when revenue > 100億円.
    """

    code: str  # the carrier's own rule id, kept for traceability
    action: RuleAction
    field: RuleField
    op: RuleOp
    value: int | tuple[str, ...]
    unless: SecurityControl | None = None
    rider: CoverageKey | None = None  # with DROP_RIDER: which rider goes
    days: int | None = None  # with CONDITION: days allowed to put the control in place

    def __post_init__(self) -> None:
        where = f"rule[{self.code}]"
        if self.op in (RuleOp.IN, RuleOp.NOT_IN):
            require(isinstance(self.value, tuple) and bool(self.value), f"{where}.value", self.value, "in/not_in には値の一覧が必要です")
        else:
            require(
                isinstance(self.value, int) and not isinstance(self.value, bool), f"{where}.value", self.value, "比較には整数が必要です"
            )
            require(
                not isinstance(self.value, int) or abs(self.value) <= MAX_CARRIER_COUNT,
                f"{where}.value",
                self.value,
                "比較の値が大きすぎます",
            )
            require(
                self.field not in (RuleField.INDUSTRY, RuleField.CONTRACT_TYPE),
                f"{where}.field",
                self.field,
                "この項目は大小比較できません",
            )
        if self.action is RuleAction.CONDITION:
            require(self.unless is not None, f"{where}.unless", None, "条件付き引受には対象の対策が必要です")
            require(self.days is not None and 0 < self.days <= 3_650, f"{where}.days", self.days, "対策の期限(日数)は1〜3,650日です")
        if self.action is RuleAction.DROP_RIDER:
            require(self.rider is not None, f"{where}.rider", None, "外す特約の指定が必要です")


@dataclass(frozen=True, slots=True)
class RateTable:
    """One carrier's rates for one line, normalised.

    premium = base[class][revenue band] × plan × limit × deductible
              × (1 + security adjustment) × (1 + incidents surcharge) × (1 + riders),
    each factor in basis points (10,000 = ×1.00), integer arithmetic; the security adjustment
    adds credits and debits and applies the cap in the order of `steps`; then the premium is
    rounded to the carrier's unit in its rounding mode, and raised to the minimum premium.
    """

    carrier: Carrier
    line: Line
    version: str
    effective_from: date
    effective_to: date | None
    revenue_band_upper_jpy: tuple[int, ...]  # band i is [upper[i-1], upper[i]); above the last: no rate
    industry_class: Mapping[Industry, str]  # an industry not listed is not written
    base_premium_jpy: Mapping[str, tuple[int, ...]]  # class -> one base premium per band
    plan_factor_bp: Mapping[str, int]  # plan code -> factor
    limit_factor_bp: Mapping[int, int]  # policy limit -> factor
    deductible_factor_bp: Mapping[int, int]  # deductible -> factor
    control_credit_bp: Mapping[SecurityControl, int]  # signed: -500 is a 5% credit when in place
    missing_control_debit_bp: Mapping[SecurityControl, int] = field(default_factory=dict)  # added when absent
    max_credit_bp: int = 3_000  # credits never take off more than this
    incident_surcharge_bp: int = 0  # per incident in the last three years
    rider_factor_bp: Mapping[CoverageKey, int] = field(default_factory=dict)  # loading per optional rider
    minimum_premium_jpy: int = 0
    rounding_jpy: int = 10  # premiums are rounded to a multiple of this
    rounding_mode: RoundingMode = RoundingMode.UP  # how: up unless the carrier's files say otherwise
    steps: tuple[RatingStep, ...] = CAP_ON_NET  # the order of credits, debits and the cap
    rules: tuple[EligibilityRule, ...] = ()
    sample: bool = True
    source: str = ""

    def __post_init__(self) -> None:
        where = f"rates[{self.carrier}:{self.line}]"
        bands = self.revenue_band_upper_jpy
        require(bool(bands), f"{where}.revenue_band_upper_jpy", bands, "売上高区分がありません")
        require(
            list(bands) == sorted(set(bands)) and bands[0] > 0,
            f"{where}.revenue_band_upper_jpy",
            bands,
            "売上高区分は正の昇順にしてください",
        )
        for n in bands:
            yen_or_none(n, f"{where}.revenue_band_upper_jpy")
        require(bool(self.industry_class), f"{where}.industry_class", {}, "業種区分がありません")
        for industry, klass in self.industry_class.items():
            require(klass in self.base_premium_jpy, f"{where}.industry_class[{industry}]", klass, "基本保険料のない業種区分です")
        for klass, row in self.base_premium_jpy.items():
            require(len(row) == len(bands), f"{where}.base_premium_jpy[{klass}]", row, f"売上高区分の数({len(bands)})と一致しません")
            for n in row:
                yen_or_none(n, f"{where}.base_premium_jpy[{klass}]")
        for name, table in (
            ("plan_factor_bp", self.plan_factor_bp),
            ("limit_factor_bp", self.limit_factor_bp),
            ("deductible_factor_bp", self.deductible_factor_bp),
        ):
            require(bool(table), f"{where}.{name}", {}, "係数がありません")
            for k, v in table.items():
                require(isinstance(v, int) and 0 < v <= 1_000_000, f"{where}.{name}[{k}]", v, "係数は0より大きく100倍以下です")
        controls: tuple[tuple[str, Mapping[SecurityControl, int]], ...] = (
            ("control_credit_bp", self.control_credit_bp),
            ("missing_control_debit_bp", self.missing_control_debit_bp),
        )
        for label_, control_table in controls:
            for control, bp in control_table.items():
                require(isinstance(bp, int) and -10_000 < bp < 10_000, f"{where}.{label_}[{control}]", bp, "割増引は±100%未満です")
        require(0 <= self.max_credit_bp < 10_000, f"{where}.max_credit_bp", self.max_credit_bp, "割引上限は0〜100%未満です")
        require(
            0 <= self.incident_surcharge_bp <= 100_000, f"{where}.incident_surcharge_bp", self.incident_surcharge_bp, "事故割増が範囲外です"
        )
        for k, v in self.rider_factor_bp.items():
            require(isinstance(v, int) and 0 <= v <= 100_000, f"{where}.rider_factor_bp[{k}]", v, "特約の割増が範囲外です")
        yen_or_none(self.minimum_premium_jpy, f"{where}.minimum_premium_jpy")
        yen_or_none(self.rounding_jpy, f"{where}.rounding_jpy")
        require(
            isinstance(self.rounding_jpy, int) and self.rounding_jpy >= 1,
            f"{where}.rounding_jpy",
            self.rounding_jpy,
            "端数処理の単位は1円以上です",
        )
        require(isinstance(self.rounding_mode, RoundingMode), f"{where}.rounding_mode", self.rounding_mode, "端数処理の方法が不明です")
        steps = tuple(self.steps)
        require(
            all(isinstance(step, RatingStep) for step in steps)
            and sorted(steps) == sorted(RatingStep)
            and steps.index(RatingStep.CAP) > steps.index(RatingStep.CREDITS),
            f"{where}.steps",
            steps,
            "割引・不備割増・割引上限を1回ずつ、割引上限は割引より後に並べてください",
        )

    @property
    def debits_capped(self) -> bool:
        """Whether the cap limits the credits net of the debits (the debits come before it) or the credits alone."""
        return self.steps.index(RatingStep.DEBITS) < self.steps.index(RatingStep.CAP)


@dataclass(frozen=True, slots=True)
class CarrierData:
    """Everything one carrier delivered, loaded and validated as a whole."""

    carrier: Carrier
    plans: tuple[Plan, ...]
    rate_tables: tuple[RateTable, ...]
    sources: tuple[str, ...] = ()
    sample: bool = True

    def __post_init__(self) -> None:
        where = f"carrier[{self.carrier}]"
        require(bool(self.plans), f"{where}.plans", (), "プランがありません")
        tables = {t.line: t for t in self.rate_tables}
        require(
            len(tables) == len(self.rate_tables),
            f"{where}.rate_tables",
            [t.line for t in self.rate_tables],
            "同じ種目の料率表が複数あります",
        )
        codes = [(p.line, p.code) for p in self.plans]
        require(len(codes) == len(set(codes)), f"{where}.plans", codes, "プランコードが重複しています")
        for plan in self.plans:
            require(plan.carrier == self.carrier, f"{where}.plans[{plan.code}].carrier", plan.carrier, "別の保険会社のプランです")
            table = tables.get(plan.line)
            require(table is not None, f"{where}.plans[{plan.code}]", plan.line, "この種目の料率表がありません")
            assert table is not None
            require(plan.code in table.plan_factor_bp, f"{where}.plans[{plan.code}]", plan.code, "料率表にこのプランの係数がありません")
            for n in plan.limit_options_jpy:
                require(
                    n in table.limit_factor_bp,
                    f"{where}.plans[{plan.code}].limit_options_jpy",
                    n,
                    "料率表にこの支払限度額の係数がありません",
                )
            for n in plan.deductible_options_jpy:
                require(
                    n in table.deductible_factor_bp,
                    f"{where}.plans[{plan.code}].deductible_options_jpy",
                    n,
                    "料率表にこの免責金額の係数がありません",
                )
            for term in plan.terms:
                if term.status is TermStatus.OPTIONAL_RIDER:
                    require(
                        term.key in table.rider_factor_bp,
                        f"{where}.plans[{plan.code}].terms[{term.key}]",
                        term.key,
                        "料率表にこの特約の割増がありません",
                    )

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for line in Line if any(p.line == line for p in self.plans))

    def plans_for(self, line: Line) -> tuple[Plan, ...]:
        return tuple(p for p in self.plans if p.line == line)

    def rate_table(self, line: Line) -> RateTable | None:
        for t in self.rate_tables:
            if t.line == line:
                return t
        return None
