"""Carriers whose plans and rates come from a quoting API as JSON documents: an `ApiLayout` says which key
holds what and what the API's codes mean; `load` reads its plan and rate documents into the common schema.

A plan lists its coverages in groups; a group that sets a total limit is a pool (内枠) its coverages sit
inside, and a coverage takes the limit basis and trigger it leaves out from its group. A plan's riders list
coverages too, each an optional rider. Rates name a rider by its coverage code, which the plans gave.
損保ジャパン's plans.json and rates.json are such an API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aggregator.schema import (
    CAP_ON_NET,
    Carrier,
    CarrierData,
    CoverageTerm,
    LimitPool,
    Line,
    Plan,
    RateTable,
    RatingStep,
    RoundingMode,
    TermStatus,
)
from aggregator.taxonomy import CoverageKey
from carriers.base import Where, WordingResolver, build
from carriers.jsontree import Api, Document, Node, Shape, each, open_documents
from carriers.spec import RateDraft, RuleFields, TermFields, Vocabulary, pick, pick_optional, read_rule, read_term, text

# The objects a layout names keys for, by role.
PLAN, GROUP, RIDER, RATES = "plan", "group", "rider", "rates"
OPTIONAL_RIDER = "(特約)"  # the status a rider's coverages are read as holding: they write none


@dataclass(frozen=True)
class Entries:
    """A rate table's list of entries: RateDraft's table it fills, the list's key, the key each entry is by and
    how that is read (text, yen, control, coverage), the key of its value."""

    table: str
    key: str
    by: str
    read: str
    value: str
    required: bool = True


@dataclass(frozen=True)
class ApiLayout:
    """Where one carrier's API puts each field, and its codes."""

    carrier: Carrier
    vocab: Vocabulary
    api: Api
    plans: str  # the plan document's file
    rates: str
    keys: Mapping[str, Mapping[str, str]]  # role -> field -> the API's key
    coverage: TermFields
    coverage_shape: Shape
    rule: RuleFields
    rule_shape: Shape
    pools: Mapping[str, tuple[str, str]]  # a group's code -> the pool its total makes: id, English label
    sections: Mapping[str, str]  # a group's or rider's code -> the taxonomy section its coverages' wording is read in
    entries: Sequence[Entries]
    cap_bases: Mapping[str, tuple[RatingStep, ...]]  # what the discount cap limits; none written: net of surcharges
    rounding_methods: Mapping[str, RoundingMode]  # how the rounding unit rounds; none written: up

    def key(self, role: str, name: str) -> str:
        return self.keys[role][name]


class ItemCodes(WordingResolver):
    """The item each coverage code names, learned from the plans: rates name a rider by its code, not its words."""

    def __init__(self, carrier: Carrier, plans: str) -> None:
        super().__init__(carrier)
        self.plans = plans  # the document the codes come from, for messages
        self.items: dict[str, CoverageKey] = {}

    def learn(self, code: Node, key: CoverageKey) -> None:
        if self.items.setdefault(code.text(), key) != key:
            raise code.fail(f"同じ補償コードが別の補償項目に使われています({self.items[code.text()]} と {key})")

    def resolve(self, wording: str, where: Where, *, section: object = None, line: object = None) -> CoverageKey:
        if wording not in self.items:
            raise where.error(f"{self.plans}にない補償コードです(使えるのは {', '.join(self.items)})", wording)
        return self.items[wording]


