"""Carriers that write plans and rates one record a row (AIG損保): plans with their rate version, pools and coverage
items keyed by plan code, base premiums one class and revenue band a row, classes, factors and rules keyed by line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aggregator.errors import SchemaError
from aggregator.schema import Carrier, CarrierData, CoverageTerm, LimitPool, Line, Plan, RateTable, RatingStep, RoundingMode
from carriers.base import Where, WordingResolver, build, cell_date, has_sample_marker, is_blank, norm_header, read_csv, read_xlsx
from carriers.spec import Cells, RateDraft, Vocabulary, factor, find_table, listed, options, pick, read_rule, read_term, text, yen

# The tables a form names, by role.
PLANS, POOLS, TERMS, BASE, CLASSES, FACTORS, RULES = "plans", "pools", "terms", "base", "classes", "factors", "rules"
RATE_ROLES = (BASE, CLASSES, FACTORS, RULES)
# A factor row feeds the RateDraft field its kind names: a figure by option, or one for the line (these).
SCALARS = ("max_credit", "incident", "minimum", "rounding")
VERSION_FORMAT = re.compile(r"\d{4}\.\d{2}")
HEADER_WITHIN = 10  # rows of titles and notes a header may sit below


@dataclass(frozen=True)
class Form:
    """Where one carrier's tables are, the header of each field, its words, and its front end for a row."""

    carrier: Carrier
    vocab: Vocabulary
    tables: Mapping[str, tuple[str, str | None]]  # role -> (file, sheet); a CSV file has no sheet
    headers: Mapping[str, Mapping[str, str]]  # role -> field -> the carrier's header
    factor_kinds: Mapping[str, str]  # the carrier's factor names -> the RateDraft field each feeds
    cap_basis: Mapping[str, tuple[RatingStep, ...]]  # what a max_credit row's option says the cap limits
    rounding: Mapping[str, RoundingMode]  # which way a rounding row's option says premiums round
    stranger: str  # what a file that is not this carrier's is told
    cells: Callable[[Cells], Cells]  # a row as the shared readers take it
    optional: frozenset[str] = frozenset()  # headers a file may leave out
    separator: re.Pattern[str] = re.compile(r"[;；]")  # between the items of a list cell
    payout_ratio: Callable[[Cells], int] | None = None  # for co-insurance written instead of a payout ratio
    encoding: str = "utf-8"

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(file for file, _ in self.tables.values()))

    def name(self, role: str) -> str:
        file, sheet = self.tables[role]
        return sheet or file


def _table(form: Form, role: str, rows: Sequence[Sequence[Any]], where: Where) -> list[Cells]:
    """The rows under the role's header row, # notes left out; a file without that header row is not the carrier's."""
    layout = form.headers[role]
    required = [name for name, header in layout.items() if header not in form.optional]
    if not any(norm_header(v) == norm_header(layout[required[0]]) for row in rows[:HEADER_WITHIN] for v in row):
        raise where.error(f"{form.stranger}: 見出し行がありません", [layout[name] for name in required])
    table = find_table(rows, where, required, layout=layout, search_rows=HEADER_WITHIN, is_note=_is_note)
    return [form.cells(row) for row in table.rows]


def _is_note(values: Sequence[Any]) -> bool:
    return str(next((v for v in values if not is_blank(v)), "")).strip().startswith("#")


def _open(form: Form, paths: Mapping[str, Path]) -> tuple[dict[str, list[Cells]], bool]:
    """Each role's rows, and whether any file says it is sample data."""
    found: dict[tuple[str, str | None], Sequence[Sequence[Any]]] = {}
    sample = False
    for file in form.files:
        sheets = [sheet for f, sheet in form.tables.values() if f == file]
        book: dict[Any, Any] = {None: read_csv(paths[file], form.encoding)} if None in sheets else read_xlsx(paths[file])
        if missing := [sheet for sheet in sheets if sheet not in book]:  # none of them there: some other carrier's workbook
            words = form.stranger if len(missing) == len(sheets) else f"シート「{missing[0]}」がありません"
            raise Where(file, missing[0]).error(words, list(book))
        found |= {(file, sheet): book[sheet] for sheet in sheets}
        sample = sample or has_sample_marker(v for rows in book.values() for row in rows for v in row)
    return {role: _table(form, role, found[place], Where(*place)) for role, place in form.tables.items()}, sample


def identify(form: Form, path: Path) -> bool:
    """Is this one of the form's files: does it hold one of its tables' header rows? Never raises: an unreadable file is not ours."""
    try:
        book: dict[Any, Any] = {None: read_csv(path, form.encoding)} if path.suffix.lower() == ".csv" else read_xlsx(path)
    except Exception:
        return False
    wanted = {role: {norm_header(h) for h in layout.values() if h not in form.optional} for role, layout in form.headers.items()}
    return any(
        wanted[role] <= set(map(norm_header, row))
        for role, (_, sheet) in form.tables.items()
        for row in book.get(sheet, [])[:HEADER_WITHIN]
    )


