"""One bulk job in a process of its own: a list that crashes the reader takes down this process, never a worker or the site.

The parent (a bulk worker) starts `python -m aggregator.bulkchild PARENT_PID` and writes one pickled
request to stdin: the carriers' data, the list, the result file, the quote date and a memory allowance. This process answers on stdout, one JSON
object a line: {"progress": [stage, done, total]} as it goes, then {"done": summary} or
{"failed": reason}. It dies with its parent, so a worker killed mid-job leaves nothing running.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aggregator.rates import CarrierData

PROGRESS_EVERY = 0.3  # seconds between progress lines
MEMORY_FAILURE = "memory"


@dataclass(frozen=True)
class Request:
    carriers: tuple[CarrierData, ...]
    source: Path
    target: Path
    as_of: date
    memory_bytes: int  # 0: no limit of its own
    rows_to: Path | None = None  # where each valid row goes as an applicant (JSON lines), for turning rows into requests


def _die_with_parent(parent: int) -> None:
    """Linux: be killed when the worker that started us dies (kill -9 included), and check it had not already."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _limit_memory(allowance: int) -> None:
    """Address space for this job on top of what is mapped already; past it an allocation fails instead of the machine swapping."""
    if allowance <= 0 or not Path("/proc/self/statm").is_file():
        return
    import resource

    with open("/proc/self/statm", encoding="ascii") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = mapped + allowance
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run(request: Request) -> dict[str, Any]:
    """Rate the list and write the result; the answer to send back."""
    from aggregator.bounds import build_rater
    from aggregator.bulk import run_bulk
    from aggregator.errors import AggregatorError, without_paths

    last = 0.0

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY or done >= total:
            last = time.monotonic()
            _say({"progress": [stage, done, total]})

    try:
        summary = run_bulk(
            build_rater(request.carriers), request.source, request.target, request.as_of, progress=progress, rows_to=request.rows_to
        )
    except MemoryError:
        return {"failed": MEMORY_FAILURE}
    except (AggregatorError, OSError, ValueError) as exc:
        return {"failed": without_paths(str(exc))[:2000]}
    return {
        "done": {
            "clients": summary.clients,
            "bad_rows": summary.bad_rows,
            "errors": [[e.row, e.column, "" if e.value is None else str(e.value)[:100], e.reason] for e in summary.errors],
        }
    }


def main() -> None:
    _die_with_parent(int(sys.argv[1]))
    # Everything the job needs is imported before the memory limit applies (pandas imports its readers lazily).
    import importlib

    for module in ("pandas.io.excel._calamine", "python_calamine", "xlsxwriter"):
        importlib.import_module(module)

    import aggregator.bounds
    import aggregator.bulk
    import aggregator.bulkbook  # noqa: F401

    request: Request = pickle.loads(sys.stdin.buffer.read())  # from our own parent, through a pipe
    _limit_memory(request.memory_bytes)
    try:
        answer = run(request)
    except MemoryError:
        answer = {"failed": MEMORY_FAILURE}
    _say(answer)


if __name__ == "__main__":
    main()
