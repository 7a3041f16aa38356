"""A tabular layout: which sheet of which workbook holds each table, what its headers are called, and the carrier's
words; the workbooks opened and checked to be the carrier's, and the rate version their cover states."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    Carrier,
    RatingStep,
)
from carriers.base import (
    Where,
    cell_date,
    cell_text,
    flatten,
    has_sample_marker,
    is_blank,
    read_xlsx,
)
from carriers.spec import (
    RULE,
    TERM,
    Table,
    Vocabulary,
    facts,
    find_table,
)

# The sheets a layout names, by role.
COVER, PLANS, TERMS, BASE, CLASSES, FACTORS, ADJUST, RULES = "cover", "plans", "terms", "base", "classes", "factors", "adjust", "rules"

# Plan fields, read by these names through the layout's headers.
PLAN_FIELDS = ("code", "product", "name", "limits", "deductibles", "pool", "trigger", "version", "from", "to", "exclusions")
TERM_REQUIRED = ("code", TERM.item, TERM.status, TERM.limit, TERM.basis, TERM.ratio, TERM.parent, TERM.deductible, TERM.conditions)
FACTOR_FIELDS = ("line", "kind", "plan", "amount", "factor")
ADJUST_FIELDS = ("line", "kind", "item", "rate", "yen")
RULE_FIELDS = ("line", RULE.code, RULE.action, RULE.field, RULE.op, RULE.value, RULE.unless, RULE.rider, RULE.days)
# The headers Japanese carriers' tabular workbooks write, by sheet: 東京海上日動's, and the canonical workbook's (which adds
# a column for the line). Each sheet's header row is found by its first field.
HEADERS_JA: dict[str, dict[str, str]] = {
    PLANS: {
        "code": "プランコード",
        "product": "商品名",
        "name": "プラン名",
        "name_en": "プラン名(英語)",
        "limits": "支払限度額(万円)",
        "deductibles": "免責金額(万円)",
        "pool": "費用損害の総支払限度額(万円)",
        "trigger": "保険責任の基準",
        "retroactive": "遡及日",
        "version": "料率改定版",
        "from": "適用開始日",
        "to": "適用終了日",
        "exclusions": "主な免責事項",
        "exclusions_en": "主な免責事項(英語)",
    },
    TERMS: {
        "code": "プランコード",
        "section": "区分",
        "item": "補償項目",
        "status": "補償の扱い",
        "limit": "支払限度額(万円)",
        "basis": "限度額の基準",
        "ratio": "支払割合",
        "parent": "内枠",
        "victim": "見舞金の限度",
        "deductible": "免責金額(万円)",
        "waiting": "待機期間",
        "trigger": "保険責任の基準",
        "conditions": "支払条件・備考",
        "conditions_en": "支払条件・備考(英語)",
    },
    COVER: {"version": "料率改定版", "from": "適用開始日", "to": "適用終了日"},
    BASE: {"line": "種目", "class": "料率区分"},
    CLASSES: {"industry": "業種"},
    FACTORS: {"line": "種目", "kind": "係数の種類", "plan": "プランコード", "amount": "金額(万円)", "factor": "係数"},
    ADJUST: {"line": "種目", "kind": "区分", "item": "項目", "rate": "率", "yen": "金額(円)"},
    RULES: {
        "line": "種目",
        "code": "基準番号",
        "action": "判定",
        "field": "項目",
        "op": "条件",
        "value": "値",
        "unless": "例外",
        "rider": "対象特約",
        "days": "期限(日)",
    },
}
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
CAP_BASIS = {"割引のみ": CAP_ON_CREDITS, "割増引の合計": CAP_ON_NET}  # what a 割引上限 row's 項目 says the cap limits
BAND_HEADER = re.compile(r"(.+)未満")  # revenue band columns: 「5億円未満」
VERSION_FORMAT = re.compile(r"\d{4}\.\d{2}")


@dataclass(frozen=True)
class ExpensePool:
    """A pool a plan's column sets (費用損害の総支払限度額): its id, its words, the plan field holding its limit."""

    pool_id: str
    label_ja: str
    label_en: str


