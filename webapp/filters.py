"""Template filters: how amounts, items and statuses read on the page, in the page's language."""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from aggregator.current import MARK_SIGNS, Mark, difference_text, mark_label, title
from aggregator.labels import CLAUSE_LABELS, SAMPLE_NOTICE, carrier_name, line_name, pick
from aggregator.matching import PRIORITY_LABELS, Cell, CellKind
from aggregator.money import format_premium, format_yen
from aggregator.present import (
    FALLBACK_MARK,
    KIND_LABELS,
    cell_notes,
    cell_text,
    localized_parts,
    nearest_product,
    plan_terms,
    pool_label,
    premium_text,
    status_text,
)
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


def _script(ch: str) -> str:
    if "\u30a0" <= ch <= "\u30ff" or ch == "ー":
        return "katakana"
    if "\u4e00" <= ch <= "\u9fff" or ch in "々〆":
        return "kanji"
    return "other"


def phrase_breaks(text: str) -> Markup:
    """Japanese with <wbr> where a katakana word meets a kanji one, and after ＋ or ・ (サイバーセキュリティ|保険＋|IT業務特約):
    with `word-break: keep-all` those and the spaces are the only places a narrow column header breaks, never inside a word."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if i:
            before, now = _script(text[i - 1]), _script(ch)
            if (before != now and "other" not in (before, now)) or text[i - 1] in "＋・":
                out.append("<wbr>")
        out.append(str(escape(ch)))
    return Markup("".join(out))


def localized_html(ja: str, en: str) -> Markup:
    """A carrier's text in the page's language; when only the other language's is given, that text in its own
    language (so fonts and line-breaking follow it) with a marker saying so. Japanese gets its phrase breaks."""
    lang = _lang()
    text, fallback = localized_parts(ja, en, lang)  # type: ignore[arg-type]
    shown_lang = ("ja" if lang == "en" else "en") if fallback else lang
    body = phrase_breaks(text) if shown_lang == "ja" else escape(text)
    if not fallback:
        return Markup(body)
    mark = pick(FALLBACK_MARK, lang)  # type: ignore[arg-type]
    return Markup(f'<span lang="{shown_lang}">{body}</span> <small class="lang-fallback">{escape(mark)}</small>')


def carrier_name_html(code: str) -> Markup:
    """The carrier's name with <wbr> only between its words (the header keeps each word whole)."""
    carrier = Carrier(code)
    if _lang() == "en":
        return Markup(escape(carrier_name(carrier, "en")))
    parts = carrier.names.words()
    return Markup('<span class="nobreak">' + '</span><wbr><span class="nobreak">'.join(escape(p) for p in parts) + "</span>")


def wish_rows(wishes: Any) -> list[tuple[str, str]]:
    """A broker's record of wishes (compliance.Wishes) as label and text, in the page's language."""
    from aggregator.compliance import FIELD_LABELS, wish_text

    lang = _lang()
    return [(pick(pair, lang), wish_text(wishes, name, lang)) for name, pair in FIELD_LABELS.items()]  # type: ignore[arg-type]


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
        carrier_name_html=carrier_name_html,
        plan_name=lambda plan: localized_html(plan.name, plan.name_en),
        cell_conditions=lambda cell: localized_html(cell.conditions, cell.conditions_en),
        wish_rows=wish_rows,
        line_name=lambda line: line_name(Line(line), _lang()),  # type: ignore[arg-type]
        category_label=lambda c: pick(CATEGORY_LABELS[Category(c)], _lang()),  # type: ignore[arg-type]
        industry_name=lambda i: pick(INDUSTRY_NAMES[i], _lang()),  # type: ignore[arg-type]
        control_name=lambda c: pick(CONTROL_NAMES[c], _lang()),  # type: ignore[arg-type]
        priority_name=lambda p: pick(PRIORITY_LABELS[p], _lang()),  # type: ignore[arg-type]
        clause_status=lambda s: pick(CLAUSE_LABELS[s], _lang()),  # type: ignore[arg-type]
        assumption_rows=lambda names, a: assumption_rows(names, a, _lang()),  # type: ignore[arg-type]
        current_title=lambda policy: title(policy, _lang()),  # type: ignore[arg-type]
        cell_notes_for=lambda c, deductible: cell_notes(c, deductible, _lang()),  # type: ignore[arg-type]
        mark_sign=lambda m: MARK_SIGNS[Mark(m)],
        mark_label=lambda m: mark_label(Mark(m), _lang()),  # type: ignore[arg-type]
        premium_difference=lambda amount: difference_text(amount, _lang()),  # type: ignore[arg-type]
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        lang = _lang()
        # The page's badge already says サンプルデータ: the sentence follows it without repeating the word.
        notice = pick(SAMPLE_NOTICE, lang).split(": ", 1)[-1]  # type: ignore[arg-type]
        from webapp.mail import enabled

        market = [c for c in Carrier if c in app.extensions.get("carriers", {})]  # the carriers quoted, in the registry's order
        return {
            "lang": lang,
            "sample_notice": notice,
            "CellKind": CellKind,
            "Mark": Mark,
            "mail_enabled": enabled(app),
            "market": market,
            "market_names": ("・" if lang != "en" else ", ").join(carrier_name(c, lang) for c in market),  # type: ignore[arg-type]
        }
