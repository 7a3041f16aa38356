"""Bulk quoting: a whole client list rated in chunks and written as one results workbook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from aggregator.batch import ApplicantBatch
from aggregator.bulkbook import write_results
from aggregator.clientlist import RowError, load_client_list
from aggregator.rating import BatchResult, Rater

EXCEL_MAX_ROWS = 1_048_576
CHUNK = 20_000
ERRORS_KEPT = 500  # the errors sheet has them all
Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass(frozen=True)
class BulkSummary:
    clients: int
    quoted_rows: int  # result rows: one per client and line
    bad_rows: int
    sheets: int
    sample: bool
    errors: tuple[RowError, ...] = ()  # the first ERRORS_KEPT bad rows' errors, for a screen to list


def rate_in_chunks(rater: Rater, batch: ApplicantBatch, as_of: date, progress: Progress | None = None) -> BatchResult:
    parts = []
    for start in range(0, len(batch), CHUNK):
        parts.append(rater.rate_batch(batch.rows(slice(start, start + CHUNK)), as_of))
        if progress:
            progress("rating", min(start + CHUNK, len(batch)), len(batch))
    if not parts:
        return rater.rate_batch(batch, as_of)
    return BatchResult(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("status", "premium", "limit", "deductible", "adjusted")))


def run_bulk(
    rater: Rater,
    source: Path,
    target: Path,
    as_of: date,
    *,
    progress: Progress | None = None,
    max_rows_per_sheet: int = EXCEL_MAX_ROWS,
) -> BulkSummary:
    """Read, validate, rate and write. Bad rows go to the errors sheet; good rows are still quoted."""
    clients = load_client_list(source)
    if progress:
        progress("reading", clients.total_rows, clients.total_rows)
    result = rate_in_chunks(rater, clients.batch, as_of, progress)
    sample = any(d.sample for d in rater.carriers)
    rows, sheets = write_results(
        target, rater, clients, result, as_of=as_of, sample=sample, progress=progress, max_rows_per_sheet=max_rows_per_sheet
    )
    return BulkSummary(len(clients.companies), rows, clients.bad_rows, sheets, sample, tuple(clients.errors[:ERRORS_KEPT]))
