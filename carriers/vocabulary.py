"""A carrier's vocabulary: the words and marks its files use, each mapped to the schema's code, with the Japanese most
carriers share as defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aggregator.schema import (
    POLICY_POOL,
    ContractType,
    Industry,
    LimitBasis,
    Line,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
    Trigger,
)
from carriers.base import (
    Where,
    norm_header,
)

T = TypeVar("T")

LIST_SEPARATOR = re.compile(r"[、,，]")  # 「決済代行・フィンテック、ECサイト・プラットフォーム運営」
OPTION_SEPARATOR = re.compile(r"[／/]")  # 「1,000／3,000／1億」
WAITING = re.compile(r"(\d+)\s*(時間|日|hours?|hrs?|days?)", re.IGNORECASE)
PER_PERSON = re.compile(r"(?:1名|1人|per person)(?:につき|あたり)?\s*([^、・/／;]+)", re.IGNORECASE)
PER_COMPANY = re.compile(r"(?:1法人|1社|per company)(?:につき|あたり)?\s*([^、・/／;]+)", re.IGNORECASE)
COUNT_UNITS = re.compile(r"(件|名|人|台|社|回|日)$")

# The words most Japanese carrier files share; a carrier declares its own where they differ.
BASES_JA: Mapping[str, LimitBasis] = {
    "1事故・保険期間中": LimitBasis.BOTH,
    "1請求・保険期間中": LimitBasis.CLAIM_AND_AGGREGATE,
    "1事故": LimitBasis.PER_INCIDENT,
    "1請求": LimitBasis.PER_CLAIM,
    "保険期間中": LimitBasis.AGGREGATE,
}
TRIGGERS_JA: Mapping[str, Trigger] = {
    "損害賠償請求ベース": Trigger.CLAIMS_MADE,
    "事故発見ベース": Trigger.DISCOVERY,
    "事故発生ベース": Trigger.OCCURRENCE,
}
RULE_ACTIONS_JA: Mapping[str, RuleAction] = {
    "引受不可": RuleAction.DECLINE,
    "要審査": RuleAction.REFER,
    "条件付引受": RuleAction.CONDITION,
    "特約除外": RuleAction.DROP_RIDER,
}
RULE_OPS_JA: Mapping[str, RuleOp] = {
    "超": RuleOp.GT,
    "以上": RuleOp.GE,
    "未満": RuleOp.LT,
    "以下": RuleOp.LE,
    "該当": RuleOp.IN,
    "非該当": RuleOp.NOT_IN,
}
CONTRACTS_JA: Mapping[str, ContractType] = {"請負": ContractType.UKEOI, "準委任": ContractType.JUNININ}


@dataclass(frozen=True)
class Vocabulary:
    """The words one carrier's files use, each mapped to the schema's code."""

    name: str  # the carrier as its own files name it, for messages
    lines: Mapping[str, Line]
    statuses: Mapping[str, TermStatus]
    industries: Mapping[str, Industry]
    controls: Mapping[str, SecurityControl]
    rule_fields: Mapping[str, RuleField]
    bases: Mapping[str, LimitBasis] = field(default_factory=lambda: BASES_JA)
    parents: Mapping[str, str] = field(default_factory=lambda: {"支払限度額": POLICY_POOL})
    triggers: Mapping[str, Trigger] = field(default_factory=lambda: TRIGGERS_JA)
    contracts: Mapping[str, ContractType] = field(default_factory=lambda: CONTRACTS_JA)
    rule_actions: Mapping[str, RuleAction] = field(default_factory=lambda: RULE_ACTIONS_JA)
    rule_ops: Mapping[str, RuleOp] = field(default_factory=lambda: RULE_OPS_JA)
    no_deductible: frozenset[str] = frozenset({"なし", "0", "nil", "none"})
    not_written: frozenset[str] = frozenset({"―", "-", "ー", "対象外", "n/a"})
    unit: str | int | None = None  # the unit plan amounts are written in when a cell names none

    def __post_init__(self) -> None:
        # The words for "nothing" are compared as cells are: without spaces or width, in lower case.
        object.__setattr__(self, "no_deductible", frozenset(norm_header(w).lower() for w in self.no_deductible))
        object.__setattr__(self, "not_written", frozenset(norm_header(w).lower() for w in self.not_written))

    def pick(self, table: Mapping[str, T], text: str, where: Where, what: str) -> T:
        """The code `text` names in `table` (compared without spaces or width), or an error naming the cell."""
        wanted = norm_header(text).lower()
        for key, value in table.items():
            if norm_header(key).lower() == wanted:
                return value
        raise where.error(f"「{what}」の値が{self.name}の表記にありません(想定: {'、'.join(table)})", text)

    def list_values(self, rule_field: RuleField) -> Mapping[str, Any] | None:
        return {RuleField.INDUSTRY: self.industries, RuleField.CONTRACT_TYPE: self.contracts}.get(rule_field)
