"""Carriers that write their plans and rates one record a row, each row naming the plan or line it belongs to.

Plans one a row (each with its rate version), their pools and coverage items keyed by plan code; base premiums
one class and revenue band a row, industry classes, factors by kind and option, and underwriting rules keyed by
line. A `Form` says which sheet or CSV file holds each table, what its headers are and how a row is read.
AIG損保's English schedule of coverages and CSV rate tables are one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aggregator.errors import CarrierDataError, SchemaError
from aggregator.schema import POLICY_POOL, Carrier, CarrierData, CoverageTerm, LimitPool, Line, Plan, RateTable, RatingStep, RoundingMode
from carriers.base import (
    Where,
    WordingResolver,
    build,
    cell_date,
    cell_yen,
    flatten,
    has_sample_marker,
    is_blank,
    norm_header,
    read_csv,
    read_xlsx,
)
from carriers.spec import (
    Cells,
    RateDraft,
    Row,
    Vocabulary,
    blank,
    date_optional,
    factor,
    find_table,
    listed,
    pick,
    read_rule,
    read_term,
    text,
    yen,
)

# The tables a form names, by role.
PLANS, POOLS, TERMS, BASE, CLASSES, FACTORS, RULES = "plans", "pools", "terms", "base", "classes", "factors", "rules"
PLAN_ROLES, RATE_ROLES = (PLANS, POOLS, TERMS), (BASE, CLASSES, FACTORS, RULES)
# What a factor row feeds: a figure by option, or one figure for the line (whose option, if any, says how it applies).
BY_OPTION = {
    "plan": "plan_factor",
    "limit": "limit_factor",
    "deductible": "deductible_factor",
    "credit": "credit",
    "debit": "debit",
    "rider": "riders",
}
SCALARS = ("max_credit", "incident", "minimum", "rounding")
REQUIRED = ("plan", "limit", "deductible", "credit", *SCALARS)  # a line may do without debits and rider loadings
VERSION_FORMAT = re.compile(r"\d{4}\.\d{2}")
HEADER_WITHIN = 10  # rows of titles and notes a header may sit below


@dataclass(frozen=True)
class Form:
    """Where one carrier's tables are, the header of each field, its words, and its front end for a row."""

    carrier: Carrier
    vocab: Vocabulary
    tables: Mapping[str, tuple[str, str | None]]  # role -> (file, sheet); a CSV file has no sheet
    headers: Mapping[str, Mapping[str, str]]  # role -> field -> the carrier's header
    factor_kinds: Mapping[str, str]  # the carrier's factor names -> a BY_OPTION or SCALARS kind
    cap_basis: Mapping[str, tuple[RatingStep, ...]]  # what a max_credit row's option says the cap limits
    rounding: Mapping[str, RoundingMode]  # which way a rounding row's option says premiums round
    stranger: str  # what a file that is not this carrier's is told
    cells: Callable[[Row], Cells]  # a row as the shared readers take it
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


def _is_note(values: Sequence[Any]) -> bool:
    filled = [v for v in values if not is_blank(v)]
    return isinstance(filled[0], str) and filled[0].strip().startswith("#")


def _table(form: Form, role: str, rows: Sequence[Sequence[Any]], where: Where) -> list[Cells]:
    """The rows under the role's header row, # notes left out; a file without that header row is not the carrier's."""
    layout = form.headers[role]
    required = [name for name, header in layout.items() if header not in form.optional]
    if not any(norm_header(v) == norm_header(layout[required[0]]) for row in rows[:HEADER_WITHIN] for v in row):
        raise where.error(f"{form.stranger}: 見出し行がありません", [layout[name] for name in required])
    table = find_table(rows, where, required, layout=layout, search_rows=HEADER_WITHIN, is_note=_is_note)
    return [form.cells(row) for row in table.rows]


