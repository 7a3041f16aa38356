"""東京海上日動 (Tokio Marine & Nichido): its plan and rate workbooks (Japanese, amounts in 万円) into the common schema."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from aggregator.errors import SchemaError
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
    flatten,
    has_sample_marker,
    is_blank,
    norm_header,
    parse_factor_bp,
    read_xlsx,
    rounding_in,
)

T = TypeVar("T")

# ------------------------------------------------- files, sheets, units ---
CARRIER_MARK = "東京海上日動"  # every sheet's title row names the company
PLANS_FILE = "tmn_cyber_plans.xlsx"
RATES_FILE = "tmn_cyber_rates.xlsx"
COVER, PLAN_SHEET, TERM_SHEET = "表紙", "プラン一覧", "補償内容"
BASE_SHEET, CLASS_SHEET, FACTOR_SHEET, ADJUST_SHEET, RULE_SHEET = "料率表", "業種区分", "係数", "割増引", "引受基準"
FILE_SHEETS = {
    PLANS_FILE: (COVER, PLAN_SHEET, TERM_SHEET),
    RATES_FILE: (COVER, BASE_SHEET, CLASS_SHEET, FACTOR_SHEET, ADJUST_SHEET, RULE_SHEET),
}
AMOUNT_UNIT = "万円"  # plan amounts and factor targets; premiums are in 円
PREMIUM_UNIT = "円"
HEADER_SEARCH_ROWS = 10  # titles and notes sit above the header row
OPTION_SEPARATOR = re.compile(r"[／/]")  # 「1,000／3,000／1億」
VALUE_SEPARATOR = re.compile(r"[、,，]")  # 「決済代行・フィンテック、ECサイト・プラットフォーム運営」
NOT_WRITTEN = frozenset({"―", "-", "ー", "対象外"})  # a band or industry the carrier does not write
NO_DEDUCTIBLE = "なし"
BAND_HEADER = re.compile(r"(.+)未満")  # revenue band columns: 「5億円未満」
WAITING = re.compile(r"(\d+)\s*(時間|日)")
PER_PERSON = re.compile(r"1名(?:につき|あたり)\s*([^、・/／]+)")
PER_COMPANY = re.compile(r"1法人(?:につき|あたり)\s*([^、・/／]+)")
VERSION_FORMAT = re.compile(r"\d{4}\.\d{2}")
EXPENSE_POOL = ("expenses", "費用損害の総支払限度額", "Overall incident-cost limit")  # id and labels; the limit is per plan

# -------------------------------------------------------- plan columns ---
P_CODE, P_PRODUCT, P_NAME, P_LIMITS, P_DEDUCTIBLES = "プランコード", "商品名", "プラン名", "支払限度額(万円)", "免責金額(万円)"
P_POOL, P_TRIGGER, P_VERSION, P_FROM, P_TO, P_EXCLUSIONS = (
    "費用損害の総支払限度額(万円)",
    "保険責任の基準",
    "料率改定版",
    "適用開始日",
    "適用終了日",
    "主な免責事項",
)
T_ITEM, T_STATUS, T_LIMIT, T_BASIS, T_RATIO, T_PARENT = "補償項目", "補償の扱い", "支払限度額(万円)", "限度額の基準", "支払割合", "内枠"
T_VICTIM, T_DEDUCTIBLE, T_WAITING, T_TRIGGER, T_NOTE = "見舞金の限度", "免責金額(万円)", "待機期間", "保険責任の基準", "支払条件・備考"
P_NAME_EN, P_EXCLUSIONS_EN, T_NOTE_EN = (
    "プラン名(英語)",
    "主な免責事項(英語)",
    "支払条件・備考(英語)",
)  # optional: English beside the Japanese
T_SECTION = "区分"  # 賠償損害 / 費用損害 / 利益損害 / その他: the heading the item sits under, read when present
PLAN_COLUMNS = (P_CODE, P_PRODUCT, P_NAME, P_LIMITS, P_DEDUCTIBLES, P_POOL, P_TRIGGER, P_VERSION, P_FROM, P_TO, P_EXCLUSIONS)
PLAN_FIELD_COLUMNS = {"limit_options_jpy": P_LIMITS, "deductible_options_jpy": P_DEDUCTIBLES, "pools": P_POOL, "effective_to": P_TO}
TERM_COLUMNS = (P_CODE, T_ITEM, T_STATUS, T_LIMIT, T_BASIS, T_RATIO, T_PARENT, T_VICTIM, T_DEDUCTIBLE, T_WAITING, T_TRIGGER, T_NOTE)

# -------------------------------------------------------- rate columns ---
R_LINE, R_CLASS, R_INDUSTRY = "種目", "料率区分", "業種"
F_KIND, F_PLAN, F_AMOUNT, F_FACTOR = "係数の種類", "プランコード", "金額(万円)", "係数"
A_KIND, A_ITEM, A_RATE, A_YEN = "区分", "項目", "率", "金額(円)"
U_CODE, U_ACTION, U_FIELD, U_OP, U_VALUE, U_UNLESS, U_RIDER, U_DAYS = (
    "基準番号",
    "判定",
    "項目",
    "条件",
    "値",
    "例外",
    "対象特約",
    "期限(日)",
)
COVER_VERSION, COVER_FROM, COVER_TO = "料率改定版", "適用開始日", "適用終了日"

# ------------------------------------------------------ carrier wording ---
PRODUCT_LINES = {
    "サイバーリスク保険": Line.CYBER,
    "サイバーリスク保険＋IT業務特約": Line.IT_EO,
    "専門職業賠償責任保険": Line.PROFESSIONAL_LIABILITY,
}
STATUS_MARKS = {
    "○": TermStatus.INCLUDED,
    "内枠": TermStatus.SUBLIMITED,
    "特約": TermStatus.OPTIONAL_RIDER,
    "条件付": TermStatus.CONDITIONAL,
    "×": TermStatus.NOT_OFFERED,
    "要照会": TermStatus.UNKNOWN,
}
BASIS_WORDING = {
    "1事故・保険期間中": LimitBasis.BOTH,
    "1請求・保険期間中": LimitBasis.CLAIM_AND_AGGREGATE,
    "1事故": LimitBasis.PER_INCIDENT,
    "1請求": LimitBasis.PER_CLAIM,
    "保険期間中": LimitBasis.AGGREGATE,
}
PARENT_WORDING = {"支払限度額": POLICY_POOL, "費用損害の総支払限度額": EXPENSE_POOL[0]}
TRIGGER_WORDING = {"損害賠償請求ベース": Trigger.CLAIMS_MADE, "事故発見ベース": Trigger.DISCOVERY, "事故発生ベース": Trigger.OCCURRENCE}
INDUSTRY_WORDING = {
    "ソフトウェア受託開発・システムインテグレーション": Industry.SYSTEM_INTEGRATION,
    "SaaS・クラウドサービス提供": Industry.SAAS,
    "アプリケーション・Webサイト制作": Industry.APP_DEVELOPMENT,
    "パッケージソフトウェア開発・販売": Industry.PACKAGE_SOFTWARE,
    "ホスティング・データセンター運営": Industry.HOSTING_DATACENTER,
    "ITコンサルティング": Industry.IT_CONSULTING,
    "システムエンジニアリングサービス(SES)": Industry.SES_STAFFING,
    "情報セキュリティサービス": Industry.MANAGED_SECURITY,
    "ECサイト・プラットフォーム運営": Industry.EC_PLATFORM,
    "決済代行・フィンテック": Industry.FINTECH,
}
CONTROL_WORDING = {
    "多要素認証(MFA)の導入": SecurityControl.MFA,
    "EDRの導入": SecurityControl.EDR,
    "オフラインバックアップの取得": SecurityControl.OFFLINE_BACKUP,
    "ISMS・プライバシーマークの取得": SecurityControl.ISMS_PMARK,
    "インシデント対応計画の策定": SecurityControl.INCIDENT_RESPONSE_PLAN,
    "脆弱性診断の定期実施": SecurityControl.VULNERABILITY_MANAGEMENT,
    "従業員へのセキュリティ教育": SecurityControl.STAFF_TRAINING,
}
CONTRACT_WORDING = {"請負": ContractType.UKEOI, "準委任": ContractType.JUNININ}
FACTOR_KINDS = {"プラン": "plan", "支払限度額": "limit", "免責金額": "deductible"}
ADJUST_KINDS = {
    "割引": "credit",
    "不備割増": "debit",
    "割引上限": "max_credit",
    "事故割増": "incident",
    "特約割増": "rider",
    "最低保険料": "minimum",
    "端数処理": "rounding",
}
# 割増引: the 割引上限 row's 項目 says what the cap limits, the 端数処理 row's 項目 the direction (「10円未満切上げ」).
CAP_BASIS = {"割引のみ": CAP_ON_CREDITS, "割増引の合計": CAP_ON_NET}
DEFAULT_STEPS = CAP_ON_NET  # a 割引上限 row that does not say: the cap on credits net of debits
DEFAULT_ROUNDING = RoundingMode.UP  # a 端数処理 row that does not say: rounded up (円未満切上げ)
RULE_ACTIONS = {
    "引受不可": RuleAction.DECLINE,
    "要審査": RuleAction.REFER,
    "条件付引受": RuleAction.CONDITION,
    "特約除外": RuleAction.DROP_RIDER,
}
RULE_FIELDS = {
    "年間売上高": RuleField.ANNUAL_REVENUE,
    "従業員数": RuleField.EMPLOYEES,
    "保有個人情報件数": RuleField.RECORDS_HELD,
    "サーバ台数": RuleField.SERVERS,
    "最大受注金額": RuleField.LARGEST_CONTRACT,
    "過去3年間の事故件数": RuleField.INCIDENTS_3Y,
    "業種": RuleField.INDUSTRY,
    "契約形態": RuleField.CONTRACT_TYPE,
}
RULE_OPS = {"超": RuleOp.GT, "以上": RuleOp.GE, "未満": RuleOp.LT, "以下": RuleOp.LE, "該当": RuleOp.IN, "非該当": RuleOp.NOT_IN}
LIST_VALUES: dict[RuleField, Mapping[str, Any]] = {RuleField.INDUSTRY: INDUSTRY_WORDING, RuleField.CONTRACT_TYPE: CONTRACT_WORDING}


def _lookup(table: Mapping[str, T], text: str, where: Where, name: str) -> T:
    for key, value in table.items():
        if norm_header(key) == norm_header(text):
            return value
    raise where.error(f"「{name}」の値が東京海上日動の表記にありません(想定: {'、'.join(table)})", text)


def _make(where: Where, factory: Callable[..., T], **kwargs: Any) -> T:
    """carriers.base.build, typed: schema errors become CarrierDataError at `where`."""
    return build(where, factory, **kwargs)


# ------------------------------------------------------------- reading ---


@dataclass(frozen=True)
class _Row:
    """One data row of a sheet, with the header's columns, for reading cells by header name."""

    values: tuple[Any, ...]
    columns: Mapping[str, int]
    where: Where

    def at(self, name: str) -> Where:
        index = self.columns.get(norm_header(name))
        return self.where.at(column=name if index is None else f"{column_letter(index)}({name})")

    def get(self, name: str) -> Any:
        index = self.columns.get(norm_header(name))
        return self.values[index] if index is not None and index < len(self.values) else None

    def text(self, name: str, *, required: bool = True) -> str:
        return cell_text(self.get(name), self.at(name), required=required)

    def pick(self, table: Mapping[str, T], name: str) -> T:
        return _lookup(table, self.text(name), self.at(name), name)

    def pick_optional(self, table: Mapping[str, T], name: str) -> T | None:
        return None if is_blank(self.get(name)) else self.pick(table, name)

    def yen_optional(self, name: str, unit: str = AMOUNT_UNIT) -> int | None:
        value = self.get(name)
        return None if is_blank(value) else cell_yen(value, self.at(name), unit=unit)


