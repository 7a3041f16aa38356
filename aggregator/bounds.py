"""How large a premium a carrier's rates can make, worked out before they are used: int64 rating never overflows."""

from __future__ import annotations

from collections.abc import Iterable

from aggregator.applicant import MAX_INCIDENTS
from aggregator.batch import BP
from aggregator.codes import SecurityControl, TermStatus
from aggregator.errors import CarrierDataError
from aggregator.plans import Plan
from aggregator.rates import CarrierData, RateTable
from aggregator.rating import Rater

INT64_MAX = 2**63 - 1
# The dearest premium any applicant may be quoted: 10兆円. Bulk ranking packs a premium below 10^14
# into one int64 key, and no real premium comes near.
MAX_PREMIUM_JPY = 10**13


def _option_factor_bp(table: RateTable, plan: Plan) -> tuple[int, int]:
    """The largest plan × limit × deductible factor of the plan, rounded half up to 0.0001 as rating does,
    and the exact product it was rounded from (in 10^-12)."""
    limit = max(table.limit_factor_bp[n] for n in plan.limit_options_jpy)
    deductible = max(table.deductible_factor_bp[n] for n in plan.deductible_options_jpy)
    exact = table.plan_factor_bp[plan.code] * limit * deductible
    return (exact + BP**2 // 2) // BP**2, exact


def _applicant_factor_exact(table: RateTable, plan: Plan) -> int:
    """The largest (controls × incidents × riders) product before rounding, in 10^-12: every debit,
    the most incidents an applicant may declare, and every rider the plan sells."""
    adjust = sum(max(table.control_credit_bp.get(c, 0), table.missing_control_debit_bp.get(c, 0)) for c in SecurityControl)
    surcharge = MAX_INCIDENTS * table.incident_surcharge_bp
    riders = sum(table.rider_factor_bp.get(t.key, 0) for t in plan.terms if t.status is TermStatus.OPTIONAL_RIDER)
    return (BP + max(adjust, 0)) * (BP + surcharge) * (BP + riders)


def worst_premium(table: RateTable, plan: Plan) -> tuple[int, int]:
    """The dearest premium the plan can be quoted at, and the largest intermediate figure rating reaches on the way."""
    base = max((n for row in table.base_premium_jpy.values() for n in row), default=0)
    option, option_exact = _option_factor_bp(table, plan)
    applicant_exact = _applicant_factor_exact(table, plan)
    applicant = (applicant_exact + BP**2 // 2) // BP**2
    stage1 = base * option + BP // 2
    after_option = stage1 // BP
    stage2 = after_option * applicant + BP // 2
    premium = max(stage2 // BP, table.minimum_premium_jpy)
    rounded = premium + table.rounding_jpy - 1
    premium = rounded // table.rounding_jpy * table.rounding_jpy
    return premium, max(option_exact, applicant_exact, stage1, stage2, rounded)


def check_rateable(data: CarrierData) -> None:
    """Refuse rates whose dearest premium is past MAX_PREMIUM_JPY or whose arithmetic would leave int64.

    The error names the carrier, the rate table's source and the plan, and what is to be lowered.
    """
    for table in data.rate_tables:
        for plan in data.plans_for(table.line):
            premium, largest = worst_premium(table, plan)
            if largest > INT64_MAX or premium > MAX_PREMIUM_JPY:
                raise CarrierDataError(
                    f"{data.carrier.value}: 料率の組み合わせで保険料が上限(10兆円)を超えます"
                    f"(プラン{plan.code}: 基本保険料・係数・割増の最大の組み合わせ)。基本保険料か係数を見直してください",
                    file=table.source or None,
                    value=premium,
                )


def build_rater(carriers: Iterable[CarrierData]) -> Rater:
    """A Rater from every carrier, each checked first; a failure is a CarrierDataError, never a crash."""
    loaded = tuple(carriers)
    for data in loaded:
        check_rateable(data)
    try:
        return Rater(loaded)
    except (OverflowError, ValueError, IndexError, KeyError) as exc:
        names = "、".join(d.carrier.value for d in loaded)
        raise CarrierDataError(f"料率表から計算の準備ができません({names}): {type(exc).__name__}: {exc}") from exc
