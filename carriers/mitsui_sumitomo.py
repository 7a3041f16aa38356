"""三井住友海上: サイバープロテクター and ITプロテクター plans and rates from the cp932 CSV files Excel saves."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from aggregator.errors import CarrierDataError, SchemaError
from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
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
    MAX_FILE_BYTES,
    Where,
    WordingResolver,
    cell_date,
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
    norm_header,
    parse_factor_bp,
    read_csv,
    rounding_in,
)

CARRIER = Carrier.MITSUI_SUMITOMO
CARRIER_NAME = "三井住友海上"  # every file's title row names the carrier
ENCODING = "cp932"  # Japanese Excel's 「CSV(コンマ区切り)」
HEADER_SEARCH_ROWS = 10  # title and notice rows sit above the header

PLAN_FILE, TERM_FILE, BASE_FILE = "プラン.csv", "補償内容.csv", "基本保険料.csv"
CLASS_FILE, RATE_FILE, RULE_FILE = "業種区分.csv", "料率.csv", "引受基準.csv"
RATE_FILES = (BASE_FILE, CLASS_FILE, RATE_FILE, RULE_FILE)
RATE_SOURCE = " / ".join(RATE_FILES)

P_PRODUCT, P_CODE, P_NAME, P_VERSION = "商品名", "プランコード", "プラン名", "料率改定版"
P_FROM, P_TO, P_LIMITS, P_DEDUCTIBLES = "適用開始日", "適用終了日", "支払限度額(選択可能額)", "免責金額(選択可能額)"
P_POOL, P_TRIGGER, P_EXCLUSIONS = "費用損害総支払限度額", "保険責任の基準", "主な免責事由"
T_PLAN, T_ITEM, T_STATUS, T_LIMIT, T_BASIS = "プランコード", "補償項目", "補償の有無", "支払限度額", "限度額の適用単位"
T_PARENT, T_RATIO, T_VICTIM, T_DEDUCTIBLE = "支払枠", "縮小支払割合", "見舞金等の上限", "免責金額"
T_WAITING, T_TRIGGER, T_CONDITIONS = "待機期間", "事故の基準", "支払条件・備考"
T_SECTION = "区分"  # 賠償損害 / 費用損害 / 利益損害 / その他: read when present, as the item's context
B_PRODUCT, B_CLASS = "商品名", "料率区分"
C_INDUSTRY = "業種"
R_PRODUCT, R_ITEM, R_KEY, R_VALUE = "商品名", "項目", "区分", "値"
U_PRODUCT, U_CODE, U_ACTION, U_FIELD, U_OP = "商品名", "基準番号", "判定", "項目", "条件"
U_VALUE, U_UNLESS, U_RIDER, U_DAYS = "基準値", "例外(対策済みの場合)", "対象特約", "猶予期間"

PRODUCTS = {"サイバープロテクター": Line.CYBER, "ITプロテクター": Line.IT_EO}
PRODUCT_NAMES = {line: name for name, line in PRODUCTS.items()}
COLUMNS: dict[str, tuple[str, ...]] = {
    PLAN_FILE: (P_PRODUCT, P_CODE, P_NAME, P_VERSION, P_FROM, P_TO, P_LIMITS, P_DEDUCTIBLES, P_POOL, P_TRIGGER, P_EXCLUSIONS),
    TERM_FILE: (T_PLAN, T_ITEM, T_STATUS, T_LIMIT, T_BASIS, T_PARENT, T_RATIO, T_VICTIM, T_DEDUCTIBLE, T_WAITING, T_TRIGGER, T_CONDITIONS),
    BASE_FILE: (B_PRODUCT, B_CLASS),  # then one column per revenue band: 売上高1億円以上5億円未満 …
    CLASS_FILE: (C_INDUSTRY, *PRODUCTS),
    RATE_FILE: (R_PRODUCT, R_ITEM, R_KEY, R_VALUE),
    RULE_FILE: (U_PRODUCT, U_CODE, U_ACTION, U_FIELD, U_OP, U_VALUE, U_UNLESS, U_RIDER, U_DAYS),
}

NONE_MARKS = frozenset({"", "-", "−", "―", "ー", "‐", "定めなし"})  # 「－」: nothing written here
NO_DEDUCTIBLE = "なし"
MINUS_MARKS = ("▲", "△")  # ▲5% is a 5% credit
LIST_SEPARATORS = r"[／/]"
EXPENSE_POOL = ("expenses", "費用損害", "Incident response costs")
STATUSES = {
    "セット": TermStatus.INCLUDED,
    "セット(内枠)": TermStatus.SUBLIMITED,
    "特約(任意付帯)": TermStatus.OPTIONAL_RIDER,
    "条件付": TermStatus.CONDITIONAL,
    "対象外": TermStatus.NOT_OFFERED,
    "要確認": TermStatus.UNKNOWN,
}
BASES = {
    "1請求・保険期間中": LimitBasis.CLAIM_AND_AGGREGATE,
    "1事故・保険期間中": LimitBasis.BOTH,
    "1請求につき": LimitBasis.PER_CLAIM,
    "1事故につき": LimitBasis.PER_INCIDENT,
    "保険期間中": LimitBasis.AGGREGATE,
}
PARENTS = {"賠償責任限度額の内枠": POLICY_POOL, "費用損害限度額の内枠": EXPENSE_POOL[0]}
TRIGGERS = {"損害賠償請求ベース": Trigger.CLAIMS_MADE, "事故発見ベース": Trigger.DISCOVERY, "事故発生ベース": Trigger.OCCURRENCE}
VICTIM_CAP = re.compile(r"1(名|法人)(?:につき|あたり)(.+)")  # 1名につき1,000円・1法人につき5万円
WAITING = re.compile(r"(\d+)(時間|日)")
CONTROLS = {
    "多要素認証(MFA)": SecurityControl.MFA,
    "EDR(エンドポイント監視)": SecurityControl.EDR,
    "オフラインバックアップ": SecurityControl.OFFLINE_BACKUP,
    "ISMS・プライバシーマーク": SecurityControl.ISMS_PMARK,
    "インシデント対応計画(CSIRT)": SecurityControl.INCIDENT_RESPONSE_PLAN,
    "脆弱性診断(年1回以上)": SecurityControl.VULNERABILITY_MANAGEMENT,
    "標的型メール訓練・従業員教育": SecurityControl.STAFF_TRAINING,
}
INDUSTRIES = {
    "受託システム開発・SI": Industry.SYSTEM_INTEGRATION,
    "SaaS・クラウドサービス提供": Industry.SAAS,
    "Web・アプリ制作": Industry.APP_DEVELOPMENT,
    "パッケージソフト開発・販売": Industry.PACKAGE_SOFTWARE,
    "データセンター・ホスティング": Industry.HOSTING_DATACENTER,
    "ITコンサルティング": Industry.IT_CONSULTING,
    "SES・技術者派遣": Industry.SES_STAFFING,
    "セキュリティ診断・監視": Industry.MANAGED_SECURITY,
    "ECサイト・プラットフォーム運営": Industry.EC_PLATFORM,
    "フィンテック・決済代行": Industry.FINTECH,
}
CONTRACT_TYPES = {"請負": ContractType.UKEOI, "準委任": ContractType.JUNININ}
RULE_ACTIONS = {
    "引受不可": RuleAction.DECLINE,
    "要審査": RuleAction.REFER,
    "条件付引受": RuleAction.CONDITION,
    "特約付帯不可": RuleAction.DROP_RIDER,
}
RULE_FIELDS = {
    "年間売上高": RuleField.ANNUAL_REVENUE,
    "従業員数": RuleField.EMPLOYEES,
    "個人情報保有件数": RuleField.RECORDS_HELD,
    "サーバー台数": RuleField.SERVERS,
    "最大受注金額": RuleField.LARGEST_CONTRACT,
    "過去3年間の事故件数": RuleField.INCIDENTS_3Y,
    "業種": RuleField.INDUSTRY,
    "契約形態": RuleField.CONTRACT_TYPE,
}
RULE_OPS = {"超": RuleOp.GT, "以上": RuleOp.GE, "未満": RuleOp.LT, "以下": RuleOp.LE, "に該当": RuleOp.IN, "に該当しない": RuleOp.NOT_IN}
COUNT_UNITS = re.compile(r"(件|名|人|台)$")  # counts are written like amounts: 10万件, 1,000名
BAND_HEADER = re.compile(r"(?:売上高)?(?:.+?以上)?(.+?)未満")
# 料率.csv 項目 -> RateTable field; keyed items fill a mapping, the others are one value per line.
RATE_ITEMS = {
    "料率改定版": "version",
    "適用開始日": "effective_from",
    "適用終了日": "effective_to",
    "プラン係数": "plan_factor_bp",
    "支払限度額係数": "limit_factor_bp",
    "免責金額係数": "deductible_factor_bp",
    "セキュリティ対策割引": "control_credit_bp",
    "対策未実施割増": "missing_control_debit_bp",
    "割引上限": "max_credit_bp",
    "事故割増(1件につき)": "incident_surcharge_bp",
    "特約保険料": "rider_factor_bp",
    "最低保険料": "minimum_premium_jpy",
    "端数処理": "rounding_jpy",
}
# 料率.csv: the 割引上限 row's 区分 says what the cap limits; the 端数処理 value its direction, 「100円単位（切上げ）」.
CAP_BASIS = {"割引のみ": CAP_ON_CREDITS, "割引・割増通算": CAP_ON_NET}
DEFAULT_STEPS = CAP_ON_NET  # a 割引上限 row with no 区分: the cap on credits net of debits
DEFAULT_ROUNDING = RoundingMode.UP  # 端数処理 without a direction: rounded up
REQUIRED_RATE_ITEMS = (
    "料率改定版",
    "適用開始日",
    "プラン係数",
    "支払限度額係数",
    "免責金額係数",
    "割引上限",
    "事故割増(1件につき)",
    "最低保険料",
    "端数処理",
)
# Schema fields -> the column they are read from, so a validation error names the column.
PLAN_FIELD_COLUMNS = {"limit_options_jpy": P_LIMITS, "deductible_options_jpy": P_DEDUCTIBLES, "pools": P_POOL, "effective_to": P_TO}
TERM_FIELD_COLUMNS = {
    "limit_jpy": T_LIMIT,
    "deductible_jpy": T_DEDUCTIBLE,
    "payout_ratio_pct": T_RATIO,
    "waiting_hours": T_WAITING,
    "conditions": T_CONDITIONS,
    "parent": T_PARENT,
}
RULE_FIELD_COLUMNS = {"value": U_VALUE, "unless": U_UNLESS, "days": U_DAYS, "rider": U_RIDER, "field": U_FIELD}

T = TypeVar("T")
_key = norm_header  # cell text as compared: NFKC, no spaces


def _lookup(text: str, table: Mapping[str, T], where: Where, what: str) -> T:
    found = {_key(k): v for k, v in table.items()}.get(_key(text))
    if found is None:
        raise where.error(f"{what}「{text}」が分かりません(使える値: {'、'.join(table)})", text)
    return found


def _schema_error(exc: SchemaError, where: Where, columns: Mapping[str, str]) -> CarrierDataError:
    """A schema error at its place in the file, with the column the failing field came from."""
    column = next((col for name, col in columns.items() if re.search(rf"\b{name}\b", exc.field)), None)
    return where.at(column=column).error(f"{exc.field}: {exc.reason}", exc.value)


def _construct(where: Where, factory: Callable[..., T], columns: Mapping[str, str], **kwargs: Any) -> T:
    try:
        return factory(**kwargs)
    except SchemaError as exc:
        raise _schema_error(exc, where, columns) from exc


# ---------------------------------------------------------------- files ---


@dataclass(frozen=True)
class _Record:
    where: Where
    cells: list[str]
    columns: Mapping[str, int]

    def at(self, name: str) -> Where:
        return self.where.at(column=name)

    def raw(self, name: str) -> str:
        index = self.columns[name]
        return self.cells[index].strip() if index < len(self.cells) else ""

    def text(self, name: str) -> str:
        return cell_text(self.raw(name), self.at(name))

    def blank(self, name: str) -> bool:
        return _key(self.raw(name)) in NONE_MARKS

    def pick(self, name: str, table: Mapping[str, T]) -> T:
        return _lookup(self.raw(name), table, self.at(name), f"「{name}」の値")

    def yen(self, name: str) -> int | None:
        return None if self.blank(name) else cell_yen(self.raw(name), self.at(name))


@dataclass(frozen=True)
class _Table:
    where: Where
    rows: list[list[str]]
    header: int  # index of the header row
    columns: dict[str, int]
    sample: bool

    def records(self) -> Iterator[_Record]:
        for index in range(self.header + 1, len(self.rows)):
            if any(cell.strip() for cell in self.rows[index]):
                yield _Record(self.where.at(row=index + 1), self.rows[index], self.columns)


def _check_bytes(path: Path, where: Where) -> None:
    """Refuse an xlsx, and a file (or a pasted row) saved as UTF-8: cp932 would read it as mojibake."""
    if path.stat().st_size > MAX_FILE_BYTES:
        return  # read_csv names the size
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise where.error(f"{CARRIER_NAME}のCSVファイルではありません(xlsxファイルです)")
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        message = f"文字コードがUTF-8です。{ENCODING}(Shift_JIS)で保存し直してください(Excelの「CSV(コンマ区切り)」)"
        raise where.at(row=number).error(message, text[:40].strip())


def _read_table(folder: Path, name: str) -> _Table:
    where, columns = Where(name), COLUMNS[name]
    path = folder / name
    if not path.is_file():
        raise where.error(f"{CARRIER_NAME}のファイル「{name}」がありません(別の保険会社のデータか、ファイルが欠けています)", folder.name)
    _check_bytes(path, where)
    rows = read_csv(path, ENCODING)
    wanted = {_key(c) for c in columns}
    scores = [len(wanted & {_key(c) for c in row}) for row in rows[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) < min(2, len(columns)):
        raise where.error(f"{CARRIER_NAME}の{name}ではありません(見出し行「{'、'.join(columns)}」が見つかりません)")
    header = scores.index(max(scores))
    if not any(CARRIER_NAME in cell for cell in flatten(rows[:header])):
        raise where.at(row=1).error(f"{CARRIER_NAME}のファイルではありません(表題行に「{CARRIER_NAME}」がありません)", rows[0][:1])
    check_preamble(rows, header, where)
    found = find_columns(rows[header], columns, where.at(row=header + 1), optional=(T_SECTION,) if name == TERM_FILE else ())
    return _Table(where, rows, header, found, has_sample_marker(flatten(rows)))


# ---------------------------------------------------------------- plans ---


@dataclass
class _PlanDraft:
    where: Where
    fields: dict[str, Any]
    terms: list[CoverageTerm] = field(default_factory=list)
    term_wheres: dict[str, Where] = field(default_factory=dict)


def _options(rec: _Record, name: str) -> tuple[int, ...]:
    return tuple(cell_yen(part.strip(), rec.at(name)) for part in re.split(LIST_SEPARATORS, rec.text(name)))


def _read_plans(table: _Table, sample: bool) -> dict[str, _PlanDraft]:
    drafts: dict[str, _PlanDraft] = {}
    for rec in table.records():
        code = rec.text(P_CODE)
        if code in drafts:
            raise rec.at(P_CODE).error(f"プランコードが重複しています(前の行: {drafts[code].where.row})", code)
        pool = rec.yen(P_POOL)
        pool_id, label_ja, label_en = EXPENSE_POOL
        pools = (
            ()
            if pool is None
            else (_construct(rec.at(P_POOL), LimitPool, {}, pool_id=pool_id, label_ja=label_ja, label_en=label_en, limit_jpy=pool),)
        )
        drafts[code] = _PlanDraft(
            rec.where,
            {
                "carrier": CARRIER,
                "line": rec.pick(P_PRODUCT, PRODUCTS),
                "code": code,
                "name": rec.text(P_NAME),
                "product": rec.text(P_PRODUCT),
                "rate_version": rec.text(P_VERSION),
                "effective_from": cell_date(rec.raw(P_FROM), rec.at(P_FROM)),
                "effective_to": None if rec.blank(P_TO) else cell_date(rec.raw(P_TO), rec.at(P_TO)),
                "limit_options_jpy": _options(rec, P_LIMITS),
                "deductible_options_jpy": _options(rec, P_DEDUCTIBLES),
                "pools": pools,
                "trigger": rec.pick(P_TRIGGER, TRIGGERS),
                "exclusions": tuple(p.strip() for p in re.split(LIST_SEPARATORS, rec.raw(P_EXCLUSIONS)) if p.strip()),
                "sample": sample,
                "source": str(rec.where),
            },
        )
    if not drafts:
        raise table.where.error("プランの行がありません")
    return drafts


def _per_victim(rec: _Record) -> PerVictimCap | None:
    if rec.blank(T_VICTIM):
        return None
    caps: dict[str, int] = {}
    for part in re.split(r"[・、/／]", unicodedata.normalize("NFKC", rec.raw(T_VICTIM))):
        match = VICTIM_CAP.fullmatch(part.strip())
        if match is None or match.group(1) in caps:
            raise rec.at(T_VICTIM).error("「1名につき○円」「1法人につき○円」の形で書いてください", rec.raw(T_VICTIM))
        caps[match.group(1)] = cell_yen(match.group(2), rec.at(T_VICTIM))
    return _construct(rec.at(T_VICTIM), PerVictimCap, {}, per_person_jpy=caps.get("名"), per_company_jpy=caps.get("法人"))


def _waiting_hours(rec: _Record) -> int | None:
    if rec.blank(T_WAITING):
        return None
    match = WAITING.fullmatch(_key(rec.raw(T_WAITING)))
    if match is None:
        raise rec.at(T_WAITING).error("待機期間は「12時間」「1日」の形で書いてください", rec.raw(T_WAITING))
    return int(match.group(1)) * (24 if match.group(2) == "日" else 1)


def _term(rec: _Record, key: CoverageKey, wording: str) -> CoverageTerm:
    status = rec.pick(T_STATUS, STATUSES)
    if rec.blank(T_BASIS) and status not in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN):
        raise rec.at(T_BASIS).error("限度額の適用単位(1事故・保険期間中 など)が空です", rec.raw(T_BASIS))
    limit = None if rec.blank(T_LIMIT) else cell_limit(rec.raw(T_LIMIT), rec.at(T_LIMIT))
    deductible = 0 if _key(rec.raw(T_DEDUCTIBLE)) == NO_DEDUCTIBLE else rec.yen(T_DEDUCTIBLE)
    return _construct(
        rec.where,
        CoverageTerm,
        TERM_FIELD_COLUMNS,
        key=key,
        status=status,
        wording=wording,
        limit_jpy=None if limit is None else limit.amount_jpy,
        basis=LimitBasis.BOTH if rec.blank(T_BASIS) else rec.pick(T_BASIS, BASES),
        parent=POLICY_POOL if rec.blank(T_PARENT) else rec.pick(T_PARENT, PARENTS),
        payout_ratio_pct=100 if rec.blank(T_RATIO) else cell_percent(rec.raw(T_RATIO), rec.at(T_RATIO)),
        per_victim=_per_victim(rec),
        deductible_jpy=deductible_beside(limit, deductible, rec.at(T_LIMIT)),
        waiting_hours=_waiting_hours(rec),
        trigger=None if rec.blank(T_TRIGGER) else rec.pick(T_TRIGGER, TRIGGERS),
        conditions=conditions_with(rec.raw(T_CONDITIONS), limit),
    )


def _read_terms(table: _Table, drafts: Mapping[str, _PlanDraft], resolver: WordingResolver) -> None:
    for rec in table.records():
        draft = drafts.get(rec.text(T_PLAN))
        if draft is None:
            raise rec.at(T_PLAN).error(f"{PLAN_FILE}にないプランコードです", rec.raw(T_PLAN))
        wording = rec.text(T_ITEM)
        section = rec.raw(T_SECTION) if T_SECTION in rec.columns else None
        key = resolver.resolve(wording, rec.at(T_ITEM), section=section, line=draft.fields.get("line"))
        if key is None:
            continue  # resolver.finish() lists every miss at once
        if key in draft.term_wheres:
            raise rec.at(T_ITEM).error(f"同じ補償項目({key})が2行あります(前の行: {draft.term_wheres[key].row})", wording)
        draft.term_wheres[key] = rec.where
        draft.terms.append(_term(rec, key, wording))


def _build_plan(draft: _PlanDraft) -> Plan:
    if not draft.terms:
        raise draft.where.at(column=P_CODE).error(f"{TERM_FILE}にこのプランの補償内容の行がありません", draft.fields["code"])
    try:
        return Plan(terms=tuple(draft.terms), **draft.fields)
    except SchemaError as exc:
        term = re.search(r"\.terms\[(\w+)\]", exc.field)
        if term and term.group(1) in draft.term_wheres:  # an item's limit above its pool: the item's row
            raise _schema_error(exc, draft.term_wheres[term.group(1)], TERM_FIELD_COLUMNS) from exc
        raise _schema_error(exc, draft.where, PLAN_FIELD_COLUMNS) from exc


# ---------------------------------------------------------------- rates ---


@dataclass
class _RateDraft:
    values: dict[str, Any] = field(default_factory=dict)
    wheres: dict[str, Where] = field(default_factory=dict)  # "limit_factor_bp[100000000]" -> its row

    def put(self, name: str, key: object, value: object, where: Where) -> None:
        slot = name if key is None else f"{name}[{key}]"
        if slot in self.wheres:
            raise where.error(f"同じ項目が2行あります(前の行: {self.wheres[slot].row})", slot)
        self.wheres[slot] = where
        if key is None:
            self.values[name] = value
        else:
            self.values.setdefault(name, {})[key] = value


def _factor(rec: _Record, name: str) -> int:
    text = _key(rec.raw(name))
    for mark in MINUS_MARKS:
        text = text.replace(mark, "-")
    return parse_factor_bp(text, rec.at(name))


def _rate_value(rec: _Record, name: str) -> object:
    value, where = rec.raw(R_VALUE), rec.at(R_VALUE)
    if name == "version":
        return rec.text(R_VALUE)
    if name in ("effective_from", "effective_to"):
        return None if name == "effective_to" and rec.blank(R_VALUE) else cell_date(value, where)
    if name == "minimum_premium_jpy":
        return cell_yen(value, where)
    if name == "rounding_jpy":
        return cell_yen(_key(value).split("単位")[0], where)  # 100円単位(切上げ)
    return _factor(rec, R_VALUE)


def _rate_key(rec: _Record, name: str, resolver: WordingResolver) -> object:
    if name in ("limit_factor_bp", "deductible_factor_bp"):
        return cell_yen(rec.raw(R_KEY), rec.at(R_KEY))
    if name in ("control_credit_bp", "missing_control_debit_bp"):
        return rec.pick(R_KEY, CONTROLS)
    if name == "rider_factor_bp":
        return resolver.resolve(rec.text(R_KEY), rec.at(R_KEY))
    return rec.text(R_KEY) if name == "plan_factor_bp" else None


def _read_factors(table: _Table, drafts: dict[Line, _RateDraft], resolver: WordingResolver) -> None:
    for rec in table.records():
        draft = drafts.setdefault(rec.pick(R_PRODUCT, PRODUCTS), _RateDraft())
        name = rec.pick(R_ITEM, RATE_ITEMS)
        key = _rate_key(rec, name, resolver)
        if key is None and name == "rider_factor_bp":
            continue  # unclassified rider wording: listed by resolver.finish()
        draft.put(name, key, _rate_value(rec, name), rec.at(R_VALUE))
        if name == "max_credit_bp" and not rec.blank(R_KEY):
            draft.put("steps", None, rec.pick(R_KEY, CAP_BASIS), rec.at(R_KEY))
        if name == "rounding_jpy" and _key(rec.raw(R_VALUE)).partition("単位")[2]:  # 「100円単位（切上げ）」
            draft.put("rounding_mode", None, rounding_in(rec.raw(R_VALUE), rec.at(R_VALUE)), rec.at(R_VALUE))


def _read_base(table: _Table, drafts: dict[Line, _RateDraft]) -> None:
    header = table.rows[table.header]
    band_columns = [i for i, cell in enumerate(header) if i not in table.columns.values() and cell.strip()]
    uppers = []
    for i in band_columns:
        match = BAND_HEADER.fullmatch(_key(header[i]))
        where = table.where.at(row=table.header + 1, column=header[i])
        if match is None:
            raise where.error("売上高区分の見出しは「売上高1億円以上5億円未満」の形で書いてください", header[i])
        uppers.append(cell_yen(match.group(1), where))
    for rec in table.records():
        draft = drafts.setdefault(rec.pick(B_PRODUCT, PRODUCTS), _RateDraft())
        cells = [rec.cells[i].strip() if i < len(rec.cells) else "" for i in band_columns]
        blank = [_key(c) in NONE_MARKS for c in cells] + [True]
        written = blank.index(True)  # bands above the last written one: this line is not written there
        if not all(blank[written:]):
            raise rec.at(header[band_columns[written]]).error("売上高区分の途中に空欄があります", cells[written])
        premiums = tuple(cell_yen(cells[n], rec.at(header[band_columns[n]])) for n in range(written))
        draft.put("base_premium_jpy", rec.text(B_CLASS), premiums, rec.where)
        bands = tuple(uppers[: max(len(premiums), len(draft.values.get("revenue_band_upper_jpy", ())))])
        draft.values["revenue_band_upper_jpy"] = bands
        draft.wheres.setdefault("revenue_band_upper_jpy", table.where.at(row=table.header + 1))


def _read_classes(table: _Table, drafts: dict[Line, _RateDraft]) -> None:
    for rec in table.records():
        industry = rec.pick(C_INDUSTRY, INDUSTRIES)
        for product, line in PRODUCTS.items():
            if not rec.blank(product):  # 「－」: this line is not written for the industry
                drafts.setdefault(line, _RateDraft()).put("industry_class", industry, rec.text(product), rec.at(product))


def _rule(rec: _Record, resolver: WordingResolver) -> EligibilityRule | None:
    rule_field = rec.pick(U_FIELD, RULE_FIELDS)
    value: int | tuple[str, ...]
    if rule_field in (RuleField.INDUSTRY, RuleField.CONTRACT_TYPE):
        names = INDUSTRIES if rule_field is RuleField.INDUSTRY else CONTRACT_TYPES
        value = tuple(str(_lookup(p.strip(), names, rec.at(U_VALUE), "基準値")) for p in re.split(r"[、,]", rec.text(U_VALUE)))
    else:
        value = cell_yen(COUNT_UNITS.sub("", _key(rec.text(U_VALUE))), rec.at(U_VALUE))
    rider = None if rec.blank(U_RIDER) else resolver.resolve(rec.text(U_RIDER), rec.at(U_RIDER))
    if rider is None and not rec.blank(U_RIDER):
        return None  # unclassified rider wording: listed by resolver.finish()
    days = None if rec.blank(U_DAYS) else cell_yen(_key(rec.raw(U_DAYS)).removesuffix("日"), rec.at(U_DAYS))
    return _construct(
        rec.where,
        EligibilityRule,
        RULE_FIELD_COLUMNS,
        code=rec.text(U_CODE),
        action=rec.pick(U_ACTION, RULE_ACTIONS),
        field=rule_field,
        op=rec.pick(U_OP, RULE_OPS),
        value=value,
        unless=None if rec.blank(U_UNLESS) else rec.pick(U_UNLESS, CONTROLS),
        rider=rider,
        days=days,
    )


def _read_rules(table: _Table, drafts: dict[Line, _RateDraft], resolver: WordingResolver) -> None:
    for rec in table.records():
        draft = drafts.setdefault(rec.pick(U_PRODUCT, PRODUCTS), _RateDraft())
        rule = _rule(rec, resolver)
        if rule is not None:
            draft.put("rules", rule.code, rule, rec.where)


def _build_rates(line: Line, draft: _RateDraft, sample: bool) -> RateTable:
    values = {"effective_to": None, "control_credit_bp": {}, "steps": DEFAULT_STEPS, "rounding_mode": DEFAULT_ROUNDING, **draft.values}
    values["rules"] = tuple(values.get("rules", {}).values())
    for name, file, item in (("base_premium_jpy", BASE_FILE, B_CLASS), ("industry_class", CLASS_FILE, PRODUCT_NAMES[line])):
        if name not in values:
            raise Where(file).at(column=item).error(f"{PRODUCT_NAMES[line]}の行がありません", line.value)
    for item in REQUIRED_RATE_ITEMS:
        if RATE_ITEMS[item] not in values:
            raise Where(RATE_FILE).at(column=R_ITEM).error(f"{PRODUCT_NAMES[line]}の「{item}」の行がありません", item)
    try:
        return RateTable(carrier=CARRIER, line=line, sample=sample, source=RATE_SOURCE, **values)
    except SchemaError as exc:  # the row the failing entry came from, e.g. base_premium_jpy[B]
        slots = [slot for slot in draft.wheres if slot in exc.field]
        where = draft.wheres[max(slots, key=len)] if slots else Where(RATE_FILE)
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc


# ---------------------------------------------------------------- adapter ---


class MitsuiSumitomoAdapter:
    """Reads 三井住友海上's six CSV files (cp932, CRLF, title rows, 和暦 dates) into plans and rate tables."""

    carrier: ClassVar[Carrier] = CARRIER

    def identify(self, path: Path) -> bool:
        try:
            path = path / PLAN_FILE if path.is_dir() else path
            if path.name not in COLUMNS or not path.is_file():
                return False
            _read_table(path.parent, path.name)
        except Exception:  # identify never raises: any unreadable file is simply not ours
            return False
        return True

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        folder = Path(folder)
        if not folder.is_dir() or not any((folder / name).is_file() for name in COLUMNS):
            raise Where(folder.name).error(f"{CARRIER_NAME}のデータのフォルダではありません(必要なファイル: {'、'.join(COLUMNS)})")
        tables = {name: _read_table(folder, name) for name in COLUMNS}
        resolver = WordingResolver(CARRIER, dict(mappings or {}))
        drafts = _read_plans(tables[PLAN_FILE], tables[PLAN_FILE].sample or tables[TERM_FILE].sample)
        _read_terms(tables[TERM_FILE], drafts, resolver)
        rate_drafts: dict[Line, _RateDraft] = {}
        _read_base(tables[BASE_FILE], rate_drafts)
        _read_classes(tables[CLASS_FILE], rate_drafts)
        _read_factors(tables[RATE_FILE], rate_drafts, resolver)
        _read_rules(tables[RULE_FILE], rate_drafts, resolver)
        resolver.finish()
        rates_sample = any(tables[name].sample for name in RATE_FILES)
        rate_tables = tuple(_build_rates(line, rate_drafts[line], rates_sample) for line in Line if line in rate_drafts)
        plans = tuple(_build_plan(draft) for draft in drafts.values())
        versions = {t.line: t.version for t in rate_tables}
        for plan, draft in zip(plans, drafts.values(), strict=True):
            if versions.get(plan.line, plan.rate_version) != plan.rate_version:
                raise draft.where.at(column=P_VERSION).error(f"料率表の改定版({versions[plan.line]})と一致しません", plan.rate_version)
        return _construct(
            Where(RATE_FILE),
            CarrierData,
            {},
            carrier=CARRIER,
            plans=plans,
            rate_tables=rate_tables,
            sources=tuple(COLUMNS),
            sample=any(t.sample for t in tables.values()),
        )
