"""Every carrier's eligibility rules compiled into arrays and evaluated together, for one applicant or 100,000."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aggregator.batch import CONTRACT_TYPES, CONTROLS, DECLINED, INDICATION, INDUSTRIES, QUOTED, REFERRED, ApplicantBatch
from aggregator.codes import RuleAction, RuleField, RuleOp
from aggregator.rates import EligibilityRule

NUMERIC_FIELDS = (
    RuleField.ANNUAL_REVENUE,
    RuleField.EMPLOYEES,
    RuleField.RECORDS_HELD,
    RuleField.SERVERS,
    RuleField.LARGEST_CONTRACT,
    RuleField.INCIDENTS_3Y,
)
# A rule can only raise a quote's status level (batch.py's codes), never lower it.
LEVEL = {RuleAction.CONDITION: INDICATION, RuleAction.REFER: REFERRED, RuleAction.DECLINE: DECLINED, RuleAction.DROP_RIDER: QUOTED}
_OPS = (RuleOp.GT, RuleOp.GE, RuleOp.LT, RuleOp.LE)


@dataclass(frozen=True)
class RuleHits:
    hit: NDArray[np.bool_]  # (n, rules)
    status: NDArray[np.int8]  # (n, models): the highest level any fired rule of the model sets
    dropped: NDArray[np.bool_]  # (n, models, rider keys)


class CompiledRules:
    """Rules as columns: field, operator and threshold arrays for the numeric ones, membership tables for the rest."""

    def __init__(self, rules: Sequence[tuple[int, EligibilityRule]], n_models: int, rider_keys: Sequence[object]) -> None:
        self.rules = list(rules)
        self.n_models = n_models
        count = len(self.rules)
        self.model = np.array([m for m, _ in self.rules], dtype=np.int64)
        self.level = np.array([LEVEL[r.action] for _, r in self.rules], dtype=np.int8)
        self.numeric = np.array([r.field in NUMERIC_FIELDS for _, r in self.rules], dtype=bool)
        self.field = np.array([NUMERIC_FIELDS.index(r.field) if r.field in NUMERIC_FIELDS else 0 for _, r in self.rules], dtype=np.int64)
        self.op = np.array([_OPS.index(r.op) if r.op in _OPS else 0 for _, r in self.rules], dtype=np.int64)
        self.threshold = np.array([r.value if isinstance(r.value, int) else 0 for _, r in self.rules], dtype=np.int64)
        self.unless = np.array([CONTROLS.index(r.unless) if r.unless is not None else -1 for _, r in self.rules], dtype=np.int64)
        # Membership rules (industry / contract type in a list) as lookup tables: member[rule, code].
        self.industry_member = np.zeros((count, len(INDUSTRIES)), dtype=bool)
        self.contract_member = np.zeros((count, len(CONTRACT_TYPES)), dtype=bool)
        self.is_industry = np.zeros(count, dtype=bool)
        self.is_contract = np.zeros(count, dtype=bool)
        for i, (_, rule) in enumerate(self.rules):
            if rule.op in (RuleOp.IN, RuleOp.NOT_IN):
                assert isinstance(rule.value, tuple)
                universe = INDUSTRIES if rule.field is RuleField.INDUSTRY else CONTRACT_TYPES
                member = np.array([u.value in rule.value for u in universe], dtype=bool)
                if rule.op is RuleOp.NOT_IN:
                    member = ~member
                (self.industry_member if rule.field is RuleField.INDUSTRY else self.contract_member)[i, :] = member
                (self.is_industry if rule.field is RuleField.INDUSTRY else self.is_contract)[i] = True
        self.drops = [
            (i, m, list(rider_keys).index(r.rider))
            for i, (m, r) in enumerate(self.rules)
            if r.action is RuleAction.DROP_RIDER and r.rider in rider_keys
        ]
        self.by_model = [np.flatnonzero(self.model == m) for m in range(n_models)]

    def evaluate(self, batch: ApplicantBatch, n_riders: int) -> RuleHits:
        n, count = len(batch), len(self.rules)
        status = np.zeros((n, self.n_models), dtype=np.int8)
        dropped = np.zeros((n, self.n_models, n_riders), dtype=bool)
        if not count:
            return RuleHits(np.zeros((n, 0), dtype=bool), status, dropped)
        values = np.stack([batch.column(f) for f in NUMERIC_FIELDS], axis=1)[:, self.field]  # (n, rules)
        t = self.threshold
        compared = np.where(
            self.op < 2,
            np.where(self.op == 0, values > t, values >= t),
            np.where(self.op == 2, values < t, values <= t),
        )
        hit = np.where(self.numeric, compared, False)
        hit |= self.is_industry & self.industry_member[:, batch.industry.astype(np.int64)].T
        hit |= self.is_contract & self.contract_member[:, batch.contract_type.astype(np.int64)].T
        has_unless = self.unless >= 0
        if has_unless.any():
            in_place = batch.controls[:, np.where(has_unless, self.unless, 0)]
            hit &= ~(has_unless & in_place)
        levels = np.where(hit, self.level, QUOTED).astype(np.int8)
        for m, index in enumerate(self.by_model):
            if len(index):
                status[:, m] = levels[:, index].max(axis=1)
        for i, m, k in self.drops:
            dropped[:, m, k] |= hit[:, i]
        return RuleHits(hit, status, dropped)
