"""Canonical coverage items, their labels, and classify(): carrier wording to an item, or None (reading in wording.py, rules in wording_rules.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from aggregator import wording as reader
from aggregator.wording import normalise_wording
from aggregator.wording_rules import DOMAIN_RULES, DUALS, ITEM_RULES, SECTIONS


class Category(StrEnum):
    LIABILITY = "liability"
    INCIDENT_COSTS = "incident_costs"
    BUSINESS_INTERRUPTION = "business_interruption"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, tuple[str, str]] = {
    Category.LIABILITY: ("賠償損害", "Third-party liability"),
    Category.INCIDENT_COSTS: ("費用損害", "Incident response costs"),
    Category.BUSINESS_INTERRUPTION: ("利益損害", "Business interruption"),
    Category.OTHER: ("その他", "Other"),
}


class CoverageKey(StrEnum):
    LIABILITY_DAMAGES = "liability_damages"
    LITIGATION_COSTS = "litigation_costs"
    EMERGENCY_RESPONSE = "emergency_response"
    INVESTIGATION = "investigation"
    DATA_RESTORATION = "data_restoration"
    RECURRENCE_PREVENTION = "recurrence_prevention"
    APOLOGY = "apology"
    CALL_CENTER = "call_center"
    LEGAL_CONSULTING = "legal_consulting"
    REPUTATIONAL_ADS = "reputational_ads"
    CREDIT_MONITORING = "credit_monitoring"
    REGULATORY_RESPONSE = "regulatory_response"
    LOST_PROFIT = "lost_profit"
    EXTRA_EXPENSE = "extra_expense"
    CYBER_DELAY = "cyber_delay"
    EMPLOYEE_MISCONDUCT = "employee_misconduct"
    EXTORTION = "extortion"
    FUNDS_LOSS = "funds_loss"


@dataclass(frozen=True, slots=True)
class KeyInfo:
    key: CoverageKey
    category: Category
    label_ja: str
    label_en: str
    oed_code: str | None  # Oasis Open Exposure Data cyber coverage code, where one fits


_C = CoverageKey
_INFO = (
    KeyInfo(_C.LIABILITY_DAMAGES, Category.LIABILITY, "損害賠償金", "Damages", "LIAB"),
    KeyInfo(_C.LITIGATION_COSTS, Category.LIABILITY, "争訟費用", "Litigation costs", "LIAB"),
    KeyInfo(_C.EMERGENCY_RESPONSE, Category.INCIDENT_COSTS, "事故対応・緊急対応費用", "Emergency response", "INRE"),
    KeyInfo(_C.INVESTIGATION, Category.INCIDENT_COSTS, "原因・被害範囲調査費用", "Forensic investigation", "INRE"),
    KeyInfo(_C.DATA_RESTORATION, Category.INCIDENT_COSTS, "データ・システム復旧費用", "Data and system restoration", "DIAS"),
    KeyInfo(_C.RECURRENCE_PREVENTION, Category.INCIDENT_COSTS, "再発防止費用", "Recurrence prevention", "INRE"),
    KeyInfo(_C.APOLOGY, Category.INCIDENT_COSTS, "お詫び・見舞金・通知費用", "Apology and notification", "INRE"),
    KeyInfo(_C.CALL_CENTER, Category.INCIDENT_COSTS, "コールセンター費用", "Call center", "INRE"),
    KeyInfo(_C.LEGAL_CONSULTING, Category.INCIDENT_COSTS, "弁護士・コンサルタント相談費用", "Legal and consulting advice", "INRE"),
    KeyInfo(_C.REPUTATIONAL_ADS, Category.INCIDENT_COSTS, "風評被害対策・広告宣伝費用", "Reputational advertising", "INRE"),
    KeyInfo(_C.CREDIT_MONITORING, Category.INCIDENT_COSTS, "クレジットモニタリング費用", "Credit monitoring", "INRE"),
    KeyInfo(_C.REGULATORY_RESPONSE, Category.INCIDENT_COSTS, "当局報告・対応費用", "Regulatory response", "REG"),
    KeyInfo(_C.LOST_PROFIT, Category.BUSINESS_INTERRUPTION, "喪失利益", "Lost profit", "NPBI"),
    KeyInfo(_C.EXTRA_EXPENSE, Category.BUSINESS_INTERRUPTION, "営業継続費用", "Extra expense", "NPBI"),
    KeyInfo(_C.CYBER_DELAY, Category.OTHER, "サイバー攻撃起因の納期遅延", "Delivery delay from a cyber attack", "ENO"),
    KeyInfo(_C.EMPLOYEE_MISCONDUCT, Category.OTHER, "従業員の不正", "Employee misconduct", None),
    KeyInfo(_C.EXTORTION, Category.OTHER, "サイバー恐喝", "Cyber extortion", "EXT"),
    KeyInfo(_C.FUNDS_LOSS, Category.OTHER, "資金損害", "Funds lost to cyber crime", "FIN"),
)
KEY_INFO: dict[CoverageKey, KeyInfo] = {info.key: info for info in _INFO}
assert set(KEY_INFO) == set(CoverageKey), "every coverage key needs its labels"


def label(key: CoverageKey, lang: str = "ja") -> str:
    info = KEY_INFO[key]
    return info.label_en if lang == "en" else info.label_ja


def category_of(key: CoverageKey) -> Category:
    return KEY_INFO[key].category


# Carrier headings as they write them, to the taxonomy's category: what `section=` accepts
# besides a Category. Compared on normalised text; the first that the heading contains wins.
_HEADINGS: tuple[tuple[str, Category], ...] = (
    ("利益損害", Category.BUSINESS_INTERRUPTION),
    ("休業損失", Category.BUSINESS_INTERRUPTION),
    ("businessinterruption", Category.BUSINESS_INTERRUPTION),
    ("networkinterruption", Category.BUSINESS_INTERRUPTION),
    ("費用損害", Category.INCIDENT_COSTS),
    ("事故対応費用", Category.INCIDENT_COSTS),
    ("危機管理", Category.INCIDENT_COSTS),
    ("対応費用", Category.INCIDENT_COSTS),
    ("firstparty", Category.INCIDENT_COSTS),
    ("incidentresponse", Category.INCIDENT_COSTS),
    ("賠償", Category.LIABILITY),
    ("thirdparty", Category.LIABILITY),
    ("liabilit", Category.LIABILITY),
    ("その他", Category.OTHER),
    ("other", Category.OTHER),
)


def section_of(heading: object) -> Category | None:
    """The category a carrier's heading names (賠償損害, 費用損害, 利益損害, その他, First Party …), or None."""
    if isinstance(heading, Category):
        return heading
    if not isinstance(heading, str):
        return None
    text = normalise_wording(heading)
    if text in {c.value for c in Category}:
        return Category(text)
    return next((category for word, category in _HEADINGS if word in text), None)


