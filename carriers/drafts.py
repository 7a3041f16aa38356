"""Underwriting rules and rate tables from any record: a rule's threshold in its unit, and one line's rates gathered
as the files are read (each entry once) into its RateTable."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aggregator.schema import (
    CAP_ON_NET,
    MONEY_FIELDS,
    Carrier,
    EligibilityRule,
    Industry,
    Line,
    RateTable,
    RatingStep,
    RoundingMode,
    RuleField,
    RuleOp,
    SecurityControl,
)
from aggregator.taxonomy import CoverageKey
from carriers.base import (
    Where,
    WordingResolver,
    build,
    cell_int,
    cell_yen,
    norm_header,
    parse_factor_bp,
)
from carriers.records import Cells, blank, build_in, label, pick, pick_optional, text
from carriers.vocabulary import COUNT_UNITS, LIST_SEPARATOR, T, Vocabulary


@dataclass(frozen=True)
class RuleFields:
    code: str = "code"
    action: str = "action"
    field: str = "field"
    op: str = "op"
    value: str = "value"
    unless: str = "unless"
    rider: str = "rider"
    days: str = "days"


RULE = RuleFields()


def rule_value(cells: Cells, vocab: Vocabulary, rule_field: RuleField, op: RuleOp, f: RuleFields = RULE) -> int | tuple[str, ...]:
    """A rule's threshold: a list of industries or contract types, an amount with its unit, or a count."""
    if op in (RuleOp.IN, RuleOp.NOT_IN):
        names = vocab.list_values(rule_field)
        if names is None:
            raise cells.at(f.op).error(f"「{text(cells, f.field)}」に該当・非該当は使えません", text(cells, f.op))
        parts = [p.strip() for p in LIST_SEPARATOR.split(text(cells, f.value)) if p.strip()]
        return tuple(str(vocab.pick(names, p, cells.at(f.value), label(cells, f.value)).value) for p in parts)
    written = unicodedata.normalize("NFKC", text(cells, f.value)).replace(" ", "")
    if rule_field in MONEY_FIELDS:
        if not re.search(r"[円万億]|jpy|yen|[0-9](m|bn|k)$", written, re.IGNORECASE) and vocab.unit is None:
            raise cells.at(f.value).error("金額の基準には単位(円・万円・億円)を付けてください", cells.get(f.value))
        return cell_yen(written, cells.at(f.value), unit=vocab.unit if not re.search(r"[円万億]", written) else None)
    return cell_int(COUNT_UNITS.sub("", written), cells.at(f.value))


def read_rule(cells: Cells, vocab: Vocabulary, resolver: WordingResolver, *, f: RuleFields = RULE) -> EligibilityRule | None:
    """One underwriting rule; None when its rider's wording is unclassified (the resolver lists it)."""
    rule_field, op = pick(cells, f.field, vocab.rule_fields, vocab), pick(cells, f.op, vocab.rule_ops, vocab)
    rider_text = text(cells, f.rider, required=False)
    rider = resolver.resolve(rider_text, cells.at(f.rider)) if rider_text else None
    if rider_text and rider is None:
        return None
    days = None if blank(cells, f.days) else cell_int(COUNT_UNITS.sub("", norm_header(cells.get(f.days))), cells.at(f.days))
    columns = {"value": f.value, "days": f.days, "rider": f.rider, "unless": f.unless, "op": f.op, "code": f.code}
    return build_in(
        cells,
        columns,
        EligibilityRule,
        code=text(cells, f.code),
        action=pick(cells, f.action, vocab.rule_actions, vocab),
        field=rule_field,
        op=op,
        value=rule_value(cells, vocab, rule_field, op, f),
        unless=pick_optional(cells, f.unless, vocab.controls, vocab),
        rider=rider,
        days=days,
    )


# --------------------------------------------------------------- rates ---


@dataclass
class RateDraft:
    """One line's rates as a carrier's files are read; every entry may be written once only."""

    bands: tuple[int, ...] | None = None
    base: dict[str, tuple[int, ...]] = field(default_factory=dict)
    classes: dict[Industry, str] = field(default_factory=dict)
    plan_factor: dict[str, int] = field(default_factory=dict)
    limit_factor: dict[int, int] = field(default_factory=dict)
    deductible_factor: dict[int, int] = field(default_factory=dict)
    credit: dict[SecurityControl, int] = field(default_factory=dict)
    debit: dict[SecurityControl, int] = field(default_factory=dict)
    riders: dict[CoverageKey, int] = field(default_factory=dict)
    scalars: dict[str, int] = field(default_factory=dict)  # max_credit, incident, minimum, rounding
    rules: list[EligibilityRule] = field(default_factory=list)
    steps: tuple[RatingStep, ...] = CAP_ON_NET
    rounding_mode: RoundingMode = RoundingMode.UP

    @staticmethod
    def put(table: dict[Any, T], key: Any, value: T, where: Where) -> None:
        if key in table:
            raise where.error("同じ種目で同じ項目が2回書かれています", key)
        table[key] = value

    def band_premiums(self, uppers: Sequence[int], klass: str, premiums: Sequence[int | None], wheres: Sequence[Where]) -> None:
        """One class's premiums by revenue band; a band the carrier does not write (None) ends the row."""
        count = next((i for i, p in enumerate(premiums) if p is None), len(premiums))
        after = next((i for i in range(count, len(premiums)) if premiums[i] is not None), None)
        if after is not None:
            raise wheres[after].error("引受なし(―)の区分より上の売上高区分に保険料があります", premiums[after])
        written = tuple(uppers[:count])
        if self.bands is not None and self.bands != written:
            raise wheres[0].error("同じ種目の中で売上高区分の範囲が揃っていません", klass)
        self.bands = written
        self.put(self.base, klass, tuple(p for p in premiums[:count] if p is not None), wheres[0])

    def table(
        self,
        carrier: Carrier,
        line: Line,
        *,
        version: str,
        effective_from: date,
        effective_to: date | None,
        sample: bool,
        source: str,
        where: Where,
        missing: Callable[[str], str] = lambda kind: f"「{kind}」がありません",
    ) -> RateTable:
        """The line's rate table; a minimum premium, rounding or credit cap not written is named by `missing`."""
        for kind in ("max_credit", "minimum", "rounding"):
            if kind not in self.scalars:
                raise where.error(missing(kind))
        return build(
            where,
            RateTable,
            carrier=carrier,
            line=line,
            version=version,
            effective_from=effective_from,
            effective_to=effective_to,
            revenue_band_upper_jpy=self.bands or (),
            industry_class=self.classes,
            base_premium_jpy=self.base,
            plan_factor_bp=self.plan_factor,
            limit_factor_bp=self.limit_factor,
            deductible_factor_bp=self.deductible_factor,
            control_credit_bp=self.credit,
            missing_control_debit_bp=self.debit,
            max_credit_bp=self.scalars["max_credit"],
            incident_surcharge_bp=self.scalars.get("incident", 0),
            rider_factor_bp=self.riders,
            minimum_premium_jpy=self.scalars["minimum"],
            rounding_jpy=self.scalars["rounding"],
            rounding_mode=self.rounding_mode,
            steps=self.steps,
            rules=tuple(self.rules),
            sample=sample,
            source=source,
        )


def factor(cells: Cells, name: str) -> int:
    return parse_factor_bp(cells.get(name), cells.at(name))
