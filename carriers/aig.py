"""AIG損保: CyberEdge, ITビジネスガード and Professional Indemnity from an English xlsx schedule and UTF-8 CSV rate tables."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from aggregator.errors import CarrierDataError, SchemaError
from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    MONEY_FIELDS,
    POLICY_POOL,
    Carrier,
    CarrierData,
    ContractType,
    CoverageTerm,
    EligibilityRule,
    Industry,
    LimitBasis,
    LimitPool,
    Line,
    PerVictimCap,
    Plan,
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
    cell_date,
    cell_int,
    cell_limit,
    cell_percent,
    cell_text,
    cell_yen,
    check_preamble,
    conditions_with,
    deductible_beside,
    find_columns,
    flatten,
    has_sample_marker,
    is_blank,
    norm_header,
    parse_factor_bp,
    read_csv,
    read_xlsx,
)

T = TypeVar("T")

# ------------------------------------------------- files, sheets, columns ---
SCHEDULE_FILE = "aig_schedule_of_coverages.xlsx"
RATES_FILE = "aig_rates.csv"
CLASSES_FILE = "aig_industry_classes.csv"
FACTORS_FILE = "aig_factors.csv"
RULES_FILE = "aig_underwriting_rules.csv"
ENCODING = "utf-8"
COMMENT = "#"  # a row whose first cell starts with this is a note, not data
NOT_AIG = "AIG損保のファイルではありません (this is not an AIG file)"

PLANS_SHEET, AGGREGATES_SHEET, SCHEDULE_SHEET = "Plans", "Aggregate Limits", "Coverage Schedule"
SHEETS: dict[str, tuple[str, ...]] = {
    PLANS_SHEET: (
        "Plan Code",
        "Line of Business",
        "Product",
        "Plan Name",
        "Rate Version",
        "Effective From",
        "Effective To",
        "Trigger",
        "Limit Options",
        "Retention Options",
        "Key Exclusions",
    ),
    AGGREGATES_SHEET: ("Plan Code", "Aggregate", "Description (JA)", "Description (EN)", "Limit", "Basis"),
    SCHEDULE_SHEET: (
        "Plan Code",
        "Coverage",
        "Status",
        "Limit",
        "Basis",
        "Sublimit Of",
        "Co-insurance",
        "Retention",
        "Per Person",
        "Per Company",
        "Waiting Period",
        "Trigger",
        "Conditions",
    ),
}
# Japanese beside the English, where the schedule gives it (AIG Japan publishes both): read when the column is there.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    PLANS_SHEET: ("Plan Name (JA)", "Key Exclusions (JA)"),
    SCHEDULE_SHEET: ("Conditions (JA)",),
}
CSV_FILES: dict[str, tuple[str, ...]] = {
    RATES_FILE: (
        "Line of Business",
        "Rate Version",
        "Effective From",
        "Effective To",
        "Rate Class",
        "Revenue To (excl.)",
        "Annual Base Premium",
    ),
    CLASSES_FILE: ("Line of Business", "Industry", "Rate Class"),
    FACTORS_FILE: ("Line of Business", "Factor", "Option", "Value"),
    RULES_FILE: ("Line of Business", "Rule ID", "Action", "Criterion", "Operator", "Threshold", "Unless Control", "Rider", "Days"),
}

# ------------------------------------------------------------- wording ---
LINES = {"cyber": Line.CYBER, "technology e&o": Line.IT_EO, "professional indemnity": Line.PROFESSIONAL_LIABILITY}
STATUSES = {
    "included": TermStatus.INCLUDED,
    "sublimit": TermStatus.SUBLIMITED,
    "optional": TermStatus.OPTIONAL_RIDER,
    "subject to": TermStatus.CONDITIONAL,
    "not covered": TermStatus.NOT_OFFERED,
    "to be confirmed": TermStatus.UNKNOWN,
}
BASES = {
    "each claim": LimitBasis.PER_CLAIM,
    "each incident": LimitBasis.PER_INCIDENT,
    "aggregate": LimitBasis.AGGREGATE,
    "each claim and in the aggregate": LimitBasis.CLAIM_AND_AGGREGATE,
    "each incident and in the aggregate": LimitBasis.BOTH,
}
TRIGGERS = {"claims made": Trigger.CLAIMS_MADE, "discovery": Trigger.DISCOVERY, "loss occurring": Trigger.OCCURRENCE}
AGGREGATES = {"first party aggregate": "expenses", "network interruption aggregate": "business_interruption", "policy limit": POLICY_POOL}
UP_TO_PARENT = frozenset({"policy limit", "within aggregate"})  # a Limit cell meaning: no sublimit of its own
NIL = frozenset({"nil", "none"})  # a retention of nothing
NO_COINSURANCE = NIL | {"0", "0%"}
OPTION_SEPARATOR, LIST_SEPARATOR = "/", ";"
RATE_VERSION = re.compile(r"\d{4}\.\d{2}")
WAITING = re.compile(r"(\d+)\s*(hours?|hrs?|days?)", re.IGNORECASE)
INDUSTRIES = {
    "system integration": Industry.SYSTEM_INTEGRATION,
    "saas / cloud": Industry.SAAS,
    "app & web development": Industry.APP_DEVELOPMENT,
    "packaged software": Industry.PACKAGE_SOFTWARE,
    "hosting / data centre": Industry.HOSTING_DATACENTER,
    "it consulting": Industry.IT_CONSULTING,
    "ses / it staffing": Industry.SES_STAFFING,
    "managed security services": Industry.MANAGED_SECURITY,
    "e-commerce platform": Industry.EC_PLATFORM,
    "fintech / payment services": Industry.FINTECH,
}
CONTROLS = {
    "mfa": SecurityControl.MFA,
    "edr": SecurityControl.EDR,
    "offline backups": SecurityControl.OFFLINE_BACKUP,
    "isms / p-mark": SecurityControl.ISMS_PMARK,
    "incident response plan": SecurityControl.INCIDENT_RESPONSE_PLAN,
    "vulnerability management": SecurityControl.VULNERABILITY_MANAGEMENT,
    "security awareness training": SecurityControl.STAFF_TRAINING,
}
CONTRACT_TYPES = {"contract for work (ukeoi)": ContractType.UKEOI, "quasi-mandate (jun-inin)": ContractType.JUNININ}
ACTIONS = {
    "decline": RuleAction.DECLINE,
    "refer": RuleAction.REFER,
    "subject to": RuleAction.CONDITION,
    "exclude rider": RuleAction.DROP_RIDER,
}
CRITERIA = {
    "annual revenue": RuleField.ANNUAL_REVENUE,
    "employees": RuleField.EMPLOYEES,
    "pii records held": RuleField.RECORDS_HELD,
    "servers": RuleField.SERVERS,
    "largest contract value": RuleField.LARGEST_CONTRACT,
    "claims / incidents (3 yrs)": RuleField.INCIDENTS_3Y,
    "industry": RuleField.INDUSTRY,
    "contract type": RuleField.CONTRACT_TYPE,
}
OPERATORS = {">": RuleOp.GT, ">=": RuleOp.GE, "<": RuleOp.LT, "<=": RuleOp.LE, "is one of": RuleOp.IN, "is not one of": RuleOp.NOT_IN}
# Factor names in aig_factors.csv -> what they feed; the scalar ones have no Option.
FACTORS = {
    "plan": "plan",
    "limit of liability": "limit",
    "retention": "deductible",
    "control credit": "credit",
    "missing control debit": "debit",
    "rider loading": "rider",
    "maximum credit": "max_credit",
    "prior incident surcharge": "incident",
    "minimum premium": "minimum",
    "rounding": "rounding",
}
SCALARS = ("max_credit", "incident", "minimum", "rounding")
REQUIRED_FACTORS = ("plan", "limit", "deductible", "credit", *SCALARS)
YEN_FACTORS = frozenset({"minimum", "rounding"})
# The Maximum Credit row's Option says what the cap limits; the Rounding row's Option which way it rounds.
CAP_BASIS = {"credits only": CAP_ON_CREDITS, "net of debits": CAP_ON_NET}
ROUNDING_OPTIONS = {"up": RoundingMode.UP, "down": RoundingMode.DOWN, "half up": RoundingMode.HALF_UP}
DEFAULT_STEPS = CAP_ON_NET  # a Maximum Credit row without an Option: the cap on credits net of debits
DEFAULT_ROUNDING = RoundingMode.UP  # a Rounding row without an Option: rounded up to the unit
# Which column a schema field of a row's object comes from, so its error names the cell.
FIELD_COLUMNS = {
    "limit_jpy": "Limit",
    "conditions": "Conditions",
    "payout_ratio_pct": "Co-insurance",
    "deductible_jpy": "Retention",
    "waiting_hours": "Waiting Period",
    "per_person_jpy": "Per Person",
    "per_company_jpy": "Per Company",
    "per_victim_cap": "Per Person",
    "pool_id": "Aggregate",
    "value": "Threshold",
    "field": "Criterion",
    "unless": "Unless Control",
    "rider": "Rider",
    "days": "Days",
}


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _yen(value: Any, where: Where) -> int:
    if isinstance(value, str) and _key(value) in NIL:
        return 0
    return cell_yen(value, where)


@dataclass(frozen=True, slots=True)
class _Row:
    """One data row of a sheet or CSV file, its cells found by header name."""

    where: Where
    cols: Mapping[str, int]
    values: Sequence[Any]

    def at(self, column: str) -> Where:
        return self.where.at(column=column)

    def raw(self, column: str) -> Any:
        index = self.cols[column]
        return self.values[index] if index < len(self.values) else None

    def blank(self, column: str) -> bool:
        return is_blank(self.raw(column))

    def optional(self, column: str) -> str:
        """An optional column's text, "" when the file has no such column or the cell is empty."""
        return "" if column not in self.cols or self.blank(column) else self.text(column)

    def text(self, column: str, *, required: bool = True) -> str:
        return cell_text(self.raw(column), self.at(column), required=required)

    def pick(self, column: str, table: Mapping[str, T]) -> T:
        value = self.text(column)
        if _key(value) not in table:
            raise self.at(column).error(f"見慣れない値です(使える値: {' | '.join(table)})", value)
        return table[_key(value)]

    def yen(self, column: str) -> int:
        return _yen(self.raw(column), self.at(column))

    def date(self, column: str) -> date | None:
        return None if self.blank(column) else cell_date(self.raw(column), self.at(column))


