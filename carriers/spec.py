"""What a carrier declaration is made of, and the shared readers that run one.

A carrier module declares its vocabulary (the words and marks its files use for lines,
statuses, bases, industries, controls and rules), where each field sits (a column header, a
JSON key) and its units; the readers here turn those cells into the common schema. Every
reader takes a `Cells` — one row of a sheet or CSV, one JSON object — so a format only needs a
thin front end that hands its cells over with their places.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

from aggregator.schema import (
    CAP_ON_NET,
    MONEY_FIELDS,
    POLICY_POOL,
    Carrier,
    ContractType,
    CoverageTerm,
    EligibilityRule,
    Industry,
    LimitBasis,
    Line,
    PerVictimCap,
    RateTable,
    RatingStep,
    RoundingMode,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
    Trigger,
)
from aggregator.taxonomy import CoverageKey
from carriers.base import (
    Where,
    WordingResolver,
    build,
    cell_date,
    cell_int,
    cell_limit,
    cell_percent,
    cell_text,
    cell_yen,
    check_preamble,
    column_letter,
    conditions_with,
    conditions_with_en,
    deductible_beside,
    find_columns,
    is_blank,
    norm_header,
    parse_factor_bp,
)

T = TypeVar("T")

LIST_SEPARATOR = re.compile(r"[、,，]")  # 「決済代行・フィンテック、ECサイト・プラットフォーム運営」
OPTION_SEPARATOR = re.compile(r"[／/]")  # 「1,000／3,000／1億」
WAITING = re.compile(r"(\d+)\s*(時間|日|hours?|days?)", re.IGNORECASE)
PER_PERSON = re.compile(r"(?:1名|1人|per person)(?:につき|あたり)?\s*([^、・/／;]+)", re.IGNORECASE)
PER_COMPANY = re.compile(r"(?:1法人|1社|per company)(?:につき|あたり)?\s*([^、・/／;]+)", re.IGNORECASE)
COUNT_UNITS = re.compile(r"(件|名|人|台|社|回|日)$")

# The words most Japanese carrier files share; a carrier declares its own where they differ.
BASES_JA: Mapping[str, LimitBasis] = {
    "1事故・保険期間中": LimitBasis.BOTH,
    "1請求・保険期間中": LimitBasis.CLAIM_AND_AGGREGATE,
    "1事故": LimitBasis.PER_INCIDENT,
    "1請求": LimitBasis.PER_CLAIM,
    "保険期間中": LimitBasis.AGGREGATE,
}
TRIGGERS_JA: Mapping[str, Trigger] = {
    "損害賠償請求ベース": Trigger.CLAIMS_MADE,
    "事故発見ベース": Trigger.DISCOVERY,
    "事故発生ベース": Trigger.OCCURRENCE,
}
RULE_ACTIONS_JA: Mapping[str, RuleAction] = {
    "引受不可": RuleAction.DECLINE,
    "要審査": RuleAction.REFER,
    "条件付引受": RuleAction.CONDITION,
    "特約除外": RuleAction.DROP_RIDER,
}
RULE_OPS_JA: Mapping[str, RuleOp] = {
    "超": RuleOp.GT,
    "以上": RuleOp.GE,
    "未満": RuleOp.LT,
    "以下": RuleOp.LE,
    "該当": RuleOp.IN,
    "非該当": RuleOp.NOT_IN,
}
CONTRACTS_JA: Mapping[str, ContractType] = {"請負": ContractType.UKEOI, "準委任": ContractType.JUNININ}


@dataclass(frozen=True)
class Vocabulary:
    """The words one carrier's files use, each mapped to the schema's code."""

    name: str  # the carrier as its own files name it, for messages
    lines: Mapping[str, Line]
    statuses: Mapping[str, TermStatus]
    industries: Mapping[str, Industry]
    controls: Mapping[str, SecurityControl]
    rule_fields: Mapping[str, RuleField]
    bases: Mapping[str, LimitBasis] = field(default_factory=lambda: BASES_JA)
    parents: Mapping[str, str] = field(default_factory=lambda: {"支払限度額": POLICY_POOL})
    triggers: Mapping[str, Trigger] = field(default_factory=lambda: TRIGGERS_JA)
    contracts: Mapping[str, ContractType] = field(default_factory=lambda: CONTRACTS_JA)
    rule_actions: Mapping[str, RuleAction] = field(default_factory=lambda: RULE_ACTIONS_JA)
    rule_ops: Mapping[str, RuleOp] = field(default_factory=lambda: RULE_OPS_JA)
    no_deductible: frozenset[str] = frozenset({"なし", "0", "nil", "none"})
    not_written: frozenset[str] = frozenset({"―", "-", "ー", "対象外", "n/a"})
    unit: str | int | None = None  # the unit plan amounts are written in when a cell names none

    def pick(self, table: Mapping[str, T], text: str, where: Where, what: str) -> T:
        """The code `text` names in `table` (compared without spaces or width), or an error naming the cell."""
        wanted = norm_header(text).lower()
        for key, value in table.items():
            if norm_header(key).lower() == wanted:
                return value
        raise where.error(f"「{what}」の値が{self.name}の表記にありません(想定: {'、'.join(table)})", text)

    def list_values(self, rule_field: RuleField) -> Mapping[str, Any] | None:
        return {RuleField.INDUSTRY: self.industries, RuleField.CONTRACT_TYPE: self.contracts}.get(rule_field)


# --------------------------------------------------------------- cells ---


class Cells(Protocol):
    """One record of a carrier file: its values by field name, and where each is."""

    @property
    def where(self) -> Where: ...

    def get(self, name: str) -> Any: ...

    def at(self, name: str) -> Where: ...


def blank(cells: Cells, name: str) -> bool:
    return is_blank(cells.get(name))


def text(cells: Cells, name: str, *, required: bool = True) -> str:
    return cell_text(cells.get(name), cells.at(name), required=required)


def label(cells: Cells, name: str) -> str:
    """A field as the carrier's file names it (its header), for messages; the field's own name where there is none."""
    header = getattr(cells, "header", None)
    return str(header(name)) if callable(header) else name


def pick(cells: Cells, name: str, table: Mapping[str, T], vocab: Vocabulary) -> T:
    return vocab.pick(table, text(cells, name), cells.at(name), label(cells, name))


def pick_optional(cells: Cells, name: str, table: Mapping[str, T], vocab: Vocabulary) -> T | None:
    return None if blank(cells, name) else pick(cells, name, table, vocab)


def yen(cells: Cells, name: str, unit: str | int | None = None) -> int:
    return cell_yen(cells.get(name), cells.at(name), unit=unit)


def yen_optional(cells: Cells, name: str, unit: str | int | None = None) -> int | None:
    return None if blank(cells, name) else yen(cells, name, unit)


def date_optional(cells: Cells, name: str) -> date | None:
    return None if blank(cells, name) else cell_date(cells.get(name), cells.at(name))


def listed(cells: Cells, name: str, separator: re.Pattern[str] = OPTION_SEPARATOR) -> tuple[str, ...]:
    """A cell holding several values: 「1,000／3,000」, 「ランサムウェア、戦争」."""
    return tuple(p.strip() for p in separator.split(text(cells, name, required=False)) if p.strip())


def options(cells: Cells, name: str, unit: str | int | None) -> tuple[int, ...]:
    """Amounts to choose from, written in one cell: 「1,000／3,000／1億」."""
    return tuple(cell_yen(part, cells.at(name), unit=unit) for part in listed(cells, name))


@dataclass(frozen=True)
class Row:
    """One data row of a table, read by field name: `layout` maps a field to the carrier's header for it."""

    values: tuple[Any, ...]
    columns: Mapping[str, int]  # normalised header -> index
    where: Where
    layout: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.layout.get(name, name)

    def index(self, name: str) -> int | None:
        return self.columns.get(norm_header(self.header(name)))

    def at(self, name: str) -> Where:
        index = self.index(name)
        header = self.header(name)
        return self.where.at(column=header if index is None else f"{column_letter(index)}({header})")

    def get(self, name: str) -> Any:
        index = self.index(name)
        return self.values[index] if index is not None and index < len(self.values) else None

    def has(self, name: str) -> bool:
        return self.index(name) is not None