def _open(form: Form, paths: Mapping[str, Path]) -> tuple[dict[str, list[Cells]], dict[str, bool]]:
    """Each role's rows, and which files say they are sample data."""
    found: dict[tuple[str, str | None], Sequence[Sequence[Any]]] = {}
    sample: dict[str, bool] = {}
    for file in form.files:
        sheets = [sheet for f, sheet in form.tables.values() if f == file and sheet is not None]
        if not sheets:
            found[file, None] = read_csv(paths[file], form.encoding)
            sample[file] = has_sample_marker(flatten(found[file, None]))
            continue
        book = read_xlsx(paths[file])
        if not set(sheets) & set(book):
            raise Where(file).error(form.stranger, list(book))
        for sheet in sheets:
            if sheet not in book:
                raise Where(file, sheet).error(f"シート「{sheet}」がありません", list(book))
            found[file, sheet] = book[sheet]
        sample[file] = has_sample_marker(flatten(row for rows in book.values() for row in rows))
    return {role: _table(form, role, found[place], Where(*place)) for role, place in form.tables.items()}, sample


def identify(form: Form, path: Path) -> bool:
    """Is this one of the form's files? Never raises: a file it cannot read is not ours."""

    def holds(role: str, rows: Sequence[Sequence[Any]]) -> bool:
        try:
            _table(form, role, rows, Where(path.name))
        except CarrierDataError:
            return False
        return True

    try:
        if path.suffix.lower() == ".csv":
            rows = read_csv(path, form.encoding)
            return any(holds(role, rows) for role, (_, sheet) in form.tables.items() if sheet is None)
        if path.suffix.lower() == ".xlsx":
            book = read_xlsx(path)
            in_books = [(role, sheet) for role, (_, sheet) in form.tables.items() if sheet is not None]
            return all(sheet in book and holds(role, book[sheet]) for role, sheet in in_books)
    except Exception:
        return False
    return False


def _amount(vocab: Vocabulary, written: str, where: Where) -> int:
    """An amount, or the carrier's word for none (Nil)."""
    return 0 if norm_header(written).lower() in vocab.no_deductible else cell_yen(written, where)


# --------------------------------------------------------------- plans ---


@dataclass
class _Draft:
    """One plan as the files give it: its row, its pools' rows and its coverage items' rows."""

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
    for draft in drafts.values():
        if not draft.terms:
            raise draft.row.at("code").error(f"「{form.name(TERMS)}」にこのプランの補償がありません", text(draft.row, "code"))
    return list(drafts.values())


def _pool(vocab: Vocabulary, row: Cells) -> LimitPool:
    pool_id = pick(row, "pool", vocab.parents, vocab)
    if pool_id == POLICY_POOL:
        raise row.at("pool").error("保険期間中の支払限度額そのものは内枠として定義できません", text(row, "pool"))
    label_ja, label_en, basis = text(row, "label_ja"), text(row, "label_en"), pick(row, "basis", vocab.bases, vocab)
    return build(
        row.at("limit"), LimitPool, pool_id=pool_id, label_ja=label_ja, label_en=label_en, limit_jpy=yen(row, "limit"), basis=basis
    )


