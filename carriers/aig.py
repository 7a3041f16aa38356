"""AIG損保: CyberEdge, ITビジネスガード and Professional Indemnity, declared as a long-form carrier (carriers/longform.py).

An English xlsx schedule of coverages (Japanese beside the English where AIG Japan gives it) and UTF-8 CSV rate tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from aggregator.errors import CarrierDataError
from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    POLICY_POOL,
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
from carriers import longform, longform_read
from carriers.base import Where, WordingResolver
from carriers.longform import BASE, CLASSES, FACTORS, PLANS, POOLS, RULES, TERMS, Form
from carriers.spec import Cells, Vocabulary, blank, payout_from_coinsurance

SCHEDULE_FILE = "aig_schedule_of_coverages.xlsx"
NOT_AIG = "AIG損保のファイルではありません (this is not an AIG file)"
# The Japanese AIG Japan writes beside the English; where a schedule leaves it out, the English is read.
ENGLISH_BESIDE = {"name": "name_en", "exclusions": "exclusions_en", "conditions": "conditions_en"}
# AIG's shorthand, in the words the shared readers take: "Nil" retention, a list "Fintech / Payment Services; Hosting".
NIL = (re.compile(r"\bnil\b", re.IGNORECASE), "0")
SHORTHAND = {"value": (re.compile(r"[;；]"), "、"), "deductibles": NIL, "option": NIL}

VOCABULARY = Vocabulary(
    name="AIG損保",
    lines={"Cyber": Line.CYBER, "Technology E&O": Line.IT_EO, "Professional Indemnity": Line.PROFESSIONAL_LIABILITY},
    statuses={
        "Included": TermStatus.INCLUDED,
        "Sublimit": TermStatus.SUBLIMITED,
        "Optional": TermStatus.OPTIONAL_RIDER,
        "Subject to": TermStatus.CONDITIONAL,
        "Not Covered": TermStatus.NOT_OFFERED,
        "To Be Confirmed": TermStatus.UNKNOWN,
    },
    industries={
        "System Integration": Industry.SYSTEM_INTEGRATION,
        "SaaS / Cloud": Industry.SAAS,
        "App & Web Development": Industry.APP_DEVELOPMENT,
        "Packaged Software": Industry.PACKAGE_SOFTWARE,
        "Hosting / Data Centre": Industry.HOSTING_DATACENTER,
        "IT Consulting": Industry.IT_CONSULTING,
        "SES / IT Staffing": Industry.SES_STAFFING,
        "Managed Security Services": Industry.MANAGED_SECURITY,
        "E-commerce Platform": Industry.EC_PLATFORM,
        "Fintech / Payment Services": Industry.FINTECH,
    },
    controls={
        "MFA": SecurityControl.MFA,
        "EDR": SecurityControl.EDR,
        "Offline Backups": SecurityControl.OFFLINE_BACKUP,
        "ISMS / P-Mark": SecurityControl.ISMS_PMARK,
        "Incident Response Plan": SecurityControl.INCIDENT_RESPONSE_PLAN,
        "Vulnerability Management": SecurityControl.VULNERABILITY_MANAGEMENT,
        "Security Awareness Training": SecurityControl.STAFF_TRAINING,
    },
    rule_fields={
        "Annual Revenue": RuleField.ANNUAL_REVENUE,
        "Employees": RuleField.EMPLOYEES,
        "PII Records Held": RuleField.RECORDS_HELD,
        "Servers": RuleField.SERVERS,
        "Largest Contract Value": RuleField.LARGEST_CONTRACT,
        "Claims / Incidents (3 yrs)": RuleField.INCIDENTS_3Y,
        "Industry": RuleField.INDUSTRY,
        "Contract Type": RuleField.CONTRACT_TYPE,
    },
    bases={
        "Each Claim": LimitBasis.PER_CLAIM,
        "Each Incident": LimitBasis.PER_INCIDENT,
        "Aggregate": LimitBasis.AGGREGATE,
        "Each Claim and in the Aggregate": LimitBasis.CLAIM_AND_AGGREGATE,
        "Each Incident and in the Aggregate": LimitBasis.BOTH,
    },
    parents={"First Party Aggregate": "expenses", "Network Interruption Aggregate": "business_interruption", "Policy Limit": POLICY_POOL},
    triggers={"Claims Made": Trigger.CLAIMS_MADE, "Discovery": Trigger.DISCOVERY, "Loss Occurring": Trigger.OCCURRENCE},
    contracts={"Contract for Work (Ukeoi)": ContractType.UKEOI, "Quasi-Mandate (Jun-inin)": ContractType.JUNININ},
    rule_actions={
        "Decline": RuleAction.DECLINE,
        "Refer": RuleAction.REFER,
        "Subject to": RuleAction.CONDITION,
        "Exclude Rider": RuleAction.DROP_RIDER,
    },
    rule_ops={">": RuleOp.GT, ">=": RuleOp.GE, "<": RuleOp.LT, "<=": RuleOp.LE, "is one of": RuleOp.IN, "is not one of": RuleOp.NOT_IN},
    not_written=frozenset({"Policy Limit", "Within Aggregate"}),  # a limit that is its parent's: no sublimit of its own
)


@dataclass(frozen=True)
class _Cells:
    """One row of AIG's files as the shared readers take it: the English where no Japanese is beside it, shorthand spelt out."""

    row: Cells

    @property
    def where(self) -> Where:
        return self.row.where

    def _source(self, name: str) -> str:
        english = ENGLISH_BESIDE.get(name)
        return english if english is not None and blank(self.row, name) else name

    def at(self, name: str) -> Where:
        return self.row.at(self._source(name))

    def get(self, name: str) -> Any:
        value = self.row.get(self._source(name))
        if name in SHORTHAND and isinstance(value, str):
            pattern, words = SHORTHAND[name]
            return pattern.sub(words, value)
        return value


