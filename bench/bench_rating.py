"""Rating throughput: 100,000 generated clients × every carrier, line and quote option.

    .venv/bin/python bench/bench_rating.py [--clients 100000] [--chunk 2000] [--repeat 3]

Measures, on the same ApplicantBatch (built directly from numpy arrays):
  rating     Rater.assess + Rater.premiums over all option indices, chunk by chunk
  bare       a bare numpy pass over the same arrays: gather the base premium by precomputed
             [model, class, band] indices, multiply by the plan, limit and deductible factor
             arrays in int64 basis points; no rules, no loadings, no riders, no rounding
  rate_batch the chosen-option path bulk uses (rate_in_chunks, and one rate_batch call)
Target: rating throughput ≥ 1/4 of the bare pass.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import pstats
import sys
import time

import numpy as np
from benchdata import AS_OF, best_of, conditions, generate, load_rater, say, table, verdict

from aggregator.bulk import CHUNK, rate_in_chunks
from aggregator.rating import BP, ApplicantBatch, Rater

TARGET_RATIO = 0.25


def rate_all_options(rater: Rater, batch: ApplicantBatch, chunk: int) -> int:
    every = np.arange(rater.n_options, dtype=np.int64)[None, :]
    quotes = 0
    for start in range(0, len(batch), chunk):
        part = batch.rows(slice(start, start + chunk))
        a = rater.assess(part, AS_OF)
        p = rater.premiums(part, a, every)
        quotes += p.size
    return quotes


def precompute_indices(rater: Rater, batch: ApplicantBatch) -> tuple[np.ndarray, np.ndarray]:
    """Per client and model: rate class and revenue band (clamped into the table; outside the timing)."""
    n, models = len(batch), len(rater.tables)
    klass = np.zeros((n, models), dtype=np.intp)
    band = np.zeros((n, models), dtype=np.intp)
    for m, bands in enumerate(rater.bands):
        klass[:, m] = np.maximum(rater.class_of[m, batch.industry], 0)
        band[:, m] = np.minimum(np.searchsorted(bands, batch.annual_revenue_jpy, side="right"), len(bands) - 1)
    return klass, band


def option_factors(rater: Rater) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rate tables' own plan, limit and deductible factor of every option, in basis points."""
    plan_f = np.zeros(rater.n_options, dtype=np.int64)
    limit_f = np.zeros(rater.n_options, dtype=np.int64)
    ded_f = np.zeros(rater.n_options, dtype=np.int64)
    for slot in rater.slots:
        nl, nd = len(slot.limits), len(slot.deductibles)
        block = slice(slot.offset, slot.offset + nl * nd)
        plan_f[block] = slot.table.plan_factor_bp[slot.plan.code]
        limit_f[block] = np.repeat([slot.table.limit_factor_bp[int(x)] for x in slot.limits], nd)
        ded_f[block] = np.tile([slot.table.deductible_factor_bp[int(x)] for x in slot.deductibles], nl)
    return plan_f, limit_f, ded_f


def bare_pass(rater: Rater, klass: np.ndarray, band: np.ndarray, chunk: int) -> int:
    models = np.arange(len(rater.tables), dtype=np.intp)[None, :]
    opt_model = rater.opt_model
    plan_f, limit_f, ded_f = option_factors(rater)
    quotes = 0
    for start in range(0, len(klass), chunk):
        rows = slice(start, start + chunk)
        base = rater.base[models, klass[rows], band[rows]]  # (c, models)
        p = base[:, opt_model]  # (c, options)
        p = p * plan_f // BP
        p = p * limit_f // BP
        p = p * ded_f // BP
        quotes += p.size
    return quotes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000, help="clients per chunk for the all-options passes")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each pass; the best is reported")
    parser.add_argument("--no-profile", action="store_true", help="skip the stage breakdown and cProfile when the target is missed")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds at toy sizes, every path run (the tests use it so the benchmark cannot rot); its figures mean nothing",
    )
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.chunk, args.repeat = 1_000, 250, 1

    say(f"bench_rating: {conditions()}")
    t0 = time.perf_counter()
    rater = load_rater()
    load_s = time.perf_counter() - t0
    population = generate(args.clients, rater.rider_keys)
    batch = population.batch()
    n, options = len(batch), rater.n_options
    say(
        f"{n:,} clients × {options} options ({len(rater.tables)} carrier-line models, {len(rater.slots)} plans, "
        f"{len(rater.rules)} rules, {len(rater.rider_keys)} rider keys) = {n * options:,} quotes per pass; "
        f"chunk {args.chunk:,}; best of {args.repeat}; carriers loaded in {load_s:.2f} s"
    )

    klass, band = precompute_indices(rater, batch)
    warm = batch.rows(slice(0, min(args.chunk, n)))
    rate_all_options(rater, warm, args.chunk)  # warm-up: first-touch allocations, lazy imports
    bare_pass(rater, klass[: len(warm)], band[: len(warm)], args.chunk)

    rating_s, rating_all = best_of(lambda: rate_all_options(rater, batch, args.chunk), args.repeat)
    bare_s, bare_all = best_of(lambda: bare_pass(rater, klass, band, args.chunk), args.repeat)
    chunks_s, chunks_all = best_of(lambda: rate_in_chunks(rater, batch, AS_OF), args.repeat)
    whole_s, whole_all = best_of(lambda: rater.rate_batch(batch, AS_OF), args.repeat)

    quotes = n * options
    rating_qps, bare_qps = quotes / rating_s, quotes / bare_s
    ratio = rating_qps / bare_qps
    plans = len(rater.slots)

    def runs(times: list[float]) -> str:
        return " ".join(f"{t:.2f}" for t in times)

    say()
    say(
        table(
            [
                ["rating: assess + premiums, all options", f"{rating_s:.3f}", f"{rating_qps / 1e6:,.2f} M quotes/s", runs(rating_all)],
                ["bare numpy pass, all options", f"{bare_s:.3f}", f"{bare_qps / 1e6:,.2f} M quotes/s", runs(bare_all)],
                [
                    f"rate_in_chunks (bulk path, chunk {CHUNK:,})",
                    f"{chunks_s:.3f}",
                    f"{n / chunks_s:,.0f} clients/s ({n * plans / chunks_s / 1e6:,.2f} M plan quotes/s)",
                    runs(chunks_all),
                ],
                [
                    f"rate_batch, one call of {n:,}",
                    f"{whole_s:.3f}",
                    f"{n / whole_s:,.0f} clients/s ({n * plans / whole_s / 1e6:,.2f} M plan quotes/s)",
                    runs(whole_all),
                ],
            ],
            ["pass", "best s", "throughput", "all runs s"],
        )
    )
    say()
    say(f"rating / bare throughput = {ratio:.3f} (target ≥ {TARGET_RATIO:.2f}): {verdict(ratio >= TARGET_RATIO)}")
    if (ratio < TARGET_RATIO and not args.no_profile) or args.smoke:
        diagnose(rater, batch, args.chunk, rating_s)
    return 0


def diagnose(rater: Rater, batch: ApplicantBatch, chunk: int, rating_s: float) -> None:
    """Where the all-options pass spends its time, without touching the code under test."""
    every = np.arange(rater.n_options, dtype=np.int64)[None, :]
    parts = [batch.rows(slice(s, s + chunk)) for s in range(0, len(batch), chunk)]
    assessed = []
    start = time.perf_counter()
    for part in parts:
        assessed.append(rater.assess(part, AS_OF))
    assess_s = time.perf_counter() - start
    start = time.perf_counter()
    for part, a in zip(parts, assessed, strict=True):
        rater.premiums(part, a, every)
    premiums_s = time.perf_counter() - start
    riderless = copy.copy(rater)
    riderless.rider_keys = ()  # a shallow copy: premiums() then skips its rider-loading step
    start = time.perf_counter()
    for part, a in zip(parts, assessed, strict=True):
        riderless.premiums(part, a, every)
    no_riders_s = time.perf_counter() - start
    say()
    say("diagnosis (target missed): one untimed-warm pass, stage by stage")
    say(
        table(
            [
                ["Rater.assess (rules, bands, loadings per model)", f"{assess_s:.3f}", f"{assess_s / rating_s:.0%}"],
                ["Rater.premiums, all options", f"{premiums_s:.3f}", f"{premiums_s / rating_s:.0%}"],
                [
                    "  of which the rider step (premiums minus premiums on a rider-less copy)",
                    f"{premiums_s - no_riders_s:.3f}",
                    f"{(premiums_s - no_riders_s) / rating_s:.0%}",
                ],
                ["  the rest: gathers, factors, minimum, rounding", f"{no_riders_s:.3f}", f"{no_riders_s / rating_s:.0%}"],
            ],
            ["stage", "s", "of best rating pass"],
        )
    )
    profile = cProfile.Profile()
    profile.enable()
    rate_all_options(rater, batch, chunk)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(8)
    say()
    say("cProfile of one rating pass, top 8 by own time (numpy operators inside premiums() count as its own time):")
    say("\n".join(line for line in out.getvalue().splitlines() if line.strip() and not line.startswith(("   Ordered", "   List"))))


if __name__ == "__main__":
    sys.exit(main())