@dataclass(frozen=True)
class _Reader:
    layout: ApiLayout
    resolver: WordingResolver
    codes: ItemCodes

    def plan(self, node: Node, document: Document) -> Plan:
        layout, f = self.layout, self.layout.keys[PLAN]
        vocab = replace(layout.vocab, parents={code: pool for code, (pool, _) in layout.pools.items()})
        line = pick(node, f["line"], vocab.lines, vocab)
        terms: list[CoverageTerm] = []
        pools: list[LimitPool] = []
        group_shape = Shape(frozenset({layout.key(GROUP, "code"), layout.key(GROUP, "label")}), implied=layout.coverage_shape.implied)
        for group in node.req(f["groups"]).items():
            inherited = self.group(group.read_as(group_shape), pools)
            terms += self.terms(group, layout.coverage_shape, vocab, line, inherited)
        rider_vocab = replace(vocab, statuses={OPTIONAL_RIDER: TermStatus.OPTIONAL_RIDER})
        rider_shape = replace(layout.coverage_shape, implied={**layout.coverage_shape.implied, layout.coverage.status: OPTIONAL_RIDER})
        for rider in each(node.opt(f["riders"])):
            terms += self.terms(rider, rider_shape, rider_vocab, line, {layout.coverage.section: self.section(rider, RIDER)})
        return build(
            node.where,
            Plan,
            carrier=layout.carrier,
            line=line,
            code=node.req(f["code"]).text(),
            name=node.req(f["name"]).text(),
            product=node.req(f["product"]).text(),
            rate_version=document.version,
            effective_from=document.effective_from,
            effective_to=document.effective_to,
            limit_options_jpy=tuple(n.yen() for n in node.req(f["limits"]).items()),
            deductible_options_jpy=tuple(n.yen() for n in node.req(f["deductibles"]).items()),
            terms=tuple(terms),
            pools=tuple(pools),
            trigger=pick(node, f["trigger"], vocab.triggers, vocab),
            exclusions=tuple(n.text() for n in each(node.opt(f["exclusions"]))),
            name_en=text(node, f["name_en"], required=False),
            exclusions_en=tuple(n.text() for n in each(node.opt(f["exclusions_en"]))),
            sample=document.sample,
            source=document.source(node),
        )

    def group(self, group: Node, pools: list[LimitPool]) -> dict[str, Node | None]:
        """What the group's coverages take from it: its basis and trigger, its heading, and its pool if it sets a total."""
        layout, vocab, t = self.layout, self.layout.vocab, self.layout.coverage
        pool_id, label_en = pick(group, layout.key(GROUP, "code"), layout.pools, vocab)
        inherited = {t.basis: group.child(t.basis), t.trigger: group.child(t.trigger), t.section: self.section(group, GROUP)}
        total = group.opt(layout.key(GROUP, "total"))
        if total is None:
            return inherited
        label_ja, basis = text(group, layout.key(GROUP, "label")), pick(group, t.basis, vocab.bases, vocab)
        pools.append(
            build(group.where, LimitPool, pool_id=pool_id, label_ja=label_ja, label_en=label_en, limit_jpy=total.yen(), basis=basis)
        )
        return inherited | {t.parent: group.child(layout.key(GROUP, "code"))}

    def section(self, node: Node, role: str) -> Node | None:
        section = self.layout.sections.get(node.req(self.layout.key(role, "code")).text())
        return None if section is None else node.implied(self.layout.coverage.section, section)

    def terms(self, node: Node, shape: Shape, vocab: Vocabulary, line: Line, inherited: Mapping[str, Node | None]) -> list[CoverageTerm]:
        terms = []
        for coverage in node.req(self.layout.key(GROUP, "coverages")).items():
            code = coverage.req(self.layout.key(GROUP, "coverage_code"))
            term = read_term(coverage.read_as(shape, inherited), vocab, self.resolver, f=self.layout.coverage, line=line)
            if term is not None:  # one not classified is listed by resolver.finish(), which load() calls
                self.codes.learn(code, term.key)
                terms.append(term)
        return terms

    def entry(self, node: Node, entries: Entries) -> Any:
        """What one entry of a rate list is by: a plan code, an amount, a control, a coverage."""
        by, vocab = node.req(entries.by), self.layout.vocab
        if entries.read == "control":
            return vocab.pick(vocab.controls, by.text(), by.where, entries.by)
        if entries.read == "coverage":
            return self.codes.resolve(by.text(), by.where)
        return by.yen() if entries.read == "yen" else by.text()

    def rate_table(self, node: Node, document: Document) -> RateTable:
        layout, vocab, f = self.layout, self.layout.vocab, self.layout.keys[RATES]
        draft = RateDraft(bands=tuple(n.req(f["band_upper"]).yen() for n in node.req(f["bands"]).items()))
        for n in node.req(f["classes"]).items():
            draft.put(draft.classes, pick(n, f["industry"], vocab.industries, vocab), n.req(f["class"]).text(), n.where)
        for n in node.req(f["base"]).items():
            draft.put(draft.base, n.req(f["class"]).text(), tuple(p.yen() for p in n.req(f["premiums"]).items()), n.where)
        for entries in layout.entries:
            listed = node.req(entries.key) if entries.required else node.opt(entries.key)
            for n in each(listed):
                draft.put(getattr(draft, entries.table), self.entry(n, entries), n.req(entries.value).factor(), n.where)
        draft.scalars = {kind: node.req(f[kind]).factor() for kind in ("max_credit", "incident")}
        draft.scalars |= {kind: node.req(f[kind]).yen() for kind in ("minimum", "rounding")}
        draft.rounding_mode = pick_optional(node, f["rounding_method"], layout.rounding_methods, vocab) or RoundingMode.UP
        draft.steps = pick_optional(node, f["cap_basis"], layout.cap_bases, vocab) or CAP_ON_NET
        rules = node.req(f["rules"]).items()
        draft.rules = [rule for n in rules if (rule := read_rule(n.read_as(layout.rule_shape), vocab, self.codes, f=layout.rule))]
        return draft.table(
            layout.carrier,
            pick(node, f["line"], vocab.lines, vocab),
            version=document.version,
            effective_from=document.effective_from,
            effective_to=document.effective_to,
            sample=document.sample,
            source=document.source(node),
            where=node.where,
        )


def load(layout: ApiLayout, folder: Path, resolver: WordingResolver) -> CarrierData:
    """Every plan and rate table the API's documents hold, validated as a whole."""
    documents = open_documents(layout.api, folder)
    plans, rates = documents[layout.plans], documents[layout.rates]
    reader = _Reader(layout, resolver, ItemCodes(layout.carrier, layout.plans))
    listed = plans.root.req(layout.key(PLAN, "list"))
    read_plans = tuple(reader.plan(n, plans) for n in listed.items())
    if not read_plans:
        raise listed.fail("プランが1つもありません")
    resolver.finish()
    tables = tuple(reader.rate_table(n, rates) for n in rates.root.req(layout.key(RATES, "list")).items())
    return build(
        Where(f"{layout.plans}, {layout.rates}"),
        CarrierData,
        carrier=layout.carrier,
        plans=read_plans,
        rate_tables=tables,
        sources=(layout.plans, layout.rates),
        sample=plans.sample or rates.sample,
    )
