"""The contract check: the IT E&O liability it sets, read from JSON, the advice per weak clause, each plan's exclusion."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aggregator.applicants import ApplicantInputError, applicant_from_data
from aggregator.contract import contract_from_data
from aggregator.contract_check import OK, UNKNOWN, WEAK, check, clauses
from aggregator.exposure import Assumptions, estimate
from aggregator.schema import Answer, ContractTerms, LiabilityCap, Line, Quote, QuoteStatus
from aggregator.serialize import to_data
from aggregator.taxonomy import CoverageKey as K
from tests.factories import MAN, OKU, applicant, plan

Y, N, U = Answer.YES, Answer.NO, Answer.UNKNOWN
# The factory's vendor: 20,000 records, a largest contract of 3,000万円. With the default assumptions
# a leak reaches all 20,000 people; consolation money 20,000 × 5,000円 = 1億円; the client's lost
# profit 100万円 a day (assumed) × 5 days = 500万円.
CAPPED = ContractTerms(LiabilityCap.CONTRACT_AMOUNT, special_damages_excluded=Y, gross_negligence_includes_leaks=N)


# Everyone of the 20,000 affected claims in the bad case (the claim share set to 100%), so the leak's
# consolation money is 20,000 × 5,000円 = 1億円; the client claims back its apology to all of them,
# 20,000 × 500円 = 1,000万円; its lost profit is 100万円 × 5 days = 500万円 (special damages). Ranges
# are read to two figures: the low end rounded down, the high end up.
EVERYONE_CLAIMS = Assumptions(claim_share_high_bp=10_000)


def _liability(terms: ContractTerms, **overrides: object) -> tuple[int, int, str, str, int]:
    needs = estimate(applicant(lines=(Line.IT_EO,), contract=terms, **overrides), EVERYONE_CLAIMS, line=Line.IT_EO)
    need, litigation = needs.get(K.LIABILITY_DAMAGES), needs.get(K.LITIGATION_COSTS)
    assert need is not None and litigation is not None
    return need.low_jpy, need.high_jpy, need.basis_ja, need.basis_en, litigation.high_jpy


def test_a_capped_contract_and_one_that_makes_a_leak_gross_negligence_set_different_it_eo_needs() -> None:
    # Capped at the contract amount, special damages excluded, leaks not gross negligence:
    # ordinary = min(1億1,000万円, 3,000万円) = 3,000万円, and the worst case is the cap too.
    low, high, ja, en, litigation = _liability(CAPPED)
    assert (low, high) == (3_000 * MAN, 3_000 * MAN)
    assert "契約金額3,000万円が上限" in ja and "上限まで" in ja and "capped at the contract amount" in en
    assert litigation == 600 * MAN  # 20% of 3,000万円
    # The same contract, but data loss and leaks count as gross negligence: the cap falls away for
    # a leak, and the worst case is the whole claim, 1億円 + 1,000万円 = 1億1,000万円 (the lost profit is excluded).
    low, high, ja, en, litigation = _liability(replace(CAPPED, gross_negligence_includes_leaks=Y))
    assert (low, high) == (3_000 * MAN, 11_000 * MAN)
    assert "重大な過失とする定めがあり" in ja and "defined as gross negligence" in en
    assert "発注者の逸失利益は含めません" in ja and "発注者が利用者に支払うお詫び" in ja
    assert litigation == 2_200 * MAN  # 20% of 1億1,000万円


def test_unknown_answers_are_never_read_as_safe() -> None:
    # Nothing answered: the ordinary case takes the model contract's cap (3,000万円), the worst case
    # is uncapped, and the client's lost profit is in the claim: 1億円 + 1,000万円 + 500万円 = 1億1,500万円,
    # read up as 1億2,000万円.
    low, high, ja, en, _ = _liability(ContractTerms())
    assert (low, high) == (3_000 * MAN, 12_000 * MAN)
    assert "わからないは上限なしとして扱います" in ja and "unknown is treated as no cap" in en
    assert "発注者の逸失利益も含めます" in ja


def test_no_cap_and_special_damages_claimed_make_the_ordinary_case_the_whole_claim() -> None:
    # No cap, lost profit not excluded: 1億1,500万円 in both cases, read as 1億1,000万〜1億2,000万円.
    terms = ContractTerms(LiabilityCap.NONE, special_damages_excluded=N, gross_negligence_includes_leaks=N)
    low, high, ja, _, _ = _liability(terms)
    assert (low, high) == (11_000 * MAN, 12_000 * MAN) and "上限の定めがない" in ja


def test_another_amount_agreed_is_the_cap_and_a_small_claim_is_not_raised_to_it() -> None:
    terms = replace(CAPPED, liability_cap=LiabilityCap.OTHER_AMOUNT, liability_cap_jpy=5_000 * MAN)
    low, high, ja, _, _ = _liability(terms)
    assert (low, high) == (5_000 * MAN, 5_000 * MAN) and "契約で合意した上限5,000万円" in ja
    # 800 records: consolation money 800 × 5,000円 = 400万円 and the apology 800 × 500円 = 40万円; the estimate takes no less than the
    # contract amount (3,000万円), which is under the 5,000万円 cap.
    low, high, ja, _, _ = _liability(terms, records_held=800)
    assert (low, high) == (3_000 * MAN, 3_000 * MAN) and "契約金額3,000万円を下回らないものとします" in ja


def test_the_cyber_line_keeps_the_leak_estimate_and_carries_the_contract_case_beside_it() -> None:
    needs = estimate(applicant(contract=CAPPED), line=Line.CYBER)
    need = needs.get(K.LIABILITY_DAMAGES)
    # the claimants' consolation money: 20,000 × 0.03%〜0.3% = 6〜60 people × 3,000〜5,000円 = 1.8万〜30万円, read as 1万〜30万円
    assert need is not None and (need.low_jpy, need.high_jpy) == (10_000, 300_000)
    assert needs.contract is not None and needs.contract.worst_jpy == 3_000 * MAN


def test_the_client_profit_a_day_is_an_assumption_one_can_change() -> None:
    a = EVERYONE_CLAIMS.with_overrides({"client_daily_profit_jpy": 3_000_000})
    needs = estimate(applicant(lines=(Line.IT_EO,)), a, line=Line.IT_EO)
    need = needs.get(K.LIABILITY_DAMAGES)
    # 1億円 + 1,000万円 + 300万円 × 5日 = 1億2,500万円, read up as 1億3,000万円
    assert need is not None and need.high_jpy == 13_000 * MAN and "1日300万円(仮定値)" in need.basis_ja


BODY = {
    "company": "株式会社契約テスト",
    "industry": "system_integration",
    "annual_revenue_jpy": 500_000_000,
    "employees": 40,
    "records_held": 20_000,
    "servers": 10,
    "largest_contract_jpy": "3,000万円",
    "contract_type": "請負",
    "lines": ["it_eo"],
    "limit_jpy": 100_000_000,
}


def test_json_reads_the_contract_in_codes_words_and_booleans() -> None:
    read = applicant_from_data(
        {
            **BODY,
            "contract": {
                "liability_cap": "other_amount",
                "liability_cap_jpy": "5,000万円",
                "special_damages_excluded": True,
                "gross_negligence_includes_leaks": "はい",
                "payment_terms": "no",
                "ip_ownership": None,
            },
        }
    )
    assert read.contract == ContractTerms(
        LiabilityCap.OTHER_AMOUNT, 5_000 * MAN, special_damages_excluded=Y, gross_negligence_includes_leaks=Y, payment_terms=N
    )
    assert applicant_from_data(BODY).contract == ContractTerms()  # left out: every answer unknown
    # what is stored reads back the same
    assert applicant_from_data(to_data(read)).contract == read.contract


def test_wrong_contract_values_are_refused_each_by_name() -> None:
    with pytest.raises(ApplicantInputError) as caught:
        applicant_from_data(
            {**BODY, "contract": {"liability_cap": "maybe", "special_damages_excluded": "たぶん", "penalty": 1, "servers": 3}}
        )
    named = {e.field: e.reason for e in caught.value.errors}
    assert set(named) == {"contract.liability_cap", "contract.special_damages_excluded", "contract.penalty", "contract.servers"}
    assert "contract_amount" in named["contract.liability_cap"] and "はい・いいえ・わからない" in named["contract.special_damages_excluded"]
    with pytest.raises(ApplicantInputError, match="上限の金額が必要です"):
        contract_from_data({"liability_cap": "other_amount"})
    with pytest.raises(ApplicantInputError, match="other_amount"):
        contract_from_data({"liability_cap": "contract_amount", "liability_cap_jpy": 1})
    with pytest.raises(ApplicantInputError, match="オブジェクト"):
        applicant_from_data({**BODY, "contract": "capped"})


def test_each_weak_or_unknown_clause_carries_the_articles_advice() -> None:
    found = {c.field: c for c in clauses(replace(CAPPED, gross_negligence_includes_leaks=Y, payment_terms=N))}
    assert found["liability_cap"].status == OK and found["liability_cap"].advice_ja == ""
    assert found["gross_negligence_includes_leaks"].status == WEAK
    assert "何が重大な過失にあたるか" in found["gross_negligence_includes_leaks"].advice_ja
    assert found["payment_terms"].status == WEAK and "別途協議" in found["payment_terms"].advice_ja
    assert found["ip_ownership"].status == UNKNOWN and found["ip_ownership"].advice_ja.startswith("契約書で確認してください")
    assert found["ip_ownership"].answer_ja == "わからない" and found["ip_ownership"].answer_en == "Don't know"


def _quote(exclusions: tuple[str, ...]) -> Quote:
    cover = replace(plan("WIDE", wide=True), exclusions=exclusions)
    return Quote(cover.carrier, Line.CYBER, cover, QuoteStatus.QUOTED, OKU, 0, OKU, 0, 300_000)


def test_each_plan_says_whether_it_pays_what_a_contract_adds_beyond_the_law() -> None:
    quotes = [_quote(("契約により加重された賠償責任", "戦争")), _quote(("戦争",))]
    promised = check(replace(CAPPED, liability_beyond_law=Y), quotes, None, Line.CYBER)
    excluded, silent = promised.plans
    assert excluded.excluded and excluded.warn and "自己負担" in excluded.text_ja
    assert not silent.excluded and "約款で要確認" in silent.text_ja
    kept = check(replace(CAPPED, liability_beyond_law=N), quotes, None, Line.IT_EO)
    assert not kept.plans[0].warn and kept.sets_need
