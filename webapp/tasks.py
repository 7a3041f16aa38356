"""Background work on a real task queue: huey on SQLite by default, Redis when REDIS_URL is set.

A bulk job runs in a child process (aggregator.bulkchild): a client list that crashes its reader
takes that process down, never a worker or the web app. The worker thread waiting on it writes a
heartbeat every few seconds. When the heartbeat stops (the worker was killed), whichever process
looks next (another worker, a broker's page) sees it within a minute, marks the job interrupted,
and a retry runs it again from the start. A list whose job process itself died is failed once,
with the reason, and not offered again: a retry would only crash the same way.
"""

from __future__ import annotations

import json
import os
import pickle
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import select, update

from aggregator import clock
from webapp.extensions import db
from webapp.models import BulkJob, now

TASK_NAME = "bulk_quote"
CLIENT_ROWS = "result.clients.jsonl"  # each valid row of a quoted list as an applicant, for turning rows into requests
STALE_AFTER = timedelta(minutes=10)  # a running job this old by any clock has lost its worker, seen or not
MAX_ATTEMPTS = 3  # a job interrupted this many times is failed for good: its file may be what kills the worker
CRASHED = "crashed"  # the stage of a failed job not to be run again
INTERRUPTED_MESSAGE = "処理が中断されました(ワーカーが停止しました)。「もう一度実行する」で最初からやり直せます。"
CRASH_MESSAGE = (
    "この顧客リストの処理中に計算のプロセスが異常終了しました{detail}。同じファイルでは再実行できません。"
    "行数を減らすなど内容を確かめてから、新しくアップロードしてください。"
)
MEMORY_MESSAGE = (
    "この顧客リストはメモリが足りず処理できませんでした。同じファイルでは再実行できません。ファイルを分けてアップロードしてください。"
)


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

    @queue.task(name="book_job")
    def book_job(job_id: int) -> None:
        from webapp.book import run_book_job

        with app.app_context():
            run_book_job(app, job_id)

    @queue.task(name="send_mail", retries=5, retry_delay=int(app.config.get("MAIL_RETRY_SECONDS", 60)))
    def send_mail(to: list[str], template: str, langs: list[str], context: dict[str, Any]) -> None:
        from webapp.mail import deliver

        with app.app_context():
            deliver(app, to, template, langs, context)

    @queue.task(name="renewal_reminders")
    def renewal_reminders() -> int:
        from webapp.mail import send_due_reminders

        with app.app_context():
            return send_due_reminders(app)

    @queue.periodic_task(crontab(minute="0"), name="renewal_reminders_hourly")
    def renewal_reminders_hourly() -> None:  # a consumer started with periodic tasks on (both of ours are) runs this each hour
        renewal_reminders()

    app.extensions["huey"] = queue
    app.extensions["bulk_task"] = bulk_quote
    app.extensions["book_task"] = book_job
    app.extensions["mail_task"] = send_mail
    app.extensions["reminder_task"] = renewal_reminders


def job_folder(app: Flask, job: BulkJob) -> Path:
    return Path(app.instance_path) / "bulk" / job.token


def enqueue(app: Flask, job: BulkJob) -> None:
    """Queue a job for a worker: a client list to quote, or the broker's book's own jobs (renewals, rows to requests)."""
    app.extensions["bulk_task" if job.kind in ("quote", None) else "book_task"](job.id)


def _heartbeat(app: Flask) -> float:
    return float(app.config["BULK_HEARTBEAT_SECONDS"])


def _remove_results(folder: Path) -> None:
    """Any result left by an earlier attempt: a job offers its own whole result, or none."""
    for path in folder.glob("result*"):
        path.unlink(missing_ok=True)


# ------------------------------------------------------------------ the job ---


