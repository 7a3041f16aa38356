"""Premiums and eligibility over arrays: one applicant is a batch of one, a client list a batch of 100,000.

Every carrier's rate table is compiled once into flat numpy arrays: one row per
(carrier, line) "model", one column per quote option (plan × limit × deductible).
Rating is then lookups and integer multiplications in basis points, with the same
rounding everywhere, so the web page, the CLI and a bulk workbook cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from aggregator import reasons
from aggregator.applicant import Applicant
from aggregator.batch import (
    BP,
    CONTRACT_TYPES,
    CONTROLS,
    DECLINED,
    I64,
    INDICATION,
    INDUSTRIES,
    KEYS,
    LINES,
    NOT_ASKED,
    QUOTED,
    REFERRED,
    STATUS_CODE,
    STATUS_OF_CODE,
    ApplicantBatch,
    Bool,
)
from aggregator.codes import RoundingMode, RuleAction, TermStatus
from aggregator.plans import Plan
from aggregator.quotes import Quote, QuoteOption, Reason
from aggregator.rates import CarrierData, EligibilityRule, RateTable
from aggregator.rules import CompiledRules
from aggregator.taxonomy import CoverageKey

QUOTE_VALID_DAYS = 30


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


@dataclass(frozen=True)
class Assessment:
    """Per applicant and model (carrier × line): base premium, loadings and what the rules said."""

    base: I64  # (n, models); 0 where there is no rate
    adjust_bp: I64  # control credits and debits, with the cap, in each carrier's order
    surcharge_bp: I64  # incidents
    fired: Bool  # (n, rules)
    not_written: Bool  # (n, models): industry the carrier does not write
    beyond: Bool  # (n, models): revenue above the rate table
    status: NDArray[np.int8]  # (n, models), before the line is asked for
    dropped: Bool  # (n, models, rider keys)
    in_force: Bool  # (models,): the rate table applies on the quote date


@dataclass(frozen=True)
class BatchResult:
    """Rating of a batch against each plan at the limit and deductible asked (or the nearest offered)."""

    status: NDArray[np.int8]  # (n, plans): QUOTED … DECLINED, NOT_ASKED where the line was not asked
    premium: I64  # (n, plans); -1 where declined or not asked
    limit: I64
    deductible: I64
    adjusted: Bool  # limit, deductible or a rider differs from the request


def _round_add(mode: RoundingMode, unit: int) -> int:
    """What to add before flooring to a multiple of `unit`: unit − 1 rounds up, 0 down, unit // 2 half up."""
    return {RoundingMode.UP: unit - 1, RoundingMode.DOWN: 0, RoundingMode.HALF_UP: unit // 2}[mode]


def _in_force(start: date, end: date | None, as_of: date) -> bool:
    return start <= as_of and (end is None or as_of <= end)


@dataclass(frozen=True, slots=True)
class _Row:
    """One applicant's arrays as Python lists: building Quote objects reads them item by item."""

    riders: tuple[CoverageKey, ...]
    premiums: list[int]
    options: list[int]
    fired: list[bool]
    status: list[int]
    in_force: list[bool]  # per model: its rates apply on the quote date
    on_sale: list[bool]  # per plan: sold on the quote date


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
        self.compiled = CompiledRules(self.rules, len(self.tables), self.rider_keys)
        self.rule_index = [index.tolist() for index in self.compiled.by_model]
        self._compile_models()
        self._compile_options()
        self._on_sale: tuple[date | None, Bool] = (None, np.zeros(0, dtype=bool))
        # A quote is valid QUOTE_VALID_DAYS, never past the plan's end or its rate table's.
        self.slot_end = [min((d for d in (s.plan.effective_to, s.table.effective_to) if d is not None), default=None) for s in self.slots]
        self.slot_covers: Bool = np.zeros((len(self.slots), len(KEYS)), dtype=np.bool_)
        for slot in self.slots:
            for k, key in enumerate(KEYS):
                term = slot.plan.term(key)
                self.slot_covers[slot.index, k] = term is not None and term.offered

    def _compile_models(self) -> None:
        n = len(self.tables)
        classes = [sorted(t.base_premium_jpy) for t in self.tables]
        width = max((len(t.revenue_band_upper_jpy) for t in self.tables), default=1)
        self.class_of = np.full((n, len(INDUSTRIES)), -1, dtype=np.int64)
        self.base = np.zeros((n, max((len(c) for c in classes), default=1), width), dtype=np.int64)
        self.bands = [np.array(t.revenue_band_upper_jpy, dtype=np.int64) for t in self.tables]
        self.n_bands = np.array([len(b) for b in self.bands], dtype=np.int64)
        self.bands_pad = np.full((n, width), np.iinfo(np.int64).max, dtype=np.int64)
        for m, bands in enumerate(self.bands):
            self.bands_pad[m, : len(bands)] = bands
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
        # Rounding to the unit is (premium + this) // unit × unit: up, down or half up, as each carrier says.
        self.round_add = np.array([_round_add(t.rounding_mode, t.rounding_jpy) for t in self.tables], dtype=np.int64)
        # The order of each security adjustment comes down to one thing: do the debits come before the cap
        # (it limits credits net of debits: 1) or after it (it limits the credits alone: 0)? The schema
        # keeps the cap after the credits.
        self.debits_capped = np.array([t.debits_capped for t in self.tables], dtype=np.int64)
        self.model_line = np.array([LINES.index(t.line) for t in self.tables], dtype=np.int64)

    def _compile_options(self) -> None:
        """Per option, one factor: plan × limit × deductible multiplied exactly, rounded half up to 0.0001.

        Per plan, the rider loadings and the padded limit and deductible ladders, so choosing
        the option nearest a request is one comparison across all plans.
        """
        size, slots = self.n_options, len(self.slots)
        self.opt_model = np.zeros(size, dtype=np.int64)
        self.opt_slot = np.zeros(size, dtype=np.int64)
        self.opt_factor = np.zeros(size, dtype=np.int64)
        self.slot_model = np.array([s.model for s in self.slots], dtype=np.int64)
        self.slot_rider_bp = np.zeros((slots, len(self.rider_keys)), dtype=np.int64)
        width_l = max((len(s.limits) for s in self.slots), default=1)
        width_d = max((len(s.deductibles) for s in self.slots), default=1)
        big = np.iinfo(np.int64).max
        self.limits_pad = np.full((slots, width_l), big, dtype=np.int64)
        self.deductibles_pad = np.full((slots, width_d), big, dtype=np.int64)
        for slot in self.slots:
            nl, nd = len(slot.limits), len(slot.deductibles)
            block = slice(slot.offset, slot.offset + nl * nd)
            plan_bp = slot.table.plan_factor_bp[slot.plan.code]
            lf = np.array([slot.table.limit_factor_bp[int(x)] for x in slot.limits], dtype=np.int64)
            df = np.array([slot.table.deductible_factor_bp[int(x)] for x in slot.deductibles], dtype=np.int64)
            exact = plan_bp * np.repeat(lf, nd) * np.tile(df, nl)  # in 10^-12: fits int64 for factors up to ×100
            self.opt_factor[block] = (exact + BP**2 // 2) // BP**2
            self.opt_model[block] = slot.model
            self.opt_slot[block] = slot.index
            self.limits_pad[slot.index, :nl] = slot.limits
            self.deductibles_pad[slot.index, :nd] = slot.deductibles
            for k, key in enumerate(self.rider_keys):
                term = slot.plan.term(key)
                if term is not None and term.status is TermStatus.OPTIONAL_RIDER:
                    self.slot_rider_bp[slot.index, k] = slot.table.rider_factor_bp[key]
        self.n_limits = np.array([len(s.limits) for s in self.slots], dtype=np.int64)
        self.n_deductibles = np.array([len(s.deductibles) for s in self.slots], dtype=np.int64)
        self.slot_offset = np.array([s.offset for s in self.slots], dtype=np.int64)
        self.rider_columns = np.array([KEYS.index(k) for k in self.rider_keys], dtype=np.int64)
        # The two layouts premiums() is asked for, grouped by plan once: every option, and one option per plan.
        self.every_option = np.arange(size, dtype=np.int64)[None, :]
        self.every_option_layout = (np.arange(slots, dtype=np.int64), self.opt_slot.copy())
        self.one_per_plan_layout = (np.arange(slots, dtype=np.int64), np.arange(slots, dtype=np.int64))

    # ------------------------------------------------------------ stages ---

    def assess(self, batch: ApplicantBatch, as_of: date) -> Assessment:
        models = np.arange(len(self.tables))
        # Every model at once: the revenue band is how many band edges the revenue has reached.
        band = (self.bands_pad[None, :, :] <= batch.annual_revenue_jpy[:, None, None]).sum(axis=2)
        klass = self.class_of[:, batch.industry.astype(np.int64)].T
        not_written = klass < 0
        beyond = band >= self.n_bands[None, :]
        base = np.where(not_written | beyond, 0, self.base[models[None, :], np.maximum(klass, 0), np.minimum(band, self.base.shape[2] - 1)])
        present = batch.controls.astype(np.int64)
        adjust = self._adjustment(present @ self.credit.T, (1 - present) @ self.debit.T)
        surcharge = batch.incidents_3y[:, None] * self.incident_bp[None, :]
        hits = self.compiled.evaluate(batch, len(self.rider_keys))
        status = hits.status.copy()
        in_force = np.array([_in_force(t.effective_from, t.effective_to, as_of) for t in self.tables], dtype=bool)
        status[not_written | beyond | ~in_force[None, :]] = DECLINED
        return Assessment(base, adjust, surcharge, hits.hit, not_written, beyond, status, hits.dropped, in_force)

    def _adjustment(self, credits: I64, debits: I64) -> I64:
        """The security adjustment per model: credits and debits added and the cap applied, in the carrier's order.

        The cap floors what has been added before it: before the debits it limits the credits alone,
        after them the credits net of the debits.
        """
        before = debits * self.debits_capped  # the debits the cap sees
        adjust: I64 = np.maximum(credits + before, -self.max_credit[None, :]) + (debits - before)
        return adjust

    def plans_on_sale(self, as_of: date) -> Bool:
        """Per plan: sold on the quote date (its own effective dates, apart from its rate table's)."""
        day, on_sale = self._on_sale  # the last quote date asked: nearly every call asks for today again
        if day != as_of:
            on_sale = np.array([_in_force(s.plan.effective_from, s.plan.effective_to, as_of) for s in self.slots], dtype=bool)
            on_sale.flags.writeable = False  # shared by every call on the same day
            self._on_sale = (as_of, on_sale)
        return on_sale

    def premiums(self, batch: ApplicantBatch, a: Assessment, options: I64, layout: tuple[I64, I64] | None = None) -> I64:
        """Annual premium for each applicant (row) at each option: an (n, x) array of option indices whose
        columns each belong to one plan (every column of the full ladder, or one chosen option per plan).

        premium = base × option factor (plan × limit × deductible, to 0.0001), rounded half up to the yen,
        × applicant factor (controls × incidents × riders, to 0.0001), rounded half up to the yen,
        then rounded to the carrier's unit in its mode (up, down or half up), then raised to the minimum premium.
        Integers throughout.
        """
        columns = self.opt_slot[options[0]] if len(options) else np.zeros(options.shape[1], dtype=np.int64)
        model = self.slot_model[columns]  # (x,): each column's carrier and line
        # The applicant's factor depends on the plan, not the limit or deductible: work it out per plan
        # (controls × incidents × riders, to 0.0001), then spread it over that plan's columns.
        plans, spread = layout if layout is not None else np.unique(columns, return_inverse=True)
        plan_model = self.slot_model[plans]
        # Multiplied exactly (at most ~2×10^16 within the schema's bounds), rounded once to 0.0001.
        exact = (BP + a.adjust_bp[:, plan_model]) * (BP + a.surcharge_bp[:, plan_model])
        riders = BP + self._rider_load(batch, a, plans, plan_model) if self.rider_keys else BP
        exact = exact * riders
        per_plan = (exact + BP**2 // 2) // BP**2
        factor = per_plan[:, spread.reshape(-1)]
        # In place from here: at 100,000 clients × 500 options every temporary array costs.
        p = a.base[:, model]
        p *= self.opt_factor[options]
        p += BP // 2
        p //= BP
        p *= factor
        p += BP // 2
        p //= BP
        unit = self.rounding[model]
        p += self.round_add[model]
        p //= unit
        p *= unit
        np.maximum(p, self.minimum[model], out=p)
        return p

    def _rider_load(self, batch: ApplicantBatch, a: Assessment, columns: I64, model: I64) -> I64:
        """Loading for the riders asked, where the plan sells them and no rule took them away.

        Applicants share few rider combinations: each distinct one is priced once per column, then gathered.
        """
        wanted = batch.riders[:, self.rider_columns]
        if not wanted.any():
            return np.zeros((len(batch), len(columns)), dtype=np.int64)
        weights = np.left_shift(1, np.arange(len(self.rider_keys), dtype=np.int64))
        effective = wanted[:, None, :] & ~a.dropped  # (n, models, riders)
        codes, inverse = np.unique(effective.astype(np.int64) @ weights, return_inverse=True)
        combos = (codes[:, None] >> np.arange(len(self.rider_keys))) & 1  # each distinct combination once
        table = combos @ self.slot_rider_bp[columns].T  # (combinations, columns)
        load: I64 = table[inverse.reshape(len(batch), -1)[:, model], np.arange(len(columns))]
        return load

    def chosen_options(self, batch: ApplicantBatch) -> tuple[I64, I64, I64]:
        """Per plan, the option nearest the request: the largest limit not above it, the smallest deductible not below it."""
        li = (self.limits_pad[None, :, :] <= batch.limit_jpy[:, None, None]).sum(axis=2) - 1
        li = np.clip(li, 0, self.n_limits - 1)
        di = (self.deductibles_pad[None, :, :] < batch.deductible_jpy[:, None, None]).sum(axis=2)
        di = np.minimum(di, self.n_deductibles - 1)
        plans = np.arange(len(self.slots))
        options = self.slot_offset + li * self.n_deductibles + di
        return options, self.limits_pad[plans, li], self.deductibles_pad[plans, di]

    def rate_batch(self, batch: ApplicantBatch, as_of: date) -> BatchResult:
        a = self.assess(batch, as_of)
        options, limits, deductibles = self.chosen_options(batch)
        slot_model = np.array([s.model for s in self.slots], dtype=np.int64)
        status = np.where(self.plans_on_sale(as_of)[None, :], a.status[:, slot_model], DECLINED)
        asked_line = batch.lines[:, self.model_line[slot_model]]
        status = np.where(asked_line, status, NOT_ASKED).astype(np.int8)
        premium = self.premiums(batch, a, options, self.one_per_plan_layout)
        premium = np.where((status == DECLINED) | (status == NOT_ASKED), -1, premium)
        adjusted = (
            (limits != batch.limit_jpy[:, None]) | (deductibles != batch.deductible_jpy[:, None]) | self._rider_gaps(batch, a, slot_model)
        )
        return BatchResult(status, premium, limits, deductibles, adjusted)

    def _rider_gaps(self, batch: ApplicantBatch, a: Assessment, slot_model: I64) -> Bool:
        """Riders asked for that a plan does not cover, or a rule took away."""
        gaps: Bool = np.asarray((batch.riders[:, None, :] & ~self.slot_covers[None, :, :]).any(axis=-1))
        if self.rider_keys:
            wanted = batch.riders[:, self.rider_columns]
            gaps = gaps | np.asarray((wanted[:, None, :] & a.dropped[:, slot_model, :]).any(axis=-1))
        return gaps

    # ----------------------------------------------------- one applicant ---

    def quote(self, applicant: Applicant, as_of: date) -> tuple[Quote, ...]:
        """Every carrier's plans for every line asked, with reasons, conditions and a ladder of options."""
        batch = ApplicantBatch.of([applicant])
        a = self.assess(batch, as_of)
        row = _Row(
            riders=tuple(sorted(applicant.riders, key=KEYS.index)),
            premiums=self.premiums(batch, a, self.every_option, self.every_option_layout)[0].tolist(),
            options=self.chosen_options(batch)[0][0].tolist(),
            fired=a.fired[0].tolist(),
            status=a.status[0].tolist(),
            in_force=a.in_force.tolist(),
            on_sale=self.plans_on_sale(as_of).tolist(),
        )
        return tuple(self._quote_for(applicant, slot, a, row, as_of) for slot in self.slots if slot.plan.line in applicant.lines)

    def _quote_for(self, applicant: Applicant, slot: PlanSlot, a: Assessment, row: _Row, as_of: date) -> Quote:
        m = slot.model
        option = row.options[slot.index]
        li, di = divmod(option - slot.offset, len(slot.deductibles))
        limit, deductible = slot.plan.limit_options_jpy[li], slot.plan.deductible_options_jpy[di]
        fired = [self.rules[i][1] for i in self.rule_index[m] if row.fired[i]]
        on_sale = row.on_sale[slot.index]
        off_sale = None if on_sale else reasons.plan_off_sale(slot.plan, as_of)
        code = row.status[m] if on_sale else DECLINED
        adjustments = []
        if limit != applicant.limit_jpy:
            adjustments.append(reasons.limit_adjusted(applicant.limit_jpy, limit))
        if deductible != applicant.deductible_jpy:
            adjustments.append(reasons.deductible_adjusted(applicant.deductible_jpy, deductible))
        riders = []
        for key in row.riders:
            term = slot.plan.term(key)
            drop = next((r for r in fired if r.action is RuleAction.DROP_RIDER and r.rider == key), None)
            if term is None or not term.offered:
                adjustments.append(reasons.rider_unavailable(key))
            elif term.status is TermStatus.OPTIONAL_RIDER and drop is not None:
                adjustments.append(reasons.rider_dropped(drop, applicant))
            elif term.status is TermStatus.OPTIONAL_RIDER:
                riders.append(key)
        why = self._reasons(applicant, a, row, m, fired, off_sale)
        ladder = self._ladder(slot, li, di, row.premiums) if code != DECLINED else ()
        valid, end = as_of + timedelta(days=QUOTE_VALID_DAYS), self.slot_end[slot.index]
        valid = valid if end is None or valid <= end else end
        return Quote(
            carrier=slot.plan.carrier,
            line=slot.plan.line,
            plan=slot.plan,
            status=STATUS_OF_CODE[code],
            asked_limit_jpy=applicant.limit_jpy,
            asked_deductible_jpy=applicant.deductible_jpy,
            limit_jpy=limit,
            deductible_jpy=deductible,
            premium_jpy=None if code == DECLINED else row.premiums[option],
            riders_asked=row.riders,
            riders=tuple(riders),
            adjustments=tuple(adjustments),
            conditions=tuple(reasons.rule_condition(r) for r in fired if r.action is RuleAction.CONDITION) if code != DECLINED else (),
            reasons=why,
            options=ladder,
            rate_version=slot.table.version,
            valid_until=valid if code != DECLINED else None,
        )

    def _reasons(
        self, applicant: Applicant, a: Assessment, row: _Row, m: int, fired: list[EligibilityRule], off_sale: Reason | None
    ) -> tuple[Reason, ...]:
        out = [] if off_sale is None else [off_sale]
        if not row.in_force[m]:
            out.append(reasons.no_rates_in_force())
        if bool(a.not_written[0, m]):
            out.append(reasons.industry_not_written(applicant.industry))
        if a.beyond[0, m]:
            out.append(reasons.revenue_beyond_table(int(self.bands[m][-1])))
        wanted = {RuleAction.DECLINE, RuleAction.REFER}
        out.extend(reasons.rule_reason(r, applicant) for r in fired if r.action in wanted)
        return tuple(out)

    def _ladder(self, slot: PlanSlot, li: int, di: int, premiums: list[int]) -> tuple[QuoteOption, ...]:
        limits, deductibles = slot.plan.limit_options_jpy, slot.plan.deductible_options_jpy
        nd, offset = len(deductibles), slot.offset
        dj_range = range(max(di - 1, 0), min(di + 2, nd))
        return tuple(
            QuoteOption(limits[lj], deductibles[dj], premiums[offset + lj * nd + dj])
            for lj in range(max(li - 1, 0), min(li + 2, len(limits)))
            for dj in dj_range
        )


# Rating's array codes and ApplicantBatch (aggregator/batch.py), for the callers that take them from here.
__all__ = [
    "BP",
    "CONTRACT_TYPES",
    "CONTROLS",
    "DECLINED",
    "INDICATION",
    "INDUSTRIES",
    "KEYS",
    "LINES",
    "NOT_ASKED",
    "QUOTED",
    "QUOTE_VALID_DAYS",
    "REFERRED",
    "STATUS_CODE",
    "STATUS_OF_CODE",
    "ApplicantBatch",
    "Assessment",
    "BatchResult",
    "PlanSlot",
    "Rater",
]
