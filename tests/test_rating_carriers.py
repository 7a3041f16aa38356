"""Premiums on the five carriers' sample rate tables, worked out by hand from the files' own figures.

Each comment is the arithmetic: base premium for the industry class and revenue band, the option
factor (plan × limit × deductible, to 0.0001), the applicant's factor (control credits capped,
debits for controls missing, incident surcharge, rider loading, to 0.0001), the yen rounded half
up at each step, then the carrier's rounding unit.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from aggregator.rating import Rater
from aggregator.schema import Carrier, Industry, QuoteStatus, SecurityControl
from aggregator.taxonomy import CoverageKey
from carriers.registry import FIXTURES, load_carrier
from tests.factories import applicant

TODAY = date(2026, 11, 21)

# SI company, revenue 5億円, MFA and EDR only, no incidents, 1億円 / 10万円, first (cheapest) cyber plan.
SMALL = {
    # 360,000 × 1.00 × (−5% MFA −5% EDR +5% no offline backup = 0.95) = 342,000
    (Carrier.TOKIO_MARINE, "TMC-S"): 342_000,
    # 1,100,000 × plan 0.80 = 880,000 × 0.95 (same controls) = 836,000
    (Carrier.MITSUI_SUMITOMO, "CP-E"): 836_000,
    # 520,000 × (−5% MFA −7% EDR = 0.88) = 457,600
    (Carrier.SOMPO_JAPAN, "CY-BASIC"): 457_600,
    # 950,000 × (−5% −5% = 0.90) = 855,000
    (Carrier.AIOI_NISSAY_DOWA, "ADW-CY-B"): 855_000,
    # 350,000 × plan 0.85 = 297,500 × (−7.5% −5% +5% = 0.925) = 275,187.5 → 275,188 → up to ¥100: 275,200
    (Carrier.AIG, "CE-ESS"): 275_200,
}

# SaaS, revenue 30億円, every control, one incident, 3億円 / 100万円, lost-profit rider, widest cyber plan.
LARGE = {
    # 940,000 × (1.35 × 1.38 × 0.88 = 1.6394) = 1,541,036; credits −26% capped at −25%, +20% incident,
    # +15% rider: 0.75 × 1.20 × 1.15 = 1.035 → 1,594,972.26 → 1,594,972 → up to ¥10: 1,594,980
    (Carrier.TOKIO_MARINE, "TMC-W"): 1_594_980,
    # 3,380,000 × (1.35 × 1.45 × 0.88 = 1.7226) = 5,822,388; 0.80 (cap) × 1.10 × 1.12 = 0.9856
    # → 5,738,545.6 → 5,738,546 → up to ¥100: 5,738,600
    (Carrier.MITSUI_SUMITOMO, "CP-W"): 5_738_600,
    # 1,420,000 × (1.18 × 1.28 × 0.88 = 1.329152 → 1.3292) = 1,887,464; 0.75 × 1.15 × 1.12 = 0.966 → 1,823,290
    (Carrier.SOMPO_JAPAN, "CY-ADV"): 1_823_290,
    # 1,900,000 × (1.15 × 1.35 × 0.88 = 1.3662) = 2,595,780; 0.80 × 1.20 × 1.25 = 1.20 → 3,114,936 → 3,114,940
    (Carrier.AIOI_NISSAY_DOWA, "ADW-CY-W"): 3_114_940,
    # 1,060,000 × (1.30 × 1.45 × 0.88 = 1.6588) = 1,758,328; 0.75 × 1.25 × 1.15 = 1.078125 → 1.0781
    # → 1,895,653.4 → 1,895,653 → up to ¥100: 1,895,700
    (Carrier.AIG, "CE-PRO"): 1_895_700,
}


def _premiums(rater: Rater, **changes: object) -> dict[tuple[Carrier, str], int | None]:
    return {(q.carrier, q.plan.code): q.premium_jpy for q in rater.quote(applicant(**changes), TODAY)}


@pytest.mark.parametrize(("key", "premium"), SMALL.items(), ids=[f"{c.value}-{p}" for c, p in SMALL])
def test_small_si_company(rater: Rater, key: tuple[Carrier, str], premium: int) -> None:
    found = _premiums(rater, riders=frozenset(), incidents_3y=0, controls=frozenset({SecurityControl.MFA, SecurityControl.EDR}))
    assert found[key] == premium


@pytest.mark.parametrize(("key", "premium"), LARGE.items(), ids=[f"{c.value}-{p}" for c, p in LARGE])
def test_larger_saas_company_with_a_rider_and_an_incident(rater: Rater, key: tuple[Carrier, str], premium: int) -> None:
    found = _premiums(
        rater,
        industry=Industry.SAAS,
        annual_revenue_jpy=3_000_000_000,
        riders=frozenset({CoverageKey.LOST_PROFIT}),
        incidents_3y=1,
        controls=frozenset(SecurityControl),
        limit_jpy=300_000_000,
        deductible_jpy=1_000_000,
        records_held=50_000,
    )
    assert found[key] == premium


def test_plans_the_carriers_file_dates_outside_the_quote_day_are_declined_with_their_dates(tmp_path: Path) -> None:
    # 三井住友海上's プラン.csv: CP-B not on sale until 令和9年4月1日, CP-W withdrawn after 令和8年10月31日.
    folder = Path(shutil.copytree(FIXTURES / "mitsui_sumitomo", tmp_path / "mitsui_sumitomo"))
    path = folder / "プラン.csv"
    text = path.read_bytes().decode("cp932")
    text = text.replace(
        "CP-B,サイバープロテクター ベーシックプラン,2026.04,令和8年4月1日,－",
        "CP-B,サイバープロテクター ベーシックプラン,2026.04,令和9年4月1日,－",
    )
    text = text.replace(
        "CP-W,サイバープロテクター ワイドプラン,2026.04,令和8年4月1日,－",
        "CP-W,サイバープロテクター ワイドプラン,2026.04,令和8年4月1日,令和8年10月31日",
    )
    path.write_bytes(text.encode("cp932"))
    quotes = {q.plan.code: q for q in Rater([load_carrier(Carrier.MITSUI_SUMITOMO, tmp_path)]).quote(applicant(), TODAY)}
    assert quotes["CP-B"].status is QuoteStatus.DECLINED and quotes["CP-B"].premium_jpy is None
    assert [r.text_ja for r in quotes["CP-B"].reasons] == ["このプランは2027年4月1日から販売されます"]
    assert quotes["CP-W"].status is QuoteStatus.DECLINED
    assert [r.text_ja for r in quotes["CP-W"].reasons] == ["このプランは2026年10月31日で販売を終了しました"]
    assert quotes["CP-E"].status is not QuoteStatus.DECLINED and quotes["CP-E"].premium_jpy is not None