def _build(row: _Row, factory: Callable[..., T], **fields: Any) -> T:
    """A schema object from one row; its validation error names the row and, where known, the column."""
    try:
        return factory(**fields)
    except SchemaError as exc:
        column = FIELD_COLUMNS.get(exc.field.rsplit(".", 1)[-1])
        raise (row.at(column) if column else row.where).error(f"{exc.field}: {exc.reason}", exc.value) from exc


def _is_note(row: Sequence[Any]) -> bool:
    cells = [v for v in row if not is_blank(v)]
    return not cells or (isinstance(cells[0], str) and cells[0].strip().startswith(COMMENT))


def _table(rows: Sequence[Sequence[Any]], columns: Sequence[str], where: Where, optional: Sequence[str] = ()) -> list[_Row]:
    """The data rows under the header row: the first row naming any of `columns`. Notes and blank rows are skipped."""
    wanted = {norm_header(c) for c in columns}
    start = next((i for i, row in enumerate(rows) if wanted & {norm_header(v) for v in row}), None)
    if start is None:
        raise where.error(f"{NOT_AIG}: 見出し行がありません", list(columns))
    check_preamble(rows, start, where)
    cols = find_columns(rows[start], columns, where.at(row=start + 1), optional)
    return [_Row(where.at(row=n), cols, row) for n, row in enumerate(rows[start + 1 :], start=start + 2) if not _is_note(row)]


