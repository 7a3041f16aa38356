"""Mail that really goes: through the task queue and a worker to a real SMTP server on 127.0.0.1 (aiosmtpd).

The customer's link to their results (and to each new version), the brokers' alert of a new request,
renewal reminders; STARTTLS and a login when set; and, with no MAIL_SERVER, nothing queued and no
page promising an e-mail.
"""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from aggregator import clock
from tests.web.conftest import API_BODY, FORM
from tests.web.test_broker import _app, _login, _token
from webapp.extensions import db
from webapp.models import Policy, QuoteRequest

SENDER = "保険一括見積もり <quotes@agency.example.jp>"
BROKERS = "desk@agency.example.jp, yamada@agency.example.jp"


class Inbox:
    """An SMTP handler that keeps every message it is given, with whether it came over TLS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[list[str], EmailMessage, bool]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message, session.ssl is not None))  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
            if (auth_data.login, auth_data.password) == (b"agency", b"s3cret pass 2026"):
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def wait(self, count: int) -> list[tuple[list[str], EmailMessage, bool]]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"{count} messages were expected, {len(self.messages)} came")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), options.pop("port", None) or _free_port()
    if options.pop("login", False):
        options.update(authenticator=inbox.authenticate, auth_required=True, auth_require_tls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _subject(message: EmailMessage) -> str:
    return str(message["Subject"]).strip()  # a long subject is folded after "Subject:", which leaves a space before it


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _mail_app(tmp_path: Path, port: int, **extra: Any) -> Flask:
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_DEFAULT_SENDER": SENDER, "BROKER_MAIL_TO": BROKERS, "MAIL_TIMEOUT": 10}
    return _app(tmp_path, **{**settings, **extra})


@contextmanager
def worker(app: Flask) -> Iterator[None]:
    from webapp.tasks import start_embedded_worker

    consumer = start_embedded_worker(app)
    try:
        yield
    finally:
        consumer.stop(graceful=True)


def test_the_customer_gets_the_link_and_the_brokers_the_alert_on_a_real_smtp_server(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        app = _mail_app(tmp_path, port)
        client = app.test_client()
        form = client.get("/").get_data(as_text=True)
        assert "見積結果のページのURLをこのアドレスにお送りします" in form
        with worker(app):
            created = client.post("/", data={**FORM, "csrf_token": _token(client, "/")})
            assert created.status_code == 302
            token = created.headers["Location"].rsplit("/", 1)[1]
            with app.app_context():
                request_id = db.session.query(QuoteRequest).filter_by(token=token).one().id
            messages = inbox.wait(2)
            customer = next(m for to, m, _tls in messages if to == ["tanaka@example.co.jp"])
            alert = next(m for to, m, _tls in messages if to != ["tanaka@example.co.jp"])
            assert str(customer["From"]) == SENDER and "株式会社テスト開発" in _subject(customer)
            assert f"http://localhost/quotes/{token}" in _body(customer) and "第1版" in _body(customer)
            assert [to for to, m, _tls in messages if m is alert] == [["desk@agency.example.jp", "yamada@agency.example.jp"]]
            assert _subject(alert) == "【新しい見積依頼】株式会社テスト開発 / New quote request: 株式会社テスト開発"
            text = _body(alert)
            assert f"http://localhost/broker/requests/{request_id}" in text
            assert text.index("新しい見積依頼が届きました") < text.index("A new quote request has come in")  # Japanese first
            # each new version the customer makes: its own link
            requoted = client.post(
                f"/quotes/{token}/requote",
                data={"csrf_token": _token(client, f"/quotes/{token}"), "line": "it_eo", "limit_jpy": "300000000", "deductible_jpy": "0"},
            )
            assert requoted.status_code == 302
            third = inbox.wait(3)[2]
            with app.app_context():
                newest = len(db.session.query(QuoteRequest).filter_by(token=token).one().versions)
            assert newest > 1  # the form made one version per line, the requote one more
            body = _body(third[1])
            assert third[0] == ["tanaka@example.co.jp"] and f"/quotes/{token}?v={newest}" in body and f"第{newest}版" in body
            # a customer on the English page gets the English mail
            english = app.test_client()
            english.get("/?lang=en")
            english.post("/", data={**FORM, "company": "Example KK", "csrf_token": _token(english, "/")})
            fourth = [m for to, m, _tls in inbox.wait(5)[3:] if to == ["tanaka@example.co.jp"]]
            assert fourth and _subject(fourth[0]) == "Your insurance quote comparison for Example KK (version 1)"
        missing = client.get("/quotes/no-such-link").get_data(as_text=True)
        assert "お送りしたメールにあるもの" in missing


def test_a_message_the_server_refused_is_sent_on_a_later_try_and_a_broker_sends_a_version_link(tmp_path: Path) -> None:
    port = _free_port()
    app = _mail_app(tmp_path, port, MAIL_RETRY_SECONDS=1)
    client = app.test_client()
    with worker(app):
        created = client.post("/", data={**FORM, "csrf_token": _token(client, "/")})  # no server listens yet: the first try fails
        token = created.headers["Location"].rsplit("/", 1)[1]
        with smtp_server(port=port) as (inbox, _port):  # the server comes up: the next try goes through
            messages = inbox.wait(2)
            assert any(to == ["tanaka@example.co.jp"] and f"/quotes/{token}" in _body(m) for to, m, _tls in messages)
            broker = app.test_client()
            assert _login(broker).status_code == 302
            with app.app_context():
                request_id = db.session.query(QuoteRequest).filter_by(token=token).one().id
            detail = f"/broker/requests/{request_id}"
            assert "この版のURLをお客様にメールで送る" in broker.get(detail).get_data(as_text=True)
            sent = broker.post(f"{detail}/send?v=1", data={"csrf_token": _token(broker, detail)})
            assert sent.status_code == 302
            again = inbox.wait(3)[2]
            assert again[0] == ["tanaka@example.co.jp"] and f"/quotes/{token}?v=1" in _body(again[1])


def test_mail_goes_over_starttls_with_the_login_set(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with smtp_server(tls_context=context, require_starttls=True, login=True) as (inbox, port):
        app = _mail_app(tmp_path, port, MAIL_USE_TLS=True, MAIL_USERNAME="agency", MAIL_PASSWORD="s3cret pass 2026")
        with worker(app):
            created = app.test_client().post("/api/v1/quotes", json={**API_BODY, "contact_email": "it@example.com"})
            assert created.status_code == 201
            messages = inbox.wait(2)
        assert all(tls for _to, _m, tls in messages)  # MAIL_USE_TLS: STARTTLS before anything was sent
        assert inbox.logins == [(b"agency", b"s3cret pass 2026")] * len(inbox.logins) and inbox.logins  # MAIL_USERNAME, MAIL_PASSWORD
        assert any(to == ["it@example.com"] and created.get_json()["url"] in _body(m) for to, m, _tls in messages)


def _policy(app: Flask, expiry: date) -> int:
    client = app.test_client()
    created = client.post("/", data={**FORM, "csrf_token": _token(client, "/")})
    token = created.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        found = db.session.query(QuoteRequest).filter_by(token=token).one()
        column = found.versions[0].record["comparison"]["columns"][0]
        found.status = "won"
        policy = Policy(
            request_id=found.id,
            version_id=found.versions[0].id,
            created_by="tanaka",
            company=found.company,
            carrier=column["carrier"],
            plan_code=column["plan_code"],
            plan_name=column["plan_name"],
            line="cyber",
            limit_jpy=column["quoted"]["limit_jpy"],
            deductible_jpy=column["quoted"]["deductible_jpy"],
            premium_jpy=880_000,
            start_date=expiry - timedelta(days=365),
            expiry_date=expiry,
            policy_number="CY-7777",
            items={},
        )
        db.session.add(policy)
        db.session.commit()
        return policy.id


def test_renewal_reminders_reach_the_brokers_once_per_window(tmp_path: Path) -> None:
    from webapp.mail import send_due_reminders

    expiry = date(2027, 3, 31)
    with smtp_server() as (inbox, port):
        app = _mail_app(tmp_path, port, BROKER_MAIL_TO="desk@agency.example.jp")
        _policy(app, expiry)
        with worker(app):
            before = len(inbox.wait(2))  # the request's own two messages
            with clock.travel(expiry - timedelta(days=50)):
                broker = app.test_client()
                assert _login(broker).status_code == 302
                sent = broker.post("/broker/renewals/remind", data={"csrf_token": _token(broker, "/broker/renewals")})
                assert sent.status_code == 302
                reminder = inbox.wait(before + 1)[before]
                assert reminder[0] == ["desk@agency.example.jp"]
                text = _body(reminder[1])
                assert "株式会社テスト開発" in text and "CY-7777" in text and "あと50日、60日以内" in text and "50 days left" in text
                with app.app_context():
                    assert send_due_reminders(app) == 0  # the 60-day reminder went: not again
                    assert db.session.query(Policy).one().reminded_days == 60
            with clock.travel(expiry - timedelta(days=20)):
                app.extensions["reminder_task"]()  # what the workers' hourly task runs
                later = inbox.wait(before + 2)[before + 1]
                assert "あと20日、30日以内" in _body(later[1])
    # every worker runs the reminders each hour: the periodic task is on in the consumers we start
    from datetime import datetime

    from webapp.tasks import create_consumer

    assert create_consumer(app, 1).periodic
    hourly = next(t for t in app.extensions["huey"]._registry.periodic_tasks if t.name == "renewal_reminders_hourly")
    assert hourly.validate_datetime(datetime(2027, 3, 1, 9, 0)) and not hourly.validate_datetime(datetime(2027, 3, 1, 9, 30))


def test_without_a_mail_server_nothing_is_queued_and_no_page_promises_mail(tmp_path: Path) -> None:
    app = _app(tmp_path)
    client = app.test_client()
    form = client.get("/").get_data(as_text=True)
    assert "お送りします" not in form and "保険代理店からのご連絡に使います" in form
    created = client.post("/", data={**FORM, "csrf_token": _token(client, "/")})
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "お送りします" not in page and "このページのURLを保存(ブックマーク)してください" in page
    assert app.extensions["huey"].pending_count() == 0  # no message waits for a worker
    missing = client.get("/quotes/no-such-link").get_data(as_text=True)
    assert "お送りした" not in missing and "見積もりの後に表示されたページのアドレス" in missing
    broker = app.test_client()
    _login(broker)
    assert "メールでは届きません" in broker.get("/broker/renewals").get_data(as_text=True)


def test_make_run_says_whether_mail_is_on_and_how_to_turn_it_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aggregator.cli import main
    from webapp.config import ConfigError, load

    for configured, expected in (
        ({}, "MAIL_SERVER(と MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER)を設定すると"),
        ({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 2525, "MAIL_DEFAULT_SENDER": SENDER, "BROKER_MAIL_TO": BROKERS}, "SMTP 127.0.0.1:2525"),
    ):
        app = _app(tmp_path / str(len(configured)), **configured)
        monkeypatch.setattr(app, "run", lambda **_: None)
        monkeypatch.setattr("webapp.create_app", lambda app=app: app)
        result = CliRunner().invoke(main, ["serve", "--no-worker"])
        assert result.exit_code == 0, result.output
        assert expected in result.output
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.jp")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    with pytest.raises(ConfigError, match="MAIL_DEFAULT_SENDER"):
        load(tmp_path)
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", SENDER)
    monkeypatch.setenv("MAIL_USERNAME", "agency")
    monkeypatch.setenv("MAIL_PASSWORD", "pw")
    config = load(tmp_path)
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"], config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == (
        "smtp.example.jp",
        587,
        True,
        "agency",
        "pw",
    )
