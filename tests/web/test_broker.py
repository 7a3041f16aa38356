"""The broker workspace: login, requests and proposals, bulk jobs through the real queue, carrier data versions."""

from __future__ import annotations

import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from aggregator import clock
from aggregator.schema import Carrier
from carriers.registry import FIXTURES
from tests.test_bulk import GOOD, HEAD
from tests.web.conftest import FORM, make_app
from webapp.auth import create_user
from webapp.extensions import db
from webapp.models import AuditEntry, BulkJob, Proposal, QuoteRequest

PASSWORD = "correct horse battery staple"


def _app(tmp_path: Path, **extra: Any) -> Flask:
    app = make_app(
        f"sqlite:///{tmp_path / 'broker.sqlite3'}",
        tmp_path,
        HUEY_DB=str(tmp_path / "queue.sqlite3"),
        CARRIER_DATA=str(_carrier_copy(tmp_path)),
        **extra,
    )
    with app.app_context():
        create_user("tanaka", PASSWORD, "田中")
        create_user("suzuki", PASSWORD, "鈴木")
    return app


def _carrier_copy(tmp_path: Path) -> Path:
    target = tmp_path / "carriers"
    if not target.exists():
        shutil.copytree(FIXTURES, target)
    return target


def _token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _login(client: FlaskClient, username: str = "tanaka", password: str = PASSWORD) -> Any:
    return client.post("/broker/login", data={"username": username, "password": password, "csrf_token": _token(client, "/broker/login")})


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return _app(tmp_path)


@pytest.fixture
def broker(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert _login(client).status_code == 302
    return client


def _customer_request(app: Flask, lines: tuple[str, ...] = ("cyber",)) -> str:
    client = app.test_client()
    created = client.post("/", data={**FORM, "lines": list(lines), "csrf_token": _token(client, "/")})
    assert created.status_code == 302
    return created.headers["Location"].rsplit("/", 1)[1]


def test_every_broker_page_needs_login(app: Flask) -> None:
    client = app.test_client()
    token = _customer_request(app)
    with app.app_context():
        request_id = db.session.execute(db.select(QuoteRequest.id).where(QuoteRequest.token == token)).scalar_one()
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/broker") and rule.endpoint != "auth.login":
            values = {
                arg: {"request_id": request_id, "token": "x", "carrier": "aig", "dataset_id": 1, "policy_id": 1}.get(arg, "x")
                for arg in rule.arguments
            }
            path = rule.rule
            for arg, value in values.items():
                path = re.sub(rf"<(?:\w+:)?{arg}>", str(value), path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                paths.append((method, path))
    assert len(paths) >= 12
    for method, path in paths:
        response = client.open(path, method=method)
        if method == "GET":
            assert response.status_code == 302 and "/broker/login" in response.headers["Location"], (method, path)
        else:  # a POST without a session is refused before anything happens
            assert response.status_code in (302, 400), (method, path)
    assert client.get(f"/broker/requests/{request_id}").status_code == 302


def test_every_post_route_without_a_csrf_token_is_400(app: Flask, broker: FlaskClient) -> None:
    posts = [rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or set())]
    assert len(posts) >= 10
    # The JSON API takes no cookies and only application/json, which a cross-site form cannot send:
    # a form-encoded POST to it is refused before anything is stored.
    api = [rule for rule in posts if rule.startswith("/api/")]
    assert [broker.post(rule, data={"anything": "x"}).status_code for rule in api] == [415] * len(api)
    for rule in (rule for rule in posts if not rule.startswith("/api/")):
        path = re.sub(r"<int:\w+>", "1", re.sub(r"<(?:string:)?\w+>", "aig", rule))
        assert broker.post(path, data={"anything": "x"}).status_code == 400, rule
    assert app.test_client().post("/broker/login", data={"username": "tanaka", "password": PASSWORD}).status_code == 400


def test_login_wrong_password_new_session_and_rate_limit(app: Flask) -> None:
    client = app.test_client()
    client.get("/?lang=en")
    assert _login(client, password="wrong password here").status_code == 401
    before = client.get_cookie("session")
    assert before is not None
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert _login(client).status_code == 302
    after = client.get_cookie("session")
    assert after is not None and after.value != before.value
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("lang") == "en"
    limited = app.test_client()
    statuses = [_login(limited, password="nope nope nope").status_code for _ in range(11)]
    assert statuses[-1] == 429
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="login.failed").count() == 1 + statuses.count(401)