# ------------------------------------------------------------ schedule ---


@dataclass
class _Draft:
    """One plan as the workbook gives it: its Plans row, its aggregates and its coverage rows."""

    row: _Row
    pools: list[tuple[LimitPool, Where]] = field(default_factory=list)
    terms: list[tuple[CoverageTerm | None, Where]] = field(default_factory=list)


def _read_schedule(path: Path, resolver: WordingResolver) -> tuple[dict[str, _Draft], bool]:
    sheets = read_xlsx(path)
    where = Where(path.name)
    if not set(SHEETS) & set(sheets):
        raise where.error(NOT_AIG, list(sheets))
    tables: dict[str, list[_Row]] = {}
    for name, columns in SHEETS.items():
        if name not in sheets:
            raise where.at(sheet=name).error(f"シート「{name}」がありません", list(sheets))
        tables[name] = _table(sheets[name], columns, where.at(sheet=name), OPTIONAL_COLUMNS.get(name, ()))
    drafts: dict[str, _Draft] = {}
    for row in tables[PLANS_SHEET]:
        code = row.text("Plan Code")
        if code in drafts:
            raise row.at("Plan Code").error("プランコードが重複しています", code)
        drafts[code] = _Draft(row)
    for row in tables[AGGREGATES_SHEET]:
        _draft_of(row, drafts).pools.append((_pool(row), row.where))
    for row in tables[SCHEDULE_SHEET]:
        _draft_of(row, drafts).terms.append((_term(row, resolver), row.where))
    for draft in drafts.values():
        if not draft.terms:
            raise draft.row.at("Plan Code").error(f"「{SCHEDULE_SHEET}」にこのプランの補償がありません", draft.row.text("Plan Code"))
    return drafts, has_sample_marker(flatten(r for rows in sheets.values() for r in rows))


