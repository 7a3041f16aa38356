"""Words for rating's reason codes: rules are evaluated as codes over arrays, texts come last."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aggregator.applicant import Applicant
from aggregator.codes import MONEY_FIELDS, ContractType, Industry, RuleAction, RuleField, RuleOp, SecurityControl
from aggregator.labels import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES
from aggregator.money import format_yen
from aggregator.plans import Plan
from aggregator.quotes import Adjustment, Condition, Reason
from aggregator.rates import EligibilityRule
from aggregator.taxonomy import CoverageKey, label

FIELD_NAMES: dict[RuleField, tuple[str, str]] = {
    RuleField.ANNUAL_REVENUE: ("売上高", "annual revenue"),
    RuleField.EMPLOYEES: ("従業員数", "employees"),
    RuleField.RECORDS_HELD: ("保有個人情報", "personal-information records held"),
    RuleField.SERVERS: ("サーバー台数", "servers"),
    RuleField.LARGEST_CONTRACT: ("最大契約金額", "largest contract"),
    RuleField.INCIDENTS_3Y: ("過去3年の事故件数", "incidents in the last three years"),
    RuleField.INDUSTRY: ("業種", "industry"),
    RuleField.CONTRACT_TYPE: ("契約形態", "contract type"),
}
_UNITS = {
    RuleField.EMPLOYEES: ("名", " people"),
    RuleField.RECORDS_HELD: ("件", " records"),
    RuleField.SERVERS: ("台", " servers"),
    RuleField.INCIDENTS_3Y: ("件", " incidents"),
}
_OP_JA = {RuleOp.GT: "超", RuleOp.GE: "以上", RuleOp.LT: "未満", RuleOp.LE: "以下"}
_OP_EN = {RuleOp.GT: "over", RuleOp.GE: "at least", RuleOp.LT: "under", RuleOp.LE: "at most"}


def _count_ja(n: int) -> str:
    """100000 -> 10万, 1500 -> 1,500: how Japanese forms write counts."""
    if n >= 10_000 and n % 10_000 == 0:
        return format_yen(n, "ja").removesuffix("円")
    return f"{n:,}"


def _value(rule_field: RuleField, value: int) -> tuple[str, str]:
    if rule_field in MONEY_FIELDS:
        return format_yen(value, "ja"), format_yen(value, "en")
    unit_ja, unit_en = _UNITS.get(rule_field, ("", ""))
    return f"{_count_ja(value)}{unit_ja}", f"{value:,}{unit_en}"


def _member_names(rule_field: RuleField, values: Sequence[str]) -> tuple[str, str]:
    """A membership rule's list in words: 「フィンテック・決済代行、ホスティング・データセンター」."""
    names: list[tuple[str, str]] = []
    for v in values:
        if rule_field is RuleField.INDUSTRY and v in Industry.__members__.values():
            names.append(INDUSTRY_NAMES[Industry(v)])
        elif rule_field is RuleField.CONTRACT_TYPE and v in ContractType.__members__.values():
            names.append(CONTRACT_TYPE_NAMES[ContractType(v)])
        else:
            names.append((v, v))
    return "、".join(n[0] for n in names), ", ".join(n[1] for n in names)


def _subject(rule: EligibilityRule, values: Sequence[str], applicant: Applicant | None) -> tuple[str, str]:
    """What a membership rule (in / not_in) found: the applicant's own industry or contract type, or else the rule's list."""
    if applicant is not None:
        if rule.field is RuleField.INDUSTRY:
            return INDUSTRY_NAMES[applicant.industry]
        return CONTRACT_TYPE_NAMES[applicant.contract_type]
    ja, en = _member_names(rule.field, values)
    return (f"{ja}以外", f"other than {en}") if rule.op is RuleOp.NOT_IN else (ja, en)


def _test(rule: EligibilityRule, applicant: Applicant | None) -> tuple[str, str]:
    """The rule's test as it holds for the applicant, for any operator: 「売上高が30億円超」「業種がSaaS・クラウドサービス」."""
    field_ja, field_en = FIELD_NAMES[rule.field]
    if isinstance(rule.value, tuple):
        subject_ja, subject_en = _subject(rule, rule.value, applicant)
        return f"{field_ja}が{subject_ja}", f"the {field_en} is {subject_en}"
    value_ja, value_en = _value(rule.field, rule.value)
    return f"{field_ja}が{value_ja}{_OP_JA[rule.op]}", f"the {field_en} is {_OP_EN[rule.op]} {value_en}"


def _control(control: SecurityControl) -> tuple[str, str]:
    ja, en = CONTROL_NAMES[control]
    return ja, en if en == "EDR" else en.lower()


