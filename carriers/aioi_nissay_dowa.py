"""あいおいニッセイ同和損保: a coverage matrix workbook (plans as merged column groups, amounts in 千円) and a
rate workbook of ■ blocks, declared as their words, sheets, units and block names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from aggregator.errors import SchemaError
from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    POLICY_POOL,
    Carrier,
    CarrierData,
    CoverageTerm,
    Industry,
    LimitPool,
    Line,
    Plan,
    RuleField,
    SecurityControl,
    TermStatus,
)
from aggregator.taxonomy import CoverageKey
from carriers.base import Where, WordingResolver, build, cell_date, norm_header
from carriers.blocks import RateBlocks, read_rates
from carriers.matrix import Grid, Matrix, Placed, clauses, identify, open_book, read_matrix
from carriers.spec import (
    BASES_JA,
    LIST_SEPARATOR,
    Cells,
    RuleFields,
    TermFields,
    Vocabulary,
    blank,
    date_optional,
    listed,
    options,
    pick,
    read_term,
    text,
    yen,
)
from carriers.tabular import ExpensePool

MARK = "あいおいニッセイ同和"  # in row 1 of every sheet the carrier sends
PLAN_FILE = "aioi_hosho_naiyo.xlsx"  # 補償内容一覧: one sheet per product, named as the product
RATE_FILE = "aioi_ryoritsu.xlsx"  # 料率表: one sheet per product
RATE_SHEETS = {Line.CYBER: "サイバー料率", Line.PROFESSIONAL_LIABILITY: "専門職賠料率"}
PRODUCT, VERSION, FROM, TO = "商品名", "料率版", "適用開始日", "適用終了日"

# The matrix: 区分 | 補償項目 | per plan, its name merged over 補償 | 支払限度額(千円) | 備考; then ■契約条件.
MARK_COL, LIMIT, NOTE = "補償", "支払限度額", "備考"
CODE, LIMITS, DEDUCTIBLES, TRIGGER, EXCLUSIONS = "プランコード", "支払限度額の選択肢", "免責金額の選択肢", "支払基準", "主な補償対象外"
GRID = Grid(
    section="区分",
    item="補償項目",
    columns=(MARK_COL, LIMIT, NOTE),
    amount=LIMIT,
    sections=("賠償損害", "費用損害", "利益損害", "その他"),
    footer="■契約条件",
    terms=(CODE, LIMITS, DEDUCTIBLES, TRIGGER, EXCLUSIONS),
)
SAME_AS_LIMIT = "保険金額に同じ"  # an item paid up to the policy limit
POOL_SECTION = "費用損害"  # its items sit inside its 総支払限度額 row, where it has one
POOL = ExpensePool("expenses", "費用損害保険金(総支払限度額)", "Incident response costs (overall cap)")
FIELDS = TermFields(item=GRID.item, section=GRID.section, status=MARK_COL, limit=LIMIT)
# 備考: clauses split at 。; these name a term, any other is condition text. A basis the note does not name is both.
_YEN = r"([\d,]+[億万千]?円)"
NOTE_TERMS = {
    FIELDS.ratio: re.compile(r"縮小支払割合(\d+%)"),
    FIELDS.per_person: re.compile(rf"1名(?:あたり|につき){_YEN}限度"),
    FIELDS.per_company: re.compile(rf"1法人(?:あたり|につき){_YEN}限度"),
    FIELDS.deductible: re.compile(rf"免責金額{_YEN}"),
    FIELDS.waiting: re.compile(r"待機期間(\d+(?:時間|日))"),
    FIELDS.basis: re.compile(rf"({'|'.join(map(re.escape, BASES_JA))})限度"),
}
BASIS_UNLESS_NOTED = "1事故・保険期間中"

# The rate sheets: ■ blocks, each titled and headed in the carrier's words.
RATES = RateBlocks(
    base=("■基本保険料", "売上高未満"),  # ■基本保険料(千円), 売上高(千円)未満
    classes=("■業種区分", "業種", "料率区分"),
    plans=("■プラン係数", "プラン", "係数"),
    limits=("■支払限度額係数", LIMIT, "係数"),
    deductibles=("■免責金額係数", "免責金額", "係数"),
    controls=("■セキュリティ対策による割増引", "対策", "実施時", "未実施時"),
    riders=("■特約保険料", "特約", "割増率"),
    others=("■その他", "項目", "値"),
    scalars={"割引合計の上限": "max_credit", "事故1件あたりの割増": "incident", "最低保険料": "minimum", "端数処理単位": "rounding"},
    said={"割引上限の対象": "steps", "端数処理の方法": "rounding_mode"},
    cap_basis={"割引のみ": CAP_ON_CREDITS, "割引と割増の合計": CAP_ON_NET},
    rules="■引受基準",
    rule=RuleFields(
        code="基準番号", field="項目", op="条件", value="値", action="取扱い", unless="例外となる対策", rider="対象特約", days="猶予日数"
    ),
    facts=(VERSION, FROM, TO),
    priced=PLAN_FILE,
)

MARKS = {"○": TermStatus.INCLUDED, "〇": TermStatus.INCLUDED, "×": TermStatus.NOT_OFFERED, "△": TermStatus.CONDITIONAL,
         "オプション": TermStatus.OPTIONAL_RIDER, "要照会": TermStatus.UNKNOWN}  # fmt: skip
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
VOCABULARY = Vocabulary(
    name="あいおいニッセイ同和損保",
    lines={"サイバーセキュリティ保険": Line.CYBER, "専門職業賠償責任保険": Line.PROFESSIONAL_LIABILITY},  # the plan sheets
    statuses=MARKS,
    industries=INDUSTRIES,
    controls=CONTROLS,
    rule_fields=RULE_FIELDS,
    parents={"支払限度額": POLICY_POOL, POOL.label_ja: POOL.pool_id},
    not_written=frozenset({SAME_AS_LIMIT}),
)


class AioiNissayDowaAdapter:
    carrier: ClassVar[Carrier] = Carrier.AIOI_NISSAY_DOWA

    def identify(self, path: Path) -> bool:
        return identify(path, (VOCABULARY.lines, RATE_SHEETS.values()), MARK)

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        resolver = WordingResolver(self.carrier, dict(mappings or {}))
        plan_book, plans_sample = open_book(folder / PLAN_FILE, VOCABULARY.lines, MARK, VOCABULARY.name)
        rate_book, rates_sample = open_book(folder / RATE_FILE, RATE_SHEETS.values(), MARK, VOCABULARY.name)
        plans: list[Plan] = []
        tables = []
        for product, line in VOCABULARY.lines.items():
            named = _plans(
                read_matrix(plan_book[product], Where(PLAN_FILE, product), GRID, (PRODUCT, VERSION, FROM)), line, resolver, plans_sample
            )
            plans.extend(plan for _, plan in named)
            rates = (rate_book[RATE_SHEETS[line]], Where(RATE_FILE, RATE_SHEETS[line]))
            tables.append(read_rates(rates, RATES, VOCABULARY, dict(named), resolver, carrier=self.carrier, line=line, sample=rates_sample))
        resolver.finish()  # every unclassified wording at once, before anything is returned
        found = {"plans": tuple(plans), "rate_tables": tuple(tables), "sample": plans_sample or rates_sample}
        return build(Where(folder.name), CarrierData, carrier=self.carrier, sources=(PLAN_FILE, RATE_FILE), **found)


# ---------------------------------------------------------------- plans ---


def _status(cells: Cells, plan: str) -> TermStatus:
    """The mark, named with its plan: one row holds every plan's."""
    return VOCABULARY.pick(VOCABULARY.statuses, text(cells, MARK_COL), cells.at(MARK_COL), f"{plan}の{MARK_COL}")