def _draft_of(row: _Row, drafts: Mapping[str, _Draft]) -> _Draft:
    code = row.text("Plan Code")
    if code not in drafts:
        raise row.at("Plan Code").error(f"「{PLANS_SHEET}」シートにないプランコードです", code)
    return drafts[code]


def _pool(row: _Row) -> LimitPool:
    pool_id = row.pick("Aggregate", AGGREGATES)
    if pool_id == POLICY_POOL:
        raise row.at("Aggregate").error("Policy Limit は集計限度額として定義できません", row.text("Aggregate"))
    return _build(
        row,
        LimitPool,
        pool_id=pool_id,
        label_ja=row.text("Description (JA)"),
        label_en=row.text("Description (EN)"),
        limit_jpy=row.yen("Limit"),
        basis=row.pick("Basis", BASES),
    )


def _term(row: _Row, resolver: WordingResolver) -> CoverageTerm | None:
    wording = row.text("Coverage")
    key = resolver.resolve(wording, row.at("Coverage"), section=None if row.blank("Sublimit Of") else row.text("Sublimit Of"))
    status = row.pick("Status", STATUSES)
    offered = status not in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN)
    written = "" if row.blank("Limit") else _key(row.text("Limit"))
    limit = None if not written or written in UP_TO_PARENT | NIL else cell_limit(row.raw("Limit"), row.at("Limit"))
    per_person = None if row.blank("Per Person") else row.yen("Per Person")
    per_company = None if row.blank("Per Company") else row.yen("Per Company")
    terms = {
        "status": status,
        "wording": wording,
        "limit_jpy": 0 if written in NIL else None if limit is None else limit.amount_jpy,
        "basis": row.pick("Basis", BASES) if offered or not row.blank("Basis") else LimitBasis.BOTH,
        "parent": POLICY_POOL if row.blank("Sublimit Of") else row.pick("Sublimit Of", AGGREGATES),
        "payout_ratio_pct": _payout(row),
        "deductible_jpy": deductible_beside(limit, None if row.blank("Retention") else row.yen("Retention"), row.at("Limit")),
        "per_victim": None
        if per_person is None and per_company is None
        else _build(row, PerVictimCap, per_person_jpy=per_person, per_company_jpy=per_company),
        "waiting_hours": _waiting(row),
        "trigger": None if row.blank("Trigger") else row.pick("Trigger", TRIGGERS),
        "conditions": conditions_with(row.optional("Conditions (JA)") or row.text("Conditions", required=False), limit),
        "conditions_en": conditions_with(row.text("Conditions", required=False), limit),
    }
    return None if key is None else _build(row, CoverageTerm, key=key, **terms)


def _payout(row: _Row) -> int:
    """Co-insurance is the insured's share: 10% leaves a 90% payout ratio."""
    value = row.raw("Co-insurance")
    if is_blank(value) or (isinstance(value, str) and _key(value) in NO_COINSURANCE) or value == 0:
        return 100
    return 100 - cell_percent(value, row.at("Co-insurance"))


def _waiting(row: _Row) -> int | None:
    if row.blank("Waiting Period"):
        return None
    text = row.text("Waiting Period")
    match = WAITING.fullmatch(text)
    if match is None:
        raise row.at("Waiting Period").error("待機期間として読めません(例: 12 hours, 1 day)", text)
    return int(match.group(1)) * (24 if match.group(2).lower().startswith("d") else 1)


def _options(row: _Row, column: str) -> tuple[int, ...]:
    return tuple(sorted(_yen(part.strip(), row.at(column)) for part in row.text(column).split(OPTION_SEPARATOR)))


