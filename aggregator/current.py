"""The customer's current policy (現在のご契約): its column against the same needs, and each plan compared with it item by item.

The customer (or the broker) says what is held today: the insurer, product, line, limit, deductible,
premium, expiry, and the items they know. Each known item is covered (up to the policy limit or to
an amount of its own) or not covered; an item not said is 不明, never 補償なし. The column is paid
out with the same rule as every carrier's (aggregator/payment.py): each item up to its own limit,
all of them inside the policy limit, the deductible once per incident. A current policy has no
pools of its own: what it shares inside a sublimit pool is not known from what a customer says.
Reading and writing it as JSON is in aggregator/current_data.py; its column is built in
aggregator/versus.py and held by the Comparison (aggregator/comparison.py: CurrentColumn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from aggregator.codes import OTHER_INSURER, Carrier, Line
from aggregator.errors import ApplicantError
from aggregator.labels import carrier_name, line_name, pick
from aggregator.money import Lang
from aggregator.plans import MAX_CARRIER_YEN
from aggregator.taxonomy import CoverageKey

OTHER = OTHER_INSURER  # an insurer not among the carriers known: its name is given in words
WORDING = "現在のご契約(お申し出による)"
FIELD = "current_policy"
TEXT_LIMITS = {"insurer_name": 100, "product": 200, "policy_number": 50}
AMOUNT_MESSAGE = "0円〜1兆円の金額で入力してください"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class KnownItem:
    """One item the policyholder knows about: covered (up to the policy limit, or to an amount of its own) or not.

    A customer says little more than that; a policy we placed says what its plan said when it was
    quoted (payout ratio, the item's own deductible, waiting period, per-victim caps, a narrower scope),
    so its renewal is compared with what it really pays.
    """

    key: CoverageKey
    covered: bool
    limit_jpy: int | None = None  # its own limit; None: up to the policy limit
    payout_ratio_pct: int = 100
    deductible_jpy: int | None = None  # its own deductible; None: the policy's
    waiting_hours: int | None = None
    per_person_jpy: int | None = None
    per_company_jpy: int | None = None
    scope: str = ""  # narrower than the item's name

    @property
    def plain(self) -> bool:
        """Only covered-or-not and a limit: written back as true, false or an amount."""
        return (self.payout_ratio_pct, self.deductible_jpy, self.waiting_hours, self.per_person_jpy, self.per_company_jpy, self.scope) == (
            100,
            None,
            None,
            None,
            None,
            "",
        )


@dataclass(frozen=True, slots=True)
class CurrentPolicy:
    """What the customer holds today. Items not listed are not known (不明)."""

    insurer: str  # a Carrier value, or OTHER
    line: Line
    limit_jpy: int
    deductible_jpy: int = 0
    premium_jpy: int | None = None  # annual
    expiry: date | None = None  # 満期日
    product: str = ""
    insurer_name: str = ""  # the insurer's name when it is not a carrier known here
    items: tuple[KnownItem, ...] = ()
    policy_number: str = ""

    def __post_init__(self) -> None:
        def check(ok: bool, name: str, value: object, reason: str) -> None:
            if not ok:
                raise ApplicantError(f"{FIELD}.{name}", value, reason)

        check(self.insurer == OTHER or self.insurer in {c.value for c in Carrier}, "insurer", self.insurer, "保険会社が一覧にありません")
        check(self.insurer != OTHER or bool(self.insurer_name.strip()), "insurer_name", self.insurer_name, "保険会社名を入力してください")
        check(isinstance(self.line, Line), "line", self.line, "保険の種類が一覧にありません")
        for name, largest in TEXT_LIMITS.items():
            text = getattr(self, name)
            check(len(text) <= largest, name, text[:20], f"{largest}文字以内で入力してください")
            check(not _CONTROL.search(text), name, text[:20], "制御文字は使えません")
        check(0 < self.limit_jpy <= MAX_CARRIER_YEN, "limit_jpy", self.limit_jpy, "支払限度額を1兆円以内で入力してください")
        check(0 <= self.deductible_jpy <= MAX_CARRIER_YEN, "deductible_jpy", self.deductible_jpy, AMOUNT_MESSAGE)
        if self.premium_jpy is not None:
            check(0 <= self.premium_jpy <= MAX_CARRIER_YEN, "premium_jpy", self.premium_jpy, AMOUNT_MESSAGE)
        keys = [item.key for item in self.items]
        check(len(keys) == len(set(keys)), "items", keys, "補償項目が重複しています")
        for item in self.items:
            where = f"items.{item.key.value}"
            # an item's own limit above the policy limit pays up to the policy limit (payment.most_it_can_pay)
            check(item.limit_jpy is None or 0 <= item.limit_jpy <= MAX_CARRIER_YEN, where, item.limit_jpy, AMOUNT_MESSAGE)
            check(0 < item.payout_ratio_pct <= 100, where, item.payout_ratio_pct, "支払割合は1〜100%です")
            for amount in (item.deductible_jpy, item.per_person_jpy, item.per_company_jpy):
                check(amount is None or 0 <= amount <= MAX_CARRIER_YEN, where, amount, AMOUNT_MESSAGE)
            check(item.waiting_hours is None or 0 <= item.waiting_hours <= 24 * 366, where, item.waiting_hours, "待機期間が範囲外です")
            check(len(item.scope) <= 200 and not _CONTROL.search(item.scope), where, item.scope[:20], "範囲は200文字以内で入力してください")

    def item(self, key: CoverageKey) -> KnownItem | None:
        return next((i for i in self.items if i.key == key), None)


def insurer_label(policy: CurrentPolicy, lang: Lang = "ja") -> str:
    return policy.insurer_name if policy.insurer == OTHER else carrier_name(Carrier(policy.insurer), lang)


def title(policy: CurrentPolicy, lang: Lang = "ja") -> str:
    """The column's heading: the insurer, and the product when it is known."""
    return f"{insurer_label(policy, lang)} {policy.product}".strip()


# ----------------------------------------------------------------- from and to data ---

# --------------------------------------------------------------------------- column ---


class Mark(StrEnum):
    """One plan's item against the current policy's."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"
    UNKNOWN = "unknown"  # one side is not known, or states no limit: no comparison is made


MARK_LABELS: dict[Mark, tuple[str, str]] = {
    Mark.BETTER: ("現在より手厚い", "better than now"),
    Mark.SAME: ("現在と同じ", "same as now"),
    Mark.WORSE: ("現在より薄い", "less than now"),
    Mark.UNKNOWN: ("比較できません(不明)", "cannot compare (unknown)"),
}
MARK_SIGNS: dict[Mark, str] = {Mark.BETTER: "↑", Mark.SAME: "＝", Mark.WORSE: "↓", Mark.UNKNOWN: "?"}


@dataclass(frozen=True, slots=True)
class Versus:
    """One plan against the current policy: a mark per row (in the comparison's row order) and the premium difference."""

    column: int
    marks: tuple[Mark, ...]
    premium_difference_jpy: int | None  # the plan's premium − the current premium; None when either is not known

    def count(self, mark: Mark) -> int:
        return sum(1 for m in self.marks if m is mark)


def difference_text(amount: int | None, lang: Lang = "ja") -> str:
    """A premium difference as a person reads it: +¥12,000 dearer, −¥3,000 cheaper, the same."""
    from aggregator.money import format_yen

    if amount is None:
        return "—"
    if amount == 0:
        return "現在と同額" if lang == "ja" else "same as now"
    sign = "+" if amount > 0 else "−"
    return f"{sign}{format_yen(abs(amount), lang)}"


def mark_label(mark: Mark, lang: Lang = "ja") -> str:
    return pick(MARK_LABELS[mark], lang)


def line_label(policy: CurrentPolicy, lang: Lang = "ja") -> str:
    return line_name(policy.line, lang)
