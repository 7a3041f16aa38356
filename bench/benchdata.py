"""Shared helpers for the benchmarks: the carriers loaded once, a deterministic client population, timing and tables.

Not a test module and not a benchmark on its own; `bench_*.py` import it (the script's folder is on sys.path).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from aggregator.rating import CONTRACT_TYPES, CONTROLS, INDUSTRIES, KEYS, LINES, ApplicantBatch, Rater

AS_OF = date(2026, 11, 21)  # inside every sample rate table's period, as the tests use
SEED = 20261121
MAN, OKU = 10_000, 100_000_000
TYPICAL_LIMITS = np.array([1_000 * MAN, 3_000 * MAN, 5_000 * MAN, OKU, 3 * OKU, 5 * OKU, 10 * OKU], dtype=np.int64)
TYPICAL_DEDUCTIBLES = np.array([0, 10 * MAN, 50 * MAN, 100 * MAN, 300 * MAN, 500 * MAN], dtype=np.int64)
RIDER_SHARE = 0.15  # each rider a carrier sells is asked for by this share of clients


def load_rater() -> Rater:
    from carriers.registry import load_all

    report = load_all()
    if not report.clean:
        raise SystemExit(f"carrier data did not load: {report.errors}")
    return Rater(report.loaded.values())


@dataclass(frozen=True)
class Population:
    """n generated clients as plain numpy columns (codes are indexes into rating's INDUSTRIES, LINES …)."""

    industry: np.ndarray  # int16
    annual_revenue_jpy: np.ndarray
    employees: np.ndarray
    records_held: np.ndarray
    servers: np.ndarray
    largest_contract_jpy: np.ndarray
    contract_type: np.ndarray  # int8
    incidents_3y: np.ndarray
    limit_jpy: np.ndarray
    deductible_jpy: np.ndarray
    controls: np.ndarray  # (n, len(CONTROLS)) bool
    riders: np.ndarray  # (n, len(KEYS)) bool
    lines: np.ndarray  # (n, len(LINES)) bool, at least one per row

    def __len__(self) -> int:
        return len(self.annual_revenue_jpy)

    def batch(self) -> ApplicantBatch:
        return ApplicantBatch(**{name: getattr(self, name) for name in ApplicantBatch.__dataclass_fields__})


def generate(n: int, rider_keys: Sequence[Any], seed: int = SEED) -> Population:
    """Deterministic clients: every industry, revenue log-uniform ¥1,000万–¥2,000億, random controls, lines and riders."""
    rng = np.random.default_rng(seed)
    revenue = np.exp(rng.uniform(np.log(1e7), np.log(2e11), n)).astype(np.int64) // 1_000 * 1_000
    employees = np.clip(revenue // 25_000_000, 1, None).astype(np.int64)
    lines = rng.random((n, len(LINES))) < 0.5
    empty = ~lines.any(axis=1)
    lines[empty, rng.integers(0, len(LINES), int(empty.sum()))] = True
    riders = np.zeros((n, len(KEYS)), dtype=bool)
    for key in rider_keys:
        riders[:, KEYS.index(key)] = rng.random(n) < RIDER_SHARE
    return Population(
        industry=rng.integers(0, len(INDUSTRIES), n).astype(np.int16),
        annual_revenue_jpy=revenue,
        employees=employees,
        records_held=rng.integers(0, 2_000_000, n, endpoint=True).astype(np.int64),
        servers=rng.integers(1, 200, n, endpoint=True).astype(np.int64),
        largest_contract_jpy=(revenue // rng.integers(5, 50, n)) // 10_000 * 10_000,
        contract_type=rng.integers(0, len(CONTRACT_TYPES), n).astype(np.int8),
        incidents_3y=rng.integers(0, 3, n, endpoint=True).astype(np.int64),
        limit_jpy=rng.choice(TYPICAL_LIMITS, n),
        deductible_jpy=rng.choice(TYPICAL_DEDUCTIBLES, n),
        controls=rng.random((n, len(CONTROLS))) < 0.5,
        riders=riders,
        lines=lines,
    )


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def conditions() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start"
    )


def table(rows: Sequence[Sequence[object]], head: Sequence[str]) -> str:
    cells = [[str(c) for c in head], *([str(c) for c in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def say(text: str = "") -> None:
    print(text, flush=True)
    sys.stdout.flush()
