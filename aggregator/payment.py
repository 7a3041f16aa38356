"""How a policy pays: the payment rule for one item, and one incident's needs allocated under the plan's limits.

The order the wordings fix (docs/DOMAIN.md, "How a policy pays"; Tokio Marine's public limit
table, tmn-cyber.jp/insurance/limit-table, says it plainly and the others follow it):

- An item pays its loss after its deductible, times its payout ratio, *up to* its own limit:
  min(own limit, ratio × (loss − deductible)). A 1,000万円 item at 90% pays 1,000万円 on a
  loss of 1,200万円 or more.
- Limits nest: the item inside its pool (内枠, e.g. 費用損害の総支払限度額), the pool inside the
  policy's aggregate limit, litigation costs inside the liability limit. Every payment inside a
  pool together stops at the pool's limit.
- The policy deductible applies once per incident, to the first items that carry it.

One incident's needs are paid item by item in the order the caller gives — the comparison pays
them as they fall due: response costs, business interruption, the other first-party losses, and
last the claims of those harmed (matching.PAYMENT_ORDER). Each item takes what its own limit
allows from what is left in every pool above it. So no set of cells ever adds up to more than a
pool they share, no cell pays more than its limit, and what a cell pays never falls when its own
need grows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from aggregator.plans import POLICY_POOL, CoverageTerm, LimitPool
from aggregator.taxonomy import CoverageKey


class Pools(Protocol):
    """What the payment rule needs of a plan: its pools (a Plan, or a current policy, which has none of its own)."""

    @property
    def pools(self) -> tuple[LimitPool, ...]: ...

    def pool(self, pool_id: str) -> LimitPool | None: ...


@dataclass(frozen=True, slots=True)
class Loss:
    """One item's loss in the incident, and what per-victim caps and waiting periods need to know of it."""

    amount_jpy: int
    people: int | None = None  # people it is paid to (apology, credit monitoring)
    per_person_jpy: int | None = None  # the amount a person assumed
    companies: int | None = None  # companies it is paid to
    per_company_jpy: int | None = None
    outage_hours: int | None = None  # for business interruption: how long the outage lasts


@dataclass(frozen=True, slots=True)
class PoolUse:
    """One limit several items share, in one plan: its limit, the needs inside it, what it pays."""

    pool_id: str
    label_ja: str
    label_en: str
    limit_jpy: int
    parent: str | None  # the pool it sits inside; None for the policy aggregate or a separate (別枠) pool
    keys: tuple[CoverageKey, ...]  # the items inside it, directly or through an inner pool
    need_jpy: int  # the needs of those items, added up
    paid_jpy: int  # what they are paid together: never above the limit
    shortfall_jpy: int  # need − paid


def item_loss(term: CoverageTerm, loss: Loss) -> int:
    """The part of a loss the item's own terms can pay on: per-person and per-company caps, the waiting period."""
    amount = loss.amount_jpy
    cap = term.per_victim
    if cap is not None and (loss.people is not None or loss.companies is not None):
        people = (loss.people or 0) * _capped(loss.per_person_jpy, cap.per_person_jpy)
        companies = (loss.companies or 0) * _capped(loss.per_company_jpy, cap.per_company_jpy)
        amount = min(amount, people + companies)
    if term.waiting_hours and loss.outage_hours is not None:
        if loss.outage_hours <= term.waiting_hours:
            return 0
        amount = amount * (loss.outage_hours - term.waiting_hours) // loss.outage_hours
    return amount


def _capped(assumed: int | None, cap: int | None) -> int:
    if assumed is None:
        return cap or 0
    return assumed if cap is None else min(assumed, cap)


