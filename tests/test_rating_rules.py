"""Every rule operator with every action: what the applicant sees when a rule fires, and when it just does not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from aggregator.rating import DECLINED, INDICATION, QUOTED, REFERRED, ApplicantBatch, Rater
from aggregator.schema import EligibilityRule, Industry, Quote, QuoteStatus, RuleAction, RuleField, RuleOp, SecurityControl
from aggregator.taxonomy import CoverageKey
from tests.factories import applicant, carrier_data
from tests.test_rating import TODAY

# The factories' applicant on the WIDE plan, no rule firing: base 800,000 × plan 1.30 = 1,040,000;
# MFA −10% and EDR −5% (at the −15% cap), no incident response plan +5%: 0.90; one incident 1.20;
# lost-profit rider 1.15 → 1,040,000 × 1.242 = 1,291,680 → up to ¥100: 1,291,700.
PREMIUM = 1_291_700
# The same without the rider: 1,040,000 × 0.90 × 1.20 = 1,123,200.
PREMIUM_WITHOUT_RIDER = 1_123_200


@dataclass(frozen=True)
class Case:
    """One operator: a rule test, an applicant it holds for and one just outside it, and how the test reads."""

    field: RuleField
    op: RuleOp
    value: int | tuple[str, ...]
    hit: dict[str, Any]
    miss: dict[str, Any]
    decline_ja: str  # the decline reason
    refer_ja: str  # the referral reason
    drop_ja: str  # why the rider was dropped


# The applicant has 40 employees and is an SI company: each numeric test sits on the boundary at 40.
CASES = {
    ">": Case(
        RuleField.EMPLOYEES, RuleOp.GT, 39, {"employees": 40}, {"employees": 39},
        "従業員数が引受上限の39名を超えています", "従業員数が39名超のため、引受審査が必要です", "従業員数が39名超のため",
    ),
    ">=": Case(
        RuleField.EMPLOYEES, RuleOp.GE, 40, {"employees": 40}, {"employees": 39},
        "従業員数が40名以上のため引受対象外です", "従業員数が40名以上のため、引受審査が必要です", "従業員数が40名以上のため",
    ),
    "<": Case(
        RuleField.EMPLOYEES, RuleOp.LT, 41, {"employees": 40}, {"employees": 41},
        "従業員数が41名未満のため引受対象外です", "従業員数が41名未満のため、引受審査が必要です", "従業員数が41名未満のため",
    ),
    "<=": Case(
        RuleField.EMPLOYEES, RuleOp.LE, 40, {"employees": 40}, {"employees": 41},
        "従業員数が40名以下のため引受対象外です", "従業員数が40名以下のため、引受審査が必要です", "従業員数が40名以下のため",
    ),
    "in": Case(
        RuleField.INDUSTRY, RuleOp.IN, ("system_integration", "fintech"),
        {"industry": Industry.SYSTEM_INTEGRATION}, {"industry": Industry.SAAS},
        "システム受託開発・SIは業種として引受対象外です", "システム受託開発・SIは業種として引受審査が必要です",
        "業種がシステム受託開発・SIのため",
    ),
    "not_in": Case(
        RuleField.INDUSTRY, RuleOp.NOT_IN, ("saas",),
        {"industry": Industry.SYSTEM_INTEGRATION}, {"industry": Industry.SAAS},
        "システム受託開発・SIは業種として引受対象外です", "システム受託開発・SIは業種として引受審査が必要です",
        "業種がシステム受託開発・SIのため",
    ),
}  # fmt: skip
ACTIONS = {
    RuleAction.DECLINE: {},
    RuleAction.REFER: {},
    RuleAction.CONDITION: {"unless": SecurityControl.OFFLINE_BACKUP, "days": 30},  # the applicant has no offline backups
    RuleAction.DROP_RIDER: {"rider": CoverageKey.LOST_PROFIT},
}
EXPECTED_CODE = {RuleAction.DECLINE: DECLINED, RuleAction.REFER: REFERRED, RuleAction.CONDITION: INDICATION, RuleAction.DROP_RIDER: QUOTED}


def _wide(case: Case, action: RuleAction, changes: dict[str, Any]) -> tuple[Quote, int]:
    """The WIDE plan's quote, and its status code in a batch, under the one rule."""
    rule = EligibilityRule("X1", action, case.field, case.op, case.value, **ACTIONS[action])
    rater = Rater([carrier_data(rules=(rule,))])
    person = applicant(**changes)
    wide = next(q for q in rater.quote(person, TODAY) if q.plan.code == "WIDE")
    slot = next(s.index for s in rater.slots if s.plan.code == "WIDE")
    return wide, int(rater.rate_batch(ApplicantBatch.of([person]), TODAY).status[0, slot])


