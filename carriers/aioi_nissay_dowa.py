"""あいおいニッセイ同和損保: a coverage matrix workbook (plans as merged column groups) and a rate workbook, amounts in 千円."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from aggregator.errors import AmountError, SchemaError
from aggregator.money import parse_yen
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
    cell_text,
    cell_yen,
    column_letter,
    conditions_with,
    deductible_beside,
    flatten,
    has_sample_marker,
    is_blank,
    norm_header,
    parse_factor_bp,
    read_xlsx,
    rounding_in,
)

# ------------------------------------------------------- the carrier's quirks ---
CARRIER_NAME = "あいおいニッセイ同和損保"
CARRIER_MARK = "あいおいニッセイ同和"  # in row 1 of every sheet the carrier sends
PLAN_FILE = "aioi_hosho_naiyo.xlsx"  # 補償内容一覧: one sheet per product
RATE_FILE = "aioi_ryoritsu.xlsx"  # 料率表: one sheet per product
PLAN_SHEETS = {Line.CYBER: "サイバーセキュリティ保険", Line.PROFESSIONAL_LIABILITY: "専門職業賠償責任保険"}
RATE_SHEETS = {Line.CYBER: "サイバー料率", Line.PROFESSIONAL_LIABILITY: "専門職賠料率"}
META_PRODUCT, META_VERSION, META_FROM, META_TO = "商品名", "料率版", "適用開始日", "適用終了日"

# The matrix: 区分 | 補償項目 | per plan, its name merged over 補償 | 支払限度額(千円) | 備考.
HEAD_SECTION, HEAD_ITEM = "区分", "補償項目"
SUB_HEADERS = ("補償", "支払限度額", "備考")  # the amount header carries the unit: 支払限度額(千円)
MARKS = {"○": TermStatus.INCLUDED, "〇": TermStatus.INCLUDED, "×": TermStatus.NOT_OFFERED, "△": TermStatus.CONDITIONAL,
         "オプション": TermStatus.OPTIONAL_RIDER, "要照会": TermStatus.UNKNOWN}  # fmt: skip
SAME_AS_LIMIT = "保険金額に同じ"  # the amount of an item paid up to the policy limit
SECTIONS = ("賠償損害", "費用損害", "利益損害", "その他")  # column A, merged down over its rows
POOL_SECTION, POOL_LABEL = "費用損害", "費用損害保険金(総支払限度額)"  # 費用損害 items sit inside this row's amount
POOL_ID, POOL_EN = "expenses", "Incident response costs (overall cap)"
FOOTER_START = "■契約条件"  # below the items: one row per plan term, the value merged over the plan's columns
F_CODE, F_LIMITS, F_DEDUCTIBLES, F_TRIGGER, F_EXCLUSIONS = (
    "プランコード",
    "支払限度額の選択肢",
    "免責金額の選択肢",
    "支払基準",
    "主な補償対象外",
)
FOOTER = (F_CODE, F_LIMITS, F_DEDUCTIBLES, F_TRIGGER, F_EXCLUSIONS)
TRIGGERS = {"損害賠償請求ベース": Trigger.CLAIMS_MADE, "事故発見ベース": Trigger.DISCOVERY, "事故発生ベース": Trigger.OCCURRENCE}
OPTION_SPLIT, LIST_SPLIT = re.compile(r"[/／]"), re.compile(r"[、,]")
# 備考: clauses split by 。; these clauses are terms, any other clause is condition text.
NOTE_SPLIT = re.compile(r"[。\n]")
_YEN = r"([\d,]+[億万千]?円)"
NOTE_TOKENS = {
    "payout_ratio_pct": re.compile(r"縮小支払割合(\d+)%"),
    "per_person_jpy": re.compile(rf"1名(?:あたり|につき){_YEN}限度"),
    "per_company_jpy": re.compile(rf"1法人(?:あたり|につき){_YEN}限度"),
    "deductible_jpy": re.compile(rf"免責金額{_YEN}"),
    "waiting_hours": re.compile(r"待機期間(\d+)時間"),
}
BASIS_NOTES = {
    "1事故限度": LimitBasis.PER_INCIDENT,
    "1請求限度": LimitBasis.PER_CLAIM,
    "保険期間中限度": LimitBasis.AGGREGATE,
    "1請求・保険期間中限度": LimitBasis.CLAIM_AND_AGGREGATE,
}

# The rate sheets: ■ blocks, each a title row (with its unit), a header row, then data rows.
B_BASE, B_INDUSTRY, B_PLAN, B_LIMIT, B_DEDUCTIBLE = "■基本保険料", "■業種区分", "■プラン係数", "■支払限度額係数", "■免責金額係数"
B_CONTROL, B_RIDER, B_OTHER, B_RULES = "■セキュリティ対策による割増引", "■特約保険料", "■その他", "■引受基準"
BLOCKS = (B_BASE, B_INDUSTRY, B_PLAN, B_LIMIT, B_DEDUCTIBLE, B_CONTROL, B_RIDER, B_OTHER, B_RULES)
REVENUE_HEAD = "売上高未満"  # 売上高(千円)未満: band upper bounds, exclusive
O_MAX_CREDIT, O_INCIDENT, O_MINIMUM, O_ROUNDING = "割引合計の上限", "事故1件あたりの割増", "最低保険料", "端数処理単位"
OTHERS = (O_MAX_CREDIT, O_INCIDENT, O_MINIMUM, O_ROUNDING)
# ■その他 may also say what the cap limits and how premiums are rounded; where it does not, these defaults hold.
O_CAP_BASIS, O_ROUNDING_MODE = "割引上限の対象", "端数処理の方法"
CAP_BASIS = {"割引のみ": CAP_ON_CREDITS, "割引と割増の合計": CAP_ON_NET}
DEFAULT_STEPS = CAP_ON_NET  # no 割引上限の対象 row: the cap on credits net of debits
DEFAULT_ROUNDING = RoundingMode.UP  # no 端数処理の方法 row: rounded up to the 端数処理単位
RULE_COLUMNS = ("基準番号", "項目", "条件", "値", "取扱い", "例外となる対策", "対象特約", "猶予日数")
NEGATIVE_MARKS = ("▲", "△")  # ▲5% is a 5% credit
INDUSTRIES = {
    "ソフトウェア受託開発業": Industry.SYSTEM_INTEGRATION, "クラウドサービス提供業(SaaS)": Industry.SAAS,
    "Webサイト・アプリ制作業": Industry.APP_DEVELOPMENT, "パッケージソフトウェア業": Industry.PACKAGE_SOFTWARE,
    "データセンター・ホスティング業": Industry.HOSTING_DATACENTER, "ITコンサルティング業": Industry.IT_CONSULTING,
    "技術者派遣業(SES)": Industry.SES_STAFFING, "情報セキュリティサービス業": Industry.MANAGED_SECURITY,
    "EC・プラットフォーム運営業": Industry.EC_PLATFORM, "フィンテック・決済代行業": Industry.FINTECH,
}  # fmt: skip
CONTROLS = {
    "多要素認証(MFA)の導入": SecurityControl.MFA, "EDR(エンドポイント検知・対応)の導入": SecurityControl.EDR,
    "オフラインバックアップの取得": SecurityControl.OFFLINE_BACKUP, "ISMS認証またはプライバシーマークの取得": SecurityControl.ISMS_PMARK,
    "インシデント対応計画の策定": SecurityControl.INCIDENT_RESPONSE_PLAN, "脆弱性診断の定期実施": SecurityControl.VULNERABILITY_MANAGEMENT,
    "従業員向けセキュリティ教育の実施": SecurityControl.STAFF_TRAINING,
}  # fmt: skip
RULE_FIELDS = {
    "売上高": RuleField.ANNUAL_REVENUE, "従業員数": RuleField.EMPLOYEES, "保有個人情報件数": RuleField.RECORDS_HELD,
    "サーバー台数": RuleField.SERVERS, "最大受注金額": RuleField.LARGEST_CONTRACT, "過去3年の事故件数": RuleField.INCIDENTS_3Y,
    "業種": RuleField.INDUSTRY, "契約形態": RuleField.CONTRACT_TYPE,
}  # fmt: skip
RULE_OPS = {"超": RuleOp.GT, "以上": RuleOp.GE, "未満": RuleOp.LT, "以下": RuleOp.LE, "該当": RuleOp.IN, "非該当": RuleOp.NOT_IN}
RULE_ACTIONS = {
    "引受不可": RuleAction.DECLINE,
    "要審査": RuleAction.REFER,
    "条件付引受": RuleAction.CONDITION,
    "特約除外": RuleAction.DROP_RIDER,
}
RULE_LISTS: dict[RuleField, Mapping[str, str]] = {
    RuleField.INDUSTRY: INDUSTRIES,
    RuleField.CONTRACT_TYPE: {"請負": ContractType.UKEOI, "準委任": ContractType.JUNININ},
}

Rows = list[tuple[Any, ...]]
T = TypeVar("T")
_UNIT = re.compile(r"\((百万円|千円|万円|億円|円)\)")


class AioiNissayDowaAdapter:
    carrier: ClassVar[Carrier] = Carrier.AIOI_NISSAY_DOWA

    def identify(self, path: Path) -> bool:
        try:
            if path.suffix.lower() != ".xlsx" or not path.is_file():
                return False
            book = read_xlsx(path)
            _check_book(book, PLAN_SHEETS.values() if set(PLAN_SHEETS.values()) <= set(book) else RATE_SHEETS.values(), Where(path.name))
            return True
        except Exception:  # identify never raises: a file it cannot read is not ours
            return False

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        resolver = WordingResolver(self.carrier, dict(mappings or {}))
        plan_book = _open(folder / PLAN_FILE, PLAN_SHEETS.values())
        rate_book = _open(folder / RATE_FILE, RATE_SHEETS.values())
        plans_sample = has_sample_marker(flatten(row for rows in plan_book.values() for row in rows))
        rates_sample = has_sample_marker(flatten(row for rows in rate_book.values() for row in rows))
        plans: list[Plan] = []
        tables: list[RateTable] = []
        for line, sheet in PLAN_SHEETS.items():
            named = _plan_sheet(line, plan_book[sheet], Where(PLAN_FILE, sheet), resolver, plans_sample)
            plans.extend(plan for _, plan in named)
            rate_where = Where(RATE_FILE, RATE_SHEETS[line])
            tables.append(_rate_table(line, rate_book[RATE_SHEETS[line]], rate_where, dict(named), resolver, rates_sample))
        resolver.finish()  # every unclassified wording at once, before anything is returned
        kwargs = {
            "plans": tuple(plans),
            "rate_tables": tuple(tables),
            "sources": (PLAN_FILE, RATE_FILE),
            "sample": plans_sample or rates_sample,
        }
        return build(Where(folder.name), CarrierData, carrier=self.carrier, **kwargs)


# ------------------------------------------------------------------ helpers ---


def _cell(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


def _at(where: Where, index: int, col: int | None = None) -> Where:
    """The place of rows[index] (0-based) and of a column index, as Excel shows them."""
    return where.at(row=index + 1, column=None if col is None else column_letter(col))


def _split_unit(value: Any) -> tuple[str, str | None]:
    """「支払限度額(千円)」 -> (支払限度額, 千円): headers are matched without their unit."""
    text = norm_header(value)
    m = _UNIT.search(text)
    return (text[: m.start()] + text[m.end() :], m.group(1)) if m else (text, None)


def _need_unit(unit: str | None, where: Where, value: Any) -> str:
    if unit is None:
        raise where.error("見出しに金額の単位(千円など)がありません", value)
    return unit


def _lookup(table: Mapping[str, T] | Sequence[T], value: Any, where: Where, what: str) -> T:
    """The table entry a cell names, compared without spaces and width differences."""
    items = table.items() if isinstance(table, Mapping) else [(str(v), v) for v in table]
    key = norm_header(value)
    for name, item in items:
        if norm_header(name) == key:
            return item
    raise where.error(f"{what}が読めません(使える値: {'、'.join(name for name, _ in items)})", value)


def _blank_row(row: Sequence[Any]) -> bool:
    return all(is_blank(v) for v in row)


def _check_book(book: Mapping[str, Rows], names: Iterable[str], where: Where) -> None:
    titles = {
        name: unicodedata.normalize("NFKC", " ".join(str(v) for v in rows[0] if v is not None)) if rows else ""
        for name, rows in book.items()
    }
    if not any(CARRIER_MARK in t for t in titles.values()):
        raise where.at(row=1).error(f"{CARRIER_NAME}のファイルではありません", next(iter(titles.values()), ""))
    for name in names:
        if name not in book:
            raise where.at(sheet=name).error("必要なシートがありません", list(book))
        if CARRIER_MARK not in titles[name]:
            raise where.at(sheet=name, row=1).error(f"{CARRIER_NAME}のシートではありません", titles[name])


def _open(path: Path, names: Iterable[str]) -> dict[str, Rows]:
    if not path.is_file():
        raise Where(path.name).error(
            f"{CARRIER_NAME}のファイルがありません(このフォルダは{CARRIER_NAME}のデータではありません)", str(path.parent)
        )
    book = read_xlsx(path)
    _check_book(book, names, Where(path.name))
    return book


def _meta(rows: Rows, stop: int, where: Where, required: Sequence[str]) -> dict[str, Any]:
    """The key-value rows above the table (商品名, 料率版, 適用開始日 …), dates read."""
    found = {norm_header(_cell(row, 0)): (i, _cell(row, 1)) for i, row in enumerate(rows[1:stop], start=1) if not is_blank(_cell(row, 0))}
    for key in required:
        if key not in found:
            raise where.at(column=key).error(f"「{key}」の行がありません")
    meta: dict[str, Any] = {key: cell_text(value, _at(where, i, 1)) for key, (i, value) in found.items() if key in required}
    meta[META_FROM] = cell_date(found[META_FROM][1], _at(where, found[META_FROM][0], 1))
    to = found.get(META_TO)
    meta[META_TO] = None if to is None or is_blank(to[1]) else cell_date(to[1], _at(where, to[0], 1))
    return meta


# -------------------------------------------------------------- plan sheets ---


@dataclass(frozen=True, slots=True)
class _Group:
    """One plan's columns: 補償 at col, 支払限度額 at col + 1, 備考 at col + 2."""

    name: str
    col: int
    unit: str