FORM = Form(
    carrier=Carrier.AIG,
    vocab=VOCABULARY,
    tables={
        PLANS: (SCHEDULE_FILE, "Plans"),
        POOLS: (SCHEDULE_FILE, "Aggregate Limits"),
        TERMS: (SCHEDULE_FILE, "Coverage Schedule"),
        BASE: ("aig_rates.csv", None),
        CLASSES: ("aig_industry_classes.csv", None),
        FACTORS: ("aig_factors.csv", None),
        RULES: ("aig_underwriting_rules.csv", None),
    },
    headers={
        PLANS: {
            "code": "Plan Code",
            "line": "Line of Business",
            "product": "Product",
            "name_en": "Plan Name",
            "version": "Rate Version",
            "from": "Effective From",
            "to": "Effective To",
            "trigger": "Trigger",
            "limits": "Limit Options",
            "deductibles": "Retention Options",
            "exclusions_en": "Key Exclusions",
            "name": "Plan Name (JA)",
            "exclusions": "Key Exclusions (JA)",
        },
        POOLS: {
            "code": "Plan Code",
            "pool": "Aggregate",
            "label_ja": "Description (JA)",
            "label_en": "Description (EN)",
            "limit": "Limit",
            "basis": "Basis",
        },
        TERMS: {
            "code": "Plan Code",
            "item": "Coverage",
            "status": "Status",
            "limit": "Limit",
            "basis": "Basis",
            "parent": "Sublimit Of",
            "section": "Sublimit Of",  # the aggregate an item sits in tells like wordings apart
            "ratio": "Co-insurance",
            "deductible": "Retention",
            "per_person": "Per Person",
            "per_company": "Per Company",
            "waiting": "Waiting Period",
            "trigger": "Trigger",
            "conditions_en": "Conditions",
            "conditions": "Conditions (JA)",
        },
        BASE: {
            "line": "Line of Business",
            "version": "Rate Version",
            "from": "Effective From",
            "to": "Effective To",
            "class": "Rate Class",
            "band": "Revenue To (excl.)",
            "premium": "Annual Base Premium",
        },
        CLASSES: {"line": "Line of Business", "industry": "Industry", "class": "Rate Class"},
        FACTORS: {"line": "Line of Business", "kind": "Factor", "option": "Option", "factor": "Value"},
        RULES: {
            "line": "Line of Business",
            "code": "Rule ID",
            "action": "Action",
            "field": "Criterion",
            "op": "Operator",
            "value": "Threshold",
            "unless": "Unless Control",
            "rider": "Rider",
            "days": "Days",
        },
    },
    optional=frozenset({"Plan Name (JA)", "Key Exclusions (JA)", "Conditions (JA)"}),
    factor_kinds={
        "Plan": "plan_factor",
        "Limit of Liability": "limit_factor",
        "Retention": "deductible_factor",
        "Control Credit": "credit",
        "Missing Control Debit": "debit",
        "Rider Loading": "riders",
        "Maximum Credit": "max_credit",  # its Option says what the cap limits
        "Prior Incident Surcharge": "incident",
        "Minimum Premium": "minimum",
        "Rounding": "rounding",  # its Option says which way
    },
    cap_basis={"Credits Only": CAP_ON_CREDITS, "Net of Debits": CAP_ON_NET},
    rounding={"Up": RoundingMode.UP, "Down": RoundingMode.DOWN, "Half Up": RoundingMode.HALF_UP},
    stranger=NOT_AIG,
    cells=_Cells,
    payout_ratio=payout_from_coinsurance,
)


class AigAdapter:
    """AIG損保's native files: one English xlsx schedule of coverages and four UTF-8 CSV rate tables."""

    carrier: ClassVar[Carrier] = Carrier.AIG

    def identify(self, path: Path) -> bool:
        return longform.identify(FORM, path)

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        if not folder.is_dir():
            raise CarrierDataError(f"{NOT_AIG}: フォルダがありません", file=folder.name)
        for name in FORM.files:
            if not (folder / name).is_file():
                raise Where(name).error(f"AIG損保のファイルがありません (missing AIG file in {folder.name})", folder.name)
        paths = {name: folder / name for name in FORM.files}
        return longform_read.load(FORM, paths, WordingResolver(self.carrier, dict(mappings or {})))
