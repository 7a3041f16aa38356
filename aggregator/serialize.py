"""Domain objects to plain JSON-ready data (enums as their values, dates as ISO text, money as int), and the comparison's JSON.

The comparison's JSON is what the API returns, `aggregator quote --json` prints and a
Recommendation stores (with its fingerprint): one function, so they cannot differ.

Two ways to the same JSON: `to_data` walks the objects into dicts and lists in Python (the
reference, and what code that reads the data wants); `dumps` hands the objects themselves to
orjson, which encodes dataclasses, enums, dates and tuples in C by the same rules. The
comparison takes either path through one function (`comparison_to_data(deep=False)` leaves the
objects in), so a key added there reaches both; tests/test_serialize.py holds them equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any

import orjson

from aggregator.comparison import Column, Comparison, CurrentColumn, ScenarioResult
from aggregator.contract import LiabilityCase
from aggregator.contract_check import ContractCheck
from aggregator.current import Mark, title
from aggregator.current_data import current_to_data
from aggregator.labels import carrier_name, line_name, quote_status
from aggregator.present import cell_notes, plan_terms
from aggregator.quotes import Quote
from aggregator.taxonomy import KEY_INFO


def to_data(obj: Any) -> Any:
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, date):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(to_data(k)): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (frozenset, set)):
        return sorted(to_data(v) for v in obj)
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    return obj


def _as_is(obj: Any) -> Any:
    return obj


def _fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, their values left as they are (for `dumps` to encode)."""
    names, getter = _getters.get(type(obj)) or _getter(type(obj))
    return dict(zip(names, getter(obj), strict=True))


