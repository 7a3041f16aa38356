"""Rating: premiums worked out by hand, reasons a person can act on, and one rule for one or many."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.errors import SchemaError
from aggregator.rating import DECLINED, NOT_ASKED, ApplicantBatch, Rater
from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    Carrier,
    CarrierData,
    Industry,
    Line,
    QuoteStatus,
    RatingStep,
    RoundingMode,
    SecurityControl,
)
from aggregator.taxonomy import CoverageKey
from tests.factories import MAN, OKU, applicant, carrier_data

TODAY = date(2026, 11, 21)


def _by_plan(quotes: tuple) -> dict:  # type: ignore[type-arg]
    return {q.plan.code: q for q in quotes}


def _with_plans(data: CarrierData, **changes: dict[str, Any]) -> CarrierData:
    """The carrier with some plans changed, by plan code: e.g. STD={"effective_to": date(2026, 10, 31)}."""
    return replace(data, plans=tuple(replace(p, **changes.get(p.code, {})) for p in data.plans))


def test_premium_worked_by_hand() -> None:
    quotes = _by_plan(Rater([carrier_data()]).quote(applicant(), TODAY))
    wide = quotes["WIDE"]
    # base 800,000 (class A, revenue 5億 in the 1億–10億 band) × plan 1.30 = 1,040,000
    # × limit 1億 1.00 × deductible 10万 1.00; MFA −10% and EDR −5% capped at −15%, no
    # incident response plan +5%: −10% → 936,000; one incident +20% → 1,123,200;
    # lost-profit rider +15% → 1,291,680; rounded up to ¥100 → 1,291,700.
    assert wide.premium_jpy == 1_291_700
    assert wide.status is QuoteStatus.QUOTED
    assert wide.riders == (CoverageKey.LOST_PROFIT,)
    assert wide.meets_request
    # The standard plan has no lost-profit rider: 800,000 × 0.90 × 1.20 = 864,000, and it says so.
    std = quotes["STD"]
    assert std.premium_jpy == 864_000
    assert not std.meets_request
    assert [a.what for a in std.adjustments] == ["rider"]
    assert std.adjustments[0].reason.text_ja == "喪失利益特約はこのプランでは付帯できません"


def test_minimum_premium_and_rounding() -> None:
    small = applicant(
        annual_revenue_jpy=50 * MAN * 100, riders=frozenset(), incidents_3y=0, limit_jpy=5_000 * MAN, deductible_jpy=100 * MAN
    )
    # 300,000 × 0.70 × 0.90 × 0.90 = 170,100: above the ¥100,000 minimum.
    assert _by_plan(Rater([carrier_data()]).quote(small, TODAY))["STD"].premium_jpy == 170_100
    tiny = carrier_data(base_premium_jpy={"A": (100_000, 800_000, 2_000_000), "B": (400_000, 1_000_000, 2_500_000)})
    # 100,000 × 0.70 × 0.90 × 0.90 = 56,700: the minimum premium applies.
    assert _by_plan(Rater([tiny]).quote(small, TODAY))["STD"].premium_jpy == 100_000


def test_revenue_over_the_cap_is_declined_with_a_readable_reason() -> None:
    quote = _by_plan(Rater([carrier_data()]).quote(applicant(annual_revenue_jpy=60 * OKU), TODAY))["WIDE"]
    assert quote.status is QuoteStatus.DECLINED
    assert quote.premium_jpy is None and quote.options == ()
    assert [r.text_ja for r in quote.reasons] == ["売上高が引受上限の50億円を超えています"]
    assert "¥5,000,000,000" in quote.reasons[0].text_en


def test_revenue_beyond_the_rate_table_and_unwritten_industry() -> None:
    rater = Rater([carrier_data()])
    beyond = rater.quote(applicant(annual_revenue_jpy=100 * OKU), TODAY)[0]
    assert beyond.status is QuoteStatus.DECLINED
    assert any("料率表の上限" in r.text_ja for r in beyond.reasons)
    hosting = rater.quote(applicant(industry=Industry.HOSTING_DATACENTER), TODAY)[0]
    assert hosting.status is QuoteStatus.DECLINED
    assert hosting.reasons[0].text_ja == "ホスティング・データセンターはこの保険会社の引受対象外の業種です"
    fintech = rater.quote(applicant(industry=Industry.FINTECH), TODAY)[0]
    assert fintech.reasons[0].text_ja == "フィンテック・決済代行は業種として引受対象外です"


def test_mfa_rules_condition_then_decline() -> None:
    rater = Rater([carrier_data()])
    no_mfa = frozenset({SecurityControl.EDR})
    indication = rater.quote(applicant(records_held=200_000, controls=no_mfa), TODAY)[0]
    assert indication.status is QuoteStatus.INDICATION
    assert [c.text_ja for c in indication.conditions] == ["多要素認証(MFA)の導入を30日以内に完了すること"]
    assert indication.premium_jpy is not None
    declined = rater.quote(applicant(records_held=2_000_000, controls=no_mfa), TODAY)[0]
    assert declined.status is QuoteStatus.DECLINED
    assert "多要素認証(MFA)未導入のため、保有個人情報100万件超は引受不可" in [r.text_ja for r in declined.reasons]
    with_mfa = rater.quote(applicant(records_held=2_000_000), TODAY)[0]
    assert with_mfa.status is QuoteStatus.QUOTED


def test_two_incidents_are_referred_with_a_reference_premium() -> None:
    quote = Rater([carrier_data()]).quote(applicant(incidents_3y=2), TODAY)[0]
    assert quote.status is QuoteStatus.REFERRED
    assert quote.reasons[0].text_ja == "過去3年の事故件数が2件以上のため、引受審査が必要です"
    assert quote.premium_jpy == 720_000 * 14_000 // 10_000  # two incidents +40%


def test_rider_dropped_above_revenue_says_why() -> None:
    quote = _by_plan(Rater([carrier_data()]).quote(applicant(annual_revenue_jpy=40 * OKU), TODAY))["WIDE"]
    assert quote.status is QuoteStatus.QUOTED
    assert quote.riders == ()
    assert quote.adjustments[0].reason.text_ja == "売上高が30億円超のため、喪失利益特約は付帯できません"


def test_limit_capped_and_deductible_raised_are_shown_side_by_side() -> None:
    quote = _by_plan(Rater([carrier_data()]).quote(applicant(limit_jpy=2 * OKU, deductible_jpy=50 * MAN), TODAY))["WIDE"]
    assert (quote.asked_limit_jpy, quote.limit_jpy) == (2 * OKU, OKU)
    assert (quote.asked_deductible_jpy, quote.deductible_jpy) == (50 * MAN, 100 * MAN)
    assert [a.what for a in quote.adjustments] == ["limit", "deductible"]
    assert quote.adjustments[0].reason.text_ja == "ご希望の支払限度額2億円はお引受けできないため、1億円でお見積もりしています"
    assert "100万円に引き上げて" in quote.adjustments[1].reason.text_ja


def test_ladder_offers_the_neighbouring_limits_and_deductibles() -> None:
    quote = _by_plan(Rater([carrier_data()]).quote(applicant(), TODAY))["WIDE"]
    rungs = {(o.limit_jpy, o.deductible_jpy): o.premium_jpy for o in quote.options}
    assert set(rungs) == {(lim, ded) for lim in (5_000 * MAN, OKU, 3 * OKU) for ded in (0, 10 * MAN, 100 * MAN)}
    assert rungs[(OKU, 10 * MAN)] == quote.premium_jpy
    assert rungs[(3 * OKU, 10 * MAN)] > quote.premium_jpy > rungs[(5_000 * MAN, 10 * MAN)]


def test_valid_until_and_rate_version() -> None:
    quote = Rater([carrier_data()]).quote(applicant(), TODAY)[0]
    assert quote.valid_until == date(2026, 12, 21)
    assert quote.rate_version == "2026.04"
    late = Rater([carrier_data()]).quote(applicant(), date(2027, 3, 15))[0]
    assert late.valid_until == date(2027, 3, 31)  # never past the rates' end
    # The sample plans end with their rates on 2027-03-31: the next day both say so.
    expired = Rater([carrier_data()]).quote(applicant(), date(2027, 4, 1))[0]
    assert expired.status is QuoteStatus.DECLINED
    assert [r.text_ja for r in expired.reasons] == ["このプランは2027年3月31日で販売を終了しました", "見積日に適用できる料率がありません"]
    # Rates ended, plans sold on: the rates alone are the reason.
    open_ended = _with_plans(carrier_data(), STD={"effective_to": None}, WIDE={"effective_to": None})
    no_rates = Rater([open_ended]).quote(applicant(), date(2027, 4, 1))[0]
    assert no_rates.status is QuoteStatus.DECLINED
    assert [r.code for r in no_rates.reasons] == ["decline:no_rates_in_force"]


def test_lines_not_asked_are_not_quoted() -> None:
    rater = Rater([carrier_data()])
    assert rater.quote(applicant(lines=(Line.IT_EO,)), TODAY) == ()
    result = rater.rate_batch(ApplicantBatch.of([applicant(lines=(Line.IT_EO,))]), TODAY)
    assert (result.status == NOT_ASKED).all()


def test_batch_equals_single_quotes() -> None:
    rater = Rater([carrier_data()])
    people = [
        applicant(),
        applicant(annual_revenue_jpy=60 * OKU),
        applicant(records_held=200_000, controls=frozenset()),
        applicant(limit_jpy=2 * OKU),
    ]
    result = rater.rate_batch(ApplicantBatch.of(people), TODAY)
    for row, person in enumerate(people):
        for q, slot in zip(rater.quote(person, TODAY), rater.slots, strict=True):
            expected = -1 if q.premium_jpy is None else q.premium_jpy
            assert result.premium[row, slot.index] == expected
            assert result.limit[row, slot.index] == q.limit_jpy
            assert bool(result.adjusted[row, slot.index]) == bool(q.adjustments)
            assert (result.status[row, slot.index] == DECLINED) == (q.status is QuoteStatus.DECLINED)


_applicants = st.builds(
    applicant,
    industry=st.sampled_from(list(Industry)),
    annual_revenue_jpy=st.integers(0, 200 * OKU),
    records_held=st.integers(0, 3_000_000),
    incidents_3y=st.integers(0, 4),
    controls=st.frozensets(st.sampled_from(list(SecurityControl))),
    limit_jpy=st.integers(1, 5 * OKU),
    deductible_jpy=st.integers(0, 200 * MAN),
    riders=st.frozensets(st.sampled_from([CoverageKey.LOST_PROFIT, CoverageKey.CYBER_DELAY])),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_applicants, min_size=1, max_size=12))
def test_rating_a_batch_equals_rating_each_row_alone(people: list) -> None:  # type: ignore[type-arg]
    # A third carrier caps the credits before its debits and rounds half up: a batch still equals its rows.
    other = carrier_data(Carrier.TOKIO_MARINE, steps=CAP_ON_CREDITS, rounding_mode=RoundingMode.HALF_UP)
    rater = Rater([carrier_data(), replace(carrier_data(), carrier=carrier_data().carrier), other])
    whole = rater.rate_batch(ApplicantBatch.of(people), TODAY)
    for row, person in enumerate(people):
        alone = rater.rate_batch(ApplicantBatch.of([person]), TODAY)
        np.testing.assert_array_equal(whole.premium[row], alone.premium[0])
        np.testing.assert_array_equal(whole.status[row], alone.status[0])
        np.testing.assert_array_equal(whole.adjusted[row], alone.adjusted[0])


def test_the_applicants_factors_are_multiplied_exactly_and_rounded_once() -> None:
    data = carrier_data(
        control_credit_bp={SecurityControl.MFA: -550},
        missing_control_debit_bp={},
        incident_surcharge_bp=2_500,
        rider_factor_bp={CoverageKey.LOST_PROFIT: 2_000},
    )
    quote = _by_plan(Rater([data]).quote(applicant(controls=frozenset({SecurityControl.MFA}), incidents_3y=3), TODAY))["WIDE"]
    # 800,000 × 1.30 = 1,040,000; 0.945 × 1.75 × 1.20 = 1.9845 exactly (rounding 0.945 × 1.75 first
    # would give 1.6538 and then 1.9846) → 2,063,880 → up to ¥100: 2,063,900
    assert quote.premium_jpy == 2_063_900


# ------------------------------------------------------ plan effective dates ---


def test_a_plan_not_yet_on_sale_is_declined_with_its_start_date() -> None:
    # WIDE goes on sale on 2027-04-01; on 2026-11-21 it is not quoted, and says from when it is.
    later = _with_plans(carrier_data(), WIDE={"effective_from": date(2027, 4, 1), "effective_to": None})
    quotes = _by_plan(Rater([later]).quote(applicant(), TODAY))
    wide = quotes["WIDE"]
    assert wide.status is QuoteStatus.DECLINED
    assert wide.premium_jpy is None and wide.options == () and wide.valid_until is None
    assert [r.text_ja for r in wide.reasons] == ["このプランは2027年4月1日から販売されます"]
    assert wide.reasons[0].text_en == "This plan is sold from 2027-04-01."
    # The other plan is quoted as before: 800,000 × 0.90 × 1.20 = 864,000.
    assert quotes["STD"].status is QuoteStatus.QUOTED and quotes["STD"].premium_jpy == 864_000


def test_a_withdrawn_plan_is_declined_with_its_end_date() -> None:
    ended = _with_plans(carrier_data(), STD={"effective_to": date(2026, 10, 31)})
    quotes = _by_plan(Rater([ended]).quote(applicant(), TODAY))
    assert quotes["STD"].status is QuoteStatus.DECLINED
    assert [r.text_ja for r in quotes["STD"].reasons] == ["このプランは2026年10月31日で販売を終了しました"]
    assert quotes["WIDE"].premium_jpy == 1_291_700
    # On its last day it is still sold.
    last_day = _by_plan(Rater([ended]).quote(applicant(), date(2026, 10, 31)))["STD"]
    assert last_day.status is QuoteStatus.QUOTED and last_day.premium_jpy == 864_000


def test_a_quote_is_never_valid_past_its_plans_end() -> None:
    # Quoted on 2026-11-21: 30 days would run to 2026-12-21, the rates to 2027-03-31, the plan only to 2026-12-01.
    ending = _with_plans(carrier_data(), WIDE={"effective_to": date(2026, 12, 1)})
    quotes = _by_plan(Rater([ending]).quote(applicant(), TODAY))
    assert quotes["WIDE"].valid_until == date(2026, 12, 1)
    assert quotes["STD"].valid_until == date(2026, 12, 21)


def test_a_plan_off_sale_is_declined_in_a_batch_too() -> None:
    data = _with_plans(carrier_data(), WIDE={"effective_from": date(2027, 4, 1), "effective_to": None})
    rater = Rater([data])
    result = rater.rate_batch(ApplicantBatch.of([applicant(), applicant(annual_revenue_jpy=60 * OKU)]), TODAY)
    wide = next(s.index for s in rater.slots if s.plan.code == "WIDE")
    std = next(s.index for s in rater.slots if s.plan.code == "STD")
    assert result.status[:, wide].tolist() == [DECLINED, DECLINED]
    assert result.premium[:, wide].tolist() == [-1, -1]
    assert result.premium[0, std] == 864_000


# ---------------------------------------------------------------- rounding ---


@pytest.mark.parametrize(
    ("mode", "unit", "premium"),
    [
        # WIDE: 1,040,000 × (0.90 × 1.20 × 1.15 = 1.242) = 1,291,680 before rounding.
        (RoundingMode.UP, 100, 1_291_700),
        (RoundingMode.DOWN, 100, 1_291_600),
        (RoundingMode.HALF_UP, 100, 1_291_700),  # 80 of 100: up
        (RoundingMode.UP, 10_000, 1_300_000),
        (RoundingMode.DOWN, 10_000, 1_290_000),
        (RoundingMode.HALF_UP, 10_000, 1_290_000),  # 1,680 of 10,000: down
    ],
)
def test_the_carriers_rounding_direction_is_applied(mode: RoundingMode, unit: int, premium: int) -> None:
    data = carrier_data(rounding_jpy=unit, rounding_mode=mode)
    assert _by_plan(Rater([data]).quote(applicant(), TODAY))["WIDE"].premium_jpy == premium


def test_half_up_rounds_an_exact_half_up() -> None:
    # STD, no incident, no rider: 800,500 × 0.90 = 720,450, exactly half of ¥100 over 720,400.
    data = {
        mode: carrier_data(rounding_mode=mode, base_premium_jpy={"A": (300_000, 800_500, 2_000_000), "B": (400_000, 1_000_000, 2_500_000)})
        for mode in RoundingMode
    }
    quiet = applicant(incidents_3y=0, riders=frozenset())
    found = {mode: _by_plan(Rater([d]).quote(quiet, TODAY))["STD"].premium_jpy for mode, d in data.items()}
    assert found == {RoundingMode.UP: 720_500, RoundingMode.DOWN: 720_400, RoundingMode.HALF_UP: 720_500}


def test_rounding_down_never_undercuts_the_minimum_premium() -> None:
    # STD at 5,000万 / 100万 on a ¥100,000 base: 100,000 × 0.70 × 0.90 × 0.90 = 56,700, under the ¥100,050 minimum:
    # the minimum is charged as the carrier states it, not rounded down to ¥100,000.
    data = carrier_data(
        rounding_mode=RoundingMode.DOWN,
        minimum_premium_jpy=100_050,
        base_premium_jpy={"A": (100_000, 800_000, 2_000_000), "B": (400_000, 1_000_000, 2_500_000)},
    )
    small = applicant(
        annual_revenue_jpy=50 * MAN * 100, riders=frozenset(), incidents_3y=0, limit_jpy=5_000 * MAN, deductible_jpy=100 * MAN
    )
    assert _by_plan(Rater([data]).quote(small, TODAY))["STD"].premium_jpy == 100_050


# ------------------------------------------------- credits, debits and the cap ---

# MFA −10%, EDR −5%, offline backups −5%: credits −20%, over the −15% cap; no incident response plan: +5%.
THREE_CONTROLS = frozenset({SecurityControl.MFA, SecurityControl.EDR, SecurityControl.OFFLINE_BACKUP})


@pytest.mark.parametrize(
    ("steps", "premium"),
    [
        # cap after the debits: −20% + 5% = −15%, at the cap → 0.85; × 1.20 incident × 1.15 rider = 1.173
        # → 1,040,000 × 1.173 = 1,219,920 → up to ¥100: 1,220,000
        (CAP_ON_NET, 1_220_000),
        # cap before the debits: −20% capped at −15%, then +5% = −10% → 0.90 × 1.20 × 1.15 = 1.242 → 1,291,680 → 1,291,700
        (CAP_ON_CREDITS, 1_291_700),
        # debits first, then credits, then the cap: the cap still sees the debits, as CAP_ON_NET
        ((RatingStep.DEBITS, RatingStep.CREDITS, RatingStep.CAP), 1_220_000),
    ],
)
def test_the_order_of_credits_debits_and_the_cap_is_the_carriers(steps: tuple[RatingStep, ...], premium: int) -> None:
    data = carrier_data(steps=steps)
    quote = _by_plan(Rater([data]).quote(applicant(controls=THREE_CONTROLS), TODAY))["WIDE"]
    assert quote.premium_jpy == premium


def test_two_carriers_with_different_orders_rate_side_by_side() -> None:
    # One batch, two carriers: each applies its own order; a batch equals each row rated alone.
    rater = Rater([carrier_data(steps=CAP_ON_NET), carrier_data(Carrier.TOKIO_MARINE, steps=CAP_ON_CREDITS)])
    people = [applicant(controls=THREE_CONTROLS), applicant()]
    whole = rater.rate_batch(ApplicantBatch.of(people), TODAY)
    wide = {s.plan.carrier: s.index for s in rater.slots if s.plan.code == "WIDE"}
    assert whole.premium[0, wide[Carrier.AIG]] == 1_220_000
    assert whole.premium[0, wide[Carrier.TOKIO_MARINE]] == 1_291_700
    # With MFA and EDR only the credits (−15%) are within the cap: the order changes nothing, 1,291,700 both.
    assert whole.premium[1, wide[Carrier.AIG]] == whole.premium[1, wide[Carrier.TOKIO_MARINE]] == 1_291_700
    for row, person in enumerate(people):
        np.testing.assert_array_equal(whole.premium[row], rater.rate_batch(ApplicantBatch.of([person]), TODAY).premium[0])


@pytest.mark.parametrize(
    "steps",
    [
        (RatingStep.CAP, RatingStep.CREDITS, RatingStep.DEBITS),  # a cap on nothing yet
        (RatingStep.CREDITS, RatingStep.DEBITS),  # no cap
        (RatingStep.CREDITS, RatingStep.CAP, RatingStep.CAP, RatingStep.DEBITS),
    ],
)
def test_an_order_that_cannot_be_rated_is_refused(steps: tuple[RatingStep, ...]) -> None:
    with pytest.raises(SchemaError) as caught:
        carrier_data(steps=steps)
    assert caught.value.field.endswith(".steps")