@dataclass(frozen=True, slots=True)
class _Item:
    index: int  # 0-based row
    section: str
    wording: str
    key: CoverageKey | None  # None: the pool row, or wording the resolver could not classify
    is_pool: bool


def _header_row(rows: Rows, where: Where) -> int:
    for i, row in enumerate(rows[:30]):
        if norm_header(_cell(row, 0)) == HEAD_SECTION:
            if norm_header(_cell(row, 1)) != HEAD_ITEM:
                raise _at(where, i, 1).error(f"必要な列「{HEAD_ITEM}」がありません", _cell(row, 1))
            return i
    raise where.at(column=HEAD_SECTION).error(f"見出し行(「{HEAD_SECTION}」「{HEAD_ITEM}」)がありません")


def _groups(rows: Rows, head: int, where: Where) -> list[_Group]:
    """Plans from the two-row header; a merged plan name sits in its group's first column only."""
    top, sub = rows[head], rows[head + 1] if head + 1 < len(rows) else ()
    groups: list[_Group] = []
    col = 2
    while col < max(len(top), len(sub)):
        if is_blank(_cell(top, col)) and is_blank(_cell(sub, col)):
            col += 1
            continue
        names = [_split_unit(_cell(sub, col + k)) for k in range(3)]
        if tuple(n for n, _ in names) != SUB_HEADERS:
            raise _at(where, head + 1, col).error(
                "プランの列は「補償」「支払限度額(千円)」「備考」の3列です", [_cell(sub, col + k) for k in range(3)]
            )
        unit = _need_unit(names[1][1], _at(where, head + 1, col + 1), _cell(sub, col + 1))
        if is_blank(_cell(top, col)):
            raise _at(where, head, col).error("プラン名(結合された見出し)がありません", _cell(sub, col))
        for k in (1, 2):
            if not is_blank(_cell(top, col + k)):
                raise _at(where, head, col + k).error("プラン名の結合範囲が3列と合いません", _cell(top, col + k))
        groups.append(_Group(cell_text(_cell(top, col), _at(where, head, col)), col, unit))
        col += 3
    if not groups:
        raise _at(where, head).error("プランの列がありません")
    return groups


