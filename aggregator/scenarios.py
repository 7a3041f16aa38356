"""The articles' six accidents as scenarios: which items each calls on and how much, paid plan by plan by the comparison's rule.

The articles (docs/DOMAIN.md, "Typical accident examples") reason in accidents: leaking a client's
customer data; stopping an end user's system; a delivered system's defect corrupting data; a cyber
attack that delays development; a delivered system's vulnerability attacked; an employee taking
customer data out. Each scenario is a set of needs built from the applicant, its contract check and
the assumptions: the comparison's own figure where the item is the same, and the client's claim
under the contract (aggregator/contract.py) for liability. Each is allocated under every compared
plan with matching.payable_terms and payment.allocate, the comparison's own selection and rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from aggregator.applicant import Applicant
from aggregator.codes import CellKind, Line, QuoteStatus
from aggregator.comparison import Comparison, ItemPaid, Scenario, ScenarioKind, ScenarioPlan, ScenarioResult
from aggregator.contract import ClaimPart, LiabilityCase, liability_case
from aggregator.contract_check import check
from aggregator.exposure import Need, Needs, client_lost_profit, contract_liability
from aggregator.labels import quote_status
from aggregator.matching import COVERED_KINDS, _kind, limit_stated, loss_of, payable_terms
from aggregator.money import format_yen
from aggregator.payment import allocate
from aggregator.plans import CoverageTerm
from aggregator.quotes import Quote
from aggregator.scenario_words import NOT_PAID, SCENARIO_WORDS, delay_note
from aggregator.scope import LEAK
from aggregator.taxonomy import CoverageKey

K = CoverageKey


# ------------------------------------------------------------ building ---


def _same(needs: Needs, *keys: CoverageKey) -> list[Need]:
    """The comparison's own figures for items an accident calls on just as the estimate has them."""
    return [n for key in keys if (n := needs.get(key)) is not None]


def _claim(key: CoverageKey, case: LiabilityCase) -> Need:
    return Need(key, case.ordinary_jpy, case.worst_jpy, case.basis_ja, case.basis_en)


def _litigation(case: LiabilityCase, pct: int) -> Need:
    return Need(
        K.LITIGATION_COSTS,
        case.ordinary_jpy * pct // 100,
        case.worst_jpy * pct // 100,
        f"賠償額(通常〜最悪)の{pct}%(前提条件「争訟費用」)",
        f"{pct}% of the damages, ordinary to worst case (the litigation assumption)",
    )


def _part(kind: str, need: Need | None, ja: str, en: str, how_ja: str = "", how_en: str = "") -> list[ClaimPart]:
    """A claim part worked from one of the comparison's needs; none when that need is nil."""
    if need is None or not need.amount_jpy:
        return []
    return [ClaimPart(kind, need.amount_jpy, ja, en, how_ja, how_en)]


class _Parts:
    """The parts a client's claim is made of, each worked from the applicant and the assumptions."""

    def __init__(self, applicant: Applicant, needs: Needs) -> None:
        a = needs.assumptions
        case = needs.contract or contract_liability(applicant, a, ClaimPart("leak", 0, "漏えい時の慰謝料", "consolation money"))
        self.leak = case.part("leak") or ClaimPart("leak", 0, "漏えい時の慰謝料", "consolation money for a leak")
        self.lost_profit = client_lost_profit(a)
        extra = self.lost_profit.amount_jpy * a.extra_expense_pct // 100
        self.client_costs = ClaimPart(
            "client_costs",
            extra,
            "発注者の追加費用",
            "the client's extra costs",
            f"逸失利益の{a.extra_expense_pct}%: 代替手段・超過人件費",
            f"{a.extra_expense_pct}% of its lost profit: workarounds, overtime",
        )
        restore = needs.get(K.DATA_RESTORATION)
        self.recreation = _part(
            "data_recreation",
            restore,
            "発注者のデータの再作成",
            "re-creating the client's data",
            restore.basis_ja if restore else "",
            restore.basis_en if restore else "",
        )
        apology = needs.get(K.APOLOGY)
        per = format_yen(apology.per_person_jpy or 0) if apology else ""
        per_en = format_yen(apology.per_person_jpy or 0, "en") if apology else ""
        people = apology.people or 0 if apology else 0
        self.apology = _part(
            "client_apology",
            apology,
            "発注者が利用者に送るお詫び",
            "the client's apology to its users",
            f"{people:,}人 × {per}",
            f"{people:,} × {per_en}",
        )
        self.call_center = _part("client_call_center", needs.get(K.CALL_CENTER), "発注者のコールセンター", "the client's call center")


def _scenario(kind: ScenarioKind, needs: Sequence[Need], claim: LiabilityCase, *, leak: bool, assumptions: tuple[str, ...]) -> Scenario:
    words = SCENARIO_WORDS[kind]
    return Scenario(
        kind,
        words.title_ja,
        words.title_en,
        words.story_ja,
        words.story_en,
        tuple(needs),
        leak,
        claim,
        words.notes_ja,
        words.notes_en,
        words.sources_ja,
        words.sources_en,
        assumptions,
    )


LEAK_ASSUMPTIONS = ("affected_share_pct", "damages_per_person_jpy", "apology_per_person_jpy", "litigation_pct")
OUTAGE_ASSUMPTIONS = ("client_daily_profit_jpy", "outage_days", "extra_expense_pct", "litigation_pct")


def build(applicant: Applicant, needs: Needs) -> tuple[Scenario, ...]:
    """The six accidents for this applicant: the comparison's figures where an item is the same, the contract on every claim."""
    terms, contract, pct = applicant.contract, applicant.largest_contract_jpy, needs.assumptions.litigation_pct
    parts = _Parts(applicant, needs)

    def case(items: Sequence[ClaimPart], *, leak_or_loss: bool) -> LiabilityCase:
        return liability_case(terms, contract, items, leak_or_loss=leak_or_loss)

    leak = case([parts.leak], leak_or_loss=True)
    outage = case([parts.client_costs, parts.lost_profit], leak_or_loss=False)
    loss = case([*parts.recreation, parts.client_costs, parts.lost_profit], leak_or_loss=True)
    attacked = case([parts.leak, *parts.apology, *parts.call_center, parts.client_costs, parts.lost_profit], leak_or_loss=True)
    delay_need = needs.get(K.CYBER_DELAY)
    delay = case(_part("delay", delay_need, "納期遅延の請求", "the claim for the delay", *_basis(delay_need)), leak_or_loss=False)
    first = (K.EMERGENCY_RESPONSE, K.INVESTIGATION)
    leak_costs = (K.APOLOGY, K.CALL_CENTER, K.CREDIT_MONITORING, K.REGULATORY_RESPONSE, K.LEGAL_CONSULTING)
    return (
        _scenario(
            ScenarioKind.CUSTOMER_DATA_LEAK,
            [
                *_same(needs, *first, *leak_costs, K.REPUTATIONAL_ADS, K.RECURRENCE_PREVENTION),
                _claim(K.LIABILITY_DAMAGES, leak),
                _litigation(leak, pct),
            ],
            leak,
            leak=True,
            assumptions=(*LEAK_ASSUMPTIONS, "call_center_jpy", "credit_monitoring_per_person_jpy", "reputational_ads_jpy"),
        ),
        _scenario(
            ScenarioKind.END_USER_OUTAGE,
            [*_same(needs, *first, K.DATA_RESTORATION), _claim(K.LIABILITY_DAMAGES, outage), _litigation(outage, pct)],
            outage,
            leak=False,
            assumptions=(*OUTAGE_ASSUMPTIONS, "restoration_per_server_jpy"),
        ),
        _scenario(
            ScenarioKind.DEFECT_DATA_LOSS,
            [*_same(needs, K.INVESTIGATION, K.LEGAL_CONSULTING), _claim(K.LIABILITY_DAMAGES, loss), _litigation(loss, pct)],
            loss,
            leak=False,
            assumptions=(*OUTAGE_ASSUMPTIONS, "restoration_per_server_jpy"),
        ),
        _scenario(
            ScenarioKind.ATTACK_DELAY,
            [*_same(needs, *first, K.DATA_RESTORATION, K.LOST_PROFIT, K.EXTRA_EXPENSE), _claim(K.CYBER_DELAY, delay)],
            delay,
            leak=False,
            assumptions=("delay_share_pct", "outage_days", "gross_margin_pct", "restoration_per_server_jpy"),
        ),
        _scenario(
            ScenarioKind.VULNERABILITY_ATTACK,
            [*_same(needs, *first, K.LEGAL_CONSULTING), _claim(K.LIABILITY_DAMAGES, attacked), _litigation(attacked, pct)],
            attacked,
            leak=True,
            assumptions=(*LEAK_ASSUMPTIONS, *OUTAGE_ASSUMPTIONS[:3], "call_center_jpy"),
        ),
        _scenario(
            ScenarioKind.INSIDER_TAKEOUT,
            [
                *_same(needs, K.INVESTIGATION, *leak_costs),
                _claim(K.EMPLOYEE_MISCONDUCT, leak),
                _litigation(leak, pct),
            ],
            leak,
            leak=True,
            assumptions=(*LEAK_ASSUMPTIONS, "call_center_jpy", "credit_monitoring_per_person_jpy"),
        ),
    )


