"""From an applicant to a comparison and a recommendation, and the record that proves it later (比較推奨)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from aggregator.applicant import Applicant
from aggregator.applicant_rules import TEXT_RULES, read_text
from aggregator.applicants import applicant_from_data
from aggregator.choice import choose_per_carrier, meets_wishes
from aggregator.codes import Carrier, Line, PriorityKind
from aggregator.comparison import Comparison, NotSold, Priorities
from aggregator.current import CurrentPolicy
from aggregator.current_data import current_from_data, current_to_data
from aggregator.errors import ApplicantError, SchemaError
from aggregator.exposure import Assumptions, Needs, estimate
from aggregator.labels import PRIORITY_LABELS, carrier_name, line_name
from aggregator.matching import Memo, compare
from aggregator.money import format_approx
from aggregator.present import plan_name
from aggregator.quotes import Quote
from aggregator.rating import Rater
from aggregator.serialize import comparison_to_data, dumps, fingerprint_of, fragment, loads, to_data
from aggregator.taxonomy import CoverageKey
from aggregator.versus import current_column

RECORD_VERSION = 1


def shortlist(quotes: Sequence[Quote]) -> list[Quote]:
    """One plan per carrier: its cheapest that meets the wishes, else the nearest it can do (aggregator/choice.py)."""
    return choose_per_carrier(quotes)


def build_comparison(
    rater: Rater,
    applicant: Applicant,
    as_of: date,
    *,
    line: Line | None = None,
    assumptions: Assumptions | None = None,
    priorities: Priorities | None = None,
    all_plans: bool = False,
    current: CurrentPolicy | None = None,
) -> Comparison:
    """The one path from applicant to comparison: the CLI, the web page and the workbook all call it.

    `as_of` is the day the rates are taken from: the start of cover asked for (today when none was).
    The current policy, when there is one, is the first column; the plans are compared with it.
    """
    from aggregator.scenarios import with_scenarios

    line = line or applicant.lines[0]
    quotes = [q for q in rater.quote(applicant, as_of) if q.line is line]
    needs = estimate(applicant, assumptions, line)
    if all_plans:
        comparison = compare(quotes, needs, priorities)
    else:
        shown = shortlist(quotes)
        memo: Memo = {}  # the ranking pass that finds the broadest plan and the comparison shown share their cells
        wider = broadest_beyond(quotes, shown, needs, priorities, memo)
        comparison = compare([*shown, *wider], needs, priorities, memo=memo)
        comparison = replace(comparison, added=tuple(range(len(shown), len(shown) + len(wider))), not_sold=not_sold(rater, line))
    if current is not None:
        comparison = replace(comparison, current=current_column(current, comparison.rows, comparison.columns))
    return with_scenarios(comparison, applicant, line)


# Where a carrier does not sell the line asked, the product it sells that comes nearest.
NEAREST_LINES: dict[Line, tuple[Line, ...]] = {
    Line.IT_EO: (Line.PROFESSIONAL_LIABILITY, Line.CYBER),
    Line.PROFESSIONAL_LIABILITY: (Line.IT_EO, Line.CYBER),
    Line.CYBER: (Line.IT_EO,),
}


def cyber_inside_it_eo(rater: Rater) -> tuple[Carrier, ...]:
    """Carriers whose IT E&O product is their cyber policy with an IT rider: buying both covers the cyber part twice."""
    out = []
    for data in rater.carriers:
        cyber = {p.product for p in data.plans_for(Line.CYBER)}
        if any(any(product and product in plan.product for product in cyber) for plan in data.plans_for(Line.IT_EO)):
            out.append(data.carrier)
    return tuple(out)


def not_sold(rater: Rater, line: Line) -> tuple[NotSold, ...]:
    """Every carrier compared that has no plan for `line` (取扱なし), pointing to its nearest product."""
    out = []
    for data in rater.carriers:
        if data.plans_for(line):
            continue
        nearest = next((other for other in NEAREST_LINES[line] if data.plans_for(other)), None)
        product = data.plans_for(nearest)[0].product if nearest is not None else ""
        out.append(NotSold(data.carrier, line, nearest, product))
    return tuple(out)


def broadest_beyond(
    quotes: Sequence[Quote], shown: Sequence[Quote], needs: Needs, priorities: Priorities | None, memo: Memo | None = None
) -> list[Quote]:
    """The plan that meets the wishes with the smallest shortfall, when no column shown comes as close.

    Each carrier's column is its cheapest plan meeting the wishes; a wider plan that leaves materially
    less short is shown beside them, so the customer sees what breadth would cost.
    """
    meeting = [q for q in quotes if meets_wishes(q)]
    if not meeting:
        return []
    every = compare(meeting, needs, priorities, explained=False, memo=memo)
    best = min(every.columns, key=lambda c: (c.total_shortfall_jpy, c.quote.premium_jpy or 0))
    if best.quote in shown:
        return []
    least_shown = min((c.total_shortfall_jpy for c in every.columns if c.quote in shown), default=None)
    if least_shown is not None and least_shown - best.total_shortfall_jpy < every.materiality_jpy:
        return []
    return [best.quote]


@dataclass(frozen=True, slots=True)
class Recommendation:
    comparison: Comparison
    proposed: int | None  # the column proposed, or None when no plan fits
    reasons_ja: tuple[str, ...]
    reasons_en: tuple[str, ...]
    cheapest: int | None = None  # the lowest premium among the plans that fit
    broadest: int | None = None  # the smallest shortfall among them (then the lower premium)
    tradeoffs_ja: tuple[str, ...] = ()  # the cheapest and the broadest, each against the one proposed
    tradeoffs_en: tuple[str, ...] = ()


def recommend(comparison: Comparison) -> Recommendation:
    """The plan ranked first by the customer's priorities, why, and what the cheapest and the broadest would change."""
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
    en = [f"By the customer's priorities ({order_en}), {carrier_name(quote.carrier, 'en')} {plan_name(quote.plan, 'en')} fits best"]
    if priorities.items:
        ja.append("ご希望の補償項目(" + "・".join(_label(k, "ja") for k in priorities.items) + ")をすべて補償します")
        en.append("It covers every item asked for (" + ", ".join(_label(k, "en") for k in priorities.items) + ")")
    if priorities.note:
        ja.append(f"お客様のご意向: {priorities.note}")
        en.append(f"In the customer's words: {priorities.note}")
    cheapest, broadest = _extremes(comparison)
    alternatives = []
    if cheapest is not None and cheapest != column:
        alternatives.append((cheapest, ("最も安い", "the cheapest")))
    if broadest is not None and broadest not in (column, cheapest):
        alternatives.append((broadest, ("補償が最も広い", "the broadest cover")))
    trade_ja, trade_en = [], []
    for other, what in alternatives:
        sentence_ja, sentence_en = tradeoff(comparison, other, column, what)
        trade_ja.append(sentence_ja)
        trade_en.append(sentence_en)
    return Recommendation(
        comparison, column, (*ja, *ranked.reasons_ja), (*en, *ranked.reasons_en), cheapest, broadest, tuple(trade_ja), tuple(trade_en)
    )


