"""The wishes are requirements: each carrier's column is its cheapest plan that meets them, the same in single and bulk."""

from __future__ import annotations

from datetime import date

import numpy as np

from aggregator.choice import choose, meets_wishes, pick_per_carrier
from aggregator.rating import ApplicantBatch, Rater
from aggregator.recommendation import build_comparison
from aggregator.schema import Applicant, Carrier, ContractType, Industry, Line, SecurityControl
from aggregator.taxonomy import CoverageKey
from tests.factories import MAN, OKU

TODAY = date(2026, 11, 21)
LIMITS = (3_000 * MAN, 5_000 * MAN, OKU, 3 * OKU, 5 * OKU, 10 * OKU)
DEDUCTIBLES = (0, 10 * MAN, 50 * MAN, 100 * MAN)


def _clients(n: int, seed: int = 20261121) -> list[Applicant]:
    rng = np.random.default_rng(seed)
    industries, controls, lines = list(Industry), list(SecurityControl), list(Line)
    riders = [CoverageKey.LOST_PROFIT, CoverageKey.CYBER_DELAY, CoverageKey.EMPLOYEE_MISCONDUCT]
    out = []
    for i in range(n):
        asked = [line for line in lines if rng.random() < 0.5] or [lines[int(rng.integers(3))]]
        out.append(
            Applicant(
                company=f"株式会社テスト{i:04d}",
                industry=industries[int(rng.integers(len(industries)))],
                annual_revenue_jpy=int(10 ** rng.uniform(7, 11.3)) // 1000 * 1000,
                employees=int(rng.integers(1, 3000)),
                records_held=int(rng.choice([0, 500, 20_000, 300_000, 2_000_000])),
                servers=int(rng.integers(1, 200)),
                largest_contract_jpy=int(rng.choice([500 * MAN, 3_000 * MAN, OKU, 5 * OKU])),
                contract_type=ContractType.UKEOI if rng.random() < 0.5 else ContractType.JUNININ,
                controls=frozenset(c for c in controls if rng.random() < 0.5),
                incidents_3y=int(rng.choice([0, 0, 0, 1, 2])),
                lines=tuple(asked),
                limit_jpy=int(rng.choice(LIMITS)),
                deductible_jpy=int(rng.choice(DEDUCTIBLES)),
                riders=frozenset(r for r in riders if rng.random() < 0.3),
            )
        )
    return out


def test_single_and_bulk_choose_the_same_plan_for_a_thousand_clients(rater: Rater) -> None:
    clients = _clients(1_000)
    result = rater.rate_batch(ApplicantBatch.of(clients), TODAY)
    batch = ApplicantBatch.of(clients)
    disagreements = []
    for line in Line:
        picks = {c: pick_per_carrier(rater, result, line, c, batch) for c in Carrier}
        for i, client in enumerate(clients):
            if line not in client.lines:
                continue
            quotes = [q for q in rater.quote(client, TODAY) if q.line is line]
            for carrier in Carrier:
                own = [q for q in quotes if q.carrier is carrier]
                bulk_slot = int(picks[carrier].slot[i])
                if not own:
                    assert bulk_slot == -1
                    continue
                single = choose(own).plan.code
                bulk = rater.slots[bulk_slot].plan.code
                if single != bulk:
                    disagreements.append((i, line.value, carrier.value, single, bulk))
    assert disagreements == []


def test_every_carrier_with_a_5oku_plan_shows_it_when_5oku_is_asked_with_price_first(rater: Rater) -> None:
    """The SaaS case: a basic plan capped at 3億 is cheaper, but the customer asked for 5億."""
    saas = Applicant(
        company="株式会社SaaSテスト",
        industry=Industry.SAAS,
        annual_revenue_jpy=50 * OKU,
        employees=300,
        records_held=2_000_000,
        servers=80,
        largest_contract_jpy=OKU,
        contract_type=ContractType.JUNININ,
        controls=frozenset({SecurityControl.MFA, SecurityControl.EDR, SecurityControl.OFFLINE_BACKUP}),
        incidents_3y=0,
        lines=(Line.CYBER,),
        limit_jpy=5 * OKU,
        deductible_jpy=100 * MAN,
    )
    comparison = build_comparison(rater, saas, TODAY)
    offers_5oku = {q.carrier for q in rater.quote(saas, TODAY) if q.line is Line.CYBER and 5 * OKU in q.plan.limit_options_jpy}
    assert offers_5oku  # the sample carriers sell 5億 on a wider plan
    for column in comparison.columns:
        quote = column.quote
        if quote.carrier in offers_5oku and quote.status.value != "declined":
            assert quote.limit_jpy == 5 * OKU, (quote.carrier, quote.plan.code)
            assert meets_wishes(quote)