_getters: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _getter(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    names = tuple(f.name for f in dataclasses.fields(cls))
    many = operator.attrgetter(*names)
    getter: Callable[[Any], tuple[Any, ...]] = many if len(names) > 1 else lambda obj: (many(obj),)
    _getters[cls] = (names, getter)
    return names, getter


def _default(obj: Any) -> Any:
    """What orjson cannot encode by itself, the way to_data does: sets sorted, other mappings as dicts."""
    if isinstance(obj, (frozenset, set, Mapping)):
        return to_data(obj)
    raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(obj: Any) -> bytes:
    """JSON of data or of domain objects (UTF-8, compact): the same document `json.dumps(to_data(obj))` gives."""
    return orjson.dumps(obj, default=_default, option=_OPTIONS)


def dumps_text(obj: Any) -> str:
    """`dumps` as text: the database's JSON columns are written with it."""
    return dumps(obj).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


def fragment(encoded: bytes) -> orjson.Fragment:
    """JSON already encoded, to be put into a larger document by `dumps` as it is."""
    return orjson.Fragment(encoded)


def fingerprint_of(data: Any) -> str:
    """SHA-256 of the canonical JSON (keys sorted, compact, UTF-8) of data or of domain objects:
    byte for byte what `json.dumps(to_data(data), ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))` gives, so a record stored before this function existed keeps its
    fingerprint. Dataclasses go through `_fields` here (not orjson's own encoding, whose field
    order cannot be sorted), so every level comes out sorted in one pass."""
    canonical = orjson.dumps(data, default=_canonical, option=_OPTIONS | orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS)
    return hashlib.sha256(canonical).hexdigest()


def _canonical(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _fields(obj)
    return _default(obj)


def comparison_to_data(comparison: Comparison, *, deep: bool = True) -> dict[str, Any]:
    """The comparison as JSON-ready data: what the API returns and a Recommendation stores.

    Each item carries its Oasis Open Exposure Data cyber coverage code where one fits.
    With `deep=False` the nested domain objects are left in for `dumps` to encode (the fast
    path: no Python walk of every cell); `loads(dumps(...))` of it equals the deep data.
    """
    convert: Callable[[Any], Any] = to_data if deep else _as_is
    record: Callable[[Any], dict[str, Any]] = to_data if deep else _fields

    columns = []
    for column in comparison.columns:
        q = column.quote
        columns.append(
            {
                "carrier": q.carrier.value,
                "carrier_name": carrier_name(q.carrier),
                "carrier_name_en": carrier_name(q.carrier, "en"),
                "line": q.line.value,
                "line_name": line_name(q.line),
                "plan_code": q.plan.code,
                "plan_name": q.plan.name,
                "plan_name_en": q.plan.name_en,
                "product": q.plan.product,
                "status": q.status.value,
                "status_label": quote_status(q.status),
                "premium_jpy": q.premium_jpy,
                "asked": {"limit_jpy": q.asked_limit_jpy, "deductible_jpy": q.asked_deductible_jpy, "riders": convert(q.riders_asked)},
                "quoted": {"limit_jpy": q.limit_jpy, "deductible_jpy": q.deductible_jpy, "riders": convert(q.riders)},
                "adjustments": [
                    {"what": a.what, "asked": a.asked, "quoted": a.quoted, "text_ja": a.reason.text_ja, "text_en": a.reason.text_en}
                    for a in q.adjustments
                ],
                "conditions": convert(q.conditions),
                "reasons": convert(q.reasons),
                "options": convert(q.options),
                "rate_version": q.rate_version,
                "valid_until": convert(q.valid_until),
                "sample": q.sample,
                "total_shortfall_jpy": column.total_shortfall_jpy,
                "retroactive": q.plan.retroactive,
                "exclusions": list(q.plan.exclusions),
                "exclusions_en": list(q.plan.exclusions_en),
                "terms_ja": [{"label": k, "text": v} for k, v in plan_terms(q, "ja")],
                "terms_en": [{"label": k, "text": v} for k, v in plan_terms(q, "en")],
                "pools": convert(column.pools),
                "cells": [
                    {
                        **record(c),
                        "oed_code": KEY_INFO[c.key].oed_code,
                        "notes_ja": list(cell_notes(c, q.deductible_jpy, "ja")),
                        "notes_en": list(cell_notes(c, q.deductible_jpy, "en")),
                    }
                    for c in column.cells
                ],
            }
        )
    rows = [
        {
            "key": r.key.value,
            "category": r.category.value,
            "label_ja": KEY_INFO[r.key].label_ja,
            "label_en": KEY_INFO[r.key].label_en,
            "oed_code": KEY_INFO[r.key].oed_code,
            "need": None if r.need is None else convert(r.need),
        }
        for r in comparison.rows
    ]
    quotes = [c.quote for c in comparison.columns]
    extra: dict[str, Any] = {}
    if comparison.contract is not None:
        extra["contract"] = check_to_data(comparison.contract, quotes)
    if comparison.scenarios:
        extra["scenarios"] = results_to_data(comparison.scenarios, quotes)
    data = {
        **extra,
        "sample": comparison.sample,
        "priorities": convert(comparison.priorities),
        "assumptions": convert(comparison.needs.assumptions),
        "columns": columns,
        "rows": rows,
        "ranking": convert(comparison.ranking),
        "best_column": comparison.best_column,
        "materiality_jpy": comparison.materiality_jpy,
        "added_columns": list(comparison.added),
        "not_sold": [
            {
                "carrier": n.carrier.value,
                "carrier_name": carrier_name(n.carrier),
                "carrier_name_en": carrier_name(n.carrier, "en"),
                "line": n.line.value,
                "nearest_line": n.nearest_line.value if n.nearest_line else None,
                "nearest_product": n.nearest_product,
            }
            for n in comparison.not_sold
        ],
    }
    if comparison.current is not None:  # only then: a comparison without one keeps the data (and fingerprint) it always had
        data["current_policy"] = current_column_to_data(comparison.current, comparison.columns)
    return data


def case_to_data(case: LiabilityCase) -> dict[str, Any]:
    return {
        "claim_jpy": case.claim_jpy,
        "cap_jpy": case.cap_jpy,
        "ordinary_jpy": case.ordinary_jpy,
        "worst_jpy": case.worst_jpy,
        "uncapped": case.uncapped,
        "ordinary_ja": case.ordinary_ja,
        "ordinary_en": case.ordinary_en,
        "worst_ja": case.worst_ja,
        "worst_en": case.worst_en,
        "claim_ja": case.claim_ja,
        "claim_en": case.claim_en,
        "parts": [
            {"kind": p.kind, "amount_jpy": p.amount_jpy, "ja": p.worked_ja, "en": p.worked_en, "special": p.special} for p in case.parts
        ],
    }


def check_to_data(found: ContractCheck, quotes: Sequence[Quote]) -> dict[str, Any]:
    """The contract check as the JSON of the API and `aggregator quote --json`."""
    return {
        "answers": to_data(found.terms),
        "clauses": [to_data(c) for c in found.clauses],
        "liability": None if found.liability is None else case_to_data(found.liability),
        "sets_need": found.sets_need,
        "plans": [
            {"carrier": quotes[p.column].carrier.value, "plan_code": quotes[p.column].plan.code, **to_data(p)}
            for p in found.plans
            if p.column < len(quotes)
        ],
        "source_ja": found.source_ja,
        "source_en": found.source_en,
    }


def results_to_data(results: Sequence[ScenarioResult], quotes: Sequence[Quote]) -> list[dict[str, Any]]:
    """The scenarios as the JSON of the API and `aggregator quote --json`: every plan's payable and shortfall per accident."""
    out = []
    for result in results:
        s = result.scenario
        out.append(
            {
                "key": s.kind.value,
                "title_ja": s.title_ja,
                "title_en": s.title_en,
                "story_ja": s.story_ja,
                "story_en": s.story_en,
                "need_jpy": s.need_jpy,
                "needs": [to_data(n) for n in s.needs],
                "leak": s.leak,
                "liability": case_to_data(s.claim),
                "notes_ja": list(s.notes_ja),
                "notes_en": list(s.notes_en),
                "sources_ja": list(s.sources_ja),
                "sources_en": list(s.sources_en),
                "assumptions": list(s.assumptions),
                "plans": [
                    {
                        "carrier": quotes[p.column].carrier.value,
                        "carrier_name": carrier_name(quotes[p.column].carrier),
                        "carrier_name_en": carrier_name(quotes[p.column].carrier, "en"),
                        "plan_code": quotes[p.column].plan.code,
                        "plan_name": quotes[p.column].plan.name,
                        **to_data(p),
                    }
                    for p in result.plans
                    if p.column < len(quotes)
                ],
            }
        )
    return out


def current_column_to_data(column: CurrentColumn, comparison_columns: Sequence[Column]) -> dict[str, Any]:
    """The current policy's column as JSON-ready data: its inputs, its cells, and each plan's marks against it."""
    policy = column.policy
    return {
        "policy": current_to_data(policy),
        "title": title(policy),
        "title_en": title(policy, "en"),
        "line_name": line_name(policy.line),
        "total_shortfall_jpy": column.total_shortfall_jpy,
        "covered_items": column.covered_items,
        "cells": [
            {
                **to_data(c),
                "oed_code": KEY_INFO[c.key].oed_code,
                "notes_ja": list(cell_notes(c, policy.deductible_jpy, "ja")),
                "notes_en": list(cell_notes(c, policy.deductible_jpy, "en")),
            }
            for c in column.cells
        ],
        "versus": [
            {
                "column": v.column,
                "carrier": comparison_columns[v.column].quote.carrier.value,
                "plan_code": comparison_columns[v.column].quote.plan.code,
                "premium_difference_jpy": v.premium_difference_jpy,
                **{mark.value: v.count(mark) for mark in Mark},
                "items": {key.value: mark.value for key, mark in zip(column.keys, v.marks, strict=True)},
            }
            for v in column.versus
        ],
    }
