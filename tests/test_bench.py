"""Every benchmark runs to its end in smoke mode, so a change that breaks one fails the tests, not the next `make bench`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = sorted(p.name for p in (ROOT / "bench").glob("bench_*.py"))


def test_make_bench_runs_every_benchmark() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert [name for name in BENCHMARKS if name not in recipe] == []


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS)
def test_benchmark_runs_to_the_end_in_smoke_mode(script: str, tmp_path: Path) -> None:
    env = {**os.environ, "BENCH_CACHE": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--smoke"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Each prints its verdict line: a run that stopped half way has none.
    assert "met" in done.stdout or "MISSED" in done.stdout, done.stdout[-2000:]
    assert "Traceback" not in done.stderr