def _version(row: Cells) -> tuple[str, date, date | None]:
    """The rate version a row is written for, and the dates it applies from and until."""
    if not VERSION_FORMAT.fullmatch(version := text(row, "version")):
        raise row.at("version").error("料率版は 2026.04 の形で書いてください", version)
    until = None if is_blank(row.get("to")) else cell_date(row.get("to"), row.at("to"))
    return version, cell_date(row.get("from"), row.at("from")), until


@dataclass
class _Draft:
    """One plan as the files give it: its row, and its pools and coverage items with theirs."""

    row: Cells
    pools: list[tuple[LimitPool, Cells]] = field(default_factory=list)
    terms: list[tuple[CoverageTerm | None, Cells]] = field(default_factory=list)


def _read_plans(form: Form, tables: Mapping[str, list[Cells]], resolver: WordingResolver) -> list[_Draft]:
    drafts: dict[str, _Draft] = {}
    for row in tables[PLANS]:
        if text(row, "code") in drafts:
            raise row.at("code").error("プランコードが重複しています", text(row, "code"))
        drafts[text(row, "code")] = _Draft(row)

    def draft_of(row: Cells) -> _Draft:
        if text(row, "code") not in drafts:
            raise row.at("code").error(f"「{form.name(PLANS)}」にないプランコードです", text(row, "code"))
        return drafts[text(row, "code")]

    for row in tables[POOLS]:
        draft_of(row).pools.append((_pool(form.vocab, row), row))
    for row in tables[TERMS]:
        draft_of(row).terms.append((read_term(row, form.vocab, resolver, payout_ratio=form.payout_ratio), row))
    if lacking := [draft.row for draft in drafts.values() if not draft.terms]:
        raise lacking[0].at("code").error(f"「{form.name(TERMS)}」にこのプランの補償がありません", text(lacking[0], "code"))
    return list(drafts.values())


def _pool(vocab: Vocabulary, row: Cells) -> LimitPool:
    pool_id, basis = pick(row, "pool", vocab.parents, vocab), pick(row, "basis", vocab.bases, vocab)
    labels = {"label_ja": text(row, "label_ja"), "label_en": text(row, "label_en")}
    return build(row.at("limit"), LimitPool, pool_id=pool_id, limit_jpy=yen(row, "limit"), basis=basis, **labels)


def _plan(form: Form, draft: _Draft, sample: bool) -> Plan:
    row, vocab = draft.row, form.vocab
    version, start, end = _version(row)
    try:
        return Plan(
            carrier=form.carrier,
            line=pick(row, "line", vocab.lines, vocab),
            code=text(row, "code"),
            name=text(row, "name"),
            name_en=text(row, "name_en", required=False),
            product=text(row, "product"),
            rate_version=version,
            effective_from=start,
            effective_to=end,
            limit_options_jpy=options(row, "limits", vocab.unit),
            deductible_options_jpy=options(row, "deductibles", vocab.unit),
            terms=tuple(t for t, _ in draft.terms if t is not None),
            pools=tuple(p for p, _ in draft.pools),
            trigger=pick(row, "trigger", vocab.triggers, vocab),
            sample=sample,
            source=f"{form.tables[PLANS][0]} ({form.name(PLANS)}, {form.name(TERMS)})",
            exclusions=listed(row, "exclusions", form.separator),
            exclusions_en=listed(row, "exclusions_en", form.separator),
        )
    except SchemaError as exc:
        raise _plan_where(exc.field, draft).error(f"{exc.field}: {exc.reason}", exc.value) from exc


def _plan_where(name: str, draft: _Draft) -> Where:
    """The row a plan's schema fault comes from: a coverage item's, a pool's, or the plan's own."""
    for term, row in draft.terms:
        if term is not None and f"terms[{term.key}]" in name:
            return row.at("limit" if name.endswith("limit_jpy") else "parent")
    return next((row.at("limit") for pool, row in draft.pools if f"pools[{pool.pool_id}]" in name), draft.row.where)


@dataclass
class _Rates:
    """One line's rates as the files give them: the version its rows repeat, base premiums by class and band, the rest."""

    version: tuple[str, date, date | None]
    where: Where
    premiums: dict[str, dict[int, tuple[int, Where]]] = field(default_factory=dict)
    draft: RateDraft = field(default_factory=RateDraft)


