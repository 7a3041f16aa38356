"""The broker's record of advice (意向把握 → 意向確認 → 比較推奨): the wishes, how they changed, and where a proposal departs from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aggregator.codes import Carrier
from aggregator.errors import SchemaError
from aggregator.labels import carrier_name, pick
from aggregator.matching import PRIORITY_LABELS, Comparison, PriorityKind
from aggregator.money import Lang, format_premium, format_yen
from aggregator.quotes import Quote
from aggregator.taxonomy import CoverageKey, label


@dataclass(frozen=True, slots=True)
class Wishes:
    """What the customer wants, as the proposal is checked against it: the terms, the riders, the order of what matters, must-haves."""

    limit_jpy: int | None = None
    deductible_jpy: int | None = None
    riders: tuple[CoverageKey, ...] = ()
    order: tuple[PriorityKind, ...] = ()
    items: tuple[CoverageKey, ...] = ()  # must be covered
    note: str = ""  # in the customer's words

    def to_data(self) -> dict[str, Any]:
        return {
            "limit_jpy": self.limit_jpy,
            "deductible_jpy": self.deductible_jpy,
            "riders": [k.value for k in self.riders],
            "order": [p.value for p in self.order],
            "items": [k.value for k in self.items],
            "note": self.note,
        }


def _amount(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SchemaError(name, value, "0以上の整数(円)で指定してください")
    return value


def wishes_from_data(data: Mapping[str, Any] | None) -> Wishes:
    """Wishes as stored (Wishes.to_data); a wrong value raises SchemaError naming it."""
    data = data or {}
    try:
        return Wishes(
            limit_jpy=_amount(data.get("limit_jpy"), "wishes.limit_jpy"),
            deductible_jpy=_amount(data.get("deductible_jpy"), "wishes.deductible_jpy"),
            riders=tuple(dict.fromkeys(CoverageKey(k) for k in data.get("riders", []))),
            order=tuple(dict.fromkeys(PriorityKind(p) for p in data.get("order", []))),
            items=tuple(dict.fromkeys(CoverageKey(k) for k in data.get("items", []))),
            note=str(data.get("note", "")),
        )
    except (ValueError, TypeError) as exc:
        raise SchemaError("wishes", data, f"一覧にない値です: {exc}") from exc


def wishes_from_request(applicant: Mapping[str, Any], priorities: Mapping[str, Any]) -> Wishes:
    """The wishes a stored request states (意向把握 starts from them): its limit, deductible, riders, priorities and note."""
    return wishes_from_data(
        {
            "limit_jpy": applicant.get("limit_jpy"),
            "deductible_jpy": applicant.get("deductible_jpy"),
            "riders": applicant.get("riders", []),
            "order": priorities.get("order", []),
            "items": priorities.get("items", []),
            "note": priorities.get("note", ""),
        }
    )


# ------------------------------------------------------------ 意向確認 ---

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "limit_jpy": ("支払限度額", "Limit"),
    "deductible_jpy": ("免責金額", "Deductible"),
    "riders": ("希望する特約", "Riders wanted"),
    "order": ("重視する点(優先順)", "Priorities, in order"),
    "items": ("必ず補償してほしい項目", "Items that must be covered"),
    "note": ("ご要望", "In the customer's words"),
}


def wish_text(wishes: Wishes, name: str, lang: Lang = "ja") -> str:
    """One wish as a person reads it."""
    value = getattr(wishes, name)
    sep = ", " if lang == "en" else "・"
    none = "none" if lang == "en" else "なし"
    if name in ("limit_jpy", "deductible_jpy"):
        return none if value is None else format_yen(value, lang)
    if name in ("riders", "items"):
        return sep.join(label(k, lang) for k in value) or none
    if name == "order":
        return (" → " if lang != "en" else " then ").join(pick(PRIORITY_LABELS[p], lang) for p in value) or none
    return str(value) or none


@dataclass(frozen=True, slots=True)
class Change:
    """One wish that differs between the first hearing (意向把握) and the confirmation (意向確認)."""

    field: str
    before: str
    after: str
    before_en: str
    after_en: str

    def text(self, lang: Lang = "ja") -> str:
        name = pick(FIELD_LABELS[self.field], lang)
        if lang == "en":
            return f"{name}: {self.before_en} → {self.after_en}"
        return f"{name}: {self.before} → {self.after}"


def changes(initial: Wishes, final: Wishes) -> tuple[Change, ...]:
    """Every wish that changed between the first hearing and the confirmation, in the form's order."""
    out = []
    for name in FIELD_LABELS:
        a, b = getattr(initial, name), getattr(final, name)
        same = (set(a) == set(b)) if name in ("riders", "items") else (a.strip() == b.strip()) if name == "note" else a == b
        if not same:
            out.append(
                Change(
                    name,
                    wish_text(initial, name, "ja"),
                    wish_text(final, name, "ja"),
                    wish_text(initial, name, "en"),
                    wish_text(final, name, "en"),
                )
            )
    return tuple(out)


# ------------------------------------------------------------ 比較推奨 ---