def pays(limit_jpy: int, ratio_pct: int, loss_jpy: int, deductible_jpy: int) -> int:
    """The payment rule: the loss after the deductible, times the payout ratio, up to the limit."""
    return min(limit_jpy, max(0, loss_jpy - deductible_jpy) * ratio_pct // 100)


def pool_limits(plan: Pools, policy_limit_jpy: int) -> dict[str, int]:
    """Every limit in the plan as quoted: the policy aggregate and each pool, a pool never above the pool it sits in."""
    limits = {POLICY_POOL: policy_limit_jpy}
    for pool in plan.pools:
        limits[pool.pool_id] = pool.limit_jpy if pool.parent is None else min(pool.limit_jpy, policy_limit_jpy)
    return limits


def ancestors(plan: Pools, parent: str) -> tuple[str, ...]:
    """The pools above an item whose parent is `parent`, innermost first."""
    chain: list[str] = []
    current: str | None = parent
    while current is not None and current not in chain:
        chain.append(current)
        if current == POLICY_POOL:
            break
        pool = plan.pool(current)
        current = None if pool is None else pool.parent
    return tuple(chain)


def most_it_can_pay(plan: Pools, term: CoverageTerm, policy_limit_jpy: int) -> int:
    """The smallest of the item's own limit and every limit above it: what the item pays on a large enough loss."""
    limits = pool_limits(plan, policy_limit_jpy)
    caps = [limits[p] for p in ancestors(plan, term.parent) if p in limits]
    if term.limit_jpy is not None:
        caps.append(term.limit_jpy)
    return min(caps)


@dataclass(frozen=True, slots=True)
class Allocation:
    paid: Mapping[CoverageKey, int]
    pools: tuple[PoolUse, ...]


def allocate(
    plan: Pools,
    covered: Sequence[CoverageTerm],
    losses: Mapping[CoverageKey, Loss],
    policy_limit_jpy: int,
    policy_deductible_jpy: int,
) -> Allocation:
    """One incident's losses paid item by item, in the order of `covered`, under every pool they share."""
    left = pool_limits(plan, policy_limit_jpy)
    deductible_left = policy_deductible_jpy
    paid: dict[CoverageKey, int] = {}
    for term in covered:
        loss = losses.get(term.key)
        if loss is None:
            continue
        amount = item_loss(term, loss)
        if term.deductible_jpy is None:  # the policy deductible: once per incident
            deductible = min(deductible_left, amount)
            deductible_left -= deductible
        else:
            deductible = term.deductible_jpy
        chain = [p for p in ancestors(plan, term.parent) if p in left]
        room = min([left[p] for p in chain] + ([term.limit_jpy] if term.limit_jpy is not None else []))
        payment = pays(room, term.payout_ratio_pct, amount, deductible)
        for p in chain:
            left[p] -= payment
        paid[term.key] = payment
    return Allocation(paid, _pool_uses(plan, covered, losses, paid, policy_limit_jpy))


def _pool_uses(
    plan: Pools,
    covered: Sequence[CoverageTerm],
    losses: Mapping[CoverageKey, Loss],
    paid: Mapping[CoverageKey, int],
    policy_limit_jpy: int,
) -> tuple[PoolUse, ...]:
    limits = pool_limits(plan, policy_limit_jpy)
    inside: dict[str, list[CoverageKey]] = {p: [] for p in limits}
    for term in covered:
        for p in ancestors(plan, term.parent):
            if p in inside:
                inside[p].append(term.key)
    labels = {POLICY_POOL: ("支払限度額(保険期間中の総額)", "Policy limit (aggregate)")}
    labels |= {pool.pool_id: (pool.label_ja, pool.label_en) for pool in plan.pools}
    parents = {POLICY_POOL: None} | {pool.pool_id: pool.parent for pool in plan.pools}
    uses = []
    for pool_id, limit in limits.items():
        keys = tuple(inside[pool_id])
        need = sum(losses[k].amount_jpy for k in keys if k in losses)
        total = sum(paid.get(k, 0) for k in keys)
        uses.append(PoolUse(pool_id, *labels[pool_id], limit, parents[pool_id], keys, need, total, max(0, need - total)))
    return tuple(uses)