@dataclass(frozen=True)
class _Table:
    columns: Mapping[str, int]
    header: Where
    rows: list[_Row]


@dataclass(frozen=True)
class _Book:
    where: Where
    sheets: Mapping[str, list[tuple[Any, ...]]]
    sample: bool

    def table(self, sheet: str, required: Sequence[str]) -> _Table:
        rows = self.sheets[sheet]
        where = self.where.at(sheet=sheet)
        for number, header in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
            if any(norm_header(v) == norm_header(required[0]) for v in header if isinstance(v, str)):
                find_columns(header, required, where.at(row=number))
                check_preamble(rows, number - 1, where)
                columns = {norm_header(v): i for i, v in enumerate(header) if not is_blank(v)}
                data = [
                    _Row(tuple(values), columns, where.at(row=n))
                    for n, values in enumerate(rows[number:], start=number + 1)
                    if not all(is_blank(v) for v in values)
                ]
                return _Table(columns, where.at(row=number), data)
        raise where.at(column=required[0]).error(f"見出し行(「{required[0]}」の列)が見つかりません")


def _is_ours(sheets: Mapping[str, list[tuple[Any, ...]]]) -> bool:
    return any(CARRIER_MARK in str(v) for rows in sheets.values() for v in (rows[0] if rows else ()))


