"""Rate sheets of ■ blocks: facts (料率版, 適用開始日) at the top, then blocks, each a ■ title (which may give
the unit of its figures), a header row (whose headers may give theirs: 支払限度額(千円)) and data rows.

A carrier declares which block holds what (`RateBlocks`); `read_rates` reads one sheet into a RateTable
through spec.py's RateDraft and rule reader, each cell's place as Excel shows it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aggregator.schema import Carrier, Line, Plan, RateTable, RatingStep
from carriers.base import Where, WordingResolver, cell_date, column_letter, is_blank, norm_header, parse_factor_bp, rounding_in
from carriers.matrix import Placed, need_unit, one_of, split_unit
from carriers.spec import RateDraft, RuleFields, Vocabulary, blank, date_optional, facts, pick, read_rule, text, yen

Rows = list[tuple[Any, ...]]
Pair = tuple[str, str, str]  # a block's title, the column it is keyed by, the column of its figure


@dataclass(frozen=True)
class RateBlocks:
    """Which ■ block holds what, and the headers of its columns (without their units)."""

    base: tuple[str, str]  # premiums: the title, the revenue band column (upper bounds, exclusive); a column per class
    classes: Pair  # each industry's rating class
    plans: Pair  # factors by the plan's name in the matrix
    limits: Pair
    deductibles: Pair
    controls: tuple[str, str, str, str]  # title, control, its credit when in place, its debit (if any) when missing
    riders: Pair
    others: Pair  # one figure a row, by the 項目 it names
    scalars: Mapping[str, str]  # 項目 -> max_credit, incident, minimum or rounding: each sheet writes all four
    said: Mapping[str, str]  # 項目 -> steps or rounding_mode: what the cap limits and how to round, where the sheet says
    cap_basis: Mapping[str, tuple[RatingStep, ...]]
    rules: str
    rule: RuleFields  # a rule's 項目 may give the unit of its figure: 売上高(千円)
    facts: tuple[str, str, str]  # version, effective from, effective to
    priced: str  # the plan workbook whose options these rates price, for messages
    negative: tuple[str, ...] = ("▲", "△")  # ▲5% is a 5% credit

    def columns(self) -> dict[str, tuple[str, ...]]:
        pairs = (self.classes, self.plans, self.limits, self.deductibles, self.riders, self.others)
        return {
            self.base[0]: (self.base[1],),
            **{title: (key, figure) for title, key, figure in pairs},
            self.controls[0]: self.controls[1:],
            self.rules: tuple(vars(self.rule).values()),
        }


@dataclass(frozen=True)
class Block:
    """One ■ block: its title, its header (names without their units) and its rows by header."""

    title: Where
    title_unit: str | None
    header: Where
    columns: Mapping[str, tuple[int, str | None, Any]]  # name -> index, the unit its header gives, the header
    rows: list[Placed]

    def unit(self, name: str) -> str:
        index, unit, written = self.columns[name]
        return need_unit(unit, self.header.at(column=column_letter(index)), written)


def _block(rows: Rows, title: int, body: list[int], unit: str | None, required: Sequence[str], where: Where) -> Block:
    header, at = rows[body[0]], where.at(row=body[0] + 1)
    columns = {name: (i, unit, v) for i, v in enumerate(header) for name, unit in [split_unit(v)] if name}
    for name in required:
        if name not in columns:
            raise at.at(column=name).error(f"必要な列「{name}」がありません", [v for v in header if v is not None])
    placed = [
        Placed({n: (rows[i][c] if c < len(rows[i]) else None, where.at(row=i + 1, column=column_letter(c))) for n, (c, _, _) in columns.items()}, where.at(row=i + 1))
        for i in body[1:]
    ]  # fmt: skip
    return Block(where.at(row=title + 1, column="A"), unit, at, columns, placed)


def read_blocks(rows: Rows, where: Where, blocks: Mapping[str, Sequence[str]]) -> tuple[dict[str, Block], int]:
    """Each declared block by title, with the columns it needs; and the index of the first."""
    starts = [i for i, row in enumerate(rows) if row and norm_header(row[0]).startswith("■")]
    if not starts:
        raise where.error("料率の表(■で始まる見出し)がありません")
    found: dict[str, Block] = {}
    for n, start in enumerate(starts):
        name, unit = split_unit(rows[start][0])
        name = one_of(list(blocks), name, where.at(row=start + 1, column="A"), "料率の表の見出し")
        body = [i for i in range(start + 1, starts[n + 1] if n + 1 < len(starts) else len(rows)) if not all(is_blank(v) for v in rows[i])]
        if name in found or not body:
            raise where.at(row=start + 1, column="A").error("表が重複しているか、見出し行がありません", rows[start][0])
        found[name] = _block(rows, start, body, unit, blocks[name], where)
    for name in blocks:
        if name not in found:
            raise where.at(column=name).error(f"表「{name}」がありません")
    return found, starts[0]


def signed(cells: Placed, name: str, negative: tuple[str, ...]) -> int:
    """A factor or a signed rate in basis points: 1.15, 25%, ▲5% (a credit), +10%."""
    value = cells.get(name)
    if isinstance(value, str) and unicodedata.normalize("NFKC", value).strip().startswith(negative):
        value = "-" + unicodedata.normalize("NFKC", value).strip()[1:]
    return parse_factor_bp(value, cells.at(name))


def _covering(factors: Mapping[Any, int], wanted: Iterable[object], block: Block, plans_file: str) -> None:
    """The plans offer nothing the rates cannot price."""
    missing = sorted({str(w) for w in wanted if w not in factors})
    if missing:
        raise block.title.error(f"{plans_file}にある選択肢の係数がありません", missing)


def _base(block: Block, revenue: str, draft: RateDraft) -> None:
    if not block.rows:
        raise block.title.error("売上高区分の行がありません")
    unit = need_unit(block.title_unit, block.title, block.title)
    uppers = [yen(cells, revenue, block.unit(revenue)) for cells in block.rows]
    for klass in (name for name in block.columns if name != revenue):
        draft.band_premiums(uppers, klass, [yen(c, klass, unit) for c in block.rows], [c.at(klass) for c in block.rows])


def _others(block: Block, layout: RateBlocks, vocab: Vocabulary, draft: RateDraft) -> None:
    """Rates as rates; the minimum premium and rounding unit in the unit their 項目 gives: 最低保険料(千円)."""
    _, label, value = layout.others
    said: dict[str, Placed] = {}
    for cells in block.rows:
        kind = vocab.pick({**layout.scalars, **layout.said}, split_unit(cells.get(label))[0], cells.at(label), label)
        RateDraft.put(said, kind, cells, cells.at(label))
    for name, kind in layout.scalars.items():
        if kind not in said:
            raise block.title.at(column=name).error(f"「{name}」の行がありません")
        cells, unit = said[kind], split_unit(said[kind].get(label))[1]
        money = kind in ("minimum", "rounding")
        draft.scalars[kind] = (
            yen(cells, value, need_unit(unit, cells.at(label), cells.get(label))) if money else signed(cells, value, layout.negative)
        )
    if "steps" in said:
        draft.steps = pick(said["steps"], value, layout.cap_basis, vocab)
    if "rounding_mode" in said:
        draft.rounding_mode = rounding_in(text(said["rounding_mode"], value), said["rounding_mode"].at(value))


def read_rates(
    sheet: tuple[Rows, Where], layout: RateBlocks, vocab: Vocabulary, plans: Mapping[str, Plan], resolver: WordingResolver,
    *, carrier: Carrier, line: Line, sample: bool,
) -> RateTable:  # fmt: skip
    """One product's rate sheet; its plans are named as the matrix names them, and must all be priced."""
    rows, where = sheet
    blocks, first = read_blocks(rows, where, layout.columns())
    version_name, from_name, to_name = layout.facts
    meta = Placed(facts(rows[:first], where, (version_name, from_name)), where)
    version = text(meta, version_name)
    if any(version != plan.rate_version for plan in plans.values()):
        raise meta.at(version_name).error(f"{layout.priced}と料率版が違います", version)
    draft = RateDraft()
    _base(blocks[layout.base[0]], layout.base[1], draft)
    title, industry, klass = layout.classes
    for cells in blocks[title].rows:
        RateDraft.put(
            draft.classes,
            pick(cells, industry, vocab.industries, vocab),
            pick(cells, klass, {k: k for k in draft.base}, vocab),
            cells.at(industry),
        )
    codes = {name: plan.code for name, plan in plans.items()}
    for (title, key, figure), table, wanted in (
        (layout.plans, draft.plan_factor, codes.values()),
        (layout.limits, draft.limit_factor, [n for p in plans.values() for n in p.limit_options_jpy]),
        (layout.deductibles, draft.deductible_factor, [n for p in plans.values() for n in p.deductible_options_jpy]),
    ):
        for cells in blocks[title].rows:  # a plan by its name in the matrix; an amount in its header's unit
            option = pick(cells, key, codes, vocab) if title == layout.plans[0] else yen(cells, key, blocks[title].unit(key))
            RateDraft.put(table, option, signed(cells, figure, layout.negative), cells.at(key))
        _covering(table, wanted, blocks[title], layout.priced)
    title, control, credit, debit = layout.controls
    for cells in blocks[title].rows:
        RateDraft.put(draft.credit, pick(cells, control, vocab.controls, vocab), signed(cells, credit, layout.negative), cells.at(control))
        if not blank(cells, debit):
            RateDraft.put(
                draft.debit, pick(cells, control, vocab.controls, vocab), signed(cells, debit, layout.negative), cells.at(control)
            )
    title, rider, figure = layout.riders
    for cells in blocks[title].rows:
        if (covered := resolver.resolve(text(cells, rider), cells.at(rider))) is not None:
            RateDraft.put(draft.riders, covered, signed(cells, figure, layout.negative), cells.at(rider))
    _others(blocks[layout.others[0]], layout, vocab, draft)
    for cells in blocks[layout.rules].rows:
        name, unit = split_unit(cells.get(layout.rule.field))
        rule = read_rule(
            cells.adding({layout.rule.field: (name, cells.at(layout.rule.field))}), replace(vocab, unit=unit), resolver, f=layout.rule
        )
        draft.rules.extend([] if rule is None else [rule])
    return draft.table(
        carrier, line, version=version, effective_from=cell_date(meta.get(from_name), meta.at(from_name)), effective_to=date_optional(meta, to_name),
        sample=sample, source=f"{where.file} [{where.sheet}]", where=where,
    )  # fmt: skip
