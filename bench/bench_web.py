"""The web app under a bounded local load: the results page and the JSON API beside a trivial Flask page.

    .venv/bin/python bench/bench_web.py [--seconds 10] [--connections 4] [--client auto|wrk|python] [--profile]
                                        [--database sqlite|postgresql] [--redis] [--post-connections 20]

Starts the real app the way production serves it, gunicorn (gthread, 2 workers × 2 threads by
default) on 127.0.0.1 and a free port, with a fresh SQLite database in a temp folder, a random
SECRET_KEY, the public rate limit raised so it does not cut the run, and AGGREGATOR_ENV=development
so the workers run the (already applied) migrations at start. A one-route Flask app that returns
"ok" is served by a second gunicorn with the same settings. One quote is created with
POST /api/v1/quotes, then each of three URLs gets a warm-up and a timed run at the same
concurrency: the trivial page, the results page GET /quotes/<token> and GET /api/v1/quotes/<id>.
The load comes from wrk (1 thread) when it is on PATH, else from a small asyncio client in this
process. Both keep the connections open and stop by themselves. A kept-alive connection stays with
the worker that accepted it, so a run in which one worker got none is repeated (at most twice).

The write path, POST /api/v1/quotes, is timed the same way with --post-connections (20) clients
each posting the sample applicant (a new request and version per POST), and in-process (median of
100). --database postgresql runs both the servers and the in-process app on a throwaway PostgreSQL
server (bench/services.py; fsync on), --redis puts the queue and the rate-limit counters on a
throwaway redis-server.

Targets: results page and API each at least half the trivial page's requests/s, with p99 under
20 ms; POST at least 150 requests/s with p99 under 150 ms at 20 clients, median under 5 ms in-process; carrier data loaded once at start-up, not per request (checked in-process: no reload
during the timed requests). The table gives requests/s, p50/p99/max latency, errors and the CPU
each gunicorn worker used. When a target is missed the script times the page's stages in-process
with the Flask test client, then profiles it (cProfile), and prints where the time goes. It
changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import math
import os
import pstats
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchdata import conditions, say, table, verdict
from services import postgres, redis

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
RATIO_TARGET = 0.5
P99_TARGET_MS = 20.0
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never through a proxy
RATE_LIMIT = "1000000 per minute"  # the app reads PUBLIC_RATE_LIMIT; 30 per minute would stop the run at once
POST_RPS_TARGET = 150.0
POST_P99_TARGET_MS = 150.0
POST_INPROCESS_TARGET_MS = 5.0
POST = "POST /api/v1/quotes"

# The same valid body as tests/web/conftest.py API_BODY (copied: the benchmarks do not import the tests).
API_BODY: dict[str, Any] = {
    "company": "株式会社APIテスト",
    "industry": "saas",
    "annual_revenue_jpy": 1_200_000_000,
    "employees": 120,
    "records_held": 150_000,
    "servers": 30,
    "largest_contract_jpy": "1億円",
    "contract_type": "juninin",
    "controls": ["edr", "offline_backup"],
    "incidents_3y": 0,
    "lines": ["cyber"],
    "limit_jpy": 300_000_000,
    "deductible_jpy": 1_000_000,
    "consent": True,
}

TRIVIAL_APP = """\
from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    return "ok"


@app.post("/")
def created():
    return "ok", 201
"""

# One config file for both servers, so the trivial page is served exactly like the app.
GUNICORN_CONF = """\
import os
import pathlib

workers = {workers}
worker_class = "gthread"
threads = {threads}
keepalive = {keepalive}
reuse_port = True  # each worker its own listening socket: the kernel spreads the connections
control_socket_disable = True  # two servers at once would share one control socket path
graceful_timeout = 5
loglevel = "warning"
accesslog = None


def post_worker_init(worker):
    # The worker has loaded the app (carriers and all): tell the benchmark it is ready.
    pathlib.Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()
