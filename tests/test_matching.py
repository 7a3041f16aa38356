"""Comparison cells, needs and ranking, checked against examples worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from aggregator.exposure import Assumptions, estimate
from aggregator.matching import CellKind, Priorities, PriorityKind, compare
from aggregator.rating import Rater
from aggregator.schema import Carrier, Line, QuoteStatus
from aggregator.taxonomy import CoverageKey as K
from tests.factories import MAN, OKU, applicant, carrier_data

TODAY = date(2026, 11, 21)


def _comparison(person=None, priorities=None, assumptions=None):  # type: ignore[no-untyped-def]
    person = person or applicant()
    rater = Rater([carrier_data(Carrier.AIG), carrier_data(Carrier.SOMPO_JAPAN)])
    return compare(rater.quote(person, TODAY), estimate(person, assumptions), priorities)


def test_needs_worked_by_hand() -> None:
    person = applicant(servers=10, records_held=20_000, annual_revenue_jpy=5 * OKU, largest_contract_jpy=3_000 * MAN)
    needs = estimate(person)
    investigation = needs.get(K.INVESTIGATION)
    assert investigation is not None
    assert (investigation.low_jpy, investigation.high_jpy) == (200 * MAN, 1_000 * MAN)  # 10 servers × 20万〜100万
    assert "サーバー10台" in investigation.basis_ja and "JNSA" in investigation.basis_ja
    apology = needs.get(K.APOLOGY)
    assert apology is not None and apology.amount_jpy == 1_000 * MAN  # 20,000 people × ¥500
    call = needs.get(K.CALL_CENTER)
    # set-up 300万 + 20,000 people × half to all of 50円 (50万〜100万): 350万〜400万
    assert call is not None and (call.low_jpy, call.high_jpy) == (350 * MAN, 400 * MAN) and "1,000人" in call.basis_ja
    restoration = needs.get(K.DATA_RESTORATION)
    # 1 to 2 servers rebuilt (20% of 10) × 200万
    assert restoration is not None and (restoration.low_jpy, restoration.high_jpy) == (200 * MAN, 400 * MAN)
    lost = needs.get(K.LOST_PROFIT)
    # gross profit, not revenue: 5億 × 25% (SI's assumed margin) ÷ 365 = 342,465円 a day × 5 days = 171万2,325円,
    # read as a person writes it: 171万 down, 180万 up (two figures)
    assert lost is not None and (lost.low_jpy, lost.high_jpy) == (170 * MAN, 180 * MAN) and lost.outage_hours == 120
    assert "粗利率25%" in lost.basis_ja and "仮定値" in lost.basis_ja
    own = estimate(applicant(gross_margin_pct=40)).get(K.LOST_PROFIT)
    # 5億 × 40% ÷ 365 = 547,945円 × 5 = 273万9,725円 → 270万〜280万
    assert own is not None and (own.low_jpy, own.high_jpy) == (270 * MAN, 280 * MAN) and "ご申告" in own.basis_ja
    small = estimate(applicant(records_held=800))
    small_call = small.get(K.CALL_CENTER)
    assert small_call is not None and small_call.amount_jpy == 0


def test_it_eo_liability_is_the_contract_cap_with_the_uncapped_case_beside_it() -> None:
    needs = estimate(applicant(lines=(Line.IT_EO,), largest_contract_jpy=5_000 * MAN, records_held=0), line=Line.IT_EO)
    liability = needs.get(K.LIABILITY_DAMAGES)
    assert liability is not None and liability.low_jpy == 5_000 * MAN
    assert "第20条" in liability.basis_ja and "故意・重過失" in liability.basis_ja


def test_assumptions_are_overridable_and_checked() -> None:
    needs = estimate(applicant(servers=10), Assumptions().with_overrides({"forensic_per_server_high_jpy": 2_000_000}))
    investigation = needs.get(K.INVESTIGATION)
    assert investigation is not None and investigation.high_jpy == 2_000 * MAN
    with pytest.raises(ValueError, match="項目名"):
        Assumptions().with_overrides({"forensics": 1})
    with pytest.raises(ValueError):
        Assumptions(apology_per_person_jpy=-1)


def test_effective_amount_is_the_smallest_limit_and_the_ratio_applies_to_the_loss() -> None:
    comparison = _comparison()
    wide = next(i for i, c in enumerate(comparison.columns) if c.quote.plan.code == "WIDE" and c.quote.carrier is Carrier.AIG)
    cell = comparison.cell(wide, K.INVESTIGATION)
    # 1,000万 sublimit at 90%, inside the 1億 expense pool, inside the 1億 policy limit: on a large
    # enough loss it pays its whole 1,000万 (the ratio applies to the loss, not to the limit)
    assert cell.kind is CellKind.SUBLIMIT and cell.effective_jpy == 1_000 * MAN
    # need 1,000万 (10 servers × 100万), less the 10万 policy deductible (taken once, from the first
    # item paid): 990万 × 90% = 891万
    assert cell.payable_jpy == 891 * MAN and cell.shortfall_jpy == 109 * MAN
    # with a 5,000万 policy limit a 1億 inner pool is cut to 5,000万: the policy limit binds
    low = _comparison(applicant(limit_jpy=5_000 * MAN))
    liability = low.cell(wide, K.LIABILITY_DAMAGES)
    assert liability.effective_jpy == 5_000 * MAN


def test_not_offered_unknown_rider_and_zero_look_different() -> None:
    comparison = _comparison(applicant(riders=frozenset()))
    std = next(i for i, c in enumerate(comparison.columns) if c.quote.plan.code == "STD")
    wide = next(i for i, c in enumerate(comparison.columns) if c.quote.plan.code == "WIDE")
    assert comparison.cell(std, K.CALL_CENTER).kind is CellKind.NOT_OFFERED
    assert comparison.cell(std, K.EXTORTION).kind is CellKind.UNKNOWN
    assert comparison.cell(std, K.FUNDS_LOSS).kind is CellKind.UNKNOWN  # the plan says nothing of it
    assert comparison.cell(wide, K.LOST_PROFIT).kind is CellKind.RIDER  # offered, not bought
    assert comparison.cell(wide, K.LOST_PROFIT).effective_jpy is None
    bought = _comparison()
    assert bought.cell(wide, K.LOST_PROFIT).kind is CellKind.RIDER_INCLUDED
    assert bought.cell(wide, K.LOST_PROFIT).effective_jpy == 5_000 * MAN


def test_apology_payable_is_held_to_the_per_person_cap() -> None:
    comparison = _comparison(applicant(records_held=100_000), assumptions=Assumptions(apology_per_person_jpy=1_000))
    wide = next(i for i, c in enumerate(comparison.columns) if c.quote.plan.code == "WIDE")
    cell = comparison.cell(wide, K.APOLOGY)
    # need 100,000 × ¥1,000 = 1億; the carrier pays ¥500 a person: 5,000万, inside the WIDE plan's 1億 pool
    assert cell.payable_jpy == 5_000 * MAN
    assert cell.shortfall_jpy == OKU - cell.payable_jpy


def test_best_per_row_and_ties() -> None:
    comparison = _comparison()
    best = [i for i, c in enumerate(comparison.columns) if next(x for x in c.cells if x.key == K.CALL_CENTER).best]
    # both carriers' WIDE plans have the same call-center cover: a tie, both marked
    assert {comparison.columns[i].quote.plan.code for i in best} == {"WIDE"} and len(best) == 2
    assert all(comparison.cell(i, K.CALL_CENTER).tie for i in best)


def test_ranking_follows_priorities_and_explains() -> None:
    cheap_first = _comparison(priorities=Priorities(order=(PriorityKind.LOWEST_PRICE,)))
    first = cheap_first.columns[cheap_first.ranking[0].column].quote
    assert first.plan.code == "STD"
    broad = _comparison(priorities=Priorities(order=(PriorityKind.BROADEST_COVER, PriorityKind.LOWEST_PRICE)))
    assert broad.columns[broad.ranking[0].column].quote.plan.code == "WIDE"
    assert any("不足" in line for line in broad.ranking[0].reasons_ja)
    # the price words agree with the table: the wide plans are the dearer two of the four priced plans
    assert any("4プラン中" in line and ("最も高い" in line or "番目に安い" in line) for line in broad.ranking[0].reasons_ja)
    assert any("4プラン中で最も安い" in line for line in cheap_first.ranking[0].reasons_ja)


def test_required_items_and_limit_filter_with_reasons() -> None:
    comparison = _comparison(priorities=Priorities(items=(K.CALL_CENTER,), min_limit_jpy=OKU))
    excluded = [r for r in comparison.ranking if r.rank is None]
    assert {comparison.columns[r.column].quote.plan.code for r in excluded} == {"STD"}
    assert excluded[0].reasons_ja == ("ご希望の補償項目「コールセンター費用」がありません",)


def test_shortfall_sentence_reads_like_the_broker_would_say_it() -> None:
    comparison = _comparison(applicant(servers=30, riders=frozenset()))
    std = next(i for i, c in enumerate(comparison.columns) if c.quote.plan.code == "STD")
    ranked = next(r for r in comparison.ranking if r.column == std)
    # need 30 × 100万 = 3,000万, less the 10万 policy deductible: 2,990万 × 90% = 2,691万, up to the 1,000万 sublimit
    assert "原因・被害範囲調査費用の支払可能額1,000万円は推定必要額3,000万円に対し2,000万円不足" in ranked.reasons_ja


def test_declined_quotes_are_listed_with_their_reasons_not_ranked() -> None:
    comparison = _comparison(applicant(annual_revenue_jpy=60 * OKU))
    assert all(r.rank is None for r in comparison.ranking)
    assert comparison.best_column is None
    assert all(c.quote.status is QuoteStatus.DECLINED for c in comparison.columns)
    assert comparison.ranking[0].reasons_ja == ("売上高が引受上限の50億円を超えています",)


def test_a_rider_not_taken_reads_differently_from_an_item_not_covered() -> None:
    comparison = _comparison(applicant(riders=frozenset()))
    wide = next(r for r in comparison.ranking if comparison.columns[r.column].quote.plan.code == "WIDE")
    std = next(r for r in comparison.ranking if comparison.columns[r.column].quote.plan.code == "STD")
    assert any(line.startswith("喪失利益は特約で補償できますが") for line in wide.reasons_ja)
    assert any(line.startswith("喪失利益は補償されません") for line in std.reasons_ja)


def test_payable_never_exceeds_the_most_a_cell_can_pay(rater: Rater) -> None:
    from aggregator.applicants import applicant_from_data
    from aggregator.recommendation import build_comparison

    person = applicant_from_data(
        {
            "company": "検証",
            "industry": "saas",
            "annual_revenue_jpy": "30億円",
            "employees": 300,
            "records_held": 500_000,
            "servers": 80,
            "largest_contract_jpy": "2億円",
            "contract_type": "juninin",
            "lines": ["cyber"],
            "limit_jpy": "1億円",
            "deductible_jpy": 0,
        }
    )
    comparison = build_comparison(rater, person, TODAY, all_plans=True)
    needs = {row.key: row.need for row in comparison.rows}
    checked = 0
    for column in comparison.columns:
        for cell in column.cells:
            need = needs[cell.key]
            if cell.payable_jpy is not None and cell.effective_jpy is not None and need is not None:
                assert cell.payable_jpy <= cell.effective_jpy, (column.quote.plan.code, cell.key)
                assert cell.shortfall_jpy == max(0, need.amount_jpy - cell.payable_jpy), (column.quote.plan.code, cell.key)
                checked += 1
    assert checked > 100
