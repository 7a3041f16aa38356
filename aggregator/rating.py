"""Premiums and eligibility over arrays: one applicant is a batch of one, a client list a batch of 100,000.

Every carrier's rate table is compiled once into flat numpy arrays: one row per
(carrier, line) "model", one column per quote option (plan × limit × deductible).
Rating is then lookups and integer multiplications in basis points, with the same
rounding everywhere, so the web page, the CLI and a bulk workbook cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from aggregator import reasons
from aggregator.schema import (
    Applicant,
    CarrierData,
    ContractType,
    EligibilityRule,
    Industry,
    Line,
    Plan,
    Quote,
    QuoteOption,
    QuoteStatus,
    RateTable,
    Reason,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
)
from aggregator.taxonomy import CoverageKey

INDUSTRIES = tuple(Industry)
CONTROLS = tuple(SecurityControl)
LINES = tuple(Line)
CONTRACT_TYPES = tuple(ContractType)
KEYS = tuple(CoverageKey)
BP = 10_000  # basis points: 10,000 = ×1.00
QUOTE_VALID_DAYS = 30

# Status codes in the arrays; the order is also how far a quote is from bindable.
QUOTED, INDICATION, REFERRED, DECLINED, NOT_ASKED = 0, 1, 2, 3, -1
STATUS_OF_CODE = {
    QUOTED: QuoteStatus.QUOTED,
    INDICATION: QuoteStatus.INDICATION,
    REFERRED: QuoteStatus.REFERRED,
    DECLINED: QuoteStatus.DECLINED,
}

I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@dataclass(frozen=True)
class ApplicantBatch:
    """Applicants as columns. Build one from Applicant objects or, in bulk, from a table."""

    industry: NDArray[np.int16]  # index into INDUSTRIES
    annual_revenue_jpy: I64
    employees: I64
    records_held: I64
    servers: I64
    largest_contract_jpy: I64
    contract_type: NDArray[np.int8]  # index into CONTRACT_TYPES
    incidents_3y: I64
    limit_jpy: I64
    deductible_jpy: I64
    controls: Bool  # (n, len(CONTROLS))
    riders: Bool  # (n, len(KEYS))
    lines: Bool  # (n, len(LINES))

    @classmethod
    def of(cls, applicants: Sequence[Applicant]) -> ApplicantBatch:
        def ints(name: str) -> I64:
            return np.array([getattr(a, name) for a in applicants], dtype=np.int64)

        return cls(
            industry=np.array([INDUSTRIES.index(a.industry) for a in applicants], dtype=np.int16),
            annual_revenue_jpy=ints("annual_revenue_jpy"),
            employees=ints("employees"),
            records_held=ints("records_held"),
            servers=ints("servers"),
            largest_contract_jpy=ints("largest_contract_jpy"),
            contract_type=np.array([CONTRACT_TYPES.index(a.contract_type) for a in applicants], dtype=np.int8),
            incidents_3y=ints("incidents_3y"),
            limit_jpy=ints("limit_jpy"),
            deductible_jpy=ints("deductible_jpy"),
            controls=np.array([[c in a.controls for c in CONTROLS] for a in applicants], dtype=bool).reshape(
                len(applicants), len(CONTROLS)
            ),
            riders=np.array([[k in a.riders for k in KEYS] for a in applicants], dtype=bool).reshape(len(applicants), len(KEYS)),
            lines=np.array([[line in a.lines for line in LINES] for a in applicants], dtype=bool).reshape(len(applicants), len(LINES)),
        )

    def __len__(self) -> int:
        return len(self.annual_revenue_jpy)

    def rows(self, index: slice | NDArray[np.intp]) -> ApplicantBatch:
        return ApplicantBatch(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    def column(self, rule_field: RuleField) -> NDArray[np.int64]:
        if rule_field is RuleField.INDUSTRY:
            return self.industry.astype(np.int64)
        if rule_field is RuleField.CONTRACT_TYPE:
            return self.contract_type.astype(np.int64)
        values: I64 = getattr(self, rule_field.value)
        return values


@dataclass(frozen=True)
class PlanSlot:
    """One plan's block of quote options: option = offset + limit index × len(deductibles) + deductible index."""

    index: int
    model: int
    plan: Plan
    table: RateTable
    limits: I64
    deductibles: I64
    offset: int

    def option(self, li: int, di: int) -> int:
        return self.offset + li * len(self.deductibles) + di


