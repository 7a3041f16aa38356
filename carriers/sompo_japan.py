"""損保ジャパン (Sompo Japan): its quoting API's JSON (plans.json, rates.json), declared as an API layout:
its documents' keys and its codes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    Carrier,
    CarrierData,
    ContractType,
    Industry,
    LimitBasis,
    Line,
    RoundingMode,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
    Trigger,
)
from aggregator.taxonomy import CoverageKey
from carriers import jsonapi, jsontree
from carriers.base import WordingResolver
from carriers.jsonapi import GROUP, PLAN, RATES, RIDER, ApiLayout, Entries
from carriers.jsontree import Api, Node, Shape, counted, whole, words
from carriers.spec import RuleFields, TermFields, Vocabulary

PLANS_FILE, RATES_FILE = "plans.json", "rates.json"
API = Api(
    name="損保ジャパン",
    name_en="Sompo Japan",
    owner=("insurerCode", "SJNK"),  # every document of the API names its insurer
    documents={PLANS_FILE: ("documentType", "plans"), RATES_FILE: ("documentType", "rates")},
    version="rateVersion",
    effective_from="effectiveFrom",
    effective_to="effectiveTo",
    notice="notice",
)

# A coverage group with a totalLimit is a pool its coverages sit inside (内枠): groupCode -> pool id, English label.
GROUP_POOLS = {
    "LIAB": ("liability", "Third-party liability"),
    "COST": ("expenses", "Incident response costs"),
    "BI": ("business_interruption", "Business interruption"),
    "OTHER": ("other", "Other"),
}
# The heading a coverage group or rider is, as the taxonomy's sections: the context its wording is read in.
SECTIONS = {"LIAB": "liability", "COST": "incident_costs", "BI": "business_interruption", "OTHER": "other"}

VOCABULARY = Vocabulary(
    name="損保ジャパン",
    lines={"CYBER": Line.CYBER, "CYBER_ITS": Line.IT_EO},  # サイバー保険 / ＋ITサービス業務特約
    statuses={
        "COVERED": TermStatus.INCLUDED,  # no limit of its own: up to its group's limit
        "SUBLIMIT": TermStatus.SUBLIMITED,
        "CONDITIONAL": TermStatus.CONDITIONAL,
        "NOT_COVERED": TermStatus.NOT_OFFERED,
        "SEE_POLICY_WORDING": TermStatus.UNKNOWN,  # the API does not say: 約款参照
    },
    industries={  # 損保ジャパンの業種コード
        "IT-110": Industry.SYSTEM_INTEGRATION,
        "IT-120": Industry.PACKAGE_SOFTWARE,
        "IT-130": Industry.APP_DEVELOPMENT,
        "IT-210": Industry.SAAS,
        "IT-220": Industry.HOSTING_DATACENTER,
        "IT-310": Industry.IT_CONSULTING,
        "IT-320": Industry.SES_STAFFING,
        "IT-330": Industry.MANAGED_SECURITY,
        "IT-410": Industry.EC_PLATFORM,
        "IT-420": Industry.FINTECH,
    },
    controls={
        "SEC-MFA": SecurityControl.MFA,
        "SEC-EDR": SecurityControl.EDR,
        "SEC-BKUP": SecurityControl.OFFLINE_BACKUP,
        "SEC-ISMS": SecurityControl.ISMS_PMARK,
        "SEC-IRP": SecurityControl.INCIDENT_RESPONSE_PLAN,
        "SEC-VULN": SecurityControl.VULNERABILITY_MANAGEMENT,
        "SEC-EDU": SecurityControl.STAFF_TRAINING,
    },
    rule_fields={
        "annualRevenue": RuleField.ANNUAL_REVENUE,
        "employeeCount": RuleField.EMPLOYEES,
        "personalRecords": RuleField.RECORDS_HELD,
        "serverCount": RuleField.SERVERS,
        "largestContractAmount": RuleField.LARGEST_CONTRACT,
        "incidentCount3y": RuleField.INCIDENTS_3Y,
        "industryCode": RuleField.INDUSTRY,
        "contractType": RuleField.CONTRACT_TYPE,
    },
    bases={
        "PER_CLAIM": LimitBasis.PER_CLAIM,
        "PER_INCIDENT": LimitBasis.PER_INCIDENT,
        "AGGREGATE": LimitBasis.AGGREGATE,
        "PER_CLAIM_AND_AGGREGATE": LimitBasis.CLAIM_AND_AGGREGATE,
        "PER_INCIDENT_AND_AGGREGATE": LimitBasis.BOTH,
    },
    triggers={"CLAIMS_MADE": Trigger.CLAIMS_MADE, "DISCOVERY": Trigger.DISCOVERY, "OCCURRENCE": Trigger.OCCURRENCE},
    contracts={"UKEOI": ContractType.UKEOI, "JUNIN": ContractType.JUNININ},
    rule_actions={
        "DECLINE": RuleAction.DECLINE,
        "REFER": RuleAction.REFER,
        "ACCEPT_WITH_CONDITION": RuleAction.CONDITION,
        "EXCLUDE_RIDER": RuleAction.DROP_RIDER,
    },
    rule_ops={"GT": RuleOp.GT, "GE": RuleOp.GE, "LT": RuleOp.LT, "LE": RuleOp.LE, "IN": RuleOp.IN, "NOT_IN": RuleOp.NOT_IN},
    unit="円",  # the API writes every amount in yen
)

LAYOUT = ApiLayout(
    carrier=Carrier.SOMPO_JAPAN,
    vocab=VOCABULARY,
    api=API,
    plans=PLANS_FILE,
    rates=RATES_FILE,
    keys={
        PLAN: {
            "list": "plans",
            "code": "planCode",
            "name": "planNameJa",
            "name_en": "planNameEn",
            "product": "productNameJa",
            "line": "productCode",
            "trigger": "triggerType",
            "limits": "limitOptions",
            "deductibles": "deductibleOptions",
            "exclusions": "exclusions",
            "exclusions_en": "exclusionsEn",
            "groups": "coverageGroups",
            "riders": "riders",
        },
        GROUP: {"code": "groupCode", "label": "labelJa", "total": "totalLimit", "coverages": "coverages", "coverage_code": "coverageCode"},
        RIDER: {"code": "riderCode"},
        RATES: {
            "list": "rateTables",
            "line": "productCode",
            "bands": "revenueBands",
            "band_upper": "revenueBelow",
            "classes": "industryClasses",
            "industry": "industryCode",
            "class": "rateClass",
            "base": "baseRates",
            "premiums": "premiums",
            "max_credit": "maxDiscountRate",
            "incident": "incidentSurchargeRate",
            "minimum": "minimumPremium",
            "rounding": "roundingUnit",
            "rounding_method": "roundingMethod",
            "cap_basis": "maxDiscountBasis",
            "rules": "underwritingRules",
        },
    },
    # A coverage's keys: its group's limitBasis and triggerType stand where it writes none, its group's code names its pool.
    coverage=TermFields(
        item="labelJa",
        limit="limit",
        basis="limitBasis",
        ratio="payoutRatioPct",
        parent="groupCode",
        per_person="perPersonLimit",
        per_company="perCompanyLimit",
        waiting="waitingPeriodHours",
        trigger="triggerType",
        conditions="conditionJa",
        conditions_en="conditionEn",
    ),
    coverage_shape=Shape(
        required=frozenset({"labelJa", "status"}),
        values={
            **dict.fromkeys(("limit", "deductible", "perPersonLimit", "perCompanyLimit"), Node.yen),
            "payoutRatioPct": counted("支払割合(%)", "%"),
            "waitingPeriodHours": counted("待機期間(時間)", "時間"),
        },
        implied={"limitBasis": "PER_CLAIM_AND_AGGREGATE"},  # the API leaves limitBasis out for 1請求・保険期間中
    ),
    rule=RuleFields(code="ruleId", op="operator", unless="unlessControl", rider="coverageCode", days="graceDays"),
    rule_shape=Shape(
        required=frozenset({"ruleId", "action", "field", "operator", "value"}),
        values={"value": lambda n: words(n) if isinstance(n.value, list) else n.whole("判定値"), "graceDays": whole("猶予日数")},
    ),
    pools=GROUP_POOLS,
    sections=SECTIONS,
    entries=(
        Entries("plan_factor", "planFactors", "planCode", "text", "factor"),
        Entries("limit_factor", "limitFactors", "limit", "yen", "factor"),
        Entries("deductible_factor", "deductibleFactors", "deductible", "yen", "factor"),
        Entries("credit", "securityDiscounts", "controlCode", "control", "rate"),
        Entries("debit", "missingControlSurcharges", "controlCode", "control", "rate", required=False),
        Entries("riders", "riderLoadings", "coverageCode", "coverage", "rate", required=False),
    ),
    cap_bases={"DISCOUNTS_ONLY": CAP_ON_CREDITS, "NET_OF_SURCHARGES": CAP_ON_NET},
    rounding_methods={"ROUND_UP": RoundingMode.UP, "ROUND_DOWN": RoundingMode.DOWN, "ROUND_HALF_UP": RoundingMode.HALF_UP},
)


class SompoJapanAdapter:
    """Sompo Japan delivers two JSON documents: its plans (with riders) and its rate tables."""

    carrier: ClassVar[Carrier] = Carrier.SOMPO_JAPAN

    def identify(self, path: Path) -> bool:
        return jsontree.identify(API, path)

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        return jsonapi.load(LAYOUT, folder, WordingResolver(self.carrier, dict(mappings or {})))
