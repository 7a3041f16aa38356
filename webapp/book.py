"""The broker's book: the policy a won request places, reopening it, renewals due and re-quoted, a client list's rows made requests.

Renewals and rows-to-requests run as jobs on the same queue and BulkJob rows as a client list (their
progress page, heartbeat, interruption and retry), in the worker's own thread: each item is one
comparison, like a customer's request, and each is committed as it is made, so a job run again
after an interruption makes only what is missing (a policy renewed once, a row turned once).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import gettext
from sqlalchemy import select, update

from aggregator import clock
from aggregator.applicants import ApplicantInputError, applicant_from_data
from aggregator.current import CurrentPolicy
from aggregator.current_data import current_from_data, items_from_cells
from aggregator.policy import RENEWAL_WINDOWS, window_of
from aggregator.recommendation import priorities_from_data
from aggregator.schema import Line
from webapp import storage
from webapp.extensions import db
from webapp.models import BulkJob, Policy, QuoteRequest, QuoteVersion, now

IN_FORCE, CANCELLED, RENEWED = "in_force", "cancelled", "renewed"
ROWS_SHOWN = 200  # rows of a quoted list offered one by one on its page (all of them can be turned at once)


class BookError(ValueError):
    """A broker's action on the book that cannot be done as asked; the message says why, in the page's language."""


# ------------------------------------------------------------------------ policies ---


def quoted_column(version: QuoteVersion, choice: str) -> dict[str, Any]:
    """The stored column of the plan chosen ("carrier:plan_code") in the version's record: what was quoted, frozen."""
    carrier, _, code = choice.partition(":")
    for column in version.record["comparison"]["columns"]:
        if column["carrier"] == carrier and column["plan_code"] == code:
            if column["status"] == "declined":
                raise BookError(gettext("お引受けできないプランでは成約にできません"))
            return dict(column)
    raise BookError(gettext("この版の比較表にないプランです"))


def win(
    request_row: QuoteRequest,
    version: QuoteVersion,
    *,
    choice: str,
    premium_jpy: int,
    start: date,
    expiry: date,
    number: str,
    by: str,
) -> Policy:
    """成約: the policy placed from one plan of one version, with its dates and number; the policy it renews becomes renewed."""
    if request_row.status != "proposed":
        raise BookError(gettext("成約にできるのは「提案済」の見積依頼です(先に比較推奨の提案を記録してください)"))
    if expiry <= start:
        raise BookError(gettext("満期日は始期日より後の日付にしてください"))
    column = quoted_column(version, choice)
    limit = column["quoted"]["limit_jpy"]
    policy = Policy(
        request_id=request_row.id,
        version_id=version.id,
        created_by=by,
        company=request_row.company,
        carrier=column["carrier"],
        plan_code=column["plan_code"],
        plan_name=column["plan_name"],
        line=version.line,
        limit_jpy=limit,
        deductible_jpy=column["quoted"]["deductible_jpy"],
        premium_jpy=premium_jpy,
        start_date=start,
        expiry_date=expiry,
        policy_number=number,
        items=items_from_cells(column["cells"], limit),
        status=IN_FORCE,
    )
    db.session.add(policy)
    request_row.status = "won"
    db.session.execute(update(Policy).where(Policy.renewal_request_id == request_row.id, Policy.status == IN_FORCE).values(status=RENEWED))
    return policy


def in_force(request_row: QuoteRequest) -> Policy | None:
    return db.session.scalars(select(Policy).where(Policy.request_id == request_row.id, Policy.status == IN_FORCE)).first()


def policies_of(request_row: QuoteRequest) -> list[Policy]:
    return list(db.session.scalars(select(Policy).where(Policy.request_id == request_row.id).order_by(Policy.id.desc())))


def renewed_by(request_row: QuoteRequest) -> Policy | None:
    """The policy this request renews, when it is a renewal."""
    return db.session.scalars(select(Policy).where(Policy.renewal_request_id == request_row.id)).first()


