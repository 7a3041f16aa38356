"""What a carrier declaration is made of, and the shared readers that run one.

A carrier module declares its vocabulary (the words and marks its files use for lines, statuses, bases, industries,
controls and rules: vocabulary.py), where each field sits (a column header, a JSON key) and its units; the readers
turn those cells into the common schema. Every reader takes a `Cells` — one row of a sheet or CSV, one JSON object —
so a format only needs a thin front end that hands its cells over with their places (records.py). Terms are read by
terms.py, rules and rate tables by drafts.py; this module gathers their names for the carriers' modules.
"""

from __future__ import annotations

from carriers.drafts import RULE, RateDraft, RuleFields, factor, read_rule, rule_value
from carriers.records import (
    Cells,
    Row,
    Table,
    blank,
    date_optional,
    facts,
    find_table,
    label,
    listed,
    options,
    pick,
    pick_optional,
    text,
    yen,
    yen_optional,
)
from carriers.terms import TERM, TermFields, payout_from_coinsurance, per_victim, read_term, waiting_hours
from carriers.vocabulary import (
    BASES_JA,
    CONTRACTS_JA,
    COUNT_UNITS,
    LIST_SEPARATOR,
    OPTION_SEPARATOR,
    PER_COMPANY,
    PER_PERSON,
    RULE_ACTIONS_JA,
    RULE_OPS_JA,
    TRIGGERS_JA,
    WAITING,
    Vocabulary,
)

__all__ = [
    "BASES_JA",
    "CONTRACTS_JA",
    "COUNT_UNITS",
    "LIST_SEPARATOR",
    "OPTION_SEPARATOR",
    "PER_COMPANY",
    "PER_PERSON",
    "RULE",
    "RULE_ACTIONS_JA",
    "RULE_OPS_JA",
    "TERM",
    "TRIGGERS_JA",
    "WAITING",
    "Cells",
    "RateDraft",
    "Row",
    "RuleFields",
    "Table",
    "TermFields",
    "Vocabulary",
    "blank",
    "date_optional",
    "factor",
    "facts",
    "find_table",
    "label",
    "listed",
    "options",
    "payout_from_coinsurance",
    "per_victim",
    "pick",
    "pick_optional",
    "read_rule",
    "read_term",
    "rule_value",
    "text",
    "waiting_hours",
    "yen",
    "yen_optional",
]
