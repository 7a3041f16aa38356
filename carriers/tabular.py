"""Carriers whose plans and rates are tables on named sheets: a `Layout` (layout.py) says which sheet holds what and
what its headers are called; `load` reads any such set of workbooks into the common schema (the plans here, the rates
in tabular_rates.py).

東京海上日動's two workbooks and the canonical plan workbook a broker fills in are both layouts.
"""

from __future__ import annotations

from pathlib import Path

from aggregator.errors import SchemaError
from aggregator.schema import (
    CarrierData,
    CoverageTerm,
    LimitBasis,
    LimitPool,
    Plan,
)
from carriers.base import (
    Where,
    WordingResolver,
    build,
    cell_date,
)
from carriers.layout import (
    ADJUST,
    ADJUST_KINDS,
    BASE,
    CAP_BASIS,
    CLASSES,
    COVER,
    FACTOR_KINDS,
    FACTORS,
    HEADERS_JA,
    PLAN_FIELDS,
    PLANS,
    RULES,
    TERM_REQUIRED,
    TERMS,
    Book,
    ExpensePool,
    Layout,
    Version,
    cover_version,
    identify,
    is_ours,
    open_book,
)
from carriers.spec import (
    TERM,
    Row,
    date_optional,
    listed,
    options,
    pick,
    read_term,
    text,
    yen_optional,
)
from carriers.tabular_rates import read_rates

__all__ = [
    "ADJUST",
    "ADJUST_KINDS",
    "BASE",
    "CAP_BASIS",
    "CLASSES",
    "COVER",
    "FACTORS",
    "FACTOR_KINDS",
    "HEADERS_JA",
    "PLANS",
    "RULES",
    "TERMS",
    "ExpensePool",
    "Layout",
    "identify",
    "is_ours",
    "load",
    "read_plans",
]


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


def load(layout: Layout, folder: Path, resolver: WordingResolver) -> CarrierData:
    """Every plan and rate table the layout's workbooks hold, validated as a whole."""
    book = open_book(layout, folder)
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
        sources=layout.files,
        sample=book.sample,
    )