def _open(folder: Path, name: str) -> _Book:
    where = Where(name)
    if not (folder / name).is_file():
        raise where.error(f"東京海上日動のファイルがありません(このフォルダは東京海上日動のデータではありません): {name}", folder.name)
    sheets = read_xlsx(folder / name)
    if not _is_ours(sheets):
        raise where.error("東京海上日動のファイルではありません(表題に「東京海上日動」の記載がありません)", list(sheets))
    for sheet in FILE_SHEETS[name]:
        if sheet not in sheets:
            raise where.at(sheet=sheet).error(f"必要なシート「{sheet}」がありません", list(sheets))
    return _Book(where, sheets, has_sample_marker(flatten(row for rows in sheets.values() for row in rows)))


@dataclass(frozen=True)
class _Version:
    version: str
    effective_from: date
    effective_to: date | None


def _cover_version(book: _Book) -> _Version:
    facts: dict[str, tuple[Any, Where]] = {}
    for number, row in enumerate(book.sheets[COVER], start=1):
        if row and isinstance(row[0], str):
            facts[norm_header(row[0])] = (row[1] if len(row) > 1 else None, book.where.at(sheet=COVER, row=number, column="B"))
    for name in (COVER_VERSION, COVER_FROM):
        if norm_header(name) not in facts:
            raise book.where.at(sheet=COVER).error(f"表紙に「{name}」の行がありません")
    value, where = facts[norm_header(COVER_VERSION)]
    version = cell_text(value, where)
    if not VERSION_FORMAT.fullmatch(version):
        raise where.error("料率改定版は「2026.04」の形で書いてください", version)
    until, until_where = facts.get(norm_header(COVER_TO), (None, book.where))
    return _Version(version, cell_date(*facts[norm_header(COVER_FROM)]), None if is_blank(until) else cell_date(until, until_where))


