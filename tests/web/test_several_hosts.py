"""The deployment docs/DEPLOYMENT.md describes, on one machine: two web servers and two `aggregator worker`s on Redis and PostgreSQL.

Every process is started as production starts it (gunicorn, `aggregator worker`, `aggregator migrate`),
with the settings each host would have: the same SECRET_KEY, DATABASE_URL, REDIS_URL and instance folder.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests

from tests.test_bulk import GOOD, HEAD
from tests.web.conftest import API_BODY, _free_port, _fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
JOBS, ROWS = 4, 300
HTTP = requests.Session()
HTTP.trust_env = False  # 127.0.0.1 never through a proxy from the environment


class Process:
    """One server or worker in its own session, its output in a log file; stopped with its whole group."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str, postgres_server: str) -> Iterator[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "DATABASE_", "REDIS_", "PROXY_FIX", "RATELIMIT_"))}
    env.update(
        {
            "AGGREGATOR_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),  # the same on every host: a session from one is valid on the other
            "DATABASE_URL": _fresh_postgres_database(postgres_server).replace("+psycopg", ""),
            "REDIS_URL": redis_url,
            "AGGREGATOR_INSTANCE": str(tmp_path / "shared-instance"),  # uploads and results: shared storage
            "PUBLIC_RATE_LIMIT": "4 per minute",
            "AGENCY_NAME": "株式会社テスト保険サービス",  # production will not start without who the customer deals with
            "AGENCY_REGISTRATION_NO": "関東財務局長 第00001号",
            "AGENCY_POLICY_DIR": str(tmp_path / "policies"),
        }
    )
    (tmp_path / "policies").mkdir()
    for name in ("solicitation.md", "privacy.md"):
        (tmp_path / "policies" / name).write_text("当社の方針", encoding="utf-8")
    aggregator = str(BIN / "aggregator")
    subprocess.run([aggregator, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    made = subprocess.run(
        [aggregator, "users", "create", "tanaka", "--password-stdin"],
        check=False,
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
    )
    assert made.returncode == 0, made.stderr
    ports = [_free_port(), _free_port()]
    processes = [
        Process(
            f"web{i}",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--no-control-socket",
                "--bind",
                f"127.0.0.1:{port}",
                "webapp:create_app()",
            ],
            env,
            tmp_path,
        )
        for i, port in enumerate(ports)
    ]
    processes += [Process(f"worker{i}", [aggregator, "worker"], env, tmp_path) for i in range(2)]
    try:
        yield {
            "web": [f"http://127.0.0.1:{p}" for p in ports],
            "workers": processes[2:],
            "processes": processes,
            "instance": Path(env["AGGREGATOR_INSTANCE"]),
        }
    finally:
        for process in processes:
            process.stop()


def _wait_healthy(base: str, processes: list[Process], timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            assert process.proc.poll() is None, f"{process.name} exited:\n{process.output()[-3000:]}"
        try:
            response = HTTP.get(f"{base}/healthz", timeout=10)
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                return body
        except (requests.ConnectionError, requests.Timeout):  # the workers are still loading the carriers
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} not healthy after {timeout} s")


class _PlainHTTPSession(requests.Session):
    """Production marks the session cookie Secure (HTTPS behind the proxy); the test talks plain HTTP to 127.0.0.1."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def _csrf(session: requests.Session, url: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', session.get(url, timeout=30).text)
    assert match, url
    return match.group(1)


def _client_list(n: int, tag: str) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEAD)
    for i in range(n):
        ws.append([f"株式会社{tag}{i:04d}", *GOOD[1:]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.slow
def test_bulk_jobs_run_on_two_workers_over_redis_and_postgres_and_another_host_serves_them(cluster: dict[str, Any]) -> None:
    one, two = cluster["web"]
    health = [_wait_healthy(base, cluster["processes"]) for base in (one, two)]
    assert all((h["database"], h["queue"], h["queue_backend"]) == ("ok", "ok", "redis") for h in health)
    assert health[0]["carrier_data"] == health[1]["carrier_data"]  # both hosts quote from the same files

    # The public rate limit (4 a minute) is one bucket over both hosts and all four gunicorn workers.
    statuses = [HTTP.post(f"{base}/api/v1/quotes", json=API_BODY, timeout=30) for base in (one, two, one, two, one, two)]
    assert [r.status_code for r in statuses] == [201, 201, 201, 201, 429, 429]
    created = statuses[0].json()
    assert HTTP.get(f"{two}/api/v1/quotes/{created['id']}", timeout=30).json()["comparison"] == created["comparison"]

    # A broker logs in on one host; with the same SECRET_KEY the session holds on the other.
    broker = _PlainHTTPSession()
    login = broker.post(
        f"{one}/broker/login",
        data={"username": "tanaka", "password": PASSWORD, "csrf_token": _csrf(broker, f"{one}/broker/login")},
        allow_redirects=False,
        timeout=30,
    )
    assert login.status_code == 302
    assert broker.get(f"{two}/broker/", timeout=30).status_code == 200

    tokens = []
    for j in range(JOBS):
        upload = broker.post(
            f"{one}/broker/bulk",
            data={"csrf_token": _csrf(broker, f"{one}/broker/bulk")},
            files={"file": (f"顧客リスト{j}.xlsx", _client_list(ROWS, f"J{j}-"))},
            allow_redirects=False,
            timeout=60,
        )
        assert upload.status_code == 302, upload.text[:500]
        tokens.append(upload.headers["Location"].rsplit("/", 1)[1])

    deadline = time.monotonic() + 180
    status: dict[str, Any] = {}
    for token in tokens:
        while time.monotonic() < deadline:
            status = broker.get(f"{two}/broker/bulk/{token}/status.json", timeout=30).json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert status["status"] == "done", status
        assert (status["clients"], status["bad_rows"]) == (ROWS, 0)

    # The other host serves each result that a worker wrote.
    for j, token in enumerate(tokens):
        result = broker.get(f"{two}/broker/bulk/{token}/result.xlsx", timeout=60)
        assert result.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(result.content), read_only=True)["一括見積結果"]
        companies = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
        assert companies == [f"株式会社J{j}-{i:04d}" for i in range(ROWS)]

    # Every process kept the files in the one folder AGGREGATOR_INSTANCE names (NFS between real hosts).
    assert sorted(p.parent.name for p in (cluster["instance"] / "bulk").glob("*/result.xlsx")) == sorted(tokens)

    # Both workers took jobs off the one Redis queue, and no job ran twice.
    for worker in cluster["workers"]:
        worker.stop()
    ran = [re.findall(r"Executing webapp\.tasks\.bulk_quote: (\S+)", worker.output()) for worker in cluster["workers"]]
    assert all(ran), [w.output()[-2000:] for w in cluster["workers"]]
    assert len(ran[0]) + len(ran[1]) == JOBS and not set(ran[0]) & set(ran[1])
