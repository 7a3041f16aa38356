"""How a policy pays, worked by hand from the wording: ratio then limit, nested pools, caps, waiting periods, scope."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.exposure import Need, Needs, estimate
from aggregator.matching import PAYMENT_ORDER, CellKind, compare
from aggregator.payment import Loss, allocate, most_it_can_pay, pays
from aggregator.present import cell_notes, cell_text, plan_terms
from aggregator.rating import Rater
from aggregator.schema import (
    POLICY_POOL,
    Carrier,
    CarrierData,
    CoverageTerm,
    LimitPool,
    Line,
    PerVictimCap,
    Plan,
    TermStatus,
)
from aggregator.scope import scope_of
from aggregator.taxonomy import CoverageKey as K
from tests.factories import MAN, OKU, applicant, rate_table

TODAY = date(2026, 11, 21)
EXPENSES = LimitPool("expenses", "費用損害の総支払限度額", "Incident costs", 3_000 * MAN)


def _plan(terms: list[CoverageTerm], pools: tuple[LimitPool, ...] = (EXPENSES,), code: str = "WIDE", **extra: object) -> Plan:
    return Plan(
        carrier=Carrier.AIG,
        line=Line.CYBER,
        code=code,
        name="テスト",
        product="サイバー保険",
        rate_version="2026.04",
        effective_from=date(2026, 4, 1),
        effective_to=None,
        limit_options_jpy=(5_000 * MAN, OKU, 3 * OKU),
        deductible_options_jpy=(0, 10 * MAN),
        terms=tuple(terms),
        pools=pools,
        **extra,  # type: ignore[arg-type]
    )


def _pay(plan: Plan, losses: dict[K, Loss], limit: int = OKU, deductible: int = 0) -> dict[K, int]:
    covered = sorted(plan.terms, key=lambda t: PAYMENT_ORDER.index(t.key))
    return dict(allocate(plan, covered, losses, limit, deductible).paid)


def test_a_90_percent_item_pays_its_whole_limit_on_a_large_enough_loss() -> None:
    # 1,000万円 at 90%: a loss of 1,200万円 × 90% = 1,080万円, paid up to 1,000万円
    assert pays(1_000 * MAN, 90, 1_200 * MAN, 0) == 1_000 * MAN
    # a loss of 1,000万円: 900万円, under the limit
    assert pays(1_000 * MAN, 90, 1_000 * MAN, 0) == 900 * MAN
    # the deductible comes off the loss before the ratio: (1,000万 − 10万) × 90% = 891万
    assert pays(1_000 * MAN, 90, 1_000 * MAN, 10 * MAN) == 891 * MAN
    investigation = CoverageTerm(
        K.INVESTIGATION, TermStatus.SUBLIMITED, "調査費用", limit_jpy=1_000 * MAN, parent="expenses", payout_ratio_pct=90
    )
    plan = _plan([investigation])
    assert most_it_can_pay(plan, investigation, OKU) == 1_000 * MAN  # the most it can pay is its limit, not 900万
    assert _pay(plan, {K.INVESTIGATION: Loss(1_200 * MAN)}) == {K.INVESTIGATION: 1_000 * MAN}


def test_an_expense_pool_shared_by_three_items_pays_no_more_than_the_pool() -> None:
    # 費用損害 3,000万円 shared by investigation (2,000万 limit), restoration (no limit of its own)
    # and apology (1,000万 limit); the needs 2,000万 + 1,500万 + 1,000万 = 4,500万 exceed it.
    plan = _plan(
        [
            CoverageTerm(K.INVESTIGATION, TermStatus.SUBLIMITED, "調査", limit_jpy=2_000 * MAN, parent="expenses"),
            CoverageTerm(K.DATA_RESTORATION, TermStatus.INCLUDED, "復旧", parent="expenses"),
            CoverageTerm(K.APOLOGY, TermStatus.SUBLIMITED, "見舞金", limit_jpy=1_000 * MAN, parent="expenses"),
        ]
    )
    losses = {K.INVESTIGATION: Loss(2_000 * MAN), K.DATA_RESTORATION: Loss(1_500 * MAN), K.APOLOGY: Loss(1_000 * MAN)}
    paid = _pay(plan, losses)
    # paid as they fall due: investigation 2,000万 (pool left 1,000万), restoration 1,000万 of its
    # 1,500万 (pool used up), apology nothing
    assert paid == {K.INVESTIGATION: 2_000 * MAN, K.DATA_RESTORATION: 1_000 * MAN, K.APOLOGY: 0}
    pools = {p.pool_id: p for p in allocate(plan, plan.terms, losses, OKU, 0).pools}
    assert (pools["expenses"].need_jpy, pools["expenses"].paid_jpy, pools["expenses"].shortfall_jpy) == (
        4_500 * MAN,
        3_000 * MAN,
        1_500 * MAN,
    )
    assert set(pools["expenses"].keys) == {K.INVESTIGATION, K.DATA_RESTORATION, K.APOLOGY}
    assert pools[POLICY_POOL].limit_jpy == OKU and pools[POLICY_POOL].paid_jpy == 3_000 * MAN


def test_litigation_costs_sit_inside_the_liability_limit() -> None:
    # 損害賠償金と合算して支払限度額の内枠: damages 8,000万 and litigation 4,000万 under a 1億 limit
    plan = _plan(
        [
            CoverageTerm(K.LIABILITY_DAMAGES, TermStatus.INCLUDED, "損害賠償金"),
            CoverageTerm(K.LITIGATION_COSTS, TermStatus.INCLUDED, "争訟費用", conditions="損害賠償金と合算して支払限度額の内枠"),
        ]
    )
    paid = _pay(plan, {K.LIABILITY_DAMAGES: Loss(8_000 * MAN), K.LITIGATION_COSTS: Loss(4_000 * MAN)})
    assert paid == {K.LIABILITY_DAMAGES: 8_000 * MAN, K.LITIGATION_COSTS: 2_000 * MAN}
    assert sum(paid.values()) == OKU


def test_a_per_company_cap_holds_the_apology_money() -> None:
    # 1名につき1,000円・1法人につき5万円; 2,000 people at 1,000円 and 30 companies at 10万円 asked:
    # 2,000 × 1,000 + 30 × 5万 = 200万 + 150万 = 350万 (the need was 200万 + 300万 = 500万)
    apology = CoverageTerm(
        K.APOLOGY,
        TermStatus.SUBLIMITED,
        "お見舞品",
        limit_jpy=1_000 * MAN,
        parent="expenses",
        per_victim=PerVictimCap(per_person_jpy=1_000, per_company_jpy=5 * MAN),
    )
    loss = Loss(500 * MAN, people=2_000, per_person_jpy=1_000, companies=30, per_company_jpy=10 * MAN)
    assert _pay(_plan([apology]), {K.APOLOGY: loss}) == {K.APOLOGY: 350 * MAN}


def test_a_waiting_period_comes_off_the_outage() -> None:
    # lost gross profit 1,200万 over a 120-hour outage; a 12-hour waiting period leaves 108 hours:
    # 1,200万 × 108 / 120 = 1,080万. A 24-hour period: 1,200万 × 96 / 120 = 960万
    lost = Loss(1_200 * MAN, outage_hours=120)
    for hours, expected in ((12, 1_080 * MAN), (24, 960 * MAN), (120, 0)):
        term = CoverageTerm(K.LOST_PROFIT, TermStatus.SUBLIMITED, "利益損害", limit_jpy=5_000 * MAN, waiting_hours=hours)
        assert _pay(_plan([term], pools=()), {K.LOST_PROFIT: lost}) == {K.LOST_PROFIT: expected}


def test_the_policy_deductible_is_taken_once_per_incident() -> None:
    plan = _plan(
        [
            CoverageTerm(K.INVESTIGATION, TermStatus.SUBLIMITED, "調査", limit_jpy=2_000 * MAN, parent="expenses"),
            CoverageTerm(K.CALL_CENTER, TermStatus.INCLUDED, "コールセンター", parent="expenses", deductible_jpy=0),
            CoverageTerm(K.APOLOGY, TermStatus.INCLUDED, "見舞金", parent="expenses"),
        ]
    )
    losses = {K.INVESTIGATION: Loss(5 * MAN), K.CALL_CENTER: Loss(100 * MAN), K.APOLOGY: Loss(100 * MAN)}
    # a 10万 deductible: investigation's 5万 is all deductible, the other 5万 comes off the apology;
    # the call center carries none of its own (免責金額は適用しません)
    assert _pay(plan, losses, deductible=10 * MAN) == {K.INVESTIGATION: 0, K.CALL_CENTER: 100 * MAN, K.APOLOGY: 95 * MAN}


def _carrier(plans: tuple[Plan, ...]) -> CarrierData:
    return CarrierData(Carrier.AIG, plans, (rate_table(plan_factor_bp={p.code: 10_000 for p in plans}, rider_factor_bp={}),))


def test_a_liability_cover_limited_to_leaks_is_never_best_over_a_full_one() -> None:
    leak_only = CoverageTerm(
        K.LIABILITY_DAMAGES,
        TermStatus.INCLUDED,
        "個人情報漏えいについての賠償金",
        scope="個人情報・情報の漏えいに起因する賠償責任に限る",
        scope_en="Liability arising from a leak of (personal) information only",
    )
    full = CoverageTerm(K.LIABILITY_DAMAGES, TermStatus.INCLUDED, "法律上の損害賠償金")
    rater = Rater([_carrier((_plan([leak_only], code="STD"), _plan([full], code="WIDE")))])
    person = applicant(riders=frozenset())
    comparison = compare(rater.quote(person, TODAY), estimate(person))
    narrow, broad = (comparison.cell(i, K.LIABILITY_DAMAGES) for i in range(2))
    assert narrow.effective_jpy == broad.effective_jpy == OKU  # the same 1億, but not the same cover
    assert broad.best and not narrow.best
    assert cell_text(narrow) == "1億円 (範囲限定)" and cell_text(broad) == "1億円"
    assert "範囲: 個人情報・情報の漏えいに起因する賠償責任に限る" in cell_notes(narrow, 10 * MAN)
    assert "Scope: Liability arising from a leak of (personal) information only" in cell_notes(narrow, 10 * MAN, "en")


def test_the_carriers_own_words_narrow_the_scope() -> None:
    assert scope_of(K.LIABILITY_DAMAGES, "個人情報漏えいについての賠償金")[0] == "個人情報・情報の漏えいに起因する賠償責任に限る"
    assert scope_of(K.LIABILITY_DAMAGES, "ネットワークセキュリティ・情報漏えい賠償責任") == ("", "")  # broader than a leak
    assert scope_of(K.LIABILITY_DAMAGES, "Network Security & Privacy Liability") == ("", "")
    assert scope_of(K.LIABILITY_DAMAGES, "Privacy Liability")[1].startswith("Liability arising from a leak")
    assert scope_of(K.EMPLOYEE_MISCONDUCT, "従業員による不正持出し")[0] == "従業員による情報の持ち出しに限る"
    assert scope_of(K.EMPLOYEE_MISCONDUCT, "使用人等の犯罪行為") == ("", "")


def test_an_item_with_no_limit_of_its_own_reads_to_check_not_the_policy_limit() -> None:
    misconduct = CoverageTerm(K.EMPLOYEE_MISCONDUCT, TermStatus.CONDITIONAL, "従業員の不正", conditions="役員による行為を除く")
    stated = CoverageTerm(K.EMPLOYEE_MISCONDUCT, TermStatus.SUBLIMITED, "従業員の不正", limit_jpy=1_000 * MAN)
    rater = Rater([_carrier((_plan([misconduct], code="STD"), _plan([stated], code="WIDE")))])
    person = applicant(riders=frozenset())
    comparison = compare(rater.quote(person, TODAY), estimate(person))
    unstated, own = (comparison.cell(i, K.EMPLOYEE_MISCONDUCT) for i in range(2))
    assert unstated.kind is CellKind.CONDITIONAL and not unstated.limit_stated
    assert unstated.effective_jpy is None and not unstated.best
    assert cell_text(unstated) == "要確認" and cell_text(unstated, "en") == "To check"
    assert own.best and own.effective_jpy == 1_000 * MAN


def test_no_cell_of_a_real_plan_adds_up_past_its_pool(rater: Rater) -> None:
    """The large SaaS sample: every plan's expense items together stay inside its expense pool and the policy limit."""
    person = applicant(records_held=2_000_000, servers=200, annual_revenue_jpy=50 * OKU, limit_jpy=5 * OKU, riders=frozenset())
    comparison = compare(rater.quote(person, TODAY), estimate(person))
    for column in comparison.columns:
        paid = {c.key: c.payable_jpy or 0 for c in column.cells}
        for pool in column.pools:
            assert sum(paid[k] for k in pool.keys) == pool.paid_jpy <= pool.limit_jpy