@dataclass(frozen=True)
class Table:
    columns: Mapping[str, int]
    header: Where
    rows: list[Row]

    def has(self, header: str) -> bool:
        return norm_header(header) in self.columns


def find_table(
    rows: Sequence[Sequence[Any]],
    where: Where,
    required: Sequence[str],
    *,
    layout: Mapping[str, str] | None = None,
    search_rows: int = 10,
    is_note: Callable[[Sequence[Any]], bool] | None = None,
) -> Table:
    """The table whose header row (within the first `search_rows`) holds every `required` field's header.

    Titles and notes may sit above the header; a data-like row there is an error, never skipped.
    Blank rows, and rows `is_note` says are notes, are left out of the data.
    """
    layout = dict(layout or {})
    headers = [layout.get(name, name) for name in required]
    for number, header in enumerate(rows[:search_rows], start=1):
        if any(norm_header(v) == norm_header(headers[0]) for v in header if isinstance(v, str)):
            find_columns(header, headers, where.at(row=number))
            check_preamble(rows, number - 1, where)
            columns = {norm_header(v): i for i, v in enumerate(header) if not is_blank(v)}
            data = [
                Row(tuple(values), columns, where.at(row=n), layout)
                for n, values in enumerate(rows[number:], start=number + 1)
                if not all(is_blank(v) for v in values) and not (is_note and is_note(values))
            ]
            return Table(columns, where.at(row=number), data)
    raise where.at(column=headers[0]).error(f"見出し行(「{headers[0]}」の列)が見つかりません")


def facts(rows: Sequence[Sequence[Any]], where: Where, required: Sequence[str]) -> dict[str, tuple[Any, Where]]:
    """A sheet of 「項目 | 値」 lines (a cover sheet): each name's value and its cell."""
    found: dict[str, tuple[Any, Where]] = {}
    for number, row in enumerate(rows, start=1):
        if row and isinstance(row[0], str) and norm_header(row[0]):
            found[norm_header(row[0])] = (row[1] if len(row) > 1 else None, where.at(row=number, column="B"))
    for name in required:
        if norm_header(name) not in found:
            raise where.error(f"「{name}」の行がありません")
    return {name: found[norm_header(name)] for name in {*required, *(k for k in found)} if norm_header(name) in found}