# --------------------------------------------------------------- plans ---


def _options(row: _Row, name: str) -> tuple[int, ...]:
    parts = [p for p in OPTION_SEPARATOR.split(row.text(name)) if p.strip()]
    return tuple(cell_yen(p.strip(), row.at(name), unit=AMOUNT_UNIT) for p in parts)


def _per_victim(row: _Row) -> PerVictimCap | None:
    text = unicodedata.normalize("NFKC", row.text(T_VICTIM, required=False))
    if not text:
        return None
    person, company = PER_PERSON.search(text), PER_COMPANY.search(text)
    if person is None and company is None:
        raise row.at(T_VICTIM).error("見舞金の限度は「1名につき500円」の形で書いてください", text)
    return _make(
        row.at(T_VICTIM),
        PerVictimCap,
        per_person_jpy=cell_yen(person.group(1), row.at(T_VICTIM)) if person else None,
        per_company_jpy=cell_yen(company.group(1), row.at(T_VICTIM)) if company else None,
    )


def _waiting_hours(row: _Row) -> int | None:
    text = unicodedata.normalize("NFKC", row.text(T_WAITING, required=False))
    if not text:
        return None
    match = WAITING.fullmatch(text)
    if match is None:
        raise row.at(T_WAITING).error("待機期間は「12時間」「3日」の形で書いてください", text)
    return int(match.group(1)) * (24 if match.group(2) == "日" else 1)


def _deductible(row: _Row) -> int | None:
    if norm_header(row.text(T_DEDUCTIBLE, required=False)) == NO_DEDUCTIBLE:
        return 0
    return row.yen_optional(T_DEDUCTIBLE)


