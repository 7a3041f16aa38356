"""三井住友海上: サイバープロテクター and ITプロテクター in six cp932 CSV files, declared as their words and headers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    POLICY_POOL,
    Carrier,
    CarrierData,
    Industry,
    LimitBasis,
    Line,
    RateTable,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
)
from aggregator.taxonomy import CoverageKey
from carriers import csvtables
from carriers.base import Where, WordingResolver, build, cell_yen, norm_header
from carriers.csvtables import NOTHING, Cells, CsvTable, Rates
from carriers.spec import BASES_JA, RULE_ACTIONS_JA, RULE_OPS_JA, RuleFields, TermFields, Vocabulary
from carriers.tabular import ExpensePool

CARRIER = Carrier.MITSUI_SUMITOMO
MARK = "三井住友海上"  # every file's title row names the carrier
ENCODING = "cp932"  # Japanese Excel's 「CSV(コンマ区切り)」

VOCABULARY = Vocabulary(
    name=MARK,
    lines={"サイバープロテクター": Line.CYBER, "ITプロテクター": Line.IT_EO},
    statuses={
        "セット": TermStatus.INCLUDED,
        "セット(内枠)": TermStatus.SUBLIMITED,
        "特約(任意付帯)": TermStatus.OPTIONAL_RIDER,
        "条件付": TermStatus.CONDITIONAL,
        "対象外": TermStatus.NOT_OFFERED,
        "要確認": TermStatus.UNKNOWN,
    },
    bases={**BASES_JA, "1請求につき": LimitBasis.PER_CLAIM, "1事故につき": LimitBasis.PER_INCIDENT},
    parents={"賠償責任限度額の内枠": POLICY_POOL, "費用損害限度額の内枠": "expenses"},
    industries={
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
    },
    controls={
        "多要素認証(MFA)": SecurityControl.MFA,
        "EDR(エンドポイント監視)": SecurityControl.EDR,
        "オフラインバックアップ": SecurityControl.OFFLINE_BACKUP,
        "ISMS・プライバシーマーク": SecurityControl.ISMS_PMARK,
        "インシデント対応計画(CSIRT)": SecurityControl.INCIDENT_RESPONSE_PLAN,
        "脆弱性診断(年1回以上)": SecurityControl.VULNERABILITY_MANAGEMENT,
        "標的型メール訓練・従業員教育": SecurityControl.STAFF_TRAINING,
    },
    rule_fields={
        "年間売上高": RuleField.ANNUAL_REVENUE,
        "従業員数": RuleField.EMPLOYEES,
        "個人情報保有件数": RuleField.RECORDS_HELD,
        "サーバー台数": RuleField.SERVERS,
        "最大受注金額": RuleField.LARGEST_CONTRACT,
        "過去3年間の事故件数": RuleField.INCIDENTS_3Y,
        "業種": RuleField.INDUSTRY,
        "契約形態": RuleField.CONTRACT_TYPE,
    },
    rule_actions={**RULE_ACTIONS_JA, "特約付帯不可": RuleAction.DROP_RIDER},
    rule_ops={**RULE_OPS_JA, "に該当": RuleOp.IN, "に該当しない": RuleOp.NOT_IN},
)
NOTHING_HERE = NOTHING | {"定めなし"}  # 「－」, and 「定めなし」 where a rate table has no end date
COUNT_IN_MAN = re.compile(r"(.+[万億])(件|名|人|台)")  # a rule's counts are written like amounts: 10万件
BAND_HEADER = re.compile(r"(?:売上高)?(?:.+?以上)?(.+?)未満")  # 「売上高1億円以上5億円未満」
EXPENSE_POOL = ExpensePool("expenses", "費用損害", "Incident response costs")
CAP_BASIS = {"割引のみ": CAP_ON_CREDITS, "割引・割増通算": CAP_ON_NET}  # what the 割引上限 row's 区分 says the cap limits

# Each file is read by its own headers.
PLAN_FILE, TERM_FILE, BASE_FILE = "プラン.csv", "補償内容.csv", "基本保険料.csv"
CLASS_FILE, RATE_FILE, RULE_FILE = "業種区分.csv", "料率.csv", "引受基準.csv"
RATE_FILES = (BASE_FILE, CLASS_FILE, RATE_FILE, RULE_FILE)
PRODUCT, CODE, VERSION = "商品名", "プランコード", "料率改定版"
CLASS, INDUSTRY, ITEM, KEY, VALUE = "料率区分", "業種", "項目", "区分", "値"
TERM = TermFields(
    item="補償項目",
    section="区分",
    status="補償の有無",
    limit="支払限度額",
    basis="限度額の適用単位",
    ratio="縮小支払割合",
    parent="支払枠",
    victim="見舞金等の上限",
    deductible="免責金額",
    waiting="待機期間",
    trigger="事故の基準",
    conditions="支払条件・備考",
)
RULE = RuleFields(
    code="基準番号",
    action="判定",
    field="項目",
    op="条件",
    value="基準値",
    unless="例外(対策済みの場合)",
    rider="対象特約",
    days="猶予期間",
)
TERM_COLUMNS = (TERM.item, TERM.status, TERM.limit, TERM.basis, TERM.parent, TERM.ratio, TERM.victim, TERM.deductible, TERM.waiting)
COLUMNS: dict[str, tuple[str, ...]] = {  # the headers each file must have; 補償内容.csv's 区分 is read where it is there
    PLAN_FILE: (
        CODE,
        PRODUCT,
        "プラン名",
        VERSION,
        "適用開始日",
        "適用終了日",
        "支払限度額(選択可能額)",
        "免責金額(選択可能額)",
        "費用損害総支払限度額",
        "保険責任の基準",
        "主な免責事由",
    ),
    TERM_FILE: (CODE, *TERM_COLUMNS, TERM.trigger, TERM.conditions),
    BASE_FILE: (PRODUCT, CLASS),  # then one column per revenue band
    CLASS_FILE: (INDUSTRY, *VOCABULARY.lines),  # a column per line
    RATE_FILE: (PRODUCT, ITEM, KEY, VALUE),
    RULE_FILE: (PRODUCT, *RULE.__dict__.values()),
}
# 料率.csv's 項目 -> the RateTable field it fills.
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
OPTIONAL_RATE_ITEMS = ("適用終了日", "セキュリティ対策割引", "対策未実施割増", "特約保険料")


class RuleCells(Cells):
    """A rule's row: its counts are written like amounts, 「10万件」 for 100000件."""

    def get(self, name: str) -> Any:
        value = super().get(name)
        count = COUNT_IN_MAN.fullmatch(norm_header(value)) if name == RULE.value else None
        return value if count is None else f"{cell_yen(count.group(1), self.at(name))}{count.group(2)}"