"""

# wrk: count non-200 responses per thread, then print one machine-readable line.
WRK_SCRIPT = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non200 = 0 end
function response(status, headers, body) if status ~= 200 then non200 = non200 + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non200") end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\\n", summary.requests, summary.duration, bad,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def wrk_post_script() -> str:
    """The same counting, for POST with the sample body (201 is the success there)."""
    body = json.dumps(API_BODY, ensure_ascii=False)
    head = f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[{body}]]\n'
    return head + WRK_SCRIPT.replace("status ~= 200", "status ~= 201")


@dataclass
class Result:
    requests: int
    seconds: float
    non200: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    client_cpu_s: float
    worker_cpu_s: tuple[float, ...] = ()

    @property
    def server_cpu_s(self) -> float:
        return sum(self.worker_cpu_s)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- servers


def free_ports(n: int) -> list[int]:
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in socks:
            s.bind((HOST, 0))
        return [int(s.getsockname()[1]) for s in socks]


class Server:
    """One gunicorn master (in its own session, so Ctrl-C reaches only this script) and its workers."""

    def __init__(self, name: str, target: str, chdir: Path, port: int, conf: Path, work: Path, env: dict[str, str]) -> None:
        self.name, self.port = name, port
        self.ready_dir = work / f"ready-{name}"
        self.ready_dir.mkdir()
        self.log = work / f"gunicorn-{name}.log"
        self.command = [
            sys.executable, "-m", "gunicorn", "--config", str(conf), "--bind", f"{HOST}:{port}",
            "--chdir", str(chdir), "--error-logfile", str(self.log), target,
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            self.command,
            env={**env, "BENCH_READY_DIR": str(self.ready_dir)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def worker_pids(self) -> list[int]:
        return sorted(int(p.name) for p in self.ready_dir.iterdir())

    def wait_ready(self, workers: int, probe: str, timeout: float = 120.0) -> None:
        """Every worker has loaded the app (post_worker_init) and the probe URL answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited with {self.proc.returncode}:\n{self.log_tail()}")
            if len(self.worker_pids()) >= workers:
                try:
                    with LOCAL.open(self.url(probe), timeout=5) as response:
                        if response.status == 200:
                            return
                except (urllib.error.URLError, OSError):
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> list[float]:
        """User + system CPU of each worker so far (from /proc; 0 where it cannot be read)."""
        tick = os.sysconf("SC_CLK_TCK")
        out = []
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out.append((int(fields[11]) + int(fields[12])) / tick)
            except (OSError, IndexError, ValueError):
                out.append(0.0)
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # gunicorn: graceful stop of the workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        # Anything left in the session this script started (a worker whose master was killed).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


# ---------------------------------------------------------------- load


def run_wrk(url: str, connections: int, seconds: float, script: Path) -> Result:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    requests, duration_us, bad, sock, p50, p99, worst = (int(v) for v in line.split()[1:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Result(requests, duration_us / 1e6, bad, sock, p50 / 1000, p99 / 1000, worst / 1000, cpu)


async def _python_load(
    port: int, path: str, connections: int, seconds: float, body: bytes | None = None
) -> tuple[list[float], int, int, float]:
    """Keep-alive GETs (or POSTs of `body`) on `connections` sockets until the time is up; latency per request in seconds."""
    if body is None:
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: bench_web\r\nAccept: */*\r\n\r\n".encode()
    else:
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: bench_web\r\nAccept: */*\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
    ok = b"200" if body is None else b"201"
    latencies: list[float] = []
    counts = {"non200": 0, "socket": 0}
    deadline = time.perf_counter() + seconds

    async def connection() -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while time.perf_counter() < deadline:
            try:
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                start = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length, close = None, False
                for header in head.split(b"\r\n")[1:]:
                    name, _, value = header.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                if length is None:
                    raise RuntimeError(f"{path}: response without Content-Length")
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - start)
                if head[9:12] != ok:
                    counts["non200"] += 1
                if close:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                counts["socket"] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return latencies, counts["non200"], counts["socket"], time.perf_counter() - began


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1))  # nearest rank
    return sorted_values[rank]


def run_python(port: int, path: str, connections: int, seconds: float, body: bytes | None = None) -> Result:
    before = resource.getrusage(resource.RUSAGE_SELF)
    latencies, bad, sock, elapsed = asyncio.run(_python_load(port, path, connections, seconds, body))
    after = resource.getrusage(resource.RUSAGE_SELF)
    ms = sorted(v * 1000 for v in latencies)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Result(len(ms), elapsed, bad, sock, percentile(ms, 50), percentile(ms, 99), ms[-1] if ms else float("nan"), cpu)


