"""A tabular layout's rate sheets (base premiums by revenue band, industry classes, factors, adjustments, rules) read
into one RateTable per line."""

from __future__ import annotations

from typing import Any

from aggregator.schema import (
    CAP_ON_NET,
    Line,
)
from carriers.base import (
    WordingResolver,
    cell_yen,
    is_blank,
    norm_header,
    rounding_in,
)
from carriers.layout import ADJUST, ADJUST_FIELDS, BAND_HEADER, BASE, CLASSES, FACTOR_FIELDS, FACTORS, RULE_FIELDS, RULES, Book, Version
from carriers.spec import (
    RateDraft,
    Row,
    factor,
    pick,
    pick_optional,
    read_rule,
    text,
)


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