def _term(row: _Row, resolver: WordingResolver) -> CoverageTerm | None:
    """One 補償内容 row; None when its wording is unclassified (the resolver reports it)."""
    wording = row.text(T_ITEM)
    key = resolver.resolve(wording, row.at(T_ITEM), section=row.get(T_SECTION))
    status = row.pick(STATUS_MARKS, T_STATUS)
    offered = status not in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN)
    basis = row.pick(BASIS_WORDING, T_BASIS) if offered else row.pick_optional(BASIS_WORDING, T_BASIS)
    parent = row.pick(PARENT_WORDING, T_PARENT) if offered else row.pick_optional(PARENT_WORDING, T_PARENT)
    ratio = 100 if not offered and is_blank(row.get(T_RATIO)) else cell_percent(row.get(T_RATIO), row.at(T_RATIO))
    limit = None if is_blank(row.get(T_LIMIT)) else cell_limit(row.get(T_LIMIT), row.at(T_LIMIT), unit=AMOUNT_UNIT)
    fields = {
        "status": status,
        "wording": wording,
        "limit_jpy": None if limit is None else limit.amount_jpy,
        "basis": basis or LimitBasis.BOTH,
        "parent": parent or POLICY_POOL,
        "payout_ratio_pct": ratio,
        "per_victim": _per_victim(row),
        "deductible_jpy": deductible_beside(limit, _deductible(row), row.at(T_LIMIT)),
        "waiting_hours": _waiting_hours(row),
        "trigger": row.pick_optional(TRIGGER_WORDING, T_TRIGGER),
        "conditions": conditions_with(row.text(T_NOTE, required=False), limit),
        "conditions_en": conditions_with_en(row.text(T_NOTE_EN, required=False), limit),
    }
    return None if key is None else _make(row.where, CoverageTerm, key=key, **fields)


def _terms_by_plan(book: _Book, resolver: WordingResolver) -> dict[str, list[tuple[CoverageTerm, _Row]]]:
    terms: dict[str, list[tuple[CoverageTerm, _Row]]] = {}
    for row in book.table(TERM_SHEET, TERM_COLUMNS).rows:
        term = _term(row, resolver)
        plan = terms.setdefault(row.text(P_CODE), [])
        if term is not None:
            plan.append((term, row))
    return terms


def _plan(row: _Row, terms: list[tuple[CoverageTerm, _Row]], version: _Version, sample: bool) -> Plan:
    if row.text(P_VERSION) != version.version:
        raise row.at(P_VERSION).error(f"料率表({RATES_FILE})の料率改定版「{version.version}」と一致しません", row.text(P_VERSION))
    pool_limit = row.yen_optional(P_POOL)
    pool_id, label_ja, label_en = EXPENSE_POOL
    pools = (
        ()
        if pool_limit is None
        else (
            _make(
                row.at(P_POOL),
                LimitPool,
                pool_id=pool_id,
                label_ja=label_ja,
                label_en=label_en,
                limit_jpy=pool_limit,
                basis=LimitBasis.BOTH,
            ),
        )
    )
    until = row.get(P_TO)
    try:
        return Plan(
            carrier=Carrier.TOKIO_MARINE,
            line=row.pick(PRODUCT_LINES, P_PRODUCT),
            code=row.text(P_CODE),
            name=row.text(P_NAME),
            product=row.text(P_PRODUCT),
            rate_version=version.version,
            effective_from=cell_date(row.get(P_FROM), row.at(P_FROM)),
            effective_to=None if is_blank(until) else cell_date(until, row.at(P_TO)),
            limit_options_jpy=_options(row, P_LIMITS),
            deductible_options_jpy=_options(row, P_DEDUCTIBLES),
            terms=tuple(t for t, _ in terms),
            pools=pools,
            trigger=row.pick(TRIGGER_WORDING, P_TRIGGER),
            exclusions=tuple(p.strip() for p in OPTION_SEPARATOR.split(row.text(P_EXCLUSIONS, required=False)) if p.strip()),
            name_en=row.text(P_NAME_EN, required=False),
            exclusions_en=tuple(p.strip() for p in OPTION_SEPARATOR.split(row.text(P_EXCLUSIONS_EN, required=False)) if p.strip()),
            sample=sample,
            source=str(row.where),
        )
    except SchemaError as exc:
        raise _schema_where(exc, row, terms).error(f"{exc.field}: {exc.reason}", exc.value) from exc


