"""Background work on a real task queue: huey on SQLite by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy import update

from aggregator import clock
from webapp.extensions import db
from webapp.models import BulkJob, now

TASK_NAME = "bulk_quote"
PROGRESS_EVERY = 0.3  # seconds between progress writes: often enough for the bar, rare enough for the database
STALE_AFTER = timedelta(minutes=10)  # a running job silent this long has lost its worker


def setup(app: Flask) -> None:
    """One queue per app, with the bulk task bound to that app (the worker builds the same app)."""
    redis_url = app.config.get("REDIS_URL")
    queue: Huey
    if redis_url:
        queue = RedisHuey("aggregator", url=redis_url)
    else:
        path = app.config.get("HUEY_DB") or str(Path(app.instance_path) / "queue.sqlite3")
        queue = SqliteHuey("aggregator", filename=path)

    @queue.task(name=TASK_NAME)
    def bulk_quote(job_id: int) -> None:
        with app.app_context():
            run_job(app, job_id)

    app.extensions["huey"] = queue
    app.extensions["bulk_task"] = bulk_quote


def job_folder(app: Flask, job: BulkJob) -> Path:
    return Path(app.instance_path) / "bulk" / job.token


def enqueue(app: Flask, job: BulkJob) -> None:
    app.extensions["bulk_task"](job.id)


def run_job(app: Flask, job_id: int) -> None:
    """Quote one uploaded client list. The result file appears whole or not at all; a failure says why."""
    from aggregator.bulk import run_bulk
    from aggregator.errors import AggregatorError, ClientListError
    from webapp.carrierdata import refresh_if_changed

    # Claim the job in one statement: a job another worker is running, or one already done, is left alone.
    claimed = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.status.in_(["queued", "failed"]))
        .values(status="running", stage="reading", done=0, error="", row_errors=[], attempts=BulkJob.attempts + 1, updated_at=now())
    )
    db.session.commit()
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return
    refresh_if_changed(app)  # a worker in its own process quotes with the carrier versions the web app shows
    job = db.session.get(BulkJob, job_id)
    assert job is not None
    folder = job_folder(app, job)
    source = next(iter(sorted(folder.glob("input.*"))), None)
    last = 0.0

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last < PROGRESS_EVERY and done < total:
            return
        last = time.monotonic()
        job.stage, job.done, job.total, job.updated_at = stage, done, total, now()
        db.session.commit()

    try:
        if source is None:
            raise ClientListError("アップロードされたファイルが見つかりません")
        summary = run_bulk(app.extensions["rater"], source, folder / "result.xlsx", clock.today(), progress=progress)
    except (AggregatorError, OSError, ValueError) as exc:
        db.session.rollback()
        job.status, job.error, job.finished_at = "failed", str(exc)[:2000], now()
        db.session.commit()
        return
    except Exception as exc:
        db.session.rollback()
        job.status, job.error, job.finished_at = "failed", f"予期しないエラー: {type(exc).__name__}", now()
        db.session.commit()
        raise
    job.status, job.stage, job.finished_at = "done", "done", now()
    job.clients, job.bad_rows, job.done = summary.clients, summary.bad_rows, job.total
    job.row_errors = [[e.row, e.column, "" if e.value is None else str(e.value)[:100], e.reason] for e in summary.errors]
    db.session.commit()


def is_stale(job: BulkJob, older_than: timedelta = STALE_AFTER) -> bool:
    """A running job with no sign of life for a while: its worker stopped."""
    if job.status != "running":
        return False
    seen = job.updated_at
    if seen is None:
        return True
    if seen.tzinfo is None:  # SQLite hands back naive UTC
        seen = seen.replace(tzinfo=UTC)
    return now() - seen > older_than


def mark_interrupted(app: Flask, older_than: timedelta | None = STALE_AFTER) -> int:
    """Jobs left 'running' by a worker that stopped: say so, so they can be run again.

    With `older_than=None` every running job counts (the embedded worker is the only one there is);
    otherwise only jobs quiet for that long, so starting a second worker leaves the first one's jobs be.
    """
    with app.app_context():
        running = db.session.scalars(db.select(BulkJob).where(BulkJob.status == "running")).all()
        stuck = [job for job in running if older_than is None or is_stale(job, older_than)]
        for job in stuck:
            job.status, job.error, job.finished_at = "failed", "処理が中断されました(ワーカーが停止しました)。もう一度実行できます。", now()
            partial = job_folder(app, job) / "result.xlsx.part"
            partial.unlink(missing_ok=True)
        db.session.commit()
        return len(stuck)


def start_embedded_worker(app: Flask, workers: int = 1) -> Consumer:
    """The worker `aggregator serve` runs inside the web process (production runs `aggregator worker`).

    Consumer.start() would also take over the process's signal handlers, which only the main
    thread may do and which the web server needs: start its scheduler and worker threads alone.
    """
    mark_interrupted(app, older_than=None)
    consumer = app.extensions["huey"].create_consumer(workers=workers, worker_type="thread", periodic=False, check_worker_health=False)
    consumer.scheduler.start()
    for _, thread in consumer.worker_threads:
        thread.start()
    return consumer


def remove_job_files(app: Flask, job: BulkJob) -> None:
    shutil.rmtree(job_folder(app, job), ignore_errors=True)


def describe(job: BulkJob) -> dict[str, Any]:
    stale = is_stale(job)
    return {
        "status": "failed" if stale else job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": 100 if job.status == "done" else (int(job.done * 100 / job.total) if job.total else 0),
        "clients": job.clients,
        "bad_rows": job.bad_rows,
        "error": "処理が止まっています(ワーカーが停止した可能性があります)。もう一度実行できます。" if stale else job.error,
    }