# ---------------------------------------------------------------- in-process check and breakdown


def area(filename: str) -> str:
    """Which library or part of the repository a profiled function belongs to."""
    path = filename.replace("\\", "/")
    if filename == "~" or filename.startswith("<"):
        return "(built-ins)"
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    root = str(ROOT) + "/"
    if path.startswith(root):
        parts = path[len(root) :].split("/")
        return "/".join(parts[:2]) if parts[0] in ("webapp", "aggregator", "carriers") else parts[0]
    return "(stdlib)"


def where(key: tuple[str, int, str]) -> str:
    filename, line, func = key
    if filename == "~":
        return func
    path = filename.replace("\\", "/")
    for marker in ("/site-packages/", str(ROOT) + "/", "/lib/python"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line}({func})"


def profile(fn: Callable[[], Any], n: int, top: int = 12) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values()) or 1.0
    by_area: dict[str, float] = {}
    for key, (_cc, _nc, tt, _ct, _callers) in stats.items():
        by_area[area(key[0])] = by_area.get(area(key[0]), 0.0) + tt
    rows = [[name, f"{tt / n * 1000:.3f}", f"{tt / total:.0%}"] for name, tt in sorted(by_area.items(), key=lambda kv: -kv[1])[:top]]
    say(table(rows, ["own time by library / module", "ms per request", "share"]))
    say()
    ranked = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    rows = [[where(k), f"{v[1] / n:.0f}", f"{v[2] / n * 1000:.3f}", f"{v[3] / n * 1000:.3f}"] for k, v in ranked]
    say(table(rows, ["function (by own time)", "calls/request", "own ms", "cumulative ms"]))
    own = [(k, v) for k, v in stats.items() if area(k[0]).startswith(("webapp", "aggregator"))]
    cumulative = sorted(own, key=lambda kv: -kv[1][3])[:top]
    say()
    rows = [[where(k), f"{v[1] / n:.0f}", f"{v[3] / n * 1000:.3f}"] for k, v in cumulative]
    say(table(rows, ["the app's own functions (by cumulative time)", "calls/request", "cumulative ms"]))


@contextlib.contextmanager
def counting(module: Any, name: str, counter: dict[str, int]) -> Iterator[None]:
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counter[name] = counter.get(name, 0) + 1
        return original(*args, **kwargs)

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def timed(fn: Callable[[], Any], n: int, name: str) -> list[float]:
    for _ in range(5):  # warm-up: the first request of a version builds its comparison (then cached)
        response = fn()
        if response.status_code != 200:
            raise RuntimeError(f"in-process {name}: status {response.status_code}")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def in_process(work: Path, n: int, profile_pages: list[str], database_url: str, redis_url: str) -> tuple[bool, bool]:
    """The app in this process (same settings, its own database): reloads and queries per request, then a profile.

    Returns (no carrier data reload per request, POST median under its target).
    """
    from flask import Flask
    from sqlalchemy import event

    from webapp import carrierdata, create_app
    from webapp.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_RATE_LIMIT": RATE_LIMIT,
            "HUEY_DB": str(work / "inprocess-queue.sqlite3"),
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        }
    )
    client = app.test_client()
    post_ok = post_in_process(app, client, n)
    created = client.post("/api/v1/quotes", json=API_BODY)
    if created.status_code != 201:
        raise RuntimeError(f"in-process POST /api/v1/quotes: {created.status_code} {created.get_data(as_text=True)[:300]}")
    token = created.get_json()["id"]
    trivial = Flask("trivial")
    trivial.add_url_rule("/", "ok", lambda: "ok")
    trivial_client, paths = trivial.test_client(), page_paths(token)
    cases: dict[str, Callable[[], Any]] = {
        "trivial": lambda: trivial_client.get(paths["trivial"]),
        "results page": lambda: client.get(paths["results page"]),
        "API": lambda: client.get(paths["API"]),
    }

    queries = {"n": 0}
    with app.app_context():
        engine = db.engine

    def count_query(*_args: Any) -> None:
        queries["n"] += 1

    loads: dict[str, int] = {}
    timings: dict[str, list[float]] = {}
    per_request_queries: dict[str, float] = {}
    event.listen(engine, "before_cursor_execute", count_query)
    try:
        with counting(carrierdata, "install", loads), counting(carrierdata, "_load", loads):
            for name, fn in cases.items():
                app.extensions["carrier_checked"] = 0.0  # the 5-s "did the carrier data change?" check runs on the next request
                queries["n"] = 0
                timings[name] = timed(fn, n, name)
                per_request_queries[name] = queries["n"] / (n + 5)  # warm-up included
    finally:
        event.remove(engine, "before_cursor_execute", count_query)

    say()
    say(f"In-process, one thread, Flask test client, no HTTP or gunicorn ({n} requests each after 5 warm-up):")
    rows = [
        [name, f"{statistics.median(t):.2f}", f"{percentile(sorted(t), 99):.2f}", f"{1000 / statistics.mean(t):,.0f}",
         f"{per_request_queries[name]:.1f}" if name != "trivial" else "-"]
        for name, t in timings.items()
    ]  # fmt: skip
    say(table(rows, ["page", "median ms", "p99 ms", "req/s (1 thread)", "SQL queries/request"]))
    reloads = loads.get("install", 0) + loads.get("_load", 0)
    say()
    say(
        f"carrier data loaded once at start-up: {reloads} reloads (carrierdata.install/_load calls) "
        f"in {2 * (n + 5)} app requests, the periodic change check included: {verdict(reloads == 0)}"
    )
    for name in profile_pages:
        say()
        say(f"Stages of the {name} (GET {paths[name]}), median of {n} in-process runs, no profiler:")
        stages(app, client, paths[name], name, n)
        say()
        say(f"cProfile of the {name}, {n} requests in-process (the profiler inflates every figure, not the proportions):")
        profile(cases[name], n)
    return reloads == 0, post_ok