def _read_rates(form: Form, tables: Mapping[str, list[Cells]], resolver: WordingResolver) -> dict[Line, _Rates]:
    vocab, rates = form.vocab, dict[Line, _Rates]()
    for row in tables[BASE]:
        version = _version(row)
        line = rates.setdefault(pick(row, "line", vocab.lines, vocab), _Rates(version, row.where))
        if version != line.version:
            raise row.at("version").error(f"同じ種目で料率版・適用日が行によって違います({line.where})", version[0])
        premium = (yen(row, "premium"), row.at("premium"))
        RateDraft.put(line.premiums.setdefault(text(row, "class"), {}), yen(row, "band"), premium, row.at("band"))
    for line in rates.values():  # each class's premiums across the line's revenue bands: every class gives every band
        uppers = sorted({band for premiums in line.premiums.values() for band in premiums})
        for klass, premiums in line.premiums.items():
            cells = [premiums.get(band, (None, line.where)) for band in uppers]
            line.draft.band_premiums(uppers, klass, [premium for premium, _ in cells], [where for _, where in cells])

    def line_of(row: Cells) -> _Rates:
        if (line := pick(row, "line", vocab.lines, vocab)) not in rates:
            raise row.at("line").error(f"{form.tables[BASE][0]} に基本保険料のない種目です", text(row, "line"))
        return rates[line]

    for row in tables[CLASSES]:
        line, klass = line_of(row), text(row, "class")
        if klass not in line.premiums:
            raise row.at("class").error(f"{form.tables[BASE][0]} に基本保険料のない料率区分です", klass)
        RateDraft.put(line.draft.classes, pick(row, "industry", vocab.industries, vocab), klass, row.at("industry"))
    for row in tables[FACTORS]:
        _factor(form, row, line_of(row).draft, resolver)
    for row in tables[RULES]:
        draft = line_of(row).draft
        if (rule := read_rule(row, vocab, resolver)) is not None:  # None: an unclassified rider, which the resolver lists
            draft.rules.append(rule)
    return rates


def _factor(form: Form, row: Cells, draft: RateDraft, resolver: WordingResolver) -> None:
    vocab, at, option = form.vocab, row.at("option"), row.get("option")
    kind = pick(row, "kind", form.factor_kinds, vocab)
    if kind in SCALARS:
        if kind == "max_credit" and not is_blank(option):
            draft.steps = pick(row, "option", form.cap_basis, vocab)
        elif kind == "rounding" and not is_blank(option):
            draft.rounding_mode = pick(row, "option", form.rounding, vocab)
        elif not is_blank(option):
            raise at.error("この係数に選択肢は付けられません", option)
        RateDraft.put(draft.scalars, kind, yen(row, "factor") if kind in ("minimum", "rounding") else factor(row, "factor"), row.at("kind"))
        return
    if kind in ("limit_factor", "deductible_factor"):
        option = yen(row, "option", vocab.unit)
    elif kind in ("credit", "debit"):
        option = pick(row, "option", vocab.controls, vocab)
    else:
        option = resolver.resolve(text(row, "option"), at) if kind == "riders" else text(row, "option")
    if option is not None:  # None: an unclassified rider, which the resolver lists
        RateDraft.put(getattr(draft, kind), option, factor(row, "factor"), at)


def _rate_table(form: Form, line: Line, rates: _Rates, sample: bool) -> RateTable:
    version, start, end = rates.version
    source, where = (
        ", ".join(dict.fromkeys(form.tables[role][0] for role in RATE_ROLES)),
        Where(*form.tables[FACTORS], column=form.headers[FACTORS]["kind"]),
    )
    product, names = next(name for name, code in form.vocab.lines.items() if code == line), {k: n for n, k in form.factor_kinds.items()}

    def missing(kind: str) -> str:
        return f"「{product}」の「{names[kind]}」の行がありません"

    return rates.draft.table(
        form.carrier,
        line,
        version=version,
        effective_from=start,
        effective_to=end,
        sample=sample,
        source=source,
        where=where,
        missing=missing,
    )


def load(form: Form, paths: Mapping[str, Path], resolver: WordingResolver) -> CarrierData:
    """Every plan and rate table in the form's files (`paths` by file name), validated as a whole."""
    tables, sample = _open(form, paths)
    drafts, rates = _read_plans(form, tables, resolver), _read_rates(form, tables, resolver)
    resolver.finish()
    plans = [(_plan(form, draft, sample), draft) for draft in drafts]
    rate_tables = {line: _rate_table(form, line, line_rates, sample) for line, line_rates in rates.items()}
    for plan, draft in plans:
        table = rate_tables.get(plan.line)
        if table is not None and table.version != plan.rate_version:
            raise draft.row.at("version").error(f"料率表({table.version})と料率版が違います", plan.rate_version)
    found, rated = tuple(p for p, _ in plans), tuple(rate_tables.values())
    try:
        return CarrierData(carrier=form.carrier, plans=found, rate_tables=rated, sources=form.files, sample=sample)
    except SchemaError as exc:
        where = next((d.row.where for p, d in plans if f"plans[{p.code}]" in exc.field), Where(form.tables[FACTORS][0]))
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc
