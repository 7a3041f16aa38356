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

import numpy as np
import numpy.typing as npt

from aggregator.rating import DECLINED, NOT_ASKED, STATUS_CODE
from aggregator.schema import Quote

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