@dataclass(frozen=True, slots=True)
class Departure:
    """Where the proposed plan falls short of a final wish: a reason must be recorded before it is accepted."""

    kind: str  # limit, deductible, item, rider
    key: str  # the item or rider's CoverageKey; "" for the limit and deductible
    wished: int | None = None
    proposed: int | None = None
    reason: str = ""

    @property
    def code(self) -> str:
        """A stable name for the departure (a form field's, a stored record's)."""
        return f"{self.kind}-{self.key}" if self.key else self.kind

    def text(self, lang: Lang = "ja") -> str:
        en = lang == "en"
        if self.kind == "limit":
            w, p = format_yen(self.wished or 0, lang), format_yen(self.proposed or 0, lang)
            return f"The limit {p} is below the {w} wished for" if en else f"支払限度額{p}がご希望の{w}に届きません"
        if self.kind == "deductible":
            w, p = format_yen(self.wished or 0, lang), format_yen(self.proposed or 0, lang)
            return f"The deductible {p} is above the {w} wished for" if en else f"免責金額{p}がご希望の{w}を上回ります"
        name = label(CoverageKey(self.key), lang)
        if self.kind == "item":
            return f"{name}, which must be covered, is not covered" if en else f"必ず補償してほしい項目「{name}」が補償されません"
        return f"The rider wished for, {name}, is not in this plan's cover" if en else f"ご希望の特約「{name}」が補償に含まれません"

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "wished": self.wished, "proposed": self.proposed, "reason": self.reason}


def departures(final: Wishes, comparison: Comparison, column: int) -> tuple[Departure, ...]:
    """How the plan in `column` departs from the final wishes: a lower limit, a higher deductible, a must-have or rider not covered.

    An item counts as covered as the ranking counts it: the plan pays something for it (matching's effective amount).
    """
    quote = comparison.columns[column].quote
    out: list[Departure] = []
    if final.limit_jpy is not None and quote.limit_jpy < final.limit_jpy:
        out.append(Departure("limit", "", final.limit_jpy, quote.limit_jpy))
    if final.deductible_jpy is not None and quote.deductible_jpy > final.deductible_jpy:
        out.append(Departure("deductible", "", final.deductible_jpy, quote.deductible_jpy))
    for kind, keys in (("item", final.items), ("rider", final.riders)):
        for key in keys:
            if not comparison.cell(column, key).effective_jpy:
                out.append(Departure(kind, key.value))
    return tuple(out)


def departures_from_data(data: Sequence[Mapping[str, Any]] | None) -> tuple[Departure, ...]:
    return tuple(
        Departure(str(d.get("kind", "")), str(d.get("key", "")), d.get("wished"), d.get("proposed"), str(d.get("reason", "")))
        for d in data or ()
    )


# ------------------------------------------------------------- the record ---


@dataclass(frozen=True, slots=True)
class ProposedPlan:
    """The plan a broker proposed, as it was quoted then (a frozen copy: the plan may leave later comparisons)."""

    carrier: Carrier
    plan_code: str
    plan_name: str
    plan_name_en: str = ""
    premium_jpy: int | None = None
    limit_jpy: int | None = None
    deductible_jpy: int | None = None
    status: str = ""

    def title(self, lang: Lang = "ja") -> str:
        from aggregator.present import localized

        return f"{carrier_name(self.carrier, lang)} {localized(self.plan_name, self.plan_name_en, lang)}"

    def premium_text(self, lang: Lang = "ja") -> str:
        return "—" if self.premium_jpy is None else format_premium(self.premium_jpy, lang)

    def to_data(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier.value,
            "plan_code": self.plan_code,
            "plan_name": self.plan_name,
            "plan_name_en": self.plan_name_en,
            "premium_jpy": self.premium_jpy,
            "limit_jpy": self.limit_jpy,
            "deductible_jpy": self.deductible_jpy,
            "status": self.status,
        }


def proposed_plan(quote: Quote) -> ProposedPlan:
    return ProposedPlan(
        quote.carrier,
        quote.plan.code,
        quote.plan.name,
        quote.plan.name_en,
        quote.premium_jpy,
        quote.limit_jpy,
        quote.deductible_jpy,
        quote.status.value,
    )


def proposed_plan_from_data(data: Mapping[str, Any]) -> ProposedPlan:
    return ProposedPlan(
        Carrier(data["carrier"]),
        str(data["plan_code"]),
        str(data.get("plan_name", data["plan_code"])),
        str(data.get("plan_name_en", "")),
        data.get("premium_jpy"),
        data.get("limit_jpy"),
        data.get("deductible_jpy"),
        str(data.get("status", "")),
    )


@dataclass(frozen=True, slots=True)
class AdviceRecord:
    """A broker's confirmed proposal, as the customer's page and workbook show it (passed in as data, never read from storage here)."""

    plan: ProposedPlan
    reasons: str
    initial: Wishes
    final: Wishes
    changes: tuple[Change, ...] = ()
    change_note: str = ""
    departures: tuple[Departure, ...] = ()
    explained_on: date | None = None  # the day the 重要事項説明 (契約概要・注意喚起情報) was given
    proposed_on: date | None = None
    by: str = ""
    version: int | None = None  # the quote version the proposal was made from