def run_job(app: Flask, job_id: int) -> None:
    """Quote one uploaded client list in a child process. The result file appears whole or not at all; a failure says why."""
    from webapp.carrierdata import refresh_if_changed

    # Claim the job in one statement: a job another worker is running, or one already finished, is left alone.
    claimed = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.status == "queued")
        .values(
            status="running", stage="reading", done=0, total=0, error="", row_errors=[], attempts=BulkJob.attempts + 1, updated_at=now()
        )
    )
    db.session.commit()
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return
    refresh_if_changed(app)  # a worker in its own process quotes with the carrier versions the web app shows
    job = db.session.get(BulkJob, job_id)
    assert job is not None
    attempt, folder = job.attempts, job_folder(app, job)
    _remove_results(folder)
    source = next(iter(sorted(folder.glob("input.*"))), None)
    if source is None:
        _finish(job_id, attempt, status="failed", error="アップロードされたファイルが見つかりません")
        return
    try:
        outcome = _Child(app, job_id, attempt).run(source, folder / f"result.{attempt}.xlsx", folder / f"result.{attempt}.clients.jsonl")
    except Exception as exc:  # the job process could not be started or listened to: say so now, not a minute later
        db.session.rollback()
        _finish(job_id, attempt, status="failed", error=f"予期しないエラー: {type(exc).__name__}")
        raise
    if outcome.lost:
        return  # marked interrupted meanwhile (this worker looked dead): a rerun owns the job now
    if outcome.answer is not None and "done" in outcome.answer:
        done = outcome.answer["done"]
        if _owns(job_id, attempt):
            (folder / f"result.{attempt}.xlsx").replace(folder / "result.xlsx")
            rows = folder / f"result.{attempt}.clients.jsonl"
            if rows.exists():
                rows.replace(folder / CLIENT_ROWS)
            _finish(
                job_id, attempt, status="done", stage="done", clients=done["clients"], bad_rows=done["bad_rows"], row_errors=done["errors"]
            )
        return
    failure = outcome.answer.get("failed") if outcome.answer is not None else None
    if failure is None:
        detail = f"(終了コード {outcome.returncode})" if outcome.returncode else ""
        _finish(job_id, attempt, status="failed", stage=CRASHED, error=CRASH_MESSAGE.format(detail=detail))
    elif failure == "memory":
        _finish(job_id, attempt, status="failed", stage=CRASHED, error=MEMORY_MESSAGE)
    else:
        _finish(job_id, attempt, status="failed", error=str(failure))


def _owns(job_id: int, attempt: int) -> bool:
    found = db.session.scalar(select(BulkJob.id).where(BulkJob.id == job_id, BulkJob.attempts == attempt, BulkJob.status == "running"))
    return found is not None


def _finish(job_id: int, attempt: int, **values: Any) -> None:
    """The job's outcome, written only while this attempt still owns it."""
    if values.get("status") == "done":
        values["done"] = BulkJob.total
    db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job_id, BulkJob.attempts == attempt, BulkJob.status == "running")
        .values(finished_at=now(), updated_at=now(), **values)
    )
    db.session.commit()


@dataclass
class _Outcome:
    answer: dict[str, Any] | None = None
    returncode: int | None = None
    lost: bool = False