def _schema_where(exc: SchemaError, row: _Row, terms: list[tuple[CoverageTerm, _Row]]) -> Where:
    """Where a plan's schema fault is: a term's at its own 補償内容 row, the rest at the plan's cell."""
    culprit = next((r for t, r in terms if f"terms[{t.key}]" in exc.field), None)
    if culprit is not None:
        return culprit.at(T_LIMIT) if exc.field.endswith("limit_jpy") else culprit.where
    column = next((c for f, c in PLAN_FIELD_COLUMNS.items() if f in exc.field), None)
    return row.where if column is None else row.at(column)


def _plans(book: _Book, resolver: WordingResolver, version: _Version) -> list[Plan]:
    terms = _terms_by_plan(book, resolver)
    plans: list[Plan] = []
    for row in book.table(PLAN_SHEET, PLAN_COLUMNS).rows:
        code = row.text(P_CODE)
        if code not in terms:
            raise row.at(P_CODE).error(f"「{TERM_SHEET}」シートにこのプランの補償項目がありません", code)
        plans.append(_plan(row, terms.pop(code), version, book.sample))
    if terms:
        stray = next(iter(terms))
        raise book.where.at(sheet=TERM_SHEET, column=P_CODE).error(f"「{PLAN_SHEET}」にないプランコードです", stray)
    return plans


# --------------------------------------------------------------- rates ---


@dataclass
class _LineRates:
    """One line's rates as the sheets are read; every entry may be written once only."""

    bands: tuple[int, ...] | None = None
    base: dict[str, tuple[int, ...]] = field(default_factory=dict)
    classes: dict[Industry, str] = field(default_factory=dict)
    factors: dict[str, dict[Any, int]] = field(default_factory=lambda: {"plan": {}, "limit": {}, "deductible": {}})
    credit: dict[SecurityControl, int] = field(default_factory=dict)
    debit: dict[SecurityControl, int] = field(default_factory=dict)
    riders: dict[CoverageKey, int] = field(default_factory=dict)
    scalars: dict[str, int] = field(default_factory=dict)
    rules: list[EligibilityRule] = field(default_factory=list)
    steps: tuple[RatingStep, ...] = DEFAULT_STEPS
    rounding_mode: RoundingMode = DEFAULT_ROUNDING


def _put(table: dict[Any, T], key: Any, value: T, where: Where) -> None:
    if key in table:
        raise where.error("同じ種目で同じ項目が2回書かれています", key)
    table[key] = value


def _read_base(book: _Book, rates: dict[Line, _LineRates]) -> None:
    table = book.table(BASE_SHEET, (R_LINE, R_CLASS))
    bands = [(name, cell_yen(m.group(1), table.header.at(column=name))) for name in table.columns if (m := BAND_HEADER.fullmatch(name))]
    if not bands:
        raise table.header.error("売上高区分(「◯億円未満」)の列がありません")
    for row in table.rows:
        line = rates.setdefault(row.pick(PRODUCT_LINES, R_LINE), _LineRates())
        cells = [(name, row.get(name)) for name, _ in bands]
        premiums = [None if norm_header(str(v)) in NOT_WRITTEN else cell_yen(v, row.at(name), unit=PREMIUM_UNIT) for name, v in cells]
        count = next((i for i, p in enumerate(premiums) if p is None), len(premiums))
        after = next((i for i in range(count, len(premiums)) if premiums[i] is not None), None)
        if after is not None:
            raise row.at(cells[after][0]).error("引受なし(―)の区分より上の売上高区分に保険料があります", cells[after][1])
        uppers = tuple(upper for _, upper in bands[:count])
        if line.bands is not None and line.bands != uppers:
            raise row.at(R_CLASS).error("同じ種目の中で売上高区分の範囲が揃っていません", [cells[i][1] for i in range(len(cells))])
        line.bands = uppers
        _put(line.base, row.text(R_CLASS), tuple(p for p in premiums[:count] if p is not None), row.at(R_CLASS))


def _read_classes(book: _Book, rates: dict[Line, _LineRates]) -> None:
    table = book.table(CLASS_SHEET, (R_INDUSTRY,))
    lines = [(name, line) for name, line in PRODUCT_LINES.items() if norm_header(name) in table.columns]
    if not lines:
        raise table.header.error(f"種目({'、'.join(PRODUCT_LINES)})の列がありません")
    for row in table.rows:
        industry = row.pick(INDUSTRY_WORDING, R_INDUSTRY)
        for name, line in lines:
            klass = row.text(name)
            if norm_header(klass) not in NOT_WRITTEN:
                _put(rates.setdefault(line, _LineRates()).classes, industry, klass, row.at(name))


