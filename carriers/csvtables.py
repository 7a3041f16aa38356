"""Carrier files saved as CSV: a title row naming the carrier, notes, then one table under its header (spec.find_table).

Rows go to the shared readers as `Cells`, reading a mark such as 「－」 as nothing written. The shapes such tables come in
are read here: plans with their items, premiums by revenue band, classes by line, a rate list (line|item|key|value), rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aggregator.errors import SchemaError
from aggregator.schema import CAP_ON_NET, Carrier, CoverageTerm, LimitPool, Line, Plan, RatingStep
from carriers import base, spec
from carriers.base import Where, WordingResolver
from carriers.spec import RateDraft, Row, RuleFields, Table, TermFields, Vocabulary
from carriers.tabular import ExpensePool

NOTHING = frozenset({"", "-", "−", "―", "ー", "‐"})  # 「－」 and its look-alikes: nothing is written in this cell
MINUS = str.maketrans({"▲": "-", "△": "-"})  # ▲5% is a 5% credit
# A rate list's entries: keyed by what the key column names, or one value a line (the RateDraft scalar it is).
KEYED = {
    "plan_factor_bp": "plan_factor",
    "limit_factor_bp": "limit_factor",
    "deductible_factor_bp": "deductible_factor",
    "control_credit_bp": "credit",
    "missing_control_debit_bp": "debit",
    "rider_factor_bp": "riders",
}
SCALARS = {"max_credit_bp": "max_credit", "incident_surcharge_bp": "incident", "minimum_premium_jpy": "minimum", "rounding_jpy": "rounding"}


@dataclass(frozen=True)
class Cells:
    """One row of a CSV table, read by header; a cell holding only a mark of `nothing` reads as blank."""

    row: Row
    nothing: frozenset[str] = NOTHING

    @property
    def where(self) -> Where:
        return self.row.where

    def get(self, name: str) -> Any:
        value = self.row.get(name)
        return None if base.norm_header(value) in self.nothing else value

    def at(self, name: str) -> Where:
        return self.row.where.at(column=name)


@dataclass(frozen=True)
class CsvTable:
    table: Table
    required: tuple[str, ...]  # the headers it was found by, in the order the reader below names them
    sample: bool  # the file says it is invented sample data
    nothing: frozenset[str]

    def rows(self, cells: type[Cells] = Cells) -> list[Cells]:
        return [cells(row, self.nothing) for row in self.table.rows]


def refuse_utf8(path: Path, where: Where, encoding: str) -> None:
    """A file (or one row pasted in) saved as UTF-8 reads as cp932 mojibake rather than failing: refuse it by its row."""
    raw = path.read_bytes() if path.stat().st_size <= base.MAX_FILE_BYTES else b""  # base.read_csv names the size
    for number, line in enumerate([] if raw.startswith(b"PK\x03\x04") else raw.split(b"\n"), start=1):  # and an xlsx
        try:
            written = "" if line.isascii() else line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if written:
            message = f"文字コードがUTF-8です。{encoding}(Shift_JIS)で保存し直してください(Excelの「CSV(コンマ区切り)」)"
            raise where.at(row=number).error(message, written[:40].strip())


def read_table(
    folder: Path, name: str, required: Sequence[str], *, mark: str, encoding: str, nothing: frozenset[str] = NOTHING
) -> CsvTable:
    """The table in one carrier file whose title row names the carrier (`mark`), or an error naming the file."""
    where, path = Where(name), folder / name
    if not path.is_file():
        raise where.error(f"{mark}のファイル「{name}」がありません(別の保険会社のデータか、ファイルが欠けています)", folder.name)
    if encoding != "utf-8":
        refuse_utf8(path, where, encoding)
    rows = base.read_csv(path, encoding)
    if not rows or mark not in "".join(rows[0]):
        raise where.at(row=1).error(f"{mark}のファイルではありません(表題行に「{mark}」がありません)", rows[0][:1] if rows else None)
    return CsvTable(spec.find_table(rows, where, required), tuple(required), base.has_sample_marker(base.flatten(rows)), nothing)


# --------------------------------------------------------------- plans ---


@dataclass(frozen=True)
class PlanColumns:
    """The headers a plan table's fields are read from."""

    code: str
    product: str
    name: str
    version: str
    effective_from: str
    effective_to: str
    limits: str
    deductibles: str
    pool: str
    trigger: str
    exclusions: str