def post_in_process(app: Any, client: Any, n: int) -> bool:
    """POST /api/v1/quotes in-process, n times after a warm-up, beside a trivial Flask page's POST in the same run."""
    from flask import Flask

    trivial = Flask("trivial-post")
    trivial.add_url_rule("/", "ok", lambda: ("ok", 201), methods=["POST"])
    trivial_client = trivial.test_client()
    cases: dict[str, Callable[[], Any]] = {
        "trivial POST": lambda: trivial_client.post("/", json=API_BODY),
        POST: lambda: client.post("/api/v1/quotes", json=API_BODY),
    }
    times = {}
    for name, fn in cases.items():
        for _ in range(5):
            if fn().status_code != 201:
                raise RuntimeError(f"in-process {name}: not 201")
        runs = []
        for _ in range(n):
            start = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - start) * 1000)
        times[name] = sorted(runs)
    say()
    say(f"In-process write path, Flask test client, {n} POSTs each after 5 warm-up (each POST stores a new request):")
    rows = [[name, f"{statistics.median(t):.2f}", f"{t[0]:.2f}", f"{percentile(t, 99):.2f}"] for name, t in times.items()]
    say(table(rows, ["request", "median ms", "min ms", "p99 ms"]))
    median = statistics.median(times[POST])
    met = median < POST_INPROCESS_TARGET_MS
    say(f"{POST} in-process: median {median:.2f} ms (target < {POST_INPROCESS_TARGET_MS:.0f} ms): {verdict(met)}")
    return met


@contextlib.contextmanager
def timing(owner: Any, attr: str, label: str, acc: dict[str, float]) -> Iterator[None]:
    """Add the time of every call of owner.attr (a function, a method or a property) to acc[label]; restore it after."""
    had = attr in vars(owner)
    original = vars(owner)[attr] if had else getattr(owner, attr)
    fn: Any = original.fget if isinstance(original, property) else original

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            acc[label] = acc.get(label, 0.0) + (time.perf_counter() - start) * 1000

    setattr(owner, attr, property(timed) if isinstance(original, property) else timed)
    try:
        yield
    finally:
        if had:
            setattr(owner, attr, original)
        else:
            delattr(owner, attr)


