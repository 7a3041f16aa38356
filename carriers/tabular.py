"""Carriers whose plans and rates are tables on named sheets: a `Layout` says which sheet holds what
and what its headers are called; `load` reads any such set of workbooks into the common schema.

東京海上日動's two workbooks and the canonical plan workbook a broker fills in are both layouts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aggregator.errors import SchemaError
from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    Carrier,
    CarrierData,
    CoverageTerm,
    LimitBasis,
    LimitPool,
    Line,
    Plan,
    RatingStep,
)
from carriers.base import (
    Where,
    WordingResolver,
    build,
    cell_date,
    cell_text,
    cell_yen,
    flatten,
    has_sample_marker,
    is_blank,
    norm_header,
    read_xlsx,
    rounding_in,
)
from carriers.spec import (
    RULE,
    TERM,
    RateDraft,
    Row,
    Table,
    Vocabulary,
    date_optional,
    factor,
    facts,
    find_table,
    listed,
    options,
    pick,
    pick_optional,
    read_rule,
    read_term,
    text,
    yen_optional,
)

# The sheets a layout names, by role.
COVER, PLANS, TERMS, BASE, CLASSES, FACTORS, ADJUST, RULES = "cover", "plans", "terms", "base", "classes", "factors", "adjust", "rules"

# Plan fields, read by these names through the layout's headers.
PLAN_FIELDS = ("code", "product", "name", "limits", "deductibles", "pool", "trigger", "version", "from", "to", "exclusions")
OPTIONAL_PLAN_FIELDS = ("name_en", "exclusions_en", "retroactive")
TERM_REQUIRED = ("code", TERM.item, TERM.status, TERM.limit, TERM.basis, TERM.ratio, TERM.parent, TERM.deductible, TERM.conditions)
FACTOR_FIELDS = ("line", "kind", "plan", "amount", "factor")
ADJUST_FIELDS = ("line", "kind", "item", "rate", "yen")
RULE_FIELDS = ("line", RULE.code, RULE.action, RULE.field, RULE.op, RULE.value, RULE.unless, RULE.rider, RULE.days)
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


def is_ours(layout: Layout, sheets: Mapping[str, list[tuple[Any, ...]]]) -> bool:
    return any(layout.mark in str(v) for rows in sheets.values() for v in (rows[0] if rows else ()))


def identify(layout: Layout, path: Path) -> bool:
    """Is this one of the layout's workbooks? Never raises: an unreadable file is simply not ours."""
    try:
        if path.suffix.lower() != ".xlsx" or not path.is_file():
            return False
        sheets = read_xlsx(path)
    except Exception:
        return False
    return is_ours(layout, sheets) and any(all(s in sheets for s in layout.sheets_of(f)) for f in layout.files)


def open_book(layout: Layout, folder: Path, files: Sequence[Path] | None = None) -> Book:
    name = layout.vocab.name
    found: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    sample = False
    for index, file in enumerate(layout.files):
        path = files[index] if files is not None else folder / file
        where = Where(path.name)
        if not path.is_file():
            raise where.error(f"{name}のファイルがありません(このフォルダは{name}のデータではありません): {file}", folder.name)
        sheets = read_xlsx(path)
        if not is_ours(layout, sheets):
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


# --------------------------------------------------------------- plans ---


def _terms_by_plan(book: Book, resolver: WordingResolver) -> dict[str, list[tuple[CoverageTerm, Row]]]:
    terms: dict[str, list[tuple[CoverageTerm, Row]]] = {}
    for row in book.table(TERMS, TERM_REQUIRED).rows:
        term = read_term(row, book.layout.vocab, resolver)
        plan = terms.setdefault(text(row, "code"), [])
        if term is not None:
            if any(t.key == term.key for t, _ in plan):
                raise row.at(TERM.item).error(f"同じ補償項目({term.key})が2行あります", term.wording)
            plan.append((term, row))
    return terms


def _pools(row: Row, layout: Layout) -> tuple[LimitPool, ...]:
    limit = yen_optional(row, "pool", layout.amount_unit)
    if limit is None or layout.pool is None:
        return ()
    pool = layout.pool
    return (
        build(
            row.at("pool"),
            LimitPool,
            pool_id=pool.pool_id,
            label_ja=pool.label_ja,
            label_en=pool.label_en,
            limit_jpy=limit,
            basis=LimitBasis.BOTH,
        ),
    )