def reopen(request_row: QuoteRequest, reason: str) -> Policy | None:
    """Take a won request back to 提案済: its policy is kept, cancelled with the reason (the audit log keeps it too)."""
    if request_row.status != "won":
        raise BookError(gettext("成約を取り消せるのは「成約」の見積依頼だけです"))
    if not reason.strip():
        raise BookError(gettext("成約を取り消す理由を入力してください"))
    policy = in_force(request_row)
    if policy is not None:
        policy.status, policy.cancel_reason = CANCELLED, reason.strip()
    request_row.status = "proposed"
    return policy


# ------------------------------------------------------------------------ renewals ---


def as_current(policy: Policy) -> CurrentPolicy:
    """A policy we placed, as the current policy its renewal is compared with."""
    current = current_from_data(
        {
            "insurer": policy.carrier,
            "product": policy.plan_name,
            "line": policy.line,
            "limit_jpy": policy.limit_jpy,
            "deductible_jpy": policy.deductible_jpy,
            "premium_jpy": policy.premium_jpy,
            "expiry": policy.expiry_date.isoformat(),
            "policy_number": policy.policy_number,
            "items": policy.items or {},
        }
    )
    assert current is not None
    return current


def due(today: date) -> dict[int, list[Policy]]:
    """Policies in force that expire within 90 days, by the smallest window (30, 60, 90) each falls in."""
    rows = db.session.scalars(
        select(Policy)
        .where(Policy.status == IN_FORCE, Policy.expiry_date >= today, Policy.expiry_date <= today + timedelta(days=max(RENEWAL_WINDOWS)))
        .order_by(Policy.expiry_date, Policy.id)
    ).all()
    grouped: dict[int, list[Policy]] = {w: [] for w in RENEWAL_WINDOWS}
    for policy in rows:
        window = window_of(policy.expiry_date, today)
        if window is not None:
            grouped[window].append(policy)
    return grouped


def lapsed(today: date) -> list[Policy]:
    """Policies past their expiry that are still in force in the book: renewed elsewhere, or not at all."""
    return list(
        db.session.scalars(select(Policy).where(Policy.status == IN_FORCE, Policy.expiry_date < today).order_by(Policy.expiry_date))
    )


def to_renew(today: date, window: int) -> list[Policy]:
    """The policies a renewal job for `window` days re-quotes: in force, expiring within it, not re-quoted yet."""
    return list(
        db.session.scalars(
            select(Policy)
            .where(
                Policy.status == IN_FORCE,
                Policy.renewal_request_id.is_(None),
                Policy.expiry_date >= today,
                Policy.expiry_date <= today + timedelta(days=window),
            )
            .order_by(Policy.expiry_date, Policy.id)
        )
    )


def renew(app: Flask, policy: Policy) -> QuoteRequest:
    """A renewal request: the client's request again at the policy's terms, rated for cover from the expiry, compared with the policy."""
    original = db.session.get(QuoteRequest, policy.request_id)
    assert original is not None  # a policy belongs to its request (ON DELETE CASCADE)
    line = Line(policy.line)
    applicant = storage.applicant_of(original)
    applicant = replace(
        applicant,
        limit_jpy=policy.limit_jpy,
        deductible_jpy=policy.deductible_jpy,
        lines=(line, *(other for other in applicant.lines if other is not line)),
    )
    start = policy.expiry_date if policy.expiry_date > clock.today() else None
    created = storage.create_request(
        app.extensions["rater"],
        applicant,
        priorities_from_data(original.priorities, stored=True),
        as_of=storage.rating_day(start),
        source="renewal",
        current=as_current(policy),
        start_date=start,
        lang=original.lang,
        commit=False,
    )
    db.session.flush()
    policy.renewal_request_id = created.id
    return created


# ------------------------------------------------------------- a list's rows, to requests ---


def client_rows_file(app: Flask, job: BulkJob) -> Path:
    from webapp.tasks import CLIENT_ROWS, job_folder

    return job_folder(app, job) / CLIENT_ROWS