def stages(app: Any, client: Any, path: str, name: str, n: int) -> None:
    """The real request with its parts timed by wrappers (no profiler): medians over n requests."""
    from webapp import api, public, storage

    view_label, json_label = "the view function", "  outside the view: of which JSON encoding of the payload"
    parts = [
        (storage, "version_id", "storage.version_id (query: the version's id, all a cached page needs)"),
        (storage, "find_with_version", "storage.find_with_version (query, on a cache miss only)"),
        (storage, "computed", "storage.computed (comparison and its JSON, cached per version)"),
    ]
    if name == "API":
        endpoint = "api.get_quote"
        parts += [(api, "recommend", "recommend")]
    else:
        endpoint = "public.quote"
        parts += [
            (public, "recommend", "recommend"),
            (storage, "version_applicant", "storage.version_applicant"),
            (public, "comparison_table", "comparison_table (HTML cached per version and language)"),
            (public, "render_template", "render_template('quote.html')"),
        ]
    acc: dict[str, float] = {}
    runs: dict[str, list[float]] = {}
    with contextlib.ExitStack() as stack:
        original_view = app.view_functions[endpoint]

        def view(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original_view(*args, **kwargs)
            finally:
                acc[view_label] = acc.get(view_label, 0.0) + (time.perf_counter() - start) * 1000

        app.view_functions[endpoint] = view
        stack.callback(app.view_functions.__setitem__, endpoint, original_view)
        for owner, attr, label in parts:
            stack.enter_context(timing(owner, attr, label, acc))
        if name == "API":
            stack.enter_context(timing(app.json, "response", json_label, acc))
        for _ in range(n):
            acc.clear()
            start = time.perf_counter()
            response = client.get(path)
            whole = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"in-process {name}: status {response.status_code}")
            runs.setdefault("whole", []).append(whole)
            runs.setdefault("outside", []).append(whole - acc.get(view_label, 0.0))
            for label in [view_label, json_label, *(label for _o, _a, label in parts)]:
                runs.setdefault(label, []).append(acc.get(label, 0.0))
    med = {label: statistics.median(values) for label, values in runs.items()}
    whole = med["whole"]
    rest = med[view_label] - sum(med[label] for _o, _a, label in parts)

    def row(label: str, value: float) -> list[str]:
        return [label, f"{value:.2f}", f"{value / whole:.0%}"]

    rows = [row("whole request (test client)", whole), row("  " + view_label, med[view_label])]
    rows += [row(f"    {label}", med[label]) for _o, _a, label in parts]
    rows.append(row("    rest of the view" + (": url_for, the payload dict" if name == "API" else ": the form, _version"), rest))
    rows.append(row("  outside the view: hooks, limiter, Babel, session cookie, response", med["outside"]))
    if name == "API":
        rows.append(row(json_label, med[json_label]))
    say(table(rows, ["stage (medians, so the parts need not add up exactly)", "median ms", "share"]))


# ---------------------------------------------------------------- main


def page_paths(token: str) -> dict[str, str]:
    return {"trivial": "/", "results page": f"/quotes/{token}", "API": f"/api/v1/quotes/{token}"}


