"""Real-browser fixtures: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright.

Each pytest-xdist worker is its own session, so each gets its own server, database and browser.
Without Chromium or a Japanese font the tests skip; under CI (CI=true) that is a failure instead.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.web.conftest import IN_CI, make_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000  # pages answer in well under a second; the margin is for a 2-core CI machine under full load


def missing(what: str) -> None:
    message = (
        f"{what} is needed for the browser tests; `make test` installs it where it can (scripts/install-system-deps.sh, root with apt-get)"
    )
    if IN_CI:
        pytest.fail(message + " — under CI a missing dependency is a failure, not a skip")
    pytest.skip(message)


def japanese_font_families() -> set[str]:
    """Font families fontconfig offers for Japanese text (empty without fontconfig or fonts)."""
    if shutil.which("fc-list") is None:
        return set()
    listed = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=False).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}


class _QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output; errors still go to the werkzeug logger."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 and a free port in a background thread; yields its base URL."""
    from webapp.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@contextmanager
def serving_with_broker(home: Path, password: str) -> Iterator[str]:
    """The app in `home` with CSRF on, a broker account (yamada) and the embedded worker, so jobs really run through
    the queue; yields its base URL."""
    from webapp.auth import create_user
    from webapp.tasks import start_embedded_worker

    app = make_app(f"sqlite:///{home / 'app.sqlite3'}", home, WTF_CSRF_ENABLED=True, HUEY_DB=str(home / "queue.sqlite3"))
    with app.app_context():
        create_user("yamada", password, "山田")
    consumer = start_embedded_worker(app)
    try:
        with serving(app) as url:
            yield url
    finally:
        consumer.stop(graceful=True)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with CSRF on (a real browser carries the token), on its own SQLite file and a free port."""
    home = tmp_path_factory.mktemp("browser-app")
    with serving(make_app(f"sqlite:///{home / 'browser.sqlite3'}", home, WTF_CSRF_ENABLED=True)) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing(f"Chromium ({CHROMIUM}, Debian package chromium)")
    if not japanese_font_families():
        missing("A Japanese font (`fc-list :lang=ja` finds none; Debian package fonts-noto-cjk)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # expect() has its own 5 s default, separate from the page's
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    opened = browser.new_context(base_url=live_server, viewport=DESKTOP, locale="ja-JP", accept_downloads=True)
    opened.set_default_timeout(TIMEOUT_MS)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the screenshots go: test-output/screenshots/ at the repository root (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