def test_users_create_command(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aggregator.cli import main

    monkeypatch.setattr("webapp.create_app", lambda: app)
    runner = CliRunner()
    weak = runner.invoke(main, ["users", "create", "sato", "--password-stdin"], input="short\n")
    assert weak.exit_code == 1 and "12文字以上" in weak.output
    made = runner.invoke(main, ["users", "create", "sato", "--password-stdin", "--display-name", "佐藤"], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    client = app.test_client()
    assert _login(client, "sato").status_code == 302
    with app.app_context():
        from webapp.models import User

        stored = db.session.query(User).filter_by(username="sato").one()
        assert stored.password_hash.startswith("$argon2") and PASSWORD not in stored.password_hash


def test_dashboard_filters_and_search(app: Flask, broker: FlaskClient) -> None:
    _customer_request(app, ("cyber", "it_eo"))
    page = broker.get("/broker/").get_data(as_text=True)
    assert "株式会社テスト開発" in page and "新規" in page
    assert "株式会社テスト開発" not in broker.get("/broker/?q=存在しない会社").get_data(as_text=True)
    assert "株式会社テスト開発" in broker.get("/broker/?status=new&line=it_eo").get_data(as_text=True)
    assert "株式会社テスト開発" not in broker.get("/broker/?status=won").get_data(as_text=True)
    assert "株式会社テスト開発" not in broker.get("/broker/?from=2999-01-01").get_data(as_text=True)


def test_requote_status_workflow_and_proposal_are_kept_and_audited(app: Flask, broker: FlaskClient) -> None:
    token = _customer_request(app)
    with app.app_context():
        request_id = db.session.execute(db.select(QuoteRequest.id).where(QuoteRequest.token == token)).scalar_one()
    detail = f"/broker/requests/{request_id}"
    page = broker.get(detail).get_data(as_text=True)
    assert "意向把握と比較推奨" in page and "原因・被害範囲調査費用" in page
    csrf = _token(broker, detail)
    requoted = broker.post(
        f"{detail}/requote", data={"csrf_token": csrf, "line": "it_eo", "limit_jpy": "300000000", "deductible_jpy": "1000000"}
    )
    assert requoted.headers["Location"].endswith("v=2")
    assert (
        broker.post(f"{detail}/status", data={"csrf_token": csrf, "status": "won"}).status_code == 302
    )  # not allowed from 見積済: says so
    assert "には変更できません" in broker.get(detail).get_data(as_text=True)
    plan = re.search(r'<option value="([a-z_]+:[A-Z0-9-]+)"', broker.get(f"{detail}?v=2").get_data(as_text=True))
    assert plan
    wishes = {"limit_jpy": "100000000", "deductible_jpy": "100000", "riders": ["lost_profit"], "priority": "lowest_price"}
    broker.post(
        f"{detail}/proposal?v=2",
        data={
            "csrf_token": csrf,
            **{f"{step}-{k}": v for step in ("initial", "final") for k, v in wishes.items()},
            "initial-note": "保険料を抑えたい",
            "final-note": "保険料を抑えたい",
            "plan": plan.group(1),
            "reasons": "最も安く、必要な項目を満たす",
            "explained_on": clock.today().isoformat(),
            **{f"departure-{k}": "3億円で合意" for k in ("limit", "deductible", "rider-lost_profit")},
        },
    )
    # 成約 is recorded with the policy it places (webapp/book_views.py), not by the status select alone
    assert broker.post(f"{detail}/status", data={"csrf_token": csrf, "status": "won"}).status_code == 302
    assert "成約の記録" in broker.get(detail).get_data(as_text=True)
    won = broker.post(
        f"{detail}/win?v=2",
        data={
            "csrf_token": csrf,
            "plan": plan.group(1),
            "premium": "1,234,000",
            "start": "2026-12-01",
            "expiry": "2027-12-01",
            "number": "",
        },
    )
    assert won.status_code == 302
    with app.app_context():
        row = db.session.get(QuoteRequest, request_id)
        assert row is not None and row.status == "won"
        assert [v.created_by for v in row.versions] == ["customer", "tanaka"]
        proposal = db.session.query(Proposal).one()
        assert proposal.wishes == "保険料を抑えたい" and proposal.comparison_sha256 == row.versions[1].fingerprint
        actions = [e.action for e in db.session.query(AuditEntry).filter_by(target=f"request:{request_id}").order_by(AuditEntry.id)]
        assert actions == ["request.requote", "request.proposal", "request.win"]
    assert "保険料を抑えたい" in broker.get(detail).get_data(as_text=True)


@pytest.fixture
def worker(app: Flask) -> Iterator[Any]:
    from webapp.tasks import start_embedded_worker

    consumer = start_embedded_worker(app)
    yield consumer
    consumer.stop(graceful=True)


def _client_list(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _wait(broker: FlaskClient, token: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status: dict[str, Any] = broker.get(f"/broker/bulk/{token}/status.json").get_json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError("the bulk job did not finish")


def test_bulk_job_runs_through_the_real_queue_and_worker(app: Flask, broker: FlaskClient, worker: Any) -> None:
    content = _client_list([GOOD, [*GOOD[:1], "パン屋", *GOOD[2:]], [f"{GOOD[0]}2", *GOOD[1:]]])
    upload = broker.post(
        "/broker/bulk", data={"csrf_token": _token(broker, "/broker/bulk"), "file": (io.BytesIO(content), "顧客リスト.xlsx")}
    )
    assert upload.status_code == 302
    token = upload.headers["Location"].rsplit("/", 1)[1]
    assert 'class="job-progress"' in broker.get(f"/broker/bulk/{token}").get_data(as_text=True)
    status = _wait(broker, token)
    page = broker.get(f"/broker/bulk/{token}").get_data(as_text=True)
    assert "取り込めなかった行" in page and "業種が一覧にありません" in page and "パン屋" in page
    assert status["status"] == "done", status
    assert (status["clients"], status["bad_rows"], status["percent"]) == (2, 1, 100)
    result = broker.get(f"/broker/bulk/{token}/result.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(result.data))
    sheet = next(book[name] for name in book.sheetnames if name.startswith("一括見積結果"))
    companies = [row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert companies == [GOOD[0], f"{GOOD[0]}2"]
    errors = book["エラー"]
    assert any(row[0] == 3 and row[1] == "業種" for row in errors.iter_rows(values_only=True))
    result.close()


def test_a_failed_job_says_why_and_runs_again(app: Flask, broker: FlaskClient, worker: Any) -> None:
    upload = broker.post(
        "/broker/bulk", data={"csrf_token": _token(broker, "/broker/bulk"), "file": (io.BytesIO(b"not a workbook"), "clients.xlsx")}
    )
    token = upload.headers["Location"].rsplit("/", 1)[1]
    status = _wait(broker, token)
    assert status["status"] == "failed" and "Excelファイルとして読めません" in status["error"]
    assert broker.get(f"/broker/bulk/{token}/result.xlsx").status_code == 404
    with app.app_context():
        job = db.session.query(BulkJob).filter_by(token=token).one()
        from webapp.tasks import job_folder

        assert not list(job_folder(app, job).glob("result*"))  # nothing half-written
        job_folder(app, job).joinpath("input.xlsx").write_bytes(_client_list([GOOD]))
    retried = broker.post(f"/broker/bulk/{token}/retry", data={"csrf_token": _token(broker, f"/broker/bulk/{token}")})
    assert retried.status_code == 302
    assert _wait(broker, token)["status"] == "done"


def test_an_interrupted_job_is_marked_and_can_be_run_again(app: Flask) -> None:
    from datetime import timedelta

    from webapp.tasks import mark_interrupted, run_job

    with app.app_context():
        quiet = BulkJob(
            created_by="tanaka", filename="old.xlsx", status="running", stage="rating", updated_at=clock.now() - timedelta(hours=1)
        )
        busy = BulkJob(created_by="tanaka", filename="busy.xlsx", status="running", stage="rating", updated_at=clock.now())
        db.session.add_all([quiet, busy])
        db.session.commit()
        busy_id = busy.id
    assert mark_interrupted(app) == 1  # a second worker starting leaves the first one's live job alone
    with app.app_context():
        jobs = {job.filename: job for job in db.session.query(BulkJob)}
        assert jobs["old.xlsx"].status == "interrupted" and "中断" in jobs["old.xlsx"].error
        assert jobs["busy.xlsx"].status == "running"
        run_job(app, busy_id)  # another worker is on it: it is not claimed and not run twice
        assert db.session.get(BulkJob, busy_id).attempts == 0  # type: ignore[union-attr]
    assert mark_interrupted(app, older_than=None) == 1  # the embedded worker is the only one: all running jobs stopped


def _premium(app: Flask, carrier: str) -> int:
    from aggregator.applicants import applicant_from_data
    from tests.web.conftest import API_BODY

    body = {k: v for k, v in API_BODY.items() if k != "consent"}
    quotes = app.extensions["rater"].quote(applicant_from_data(body), clock.today())
    premium: int = next(q.premium_jpy for q in quotes if q.carrier.value == carrier)
    return premium


def _upload(broker: FlaskClient, carrier: str, name: str, content: bytes) -> str:
    response = broker.post(
        f"/broker/carriers/{carrier}/upload", data={"csrf_token": _token(broker, "/broker/carriers"), "file": (io.BytesIO(content), name)}
    )
    assert response.status_code == 302
    return broker.get("/broker/carriers").get_data(as_text=True)


def test_a_bad_carrier_upload_leaves_the_active_version_untouched(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    before = _premium(app, "aig")
    rates = (_carrier_copy(tmp_path) / "aig" / "aig_rates.csv").read_text(encoding="utf-8")
    broken = rates.replace('"JPY 90,000"', '"JPY ninety thousand"', 1).encode()
    assert broken != rates.encode()
    page = _upload(broker, "aig", "aig_rates.csv", broken)
    assert "不採用(エラー)" in page and "aig_rates.csv" in page
    assert _premium(app, "aig") == before
    refused = _upload(broker, "aig", "evil.csv", b"x")
    assert "データにないファイル名です" in refused
    with app.app_context():
        entries = [e.detail for e in db.session.query(AuditEntry).filter_by(action="carrier.upload")]
        assert entries and "rejected" in entries[0]


def test_a_good_carrier_upload_becomes_the_new_version_and_history_is_kept(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    before = _premium(app, "aig")
    factors = (_carrier_copy(tmp_path) / "aig" / "aig_factors.csv").read_text(encoding="utf-8")
    dearer = factors.replace("Cyber,Plan,CE-ESS,0.85", "Cyber,Plan,CE-ESS,1.70").replace("Cyber,Plan,CE-PRO,1.30", "Cyber,Plan,CE-PRO,2.60")
    assert dearer != factors
    page = _upload(broker, "aig", "aig_factors.csv", dearer.encode())
    assert "使用中" in page and "aig_factors.csv" in page
    assert _premium(app, "aig") > before
    again = _upload(broker, "aig", "aig_factors.csv", factors.encode())
    assert again.count("過去の版") == 1 and again.count("使用中") == 1
    assert _premium(app, "aig") == before
    # another web process sees the new version within seconds, without a restart
    other = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, HUEY_DB=str(tmp_path / "queue.sqlite3"), CARRIER_DATA=str(_carrier_copy(tmp_path))
    )
    assert _premium(other, "aig") == before


def test_unclassified_wording_is_listed_mapped_and_the_mapping_kept(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    path = _carrier_copy(tmp_path) / "sompo_japan" / "plans.json"
    strange = path.read_text(encoding="utf-8").replace("コールセンター設置費用", "ヘルプデスク増員手当", 1).encode()
    page = _upload(broker, "sompo_japan", "plans.json", strange)
    assert "ヘルプデスク増員手当" in page and "分類できない文言" in page
    dataset = re.search(r"/broker/carriers/sompo_japan/mappings/(\d+)", page)
    assert dataset
    mapped = broker.post(dataset.group(0), data={"csrf_token": _token(broker, "/broker/carriers"), "key-0": "call_center"})
    assert mapped.status_code == 302
    page = broker.get("/broker/carriers").get_data(as_text=True)
    assert "保存済みの対応付け" in page and "「ヘルプデスク増員手当」→ コールセンター費用" in page
    plan = app.extensions["carriers"][Carrier.SOMPO_JAPAN].plans[0]
    assert any(t.wording == "ヘルプデスク増員手当" for t in plan.terms)


def test_a_scheduled_version_keeps_an_upload_that_landed_before_its_date(app: Flask, broker: FlaskClient, tmp_path: Path) -> None:
    from datetime import timedelta

    from webapp import carrierdata
    from webapp.models import CarrierDataset

    coming = clock.today() + timedelta(days=10)
    folder = _carrier_copy(tmp_path) / "aig"
    future = (folder / "aig_rates.csv").read_text(encoding="utf-8").replace(",2026-04-01,", f",{coming.isoformat()},")
    page = _upload(broker, "aig", "aig_rates.csv", future.encode())
    assert "適用日待ち" in page  # scheduled: the current version stays in use until its date
    factors = (folder / "aig_factors.csv").read_text(encoding="utf-8").replace("Cyber,Plan,CE-ESS,0.85", "Cyber,Plan,CE-ESS,1.70")
    assert "使用中" in _upload(broker, "aig", "aig_factors.csv", factors.encode())  # a fix that goes live now
    with app.app_context():
        carrierdata.refresh_if_changed(app, force=True)
        assert db.session.query(CarrierDataset).filter_by(status="scheduled").count() == 1  # not yet: its date has not come
        with clock.travel(coming):  # its date comes
            carrierdata.refresh_if_changed(app, force=True)
        scheduled = db.session.query(CarrierDataset).filter_by(effective_from=coming).one()
        assert scheduled.status == "active"
        active = Path(carrierdata.active_folder(app, Carrier.AIG))
    assert coming.isoformat() in (active / "aig_rates.csv").read_text(encoding="utf-8")
    assert "CE-ESS,1.70" in (active / "aig_factors.csv").read_text(encoding="utf-8")  # the fix was kept


def test_no_proposal_on_a_closed_request(app: Flask, broker: FlaskClient) -> None:
    token = _customer_request(app)
    with app.app_context():
        row = db.session.query(QuoteRequest).filter_by(token=token).one()
        row.status = "lost"
        db.session.commit()
        request_id = row.id
    detail = f"/broker/requests/{request_id}"
    plan = re.search(r'<option value="([a-z_]+:[A-Z0-9-]+)"', broker.get(detail).get_data(as_text=True))
    assert plan
    broker.post(f"{detail}/proposal", data={"csrf_token": _token(broker, detail), "wishes": "x", "plan": plan.group(1), "reasons": "y"})
    assert "提案を記録できません" in broker.get(detail).get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Proposal).count() == 0
        assert db.session.get(QuoteRequest, request_id).status == "lost"  # type: ignore[union-attr]