def _unwritten(cells: Cells) -> bool:
    return blank(cells, LIMIT) or norm_header(cells.get(LIMIT)) == norm_header(SAME_AS_LIMIT)


def _term(cells: Cells, plan: str, vocab: Vocabulary, resolver: WordingResolver, line: Line) -> CoverageTerm | None:
    """One item of one plan; ○ with an amount is an inner limit (内枠). A △ without its condition and an amount
    beside ×・要照会 are refused here, at the cell a person corrects, before the schema refuses the term."""
    status = _status(cells, plan)
    if status is TermStatus.CONDITIONAL and blank(cells, FIELDS.conditions):
        raise cells.at(FIELDS.conditions).error("△(条件付き)の項目には備考に条件の記載が必要です", cells.get(MARK_COL))
    if status in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN) and not _unwritten(cells):
        raise cells.at(LIMIT).error("×・要照会の項目に支払限度額は書けません", cells.get(LIMIT))
    term = read_term(cells, vocab, resolver, f=FIELDS, line=line)
    if term is not None and term.status is TermStatus.INCLUDED and term.limit_jpy is not None:
        return replace(term, status=TermStatus.SUBLIMITED)
    return term


def _pool(cells: Cells, plan: str, vocab: Vocabulary) -> LimitPool:
    if _status(cells, plan) is not TermStatus.INCLUDED or _unwritten(cells):
        raise cells.at(LIMIT).error("総支払限度額は○と金額で書いてください", cells.get(LIMIT))
    fields = {"pool_id": POOL.pool_id, "label_ja": text(cells, GRID.item), "label_en": POOL.label_en}
    return build(cells.at(LIMIT), LimitPool, **fields, limit_jpy=yen(cells, LIMIT, vocab.unit))


