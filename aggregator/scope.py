"""Scope read from a carrier's own words: a cover narrower than its item's name must not look like a full one.

A plan's liability that pays only for personal-information leaks (三井住友海上's 情報漏えい限定補償特約
narrows a plan that way; 損保ジャパン's basic plan names its item 「個人情報漏えいについての賠償金」) is
not the same cover as liability for every breach of duty, and an employee-misconduct item that pays
only for data taken out is not cover for every dishonest act. Where a carrier's file states the
scope, the adapter keeps it; otherwise the item's own name is read for the narrowing words below.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from aggregator.plans import CoverageTerm, Plan
from aggregator.rates import CarrierData
from aggregator.taxonomy import CoverageKey

K = CoverageKey


@dataclass(frozen=True, slots=True)
class ScopeRule:
    keys: frozenset[CoverageKey]
    narrowing: re.Pattern[str]  # words that narrow the item to one cause
    broad: re.Pattern[str] | None  # words that show the item is not narrowed after all
    scope_ja: str
    scope_en: str


LEAK = re.compile(r"個人情報|情報漏え?洩?い|漏えい|漏洩|privacy|data breach|personal (?:information|data)", re.IGNORECASE)
BEYOND_LEAK = re.compile(
    r"ネットワーク|サイバー|システム|業務|セキュリティ|メディア|\bIT(?![a-z])|(?i:\b(?:network|security|cyber|system|media|professional|errors)\b)"
)

RULES: tuple[ScopeRule, ...] = (
    ScopeRule(
        frozenset({K.LIABILITY_DAMAGES, K.LITIGATION_COSTS}),
        LEAK,
        BEYOND_LEAK,
        "個人情報・情報の漏えいに起因する賠償責任に限る",
        "Liability arising from a leak of (personal) information only",
    ),
    ScopeRule(
        frozenset({K.EMPLOYEE_MISCONDUCT}),
        re.compile(r"持ち?出し|持出|data theft|theft of data", re.IGNORECASE),
        re.compile(r"不正行為|犯罪行為|dishonest|fraud", re.IGNORECASE),
        "従業員による情報の持ち出しに限る",
        "Data taken out by an employee only",
    ),
)


def scope_of(key: CoverageKey, wording: str) -> tuple[str, str]:
    """The scope an item's own name states, when narrower than the item: (Japanese, English), or ("", "")."""
    text = unicodedata.normalize("NFKC", wording)
    for rule in RULES:
        if key in rule.keys and rule.narrowing.search(text) and not (rule.broad and rule.broad.search(text)):
            return rule.scope_ja, rule.scope_en
    return "", ""


def _with_scope(term: CoverageTerm) -> CoverageTerm:
    if term.scope or not term.offered:
        return term
    ja, en = scope_of(term.key, term.wording)
    return replace(term, scope=ja, scope_en=en) if ja else term


def _plan(plan: Plan) -> Plan:
    terms = tuple(_with_scope(t) for t in plan.terms)
    return plan if terms == plan.terms else replace(plan, terms=terms)


def with_scopes(data: CarrierData) -> CarrierData:
    """A carrier's plans with the scope its own words state filled in where its file left it out."""
    plans = tuple(_plan(p) for p in data.plans)
    return data if plans == data.plans else replace(data, plans=plans)


def narrowed(terms: Iterable[CoverageTerm]) -> tuple[CoverageTerm, ...]:
    return tuple(t for t in terms if t.scope)