def _items(rows: Rows, start: int, where: Where, resolver: WordingResolver, line: Line | None = None) -> tuple[list[_Item], int]:
    """The item rows from `start` to the first blank row, and the index after them."""
    items: list[_Item] = []
    section = ""
    i = start
    while i < len(rows) and not _blank_row(rows[i][:2]) and not norm_header(_cell(rows[i], 0)).startswith("■"):
        if not is_blank(_cell(rows[i], 0)):  # 区分 is merged down: carry it to the rows below
            section = _lookup(SECTIONS, _cell(rows[i], 0), _at(where, i, 0), HEAD_SECTION)
        if not section:
            raise _at(where, i, 0).error(f"「{HEAD_SECTION}」が空です", _cell(rows[i], 1))
        wording = cell_text(_cell(rows[i], 1), _at(where, i, 1))
        is_pool = section == POOL_SECTION and norm_header(wording) == norm_header(POOL_LABEL)
        key = None if is_pool else resolver.resolve(wording, _at(where, i, 1), section=section, line=line)
        items.append(_Item(i, section, wording, key, is_pool))
        i += 1
    return items, i


def _footer(rows: Rows, start: int, where: Where) -> dict[str, int]:
    """Row index of each ■契約条件 term."""
    i = next((j for j in range(start, len(rows)) if not _blank_row(rows[j])), len(rows))
    if i >= len(rows) or norm_header(_cell(rows[i], 0)) != FOOTER_START:
        raise _at(where, min(i, len(rows) - 1), 0).error(
            f"「{FOOTER_START}」の行がありません", _cell(rows[i], 0) if i < len(rows) else None
        )
    found = {
        _lookup(FOOTER, _split_unit(_cell(rows[j], 0))[0], _at(where, j, 0), "契約条件"): j
        for j in range(i + 1, len(rows))
        if not is_blank(_cell(rows[j], 0))
    }
    for name in FOOTER:
        if name not in found:
            raise where.at(column=name).error(f"契約条件「{name}」の行がありません")
    return found


