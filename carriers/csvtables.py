"""Carrier files saved as CSV: a title row naming the carrier, notes, one table under its header (spec.find_table), read
by the shapes such tables come in: plans and items, premiums by revenue band, classes by line, a rate list, rules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aggregator.errors import SchemaError
from aggregator.schema import CAP_ON_NET, Carrier, CoverageTerm, LimitPool, Line, Plan
from carriers import base, spec
from carriers.base import Where, WordingResolver
from carriers.spec import RateDraft, Row, RuleFields, Table, TermFields, Vocabulary
from carriers.tabular import ExpensePool

NOTHING = frozenset({"", "-", "−", "―", "ー", "‐"})  # 「－」 and its look-alikes: nothing is written in this cell
MINUS = str.maketrans({"▲": "-", "△": "-"})  # ▲5% is a 5% credit
# A rate list's entries: keyed by what the key column names, or one value a line (the RateDraft scalar it is).
KEYED = {"plan_factor_bp": "plan_factor", "limit_factor_bp": "limit_factor", "deductible_factor_bp": "deductible_factor"}
KEYED |= {"control_credit_bp": "credit", "missing_control_debit_bp": "debit", "rider_factor_bp": "riders"}
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


def _terms(table: CsvTable, lines: Mapping[str, Line], vocab: Vocabulary, resolver: WordingResolver, f: TermFields) -> dict[str, list[Any]]:
    terms: dict[str, list[tuple[CoverageTerm, Cells]]] = {}
    for row in table.rows():
        plan = spec.text(row, table.required[0])
        if plan not in lines:
            raise row.at(table.required[0]).error("プランの表にないプランコードです", plan)
        term = spec.read_term(row, vocab, resolver, f=f, line=lines[plan])
        if term is None:
            continue  # resolver.finish() lists every unclassified wording at once
        earlier = next((r for t, r in terms.setdefault(plan, []) if t.key == term.key), None)
        if earlier is not None:
            raise row.at(f.item).error(f"同じ補償項目({term.key})が2行あります(前の行: {earlier.where.row})", term.wording)
        terms[plan].append((term, row))
    return terms


def _plan(row: Cells, terms: list[Any], vocab: Vocabulary, headers: tuple[str, ...], item_limit: str, **shared: Any) -> Plan:
    """One plan row; a fault the schema finds in one of its items (a limit above its pool) is named at the item's row."""
    code, product, name, version, start, end, limits, deductibles, pool, trigger, exclusions = headers
    if not terms:
        raise row.at(code).error("補償内容の表にこのプランの行がありません", spec.text(row, code))
    try:
        return Plan(
            line=spec.pick(row, product, vocab.lines, vocab),
            code=spec.text(row, code),
            name=spec.text(row, name),
            product=spec.text(row, product),
            rate_version=spec.text(row, version),
            effective_from=base.cell_date(row.get(start), row.at(start)),
            effective_to=spec.date_optional(row, end),
            limit_options_jpy=spec.options(row, limits, vocab.unit),
            deductible_options_jpy=spec.options(row, deductibles, vocab.unit),
            terms=tuple(t for t, _ in terms),
            trigger=spec.pick(row, trigger, vocab.triggers, vocab),
            exclusions=spec.listed(row, exclusions),
            source=str(row.where),
            **shared,
        )
    except SchemaError as exc:
        item = next((r for t, r in terms if f"terms[{t.key}]" in exc.field), None)
        columns = {"limit_options_jpy": limits, "deductible_options_jpy": deductibles, "pools": pool, "effective_to": end}
        column = next((header for key, header in columns.items() if key in exc.field), None)
        where = row.where if column is None else row.at(column)
        where = where if item is None else item.at(item_limit) if exc.field.endswith("limit_jpy") else item.where
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc


def read_plans(
    plans: CsvTable, terms: CsvTable, vocab: Vocabulary, resolver: WordingResolver, f: TermFields, pool: ExpensePool, carrier: Carrier
) -> list[Plan]:
    """Every plan row (headers: code, product, name, version, from, to, limits, deductibles, pool, trigger, exclusions) with its items."""
    code, product, *_, column, _, _ = plans.required
    rows: dict[str, Cells] = {}
    for row in plans.rows():
        if (written := spec.text(row, code)) in rows:
            raise row.at(code).error(f"プランコードが重複しています(前の行: {rows[written].where.row})", written)
        rows[written] = row
    if not rows:
        raise plans.table.header.error("プランの行がありません")
    by_plan = _terms(terms, {c: spec.pick(row, product, vocab.lines, vocab) for c, row in rows.items()}, vocab, resolver, f)
    found, sample = [], plans.sample or terms.sample
    for written, row in rows.items():
        limit = spec.yen_optional(row, column, vocab.unit)
        pools = () if limit is None else (base.build(row.at(column), LimitPool, **pool.__dict__, limit_jpy=limit),)
        found.append(_plan(row, by_plan.get(written, []), vocab, plans.required, f.limit, carrier=carrier, pools=pools, sample=sample))
    return found


@dataclass
class Rates(RateDraft):
    """One line's rates as read; each entry remembers its row, so a second one names both rows."""

    issue: dict[str, Any] = field(default_factory=dict)  # version, effective_from, effective_to
    rows: dict[str, Where] = field(default_factory=dict)  # "plan_factor_bp[CP-B]" -> its row

    def once(self, slot: str, where: Where) -> None:
        if slot in self.rows:
            raise where.error(f"同じ項目が2行あります(前の行: {self.rows[slot].row})", slot)
        self.rows[slot] = where


def _line(row: Cells, name: str, vocab: Vocabulary, rates: dict[Line, Rates]) -> Rates:
    return rates.setdefault(spec.pick(row, name, vocab.lines, vocab), Rates())


def read_bands(table: CsvTable, vocab: Vocabulary, rates: dict[Line, Rates], band: re.Pattern[str]) -> None:
    """Base premiums: a row per line and class, a column per revenue band whose header `band` reads the upper bound from."""
    line, klass = table.required
    header, bands = table.table.header, [name for name in table.table.columns if name not in map(base.norm_header, (line, klass))]
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
    cap: Mapping[str, Any],
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
        elif name in ("version", "effective_from", "effective_to"):  # the rate table's version, and the dates it applies from and to
            read = (spec.date_optional if name == "effective_to" else spec.text)(row, value)  # 「定めなし」: no end date
            draft.issue[name] = read if name != "effective_from" else base.cell_date(read, at)
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