def post_quote(server: Server) -> str:
    request = urllib.request.Request(
        server.url("/api/v1/quotes"), data=json.dumps(API_BODY).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with LOCAL.open(request, timeout=30) as response:
        if response.status != 201:
            raise RuntimeError(f"POST /api/v1/quotes: status {response.status}")
        token: str = json.load(response)["id"]
    return token


def start_servers(args: argparse.Namespace, work: Path, servers: list[Server]) -> tuple[Server, Server]:
    database_url = args.database_url_for("servers")
    # Migrated once here, so two workers starting together do not race to create the tables;
    # the workers still run AUTO_MIGRATE at start (development) and find the database at head.
    from webapp.migrate import upgrade

    upgrade(database_url)
    (work / "bench_trivial_app.py").write_text(TRIVIAL_APP)
    conf = work / "gunicorn_conf.py"
    conf.write_text(GUNICORN_CONF.format(workers=args.workers, threads=args.threads, keepalive=args.keep_alive))
    drop = ("FLASK_DEBUG", "DATABASE_URL", "SECRET_KEY", "PUBLIC_RATE_LIMIT", "REDIS_URL", "RATELIMIT_STORAGE_URI", "PROXY_FIX_X_FOR")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        {
            "AGGREGATOR_ENV": "development",
            "AGGREGATOR_INSTANCE": str(work / "instance"),
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_RATE_LIMIT": RATE_LIMIT,
        }
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    trivial_port, app_port = free_ports(2)
    trivial = Server("trivial", "bench_trivial_app:app", work, trivial_port, conf, work, env)
    servers.append(trivial)
    app = Server("app", "webapp:create_app()", ROOT, app_port, conf, work, env)
    servers.append(app)
    say(
        f"gunicorn {HOST}: --worker-class gthread --workers {args.workers} --threads {args.threads} --keep-alive {args.keep_alive} --reuse-port for both; "
        f"the app is 'webapp:create_app()' on a new {args.database_name} database, queue and rate limits "
        f'{"on Redis" if args.redis_url else "on SQLite / in memory"}; the trivial page is one route returning "ok" (201 to a POST)'
    )
    started = time.perf_counter()
    trivial.wait_ready(args.workers, "/")
    app.wait_ready(args.workers, "/healthz")
    say(f"both servers ready (every worker has loaded its app) in {time.perf_counter() - started:.1f} s")
    return trivial, app


def measure(args: argparse.Namespace, client: str, work: Path, servers: list[Server]) -> dict[str, Result]:
    trivial, app = start_servers(args, work, servers)
    script = work / "count.lua"
    script.write_text(WRK_SCRIPT)
    post_script = work / "post.lua"
    post_script.write_text(wrk_post_script(), encoding="utf-8")
    pages = page_paths(post_quote(app))
    server_of = {"trivial": trivial, "results page": app, "API": app}
    for name, path in pages.items():
        with LOCAL.open(server_of[name].url(path), timeout=30) as response:
            size = len(response.read())
        say(f"  {name:<13} GET {path}  ({size:,} bytes)")
    say(f"{args.connections} connections, {args.warmup:g} s warm-up then {args.seconds:g} s timed, per URL, one URL after another")
    body = json.dumps(API_BODY).encode()
    # The write path: the same number of clients posting to the trivial page, then to the API.
    runs = [(name, server_of[name], path, args.connections, None) for name, path in pages.items()]
    runs += [("trivial POST", trivial, "/", args.post_connections, body), (POST, app, "/api/v1/quotes", args.post_connections, body)]

    results: dict[str, Result] = {}
    for name, server, path, connections, payload in runs:

        def load(
            seconds: float, server: Server = server, path: str = path, connections: int = connections, payload: bytes | None = payload
        ) -> Result:
            if client == "wrk":
                return run_wrk(server.url(path), connections, seconds, post_script if payload else script)
            return run_python(server.port, path, connections, seconds, payload)

        if payload is not None and name == "trivial POST":
            say(f"{POST}: {args.post_connections} connections each posting the sample applicant (a new request per POST), same timing")
        for attempt in range(1 + args.reruns):
            if args.warmup > 0:
                load(args.warmup)
            cpu_before = server.cpu_seconds()
            result = load(args.seconds)
            result.worker_cpu_s = tuple(after - before for before, after in zip(cpu_before, server.cpu_seconds(), strict=True))
            results[name] = result
            if not idle_worker(result) or attempt == args.reruns:
                break
            say(f"  {name}: a worker stayed idle (the kernel gave all {connections} connections to one), run again")
    return results


def idle_worker(r: Result) -> bool:
    return len(r.worker_cpu_s) > 1 and min(r.worker_cpu_s) < 0.1 * r.seconds


def report(results: dict[str, Result]) -> list[str]:
    base = results["trivial"].rps
    post_base = results["trivial POST"].rps

    def ratio(name: str, r: Result) -> str:
        reference = post_base if name in ("trivial POST", POST) else base
        return f"{r.rps / reference:.2f}" if reference else "-"

    rows = [
        [name, f"{r.rps:,.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", f"{r.max_ms:.1f}", f"{r.requests:,}",
         f"{r.non200 + r.socket_errors}", ratio(name, r),
         "+".join(f"{c / r.seconds:.0%}" for c in r.worker_cpu_s), f"{r.client_cpu_s / r.seconds:.0%}"]
        for name, r in results.items()
    ]  # fmt: skip
    say()
    say(table(rows, ["page", "req/s", "p50 ms", "p99 ms", "max ms", "requests", "errors", "vs trivial", "CPU per worker", "client CPU"]))
    say("(errors: non-200 responses (non-201 for POST) and socket errors; CPU over the timed run, 100% = one core busy the whole time)")
    idle = [name for name, r in results.items() if idle_worker(r)]
    if idle:
        say(
            f"note: a worker stayed (nearly) idle during {', '.join(idle)}: kept-alive connections stay with the worker "
            "that accepted them, so that run had fewer cores; run the script again for a fair split"
        )
    say()
    missed = []
    for name in ("results page", "API"):
        r = results[name]
        ratio_ = r.rps / base if base else 0.0
        fast, quick, clean = ratio_ >= RATIO_TARGET, r.p99_ms < P99_TARGET_MS, r.non200 + r.socket_errors == 0
        say(
            f"{name}: {ratio_:.2f} × the trivial page's requests/s (target ≥ {RATIO_TARGET}): {verdict(fast)}; "
            f"p99 {r.p99_ms:.2f} ms (target < {P99_TARGET_MS:.0f} ms): {verdict(quick)}"
            + ("" if clean else f"; {r.non200} non-200 responses and {r.socket_errors} socket errors")
        )
        if not (fast and quick and clean):
            missed.append(name)
    r = results[POST]
    fast, quick, clean = r.rps >= POST_RPS_TARGET, r.p99_ms < POST_P99_TARGET_MS, r.non200 + r.socket_errors == 0
    say(
        f"{POST}: {r.rps:,.0f} requests/s (target ≥ {POST_RPS_TARGET:.0f}): {verdict(fast)}; "
        f"p99 {r.p99_ms:.1f} ms (target < {POST_P99_TARGET_MS:.0f} ms): {verdict(quick)}"
        + ("" if clean else f"; {r.non200} non-201 responses and {r.socket_errors} socket errors")
    )
    if not (fast and quick and clean):
        missed.append(POST)
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="timed run per URL (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed run per URL before it (default 2)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--post-connections", type=int, default=20, help="concurrent clients for the POST run (default 20)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite", help="the app's database (default sqlite)")
    parser.add_argument("--redis", action="store_true", help="queue and rate-limit counters on a throwaway redis-server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gthread workers, both servers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker, both servers (default 2)")
    parser.add_argument("--keep-alive", type=int, default=5, help="gunicorn keep-alive seconds; 0 closes after each response")
    parser.add_argument(
        "--reruns", type=int, default=2, help="repeat a URL's run (at most this often) when one worker got no connection (default 2)"
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator; auto: wrk if on PATH")
    parser.add_argument("--profile", action="store_true", help="print the stage timings and cProfile even when the targets are met")
    parser.add_argument("--requests", type=int, default=200, help="requests per page for the in-process check (default 200)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds at toy sizes, every path run (the tests use it so the benchmark cannot rot); its figures mean nothing",
    )
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.warmup, args.requests, args.reruns, args.profile = 1.0, 0.2, 10, 0, True
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "python")
    if client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not on PATH: apt-get install wrk, or use --client python")

    say(f"bench_web: {conditions()}")
    say(
        f"load generator: {'wrk, 1 thread' if client == 'wrk' else 'asyncio client in this process'}, on this machine: "
        f"it competes with gunicorn for the {os.cpu_count()} cores, so every figure is lower than a separate client would see"
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a SIGTERM still runs the clean-up below
    servers: list[Server] = []
    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        with contextlib.ExitStack() as services:
            server_url = services.enter_context(postgres()) if args.database == "postgresql" else ""
            args.redis_url = services.enter_context(redis()) if args.redis else ""
            args.database_name = "PostgreSQL" if server_url else "SQLite"
            args.database_url_for = lambda name: new_database(server_url, name) if server_url else f"sqlite:///{work / name}.sqlite3"
            say(f"database: {args.database_name}; queue and rate limits: {'Redis' if args.redis else 'SQLite queue, in-memory limits'}")
            results = measure(args, client, work, servers)
            for server in servers:
                server.stop()
            missed = report(results)
            pages = ["results page", "API"] if args.profile else [m for m in missed if m != POST]
            once, post_ok = in_process(work, args.requests, pages, args.database_url_for("inprocess"), args.redis_url)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    say()
    say(f"all web targets: {verdict(not missed and once and post_ok)}")
    return 0


def new_database(server_url: str, name: str) -> str:
    """A database of its own on the benchmark's PostgreSQL server."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


if __name__ == "__main__":
    sys.exit(main())