def _plan(row: Row, terms: list[tuple[CoverageTerm, Row]], version: Version, book: Book) -> Plan:
    layout, vocab = book.layout, book.layout.vocab
    if text(row, "version") != version.version:
        rates_file = layout.sheets[BASE][0]
        raise row.at("version").error(f"料率表({rates_file})の料率改定版「{version.version}」と一致しません", text(row, "version"))
    try:
        return Plan(
            carrier=layout.carrier,
            line=pick(row, "line" if row.has("line") else "product", vocab.lines, vocab),  # or the product names the line
            code=text(row, "code"),
            name=text(row, "name"),
            product=text(row, "product"),
            rate_version=version.version,
            effective_from=cell_date(row.get("from"), row.at("from")),
            effective_to=date_optional(row, "to"),
            limit_options_jpy=options(row, "limits", layout.amount_unit),
            deductible_options_jpy=options(row, "deductibles", layout.amount_unit),
            terms=tuple(t for t, _ in terms),
            pools=_pools(row, layout),
            trigger=pick(row, "trigger", vocab.triggers, vocab),
            retroactive=text(row, "retroactive", required=False),
            exclusions=listed(row, "exclusions"),
            name_en=text(row, "name_en", required=False),
            exclusions_en=listed(row, "exclusions_en"),
            sample=book.sample,
            source=str(row.where),
        )
    except SchemaError as exc:
        raise _schema_where(exc, row, terms).error(f"{exc.field}: {exc.reason}", exc.value) from exc


PLAN_FIELD_OF = {"limit_options_jpy": "limits", "deductible_options_jpy": "deductibles", "pools": "pool", "effective_to": "to"}


def _schema_where(exc: SchemaError, row: Row, terms: list[tuple[CoverageTerm, Row]]) -> Where:
    """Where a plan's schema fault is: a term's at its own row, the rest at the plan's cell."""
    culprit = next((r for t, r in terms if f"terms[{t.key}]" in exc.field), None)
    if culprit is not None:
        return culprit.at(TERM.limit) if exc.field.endswith("limit_jpy") else culprit.where
    name = next((n for f, n in PLAN_FIELD_OF.items() if f in exc.field), None)
    return row.where if name is None else row.at(name)


def read_plans(book: Book, resolver: WordingResolver, version: Version) -> list[Plan]:
    terms = _terms_by_plan(book, resolver)
    plans: list[Plan] = []
    for row in book.table(PLANS, PLAN_FIELDS).rows:
        code = text(row, "code")
        if code not in terms:
            raise row.at("code").error(f"「{book.layout.sheets[TERMS][1]}」シートにこのプランの補償項目がありません", code)
        plans.append(_plan(row, terms.pop(code), version, book))
    if terms:
        where = book.where(TERMS).at(column=book.layout.header(TERMS, "code"))
        raise where.error(f"「{book.layout.sheets[PLANS][1]}」にないプランコードです", next(iter(terms)))
    return plans


# --------------------------------------------------------------- rates ---


def _line(row: Row, book: Book, rates: dict[Line, RateDraft]) -> RateDraft:
    return rates.setdefault(pick(row, "line", book.layout.vocab.lines, book.layout.vocab), RateDraft())


def _read_base(book: Book, rates: dict[Line, RateDraft]) -> None:
    layout = book.layout
    table = book.table(BASE, ("line", "class"))
    bands = [(name, cell_yen(m.group(1), table.header.at(column=name))) for name in table.columns if (m := BAND_HEADER.fullmatch(name))]
    if not bands:
        raise table.header.error("売上高区分(「◯億円未満」)の列がありません")
    uppers = [upper for _, upper in bands]
    for row in table.rows:
        cells = [(name, row.get(name)) for name, _ in bands]
        premiums = [
            None if norm_header(str(v)) in layout.vocab.not_written else cell_yen(v, row.at(name), unit=layout.premium_unit)
            for name, v in cells
        ]
        wheres = [row.at("class"), *(row.at(name) for name, _ in cells[1:])]
        _line(row, book, rates).band_premiums(uppers, text(row, "class"), premiums, wheres)


def _read_classes(book: Book, rates: dict[Line, RateDraft]) -> None:
    vocab = book.layout.vocab
    table = book.table(CLASSES, ("industry",))
    lines = [(name, line) for name, line in vocab.lines.items() if table.has(name)]
    if not lines:
        raise table.header.error(f"種目({'、'.join(vocab.lines)})の列がありません")
    for row in table.rows:
        industry = pick(row, "industry", vocab.industries, vocab)
        for name, line in lines:
            klass = text(row, name)
            if norm_header(klass) not in vocab.not_written:
                RateDraft.put(rates.setdefault(line, RateDraft()).classes, industry, klass, row.at(name))


