"""Quotes lined up item by item: what each pays, the best per row, shortfalls, and a ranking by priorities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from aggregator.codes import CellKind, PriorityKind, QuoteStatus, TermStatus
from aggregator.comparison import Cell, Column, Comparison, NotSold, Priorities, Ranked, Row
from aggregator.exposure import Need, Needs
from aggregator.labels import PRIORITY_LABELS, STATUS_LABELS, carrier_name, quote_status
from aggregator.money import format_premium, format_yen, round_for_reading
from aggregator.payment import Loss, PoolUse, allocate, most_it_can_pay
from aggregator.plans import POLICY_POOL, CoverageTerm
from aggregator.quotes import Quote
from aggregator.taxonomy import KEY_INFO, Category, CoverageKey, label

ROW_ORDER: tuple[CoverageKey, ...] = tuple(k for cat in Category for k in CoverageKey if KEY_INFO[k].category is cat)
# The order one incident's needs are paid in, under the pools they share (aggregator/payment.py): as
# they fall due — the response costs first, business interruption while systems are down, the other
# first-party losses, and last the claims of those harmed (damages and the costs of defending them).
PAYMENT_ORDER: tuple[CoverageKey, ...] = tuple(
    k
    for cat in (Category.INCIDENT_COSTS, Category.BUSINESS_INTERRUPTION, Category.OTHER, Category.LIABILITY)
    for k in ROW_ORDER
    if KEY_INFO[k].category is cat
)


def _kind(term: CoverageTerm | None, quote: Quote) -> CellKind:
    if term is None or term.status is TermStatus.UNKNOWN:
        return CellKind.UNKNOWN
    if term.status is TermStatus.NOT_OFFERED:
        return CellKind.NOT_OFFERED
    if term.limit_jpy == 0:
        return CellKind.ZERO
    if term.status is TermStatus.OPTIONAL_RIDER:
        return CellKind.RIDER_INCLUDED if term.key in quote.riders else CellKind.RIDER
    return {TermStatus.CONDITIONAL: CellKind.CONDITIONAL, TermStatus.SUBLIMITED: CellKind.SUBLIMIT}.get(term.status, CellKind.INCLUDED)


COVERED_KINDS = frozenset({CellKind.INCLUDED, CellKind.SUBLIMIT, CellKind.CONDITIONAL, CellKind.RIDER_INCLUDED, CellKind.ZERO})
# Liability and incident costs with no limit of their own are paid up to the limit above them,
# as the wordings say (「支払限度額の範囲内」). Business interruption and the other items are
# separate covers: without a limit of their own (or a pool of their own) the plan has not said
# what they pay, and the cell reads 要確認 rather than the whole policy limit.
LIMIT_FOLLOWS_PARENT = frozenset({Category.LIABILITY, Category.INCIDENT_COSTS})


def limit_stated(term: CoverageTerm) -> bool:
    return term.limit_jpy is not None or term.parent != POLICY_POOL or KEY_INFO[term.key].category in LIMIT_FOLLOWS_PARENT


def loss_of(need: Need) -> Loss:
    """One item's need as the loss the payment rule pays on (aggregator/payment.py)."""
    return Loss(
        need.amount_jpy,
        people=need.people,
        per_person_jpy=need.per_person_jpy,
        companies=need.companies,
        per_company_jpy=need.per_company_jpy,
        outage_hours=need.outage_hours,
    )


def _column(quote: Quote, rows: Sequence[Row]) -> tuple[list[Cell], tuple[PoolUse, ...]]:
    """One plan's cells: what each item is, the most it can pay, and what it pays of this incident's needs."""
    plan = quote.plan
    terms = {row.key: plan.term(row.key) for row in rows}
    kinds = {key: _kind(term, quote) for key, term in terms.items()}
    losses = {row.key: loss_of(row.need) for row in rows if row.need is not None}
    allocation = allocate(plan, payable_terms(quote, terms), losses, quote.limit_jpy, quote.deductible_jpy)
    return [_cell(row, terms[row.key], kinds[row.key], quote, allocation.paid) for row in rows], allocation.pools