def _rate_table(line: Line, draft: Rates, sample: bool) -> RateTable:
    """The line's rate table, once every item it needs is written; a fault the schema finds is named at its row."""
    product = next(name for name, written in VOCABULARY.lines.items() if written is line)
    for item, name in RATE_ITEMS.items():
        if item not in OPTIONAL_RATE_ITEMS and not any(slot.partition("[")[0] == name for slot in draft.rows):
            raise Where(RATE_FILE).at(column=ITEM).error(f"{product}の「{item}」の行がありません", item)
    return draft.table(
        CARRIER,
        line,
        version=draft.issue["version"],
        effective_from=draft.issue["effective_from"],
        effective_to=draft.issue.get("effective_to"),
        sample=sample,
        source=" / ".join(RATE_FILES),
        where=Where(RATE_FILE),
    )


def _open(folder: Path, name: str) -> CsvTable:
    return csvtables.read_table(folder, name, COLUMNS[name], mark=MARK, encoding=ENCODING, nothing=NOTHING_HERE)


class MitsuiSumitomoAdapter:
    """三井住友海上's six CSV files (cp932, CRLF, title rows, 和暦 dates): プラン・補償内容, and the rates in four files."""

    carrier: ClassVar[Carrier] = CARRIER

    def identify(self, path: Path) -> bool:
        try:
            path = path / PLAN_FILE if path.is_dir() else path
            return path.name in COLUMNS and path.is_file() and bool(_open(path.parent, path.name))
        except Exception:  # identify never raises: any unreadable file is simply not ours
            return False

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        folder = Path(folder)
        if not folder.is_dir() or not any((folder / name).is_file() for name in COLUMNS):
            raise Where(folder.name).error(f"{MARK}のデータのフォルダではありません(必要なファイル: {'、'.join(COLUMNS)})")
        files = {name: _open(folder, name) for name in COLUMNS}
        resolver = WordingResolver(CARRIER, dict(mappings or {}))
        plans = csvtables.read_plans(files[PLAN_FILE], files[TERM_FILE], VOCABULARY, resolver, TERM, EXPENSE_POOL, CARRIER)
        rates: dict[Line, Rates] = {}
        csvtables.read_bands(files[BASE_FILE], VOCABULARY, rates, BAND_HEADER)
        csvtables.read_classes(files[CLASS_FILE], VOCABULARY, rates)
        csvtables.read_rate_list(files[RATE_FILE], VOCABULARY, rates, resolver, RATE_ITEMS, CAP_BASIS)
        csvtables.read_rules(files[RULE_FILE], VOCABULARY, rates, resolver, RULE, RuleCells)
        resolver.finish()
        sample = any(files[name].sample for name in RATE_FILES)
        tables = tuple(_rate_table(line, rates[line], sample) for line in Line if line in rates)
        versions = {t.line: t.version for t in tables}
        for plan, row in zip(plans, files[PLAN_FILE].rows(), strict=True):
            if versions.get(plan.line, plan.rate_version) != plan.rate_version:
                raise row.at(VERSION).error(f"料率表の改定版({versions[plan.line]})と一致しません", plan.rate_version)
        return build(
            Where(RATE_FILE),
            CarrierData,
            carrier=CARRIER,
            plans=tuple(plans),
            rate_tables=tables,
            sources=tuple(COLUMNS),
            sample=any(f.sample for f in files.values()),
        )