class _Child:
    """The job's process: started, fed its request, listened to, and its heartbeat written while it runs."""

    def __init__(self, app: Flask, job_id: int, attempt: int) -> None:
        self.app, self.job_id, self.attempt = app, job_id, attempt

    def run(self, source: Path, target: Path, rows: Path | None = None) -> _Outcome:
        from aggregator.bulkchild import Request

        request = Request(
            carriers=tuple(self.app.extensions["carriers"].values()),
            source=source,
            target=target,
            as_of=clock.today(),
            memory_bytes=int(self.app.config["BULK_MEMORY_MB"]) * 1024 * 1024,
            rows_to=rows,
        )
        command = [sys.executable, "-m", "aggregator.bulkchild", str(os.getpid())]
        with (
            tempfile.TemporaryFile() as errors,
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors) as process,
        ):
            assert process.stdin is not None
            try:
                process.stdin.write(pickle.dumps(request))
                process.stdin.close()
            except BrokenPipeError:
                pass  # it died before reading: its exit code says so
            outcome = self._listen(process)
            outcome.returncode = process.wait()
            if outcome.answer is None and not outcome.lost:
                errors.seek(0)
                tail = errors.read()[-4000:].decode("utf-8", "replace")
                self.app.logger.error("bulk job %s: its process ended with %s without an answer: %s", self.job_id, outcome.returncode, tail)
        return outcome

    def _listen(self, process: subprocess.Popen[bytes]) -> _Outcome:
        assert process.stdout is not None
        outcome = _Outcome()
        beat_every = _heartbeat(self.app)
        last_beat, pending, buffer = time.monotonic(), None, b""
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                if selector.select(timeout=beat_every):
                    chunk = os.read(process.stdout.fileno(), 65536)
                    if not chunk:
                        break  # it closed its output: it has ended
                    *lines, buffer = (buffer + chunk).split(b"\n")
                    for line in lines:
                        message = _message(line)
                        if "progress" in message:
                            pending = message["progress"]
                        elif "done" in message or "failed" in message:
                            outcome.answer = message
                if pending is not None or time.monotonic() - last_beat >= beat_every:
                    if not self._beat(pending):
                        process.kill()
                        outcome.lost = True
                        break
                    last_beat, pending = time.monotonic(), None
        return outcome

    def _beat(self, progress: list[Any] | None) -> bool:
        """A sign of life (with the progress, when there is new progress); False when this attempt no longer owns the job."""
        values: dict[str, Any] = {"updated_at": now()}
        if progress is not None:
            values["stage"], values["done"], values["total"] = progress
        result = db.session.execute(
            update(BulkJob).where(BulkJob.id == self.job_id, BulkJob.attempts == self.attempt, BulkJob.status == "running").values(**values)
        )
        db.session.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _message(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


# --------------------------------------------------------- dead workers ---


class _Watch:
    """Per process: each running job's last heartbeat as this process first saw it, and when (on this process's own clock).

    A heartbeat that has not changed for the stale time means its worker is gone. Only values are
    compared, never one process's clock with another's.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[int, tuple[tuple[Any, int], float]] = {}


_watch = _Watch()


def _older_than(beat: datetime | None, age: timedelta) -> bool:
    """Is this heartbeat older than `age` by this process's clock (no heartbeat at all counts as old)?"""
    if beat is None:
        return True
    if beat.tzinfo is None:  # SQLite hands back naive UTC
        beat = beat.replace(tzinfo=UTC)
    return now() - beat > age


def sweep(app: Flask, stale_seconds: float | None = None) -> int:
    """Mark interrupted every running job whose heartbeat has stood still for the stale time. Returns how many."""
    stale = float(app.config["BULK_STALE_SECONDS"] if stale_seconds is None else stale_seconds)
    rows = db.session.execute(select(BulkJob.id, BulkJob.updated_at, BulkJob.attempts).where(BulkJob.status == "running")).all()
    dead = []
    with _watch.lock:
        running = {job_id for job_id, _, _ in rows}
        for job_id in [j for j in _watch.seen if j not in running]:
            del _watch.seen[job_id]
        for job_id, beat, attempts in rows:
            key = (beat, attempts)
            seen = _watch.seen.get(job_id)
            if seen is None or seen[0] != key:
                _watch.seen[job_id] = seen = (key, time.monotonic())
            if _older_than(beat, STALE_AFTER) or time.monotonic() - seen[1] >= stale:
                dead.append((job_id, beat, attempts))
    return sum(_interrupt(app, *found) for found in dead)


def _interrupt(app: Flask, job_id: int, beat: datetime | None, attempts: int) -> int:
    """Mark one job interrupted, provided it is still the attempt, with the heartbeat, that was seen to stop."""
    values: dict[str, Any] = {"status": "interrupted", "error": INTERRUPTED_MESSAGE, "finished_at": now()}
    if attempts >= MAX_ATTEMPTS:
        values = {
            "status": "failed",
            "stage": CRASHED,
            "finished_at": now(),
            "error": f"この顧客リストの処理中にワーカーが{attempts}回止まりました。同じファイルでは再実行できません。ファイルを分けてアップロードしてください。",
        }
    same_beat = BulkJob.updated_at.is_(None) if beat is None else BulkJob.updated_at == beat
    result = db.session.execute(
        update(BulkJob).where(BulkJob.id == job_id, BulkJob.status == "running", BulkJob.attempts == attempts, same_beat).values(**values)
    )
    db.session.commit()
    if result.rowcount:  # type: ignore[attr-defined]
        job = db.session.get(BulkJob, job_id)
        if job is not None:
            _remove_results(job_folder(app, job))
        return 1
    return 0


def mark_interrupted(app: Flask, older_than: timedelta | None = STALE_AFTER) -> int:
    """Jobs left 'running' by a worker that stopped, at start-up: marked so they can be run again.

    With `older_than=None` every running job counts (the embedded worker is the only one there is);
    otherwise only jobs quiet for that long, so starting a second worker leaves the first one's jobs be.
    """
    with app.app_context():
        rows = db.session.execute(select(BulkJob.id, BulkJob.updated_at, BulkJob.attempts).where(BulkJob.status == "running")).all()
        quiet = [row for row in rows if older_than is None or _older_than(row[1], older_than)]
        return sum(_interrupt(app, job_id, beat, attempts) for job_id, beat, attempts in quiet)


def retryable(job: BulkJob) -> bool:
    return job.status == "interrupted" or (job.status == "failed" and job.stage != CRASHED)


def reset_for_retry(app: Flask, job: BulkJob) -> bool:
    """Queue the job to run again from the start, if it may be; False when it may not."""
    if not retryable(job):
        return False
    job.status, job.error, job.done, job.total, job.stage, job.finished_at = "queued", "", 0, 0, "", None
    _remove_results(job_folder(app, job))
    return True


class Sweeper:
    """A thread in each worker process that sweeps for dead workers' jobs every heartbeat."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="bulk-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)

    def _loop(self) -> None:
        while not self.stopped.wait(_heartbeat(self.app)):
            try:
                with self.app.app_context():
                    sweep(self.app)
            except Exception:
                self.app.logger.exception("sweeping for interrupted bulk jobs failed; trying again")


class EmbeddedWorker:
    """The queue's consumer threads and the sweeper, running inside the web process."""

    def __init__(self, consumer: Consumer, sweeper: Sweeper) -> None:
        self.consumer, self.sweeper = consumer, sweeper

    def stop(self, graceful: bool = True) -> None:
        self.sweeper.stop()
        self.consumer.stop(graceful=graceful)


def create_consumer(app: Flask, workers: int, **options: Any) -> Consumer:
    """The queue's consumer, for `aggregator worker` and the embedded worker alike: threads, with periodic tasks on (the
    hourly renewal reminders)."""
    consumer: Consumer = app.extensions["huey"].create_consumer(workers=workers, worker_type="thread", periodic=True, **options)
    return consumer


def start_embedded_worker(app: Flask, workers: int = 1) -> EmbeddedWorker:
    """The worker `aggregator serve` runs inside the web process (production runs `aggregator worker`).

    Consumer.start() would also take over the process's signal handlers, which only the main
    thread may do and which the web server needs: start its scheduler and worker threads alone.
    """
    mark_interrupted(app, older_than=None)
    consumer = create_consumer(app, workers, check_worker_health=False)
    consumer.scheduler.start()
    for _, thread in consumer.worker_threads:
        thread.start()
    return EmbeddedWorker(consumer, Sweeper(app).start())


def describe(job: BulkJob) -> dict[str, Any]:
    return {
        "status": job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": 100 if job.status == "done" else (int(job.done * 100 / job.total) if job.total else 0),
        "clients": job.clients,
        "bad_rows": job.bad_rows,
        "error": job.error,
        "retryable": retryable(job),
    }