def test_every_surface_shows_a_plans_main_conditions() -> None:
    plan = _plan(
        [CoverageTerm(K.LIABILITY_DAMAGES, TermStatus.INCLUDED, "損害賠償金")],
        exclusions=("契約により加重された賠償責任", "戦争・テロ"),
        retroactive="初年度契約の保険始期日",
    )
    rater = Rater([_carrier((plan,))])
    quote = rater.quote(applicant(riders=frozenset()), TODAY)[0]
    terms = dict(plan_terms(quote))
    assert terms["補償の基準"] == "損害賠償請求ベース"
    assert terms["遡及日"] == "初年度契約の保険始期日"
    assert terms["契約で加重された賠償責任"].startswith("補償されません")
    assert "契約により加重された賠償責任" in terms["主な免責"]


# ----------------------------------------------------------------- property ---

KEYS = [K.INVESTIGATION, K.DATA_RESTORATION, K.APOLOGY, K.CALL_CENTER, K.LOST_PROFIT, K.LIABILITY_DAMAGES, K.LITIGATION_COSTS]


@st.composite
def plans_and_losses(draw: st.DrawFn) -> tuple[Plan, dict[K, Loss], int, int]:
    policy = draw(st.sampled_from([5_000 * MAN, OKU, 3 * OKU]))
    inner = draw(st.integers(1, 5_000)) * MAN
    outer = draw(st.integers(inner // MAN, 5_000)) * MAN
    pools = (
        LimitPool("outer", "外枠", "Outer", outer),
        LimitPool("inner", "内枠", "Inner", inner, parent=draw(st.sampled_from(["outer", POLICY_POOL]))),
    )
    terms = []
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=len(KEYS), unique=True)):
        parent = draw(st.sampled_from([POLICY_POOL, "outer", "inner"]))
        ceiling = {POLICY_POOL: 3 * OKU, "outer": outer, "inner": inner}[parent]
        limit = draw(st.one_of(st.none(), st.integers(0, ceiling // MAN).map(lambda n: n * MAN)))
        terms.append(
            CoverageTerm(
                key,
                TermStatus.INCLUDED,
                key.value,
                limit_jpy=limit,
                parent=parent,
                payout_ratio_pct=draw(st.sampled_from([50, 80, 90, 100])),
                deductible_jpy=draw(st.one_of(st.none(), st.sampled_from([0, 10 * MAN, 100 * MAN]))),
                waiting_hours=draw(st.sampled_from([None, 8, 24])),
                per_victim=draw(st.sampled_from([None, PerVictimCap(per_person_jpy=500), PerVictimCap(per_company_jpy=5 * MAN)])),
            )
        )
    losses = {
        t.key: Loss(
            draw(st.integers(0, 10 * OKU)),
            people=draw(st.sampled_from([None, 1_000, 100_000])),
            per_person_jpy=1_000,
            companies=draw(st.sampled_from([None, 3])),
            per_company_jpy=10 * MAN,
            outage_hours=draw(st.sampled_from([None, 48, 120])),
        )
        for t in terms
    }
    return _plan(terms, pools=pools), losses, policy, draw(st.sampled_from([0, 10 * MAN]))


@settings(max_examples=300, deadline=None)
@given(plans_and_losses(), st.data())
def test_no_pool_is_exceeded_no_cell_passes_its_limit_and_more_need_never_pays_less(
    case: tuple[Plan, dict[K, Loss], int, int], data: st.DataObject
) -> None:
    plan, losses, policy, deductible = case
    covered = sorted(plan.terms, key=lambda t: PAYMENT_ORDER.index(t.key))
    result = allocate(plan, covered, losses, policy, deductible)
    for term in covered:
        assert 0 <= result.paid[term.key] <= most_it_can_pay(plan, term, policy)
    for pool in result.pools:
        assert sum(result.paid[k] for k in pool.keys) == pool.paid_jpy <= pool.limit_jpy
    # one item's need grows: what that item is paid never falls
    grown = data.draw(st.sampled_from([t.key for t in covered]))
    more = data.draw(st.integers(0, 10 * OKU))
    bigger = dict(losses)
    old = losses[grown]
    bigger[grown] = Loss(old.amount_jpy + more, old.people, old.per_person_jpy, old.companies, old.per_company_jpy, old.outage_hours)
    assert allocate(plan, covered, bigger, policy, deductible).paid[grown] >= result.paid[grown]


def test_needs_with_no_breakdown_still_pay_under_caps() -> None:
    """A per-person cap on an item whose need has no count of people does not turn the need into nothing."""
    term = CoverageTerm(
        K.CREDIT_MONITORING,
        TermStatus.SUBLIMITED,
        "モニタリング",
        limit_jpy=1_000 * MAN,
        parent="expenses",
        per_victim=PerVictimCap(per_person_jpy=500),
    )
    need = Needs(estimate(applicant()).assumptions, (Need(K.CREDIT_MONITORING, 300 * MAN, 300 * MAN, "", ""),))
    rater = Rater([_carrier((_plan([term]),))])
    person = applicant(riders=frozenset())
    cell = compare(rater.quote(person, TODAY), need).cell(0, K.CREDIT_MONITORING)
    assert cell.payable_jpy == 300 * MAN - 10 * MAN  # less the policy deductible, taken here once