# --------------------------------------------------------------- terms ---


@dataclass(frozen=True)
class TermFields:
    """The field names a term's cells are read by; a front end maps them to its headers or keys."""

    item: str = "item"
    section: str = "section"
    status: str = "status"
    limit: str = "limit"
    basis: str = "basis"
    ratio: str = "ratio"
    parent: str = "parent"
    victim: str = "victim"  # 「1名につき500円、1法人につき1,000万円」
    per_person: str = "per_person"  # or the two caps in columns of their own
    per_company: str = "per_company"
    deductible: str = "deductible"
    waiting: str = "waiting"
    trigger: str = "trigger"
    conditions: str = "conditions"
    conditions_en: str = "conditions_en"


TERM = TermFields()


def waiting_hours(cells: Cells, name: str = TERM.waiting) -> int | None:
    """A waiting period: 「12時間」「3日」「12 hours」「1 day」, in hours."""
    if blank(cells, name):
        return None
    written = unicodedata.normalize("NFKC", text(cells, name))
    match = WAITING.fullmatch(written.strip())
    if match is None:
        raise cells.at(name).error("待機期間は「12時間」「3日」の形で書いてください", written)
    unit = match.group(2).lower()
    return int(match.group(1)) * (24 if unit in ("日",) or unit.startswith("day") else 1)


def per_victim(cells: Cells, f: TermFields = TERM) -> PerVictimCap | None:
    """Money paid to each person or company affected: one cell in words, or two amount cells."""
    person = yen_optional(cells, f.per_person)
    company = yen_optional(cells, f.per_company)
    if not blank(cells, f.victim):
        written = unicodedata.normalize("NFKC", text(cells, f.victim))
        person_m, company_m = PER_PERSON.search(written), PER_COMPANY.search(written)
        if person_m is None and company_m is None:
            raise cells.at(f.victim).error("見舞金の限度は「1名につき500円」「1法人につき1,000万円」の形で書いてください", written)
        person = cell_yen(person_m.group(1).strip(), cells.at(f.victim)) if person_m else person
        company = cell_yen(company_m.group(1).strip(), cells.at(f.victim)) if company_m else company
    if person is None and company is None:
        return None
    return build(cells.at(f.victim), PerVictimCap, per_person_jpy=person, per_company_jpy=company)


def read_term(
    cells: Cells,
    vocab: Vocabulary,
    resolver: WordingResolver,
    *,
    f: TermFields = TERM,
    line: Line | None = None,
    payout_ratio: Callable[[Cells], int] | None = None,
) -> CoverageTerm | None:
    """One coverage item of a plan; None when its wording is unclassified (the resolver lists it).

    An item offered must say its basis; one not offered may leave basis, pool and ratio blank.
    A limit left blank on an offered item is read as 要確認 by the comparison, never as unlimited.
    """
    wording = text(cells, f.item)
    key = resolver.resolve(wording, cells.at(f.item), section=cells.get(f.section), line=line)
    status = pick(cells, f.status, vocab.statuses, vocab)
    offered = status not in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN)
    basis = pick(cells, f.basis, vocab.bases, vocab) if offered else pick_optional(cells, f.basis, vocab.bases, vocab)
    written = "" if blank(cells, f.limit) else norm_header(cells.get(f.limit)).lower()
    limit = None if not written or written in vocab.not_written else cell_limit(cells.get(f.limit), cells.at(f.limit), unit=vocab.unit)
    if payout_ratio is not None:
        ratio = payout_ratio(cells)
    else:
        ratio = 100 if blank(cells, f.ratio) else cell_percent(cells.get(f.ratio), cells.at(f.ratio))
    deductible_text = "" if blank(cells, f.deductible) else norm_header(cells.get(f.deductible)).lower()
    deductible = 0 if deductible_text in vocab.no_deductible else yen_optional(cells, f.deductible, vocab.unit)
    fields = {
        "status": status,
        "wording": wording,
        "limit_jpy": None if limit is None else limit.amount_jpy,
        "basis": basis or LimitBasis.BOTH,
        "parent": pick_optional(cells, f.parent, vocab.parents, vocab) or POLICY_POOL,
        "payout_ratio_pct": ratio,
        "per_victim": per_victim(cells, f),
        "deductible_jpy": deductible_beside(limit, deductible, cells.at(f.limit)),
        "waiting_hours": waiting_hours(cells, f.waiting),
        "trigger": pick_optional(cells, f.trigger, vocab.triggers, vocab),
        "conditions": conditions_with(text(cells, f.conditions, required=False), limit),
        "conditions_en": conditions_with_en(text(cells, f.conditions_en, required=False), limit),
    }
    return None if key is None else build(cells.where, CoverageTerm, key=key, **fields)


# --------------------------------------------------------------- rules ---


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
    return build(
        cells.where,
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
