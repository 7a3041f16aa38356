"""From an applicant to a comparison and a recommendation, and the record that proves it later (比較推奨)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from aggregator.applicants import applicant_from_data
from aggregator.errors import SchemaError
from aggregator.exposure import Assumptions, estimate
from aggregator.labels import carrier_name, line_name
from aggregator.matching import PRIORITY_LABELS, Comparison, Priorities, PriorityKind, compare
from aggregator.rating import Rater
from aggregator.schema import APPLICANT_LIMITS, Applicant, Line, Quote
from aggregator.serialize import comparison_to_data, to_data
from aggregator.taxonomy import CoverageKey

RECORD_VERSION = 1


def shortlist(quotes: Sequence[Quote], comparison: Comparison) -> list[Quote]:
    """One plan per carrier: the one that ranks first by the customer's priorities (or, if none ranks, its first)."""
    chosen: dict[Any, Quote] = {}
    for ranked in comparison.ranking:
        quote = comparison.columns[ranked.column].quote
        chosen.setdefault(quote.carrier, quote)
    return [q for q in quotes if chosen.get(q.carrier) is q]


def build_comparison(
    rater: Rater,
    applicant: Applicant,
    as_of: date,
    *,
    line: Line | None = None,
    assumptions: Assumptions | None = None,
    priorities: Priorities | None = None,
    all_plans: bool = False,
) -> Comparison:
    """The one path from applicant to comparison: the CLI, the web page and the workbook all call it."""
    line = line or applicant.lines[0]
    quotes = [q for q in rater.quote(applicant, as_of) if q.line is line]
    needs = estimate(applicant, assumptions, line)
    full = compare(quotes, needs, priorities)
    return full if all_plans else compare(shortlist(quotes, full), needs, priorities)


@dataclass(frozen=True, slots=True)
class Recommendation:
    comparison: Comparison
    proposed: int | None  # the column proposed, or None when no plan fits
    reasons_ja: tuple[str, ...]
    reasons_en: tuple[str, ...]


def recommend(comparison: Comparison) -> Recommendation:
    """The plan ranked first by the customer's priorities, and why, in words they gave."""
    column = comparison.best_column
    priorities = comparison.priorities
    order_ja = " → ".join(PRIORITY_LABELS[p][0] for p in priorities.order)
    order_en = " then ".join(PRIORITY_LABELS[p][1] for p in priorities.order)
    if column is None:
        return Recommendation(
            comparison,
            None,
            ("ご希望の条件に合うプランがありません。条件を見直すか、引受審査をご相談ください。",),
            ("No plan meets the request; revise it or ask for underwriting review.",),
        )
    quote = comparison.columns[column].quote
    ranked = next(r for r in comparison.ranking if r.column == column)
    ja = [f"お客様の優先順位({order_ja})に最も合うのは{carrier_name(quote.carrier)}「{quote.plan.name}」です"]
    en = [
        f"By the customer's priorities ({order_en}), {carrier_name(quote.carrier, 'en')} {quote.plan.name_en or quote.plan.name} fits best"
    ]
    if priorities.items:
        ja.append("ご希望の補償項目(" + "・".join(_label(k, "ja") for k in priorities.items) + ")をすべて補償します")
        en.append("It covers every item asked for (" + ", ".join(_label(k, "en") for k in priorities.items) + ")")
    if priorities.note:
        ja.append(f"お客様のご意向: {priorities.note}")
        en.append(f"In the customer's words: {priorities.note}")
    return Recommendation(comparison, column, (*ja, *ranked.reasons_ja), (*en, *ranked.reasons_en))


def _label(key: CoverageKey, lang: str) -> str:
    from aggregator.taxonomy import label

    return label(key, lang)


def priorities_from_data(data: Mapping[str, Any] | None) -> Priorities:
    """Priorities from stored or sent JSON; a wrong value raises SchemaError naming it."""
    if not data:
        return Priorities()
    if not isinstance(data, Mapping):
        raise SchemaError("priorities", data, "オブジェクトで指定してください")
    limit = data.get("min_limit_jpy")
    if isinstance(limit, float) and limit.is_integer() and abs(limit) <= 2**53:
        limit = int(limit)  # JSON's one number type: 3e8 is an integer
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise SchemaError("priorities.min_limit_jpy", limit, "0以上の整数(円)で指定してください")
    for name in ("order", "items"):
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SchemaError(f"priorities.{name}", value, "文字列の一覧で指定してください")
    try:
        order = tuple(dict.fromkeys(PriorityKind(p) for p in data.get("order", [])))
        items = tuple(dict.fromkeys(CoverageKey(k) for k in data.get("items", [])))
    except ValueError as exc:
        raise SchemaError("priorities", data, f"一覧にない値です: {exc}") from exc
    note = data.get("note", "")
    if not isinstance(note, str):
        raise SchemaError("priorities.note", note, "文字列で指定してください")
    if len(note) > APPLICANT_LIMITS["note"].largest:
        raise SchemaError("priorities.note", note[:20] + "…", APPLICANT_LIMITS["note"].message)
    return Priorities(order=order or Priorities().order, items=items, min_limit_jpy=limit, note=note)


def fingerprint(data: Any) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def make_record(
    rater: Rater,
    applicant: Applicant,
    as_of: date,
    *,
    line: Line | None = None,
    assumptions: Assumptions | None = None,
    priorities: Priorities | None = None,
) -> dict[str, Any]:
    """What a broker must keep: what the customer wanted, what was compared, what was proposed, and why."""
    assumptions = assumptions or Assumptions()
    line = line or applicant.lines[0]
    comparison = build_comparison(rater, applicant, as_of, line=line, assumptions=assumptions, priorities=priorities)
    advice = recommend(comparison)
    proposed = comparison.columns[advice.proposed].quote if advice.proposed is not None else None
    data = comparison_to_data(comparison)
    return {
        "record_version": RECORD_VERSION,
        "as_of": as_of.isoformat(),
        "line": line.value,
        "line_name": line_name(line),
        "applicant": to_data(applicant),
        "assumptions": asdict(assumptions),
        "priorities": to_data(comparison.priorities),
        "rate_versions": {f"{q.carrier.value}:{q.plan.code}": q.rate_version for q in (c.quote for c in comparison.columns)},
        "comparison": data,
        "comparison_sha256": fingerprint(data),
        "proposed": None
        if proposed is None
        else {"carrier": proposed.carrier.value, "plan_code": proposed.plan.code, "premium_jpy": proposed.premium_jpy},
        "reasons_ja": list(advice.reasons_ja),
        "reasons_en": list(advice.reasons_en),
    }


def reproduce(record: Mapping[str, Any], rater: Rater) -> tuple[dict[str, Any], bool]:
    """Re-run a stored record from its inputs; True when the comparison comes out identical."""
    applicant = applicant_from_data(record["applicant"])
    again = make_record(
        rater,
        applicant,
        date.fromisoformat(record["as_of"]),
        line=Line(record["line"]),
        assumptions=Assumptions(**record["assumptions"]),
        priorities=priorities_from_data(record["priorities"]),
    )
    return again, again["comparison_sha256"] == record["comparison_sha256"]