def rule_reason(rule: EligibilityRule, applicant: Applicant | None = None) -> Reason:
    """The words for one fired decline or refer rule, for any operator, e.g. 「MFA未導入のため、保有個人情報10万件超は引受不可」."""
    field_ja, field_en = FIELD_NAMES[rule.field]
    code = f"{rule.action}:{rule.code}"
    if isinstance(rule.value, tuple):
        subject_ja, subject_en = _subject(rule, rule.value, applicant)
        outcome = {
            RuleAction.DECLINE: ("引受対象外です", "outside this carrier's appetite"),
            RuleAction.REFER: ("引受審査が必要です", "referred to an underwriter"),
        }.get(rule.action, ("条件があります", "subject to conditions"))
        ja, en = f"{subject_ja}は{field_ja}として{outcome[0]}", f"{field_en} {subject_en} is {outcome[1]}."
        if rule.unless is None:
            return Reason(code, ja, en[0].upper() + en[1:])
        control_ja, control_en = _control(rule.unless)
        return Reason(code, f"{control_ja}未導入のため、{ja}", f"Without {control_en}, {en}")
    value_ja, value_en = _value(rule.field, rule.value)
    op_ja, op_en = _OP_JA[rule.op], _OP_EN[rule.op]
    if rule.unless is not None:
        control_ja, control_en = _control(rule.unless)
        act_ja, act_en = {
            RuleAction.DECLINE: ("引受不可", "cannot be insured"),
            RuleAction.REFER: ("要引受審査", "must be referred to an underwriter"),
        }.get(rule.action, ("条件付き", "is subject to conditions"))
        return Reason(
            code,
            f"{control_ja}未導入のため、{field_ja}{value_ja}{op_ja}は{act_ja}",
            f"Without {control_en}, {field_en} {op_en} {value_en} {act_en}.",
        )
    if rule.action is RuleAction.DECLINE and rule.op is RuleOp.GT:
        return Reason(code, f"{field_ja}が引受上限の{value_ja}を超えています", f"The {field_en} is over the carrier's limit of {value_en}.")
    if rule.action is RuleAction.DECLINE:
        return Reason(
            code,
            f"{field_ja}が{value_ja}{op_ja}のため引受対象外です",
            f"The {field_en} is {op_en} {value_en}: outside this carrier's appetite.",
        )
    return Reason(
        code,
        f"{field_ja}が{value_ja}{op_ja}のため、引受審査が必要です",
        f"The {field_en} is {op_en} {value_en}: an underwriter must review.",
    )


def rule_condition(rule: EligibilityRule) -> Condition:
    assert rule.unless is not None and rule.days is not None
    control_ja, control_en = CONTROL_NAMES[rule.unless]
    return Condition(
        f"condition:{rule.code}",
        f"{control_ja}の導入を{rule.days}日以内に完了すること",
        f"Put {control_en} in place within {rule.days} days",
        rule.days,
    )


def industry_not_written(industry: Industry) -> Reason:
    ja, en = INDUSTRY_NAMES[industry]
    return Reason("decline:industry_not_written", f"{ja}はこの保険会社の引受対象外の業種です", f"This carrier does not write {en}.")


def revenue_beyond_table(top_jpy: int) -> Reason:
    return Reason(
        "decline:revenue_beyond_table",
        f"売上高が料率表の上限({format_yen(top_jpy, 'ja')})を超えています",
        f"The annual revenue is beyond the carrier's rate table ({format_yen(top_jpy, 'en')}).",
    )


def no_rates_in_force() -> Reason:
    return Reason("decline:no_rates_in_force", "見積日に適用できる料率がありません", "No rates are in force on the quote date.")


def limit_adjusted(asked: int, quoted: int) -> Adjustment:
    if quoted < asked:
        ja = f"ご希望の支払限度額{format_yen(asked, 'ja')}はお引受けできないため、{format_yen(quoted, 'ja')}でお見積もりしています"
        en = f"The limit asked for, {format_yen(asked, 'en')}, is not offered; quoted at {format_yen(quoted, 'en')}."
    else:
        ja = f"ご希望の支払限度額{format_yen(asked, 'ja')}は選べないため、最低の{format_yen(quoted, 'ja')}でお見積もりしています"
        en = f"The limit asked for, {format_yen(asked, 'en')}, is below this plan's lowest; quoted at {format_yen(quoted, 'en')}."
    return Adjustment("limit", asked, quoted, Reason("adjust:limit", ja, en))


def deductible_adjusted(asked: int, quoted: int) -> Adjustment:
    verb_ja = "引き上げて" if quoted > asked else "変更して"
    ja = f"ご希望の免責金額{format_yen(asked, 'ja')}は選べないため、{format_yen(quoted, 'ja')}に{verb_ja}お見積もりしています"
    en = f"The deductible asked for, {format_yen(asked, 'en')}, is not offered; quoted with {format_yen(quoted, 'en')}."
    return Adjustment("deductible", asked, quoted, Reason("adjust:deductible", ja, en))


def rider_unavailable(key: CoverageKey) -> Adjustment:
    return Adjustment(
        "rider",
        key.value,
        None,
        Reason(
            "adjust:rider_not_offered",
            f"{label(key, 'ja')}特約はこのプランでは付帯できません",
            f"{label(key, 'en')} is not available on this plan.",
        ),
    )


def rider_dropped(rule: EligibilityRule, applicant: Applicant | None = None) -> Adjustment:
    """A rider a rule took away, for any operator: 「売上高が30億円超のため、喪失利益特約は付帯できません」."""
    assert rule.rider is not None  # the schema's promise for drop_rider
    test_ja, test_en = _test(rule, applicant)
    rider_ja, rider_en = label(rule.rider, "ja"), label(rule.rider, "en")
    if rule.unless is not None:
        control_ja, control_en = _control(rule.unless)
        test_ja, test_en = f"{control_ja}未導入で、{test_ja}", f"{test_en} without {control_en}"
    return Adjustment(
        "rider",
        rule.rider.value,
        None,
        Reason(
            f"drop_rider:{rule.code}", f"{test_ja}のため、{rider_ja}特約は付帯できません", f"{rider_en} is not available when {test_en}."
        ),
    )


def _day_ja(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def plan_off_sale(plan: Plan, as_of: date) -> Reason:
    """A plan not sold on the quote date: not yet on sale, or no longer."""
    if as_of < plan.effective_from:
        start = plan.effective_from
        return Reason(
            "decline:plan_not_yet_on_sale",
            f"このプランは{_day_ja(start)}から販売されます",
            f"This plan is sold from {start.isoformat()}.",
        )
    end = plan.effective_to or as_of  # off sale after its start: it has ended
    return Reason(
        "decline:plan_withdrawn", f"このプランは{_day_ja(end)}で販売を終了しました", f"This plan was sold until {end.isoformat()}."
    )