@dataclass(frozen=True)
class Layout:
    """Where one carrier's tables are: (file, sheet) by role, the header for each field, and its words."""

    carrier: Carrier
    vocab: Vocabulary
    sheets: Mapping[str, tuple[str, str]]  # role -> (file, sheet)
    headers: Mapping[str, Mapping[str, str]]  # role -> field -> the carrier's header
    mark: str  # every file names the carrier in its first row (title)
    amount_unit: str = "万円"  # plan amounts and factor targets
    premium_unit: str = "円"
    pool: ExpensePool | None = None
    factor_kinds: Mapping[str, str] = field(default_factory=lambda: FACTOR_KINDS)
    adjust_kinds: Mapping[str, str] = field(default_factory=lambda: ADJUST_KINDS)
    cap_basis: Mapping[str, tuple[RatingStep, ...]] = field(default_factory=lambda: CAP_BASIS)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(file for file, _ in self.sheets.values()))

    def sheets_of(self, file: str) -> tuple[str, ...]:
        return tuple(sheet for f, sheet in self.sheets.values() if f == file)

    def header(self, role: str, name: str) -> str:
        return self.headers.get(role, {}).get(name, name)


@dataclass(frozen=True)
class Book:
    """Every sheet of a layout's files, read and checked to be this carrier's."""

    layout: Layout
    sheets: Mapping[tuple[str, str], list[tuple[Any, ...]]]
    sample: bool

    def where(self, role: str) -> Where:
        file, sheet = self.layout.sheets[role]
        return Where(file, sheet)

    def rows(self, role: str) -> list[tuple[Any, ...]]:
        return self.sheets[self.layout.sheets[role]]

    def table(self, role: str, required: Sequence[str]) -> Table:
        return find_table(self.rows(role), self.where(role), required, layout=self.layout.headers.get(role, {}))


def is_ours(mark: str, sheets: Mapping[str, list[tuple[Any, ...]]]) -> bool:
    """Does a workbook name the carrier (`mark`) in the title row of one of its sheets?"""
    return any(mark in str(v) for rows in sheets.values() for v in (rows[0] if rows else ()))


def identify(layout: Layout, path: Path) -> bool:
    """Is this one of the layout's workbooks? Never raises: an unreadable file is simply not ours."""
    try:
        if path.suffix.lower() != ".xlsx" or not path.is_file():
            return False
        sheets = read_xlsx(path)
    except Exception:
        return False
    return is_ours(layout.mark, sheets) and any(all(s in sheets for s in layout.sheets_of(f)) for f in layout.files)


def open_book(layout: Layout, folder: Path) -> Book:
    name = layout.vocab.name
    found: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    sample = False
    for file in layout.files:
        path = folder / file
        where = Where(path.name)
        if not path.is_file():
            raise where.error(f"{name}のファイルがありません(このフォルダは{name}のデータではありません): {file}", folder.name)
        sheets = read_xlsx(path)
        if not is_ours(layout.mark, sheets):
            raise where.error(f"{name}のファイルではありません(表題に「{layout.mark}」の記載がありません)", list(sheets))
        for sheet in layout.sheets_of(file):
            if sheet not in sheets:
                raise where.at(sheet=sheet).error(f"必要なシート「{sheet}」がありません", list(sheets))
            found[(file, sheet)] = sheets[sheet]
        sample = sample or has_sample_marker(flatten(row for rows in sheets.values() for row in rows))
    return Book(layout, found, sample)


@dataclass(frozen=True)
class Version:
    version: str
    effective_from: date
    effective_to: date | None


def cover_version(book: Book) -> Version:
    def h(name: str) -> str:
        return book.layout.header(COVER, name)

    found = facts(book.rows(COVER), book.where(COVER), (h("version"), h("from")))
    value, where = found[h("version")]
    version = cell_text(value, where)
    if not VERSION_FORMAT.fullmatch(version):
        raise where.error("料率改定版は「2026.04」の形で書いてください", version)
    until, until_where = found.get(h("to"), (None, book.where(COVER)))
    return Version(version, cell_date(*found[h("from")]), None if is_blank(until) else cell_date(until, until_where))