def _plans(matrix: Matrix, line: Line, resolver: WordingResolver, sample: bool) -> list[tuple[str, Plan]]:
    """Every plan of one product sheet, each with the name the rate sheet knows it by."""
    pool = next((i for i in matrix.items if i.section == POOL_SECTION and norm_header(i.wording) == norm_header(POOL.label_ja)), None)
    unclassified: set[int] = set()  # an item the resolver could not place is listed once, not once per plan
    named: list[tuple[str, Plan]] = []
    for group in matrix.groups:
        vocab = replace(VOCABULARY, unit=group.unit)
        terms: list[CoverageTerm] = []
        pools: list[LimitPool] = []
        places: dict[str, Where] = {}  # a term's or pool's amount cell, for the plan's own checks
        for item in (i for i in matrix.items if i.index not in unclassified):
            cells = matrix.cells(group, item)
            if item is pool:
                pools.append(_pool(cells, group.name, vocab))
                places[POOL.pool_id] = cells.at(LIMIT)
                continue
            inside = {FIELDS.parent: (POOL.label_ja, cells.where)} if pool and item.section == POOL_SECTION else {}
            noted = clauses(
                cells.adding({FIELDS.basis: (BASIS_UNLESS_NOTED, cells.at(NOTE)), **inside}), NOTE, NOTE_TERMS, FIELDS.conditions
            )
            term = _term(noted, group.name, vocab, resolver, line)
            if term is None:
                unclassified.add(item.index)
            else:
                terms.append(term)
                places[str(term.key)] = cells.at(LIMIT)
        named.append((group.name, _plan(matrix, group.name, matrix.terms(group), line, terms, pools, places, sample)))
    return named


def _plan(matrix: Matrix, name: str, footer: Placed, line: Line, terms: list[CoverageTerm], pools: list[LimitPool],
          places: Mapping[str, Where], sample: bool) -> Plan:  # fmt: skip
    meta = matrix.facts
    try:
        return Plan(
            carrier=Carrier.AIOI_NISSAY_DOWA,
            line=line,
            code=text(footer, CODE),
            name=f"{text(meta, PRODUCT)} {name}",
            product=text(meta, PRODUCT),
            rate_version=text(meta, VERSION),
            effective_from=cell_date(meta.get(FROM), meta.at(FROM)),
            effective_to=date_optional(meta, TO),
            limit_options_jpy=options(footer, LIMITS, matrix.term_unit(LIMITS)),
            deductible_options_jpy=options(footer, DEDUCTIBLES, matrix.term_unit(DEDUCTIBLES)),
            terms=tuple(terms),
            pools=tuple(pools),
            trigger=pick(footer, TRIGGER, VOCABULARY.triggers, VOCABULARY),
            exclusions=listed(footer, EXCLUSIONS, LIST_SEPARATOR),
            sample=sample,
            source=f"{matrix.where.file} [{matrix.where.sheet}] {name}",
        )
    except SchemaError as exc:  # name the cell the offending figure came from
        m = re.search(r"(?:terms|pools)\[(\w+)\]", exc.field)
        place = places.get(m.group(1), footer.where) if m else footer.where
        raise place.error(f"{exc.field}: {exc.reason}", exc.value) from exc