def payable_terms(quote: Quote, keys: Iterable[CoverageKey] = ROW_ORDER) -> list[CoverageTerm]:
    """The items of a quote that pay (covered, with a limit stated), in the order one incident's needs are paid.

    The comparison and the accident scenarios both allocate through this, so they never disagree.
    """
    terms = (quote.plan.term(key) for key in keys)
    return sorted(
        (t for t in terms if t is not None and _kind(t, quote) in COVERED_KINDS and limit_stated(t)),
        key=lambda t: PAYMENT_ORDER.index(t.key),
    )


def _cell(row: Row, term: CoverageTerm | None, kind: CellKind, quote: Quote, paid: Mapping[CoverageKey, int]) -> Cell:
    need = row.need
    covered = kind in COVERED_KINDS and term is not None
    stated = term is None or limit_stated(term)
    effective = most_it_can_pay(quote.plan, term, quote.limit_jpy) if covered and stated and term is not None else None
    payable = paid.get(row.key) if covered and stated and need is not None else None
    shortfall = None if need is None else max(0, need.amount_jpy - (payable or 0))
    parent = quote.plan.pool(term.parent) if term is not None else None
    own = term is not None and term.deductible_jpy is not None
    return Cell(
        key=row.key,
        kind=kind,
        limit_jpy=term.limit_jpy if term is not None else None,
        effective_jpy=effective,
        payable_jpy=payable,
        shortfall_jpy=shortfall,
        deductible_jpy=term.deductible_jpy if term is not None and term.deductible_jpy is not None else quote.deductible_jpy,
        payout_ratio_pct=term.payout_ratio_pct if term is not None else 100,
        parent_label=parent.label_ja if parent is not None else "支払限度額",
        per_victim=term.per_victim if term is not None else None,
        conditions=term.conditions if term is not None else "",
        wording=term.wording if term is not None else "",
        own_deductible=own,
        parent=term.parent if term is not None else POLICY_POOL,
        basis=term.basis if term is not None and term.offered else None,
        waiting_hours=term.waiting_hours if term is not None else None,
        scope=term.scope if term is not None else "",
        scope_en=term.scope_en if term is not None else "",
        limit_stated=stated or not covered,
        conditions_en=term.conditions_en if term is not None else "",
        parent_label_en=parent.label_en if parent is not None else "the policy limit",
    )


def _mark_best(columns: list[list[Cell]], quotes: Sequence[Quote]) -> None:
    """Best per row: a full cover before a narrower one, then the most it can pay, the payout ratio, the lowest deductible.

    Ties are all best. A cell whose limit the plan does not state is never best.
    """
    live = [i for i, q in enumerate(quotes) if q.status is not QuoteStatus.DECLINED]
    for r in range(len(ROW_ORDER)):
        scored = [
            ((c.full_scope, c.effective_jpy, c.payout_ratio_pct, -c.deductible_jpy), i) for i in live if (c := columns[i][r]).effective_jpy
        ]
        if not scored:
            continue
        top = max(score for score, _ in scored)
        winners = [i for score, i in scored if score == top]
        for i in winners:
            columns[i][r] = replace(columns[i][r], best=True, tie=len(winners) > 1)


Memo = dict[int, tuple[list[Cell], tuple[PoolUse, ...]]]  # a quote's cells by id(quote), for comparisons of the same needs


def compare(
    quotes: Sequence[Quote],
    needs: Needs,
    priorities: Priorities | None = None,
    *,
    explained: bool = True,
    memo: Memo | None = None,
) -> Comparison:
    """The side-by-side comparison of `quotes` against `needs`, ranked by `priorities`.

    For a comparison only ranked to choose from (recommendation.build_comparison's first pass),
    `explained=False` leaves the ranking's reasons empty, and a `memo` shared with the next
    comparison of some of the same quotes against the same needs spares working out their cells again.
    """
    priorities = priorities or Priorities()
    rows = tuple(Row(k, KEY_INFO[k].category, needs.get(k)) for k in ROW_ORDER)
    built = [_memo_column(memo, q, rows) if memo is not None else _column(q, rows) for q in quotes]
    cells = [list(cs) for cs, _ in built]
    _mark_best(cells, quotes)
    columns = tuple(
        Column(q, tuple(cs), sum(c.shortfall_jpy or 0 for c in cs), sum(1 for c in cs if c.effective_jpy), pools)
        for q, cs, (_, pools) in zip(quotes, cells, built, strict=True)
    )
    unit = materiality(needs)
    return Comparison(columns, rows, needs, priorities, _rank(columns, priorities, unit, explained), unit)


