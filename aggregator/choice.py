"""Which plan each carrier's column shows: the cheapest that meets the wishes, else the nearest it can do.

The customer's wishes are requirements: the policy limit, the deductible and the riders asked for.
One rule, over arrays, so a single quote (a batch of one) and a client list of 100,000 choose the
same plan for the same request (tests/test_choice.py):

1. a plan that can be quoted at all (not declined) before one that cannot;
2. a plan that meets every wish (limit, deductible, riders as asked) before one that does not;
3. among those that do not meet them, the nearest: the smallest shortfall of limit, then the
   smallest deductible above the one asked;
4. a firm quote before one subject to conditions, before one an underwriter must see;
5. the lower premium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aggregator.batch import DECLINED, NOT_ASKED, QUOTED, STATUS_CODE, ApplicantBatch
from aggregator.codes import Carrier, Line
from aggregator.quotes import Quote
from aggregator.rating import BatchResult, Rater

I64 = npt.NDArray[np.int64]
UNPRICED = np.iinfo(np.int64).max


def best_plan(
    status: npt.NDArray[np.integer],
    adjusted: npt.NDArray[np.bool_],
    limit_gap: I64,
    deductible_gap: I64,
    premium: I64,
) -> npt.NDArray[np.intp]:
    """Per row (a client), the column (a plan) the rule above chooses; every argument is (clients, plans)."""
    out = ((status == DECLINED) | (status == NOT_ASKED)).astype(np.int64)
    priced = np.where(premium < 0, UNPRICED, premium)
    keys = (priced, status.astype(np.int64), deductible_gap, limit_gap, adjusted.astype(np.int64), out)
    order = np.lexsort([k.reshape(-1) for k in keys]).reshape(-1)  # the last key sorts first
    n_clients, n_plans = status.shape
    rank = np.empty(n_clients * n_plans, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return np.asarray(np.argmin(rank.reshape(n_clients, n_plans), axis=1))


def meets_wishes(quote: Quote) -> bool:
    """Quoted with the limit, deductible and riders asked for (an underwriter's conditions aside)."""
    return quote.status.value != "declined" and not quote.adjustments


def choose(quotes: Sequence[Quote]) -> Quote:
    """One carrier's plans for one line: the plan its column shows."""
    status = np.array([[STATUS_CODE[q.status] for q in quotes]], dtype=np.int64)
    adjusted = np.array([[bool(q.adjustments) for q in quotes]])
    limit_gap = np.array([[max(0, q.asked_limit_jpy - q.limit_jpy) for q in quotes]], dtype=np.int64)
    deductible_gap = np.array([[max(0, q.deductible_jpy - q.asked_deductible_jpy) for q in quotes]], dtype=np.int64)
    premium = np.array([[q.premium_jpy if q.premium_jpy is not None else -1 for q in quotes]], dtype=np.int64)
    return quotes[int(best_plan(status, adjusted, limit_gap, deductible_gap, premium)[0])]


def choose_per_carrier(quotes: Sequence[Quote]) -> list[Quote]:
    """The plan each carrier's column shows, in the order the carriers first appear."""
    by_carrier: dict[object, list[Quote]] = {}
    for quote in quotes:
        by_carrier.setdefault(quote.carrier, []).append(quote)
    return [choose(group) for group in by_carrier.values()]


# ------------------------------------------------------ over a client list ---


@dataclass(frozen=True)
class CarrierPick:
    """Per client, line and carrier: the carrier's best plan for the request."""

    slot: np.ndarray  # (n,) slot index, -1 where the carrier does not sell the line
    status: np.ndarray
    premium: np.ndarray
    limit: np.ndarray
    deductible: np.ndarray


def pick_per_carrier(rater: Rater, result: BatchResult, line: Line, carrier: Carrier, asked: ApplicantBatch) -> CarrierPick:
    """Per client, the plan the carrier's column shows: the one rule single quotes use too (aggregator/choice.py)."""
    slots = [s.index for s in rater.slots if s.plan.line == line and s.plan.carrier == carrier]
    n = result.status.shape[0]
    if not slots:
        empty = np.full(n, -1, dtype=np.int64)
        return CarrierPick(empty, np.full(n, NOT_ASKED, dtype=np.int8), empty, empty, empty)
    limit_gap = np.maximum(0, asked.limit_jpy[:, None] - result.limit[:, slots])
    deductible_gap = np.maximum(0, result.deductible[:, slots] - asked.deductible_jpy[:, None])
    chosen = best_plan(result.status[:, slots], result.adjusted[:, slots], limit_gap, deductible_gap, result.premium[:, slots])
    best = np.asarray(slots)[chosen]
    rows = np.arange(n)
    return CarrierPick(best, result.status[rows, best], result.premium[rows, best], result.limit[rows, best], result.deductible[rows, best])


def cheapest_meeting_request(rater: Rater, result: BatchResult, line: Line) -> np.ndarray:
    """Per client, the slot of the cheapest firm quote that meets the request as asked, or -1."""
    slots = np.array([s.index for s in rater.slots if s.plan.line == line], dtype=np.int64)
    if not len(slots):
        return np.full(result.status.shape[0], -1, dtype=np.int64)
    ok = (result.status[:, slots] == QUOTED) & ~result.adjusted[:, slots]
    price = np.where(ok, result.premium[:, slots], np.iinfo(np.int64).max)
    best = np.argmin(price, axis=1)
    return np.where(ok.any(axis=1), slots[best], -1)
