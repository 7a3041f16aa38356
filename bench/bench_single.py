"""One applicant's quote page: Rater.quote for a typical SI company, carrier data loaded once.

    .venv/bin/python bench/bench_single.py [--repeat 3000] [--no-profile]

Times Rater.quote(applicant, as_of) one call at a time (timeit, number=1) after a warm-up and
reports min / median / p99 in ms. Target: under 1 ms (median). When it is over, cProfile names the
functions that take the time; nothing is changed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import timeit

import numpy as np
from benchdata import AS_OF, MAN, OKU, conditions, load_rater, say, table, verdict

from aggregator.rating import Rater
from aggregator.schema import Applicant, ContractType, Industry, Line, SecurityControl
from aggregator.taxonomy import CoverageKey

TARGET_MS = 1.0

APPLICANT = Applicant(
    company="株式会社ベンチマーク開発",
    industry=Industry.SYSTEM_INTEGRATION,
    annual_revenue_jpy=5 * OKU,
    employees=40,
    records_held=20_000,
    servers=10,
    largest_contract_jpy=3_000 * MAN,
    contract_type=ContractType.UKEOI,
    controls=frozenset({SecurityControl.MFA, SecurityControl.EDR, SecurityControl.OFFLINE_BACKUP}),
    incidents_3y=0,
    lines=(Line.CYBER, Line.IT_EO, Line.PROFESSIONAL_LIABILITY),
    limit_jpy=OKU,
    deductible_jpy=10 * MAN,
    riders=frozenset({CoverageKey.LOST_PROFIT}),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3_000, help="timed calls")
    parser.add_argument("--no-profile", action="store_true", help="skip cProfile even when the target is missed")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds at toy sizes, every path run (the tests use it so the benchmark cannot rot); its figures mean nothing",
    )
    args = parser.parse_args()
    if args.smoke:
        args.repeat = 50

    say(f"bench_single: {conditions()}")
    rater: Rater = load_rater()
    quotes = rater.quote(APPLICANT, AS_OF)
    say(
        f"applicant: SI, revenue ¥5億, 20,000 records, 10 servers, 3 lines, 1 rider → {len(quotes)} quotes "
        f"({sum(q.premium_jpy is not None for q in quotes)} priced); rater has {rater.n_options} options, {len(rater.rules)} rules"
    )
    timer = timeit.Timer(lambda: rater.quote(APPLICANT, AS_OF))
    timer.repeat(repeat=10 if args.smoke else 200, number=1)  # warm-up
    times_ms = np.array(timer.repeat(repeat=args.repeat, number=1)) * 1_000
    lo, med, p99 = float(times_ms.min()), float(np.median(times_ms)), float(np.percentile(times_ms, 99))
    say()
    say(
        table(
            [["Rater.quote, one applicant", f"{args.repeat:,}", f"{lo:.3f}", f"{med:.3f}", f"{p99:.3f}", f"{1_000 / med:,.0f}"]],
            ["call", "calls", "min ms", "median ms", "p99 ms", "quotes pages/s"],
        )
    )
    say()
    ok = med < TARGET_MS
    over = f" — {med / TARGET_MS:.1f}× the target ({med - TARGET_MS:.2f} ms over)" if not ok else ""
    say(f"median {med:.3f} ms (target < {TARGET_MS:.0f} ms): {verdict(ok)}{over}")
    if (not ok and not args.no_profile) or args.smoke:
        profile(rater, calls=20 if args.smoke else 500)
    return 0


def profile(rater: Rater, calls: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        rater.quote(APPLICANT, AS_OF)
    prof.disable()
    for order, label in (("tottime", "own time"), ("cumulative", "cumulative time")):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(order).print_stats(15)
        say()
        say(f"cProfile of {calls} calls, top 15 by {label} (per-call figures are per function call, totals over {calls} quotes):")
        say("\n".join(line for line in out.getvalue().splitlines() if line.strip() and not line.startswith(("   Ordered", "   List"))))


if __name__ == "__main__":
    sys.exit(main())