def _note(value: Any, where: Where) -> tuple[dict[str, Any], list[str]]:
    """備考 as CoverageTerm fields (payout ratio, per-victim caps, deductible, waiting period, basis) and the other clauses."""
    terms: dict[str, Any] = {}
    rest: list[str] = []
    for clause in [] if is_blank(value) else NOTE_SPLIT.split(str(value)):
        text = norm_header(clause)
        token = next(((name, m) for name, p in NOTE_TOKENS.items() if (m := p.fullmatch(text))), None)
        name = token[0] if token else "basis" if text in BASIS_NOTES else ""
        if name in terms:
            raise where.error("備考に同じ条件が2回あります", value)
        if token:
            try:
                terms[name] = int(token[1].group(1)) if name in ("payout_ratio_pct", "waiting_hours") else parse_yen(token[1].group(1))
            except AmountError as exc:
                raise where.error(f"備考の金額が読めません({exc.reason})", value) from exc
        elif name:
            terms[name] = BASIS_NOTES[text]
        elif clause.strip():
            rest.append(clause.strip())
    return terms, rest


def _amount(value: Any, where: Where, unit: str) -> int | None:
    if is_blank(value) or norm_header(value) == norm_header(SAME_AS_LIMIT):
        return None
    return cell_yen(value, where, unit=unit)