def _plan(draft: _Draft, sample: bool) -> Plan:
    row = draft.row
    version = row.text("Rate Version")
    if not RATE_VERSION.fullmatch(version):
        raise row.at("Rate Version").error("料率版は 2026.04 の形で書いてください", version)
    effective_from = row.date("Effective From")
    if effective_from is None:
        raise row.at("Effective From").error("適用開始日が空です")
    fields: dict[str, Any] = {
        "carrier": Carrier.AIG,
        "line": row.pick("Line of Business", LINES),
        "code": row.text("Plan Code"),
        "name": row.optional("Plan Name (JA)") or row.text("Plan Name"),
        "name_en": row.text("Plan Name"),
        "product": row.text("Product"),
        "rate_version": version,
        "effective_from": effective_from,
        "effective_to": row.date("Effective To"),
        "limit_options_jpy": _options(row, "Limit Options"),
        "deductible_options_jpy": _options(row, "Retention Options"),
        "terms": tuple(t for t, _ in draft.terms if t is not None),
        "pools": tuple(p for p, _ in draft.pools),
        "trigger": row.pick("Trigger", TRIGGERS),
        "sample": sample,
        "source": f"{SCHEDULE_FILE} ({PLANS_SHEET}, {SCHEDULE_SHEET})",
        "exclusions": _list(row.optional("Key Exclusions (JA)")) or _list(row.text("Key Exclusions", required=False)),
        "exclusions_en": _list(row.text("Key Exclusions", required=False)),
    }
    try:
        return Plan(**fields)
    except SchemaError as exc:
        raise _plan_where(exc.field, draft).error(f"{exc.field}: {exc.reason}", exc.value) from exc


def _list(text: str) -> tuple[str, ...]:
    """A cell listing several things, split on ";" (the full-width "；" too)."""
    return tuple(part.strip() for part in re.split(r"[;；]", text) if part.strip())


def _plan_where(name: str, draft: _Draft) -> Where:
    """The row a plan-level schema error comes from: the coverage row, the aggregate row, or the Plans row."""
    for term, where in draft.terms:
        if term is not None and f"terms[{term.key}]" in name:
            return where.at(column="Limit" if name.endswith("limit_jpy") else "Sublimit Of")
    for pool, where in draft.pools:
        if f"pools[{pool.pool_id}]" in name:
            return where.at(column="Limit")
    return draft.row.where


# --------------------------------------------------------------- rates ---


@dataclass
class _Rates:
    """One line's rating figures as the CSV files give them, before they become a RateTable."""

    line: Line
    where: Where
    version: str
    effective_from: date | None
    effective_to: date | None
    base: dict[str, dict[int, int]] = field(default_factory=dict)
    classes: dict[Industry, str] = field(default_factory=dict)
    factors: dict[str, dict[Any, int]] = field(default_factory=lambda: {kind: {} for kind in FACTORS.values()})
    rules: list[EligibilityRule] = field(default_factory=list)
    steps: tuple[RatingStep, ...] = DEFAULT_STEPS
    rounding_mode: RoundingMode = DEFAULT_ROUNDING


def _read_csv(path: Path) -> tuple[list[_Row], bool]:
    rows = read_csv(path, ENCODING)
    return _table(rows, CSV_FILES[path.name], Where(path.name)), has_sample_marker(flatten(rows))


def _read_rates(paths: Mapping[str, Path], resolver: WordingResolver) -> tuple[dict[Line, _Rates], bool]:
    tables = {name: _read_csv(paths[name]) for name in CSV_FILES}
    rates: dict[Line, _Rates] = {}
    for row in tables[RATES_FILE][0]:
        _base_row(row, rates)
    for row in tables[CLASSES_FILE][0]:
        _class_row(row, _rates_of(row, rates))
    for row in tables[FACTORS_FILE][0]:
        _factor_row(row, _rates_of(row, rates), resolver)
    for row in tables[RULES_FILE][0]:
        rule = _rule(row, resolver)
        if rule is not None:
            _rates_of(row, rates).rules.append(rule)
    return rates, any(sample for _, sample in tables.values())


def _rates_of(row: _Row, rates: Mapping[Line, _Rates]) -> _Rates:
    line = row.pick("Line of Business", LINES)
    if line not in rates:
        raise row.at("Line of Business").error(f"{RATES_FILE} に基本保険料のない種目です", row.text("Line of Business"))
    return rates[line]