def _extremes(comparison: Comparison) -> tuple[int | None, int | None]:
    live = [r.column for r in comparison.ranking if r.rank is not None and comparison.columns[r.column].quote.premium_jpy is not None]
    if not live:
        return None, None
    columns = comparison.columns
    cheapest = min(live, key=lambda i: (columns[i].quote.premium_jpy or 0, columns[i].total_shortfall_jpy))
    broadest = min(live, key=lambda i: (columns[i].total_shortfall_jpy, columns[i].quote.premium_jpy or 0))
    return cheapest, broadest


def tradeoff(comparison: Comparison, other: int, chosen: int, what: tuple[str, str]) -> tuple[str, str]:
    """What choosing `other` instead of `chosen` changes, in words: 年間保険料が+88.7万円で、不足額が10万円減ります."""
    a, b = comparison.columns[other], comparison.columns[chosen]
    name_ja = f"{carrier_name(a.quote.carrier)}「{a.quote.plan.name}」"
    name_en = f"{carrier_name(a.quote.carrier, 'en')} {plan_name(a.quote.plan, 'en')}"
    premium = (a.quote.premium_jpy or 0) - (b.quote.premium_jpy or 0)
    cover = b.total_shortfall_jpy - a.total_shortfall_jpy  # positive: the other leaves less short
    if premium > 0:
        money_ja, money_en = f"年間保険料が+{format_approx(premium)}で", f"the premium is {format_approx(premium, 'en')} higher"
    elif premium < 0:
        money_ja, money_en = f"年間保険料が{format_approx(-premium)}安くなり", f"the premium is {format_approx(-premium, 'en')} lower"
    else:
        money_ja, money_en = "年間保険料は同じで", "the premium is the same"
    if cover > 0:
        short_ja, short_en = f"不足額が{format_approx(cover)}減ります", f"the shortfall falls by {format_approx(cover, 'en')}"
    elif cover < 0:
        short_ja, short_en = f"不足額が{format_approx(-cover)}増えます", f"the shortfall rises by {format_approx(-cover, 'en')}"
    else:
        short_ja, short_en = "不足額は変わりません", "the shortfall is the same"
    ja = f"{what[0]}{name_ja}にすると、{money_ja}、{short_ja}"
    en = f"With {what[1]}, {name_en}, {money_en} and {short_en}"
    if cover and abs(cover) < comparison.materiality_jpy:
        ja += f"(推定必要額に対して{format_approx(comparison.materiality_jpy)}未満の差は、選択を左右しないものとしています)"
        en += f" (a difference under {format_approx(comparison.materiality_jpy, 'en')} against the needs does not decide the choice)"
    return ja + "。", en + "."


def _label(key: CoverageKey, lang: str) -> str:
    from aggregator.taxonomy import label

    return label(key, lang)