def _term(row: Sequence[Any], item: _Item, key: CoverageKey, group: _Group, parent: str, where: Where) -> CoverageTerm:
    mark_at, amount_at, note_at = (_at(where, item.index, group.col + k) for k in range(3))
    status = _lookup(MARKS, _cell(row, group.col), mark_at, f"補償欄の記号({group.name})")
    value = _cell(row, group.col + 1)
    cell = None if is_blank(value) or norm_header(value) == norm_header(SAME_AS_LIMIT) else cell_limit(value, amount_at, unit=group.unit)
    limit = None if cell is None else cell.amount_jpy
    terms, rest = _note(_cell(row, group.col + 2), note_at)
    if cell is not None and cell.deductible_jpy is not None:  # 「10,000(免責100)」: the deductible beside the limit
        terms["deductible_jpy"] = deductible_beside(cell, terms.get("deductible_jpy"), amount_at)
    if status is TermStatus.INCLUDED and limit is not None:
        status = TermStatus.SUBLIMITED
    if status is TermStatus.CONDITIONAL and not rest:
        raise note_at.error("△(条件付き)の項目には備考に条件の記載が必要です", _cell(row, group.col))
    if status in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN) and limit is not None:
        raise amount_at.error("×・要照会の項目に支払限度額は書けません", _cell(row, group.col + 1))
    caps = {k: terms.pop(k) for k in ("per_person_jpy", "per_company_jpy") if k in terms}
    per_victim = build(note_at, PerVictimCap, **caps) if caps else None
    fields = {
        "status": status,
        "wording": item.wording,
        "limit_jpy": limit,
        "parent": parent,
        "per_victim": per_victim,
        "conditions": conditions_with("。".join(rest), cell),
    }
    return build(mark_at, CoverageTerm, key=key, **fields, **terms)


def _pool(row: Sequence[Any], item: _Item, group: _Group, where: Where) -> LimitPool:
    at = _at(where, item.index, group.col + 1)
    limit = _amount(_cell(row, group.col + 1), at, group.unit)
    if _lookup(MARKS, _cell(row, group.col), _at(where, item.index, group.col), "補償欄の記号") is not TermStatus.INCLUDED or limit is None:
        raise at.error("総支払限度額は○と金額で書いてください", _cell(row, group.col + 1))
    return build(at, LimitPool, pool_id=POOL_ID, label_ja=item.wording, label_en=POOL_EN, limit_jpy=limit)


def _footer_value(rows: Rows, footer: Mapping[str, int], name: str, group: _Group, where: Where) -> tuple[Any, Where]:
    return _cell(rows[footer[name]], group.col), _at(where, footer[name], group.col)


def _options(rows: Rows, footer: Mapping[str, int], name: str, group: _Group, where: Where) -> tuple[int, ...]:
    """「30,000/50,000/100,000」 in the unit its label gives: 支払限度額の選択肢(千円)."""
    label = _cell(rows[footer[name]], 0)
    unit = _need_unit(_split_unit(label)[1], _at(where, footer[name], 0), label)
    value, at = _footer_value(rows, footer, name, group, where)
    parts = [value] if isinstance(value, int) else [p.strip() for p in OPTION_SPLIT.split(cell_text(value, at))]
    return tuple(cell_yen(p, at, unit=unit) for p in parts)


