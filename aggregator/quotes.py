"""What rating makes of an applicant and a plan: a Quote with its status, premium, adjustments, conditions and reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aggregator.codes import Carrier, Line, QuoteStatus
from aggregator.plans import Plan
from aggregator.taxonomy import CoverageKey


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a quote was declined, referred or changed: a code, and words a person can act on."""

    code: str
    text_ja: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Condition:
    """Something to do before binding, e.g. put MFA in place within 30 days."""

    code: str
    text_ja: str
    text_en: str
    days: int | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    """What was asked and what the carrier quotes instead (a capped limit, a raised deductible, a dropped rider)."""

    what: str  # "limit" | "deductible" | "rider"
    asked: int | str
    quoted: int | str | None
    reason: Reason


@dataclass(frozen=True, slots=True)
class QuoteOption:
    """One rung of the ladder: another limit or deductible the carrier offers, and its premium."""

    limit_jpy: int
    deductible_jpy: int
    premium_jpy: int


@dataclass(frozen=True, slots=True)
class Quote:
    carrier: Carrier
    line: Line
    plan: Plan
    status: QuoteStatus
    asked_limit_jpy: int
    asked_deductible_jpy: int
    limit_jpy: int
    deductible_jpy: int
    premium_jpy: int | None  # annual, int yen; None when declined
    riders_asked: tuple[CoverageKey, ...] = ()
    riders: tuple[CoverageKey, ...] = ()  # riders in the quoted premium
    adjustments: tuple[Adjustment, ...] = ()
    conditions: tuple[Condition, ...] = ()
    reasons: tuple[Reason, ...] = ()
    options: tuple[QuoteOption, ...] = ()
    rate_version: str = ""
    valid_until: date | None = None

    @property
    def sample(self) -> bool:
        return self.plan.sample

    @property
    def meets_request(self) -> bool:
        """Quoted as asked: firm, nothing capped, raised or dropped."""
        return self.status is QuoteStatus.QUOTED and not self.adjustments