def priorities_from_data(data: Mapping[str, Any] | None, *, stored: bool = False) -> Priorities:
    """Priorities from stored or sent JSON; a wrong value raises SchemaError naming it.

    A note sent is read by the applicant's rules; a `stored` one only by the length every version kept
    (a record from before the rules may hold a control character, and must still be shown).
    """
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
    if stored:
        if len(note) > TEXT_RULES["note"].largest:
            raise SchemaError("priorities.note", note[:20] + "…", TEXT_RULES["note"].too_long)
    else:
        try:  # the form's rule: 1,000 characters, no control characters but line breaks (the note kept as given)
            read_text("note", note)
        except ApplicantError as exc:
            raise SchemaError("priorities.note", exc.value, exc.reason) from exc
    return Priorities(order=order or Priorities().order, items=items, min_limit_jpy=limit, note=note)


def fingerprint(data: Any) -> str:
    """SHA-256 of the canonical JSON of plain data (`serialize.fingerprint_of` gives the same from the objects)."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def matches_record(data: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether a comparison worked out now is the one a record stored.

    Keys the comparison's JSON gained after the record was made (the contract check and the
    scenarios, say) are left out of the check: a record made before them is not stale for lacking them.
    """
    stored = record.get("comparison")
    kept = {k: v for k, v in data.items() if k in stored} if isinstance(stored, Mapping) else data
    return fingerprint(kept) == record.get("comparison_sha256")


@dataclass(frozen=True)
class PreparedRecord:
    """A quoting's record with its comparison encoded once: stored, fingerprinted and sent as the same bytes."""

    comparison: Comparison
    comparison_json: bytes
    fingerprint: str
    record: dict[str, Any]  # its "comparison" is comparison_json as a fragment: `serialize.dumps` writes it in as it is


def prepare_record(
    rater: Rater,
    applicant: Applicant,
    as_of: date,
    *,
    line: Line | None = None,
    assumptions: Assumptions | None = None,
    priorities: Priorities | None = None,
    current: CurrentPolicy | None = None,
) -> PreparedRecord:
    """What a broker must keep: what the customer wanted, what was compared, what was proposed, and why.

    A record made with a current policy keeps it among the inputs (`current_policy`); one made without
    has no such key, so records kept before current policies existed reproduce as they were.
    """
    assumptions = assumptions or Assumptions()
    line = line or applicant.lines[0]
    comparison = build_comparison(rater, applicant, as_of, line=line, assumptions=assumptions, priorities=priorities, current=current)
    advice = recommend(comparison)
    proposed = comparison.columns[advice.proposed].quote if advice.proposed is not None else None
    data = comparison_to_data(comparison, deep=False)
    encoded = dumps(data)
    sha = fingerprint_of(data)
    record: dict[str, Any] = {
        "record_version": RECORD_VERSION,
        "as_of": as_of.isoformat(),
        "line": line.value,
        "line_name": line_name(line),
        "applicant": to_data(applicant),
        "assumptions": asdict(assumptions),
        "priorities": to_data(comparison.priorities),
        "rate_versions": {f"{q.carrier.value}:{q.plan.code}": q.rate_version for q in (c.quote for c in comparison.columns)},
        "comparison": fragment(encoded),
        "comparison_sha256": sha,
        "proposed": None
        if proposed is None
        else {"carrier": proposed.carrier.value, "plan_code": proposed.plan.code, "premium_jpy": proposed.premium_jpy},
        "reasons_ja": list(advice.reasons_ja),
        "reasons_en": list(advice.reasons_en),
    }
    if current is not None:
        record["current_policy"] = current_to_data(current)
    return PreparedRecord(comparison, encoded, sha, record)


def make_record(
    rater: Rater,
    applicant: Applicant,
    as_of: date,
    *,
    line: Line | None = None,
    assumptions: Assumptions | None = None,
    priorities: Priorities | None = None,
    current: CurrentPolicy | None = None,
) -> dict[str, Any]:
    """The record as plain data (its comparison decoded), as the database hands it back."""
    prepared = prepare_record(rater, applicant, as_of, line=line, assumptions=assumptions, priorities=priorities, current=current)
    return {**prepared.record, "comparison": loads(prepared.comparison_json)}


def reproduce(record: Mapping[str, Any], rater: Rater) -> tuple[dict[str, Any], bool]:
    """Re-run a stored record from its inputs; True when the comparison comes out identical."""
    applicant = applicant_from_data(record["applicant"])
    again = make_record(
        rater,
        applicant,
        date.fromisoformat(record["as_of"]),
        line=Line(record["line"]),
        assumptions=Assumptions.from_data(record["assumptions"]),
        priorities=priorities_from_data(record["priorities"]),
        current=current_of(record),
    )
    return again, matches_record(again["comparison"], record)


def current_of(record: Mapping[str, Any]) -> CurrentPolicy | None:
    """The current policy a stored record was compared with, or None."""
    return current_from_data(record.get("current_policy"))