def _plan(rows: Rows, group: _Group, items: list[_Item], footer: Mapping[str, int], common: Mapping[str, Any], where: Where) -> Plan:
    pools = [_pool(rows[it.index], it, group, where) for it in items if it.is_pool]
    parent = POOL_ID if pools else POLICY_POOL
    terms = [
        _term(rows[it.index], it, it.key, group, parent if it.section == POOL_SECTION else POLICY_POOL, where)
        for it in items
        if it.key is not None
    ]
    cells = {POOL_ID if it.is_pool else str(it.key): _at(where, it.index, group.col + 1) for it in items}
    code, trigger, exclusions = (_footer_value(rows, footer, name, group, where) for name in (F_CODE, F_TRIGGER, F_EXCLUSIONS))
    kwargs = {
        **common,
        "code": cell_text(*code),
        "name": f"{common['product']} {group.name}",
        "limit_options_jpy": _options(rows, footer, F_LIMITS, group, where),
        "deductible_options_jpy": _options(rows, footer, F_DEDUCTIBLES, group, where),
        "terms": tuple(terms),
        "pools": tuple(pools),
        "trigger": _lookup(TRIGGERS, *trigger, F_TRIGGER),
        "exclusions": tuple(x.strip() for x in LIST_SPLIT.split(cell_text(*exclusions)) if x.strip()),
        "source": f"{where.file} [{where.sheet}] {group.name}",
    }
    try:
        return Plan(**kwargs)
    except SchemaError as exc:  # name the cell the offending figure came from
        m = re.search(r"(?:terms|pools)\[(\w+)\]", exc.field)
        place = cells.get(m.group(1), where) if m else _at(where, footer[F_CODE], group.col)
        raise place.error(f"{exc.field}: {exc.reason}", exc.value) from exc


def _plan_sheet(line: Line, rows: Rows, where: Where, resolver: WordingResolver, sample: bool) -> list[tuple[str, Plan]]:
    """Every plan of one product sheet, each with the name the rate sheet knows it by."""
    head = _header_row(rows, where)
    groups = _groups(rows, head, where)
    meta = _meta(rows, head, where, (META_PRODUCT, META_VERSION, META_FROM))
    items, end = _items(rows, head + 2, where, resolver, line)
    footer = _footer(rows, end, where)
    common = {"carrier": Carrier.AIOI_NISSAY_DOWA, "line": line, "product": meta[META_PRODUCT], "rate_version": meta[META_VERSION],
              "effective_from": meta[META_FROM], "effective_to": meta[META_TO], "sample": sample}  # fmt: skip
    return [(group.name, _plan(rows, group, items, footer, common, where)) for group in groups]


# -------------------------------------------------------------- rate sheets ---


@dataclass(frozen=True, slots=True)
class _Block:
    """A ■ block: the unit its title gives, its header row and its data rows (0-based)."""

    unit: str | None
    head: int
    rows: list[int]


def _blocks(rows: Rows, where: Where) -> tuple[dict[str, _Block], int]:
    """The blocks by title, and the index of the first (the key-value rows stand above it)."""
    starts = [i for i, row in enumerate(rows) if norm_header(_cell(row, 0)).startswith("■")]
    if not starts:
        raise where.error("料率の表(■で始まる見出し)がありません")
    blocks: dict[str, _Block] = {}
    for n, start in enumerate(starts):
        name, unit = _split_unit(_cell(rows[start], 0))
        name = _lookup(BLOCKS, name, _at(where, start, 0), "料率の表の見出し")
        body = [i for i in range(start + 1, starts[n + 1] if n + 1 < len(starts) else len(rows)) if not _blank_row(rows[i])]
        if name in blocks or not body:
            raise _at(where, start, 0).error("表が重複しているか、見出し行がありません", _cell(rows[start], 0))
        blocks[name] = _Block(unit, body[0], body[1:])
    for name in BLOCKS:
        if name not in blocks:
            raise where.at(column=name).error(f"表「{name}」がありません")
    return blocks, starts[0]


def _columns(rows: Rows, block: _Block, names: Sequence[str], where: Where) -> list[tuple[int, str | None]]:
    """Each named column's index and unit; headers are matched without their unit."""
    header = rows[block.head]
    index = {name: (i, unit) for i, (name, unit) in enumerate(_split_unit(v) for v in header) if name}
    for name in names:
        if name not in index:
            raise _at(where, block.head).at(column=name).error(f"必要な列「{name}」がありません", [v for v in header if v is not None])
    return [index[name] for name in names]


def _pairs(rows: Rows, block: _Block, names: tuple[str, str], where: Where) -> list[tuple[Any, Where, Any, Where, str | None]]:
    """Each row of a two-column block: value and place of each, and the first column's unit."""
    (a, unit), (b, _) = _columns(rows, block, names, where)
    return [(_cell(rows[i], a), _at(where, i, a), _cell(rows[i], b), _at(where, i, b), unit) for i in block.rows]


