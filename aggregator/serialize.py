"""Domain objects to plain JSON-ready data: enums as their values, dates as ISO text, money as int."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any


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


def comparison_to_data(comparison: Any) -> dict[str, Any]:
    """The comparison as JSON-ready data: what the API returns and a Recommendation stores.

    Each item carries its Oasis Open Exposure Data cyber coverage code where one fits.
    """
    from aggregator.labels import carrier_name, line_name
    from aggregator.matching import STATUS_LABELS_QUOTE
    from aggregator.present import cell_notes, plan_terms
    from aggregator.taxonomy import KEY_INFO

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
                "status_label": STATUS_LABELS_QUOTE[q.status][0],
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
                "exclusions_en": list(q.plan.exclusions_en),
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
    return {
        "sample": comparison.sample,
        "priorities": to_data(comparison.priorities),
        "assumptions": to_data(comparison.needs.assumptions),
        "columns": columns,
        "rows": rows,
        "ranking": to_data(comparison.ranking),
        "best_column": comparison.best_column,
    }