def _terms(
    table: CsvTable, lines: Mapping[str, Line], vocab: Vocabulary, resolver: WordingResolver, code: str, f: TermFields
) -> dict[str, list[tuple[CoverageTerm, Cells]]]:
    terms: dict[str, list[tuple[CoverageTerm, Cells]]] = {}
    for row in table.rows():
        plan = spec.text(row, code)
        if plan not in lines:
            raise row.at(code).error("プランの表にないプランコードです", plan)
        if base.norm_header(row.get(f.limit)).lower() not in {"", *vocab.not_written}:  # the amount first: a row an unquoted
            base.cell_limit(row.get(f.limit), row.at(f.limit), unit=vocab.unit)  # 「1,000円」 split is named by it, not the next cell
        term = spec.read_term(row, vocab, resolver, f=f, line=lines[plan])
        if term is None:
            continue  # resolver.finish() lists every unclassified wording at once
        earlier = next((r for t, r in terms.setdefault(plan, []) if t.key == term.key), None)
        if earlier is not None:
            raise row.at(f.item).error(f"同じ補償項目({term.key})が2行あります(前の行: {earlier.where.row})", term.wording)
        terms[plan].append((term, row))
    return terms


def _plan(row: Cells, terms: list[tuple[CoverageTerm, Cells]], vocab: Vocabulary, c: PlanColumns, f: TermFields, **shared: Any) -> Plan:
    """One plan row; a fault the schema finds in one of its items (a limit above its pool) is named at the item's row."""
    if not terms:
        raise row.at(c.code).error("補償内容の表にこのプランの行がありません", spec.text(row, c.code))
    try:
        return Plan(
            line=spec.pick(row, c.product, vocab.lines, vocab),
            code=spec.text(row, c.code),
            name=spec.text(row, c.name),
            product=spec.text(row, c.product),
            rate_version=spec.text(row, c.version),
            effective_from=base.cell_date(row.get(c.effective_from), row.at(c.effective_from)),
            effective_to=spec.date_optional(row, c.effective_to),
            limit_options_jpy=spec.options(row, c.limits, vocab.unit),
            deductible_options_jpy=spec.options(row, c.deductibles, vocab.unit),
            terms=tuple(t for t, _ in terms),
            trigger=spec.pick(row, c.trigger, vocab.triggers, vocab),
            exclusions=spec.listed(row, c.exclusions),
            source=str(row.where),
            **shared,
        )
    except SchemaError as exc:
        item = next((r for t, r in terms if f"terms[{t.key}]" in exc.field), None)
        columns = {"limit_options_jpy": c.limits, "deductible_options_jpy": c.deductibles, "pools": c.pool, "effective_to": c.effective_to}
        column = next((name for key, name in columns.items() if key in exc.field), None)
        where = row.where if column is None else row.at(column)
        if item is not None:
            where = item.at(f.limit) if exc.field.endswith("limit_jpy") else item.where
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc


def read_plans(
    plans: CsvTable,
    terms: CsvTable,
    vocab: Vocabulary,
    resolver: WordingResolver,
    carrier: Carrier,
    c: PlanColumns,
    f: TermFields,
    pool: ExpensePool,
) -> list[Plan]:
    """Every plan row with its coverage items; `pool` is the limit a plan's pool column sets, when it has one."""
    rows: dict[str, Cells] = {}
    for row in plans.rows():
        code = spec.text(row, c.code)
        if code in rows:
            raise row.at(c.code).error(f"プランコードが重複しています(前の行: {rows[code].where.row})", code)
        rows[code] = row
    if not rows:
        raise plans.table.header.error("プランの行がありません")
    by_plan = _terms(terms, {code: spec.pick(row, c.product, vocab.lines, vocab) for code, row in rows.items()}, vocab, resolver, c.code, f)
    found = []
    for code, row in rows.items():
        limit = None if pool is None else spec.yen_optional(row, c.pool, vocab.unit)
        pools = (
            ()
            if pool is None or limit is None
            else (
                base.build(
                    row.at(c.pool), LimitPool, pool_id=pool.pool_id, label_ja=pool.label_ja, label_en=pool.label_en, limit_jpy=limit
                ),
            )
        )
        sample = plans.sample or terms.sample
        found.append(_plan(row, by_plan.get(code, []), vocab, c, f, carrier=carrier, pools=pools, sample=sample))
    return found


# --------------------------------------------------------------- rates ---


@dataclass
class Rates(RateDraft):
    """One line's rates as read; each entry remembers its row, so a second one names both rows."""

    issue: dict[str, Any] = field(default_factory=dict)  # version, effective_from, effective_to
    rows: dict[str, Where] = field(default_factory=dict)  # "plan_factor_bp[CP-B]" -> its row

    def once(self, slot: str, where: Where) -> None:
        if slot in self.rows:
            raise where.error(f"同じ項目が2行あります(前の行: {self.rows[slot].row})", slot)
        self.rows[slot] = where

    def written(self, name: str) -> bool:
        return any(slot.partition("[")[0] == name for slot in self.rows)


