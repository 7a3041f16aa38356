"""What a comparison holds, as data: its columns and cells, the ranking, the contract check and the accidents paid plan by plan.

The shapes only; matching.py builds a Comparison, scenarios.py its accidents, and every surface
(page, API, workbooks, terminal) reads it. Kept apart from the code that builds them so that the
builders and the readers all import these from one module below them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aggregator.codes import Carrier, CellKind, LimitBasis, Line, PriorityKind, QuoteStatus
from aggregator.contract import LiabilityCase
from aggregator.contract_check import ContractCheck
from aggregator.current import CurrentPolicy, Mark, Versus
from aggregator.exposure import Need, Needs
from aggregator.payment import PoolUse
from aggregator.plans import POLICY_POOL, PerVictimCap
from aggregator.quotes import Quote
from aggregator.taxonomy import Category, CoverageKey


@dataclass(frozen=True, slots=True)
class Priorities:
    """What the customer said matters most (意向把握), in order."""

    order: tuple[PriorityKind, ...] = (PriorityKind.BROADEST_COVER, PriorityKind.LOWEST_PRICE)
    items: tuple[CoverageKey, ...] = ()  # must be covered
    min_limit_jpy: int | None = None  # the policy limit must reach this
    note: str = ""  # the customer's own words


@dataclass(frozen=True, slots=True)
class Cell:
    key: CoverageKey
    kind: CellKind
    limit_jpy: int | None  # as the carrier states it; None: up to the limit above
    effective_jpy: int | None  # most it can pay: min(own limit, every pool above it, policy limit); None: not covered or not stated
    payable_jpy: int | None  # against this applicant's estimated need, allocated under the plan's pools (aggregator/payment.py)
    shortfall_jpy: int | None  # need − payable, when positive
    deductible_jpy: int  # the item's own deductible, or the policy deductible it shares
    payout_ratio_pct: int
    parent_label: str
    per_victim: PerVictimCap | None
    conditions: str
    wording: str
    best: bool = False
    tie: bool = False
    own_deductible: bool = False  # the item carries a deductible of its own (not the policy's)
    parent: str = POLICY_POOL
    basis: LimitBasis | None = None
    waiting_hours: int | None = None
    scope: str = ""  # narrower than the item's name: never ★ over a full cover
    scope_en: str = ""
    limit_stated: bool = True  # False: covered, but the plan states no limit of its own for it (要確認)
    conditions_en: str = ""
    parent_label_en: str = ""

    @property
    def full_scope(self) -> bool:
        return not self.scope


@dataclass(frozen=True, slots=True)
class Column:
    quote: Quote
    cells: tuple[Cell, ...]
    total_shortfall_jpy: int
    covered_items: int
    pools: tuple[PoolUse, ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    key: CoverageKey
    category: Category
    need: Need | None


@dataclass(frozen=True, slots=True)
class Ranked:
    column: int
    rank: int | None  # None: filtered out by a priority, or declined
    reasons_ja: tuple[str, ...]
    reasons_en: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NotSold:
    """A carrier compared that does not sell the line asked (取扱なし), and its nearest product."""

    carrier: Carrier
    line: Line
    nearest_line: Line | None
    nearest_product: str


@dataclass(frozen=True, slots=True)
class CurrentColumn:
    """The policy held today as a column (aggregator/versus.py builds it): shown first, never ranked."""

    policy: CurrentPolicy
    cells: tuple[Cell, ...]
    total_shortfall_jpy: int  # over the items known; an unknown item is not counted short
    covered_items: int
    versus: tuple[Versus, ...]
    keys: tuple[CoverageKey, ...]  # the rows, in order

    def cell(self, key: CoverageKey) -> Cell:
        return self.cells[self.keys.index(key)]

    def mark(self, column: int, key: CoverageKey) -> Mark:
        return self.versus[column].marks[self.keys.index(key)]


@dataclass(frozen=True, slots=True)
class Comparison:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    needs: Needs
    priorities: Priorities
    ranking: tuple[Ranked, ...]  # ranked first, in order; then the excluded
    materiality_jpy: int = 0  # shortfalls closer than this are the same cover for choosing (materiality())
    added: tuple[int, ...] = ()  # columns shown beyond one per carrier: the broadest plan meeting the wishes
    not_sold: tuple[NotSold, ...] = ()  # carriers that do not sell this line (取扱なし), with their nearest product
    contract: ContractCheck | None = None  # the contract check read against these plans (aggregator/contract_check.py)
    scenarios: tuple[ScenarioResult, ...] = ()  # the articles' six accidents, paid plan by plan (aggregator/scenarios.py)
    current: CurrentColumn | None = None  # the policy held today (aggregator/current.py): shown first, never ranked

    @property
    def sample(self) -> bool:
        return any(c.quote.sample for c in self.columns)

    def cell(self, column: int, key: CoverageKey) -> Cell:
        return next(c for c in self.columns[column].cells if c.key == key)

    @property
    def groups(self) -> tuple[tuple[Category, tuple[Row, ...]], ...]:
        return tuple(
            (cat, tuple(r for r in self.rows if r.category is cat)) for cat in Category if any(r.category is cat for r in self.rows)
        )

    @property
    def best_column(self) -> int | None:
        first = self.ranking[0] if self.ranking else None
        return first.column if first is not None and first.rank is not None else None


# ------------------------------------------------------------ accidents ---


class ScenarioKind(StrEnum):
    CUSTOMER_DATA_LEAK = "customer_data_leak"  # 取引先の顧客データの漏えい
    END_USER_OUTAGE = "end_user_outage"  # エンドユーザーのシステム・サーバーの停止
    DEFECT_DATA_LOSS = "defect_data_loss"  # 納品したシステムの不具合によるデータの破損・消失
    ATTACK_DELAY = "attack_delay"  # サイバー攻撃による開発の遅延
    VULNERABILITY_ATTACK = "vulnerability_attack"  # 納品したシステムの脆弱性への攻撃
    INSIDER_TAKEOUT = "insider_takeout"  # 従業員による顧客データの持ち出し


@dataclass(frozen=True, slots=True)
class Scenario:
    """One accident: what happens, the items it calls on (each with its basis), and where its figures come from."""

    kind: ScenarioKind
    title_ja: str
    title_en: str
    story_ja: str
    story_en: str
    needs: tuple[Need, ...]
    leak: bool  # information leaks: a cover limited to leaks pays it
    claim: LiabilityCase  # what the contract makes of the client's claim
    notes_ja: tuple[str, ...]
    notes_en: tuple[str, ...]
    sources_ja: tuple[str, ...]
    sources_en: tuple[str, ...]
    assumptions: tuple[str, ...]  # the assumptions (exposure.Assumptions fields) its figures rest on

    @property
    def need_jpy(self) -> int:
        return sum(n.amount_jpy for n in self.needs)


@dataclass(frozen=True, slots=True)
class ItemPaid:
    key: CoverageKey
    need_jpy: int
    paid_jpy: int
    shortfall_jpy: int
    kind: CellKind
    why_ja: str  # why the plan pays nothing for it (not offered, out of scope…); "" when it is covered
    why_en: str


@dataclass(frozen=True, slots=True)
class ScenarioPlan:
    """What one plan pays in one accident, what it leaves to the customer, and which items it lacks."""

    column: int
    status: QuoteStatus
    payable_jpy: int
    shortfall_jpy: int  # the need left to the customer: never covered, above a limit, or a deductible
    items: tuple[ItemPaid, ...]
    missing: tuple[CoverageKey, ...]  # items with a need the plan does not cover at all
    pools: tuple[PoolUse, ...]
    notes_ja: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: Scenario
    plans: tuple[ScenarioPlan, ...]
