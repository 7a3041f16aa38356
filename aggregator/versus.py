"""The current policy's column (aggregator/current.py) against the same needs, and each plan compared with it item by item.

Its cells are paid by the same rule as every carrier's (aggregator/payment.py, PAYMENT_ORDER): each
item up to its own limit, all inside the policy limit, the deductible once per incident; it has no
pools of its own. Each plan's item is marked better / the same / worse by the order ★ uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.codes import CellKind, TermStatus
from aggregator.comparison import Cell, Column, CurrentColumn, Row
from aggregator.current import WORDING, CurrentPolicy, KnownItem, Mark, Versus
from aggregator.matching import COVERED_KINDS, PAYMENT_ORDER, limit_stated, loss_of
from aggregator.payment import allocate, most_it_can_pay
from aggregator.plans import CoverageTerm, LimitPool, PerVictimCap


@dataclass(frozen=True, slots=True)
class _NoPools:
    """A current policy's limits: every item sits in the policy limit."""

    pools: tuple[LimitPool, ...] = ()

    def pool(self, pool_id: str) -> LimitPool | None:
        return None


NO_POOLS = _NoPools()


def _term(item: KnownItem | None) -> CoverageTerm | None:
    if item is None:
        return None
    if not item.covered:
        return CoverageTerm(item.key, TermStatus.NOT_OFFERED, WORDING)
    status = TermStatus.INCLUDED if item.limit_jpy is None else TermStatus.SUBLIMITED
    victim = None
    if item.per_person_jpy is not None or item.per_company_jpy is not None:
        victim = PerVictimCap(item.per_person_jpy, item.per_company_jpy)
    return CoverageTerm(
        item.key,
        status,
        WORDING,
        limit_jpy=item.limit_jpy,
        payout_ratio_pct=item.payout_ratio_pct,
        per_victim=victim,
        deductible_jpy=item.deductible_jpy,
        waiting_hours=item.waiting_hours,
        scope=item.scope,
    )


def _kind(term: CoverageTerm | None) -> CellKind:
    if term is None:
        return CellKind.UNKNOWN
    if not term.offered:
        return CellKind.NOT_OFFERED
    if term.limit_jpy == 0:
        return CellKind.ZERO
    return CellKind.SUBLIMIT if term.status is TermStatus.SUBLIMITED else CellKind.INCLUDED


def _cells(policy: CurrentPolicy, rows: Sequence[Row]) -> tuple[Cell, ...]:
    terms = {row.key: _term(policy.item(row.key)) for row in rows}
    payable = sorted(
        (t for t in terms.values() if t is not None and t.offered and limit_stated(t)),
        key=lambda t: PAYMENT_ORDER.index(t.key),
    )
    losses = {row.key: loss_of(row.need) for row in rows if row.need is not None}
    paid = allocate(NO_POOLS, payable, losses, policy.limit_jpy, policy.deductible_jpy).paid
    cells = []
    for row in rows:
        term, need = terms[row.key], row.need
        kind = _kind(term)
        covered = term is not None and kind in COVERED_KINDS
        stated = term is None or limit_stated(term)
        payable_jpy = paid.get(row.key) if covered and stated and need is not None else None
        cells.append(
            Cell(
                key=row.key,
                kind=kind,
                limit_jpy=term.limit_jpy if term is not None else None,
                effective_jpy=most_it_can_pay(NO_POOLS, term, policy.limit_jpy) if term is not None and covered and stated else None,
                payable_jpy=payable_jpy,
                shortfall_jpy=None if need is None or term is None else max(0, need.amount_jpy - (payable_jpy or 0)),
                deductible_jpy=term.deductible_jpy if term is not None and term.deductible_jpy is not None else policy.deductible_jpy,
                payout_ratio_pct=term.payout_ratio_pct if term is not None else 100,
                parent_label="支払限度額",
                per_victim=term.per_victim if term is not None else None,
                conditions="",
                wording=WORDING if term is not None else "",
                own_deductible=term is not None and term.deductible_jpy is not None,
                waiting_hours=term.waiting_hours if term is not None else None,
                scope=term.scope if term is not None else "",
                limit_stated=stated or not covered,
            )
        )
    return tuple(cells)


def _score(cell: Cell) -> tuple[int, ...] | None:
    """What a cell is worth against another (the order ★ uses); None when it cannot be compared."""
    if cell.kind is CellKind.UNKNOWN or (cell.kind in COVERED_KINDS and not cell.limit_stated):
        return None
    if not cell.effective_jpy:
        return (0, 0, 0, 0, 0)
    return (1, int(cell.full_scope), cell.effective_jpy, cell.payout_ratio_pct, -cell.deductible_jpy)


def compare_cells(plan: Cell, current: Cell) -> Mark:
    ours, theirs = _score(plan), _score(current)
    if ours is None or theirs is None:
        return Mark.UNKNOWN
    return Mark.BETTER if ours > theirs else Mark.WORSE if ours < theirs else Mark.SAME


def current_column(policy: CurrentPolicy, rows: Sequence[Row], columns: Sequence[Column]) -> CurrentColumn:
    """The current policy's column against the comparison's needs, and every plan's column compared with it."""
    cells = _cells(policy, rows)
    versus = []
    for i, column in enumerate(columns):
        marks = tuple(compare_cells(plan, mine) for plan, mine in zip(column.cells, cells, strict=True))
        premium = column.quote.premium_jpy
        difference = premium - policy.premium_jpy if premium is not None and policy.premium_jpy is not None else None
        versus.append(Versus(i, marks, difference))
    return CurrentColumn(
        policy,
        cells,
        sum(c.shortfall_jpy or 0 for c in cells),
        sum(1 for c in cells if c.effective_jpy),
        tuple(versus),
        tuple(row.key for row in rows),
    )