def _reading(wording: object, line: object, section: object) -> reader.Reading:
    if not isinstance(wording, str):
        return reader.Reading(None, ())
    category = section_of(section)
    return reader.read(
        wording,
        line=str(line) if isinstance(line, str) else None,
        section=category.value if category is not None else None,
    )


def classify(wording: object, *, line: object = None, section: object = None) -> CoverageKey | None:
    """The canonical item a carrier's wording names, or None when it cannot be told.

    `section` is the heading the carrier lists the item under, as a Category or the heading's
    own words (「費用損害」, "First Party"); `line` the product line (cyber, it_eo, …). Where the
    section does not decide between two items, the answer is None and `candidates()` names
    them. Without context it reads as carefully as ever. Never raises: anything that is not
    text is None.
    """
    try:
        found = _reading(wording, line, section).key
    except (ValueError, re.error, RecursionError):  # pragma: no cover - defensive: classify never raises
        return None
    return CoverageKey(found) if found is not None else None


def candidates(wording: object, *, line: object = None, section: object = None) -> tuple[CoverageKey, ...]:
    """The items a person mapping this wording should be offered: the one it names, or the
    two or more it could name (narrowest first, damages last), or none when it names nothing we know."""
    try:
        return tuple(CoverageKey(k) for k in _reading(wording, line, section).candidates)
    except (ValueError, re.error, RecursionError):  # pragma: no cover - defensive: never raises
        return ()


def describe_candidates(keys: Iterable[str], lang: str = "ja") -> str:
    """「争訟費用(litigation_costs)、損害賠償金(liability_damages)」: labels with their keys, for a person."""
    return "、".join(f"{label(CoverageKey(k), lang)}({CoverageKey(k).value})" for k in keys if k in _KEY_VALUES)


_KEY_VALUES = frozenset(k.value for k in CoverageKey)
_RULE_KEYS = {key for key, _ in (*DOMAIN_RULES, *ITEM_RULES)} | {
    key
    for dual in DUALS
    for chosen in (*dual.by_section.values(), dual.default)
    for key in ((chosen,) if isinstance(chosen, str) else chosen)
}
assert _RULE_KEYS <= _KEY_VALUES, f"rules name keys the taxonomy lacks: {_RULE_KEYS - _KEY_VALUES}"
assert set(SECTIONS) == {c.value for c in Category}, "the wording sections are the taxonomy's categories"
assert set(reader.CANDIDATE_ORDER) == _KEY_VALUES, "every key has its place among the candidates"