def _basis(need: Need | None) -> tuple[str, str]:
    return ("", "") if need is None else (need.basis_ja, need.basis_en)


# ------------------------------------------------------------- paying ---


def out_of_scope(term: CoverageTerm, scenario: Scenario) -> bool:
    """A cover its carrier limits to leaks of information does not pay an accident that leaks nothing."""
    return not scenario.leak and bool(term.scope) and bool(LEAK.search(term.scope))


def pay(scenario: Scenario, column: int, quote: Quote) -> ScenarioPlan:
    """One accident under one plan: the comparison's payable items (less any out of scope), allocated by the payment rule."""
    keys = [n.key for n in scenario.needs]
    terms = [t for t in payable_terms(quote, keys) if not out_of_scope(t, scenario)]
    allocation = allocate(quote.plan, terms, {n.key: loss_of(n) for n in scenario.needs}, quote.limit_jpy, quote.deductible_jpy)
    paying = {t.key for t in terms}
    items = []
    for need in scenario.needs:
        paid = allocation.paid.get(need.key, 0)
        why = ("", "") if need.key in paying else _why_not(quote, need.key, scenario)
        items.append(ItemPaid(need.key, need.amount_jpy, paid, max(0, need.amount_jpy - paid), _cell_kind(quote, need.key), *why))
    payable = sum(i.paid_jpy for i in items)
    notes_ja, notes_en = _plan_notes(scenario, quote)
    return ScenarioPlan(
        column,
        quote.status,
        payable,
        scenario.need_jpy - payable,
        tuple(items),
        tuple(i.key for i in items if i.why_ja and i.need_jpy),
        allocation.pools,
        notes_ja,
        notes_en,
    )


def _cell_kind(quote: Quote, key: CoverageKey) -> CellKind:
    return _kind(quote.plan.term(key), quote)


def _why_not(quote: Quote, key: CoverageKey, scenario: Scenario) -> tuple[str, str]:
    term = quote.plan.term(key)
    kind = _kind(term, quote)
    if term is not None and kind in COVERED_KINDS and limit_stated(term):
        return f"範囲外: {term.scope}", f"out of scope: {term.scope_en or term.scope}"
    if term is not None and kind in COVERED_KINDS:
        return NOT_PAID["unstated"]
    return NOT_PAID[kind.value]


def _plan_notes(scenario: Scenario, quote: Quote) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ja: list[str] = []
    en: list[str] = []
    if quote.status is QuoteStatus.DECLINED:
        ja.append(f"{quote_status(QuoteStatus.DECLINED)}のプランです。金額は補償内容の参考です")
        en.append("This plan is declined; the amounts show its terms for reference")
    if scenario.kind is ScenarioKind.ATTACK_DELAY:
        note = delay_note(quote)
        ja.append(note[0])
        en.append(note[1])
    return tuple(ja), tuple(en)


def run(scenarios: Sequence[Scenario], quotes: Sequence[Quote]) -> tuple[ScenarioResult, ...]:
    return tuple(ScenarioResult(s, tuple(pay(s, i, q) for i, q in enumerate(quotes))) for s in scenarios)


def with_scenarios(comparison: Comparison, applicant: Applicant, line: Line | None = None) -> Comparison:
    """The comparison with its contract check and its six accidents, read by every surface from the one object."""
    quotes = [c.quote for c in comparison.columns]
    line = line or (quotes[0].line if quotes else applicant.lines[0])
    contract = check(applicant.contract, quotes, comparison.needs.contract, line)
    return replace(comparison, contract=contract, scenarios=run(build(applicant, comparison.needs), quotes))


__all__ = [
    "ItemPaid",
    "Scenario",
    "ScenarioKind",
    "ScenarioPlan",
    "ScenarioResult",
    "build",
    "out_of_scope",
    "pay",
    "run",
    "with_scenarios",
]