@dataclass(frozen=True)
class Assessment:
    """Per applicant and model (carrier × line): base premium, loadings and what the rules said."""

    base: I64  # (n, models); 0 where there is no rate
    adjust_bp: I64  # control credits and debits, floored
    surcharge_bp: I64  # incidents
    fired: Bool  # (n, rules)
    not_written: Bool  # (n, models): industry the carrier does not write
    beyond: Bool  # (n, models): revenue above the rate table
    status: NDArray[np.int8]  # (n, models), before the line is asked for
    dropped: Bool  # (n, models, rider keys)


@dataclass(frozen=True)
class BatchResult:
    """Rating of a batch against each plan at the limit and deductible asked (or the nearest offered)."""

    status: NDArray[np.int8]  # (n, plans): QUOTED … DECLINED, NOT_ASKED where the line was not asked
    premium: I64  # (n, plans); -1 where declined or not asked
    limit: I64
    deductible: I64
    adjusted: Bool  # limit, deductible or a rider differs from the request


def _mul_bp(amount: I64, factor_bp: I64 | np.int64 | int) -> I64:
    """amount × factor / 10,000, rounded half up, in integers: no float touches a premium."""
    out: I64 = (amount * factor_bp + BP // 2) // BP
    return out


def _rule_mask(rule: EligibilityRule, batch: ApplicantBatch) -> Bool:
    column = batch.column(rule.field)
    if rule.op in (RuleOp.IN, RuleOp.NOT_IN):
        assert isinstance(rule.value, tuple)
        universe = INDUSTRIES if rule.field is RuleField.INDUSTRY else CONTRACT_TYPES
        codes = [i for i, member in enumerate(universe) if member.value in rule.value]
        hit: Bool = np.isin(column, codes)
        mask = hit if rule.op is RuleOp.IN else ~hit
    else:
        assert isinstance(rule.value, int)
        compare = {RuleOp.GT: np.greater, RuleOp.GE: np.greater_equal, RuleOp.LT: np.less, RuleOp.LE: np.less_equal}[rule.op]
        mask = compare(column, rule.value)
    if rule.unless is not None:
        mask = mask & ~batch.controls[:, CONTROLS.index(rule.unless)]
    return mask


class Rater:
    """All carriers' plans and rates, compiled once; quotes any number of applicants."""

    def __init__(self, carriers: Iterable[CarrierData]) -> None:
        self.carriers = tuple(carriers)
        self.tables: list[RateTable] = [t for data in self.carriers for line in LINES if (t := data.rate_table(line)) is not None]
        self.slots: list[PlanSlot] = []
        offset = 0
        for m, table in enumerate(self.tables):
            data = next(d for d in self.carriers if d.carrier == table.carrier)
            for plan in data.plans_for(table.line):
                limits = np.array(plan.limit_options_jpy, dtype=np.int64)
                deductibles = np.array(plan.deductible_options_jpy, dtype=np.int64)
                self.slots.append(PlanSlot(len(self.slots), m, plan, table, limits, deductibles, offset))
                offset += len(limits) * len(deductibles)
        self.n_options = offset
        self.rules: list[tuple[int, EligibilityRule]] = [(m, rule) for m, t in enumerate(self.tables) for rule in t.rules]
        self.rider_keys: tuple[CoverageKey, ...] = tuple(
            k for k in KEYS if any((term := s.plan.term(k)) is not None and term.status is TermStatus.OPTIONAL_RIDER for s in self.slots)
        )
        self._compile_models()
        self._compile_options()

    def _compile_models(self) -> None:
        n = len(self.tables)
        classes = [sorted(t.base_premium_jpy) for t in self.tables]
        width = max((len(t.revenue_band_upper_jpy) for t in self.tables), default=1)
        self.class_of = np.full((n, len(INDUSTRIES)), -1, dtype=np.int64)
        self.base = np.zeros((n, max((len(c) for c in classes), default=1), width), dtype=np.int64)
        self.bands = [np.array(t.revenue_band_upper_jpy, dtype=np.int64) for t in self.tables]
        self.credit = np.zeros((n, len(CONTROLS)), dtype=np.int64)
        self.debit = np.zeros((n, len(CONTROLS)), dtype=np.int64)
        for m, table in enumerate(self.tables):
            for industry, klass in table.industry_class.items():
                self.class_of[m, INDUSTRIES.index(industry)] = classes[m].index(klass)
            for c, klass in enumerate(classes[m]):
                row = table.base_premium_jpy[klass]
                self.base[m, c, : len(row)] = row
            for control, bp in table.control_credit_bp.items():
                self.credit[m, CONTROLS.index(control)] = bp
            for control, bp in table.missing_control_debit_bp.items():
                self.debit[m, CONTROLS.index(control)] = bp
        self.max_credit = np.array([t.max_credit_bp for t in self.tables], dtype=np.int64)
        self.incident_bp = np.array([t.incident_surcharge_bp for t in self.tables], dtype=np.int64)
        self.minimum = np.array([t.minimum_premium_jpy for t in self.tables], dtype=np.int64)
        self.rounding = np.array([t.rounding_jpy for t in self.tables], dtype=np.int64)
        self.model_line = np.array([LINES.index(t.line) for t in self.tables], dtype=np.int64)

    def _compile_options(self) -> None:
        size = self.n_options
        self.opt_model = np.zeros(size, dtype=np.int64)
        self.opt_slot = np.zeros(size, dtype=np.int64)
        self.opt_factor = np.zeros((size, 3), dtype=np.int64)  # plan, limit, deductible
        self.opt_rider_bp = np.zeros((size, len(self.rider_keys)), dtype=np.int64)
        for slot in self.slots:
            block = slice(slot.offset, slot.offset + len(slot.limits) * len(slot.deductibles))
            lf = np.array([slot.table.limit_factor_bp[int(x)] for x in slot.limits], dtype=np.int64)
            df = np.array([slot.table.deductible_factor_bp[int(x)] for x in slot.deductibles], dtype=np.int64)
            self.opt_model[block] = slot.model
            self.opt_slot[block] = slot.index
            self.opt_factor[block, 0] = slot.table.plan_factor_bp[slot.plan.code]
            self.opt_factor[block, 1] = np.repeat(lf, len(df))
            self.opt_factor[block, 2] = np.tile(df, len(lf))
            for k, key in enumerate(self.rider_keys):
                term = slot.plan.term(key)
                if term is not None and term.status is TermStatus.OPTIONAL_RIDER:
                    self.opt_rider_bp[block, k] = slot.table.rider_factor_bp[key]

    # ------------------------------------------------------------ stages ---

    def assess(self, batch: ApplicantBatch, as_of: date) -> Assessment:
        n, models = len(batch), len(self.tables)
        base = np.zeros((n, models), dtype=np.int64)
        not_written = np.zeros((n, models), dtype=bool)
        beyond = np.zeros((n, models), dtype=bool)
        for m, bands in enumerate(self.bands):
            klass = self.class_of[m, batch.industry]
            band = np.searchsorted(bands, batch.annual_revenue_jpy, side="right")
            not_written[:, m] = klass < 0
            beyond[:, m] = band >= len(bands)
            ok = ~(not_written[:, m] | beyond[:, m])
            base[ok, m] = self.base[m, klass[ok], band[ok]]
        present = batch.controls.astype(np.int64)
        adjust = present @ self.credit.T + (1 - present) @ self.debit.T
        adjust = np.maximum(adjust, -self.max_credit[None, :])
        surcharge = batch.incidents_3y[:, None] * self.incident_bp[None, :]
        fired = np.zeros((n, len(self.rules)), dtype=bool)
        status = np.full((n, models), QUOTED, dtype=np.int8)
        dropped = np.zeros((n, models, len(self.rider_keys)), dtype=bool)
        for r, (m, rule) in enumerate(self.rules):
            hit = _rule_mask(rule, batch)
            fired[:, r] = hit
            if rule.action is RuleAction.DROP_RIDER:
                if rule.rider in self.rider_keys:
                    dropped[hit, m, self.rider_keys.index(rule.rider)] = True
                continue
            level = {RuleAction.CONDITION: INDICATION, RuleAction.REFER: REFERRED, RuleAction.DECLINE: DECLINED}[rule.action]
            status[hit, m] = np.maximum(status[hit, m], level)
        in_force = np.array(
            [t.effective_from <= as_of and (t.effective_to is None or as_of <= t.effective_to) for t in self.tables], dtype=bool
        )
        status[not_written | beyond | ~in_force[None, :]] = DECLINED
        return Assessment(base, adjust, surcharge, fired, not_written, beyond, status, dropped)

    def premiums(self, batch: ApplicantBatch, a: Assessment, options: I64) -> I64:
        """Annual premium for each applicant (row) at each option (an (n, x) array of option indices)."""
        rows = np.arange(len(batch))[:, None]
        model = self.opt_model[options]
        factors = self.opt_factor[options]
        p = _mul_bp(a.base[rows, model], factors[..., 0])
        p = _mul_bp(p, factors[..., 1])
        p = _mul_bp(p, factors[..., 2])
        p = _mul_bp(p, BP + a.adjust_bp[rows, model])
        p = _mul_bp(p, BP + a.surcharge_bp[rows, model])
        if self.rider_keys:
            wanted = batch.riders[:, [KEYS.index(k) for k in self.rider_keys]]
            effective = wanted[:, None, :] & ~a.dropped[rows, model]
            p = _mul_bp(p, BP + (effective * self.opt_rider_bp[options]).sum(axis=-1))
        p = np.maximum(p, self.minimum[model])
        unit = self.rounding[model]
        rounded: I64 = (p + unit - 1) // unit * unit
        return rounded

    def chosen_options(self, batch: ApplicantBatch) -> tuple[I64, I64, I64]:
        """Per plan, the option nearest the request: the largest limit not above it, the smallest deductible not below it."""
        n, plans = len(batch), len(self.slots)
        options = np.zeros((n, plans), dtype=np.int64)
        limits = np.zeros((n, plans), dtype=np.int64)
        deductibles = np.zeros((n, plans), dtype=np.int64)
        for s in self.slots:
            li = np.clip(np.searchsorted(s.limits, batch.limit_jpy, side="right") - 1, 0, len(s.limits) - 1)
            di = np.clip(np.searchsorted(s.deductibles, batch.deductible_jpy, side="left"), 0, len(s.deductibles) - 1)
            options[:, s.index] = s.offset + li * len(s.deductibles) + di
            limits[:, s.index] = s.limits[li]
            deductibles[:, s.index] = s.deductibles[di]
        return options, limits, deductibles

    def rate_batch(self, batch: ApplicantBatch, as_of: date) -> BatchResult:
        a = self.assess(batch, as_of)
        options, limits, deductibles = self.chosen_options(batch)
        slot_model = np.array([s.model for s in self.slots], dtype=np.int64)
        status = a.status[:, slot_model]
        asked_line = batch.lines[:, self.model_line[slot_model]]
        status = np.where(asked_line, status, NOT_ASKED).astype(np.int8)
        premium = self.premiums(batch, a, options)
        premium = np.where((status == DECLINED) | (status == NOT_ASKED), -1, premium)
        adjusted = (
            (limits != batch.limit_jpy[:, None]) | (deductibles != batch.deductible_jpy[:, None]) | self._rider_gaps(batch, a, slot_model)
        )
        return BatchResult(status, premium, limits, deductibles, adjusted)

    def _rider_gaps(self, batch: ApplicantBatch, a: Assessment, slot_model: I64) -> Bool:
        """Riders asked for that a plan does not cover, or a rule took away."""
        covers = np.array([[(t := s.plan.term(k)) is not None and t.offered for k in KEYS] for s in self.slots], dtype=bool)
        gaps: Bool = (batch.riders[:, None, :] & ~covers[None, :, :]).any(axis=-1)
        if self.rider_keys:
            wanted = batch.riders[:, [KEYS.index(k) for k in self.rider_keys]]
            gaps |= (wanted[:, None, :] & a.dropped[:, slot_model, :]).any(axis=-1)
        return gaps

    # ----------------------------------------------------- one applicant ---

    def quote(self, applicant: Applicant, as_of: date) -> tuple[Quote, ...]:
        """Every carrier's plans for every line asked, with reasons, conditions and a ladder of options."""
        batch = ApplicantBatch.of([applicant])
        a = self.assess(batch, as_of)
        every = np.arange(self.n_options, dtype=np.int64)[None, :]
        all_premiums = self.premiums(batch, a, every)[0]
        options, _, _ = self.chosen_options(batch)
        quotes = []
        for slot in self.slots:
            if slot.plan.line not in applicant.lines:
                continue
            quotes.append(self._quote_for(applicant, slot, a, option=int(options[0, slot.index]), all_premiums=all_premiums, as_of=as_of))
        return tuple(quotes)

    def _quote_for(self, applicant: Applicant, slot: PlanSlot, a: Assessment, *, option: int, all_premiums: I64, as_of: date) -> Quote:
        m = slot.model
        local = option - slot.offset
        li, di = divmod(local, len(slot.deductibles))
        limit, deductible = int(slot.limits[li]), int(slot.deductibles[di])
        fired = [rule for r, (rm, rule) in enumerate(self.rules) if rm == m and a.fired[0, r]]
        code = int(a.status[0, m])
        adjustments = []
        if limit != applicant.limit_jpy:
            adjustments.append(reasons.limit_adjusted(applicant.limit_jpy, limit))
        if deductible != applicant.deductible_jpy:
            adjustments.append(reasons.deductible_adjusted(applicant.deductible_jpy, deductible))
        riders = []
        for key in sorted(applicant.riders, key=KEYS.index):
            term = slot.plan.term(key)
            drop = next((r for r in fired if r.action is RuleAction.DROP_RIDER and r.rider == key), None)
            if term is None or not term.offered:
                adjustments.append(reasons.rider_unavailable(key))
            elif term.status is TermStatus.OPTIONAL_RIDER and drop is not None:
                adjustments.append(reasons.rider_dropped(drop))
            elif term.status is TermStatus.OPTIONAL_RIDER:
                riders.append(key)
        why = self._reasons(applicant, a, m, fired, code)
        ladder = self._ladder(slot, li, di, all_premiums) if code != DECLINED else ()
        valid = as_of + timedelta(days=QUOTE_VALID_DAYS)
        if slot.table.effective_to is not None:
            valid = min(valid, slot.table.effective_to)
        return Quote(
            carrier=slot.plan.carrier,
            line=slot.plan.line,
            plan=slot.plan,
            status=STATUS_OF_CODE[code],
            asked_limit_jpy=applicant.limit_jpy,
            asked_deductible_jpy=applicant.deductible_jpy,
            limit_jpy=limit,
            deductible_jpy=deductible,
            premium_jpy=None if code == DECLINED else int(all_premiums[option]),
            riders_asked=tuple(sorted(applicant.riders, key=KEYS.index)),
            riders=tuple(riders),
            adjustments=tuple(adjustments),
            conditions=tuple(reasons.rule_condition(r) for r in fired if r.action is RuleAction.CONDITION) if code != DECLINED else (),
            reasons=why,
            options=ladder,
            rate_version=slot.table.version,
            valid_until=valid if code != DECLINED else None,
        )

    def _reasons(self, applicant: Applicant, a: Assessment, m: int, fired: list[EligibilityRule], code: int) -> tuple[Reason, ...]:
        out = []
        if a.not_written[0, m]:
            out.append(reasons.industry_not_written(applicant.industry))
        if a.beyond[0, m]:
            out.append(reasons.revenue_beyond_table(int(self.bands[m][-1])))
        if code == DECLINED and not out and not any(r.action is RuleAction.DECLINE for r in fired):
            out.append(reasons.no_rates_in_force())
        wanted = {RuleAction.DECLINE, RuleAction.REFER}
        out.extend(reasons.rule_reason(r, applicant.industry) for r in fired if r.action in wanted)
        return tuple(out)

    def _ladder(self, slot: PlanSlot, li: int, di: int, all_premiums: I64) -> tuple[QuoteOption, ...]:
        rungs = []
        for lj in range(max(li - 1, 0), min(li + 2, len(slot.limits))):
            for dj in range(max(di - 1, 0), min(di + 2, len(slot.deductibles))):
                rungs.append(QuoteOption(int(slot.limits[lj]), int(slot.deductibles[dj]), int(all_premiums[slot.option(lj, dj)])))
        return tuple(rungs)
