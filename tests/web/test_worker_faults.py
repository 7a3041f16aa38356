"""Workers that die: kill -9 mid-job, a job process that crashes, a heartbeat that stops, a list that must not take the site down."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator import clock
from carriers.registry import FIXTURES
from tests.test_bulk import GOOD, HEAD
from tests.web.conftest import make_app
from webapp import tasks
from webapp.auth import create_user
from webapp.extensions import db
from webapp.models import BulkJob

PASSWORD = "correct horse battery staple"
# Short enough that the tests see a dead worker in seconds; the defaults are 5 s and 30 s.
FAST_HEARTBEAT = {"BULK_HEARTBEAT_SECONDS": 0.3, "BULK_STALE_SECONDS": 1.5}


def _setting(tmp_path: Path, **extra: Any) -> tuple[Flask, dict[str, str]]:
    """A web app, and the environment an `aggregator worker` process needs to serve the same database and queue."""
    carriers = tmp_path / "carriers"
    if not carriers.exists():
        shutil.copytree(FIXTURES, carriers)
    database = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    queue = str(tmp_path / "queue.sqlite3")
    app = make_app(database, tmp_path, HUEY_DB=queue, CARRIER_DATA=str(carriers), WTF_CSRF_ENABLED=False, **FAST_HEARTBEAT, **extra)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "HUEY_DB": queue,
        "CARRIER_DATA": str(carriers),
        "AGGREGATOR_ENV": "development",
        **{name: str(value) for name, value in FAST_HEARTBEAT.items()},
    }
    return app, env


def _broker(app: Flask) -> FlaskClient:
    with app.app_context():
        create_user("tanaka", PASSWORD)
    client = app.test_client()
    assert client.post("/broker/login", data={"username": "tanaka", "password": PASSWORD}).status_code == 302
    return client


def _client_list(rows: int, extra: dict[str, object] | None = None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEAD)
    for i in range(rows):
        ws.append([f"{GOOD[0]}{i}", *GOOD[1:]])
    for ref, value in (extra or {}).items():
        ws[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(broker: FlaskClient, content: bytes, name: str = "顧客リスト.xlsx") -> str:
    response = broker.post("/broker/bulk", data={"file": (io.BytesIO(content), name)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rsplit("/", 1)[1]


def _status(broker: FlaskClient, token: str) -> dict[str, Any]:
    status: dict[str, Any] = broker.get(f"/broker/bulk/{token}/status.json").get_json()
    return status


def _wait_for(broker: FlaskClient, token: str, *wanted: str, within: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status = _status(broker, token)
        if status["status"] in wanted:
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {token} did not reach {wanted} within {within} s: {_status(broker, token)}")


def _job(app: Flask, token: str) -> BulkJob:
    with app.app_context():
        job = db.session.query(BulkJob).filter_by(token=token).one()
        db.session.expunge(job)
        return job


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _start_worker(env: dict[str, str], started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    started.append(process)
    return process


def _children_of(pid: int) -> list[int]:
    """Processes whose parent is pid (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _kill_mid_job(app: Flask, broker: FlaskClient, token: str, env: dict[str, str], started: list[subprocess.Popen[bytes]]) -> None:
    """Start a worker, wait until its job process is running, kill -9 the worker, and see the job retryable within a minute."""
    attempts_before = _job(app, token).attempts
    worker = _start_worker(env, started)
    deadline = time.monotonic() + 60
    while not (_job(app, token).attempts > attempts_before and _children_of(worker.pid)):
        assert time.monotonic() < deadline, "the worker never started the job"
        assert worker.poll() is None, "the worker stopped by itself"
        time.sleep(0.02)
    job_process = _children_of(worker.pid)[0]
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    killed_at = time.monotonic()
    assert _status(broker, token)["status"] == "running"  # mid-job: neither finished nor failed
    status = _wait_for(broker, token, "interrupted", "failed", "done", within=60)
    assert time.monotonic() - killed_at < 60
    assert status["status"] == "interrupted" and status["retryable"] is True, status
    assert "中断" in status["error"]
    assert not Path(f"/proc/{job_process}").exists() or "zombie" in Path(f"/proc/{job_process}/status").read_text().lower()
    assert broker.get(f"/broker/bulk/{token}/result.xlsx").status_code == 404  # never a half result
    page = broker.get(f"/broker/bulk/{token}").get_data(as_text=True)
    assert 'class="job-retry" >' in page or 'class="job-retry">' in page  # the retry button is shown


def test_a_worker_killed_mid_job_twice_leaves_a_retryable_job_that_completes_on_retry(
    tmp_path: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    app, env = _setting(tmp_path)
    broker = _broker(app)
    token = _upload(broker, _client_list(300))
    for _ in range(2):
        _kill_mid_job(app, broker, token, env, workers)
        assert broker.post(f"/broker/bulk/{token}/retry").status_code == 302
        assert _status(broker, token)["status"] == "queued"
    _start_worker(env, workers)
    status = _wait_for(broker, token, "done", "failed", "interrupted", within=120)
    assert status["status"] == "done", status
    assert (status["clients"], status["bad_rows"], status["percent"]) == (300, 0, 100)
    assert _job(app, token).attempts == 3
    result = broker.get(f"/broker/bulk/{token}/result.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(result.data), read_only=True)
    sheet = next(book[name] for name in book.sheetnames if name.startswith("一括見積結果"))
    companies = {row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)}
    assert companies == {f"{GOOD[0]}{i}" for i in range(300)}  # the rerun is whole: every client, once each
    book.close()
    result.close()


def _job_processes() -> list[int]:
    """This test process's bulk job processes (the embedded worker runs in it)."""
    return [pid for pid in _children_of(os.getpid()) if b"aggregator.bulkchild" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_a_list_whose_job_process_dies_fails_once_with_the_reason_and_is_not_retried(
    embedded_normal: tuple[Flask, FlaskClient],
) -> None:
    app, broker = embedded_normal
    token = _upload(broker, _client_list(300))
    deadline = time.monotonic() + 60
    while not _job_processes():
        assert time.monotonic() < deadline, "no job process started"
        time.sleep(0.01)
    os.kill(_job_processes()[0], signal.SIGKILL)  # as the kernel's OOM killer would, or a crash in the reader
    status = _wait_for(broker, token, "done", "failed", "interrupted")
    assert status["status"] == "failed" and status["retryable"] is False, status
    assert "異常終了しました(終了コード -9)" in status["error"] and "同じファイルでは再実行できません" in status["error"]
    page = broker.get(f"/broker/bulk/{token}").get_data(as_text=True)
    assert 'class="job-retry" hidden' in page  # no retry offered
    retried = broker.post(f"/broker/bulk/{token}/retry", follow_redirects=True)
    assert "もう一度実行できません" in retried.get_data(as_text=True)
    assert _status(broker, token)["status"] == "failed" and _job(app, token).attempts == 1  # not run into the same crash
    assert broker.get("/broker/bulk").status_code == 200 and broker.get("/healthz").status_code == 200  # the site is up
    good = _upload(broker, _client_list(3))
    assert _wait_for(broker, good, "done", "failed")["status"] == "done"  # and its worker goes on working


@pytest.fixture
def embedded_normal(tmp_path: Path) -> Iterator[tuple[Flask, FlaskClient]]:
    app, _env = _setting(tmp_path)
    worker = tasks.start_embedded_worker(app)
    try:
        yield app, _broker(app)
    finally:
        worker.stop(graceful=True)


def test_a_6_kb_list_reaching_xfd1048576_fails_with_the_reason_and_the_site_stays_up(embedded_normal: tuple[Flask, FlaskClient]) -> None:
    _app, broker = embedded_normal
    content = _client_list(2, {"XFD1048576": "x"})
    assert len(content) < 10_000
    token = _upload(broker, content)
    status = _wait_for(broker, token, "done", "failed", "interrupted")
    assert status["status"] == "failed" and "1,048,576行" in status["error"], status
    assert broker.get("/broker/bulk").status_code == 200 and broker.get("/healthz").status_code == 200
    good = _upload(broker, _client_list(3))
    assert _wait_for(broker, good, "done", "failed")["status"] == "done"  # and the worker goes on working


def test_a_job_error_shows_no_server_path(embedded_normal: tuple[Flask, FlaskClient]) -> None:
    app, broker = embedded_normal
    with app.app_context():
        job = BulkJob(created_by="tanaka", filename="clients.xlsx")
        db.session.add(job)
        db.session.commit()
        folder = tasks.job_folder(app, job)
        (folder / "input.xlsx").mkdir(parents=True)  # not a file: the reader says it is missing
        tasks.enqueue(app, job)
        token = job.token
    status = _wait_for(broker, token, "done", "failed", "interrupted")
    page = broker.get(f"/broker/bulk/{token}").get_data(as_text=True)
    assert status["status"] == "failed" and "input.xlsx" in status["error"]
    assert app.instance_path not in status["error"] and app.instance_path not in page
    shutil.rmtree(folder)


def test_a_stopped_heartbeat_is_seen_by_its_value_not_by_comparing_clocks(backend: str, tmp_path: Path) -> None:
    app = make_app(backend, tmp_path, HUEY_DB=str(tmp_path / "queue.sqlite3"), **FAST_HEARTBEAT)
    with app.app_context():
        # heartbeats written by a process whose clock runs an hour ahead of ours, and one whose clock is behind
        ahead = BulkJob(created_by="a", filename="ahead.xlsx", status="running", attempts=1, updated_at=clock.now() + timedelta(hours=1))
        alive = BulkJob(created_by="b", filename="alive.xlsx", status="running", attempts=1, updated_at=clock.now() - timedelta(minutes=5))
        last = BulkJob(created_by="c", filename="last.xlsx", status="running", attempts=3, updated_at=clock.now())
        db.session.add_all([ahead, alive, last])
        db.session.commit()
        assert tasks.sweep(app) == 0  # first sight: nothing is judged on one look
        deadline = time.monotonic() + 30
        marked = 0
        while marked < 2 and time.monotonic() < deadline:
            alive.updated_at = clock.now() - timedelta(minutes=5) + timedelta(seconds=time.monotonic())  # still beating
            db.session.commit()
            marked += tasks.sweep(app)
            time.sleep(0.1)
        jobs = {job.filename: job for job in db.session.query(BulkJob)}
        for job in jobs.values():
            db.session.refresh(job)
        assert jobs["ahead.xlsx"].status == "interrupted" and tasks.retryable(jobs["ahead.xlsx"])
        assert jobs["alive.xlsx"].status == "running"
        # the third time a job's worker dies it is not offered again: its file may be what kills the worker
        assert jobs["last.xlsx"].status == "failed" and not tasks.retryable(jobs["last.xlsx"])
        assert "3回止まりました" in jobs["last.xlsx"].error
