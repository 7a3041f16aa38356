"""Bulk quoting: a whole client list rated in chunks and written as one results workbook."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from aggregator.batch import CONTRACT_TYPES, CONTROLS, INDUSTRIES, KEYS, LINES, ApplicantBatch
from aggregator.bulkbook import write_results
from aggregator.clientlist import ClientList, RowError, load_client_list
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
    rows_to: Path | None = None,
) -> BulkSummary:
    """Read, validate, rate and write. Bad rows go to the errors sheet; good rows are still quoted.

    With `rows_to`, each valid row is also written there as an applicant (client_rows), so the rows can later become requests.
    """
    clients = load_client_list(source)
    if rows_to is not None:
        write_client_rows(clients, rows_to)
    if progress:
        progress("reading", clients.total_rows, clients.total_rows)
    result = rate_in_chunks(rater, clients.batch, as_of, progress)
    sample = any(d.sample for d in rater.carriers)
    rows, sheets = write_results(
        target, rater, clients, result, as_of=as_of, sample=sample, progress=progress, max_rows_per_sheet=max_rows_per_sheet
    )
    return BulkSummary(len(clients.companies), rows, clients.bad_rows, sheets, sample, tuple(clients.errors[:ERRORS_KEPT]))


def client_rows(clients: ClientList) -> Iterator[dict[str, Any]]:
    """Each valid row of a list as {"row", "company", "applicant"}: the applicant in the JSON the API takes (applicant_from_data)."""
    b = clients.batch
    columns = {name: getattr(b, name).tolist() for name in b.__dataclass_fields__}
    emails = clients.emails or [""] * len(b)
    for i in range(len(b)):
        yield {
            "row": int(clients.rows[i]),
            "company": clients.companies[i],
            "applicant": {
                "company": clients.companies[i],
                "industry": INDUSTRIES[columns["industry"][i]].value,
                **{name: columns[name][i] for name in _NUMBERS},
                "contract_type": CONTRACT_TYPES[columns["contract_type"][i]].value,
                "controls": [c.value for c, on in zip(CONTROLS, columns["controls"][i], strict=True) if on],
                "lines": [line.value for line, on in zip(LINES, columns["lines"][i], strict=True) if on],
                "riders": [k.value for k, on in zip(KEYS, columns["riders"][i], strict=True) if on],
                "contact_email": emails[i],
            },
        }


_NUMBERS = (
    "annual_revenue_jpy",
    "employees",
    "records_held",
    "servers",
    "largest_contract_jpy",
    "incidents_3y",
    "limit_jpy",
    "deductible_jpy",
)


def write_client_rows(clients: ClientList, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in client_rows(clients):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