def _bp(value: Any, where: Where) -> int:
    """A factor or a signed rate in basis points: 1.15, 25%, ▲5% (a credit), +10%."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
        value = "-" + value[1:] if value.startswith(NEGATIVE_MARKS) else value
    return parse_factor_bp(value, where)


def _bases(rows: Rows, block: _Block, where: Where) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """Revenue band upper bounds, and each rating class's base premium per band."""
    [(col, rev_unit)] = _columns(rows, block, [REVENUE_HEAD], where)
    rev_unit = _need_unit(rev_unit, _at(where, block.head, col), _cell(rows[block.head], col))
    unit = _need_unit(block.unit, _at(where, block.head - 1, 0), B_BASE)
    classes = [(c, cell_text(v, _at(where, block.head, c))) for c, v in enumerate(rows[block.head]) if c != col and not is_blank(v)]
    uppers = tuple(cell_yen(_cell(rows[i], col), _at(where, i, col), unit=rev_unit) for i in block.rows)
    return uppers, {k: tuple(cell_yen(_cell(rows[i], c), _at(where, i, c), unit=unit) for i in block.rows) for c, k in classes}


def _covering(factors: dict[T, int], wanted: Iterable[T], block: _Block, where: Where) -> dict[T, int]:
    """The factors, once every plan's option has one: the plan sheet offers nothing the rates cannot price."""
    missing = sorted({str(w) for w in wanted if w not in factors})
    if missing:
        raise _at(where, block.head - 1, 0).error(f"補償内容一覧({PLAN_FILE})にある選択肢の係数がありません", missing)
    return factors


def _amount_factors(rows: Rows, block: _Block, head: str, wanted: Iterable[int], where: Where) -> dict[int, int]:
    pairs = _pairs(rows, block, (head, "係数"), where)
    return _covering({cell_yen(a, at, unit=_need_unit(u, at, head)): _bp(f, f_at) for a, at, f, f_at, u in pairs}, wanted, block, where)


def _controls(rows: Rows, block: _Block, where: Where) -> tuple[dict[SecurityControl, int], dict[SecurityControl, int]]:
    """Credits when a control is in place, and debits when it is missing (blank: none)."""
    (c, _), (on, _), (off, _) = _columns(rows, block, ("対策", "実施時", "未実施時"), where)
    credits: dict[SecurityControl, int] = {}
    debits: dict[SecurityControl, int] = {}
    for i in block.rows:
        control = _lookup(CONTROLS, _cell(rows[i], c), _at(where, i, c), "対策")
        credits[control] = _bp(_cell(rows[i], on), _at(where, i, on))
        if not is_blank(_cell(rows[i], off)):
            debits[control] = _bp(_cell(rows[i], off), _at(where, i, off))
    return credits, debits


def _riders(rows: Rows, block: _Block, where: Where, resolver: WordingResolver) -> dict[CoverageKey, int]:
    riders: dict[CoverageKey, int] = {}
    for wording, at, rate, rate_at, _ in _pairs(rows, block, ("特約", "割増率"), where):
        key = resolver.resolve(cell_text(wording, at), at)
        if key in riders:
            raise at.error("同じ特約が2回あります", wording)
        if key is not None:
            riders[key] = _bp(rate, rate_at)
    return riders


def _others(rows: Rows, block: _Block, where: Where) -> dict[str, int]:
    """割引合計の上限 and 事故割増 as basis points; 最低保険料 and 端数処理 as yen, in the unit of their label."""
    found: dict[str, int] = {}
    for label, at, value, value_at, _ in _pairs(rows, block, ("項目", "値"), where):
        name, unit = _split_unit(label)
        name = _lookup((*OTHERS, O_CAP_BASIS, O_ROUNDING_MODE), name, at, "その他の項目")
        if name in (O_CAP_BASIS, O_ROUNDING_MODE):
            continue  # read by _how
        found[name] = (
            cell_yen(value, value_at, unit=_need_unit(unit, at, label)) if name in (O_MINIMUM, O_ROUNDING) else _bp(value, value_at)
        )
    for name in OTHERS:
        if name not in found:
            raise where.at(column=name).error(f"「{name}」の行がありません")
    return found


def _how(rows: Rows, block: _Block, where: Where) -> tuple[tuple[RatingStep, ...], RoundingMode]:
    """割引上限の対象 and 端数処理の方法 from ■その他, each once at most; the defaults where the sheet is silent."""
    said: dict[str, tuple[Any, Where]] = {}
    for label, at, value, value_at, _ in _pairs(rows, block, ("項目", "値"), where):
        name = _split_unit(label)[0]
        if name in (O_CAP_BASIS, O_ROUNDING_MODE):
            if name in said:
                raise at.error(f"「{name}」の行が2つあります", label)
            said[name] = (value, value_at)
    steps = DEFAULT_STEPS if O_CAP_BASIS not in said else _lookup(CAP_BASIS, *said[O_CAP_BASIS], O_CAP_BASIS)
    mode = DEFAULT_ROUNDING if O_ROUNDING_MODE not in said else rounding_in(cell_text(*said[O_ROUNDING_MODE]), said[O_ROUNDING_MODE][1])
    return steps, mode


