"""The canonical plan workbook: one documented workbook, in the product's own Japanese words, that a broker fills in
from a carrier's brochure and rate manual. It declares the carrier itself (code and names on its 会社 sheet), so a
sixth carrier is added by uploading it on the broker's carrier page, with no code.

The layout here is the one `plan_workbook.write` writes as the blank template; the reader is carriers/tabular.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from aggregator.codes import CARRIER_CODE, RESERVED_CODES, CarrierNames
from aggregator.labels import CONTROL_NAMES, INDUSTRY_NAMES, LINE_NAMES
from aggregator.schema import POLICY_POOL, Carrier, CarrierData, RuleField, TermStatus
from aggregator.taxonomy import CoverageKey
from carriers import tabular
from carriers.base import Where, WordingResolver, cell_text, is_blank, read_xlsx
from carriers.spec import Vocabulary, facts
from carriers.tabular import ADJUST, BASE, CLASSES, COVER, FACTORS, HEADERS_JA, PLANS, RULES, TERMS, ExpensePool, Layout

MARK = "保険会社データ(標準様式)"  # the title row of every sheet
TEMPLATE_NAME = "保険会社データ_標準様式.xlsx"
EXPENSE_POOL = ExpensePool("expenses", "費用損害の総支払限度額", "Overall incident-cost limit")
COMPANY_CODE, COMPANY_JA, COMPANY_EN, COMPANY_WORDS = "会社コード", "会社名", "会社名(英語)", "会社名の区切り"

VOCABULARY = Vocabulary(
    name="標準様式",
    lines={names[0]: line for line, names in LINE_NAMES.items()},
    statuses={
        "○": TermStatus.INCLUDED,
        "内枠": TermStatus.SUBLIMITED,
        "特約": TermStatus.OPTIONAL_RIDER,
        "条件付": TermStatus.CONDITIONAL,
        "×": TermStatus.NOT_OFFERED,
        "要照会": TermStatus.UNKNOWN,
    },
    parents={"支払限度額": POLICY_POOL, EXPENSE_POOL.label_ja: EXPENSE_POOL.pool_id},
    industries={names[0]: industry for industry, names in INDUSTRY_NAMES.items()},
    controls={names[0]: control for control, names in CONTROL_NAMES.items()},
    rule_fields={
        "年間売上高": RuleField.ANNUAL_REVENUE,
        "従業員数": RuleField.EMPLOYEES,
        "保有個人情報件数": RuleField.RECORDS_HELD,
        "サーバ台数": RuleField.SERVERS,
        "最大受注金額": RuleField.LARGEST_CONTRACT,
        "過去3年間の事故件数": RuleField.INCIDENTS_3Y,
        "業種": RuleField.INDUSTRY,
        "契約形態": RuleField.CONTRACT_TYPE,
    },
    unit="万円",
)

# Each sheet's columns in the order the template writes them, field -> header: the Japanese headers tabular carriers
# use (layout.HEADERS_JA), with the plan's line in a column of its own beside its product.
HEADERS: dict[str, dict[str, str]] = {
    **HEADERS_JA,
    PLANS: {"code": HEADERS_JA[PLANS]["code"], "line": "種目", **{k: v for k, v in HEADERS_JA[PLANS].items() if k != "code"}},
}
SHEETS = {
    COVER: "会社",
    PLANS: "プラン",
    TERMS: "補償内容",
    BASE: "料率表",
    CLASSES: "業種区分",
    FACTORS: "係数",
    ADJUST: "割増引",
    RULES: "引受基準",
}


def layout(carrier: Carrier, file: str) -> Layout:
    """The canonical layout for one carrier's workbook, whatever the broker named the file."""
    return Layout(
        carrier=carrier,
        vocab=dataclasses.replace(VOCABULARY, name=carrier.names.ja),
        sheets={role: (file, sheet) for role, sheet in SHEETS.items()},
        headers=HEADERS,
        mark=MARK,
        pool=EXPENSE_POOL,
    )


def identity(path: Path) -> tuple[str, CarrierNames]:
    """The carrier a canonical workbook declares on its 会社 sheet: its code and names, or an error naming the cell."""
    where = Where(path.name, SHEETS[COVER])
    sheets = read_xlsx(path)
    if not tabular.is_ours(MARK, sheets):
        raise Where(path.name).error(f"標準様式のブックではありません(表題に「{MARK}」の記載がありません)", list(sheets))
    if SHEETS[COVER] not in sheets:
        raise where.error(f"必要なシート「{SHEETS[COVER]}」がありません", list(sheets))
    found = facts(sheets[SHEETS[COVER]], where, (COMPANY_CODE, COMPANY_JA, COMPANY_EN))
    code = cell_text(*found[COMPANY_CODE]).lower()
    ja, en = cell_text(*found[COMPANY_JA]), cell_text(*found[COMPANY_EN])
    words_value, words_where = found.get(COMPANY_WORDS, (None, where))
    words = () if is_blank(words_value) else tuple(w.strip() for w in cell_text(words_value, words_where).split("/") if w.strip())
    if words and "".join(words) != ja:
        raise words_where.error(f"会社名の区切りをつなぐと会社名「{ja}」になるように書いてください(例: さくら/損保)", words_value)
    if not CARRIER_CODE.fullmatch(code) or code in RESERVED_CODES:
        raise found[COMPANY_CODE][1].error("会社コードは英小文字で始まる英小文字・数字・_ の2〜40文字です(例: sakura_sonpo)", code)
    return code, CarrierNames(ja, en, words or (ja,))


def workbook_in(folder: Path) -> Path:
    """The one canonical workbook in a carrier's folder."""
    books = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".xlsx")
    if len(books) != 1:
        raise Where(folder.name).error("標準様式のブック(.xlsx)を1つだけ置いてください", [p.name for p in books])
    return books[0]


class CanonicalAdapter:
    """A carrier added from a canonical plan workbook; one adapter per carrier so added."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier

    def identify(self, path: Path) -> bool:
        try:
            return path.suffix.lower() == ".xlsx" and identity(path)[0] == self.carrier.value
        except Exception:  # identify never raises: an unreadable file is simply not this carrier's
            return False

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        path = workbook_in(folder)
        code, _ = identity(path)
        if code != self.carrier.value:
            where = Where(path.name, SHEETS[COVER])
            raise where.error(f"会社コードが「{self.carrier.value}」ではありません(別の保険会社のブックです)", code)
        return tabular.load(layout(self.carrier, path.name), folder, WordingResolver(self.carrier, dict(mappings or {})))