@pytest.mark.parametrize("action", list(ACTIONS), ids=[a.value for a in ACTIONS])
@pytest.mark.parametrize("name", list(CASES))
def test_every_operator_works_with_every_action(name: str, action: RuleAction) -> None:
    case = CASES[name]
    quote, batch_code = _wide(case, action, case.hit)
    assert batch_code == EXPECTED_CODE[action]  # the bulk path says the same
    if action is RuleAction.DECLINE:
        assert quote.status is QuoteStatus.DECLINED and quote.premium_jpy is None
        assert [r.text_ja for r in quote.reasons] == [case.decline_ja]
    elif action is RuleAction.REFER:
        assert quote.status is QuoteStatus.REFERRED and quote.premium_jpy == PREMIUM  # for reference
        assert [r.text_ja for r in quote.reasons] == [case.refer_ja]
    elif action is RuleAction.CONDITION:
        assert quote.status is QuoteStatus.INDICATION and quote.premium_jpy == PREMIUM
        assert [c.text_ja for c in quote.conditions] == ["オフラインバックアップの導入を30日以内に完了すること"]
    else:
        assert quote.status is QuoteStatus.QUOTED and quote.riders == ()
        assert quote.premium_jpy == PREMIUM_WITHOUT_RIDER
        assert [a.reason.text_ja for a in quote.adjustments] == [f"{case.drop_ja}、喪失利益特約は付帯できません"]


@pytest.mark.parametrize("action", list(ACTIONS), ids=[a.value for a in ACTIONS])
@pytest.mark.parametrize("name", list(CASES))
def test_a_rule_just_outside_its_test_changes_nothing(name: str, action: RuleAction) -> None:
    case = CASES[name]
    quote, batch_code = _wide(case, action, case.miss)
    assert quote.status is QuoteStatus.QUOTED and batch_code == QUOTED
    assert quote.reasons == () and quote.conditions == ()
    assert quote.riders == (CoverageKey.LOST_PROFIT,)


def test_membership_rules_name_the_contract_type_not_the_industry() -> None:
    # A referral on 請負 work used to name the applicant's industry as if it were the contract type.
    rule = EligibilityRule("P2", RuleAction.REFER, RuleField.CONTRACT_TYPE, RuleOp.IN, ("ukeoi",))
    quote = Rater([carrier_data(rules=(rule,))]).quote(applicant(), TODAY)[0]
    assert [r.text_ja for r in quote.reasons] == ["請負は契約形態として引受審査が必要です"]
    assert quote.reasons[0].text_en == "Contract type Contract for work (ukeoi) is referred to an underwriter."


def test_a_dropped_rider_says_which_control_would_keep_it() -> None:
    rule = EligibilityRule(
        "X2",
        RuleAction.DROP_RIDER,
        RuleField.INDUSTRY,
        RuleOp.NOT_IN,
        ("saas",),
        unless=SecurityControl.OFFLINE_BACKUP,
        rider=CoverageKey.LOST_PROFIT,
    )
    rater = Rater([carrier_data(rules=(rule,))])
    wide = next(q for q in rater.quote(applicant(), TODAY) if q.plan.code == "WIDE")
    reason = wide.adjustments[0].reason
    assert reason.text_ja == "オフラインバックアップ未導入で、業種がシステム受託開発・SIのため、喪失利益特約は付帯できません"
    assert (
        reason.text_en
        == "Lost profit is not available when the industry is System integration / contract development without offline backups."
    )
    with_backups = next(
        q
        for q in rater.quote(applicant(controls=frozenset({SecurityControl.MFA, SecurityControl.OFFLINE_BACKUP})), TODAY)
        if q.plan.code == "WIDE"
    )
    assert with_backups.riders == (CoverageKey.LOST_PROFIT,)