def _rule_value(
    rule_field: RuleField, op: RuleOp, unit: str | None, value: Any, item: tuple[Any, Where], at: Where
) -> int | tuple[str, ...]:
    if op in (RuleOp.IN, RuleOp.NOT_IN):
        names = RULE_LISTS.get(rule_field)
        if names is None:
            raise item[1].error("この項目は該当・非該当で比べられません", item[0])
        return tuple(str(_lookup(names, x, at, item[0])) for x in LIST_SPLIT.split(cell_text(value, at)))
    if rule_field in MONEY_FIELDS:
        return cell_yen(value, at, unit=_need_unit(unit, item[1], item[0]))
    return cell_int(value, at)


def _rule(
    row: Sequence[Any], i: int, cols: list[tuple[int, str | None]], where: Where, resolver: WordingResolver
) -> EligibilityRule | None:
    """One 引受基準 row; None only when its rider wording did not classify (the resolver reports it)."""
    code, item, op, value, action, unless, rider, days = ((_cell(row, c), _at(where, i, c)) for c, _ in cols)
    name, unit = _split_unit(item[0])
    rule_field = _lookup(RULE_FIELDS, name, item[1], "引受基準の項目")
    rule_op = _lookup(RULE_OPS, *op, "条件")
    rider_key = None if is_blank(rider[0]) else resolver.resolve(cell_text(*rider), rider[1])
    if rider_key is None and not is_blank(rider[0]):
        return None
    return build(
        code[1], EligibilityRule, code=cell_text(*code), action=_lookup(RULE_ACTIONS, *action, "取扱い"), field=rule_field, op=rule_op,
        value=_rule_value(rule_field, rule_op, unit, value[0], item, value[1]), rider=rider_key,
        unless=None if is_blank(unless[0]) else _lookup(CONTROLS, *unless, "例外となる対策"), days=None if is_blank(days[0]) else cell_int(*days),
    )  # fmt: skip


def _rate_table(line: Line, rows: Rows, where: Where, plans: Mapping[str, Plan], resolver: WordingResolver, sample: bool) -> RateTable:
    """One product's rate sheet; plans are named as the plan sheet's merged headers name them."""
    blocks, first = _blocks(rows, where)
    meta = _meta(rows, first, where, (META_VERSION, META_FROM))
    if any(meta[META_VERSION] != plan.rate_version for plan in plans.values()):
        raise where.at(column=META_VERSION).error(f"補償内容一覧({PLAN_FILE})と料率版が違います", meta[META_VERSION])
    uppers, bases = _bases(rows, blocks[B_BASE], where)
    industries = {
        _lookup(INDUSTRIES, n, at, "業種"): _lookup(list(bases), k, k_at, "料率区分")
        for n, at, k, k_at, _ in _pairs(rows, blocks[B_INDUSTRY], ("業種", "料率区分"), where)
    }
    codes = {name: plan.code for name, plan in plans.items()}
    plan_factors = {
        _lookup(codes, n, at, "プラン"): _bp(f, f_at) for n, at, f, f_at, _ in _pairs(rows, blocks[B_PLAN], ("プラン", "係数"), where)
    }
    _covering(plan_factors, codes.values(), blocks[B_PLAN], where)
    limits = [n for plan in plans.values() for n in plan.limit_options_jpy]
    deductibles = [n for plan in plans.values() for n in plan.deductible_options_jpy]
    credits, debits = _controls(rows, blocks[B_CONTROL], where)
    others = _others(rows, blocks[B_OTHER], where)
    steps, rounding_mode = _how(rows, blocks[B_OTHER], where)
    cols = _columns(rows, blocks[B_RULES], RULE_COLUMNS, where)
    rules = [_rule(rows[i], i, cols, where, resolver) for i in blocks[B_RULES].rows]
    factors = {"plan_factor_bp": plan_factors, "limit_factor_bp": _amount_factors(rows, blocks[B_LIMIT], "支払限度額", limits, where),
               "deductible_factor_bp": _amount_factors(rows, blocks[B_DEDUCTIBLE], "免責金額", deductibles, where),
               "rider_factor_bp": _riders(rows, blocks[B_RIDER], where, resolver)}  # fmt: skip
    return build(
        where, RateTable, carrier=Carrier.AIOI_NISSAY_DOWA, line=line, version=meta[META_VERSION], effective_from=meta[META_FROM],
        effective_to=meta[META_TO], revenue_band_upper_jpy=uppers, industry_class=industries, base_premium_jpy=bases, **factors,
        control_credit_bp=credits, missing_control_debit_bp=debits, max_credit_bp=others[O_MAX_CREDIT], incident_surcharge_bp=others[O_INCIDENT],
        minimum_premium_jpy=others[O_MINIMUM], rounding_jpy=others[O_ROUNDING], rounding_mode=rounding_mode, steps=steps, rules=tuple(r for r in rules if r is not None),
        sample=sample, source=f"{where.file} [{where.sheet}]",
    )  # fmt: skip