def _plan(form: Form, draft: _Draft, sample: bool) -> Plan:
    row, vocab = draft.row, form.vocab
    version = text(row, "version")
    if not VERSION_FORMAT.fullmatch(version):
        raise row.at("version").error("料率版は 2026.04 の形で書いてください", version)
    try:
        return Plan(
            carrier=form.carrier,
            line=pick(row, "line", vocab.lines, vocab),
            code=text(row, "code"),
            name=text(row, "name"),
            name_en=text(row, "name_en", required=False),
            product=text(row, "product"),
            rate_version=version,
            effective_from=cell_date(row.get("from"), row.at("from")),
            effective_to=date_optional(row, "to"),
            limit_options_jpy=tuple(sorted(_amount(vocab, part, row.at("limits")) for part in listed(row, "limits"))),
            deductible_options_jpy=tuple(sorted(_amount(vocab, part, row.at("deductibles")) for part in listed(row, "deductibles"))),
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


# --------------------------------------------------------------- rates ---


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
        version = (text(row, "version"), cell_date(row.get("from"), row.at("from")), date_optional(row, "to"))
        line = rates.setdefault(pick(row, "line", vocab.lines, vocab), _Rates(version, row.where))
        if version != line.version:
            raise row.at("version").error(f"同じ種目で料率版・適用日が行によって違います({line.where})", version[0])
        premium = (yen(row, "premium"), row.at("premium"))
        RateDraft.put(line.premiums.setdefault(text(row, "class"), {}), yen(row, "band"), premium, row.at("band"))
    for line in rates.values():
        _bands(line)

    def line_of(row: Cells) -> _Rates:
        line = pick(row, "line", vocab.lines, vocab)
        if line not in rates:
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
        rule = read_rule(row, vocab, resolver)
        if rule is not None:  # an unclassified rider: the resolver lists it
            draft.rules.append(rule)
    return rates


def _bands(line: _Rates) -> None:
    """Each class's premiums across the line's revenue bands, written one band a row: every class gives every band."""
    uppers = sorted({band for premiums in line.premiums.values() for band in premiums})
    for klass, premiums in line.premiums.items():
        first = next(iter(premiums.values()))[1]
        cells = [premiums.get(band, (None, first)) for band in uppers]
        line.draft.band_premiums(uppers, klass, [premium for premium, _ in cells], [where for _, where in cells])


def _factor(form: Form, row: Cells, draft: RateDraft, resolver: WordingResolver) -> None:
    vocab, at = form.vocab, row.at("option")
    kind = pick(row, "kind", form.factor_kinds, vocab)
    if kind in SCALARS:
        if kind == "max_credit" and not blank(row, "option"):
            draft.steps = pick(row, "option", form.cap_basis, vocab)
        elif kind == "rounding" and not blank(row, "option"):
            draft.rounding_mode = pick(row, "option", form.rounding, vocab)
        elif not blank(row, "option"):
            raise at.error("この係数に選択肢は付けられません", row.get("option"))
        figure = yen(row, "factor") if kind in ("minimum", "rounding") else factor(row, "factor")
        RateDraft.put(draft.scalars, kind, figure, row.at("kind"))
        return
    option: Any = text(row, "option")
    if kind in ("limit", "deductible"):
        option = _amount(vocab, option, at)
    elif kind in ("credit", "debit"):
        option = pick(row, "option", vocab.controls, vocab)
    elif kind == "rider":
        option = resolver.resolve(option, at)
    value = factor(row, "factor")
    if kind in ("credit", "debit") and not -10_000 < value < 10_000:
        raise row.at("factor").error("割増引は±100%未満です", row.get("factor"))
    if option is not None:  # an unclassified rider: the resolver lists it
        RateDraft.put(getattr(draft, BY_OPTION[kind]), option, value, at)


def _rate_table(form: Form, line: Line, rates: _Rates, sample: bool) -> RateTable:
    file, sheet = form.tables[FACTORS]
    where, draft = Where(file, sheet, column=form.headers[FACTORS]["kind"]), rates.draft
    written = {kind for kind, table in BY_OPTION.items() if getattr(draft, table)} | set(draft.scalars)
    names = {kind: name for name, kind in form.factor_kinds.items()}
    if lacking := [names[kind] for kind in REQUIRED if kind not in written]:
        product = next(name for name, code in form.vocab.lines.items() if code == line)
        raise where.error(f"「{product}」の係数がありません", lacking)
    version, start, end = rates.version
    source = ", ".join(dict.fromkeys(form.tables[role][0] for role in RATE_ROLES))
    return draft.table(
        form.carrier, line, version=version, effective_from=start, effective_to=end, sample=sample, source=source, where=where
    )


def load(form: Form, paths: Mapping[str, Path], resolver: WordingResolver) -> CarrierData:
    """Every plan and rate table in the form's files (`paths` by file name), validated as a whole."""
    tables, sample = _open(form, paths)
    drafts = _read_plans(form, tables, resolver)
    rates = _read_rates(form, tables, resolver)
    resolver.finish()
    plan_sample, rate_sample = (any(sample[form.tables[role][0]] for role in roles) for roles in (PLAN_ROLES, RATE_ROLES))
    plans = [(_plan(form, draft, plan_sample), draft) for draft in drafts]
    rate_tables = {line: _rate_table(form, line, line_rates, rate_sample) for line, line_rates in rates.items()}
    for plan, draft in plans:
        table = rate_tables.get(plan.line)
        if table is not None and table.version != plan.rate_version:
            raise draft.row.at("version").error(f"料率表({table.version})と料率版が違います", plan.rate_version)
    try:
        return CarrierData(
            carrier=form.carrier,
            plans=tuple(p for p, _ in plans),
            rate_tables=tuple(rate_tables.values()),
            sources=form.files,
            sample=plan_sample or rate_sample,
        )
    except SchemaError as exc:
        where = next((d.row.where for p, d in plans if f"plans[{p.code}]" in exc.field), Where(form.tables[FACTORS][0]))
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc
