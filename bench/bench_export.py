"""The single-client comparison workbook: how long write_comparison takes for one applicant.

    .venv/bin/python bench/bench_export.py [--runs 60] [--applicant fixtures/applicants/si_vendor.json] [--all-plans]

Times write_comparison alone (the comparison is built once, outside the timing), in memory as
the web app streams it and to a file as the CLI writes it, in Japanese and English; reports the
median of many runs after a warm-up, and the time build_comparison takes for reference.
Target: median under 50 ms for one client.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchdata import AS_OF, conditions, load_rater, say, table, verdict

from aggregator.applicants import applicant_from_data
from aggregator.export import write_comparison
from aggregator.recommendation import build_comparison, priorities_from_data

TARGET_MS = 50.0
ROOT = Path(__file__).resolve().parents[1]


def timings(fn: Callable[[], Any], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--applicant", type=Path, default=ROOT / "fixtures" / "applicants" / "si_vendor.json")
    parser.add_argument("--all-plans", action="store_true", help="every plan of every carrier, not one per carrier")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds at toy sizes, every path run (the tests use it so the benchmark cannot rot); its figures mean nothing",
    )
    args = parser.parse_args()
    if args.smoke:
        args.runs = 3

    say(f"bench_export: {conditions()}")
    raw = json.loads(args.applicant.read_text(encoding="utf-8"))
    priorities = priorities_from_data(raw.pop("priorities", None))
    raw.pop("assumptions", None)
    applicant = applicant_from_data(raw)
    rater = load_rater()
    build = timings(lambda: build_comparison(rater, applicant, AS_OF, priorities=priorities, all_plans=args.all_plans), 10, 1)
    comparison = build_comparison(rater, applicant, AS_OF, priorities=priorities, all_plans=args.all_plans)
    say(
        f"{args.applicant.name}: {len(comparison.columns)} plans × {len(comparison.rows)} items; {args.runs} timed runs after 3 warm-up runs"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "comparison.xlsx"
        cases = {
            "in memory (web), ja": lambda: write_comparison(comparison, io.BytesIO(), applicant=applicant, as_of=AS_OF),
            "in memory (web), en": lambda: write_comparison(comparison, io.BytesIO(), lang="en", applicant=applicant, as_of=AS_OF),
            "to a file (CLI), ja": lambda: write_comparison(comparison, path, applicant=applicant, as_of=AS_OF),
        }
        results = {name: timings(fn, args.runs) for name, fn in cases.items()}
        size = path.stat().st_size

    rows = [[name, f"{statistics.median(t):.1f}", f"{min(t):.1f}", f"{sorted(t)[int(len(t) * 0.9)]:.1f}"] for name, t in results.items()]
    rows.append(["build_comparison (reference, not in the target)", f"{statistics.median(build):.1f}", f"{min(build):.1f}", ""])
    say()
    say(table(rows, ["write_comparison", "median ms", "best ms", "p90 ms"]))
    worst = max(statistics.median(t) for t in results.values())
    say()
    say(f"workbook size {size:,} bytes; slowest median {worst:.1f} ms against a target of {TARGET_MS:.0f} ms: {verdict(worst < TARGET_MS)}")
    return 0  # a missed target is reported, not an error (bench/README.md)


if __name__ == "__main__":
    raise SystemExit(main())