def read_rows(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The rows a quoted list's job process wrote (our own JSON lines, never the list itself)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in islice(lines, limit):
            yield json.loads(line)


def turned(job: BulkJob) -> dict[int, int]:
    """The rows of a quoted list already made requests: row number → request id."""
    rows = db.session.execute(select(QuoteRequest.bulk_row, QuoteRequest.id).where(QuoteRequest.bulk_job_id == job.id)).all()
    return {row: request_id for row, request_id in rows if row is not None}


def row_to_request(app: Flask, job: BulkJob, row: dict[str, Any]) -> QuoteRequest:
    applicant = applicant_from_data(row["applicant"])
    return storage.create_request(
        app.extensions["rater"],
        applicant,
        priorities_from_data(None),
        as_of=clock.today(),
        source="bulk",
        bulk_job_id=job.id,
        bulk_row=int(row["row"]),
        commit=False,
    )


# ----------------------------------------------------------------------- the jobs ---


def _claim(job_id: int) -> bool:
    claimed = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.status == "queued")
        .values(status="running", stage="rating", done=0, total=0, error="", row_errors=[], attempts=BulkJob.attempts + 1, updated_at=now())
    )
    db.session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _beat(job_id: int, attempt: int, **values: Any) -> bool:
    """Progress and a sign of life; False when this attempt no longer owns the job (it was seen as stopped and rerun)."""
    result = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.attempts == attempt, BulkJob.status == "running")
        .values(updated_at=now(), **values)
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def run_book_job(app: Flask, job_id: int) -> None:
    """Run a renewal or rows-to-requests job, one item at a time, each committed as it is made."""
    from webapp.carrierdata import refresh_if_changed

    if not _claim(job_id):
        return
    refresh_if_changed(app)
    job = db.session.get(BulkJob, job_id)
    assert job is not None
    attempt = job.attempts
    try:
        outcome = _renewals(app, job, attempt) if job.kind == "renewal" else _requests(app, job, attempt)
    except Exception as exc:
        db.session.rollback()
        _beat(job_id, attempt, status="failed", finished_at=now(), error=f"予期しないエラー: {type(exc).__name__}")
        raise
    if outcome is not None:
        made, errors = outcome
        _beat(job_id, attempt, status="done", stage="done", clients=made, bad_rows=len(errors), row_errors=errors[:500], finished_at=now())


def _renewals(app: Flask, job: BulkJob, attempt: int) -> tuple[int, list[list[Any]]] | None:
    window = int((job.params or {}).get("window", max(RENEWAL_WINDOWS)))
    policies = to_renew(clock.today(), window)
    made = 0
    if not _beat(job.id, attempt, total=len(policies)):
        return None
    for done, policy in enumerate(policies, start=1):
        renew(app, policy)
        db.session.commit()
        made += 1
        if not _beat(job.id, attempt, done=done):
            return None
    return made, []


def _requests(app: Flask, job: BulkJob, attempt: int) -> tuple[int, list[list[Any]]] | None:
    source = db.session.get(BulkJob, int((job.params or {})["source"]))
    if source is None or source.status != "done":
        raise_failed = "見積もりが完了した一括見積のジョブではありません"
        _beat(job.id, attempt, status="failed", finished_at=now(), error=raise_failed)
        return None
    chosen = set((job.params or {}).get("rows") or [])
    path = client_rows_file(app, source)
    total = sum(1 for row in read_rows(path) if not chosen or row["row"] in chosen)
    if not _beat(job.id, attempt, total=total):
        return None
    already = turned(source)
    made, errors, done = 0, [], 0
    for row in read_rows(path):
        if chosen and row["row"] not in chosen:
            continue
        done += 1
        if row["row"] not in already:
            try:
                row_to_request(app, source, row)
                db.session.commit()
                made += 1
            except ApplicantInputError as exc:
                db.session.rollback()
                errors.append([row["row"], exc.errors[0].field, str(row.get("company", ""))[:100], exc.errors[0].reason])
        if not _beat(job.id, attempt, done=done):
            return None
    return made, errors