def _read_factors(book: _Book, rates: dict[Line, _LineRates]) -> None:
    for row in book.table(FACTOR_SHEET, (R_LINE, F_KIND, F_PLAN, F_AMOUNT, F_FACTOR)).rows:
        line = rates.setdefault(row.pick(PRODUCT_LINES, R_LINE), _LineRates())
        kind = row.pick(FACTOR_KINDS, F_KIND)
        factor = parse_factor_bp(row.get(F_FACTOR), row.at(F_FACTOR))
        if kind == "plan":
            _put(line.factors[kind], row.text(F_PLAN), factor, row.at(F_PLAN))
        else:
            _put(line.factors[kind], cell_yen(row.get(F_AMOUNT), row.at(F_AMOUNT), unit=AMOUNT_UNIT), factor, row.at(F_AMOUNT))


def _read_adjustments(book: _Book, rates: dict[Line, _LineRates], resolver: WordingResolver) -> None:
    for row in book.table(ADJUST_SHEET, (R_LINE, A_KIND, A_ITEM, A_RATE, A_YEN)).rows:
        line = rates.setdefault(row.pick(PRODUCT_LINES, R_LINE), _LineRates())
        kind = row.pick(ADJUST_KINDS, A_KIND)
        if kind in ("minimum", "rounding"):
            _put(line.scalars, kind, cell_yen(row.get(A_YEN), row.at(A_YEN), unit=PREMIUM_UNIT), row.at(A_KIND))
            if kind == "rounding" and not is_blank(row.get(A_ITEM)):
                line.rounding_mode = rounding_in(row.text(A_ITEM), row.at(A_ITEM))
            continue
        rate = parse_factor_bp(row.get(A_RATE), row.at(A_RATE))  # a 5% cell holds 0.05: 500 bp
        if kind == "credit":
            _put(line.credit, row.pick(CONTROL_WORDING, A_ITEM), -rate, row.at(A_ITEM))
        elif kind == "debit":
            _put(line.debit, row.pick(CONTROL_WORDING, A_ITEM), rate, row.at(A_ITEM))
        elif kind == "rider":
            key = resolver.resolve(row.text(A_ITEM), row.at(A_ITEM))
            if key is not None:
                _put(line.riders, key, rate, row.at(A_ITEM))
        else:
            _put(line.scalars, kind, rate, row.at(A_KIND))
            if kind == "max_credit" and not is_blank(row.get(A_ITEM)):
                line.steps = row.pick(CAP_BASIS, A_ITEM)


def _rule_value(row: _Row, rule_field: RuleField, op: RuleOp) -> int | tuple[str, ...]:
    if op in (RuleOp.IN, RuleOp.NOT_IN):
        names = LIST_VALUES.get(rule_field)
        if names is None:
            raise row.at(U_OP).error(f"「{row.text(U_FIELD)}」に該当・非該当は使えません", row.text(U_OP))
        parts = [p.strip() for p in VALUE_SEPARATOR.split(row.text(U_VALUE)) if p.strip()]
        return tuple(str(_lookup(names, p, row.at(U_VALUE), U_VALUE).value) for p in parts)
    if rule_field in MONEY_FIELDS:
        text = row.text(U_VALUE)
        if not re.search(r"[円万億]", text):
            raise row.at(U_VALUE).error("金額の基準には単位(円・万円・億円)を付けてください", row.get(U_VALUE))
        return cell_yen(text, row.at(U_VALUE))
    return cell_int(row.get(U_VALUE), row.at(U_VALUE))


