"""Bulk quoting: a whole client list rated in chunks and written as one results workbook."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from aggregator.choice import best_plan
from aggregator.clientlist import COLUMNS, ClientList, RowError, load_client_list
from aggregator.contract import QUESTIONS
from aggregator.labels import carrier_name, line_name
from aggregator.rating import (
    CONTRACT_TYPES,
    CONTROLS,
    DECLINED,
    INDICATION,
    INDUSTRIES,
    KEYS,
    LINES,
    NOT_ASKED,
    QUOTED,
    REFERRED,
    ApplicantBatch,
    BatchResult,
    Rater,
)
from aggregator.schema import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES, Carrier, Line
from aggregator.xlsxstyle import sheet_text

EXCEL_MAX_ROWS = 1_048_576
CHUNK = 20_000
ERRORS_KEPT = 500  # the errors sheet has them all
STATUS_JA = {QUOTED: "見積可", INDICATION: "条件付き", REFERRED: "要審査", DECLINED: "お断り", NOT_ASKED: ""}
Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass(frozen=True)
class BulkSummary:
    clients: int
    quoted_rows: int  # result rows: one per client and line
    bad_rows: int
    sheets: int
    sample: bool
    errors: tuple[RowError, ...] = ()  # the first ERRORS_KEPT bad rows' errors, for a screen to list


@dataclass(frozen=True)
class CarrierPick:
    """Per client, line and carrier: the carrier's best plan for the request."""

    slot: np.ndarray  # (n,) slot index, -1 where the carrier does not sell the line
    status: np.ndarray
    premium: np.ndarray
    limit: np.ndarray
    deductible: np.ndarray


def pick_per_carrier(rater: Rater, result: BatchResult, line: Line, carrier: Carrier, asked: ApplicantBatch) -> CarrierPick:
    """Per client, the plan the carrier's column shows: the one rule single quotes use too (aggregator/choice.py)."""
    slots = [s.index for s in rater.slots if s.plan.line == line and s.plan.carrier == carrier]
    n = result.status.shape[0]
    if not slots:
        empty = np.full(n, -1, dtype=np.int64)
        return CarrierPick(empty, np.full(n, NOT_ASKED, dtype=np.int8), empty, empty, empty)
    limit_gap = np.maximum(0, asked.limit_jpy[:, None] - result.limit[:, slots])
    deductible_gap = np.maximum(0, result.deductible[:, slots] - asked.deductible_jpy[:, None])
    chosen = best_plan(result.status[:, slots], result.adjusted[:, slots], limit_gap, deductible_gap, result.premium[:, slots])
    best = np.asarray(slots)[chosen]
    rows = np.arange(n)
    return CarrierPick(best, result.status[rows, best], result.premium[rows, best], result.limit[rows, best], result.deductible[rows, best])


def cheapest_meeting_request(rater: Rater, result: BatchResult, line: Line) -> np.ndarray:
    """Per client, the slot of the cheapest firm quote that meets the request as asked, or -1."""
    slots = np.array([s.index for s in rater.slots if s.plan.line == line], dtype=np.int64)
    if not len(slots):
        return np.full(result.status.shape[0], -1, dtype=np.int64)
    ok = (result.status[:, slots] == QUOTED) & ~result.adjusted[:, slots]
    price = np.where(ok, result.premium[:, slots], np.iinfo(np.int64).max)
    best = np.argmin(price, axis=1)
    return np.where(ok.any(axis=1), slots[best], -1)


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
    from aggregator.bulkbook import write_results

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


def result_header() -> list[str]:
    head = ["行番号", "会社名", "種目", "希望支払限度額(円)", "希望免責金額(円)"]
    for carrier in Carrier:
        name = carrier_name(carrier)
        head += [f"{name} 状態", f"{name} プラン", f"{name} 保険料(円)", f"{name} 支払限度額(円)", f"{name} 免責金額(円)"]
    return [*head, "条件を満たす最安 保険会社", "最安 プラン", "最安 保険料(円)", *CONTRACT_RESULT]


# What the contract check says of each client (aggregator/contract.py), beside its quotes.
CONTRACT_RESULT = ("契約上の賠償上限(円)", "上限が外れる場合(漏えい・データ消失)", "契約の見直し・確認")


def template_rows(revenue_unit: str = "円") -> tuple[list[str], list[object]]:
    """Headers for a blank client list and one filled-in example row."""
    headers = []
    for column in COLUMNS:
        if column.kind == "money" and column.unit != (
            revenue_unit if column.key in ("annual_revenue_jpy", "largest_contract_jpy") else "円"
        ):
            continue
        headers.append(column.header)
    k = 1_000 if revenue_unit == "千円" else 1
    example: dict[str, object] = {
        "会社名": "株式会社サンプル開発(記入例)",
        "業種": INDUSTRY_NAMES[next(iter(INDUSTRY_NAMES))][0],
        f"売上高({revenue_unit})": 500_000_000 // k,
        "従業員数": 45,
        "保有個人情報件数": 30_000,
        "サーバー台数": 12,
        f"最大契約金額({revenue_unit})": 30_000_000 // k,
        "契約形態": CONTRACT_TYPE_NAMES[next(iter(CONTRACT_TYPE_NAMES))][0],
        "過去3年の事故件数": 0,
        "希望種目": "、".join(line_name(line) for line in (LINES[0], LINES[1])),
        "支払限度額(円)": 100_000_000,
        "免責金額(円)": 100_000,
        "特約": "",
        "メールアドレス": "",
        **{q.short_ja: "わからない" for q in QUESTIONS},
        "賠償の上限": "契約金額",
        "特別損害の除外": "はい",
    }
    for control, (ja, _) in CONTROL_NAMES.items():
        example[ja] = "○" if control.value in ("mfa", "offline_backup", "staff_training") else "×"
    return headers, [sheet_text(v) if isinstance(v := example.get(h, ""), str) else v for h in headers]