def _base_row(row: _Row, rates: dict[Line, _Rates]) -> None:
    line = row.pick("Line of Business", LINES)
    head = (row.text("Rate Version"), row.date("Effective From"), row.date("Effective To"))
    table = rates.setdefault(line, _Rates(line, row.where, *head))
    if head != (table.version, table.effective_from, table.effective_to):
        raise row.at("Rate Version").error(f"同じ種目で料率版・適用日が行によって違います({table.where})", head[0])
    band, premium = row.yen("Revenue To (excl.)"), row.yen("Annual Base Premium")
    premiums = table.base.setdefault(row.text("Rate Class"), {})
    if band in premiums:
        raise row.at("Revenue To (excl.)").error("同じ区分・売上高帯の基本保険料が重複しています", row.text("Revenue To (excl.)"))
    premiums[band] = premium


def _class_row(row: _Row, table: _Rates) -> None:
    industry, klass = row.pick("Industry", INDUSTRIES), row.text("Rate Class")
    if industry in table.classes:
        raise row.at("Industry").error("業種が重複しています", row.text("Industry"))
    if klass not in table.base:
        raise row.at("Rate Class").error(f"{RATES_FILE} に基本保険料のない料率区分です", klass)
    table.classes[industry] = klass


def _factor_row(row: _Row, table: _Rates, resolver: WordingResolver) -> None:
    kind = row.pick("Factor", FACTORS)
    option_parsers: dict[str, Callable[[], Any]] = {
        "plan": lambda: row.text("Option"),
        "limit": lambda: row.yen("Option"),
        "deductible": lambda: row.yen("Option"),
        "credit": lambda: row.pick("Option", CONTROLS),
        "debit": lambda: row.pick("Option", CONTROLS),
        "rider": lambda: resolver.resolve(row.text("Option"), row.at("Option")),
    }
    if kind == "max_credit" and not row.blank("Option"):
        table.steps = row.pick("Option", CAP_BASIS)
    elif kind == "rounding" and not row.blank("Option"):
        table.rounding_mode = row.pick("Option", ROUNDING_OPTIONS)
    elif kind in SCALARS and not row.blank("Option"):
        raise row.at("Option").error("この係数に選択肢は付けられません", row.raw("Option"))
    option = option_parsers.get(kind, lambda: None)()
    value = row.yen("Value") if kind in YEN_FACTORS else parse_factor_bp(row.raw("Value"), row.at("Value"))
    if option in table.factors[kind]:
        raise row.at("Option").error("同じ係数が重複しています", row.raw("Option"))
    if kind in ("credit", "debit") and not -10_000 < value < 10_000:  # RateTable merges credits and debits before its check
        raise row.at("Value").error("割増引は±100%未満です", row.raw("Value"))
    if option is not None or kind in SCALARS:
        table.factors[kind][option] = value


def _rule(row: _Row, resolver: WordingResolver) -> EligibilityRule | None:
    criterion = row.pick("Criterion", CRITERIA)
    rider = None if row.blank("Rider") else resolver.resolve(row.text("Rider"), row.at("Rider"))
    fields = {
        "code": row.text("Rule ID"),
        "action": row.pick("Action", ACTIONS),
        "field": criterion,
        "op": row.pick("Operator", OPERATORS),
        "value": _threshold(row, criterion),
        "rider": rider,
        "unless": None if row.blank("Unless Control") else row.pick("Unless Control", CONTROLS),
        "days": None if row.blank("Days") else cell_int(row.raw("Days"), row.at("Days")),
    }
    if rider is None and not row.blank("Rider"):
        return None  # unclassified wording: the resolver reports it
    return _build(row, EligibilityRule, **fields)


def _threshold(row: _Row, criterion: RuleField) -> int | tuple[str, ...]:
    lists: dict[RuleField, Mapping[str, str]] = {RuleField.INDUSTRY: INDUSTRIES, RuleField.CONTRACT_TYPE: CONTRACT_TYPES}
    names = lists.get(criterion)
    if criterion in MONEY_FIELDS:
        return row.yen("Threshold")
    if names is None:
        return cell_int(row.raw("Threshold"), row.at("Threshold"))
    values = []
    for part in row.text("Threshold").split(LIST_SEPARATOR):
        if _key(part) not in names:
            raise row.at("Threshold").error(f"見慣れない値です(使える値: {' | '.join(names)})", part.strip())
        values.append(str(names[_key(part)]))
    return tuple(values)


