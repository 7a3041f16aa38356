"""Domain objects to plain JSON-ready data (enums as their values, dates as ISO text, money as int), and the comparison's JSON.

The comparison's JSON is what the API returns, `aggregator quote --json` prints and a
Recommendation stores (with its fingerprint): one function, so they cannot differ.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any

from aggregator.comparison import Comparison, ScenarioResult
from aggregator.contract import LiabilityCase
from aggregator.contract_check import ContractCheck
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


def comparison_to_data(comparison: Comparison) -> dict[str, Any]:
    """The comparison as JSON-ready data: what the API returns and a Recommendation stores.

    Each item carries its Oasis Open Exposure Data cyber coverage code where one fits.
    """
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
                "product": q.plan.product,
                "status": q.status.value,
                "status_label": quote_status(q.status),
                "premium_jpy": q.premium_jpy,
                "asked": {"limit_jpy": q.asked_limit_jpy, "deductible_jpy": q.asked_deductible_jpy, "riders": to_data(q.riders_asked)},
                "quoted": {"limit_jpy": q.limit_jpy, "deductible_jpy": q.deductible_jpy, "riders": to_data(q.riders)},
                "adjustments": [
                    {"what": a.what, "asked": a.asked, "quoted": a.quoted, "text_ja": a.reason.text_ja, "text_en": a.reason.text_en}
                    for a in q.adjustments
                ],
                "conditions": to_data(q.conditions),
                "reasons": to_data(q.reasons),
                "options": to_data(q.options),
                "rate_version": q.rate_version,
                "valid_until": to_data(q.valid_until),
                "sample": q.sample,
                "total_shortfall_jpy": column.total_shortfall_jpy,
                "retroactive": q.plan.retroactive,
                "exclusions": list(q.plan.exclusions),
                "terms_ja": [{"label": k, "text": v} for k, v in plan_terms(q, "ja")],
                "terms_en": [{"label": k, "text": v} for k, v in plan_terms(q, "en")],
                "pools": to_data(column.pools),
                "cells": [
                    {
                        **to_data(c),
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
            "need": None if r.need is None else to_data(r.need),
        }
        for r in comparison.rows
    ]
    quotes = [c.quote for c in comparison.columns]
    extra: dict[str, Any] = {}
    if comparison.contract is not None:
        extra["contract"] = check_to_data(comparison.contract, quotes)
    if comparison.scenarios:
        extra["scenarios"] = results_to_data(comparison.scenarios, quotes)
    return {
        **extra,
        "sample": comparison.sample,
        "priorities": to_data(comparison.priorities),
        "assumptions": to_data(comparison.needs.assumptions),
        "columns": columns,
        "rows": rows,
        "ranking": to_data(comparison.ranking),
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