def _rule(row: _Row, resolver: WordingResolver) -> EligibilityRule | None:
    """One 引受基準 row; None when its rider wording is unclassified (the resolver reports it)."""
    rule_field, op = row.pick(RULE_FIELDS, U_FIELD), row.pick(RULE_OPS, U_OP)
    rider_text = row.text(U_RIDER, required=False)
    rider = resolver.resolve(rider_text, row.at(U_RIDER)) if rider_text else None
    if rider_text and rider is None:
        return None
    days = row.get(U_DAYS)
    return _make(
        row.where,
        EligibilityRule,
        code=row.text(U_CODE),
        action=row.pick(RULE_ACTIONS, U_ACTION),
        field=rule_field,
        op=op,
        value=_rule_value(row, rule_field, op),
        unless=row.pick_optional(CONTROL_WORDING, U_UNLESS),
        rider=rider,
        days=None if is_blank(days) else cell_int(days, row.at(U_DAYS)),
    )


def _read_rules(book: _Book, rates: dict[Line, _LineRates], resolver: WordingResolver) -> None:
    for row in book.table(RULE_SHEET, (R_LINE, U_CODE, U_ACTION, U_FIELD, U_OP, U_VALUE, U_UNLESS, U_RIDER, U_DAYS)).rows:
        line = rates.setdefault(row.pick(PRODUCT_LINES, R_LINE), _LineRates())
        rule = _rule(row, resolver)
        if rule is not None:
            line.rules.append(rule)


def _rate_table(book: _Book, line: Line, rates: _LineRates, version: _Version) -> RateTable:
    where = book.where.at(sheet=ADJUST_SHEET)
    for kind in ("max_credit", "minimum", "rounding"):
        if kind not in rates.scalars:
            label = next(k for k, v in ADJUST_KINDS.items() if v == kind)
            product = next(k for k, v in PRODUCT_LINES.items() if v == line)
            raise where.at(column=A_KIND).error(f"「{product}」の「{label}」の行がありません", product)
    return _make(
        book.where,
        RateTable,
        carrier=Carrier.TOKIO_MARINE,
        line=line,
        version=version.version,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        revenue_band_upper_jpy=rates.bands or (),
        industry_class=rates.classes,
        base_premium_jpy=rates.base,
        plan_factor_bp=rates.factors["plan"],
        limit_factor_bp=rates.factors["limit"],
        deductible_factor_bp=rates.factors["deductible"],
        control_credit_bp=rates.credit,
        missing_control_debit_bp=rates.debit,
        max_credit_bp=rates.scalars["max_credit"],
        incident_surcharge_bp=rates.scalars.get("incident", 0),
        rider_factor_bp=rates.riders,
        minimum_premium_jpy=rates.scalars["minimum"],
        rounding_jpy=rates.scalars["rounding"],
        rounding_mode=rates.rounding_mode,
        steps=rates.steps,
        rules=tuple(rates.rules),
        sample=book.sample,
        source=RATES_FILE,
    )


def _rate_tables(book: _Book, resolver: WordingResolver, version: _Version) -> list[RateTable]:
    rates: dict[Line, _LineRates] = {}
    _read_base(book, rates)
    _read_classes(book, rates)
    _read_factors(book, rates)
    _read_adjustments(book, rates, resolver)
    _read_rules(book, rates, resolver)
    return [_rate_table(book, line, rates[line], version) for line in Line if line in rates]


# ------------------------------------------------------------- adapter ---


class TokioMarineAdapter:
    """東京海上日動: a plan workbook (プラン一覧・補償内容) and a rate workbook (料率表・業種区分・係数・割増引・引受基準)."""

    carrier: ClassVar[Carrier] = Carrier.TOKIO_MARINE

    def identify(self, path: Path) -> bool:
        try:
            if path.suffix.lower() != ".xlsx" or not path.is_file():
                return False
            sheets = read_xlsx(path)
        except Exception:  # identify never raises: an unreadable file is simply not ours
            return False
        return _is_ours(sheets) and any(all(s in sheets for s in names) for names in FILE_SHEETS.values())

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        plans_book, rates_book = _open(folder, PLANS_FILE), _open(folder, RATES_FILE)
        resolver = WordingResolver(self.carrier, dict(mappings or {}))
        version = _cover_version(rates_book)
        plans = _plans(plans_book, resolver, version)
        tables = _rate_tables(rates_book, resolver, version)
        resolver.finish()
        return _make(
            Where(RATES_FILE),
            CarrierData,
            carrier=self.carrier,
            plans=tuple(plans),
            rate_tables=tuple(tables),
            sources=(PLANS_FILE, RATES_FILE),
            sample=plans_book.sample or rates_book.sample,
        )
