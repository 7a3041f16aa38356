"""A long-form carrier's records read into plans (each with its pools and coverage items) and one rate table per line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from aggregator.errors import SchemaError
from aggregator.schema import CarrierData, CoverageTerm, LimitPool, Line, Plan, RateTable
from carriers.base import Where, WordingResolver, build, is_blank
from carriers.longform import BASE, CLASSES, FACTORS, PLANS, POOLS, RATE_ROLES, RULES, SCALARS, TERMS, Form, open_tables, row_version
from carriers.spec import Cells, RateDraft, Vocabulary, factor, listed, options, pick, read_rule, read_term, text, yen


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
    version, start, end = row_version(row)
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
        version = row_version(row)
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
    tables, sample = open_tables(form, paths)
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