def _read_factors(book: Book, rates: dict[Line, RateDraft]) -> None:
    layout = book.layout
    for row in book.table(FACTORS, FACTOR_FIELDS).rows:
        draft = _line(row, book, rates)
        kind, value = pick(row, "kind", layout.factor_kinds, layout.vocab), factor(row, "factor")
        if kind == "plan":
            RateDraft.put(draft.plan_factor, text(row, "plan"), value, row.at("plan"))
        else:
            amount = cell_yen(row.get("amount"), row.at("amount"), unit=layout.amount_unit)
            RateDraft.put(draft.limit_factor if kind == "limit" else draft.deductible_factor, amount, value, row.at("amount"))


def _read_adjustments(book: Book, rates: dict[Line, RateDraft], resolver: WordingResolver) -> None:
    layout, vocab = book.layout, book.layout.vocab
    for row in book.table(ADJUST, ADJUST_FIELDS).rows:
        draft = _line(row, book, rates)
        kind = pick(row, "kind", layout.adjust_kinds, vocab)
        if kind in ("minimum", "rounding"):
            RateDraft.put(draft.scalars, kind, cell_yen(row.get("yen"), row.at("yen"), unit=layout.premium_unit), row.at("kind"))
            if kind == "rounding" and not is_blank(row.get("item")):
                draft.rounding_mode = rounding_in(text(row, "item"), row.at("item"))
            continue
        rate = factor(row, "rate")  # a 5% cell holds 0.05: 500 bp
        if kind == "credit":
            RateDraft.put(draft.credit, pick(row, "item", vocab.controls, vocab), -rate, row.at("item"))
        elif kind == "debit":
            RateDraft.put(draft.debit, pick(row, "item", vocab.controls, vocab), rate, row.at("item"))
        elif kind == "rider":
            key = resolver.resolve(text(row, "item"), row.at("item"))
            if key is not None:
                RateDraft.put(draft.riders, key, rate, row.at("item"))
        else:
            RateDraft.put(draft.scalars, kind, rate, row.at("kind"))
            if kind == "max_credit":
                draft.steps = pick_optional(row, "item", layout.cap_basis, vocab) or CAP_ON_NET


def _read_rules(book: Book, rates: dict[Line, RateDraft], resolver: WordingResolver) -> None:
    for row in book.table(RULES, RULE_FIELDS).rows:
        draft = _line(row, book, rates)
        rule = read_rule(row, book.layout.vocab, resolver)
        if rule is not None:
            draft.rules.append(rule)


def read_rates(book: Book, resolver: WordingResolver, version: Version) -> list[Any]:
    layout = book.layout
    rates: dict[Line, RateDraft] = {}
    _read_base(book, rates)
    _read_classes(book, rates)
    _read_factors(book, rates)
    _read_adjustments(book, rates, resolver)
    _read_rules(book, rates, resolver)
    labels = {v: k for k, v in layout.adjust_kinds.items()}
    products = {v: k for k, v in layout.vocab.lines.items()}
    return [
        draft.table(
            layout.carrier,
            line,
            version=version.version,
            effective_from=version.effective_from,
            effective_to=version.effective_to,
            sample=book.sample,
            source=layout.sheets[BASE][0],
            where=book.where(ADJUST).at(column=layout.header(ADJUST, "kind")),
            missing=lambda kind, line=line: f"「{products[line]}」の「{labels.get(kind, kind)}」の行がありません",  # type: ignore[misc]
        )
        for line, draft in ((line, rates[line]) for line in Line if line in rates)
    ]


def load(layout: Layout, folder: Path, resolver: WordingResolver, files: Sequence[Path] | None = None) -> CarrierData:
    """Every plan and rate table the layout's workbooks hold, validated as a whole."""
    book = open_book(layout, folder, files)
    version = cover_version(book)
    plans = read_plans(book, resolver, version)
    tables = read_rates(book, resolver, version)
    resolver.finish()
    return build(
        Where(layout.sheets[BASE][0]),
        CarrierData,
        carrier=layout.carrier,
        plans=tuple(plans),
        rate_tables=tuple(tables),
        sources=tuple(p.name for p in files) if files is not None else layout.files,
        sample=book.sample,
    )
