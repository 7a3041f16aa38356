"""A broker in a real browser: log in, upload a client list, watch the progress bar finish, download the result."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import DESKTOP, TIMEOUT_MS, serving
from tests.test_bulk import GOOD, HEAD
from tests.web.conftest import make_app

pytestmark = pytest.mark.browser
PASSWORD = "browser test password 2026"


@pytest.fixture(scope="module")
def broker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a broker account and the embedded worker, so bulk jobs really run through the queue."""
    from webapp.auth import create_user
    from webapp.tasks import start_embedded_worker

    home = tmp_path_factory.mktemp("broker-app")
    app = make_app(f"sqlite:///{home / 'broker.sqlite3'}", home, WTF_CSRF_ENABLED=True, HUEY_DB=str(home / "queue.sqlite3"))
    with app.app_context():
        create_user("yamada", PASSWORD, "山田")
    consumer = start_embedded_worker(app)
    try:
        with serving(app) as url:
            yield url
    finally:
        consumer.stop(graceful=True)


def _client_list(path: Path, good: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEAD)
    for i in range(good):
        sheet.append([f"株式会社ブラウザ{i:03d}", *GOOD[1:]])
    sheet.append(["株式会社入力ミス", "パン屋", *GOOD[2:]])
    book.save(path)
    return path


def test_broker_uploads_a_client_list_watches_progress_and_downloads(
    browser: object, broker_server: str, screenshots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=broker_server, viewport=DESKTOP, locale="ja-JP", accept_downloads=True)  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/broker/bulk")
        assert page.url.endswith("/broker/login?next=%2Fbroker%2Fbulk")  # anonymous: sent to the login page
        page.get_by_label("ユーザー名").fill("yamada")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url("**/broker/bulk")
        page.get_by_label("顧客リスト(.xlsx / .csv)").set_input_files(str(_client_list(tmp_path / "顧客リスト.xlsx", 120)))
        page.get_by_role("button", name="アップロードして見積もる").click()
        page.wait_for_url("**/broker/bulk/*")
        progress = page.locator("progress.job-progress")
        assert progress.is_visible()
        page.get_by_role("link", name="結果をダウンロード").wait_for(state="visible", timeout=60_000)
        assert progress.evaluate("el => el.value") == 100
        assert page.get_by_text("完了").first.is_visible()
        assert "見積もった社数: 120" in page.locator(".job-result").inner_text()
        assert page.get_by_text("取り込めなかった行").is_visible() and page.get_by_text("業種が一覧にありません").is_visible()
        page.screenshot(path=screenshots / "broker-bulk-done.png", full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="結果をダウンロード").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
        results = next(book[name] for name in book.sheetnames if name.startswith("一括見積結果"))
        companies = [row[1] for row in results.iter_rows(values_only=True) if isinstance(row[0], int)]
        assert len(companies) == 120 and companies[0] == "株式会社ブラウザ000"
        assert any(row[1] == "業種" for row in book["エラー"].iter_rows(values_only=True))
        assert saved.name.endswith("_見積結果.xlsx")
    finally:
        context.close()