def _rate_table(table: _Rates, sample: bool) -> RateTable:
    bands = sorted({band for premiums in table.base.values() for band in premiums})
    for klass, premiums in table.base.items():
        missing = [band for band in bands if band not in premiums]
        if missing:
            raise Where(RATES_FILE, column="Revenue To (excl.)").error(
                f"{table.line}: 料率区分 {klass} に売上高帯の基本保険料がありません", missing
            )
    lacking = [name for name, kind in FACTORS.items() if kind in REQUIRED_FACTORS and not table.factors[kind]]
    if lacking:
        raise Where(FACTORS_FILE, column="Factor").error(f"{table.line}: 係数がありません", lacking)
    if table.effective_from is None:
        raise table.where.at(column="Effective From").error("適用開始日が空です")
    f = table.factors
    try:
        return RateTable(
            carrier=Carrier.AIG,
            line=table.line,
            version=table.version,
            effective_from=table.effective_from,
            effective_to=table.effective_to,
            revenue_band_upper_jpy=tuple(bands),
            industry_class=table.classes,
            base_premium_jpy={k: tuple(v[b] for b in bands) for k, v in table.base.items()},
            plan_factor_bp=f["plan"],
            limit_factor_bp=f["limit"],
            deductible_factor_bp=f["deductible"],
            control_credit_bp=f["credit"],
            missing_control_debit_bp=f["debit"],
            rider_factor_bp=f["rider"],
            max_credit_bp=f["max_credit"][None],
            incident_surcharge_bp=f["incident"][None],
            minimum_premium_jpy=f["minimum"][None],
            rounding_jpy=f["rounding"][None],
            rounding_mode=table.rounding_mode,
            steps=table.steps,
            rules=tuple(table.rules),
            sample=sample,
            source=", ".join(CSV_FILES),
        )
    except SchemaError as exc:  # the bands come from the rates file, every other figure from the factors file
        where = table.where.at(column="Revenue To (excl.)") if "revenue_band" in exc.field else Where(FACTORS_FILE, column="Value")
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc


# ------------------------------------------------------------- adapter ---


def _paths(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise CarrierDataError(f"{NOT_AIG}: フォルダがありません", file=folder.name)
    paths = {name: folder / name for name in (SCHEDULE_FILE, *CSV_FILES)}
    for name, path in paths.items():
        if not path.is_file():
            raise Where(name).error(f"AIG損保のファイルがありません (missing AIG file in {folder.name})", folder.name)
    return paths


def _carrier_data(plans: Sequence[tuple[Plan, _Draft]], tables: Mapping[Line, RateTable], sample: bool) -> CarrierData:
    for plan, draft in plans:
        table = tables.get(plan.line)
        if table is not None and table.version != plan.rate_version:
            raise draft.row.at("Rate Version").error(f"料率表({table.version})と料率版が違います", plan.rate_version)
    try:
        return CarrierData(
            carrier=Carrier.AIG,
            plans=tuple(p for p, _ in plans),
            rate_tables=tuple(tables.values()),
            sources=(SCHEDULE_FILE, *CSV_FILES),
            sample=sample,
        )
    except SchemaError as exc:
        where = next((d.row.where for p, d in plans if f"plans[{p.code}]" in exc.field), Where(FACTORS_FILE))
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc


class AigAdapter:
    """AIG損保's native files: one English xlsx schedule of coverages and four UTF-8 CSV rate tables."""

    carrier: ClassVar[Carrier] = Carrier.AIG

    def identify(self, path: Path) -> bool:
        try:
            if path.suffix.lower() == ".xlsx":
                sheets = read_xlsx(path)
                return all(name in sheets for name in SHEETS) and _matches(sheets[SCHEDULE_SHEET], SHEETS[SCHEDULE_SHEET])
            if path.suffix.lower() == ".csv":
                rows = read_csv(path, ENCODING)
                return any(_matches(rows, columns) for columns in CSV_FILES.values())
        except Exception:  # identify never raises: a file it cannot read is not ours
            return False
        return False

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        paths = _paths(folder)
        resolver = WordingResolver(self.carrier, dict(mappings or {}))
        drafts, schedule_sample = _read_schedule(paths[SCHEDULE_FILE], resolver)
        rates, rates_sample = _read_rates(paths, resolver)
        resolver.finish()
        plans = [(_plan(draft, schedule_sample), draft) for draft in drafts.values()]
        tables = {line: _rate_table(table, rates_sample) for line, table in rates.items()}
        return _carrier_data(plans, tables, schedule_sample or rates_sample)


def _matches(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> bool:
    try:
        _table(rows, columns, Where(""))
    except CarrierDataError:
        return False
    return True