def _line(row: Cells, name: str, vocab: Vocabulary, rates: dict[Line, Rates]) -> Rates:
    return rates.setdefault(spec.pick(row, name, vocab.lines, vocab), Rates())


def read_bands(table: CsvTable, vocab: Vocabulary, rates: dict[Line, Rates], band: re.Pattern[str]) -> None:
    """Base premiums: a row per line and class, a column per revenue band whose header `band` reads the upper bound from."""
    line, klass = table.required
    header = table.table.header
    bands = [name for name in table.table.columns if name not in (base.norm_header(line), base.norm_header(klass))]
    uppers = []
    for name in bands:
        if (upper := band.fullmatch(name)) is None:
            raise header.at(column=name).error("売上高区分の見出しは「売上高1億円以上5億円未満」の形で書いてください", name)
        uppers.append(base.cell_yen(upper.group(1), header.at(column=name)))
    for row in table.rows():
        premiums = [spec.yen_optional(row, name) for name in bands]
        count = next((i for i, p in enumerate(premiums) if p is None), len(premiums))
        if any(p is not None for p in premiums[count:]):  # 「－」 belongs only above a line's last band: this one is a gap
            raise row.at(bands[count]).error("売上高区分の途中に空欄があります", row.row.get(bands[count]))
        draft, name = _line(row, line, vocab, rates), spec.text(row, klass)
        draft.band_premiums(uppers, name, premiums, [row.at(klass), *map(row.at, bands[1:])])
        draft.rows[f"base_premium_jpy[{name}]"] = row.where


def read_classes(table: CsvTable, vocab: Vocabulary, rates: dict[Line, Rates]) -> None:
    """Industry classes: a row per industry, a column per line; a line not written for the industry is left blank."""
    industry = table.required[0]
    for row in table.rows():
        written = spec.pick(row, industry, vocab.industries, vocab)
        for product, line in vocab.lines.items():
            if not spec.blank(row, product):
                RateDraft.put(rates.setdefault(line, Rates()).classes, written, spec.text(row, product), row.at(product))


def read_rate_list(
    table: CsvTable,
    vocab: Vocabulary,
    rates: dict[Line, Rates],
    resolver: WordingResolver,
    items: Mapping[str, str],
    cap: Mapping[str, tuple[RatingStep, ...]],
) -> None:
    """A rate list: each row's item (the RateTable field `items` names it) for a line, keyed where the key column names one."""
    line, item, key, value = table.required
    for row in table.rows():
        draft, name = _line(row, line, vocab, rates), spec.pick(row, item, items, vocab)
        entry: Any = None
        if name in ("limit_factor_bp", "deductible_factor_bp"):
            entry = spec.yen(row, key, vocab.unit)
        elif name in ("control_credit_bp", "missing_control_debit_bp"):
            entry = spec.pick(row, key, vocab.controls, vocab)
        elif name == "rider_factor_bp":
            entry = resolver.resolve(spec.text(row, key), row.at(key))
            if entry is None:
                continue  # resolver.finish() lists every unclassified wording at once
        elif name == "plan_factor_bp":
            entry = spec.text(row, key)
        draft.once(name if entry is None else f"{name}[{entry}]", row.at(value))
        written, at = base.norm_header(row.get(value)), row.at(value)
        if name in KEYED:
            getattr(draft, KEYED[name])[entry] = base.parse_factor_bp(written.translate(MINUS), at)
        elif name == "version":
            draft.issue[name] = spec.text(row, value)
        elif name in ("effective_from", "effective_to"):
            draft.issue[name] = base.cell_date(row.get(value), at) if name == "effective_from" else spec.date_optional(row, value)
        elif name in ("minimum_premium_jpy", "rounding_jpy"):
            unit, _, direction = written.partition("単位")  # 「100円単位（切上げ）」
            draft.scalars[SCALARS[name]] = base.cell_yen(unit, at)
            if name == "rounding_jpy" and direction:
                draft.rounding_mode = base.rounding_in(spec.text(row, value), at)
        else:
            draft.scalars[SCALARS[name]] = base.parse_factor_bp(written.translate(MINUS), at)
            if name == "max_credit_bp":
                draft.steps = spec.pick_optional(row, key, cap, vocab) or CAP_ON_NET


def read_rules(
    table: CsvTable, vocab: Vocabulary, rates: dict[Line, Rates], resolver: WordingResolver, f: RuleFields, cells: type[Cells]
) -> None:
    line = table.required[0]
    for row in table.rows(cells):
        draft, rule = _line(row, line, vocab, rates), spec.read_rule(row, vocab, resolver, f=f)
        if rule is not None:  # None: an unclassified rider, listed by resolver.finish()
            draft.once(f"rules[{rule.code}]", row.where)
            draft.rules.append(rule)
