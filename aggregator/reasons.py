"""Words for rating's reason codes: rules are evaluated as codes over arrays, texts come last."""

from __future__ import annotations

from aggregator.money import format_yen
from aggregator.schema import (
    CONTROL_NAMES,
    INDUSTRY_NAMES,
    MONEY_FIELDS,
    Adjustment,
    Condition,
    EligibilityRule,
    Industry,
    Reason,
    RuleAction,
    RuleField,
    RuleOp,
)
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


def _industries(value: tuple[str, ...]) -> tuple[str, str]:
    names = [INDUSTRY_NAMES[Industry(v)] if v in Industry.__members__.values() else (v, v) for v in value]
    return "・".join(n[0] for n in names), ", ".join(n[1] for n in names)


def rule_reason(rule: EligibilityRule, industry: Industry | None = None) -> Reason:
    """The words for one fired rule, e.g. 「MFA未導入のため、保有個人情報10万件超は引受不可」."""
    field_ja, field_en = FIELD_NAMES[rule.field]
    if rule.op in (RuleOp.IN, RuleOp.NOT_IN):
        assert isinstance(rule.value, tuple)
        if industry is not None:
            subject_ja, subject_en = INDUSTRY_NAMES[industry]
        else:
            subject_ja, subject_en = _industries(rule.value)
        ja, en = f"{subject_ja}は{field_ja}として", f"{field_en} {subject_en} is"
        outcome = {
            RuleAction.DECLINE: ("引受対象外です", "outside this carrier's appetite"),
            RuleAction.REFER: ("引受審査が必要です", "referred to an underwriter"),
        }.get(rule.action, ("条件があります", "subject to conditions"))
        return Reason(f"{rule.action}:{rule.code}", ja + outcome[0], f"{en[0].upper()}{en[1:]} {outcome[1]}.")
    assert isinstance(rule.value, int)
    value_ja, value_en = _value(rule.field, rule.value)
    op_ja, op_en = _OP_JA[rule.op], _OP_EN[rule.op]
    code = f"{rule.action}:{rule.code}"
    if rule.unless is not None:
        control_ja, control_en = CONTROL_NAMES[rule.unless]
        act_ja, act_en = {
            RuleAction.DECLINE: ("引受不可", "cannot be insured"),
            RuleAction.REFER: ("要引受審査", "must be referred to an underwriter"),
        }.get(rule.action, ("条件付き", "is subject to conditions"))
        return Reason(
            code,
            f"{control_ja}未導入のため、{field_ja}{value_ja}{op_ja}は{act_ja}",
            f"Without {control_en.lower() if control_en != 'EDR' else control_en}, {field_en} {op_en} {value_en} {act_en}.",
        )
    if rule.action is RuleAction.DECLINE and rule.op in (RuleOp.GT, RuleOp.GE):
        return Reason(
            code,
            f"{field_ja}が引受上限の{value_ja}を{'超えています' if rule.op is RuleOp.GT else '上回っています'}",
            f"The {field_en} is {op_en} the carrier's limit of {value_en}.",
        )
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


def rider_dropped(rule: EligibilityRule) -> Adjustment:
    assert rule.rider is not None and isinstance(rule.value, int)
    field_ja, field_en = FIELD_NAMES[rule.field]
    value_ja, value_en = _value(rule.field, rule.value)
    return Adjustment(
        "rider",
        rule.rider.value,
        None,
        Reason(
            f"drop_rider:{rule.code}",
            f"{field_ja}が{value_ja}{_OP_JA[rule.op]}のため、{label(rule.rider, 'ja')}特約は付帯できません",
            f"{label(rule.rider, 'en')} is not available when the {field_en} is {_OP_EN[rule.op]} {value_en}.",
        ),
    )
