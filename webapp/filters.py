"""Template filters: how amounts, items and statuses read on the page, in the page's language."""

from __future__ import annotations

from typing import Any

from flask import Flask

from aggregator.labels import CLAUSE_LABELS, SAMPLE_NOTICE, carrier_name, line_name, pick
from aggregator.matching import PRIORITY_LABELS, Cell, CellKind
from aggregator.money import format_premium, format_yen
from aggregator.present import KIND_LABELS, cell_notes, cell_text, nearest_product, plan_terms, pool_label, premium_text, status_text
from aggregator.scenario_words import assumption_rows
from aggregator.schema import CONTROL_NAMES, INDUSTRY_NAMES, Carrier, Line
from aggregator.taxonomy import CATEGORY_LABELS, Category, CoverageKey, label


def _lang() -> str:
    from webapp import current_lang

    return current_lang()


def yen(amount: int | None) -> str:
    return "—" if amount is None else format_yen(amount, _lang())  # type: ignore[arg-type]


def premium(amount: int | None) -> str:
    return "—" if amount is None else format_premium(amount, _lang())  # type: ignore[arg-type]


def coverage_label(key: CoverageKey | str) -> str:
    return label(CoverageKey(key), _lang())


def cell_css(cell: Cell) -> str:
    classes = [f"cell-{cell.kind.value.replace('_', '-')}"]
    if cell.best:
        classes.append("cell-best")
    if cell.shortfall_jpy:
        classes.append("cell-short")
    if not cell.limit_stated:
        classes.append("cell-unstated")
    if cell.scope:
        classes.append("cell-narrower")
    return " ".join(classes)


def pool_rows(columns: Any) -> list[tuple[str, list[Any]]]:
    """The limits plans share, one row per kind of pool: its name, and each column's use of it (or None)."""
    ids = list(dict.fromkeys(p.pool_id for c in columns for p in c.pools))
    rows = []
    for pool_id in ids:
        uses = [next((p for p in c.pools if p.pool_id == pool_id), None) for c in columns]
        first = next(u for u in uses if u is not None)
        rows.append((pool_label(first, _lang()), uses))  # type: ignore[arg-type]
    return rows


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        yen=yen,
        premium=premium,
        coverage_label=coverage_label,
        cell_text=lambda c: cell_text(c, _lang()),  # type: ignore[arg-type]
        cell_kind=lambda c: pick(KIND_LABELS[c.kind], _lang()),  # type: ignore[arg-type]
        cell_css=cell_css,
        cell_notes=lambda c, quote: cell_notes(c, quote.deductible_jpy, _lang()),  # type: ignore[arg-type]
        plan_terms=lambda quote: plan_terms(quote, _lang()),  # type: ignore[arg-type]
        pool_rows=pool_rows,
        nearest_product=lambda ns: nearest_product(ns, _lang()),  # type: ignore[arg-type]
        status_text=lambda col: status_text(col, _lang()),  # type: ignore[arg-type]
        premium_text=lambda col: premium_text(col, _lang()),  # type: ignore[arg-type]
        carrier_name=lambda c: carrier_name(Carrier(c), _lang()),  # type: ignore[arg-type]
        line_name=lambda line: line_name(Line(line), _lang()),  # type: ignore[arg-type]
        category_label=lambda c: pick(CATEGORY_LABELS[Category(c)], _lang()),  # type: ignore[arg-type]
        industry_name=lambda i: pick(INDUSTRY_NAMES[i], _lang()),  # type: ignore[arg-type]
        control_name=lambda c: pick(CONTROL_NAMES[c], _lang()),  # type: ignore[arg-type]
        priority_name=lambda p: pick(PRIORITY_LABELS[p], _lang()),  # type: ignore[arg-type]
        clause_status=lambda s: pick(CLAUSE_LABELS[s], _lang()),  # type: ignore[arg-type]
        assumption_rows=lambda names, a: assumption_rows(names, a, _lang()),  # type: ignore[arg-type]
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        lang = _lang()
        # The page's badge already says サンプルデータ: the sentence follows it without repeating the word.
        notice = pick(SAMPLE_NOTICE, lang).split(": ", 1)[-1]  # type: ignore[arg-type]
        return {"lang": lang, "sample_notice": notice, "CellKind": CellKind}