def _memo_column(memo: Memo, quote: Quote, rows: Sequence[Row]) -> tuple[list[Cell], tuple[PoolUse, ...]]:
    """A quote's cells against these rows, worked out once for comparisons that share the quote and the needs."""
    found = memo.get(id(quote))
    if found is None:
        found = memo[id(quote)] = _column(quote, rows)
    cells, pools = found
    return [replace(c, best=False, tie=False) for c in cells], pools


MATERIAL_PCT = 2  # of the whole need: a smaller difference in shortfall does not decide a choice
MATERIAL_FLOOR_JPY = 500_000  # nor does one under 50万円


def materiality(needs: Needs) -> int:
    """The shortfall difference that matters against these needs: 2% of the whole need, at least 50万円."""
    total = sum(n.high_jpy for n in needs.items)
    return round_for_reading(max(MATERIAL_FLOOR_JPY, total * MATERIAL_PCT // 100), up=True)


_STATUS_ORDER = {QuoteStatus.QUOTED: 0, QuoteStatus.INDICATION: 1, QuoteStatus.REFERRED: 2, QuoteStatus.DECLINED: 3}


def _filtered_out(column: Column, priorities: Priorities) -> tuple[list[str], list[str]]:
    quote = column.quote
    ja: list[str] = []
    en: list[str] = []
    if quote.status is QuoteStatus.DECLINED:
        ja += [r.text_ja for r in quote.reasons] or ["お引受けできません"]
        en += [r.text_en for r in quote.reasons] or ["Declined"]
    for key in priorities.items:
        cell = next(c for c in column.cells if c.key == key)
        if not cell.effective_jpy:
            ja.append(f"ご希望の補償項目「{label(key, 'ja')}」がありません")
            en.append(f"The item asked for, {label(key, 'en')}, is not covered")
    if priorities.min_limit_jpy is not None and quote.limit_jpy < priorities.min_limit_jpy:
        ja.append(f"支払限度額{format_yen(quote.limit_jpy)}はご希望の{format_yen(priorities.min_limit_jpy)}に届きません")
        en.append(f"The limit {format_yen(quote.limit_jpy, 'en')} is below the {format_yen(priorities.min_limit_jpy, 'en')} asked for")
    return ja, en


def _order_key(column: Column, priorities: Priorities, unit: int) -> tuple[int, ...]:
    """Lower ranks first. Breadth is the shortfall in steps of `unit`: a difference that does not matter
    against the needs does not decide the choice, and the next priority (then the price) does."""
    quote = column.quote
    key = [_STATUS_ORDER[quote.status]]
    for kind in priorities.order:
        if kind is PriorityKind.LOWEST_PRICE:
            key.append(quote.premium_jpy if quote.premium_jpy is not None else 1 << 62)
        elif kind is PriorityKind.BROADEST_COVER:
            key.append((column.total_shortfall_jpy + unit // 2) // max(unit, 1))
        elif kind is PriorityKind.LIMIT:
            key.append(-quote.limit_jpy)
        elif kind is PriorityKind.ITEMS:
            key.append(-sum(1 for c in column.cells if c.key in priorities.items and c.effective_jpy))
    key.append(quote.premium_jpy if quote.premium_jpy is not None else 1 << 62)
    return tuple(key)


def _rank(columns: Sequence[Column], priorities: Priorities, unit: int, explained: bool = True) -> tuple[Ranked, ...]:
    kept, dropped = [], []
    for i, column in enumerate(columns):
        ja, en = _filtered_out(column, priorities)
        if ja:
            dropped.append(Ranked(i, None, tuple(ja), tuple(en)))
        else:
            kept.append(i)
    kept.sort(key=lambda i: _order_key(columns[i], priorities, unit))
    # Price words compare with every priced plan in the table, so they agree with what the reader sees.
    prices = sorted(p for c in columns if c.quote.status is not QuoteStatus.DECLINED and (p := c.quote.premium_jpy) is not None)
    per_carrier = len({c.quote.carrier for c in columns}) == len(columns)
    ranked = [
        Ranked(i, n, *(explain(columns[i], prices, per_carrier=per_carrier) if explained else ((), ())))
        for n, i in enumerate(kept, start=1)
    ]
    return (*ranked, *dropped)


def price_place(premium: int, prices: Sequence[int], *, per_carrier: bool = True) -> tuple[str, str]:
    """Where a premium stands among the priced plans in the table, in words that agree with the table."""
    n, place = len(prices), prices.index(premium) + 1
    what_ja, what_en = ("社", "carriers") if per_carrier else ("プラン", "plans")
    if n == 1:
        return "比較できる他のプランなし", "the only plan priced"
    if place == 1:
        return f"{n}{what_ja}中で最も安い", f"the cheapest of {n} {what_en}"
    if premium == prices[-1]:
        return f"{n}{what_ja}中で最も高い", f"the dearest of {n} {what_en}"
    return f"{n}{what_ja}中{place}番目に安い", f"{_ordinal(place)} cheapest of {n} {what_en}"


def explain(column: Column, prices: Sequence[int], *, per_carrier: bool = True) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Plain words for one plan: its price among the others, its status, and its shortfalls item by item."""
    quote = column.quote
    ja: list[str] = []
    en: list[str] = []
    if quote.premium_jpy is not None and quote.premium_jpy in prices:
        where_ja, where_en = price_place(quote.premium_jpy, prices, per_carrier=per_carrier)
        ja.append(f"年間保険料{format_premium(quote.premium_jpy)}({where_ja})")
        en.append(f"Annual premium {format_yen(quote.premium_jpy, 'en')} ({where_en})")
    if quote.status is not QuoteStatus.QUOTED:
        ja.append(f"{quote_status(quote.status)}: " + "、".join([r.text_ja for r in quote.reasons] + [c.text_ja for c in quote.conditions]))
        en.append(
            f"{quote_status(quote.status, 'en')}: " + "; ".join([r.text_en for r in quote.reasons] + [c.text_en for c in quote.conditions])
        )
    for cell in column.cells:
        if not cell.shortfall_jpy:
            continue
        need = cell.shortfall_jpy + (cell.payable_jpy or 0)
        name_ja, name_en = label(cell.key, "ja"), label(cell.key, "en")
        if cell.payable_jpy is None and cell.kind is CellKind.RIDER:
            ja.append(f"{name_ja}は特約で補償できますが、この見積もりには含まれていません(推定必要額{format_yen(need)})")
            en.append(f"{name_en} is available as a rider not in this quote (estimated need {format_yen(need, 'en')})")
        elif cell.payable_jpy is None:
            ja.append(f"{name_ja}は補償されません(推定必要額{format_yen(need)})")
            en.append(f"{name_en} is not covered (estimated need {format_yen(need, 'en')})")
        else:
            ja.append(
                f"{name_ja}の支払可能額{format_yen(cell.payable_jpy)}は推定必要額{format_yen(need)}に対し{format_yen(cell.shortfall_jpy)}不足"
            )
            en.append(
                f"{name_en}: pays up to {format_yen(cell.payable_jpy, 'en')} against an estimated {format_yen(need, 'en')}, {format_yen(cell.shortfall_jpy, 'en')} short"
            )
    return tuple(ja), tuple(en)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def column_title(column: Column, lang: str = "ja") -> str:
    quote = column.quote
    from aggregator.present import plan_name

    return f"{carrier_name(quote.carrier, 'en' if lang == 'en' else 'ja')} {plan_name(quote.plan, 'en' if lang == 'en' else 'ja')}"


# The comparison's shapes and words, for the callers that take them from here.
__all__ = [
    "PRIORITY_LABELS",
    "STATUS_LABELS",
    "Cell",
    "CellKind",
    "Column",
    "Comparison",
    "NotSold",
    "Priorities",
    "PriorityKind",
    "Ranked",
    "Row",
    "compare",
    "explain",
]
