"""Backup and restore, run as the README says, while quotes are being written: the restore is whole and serves the same quotes."""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask

from tests.web.conftest import API_BODY, _fresh_postgres_database, _missing, make_app
from webapp import backup as backups
from webapp.extensions import db
from webapp.models import QuoteRequest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[list[str]]:
    """The commands of the README's "Backup and restore" section, as argument lists."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Backup and restore", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in section.splitlines() if line.startswith("    .venv/bin/aggregator ")]
    assert len(commands) >= 4, "the README's Backup and restore section lists its commands"
    for documented in (".venv/bin/aggregator backup", ".venv/bin/aggregator restore", ".venv/bin/aggregator migrate"):
        assert any(c.startswith(documented + " ") or c == documented for c in commands), documented
    return [shlex.split(command) for command in commands]


def _run(command: list[str], cwd: Path, database: str, answer: str = "") -> subprocess.CompletedProcess[str]:
    """One README command, run as written: .venv/bin/aggregator is the `aggregator` script installed beside this
    interpreter, which finds `backup`, `restore` and `migrate` through the web app's entry points."""
    assert command[0] == ".venv/bin/aggregator"
    env = {**os.environ, "DATABASE_URL": database, "AGGREGATOR_ENV": "development"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "aggregator"), *command[1:]],
        cwd=cwd,
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class Writer:
    """Quotes posted through the API, one after another, until told to stop: the site at work."""

    def __init__(self, app: Flask) -> None:
        self.app, self.tokens, self.failures = app, [], []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._write, daemon=True)

    def _write(self) -> None:
        client = self.app.test_client()
        n = 0
        while not self.stop.is_set():
            n += 1
            response = client.post("/api/v1/quotes", json={**API_BODY, "company": f"株式会社書き込み{n}"})
            (self.tokens if response.status_code == 201 else self.failures).append(response.get_json())

    def __enter__(self) -> Writer:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        self.thread.join(timeout=60)


def _payloads(app: Flask) -> dict[str, dict[str, Any]]:
    """Every stored quote as the API serves it, by id."""
    with app.app_context():
        tokens = [row.token for row in db.session.query(QuoteRequest)]
    client = app.test_client()
    served = {}
    for token in tokens:
        response = client.get(f"/api/v1/quotes/{token}")
        assert response.status_code == 200
        body = response.get_json()
        served[token] = {key: body[key] for key in ("version", "as_of", "comparison", "recommendation", "rates_unchanged")}
    return served


def _backup_and_restore(source_url: str, target_url: str, suffix: str, tmp_path: Path) -> None:
    source = make_app(source_url, tmp_path, WTF_CSRF_ENABLED=False, PUBLIC_RATE_LIMIT="100000 per minute")
    client = source.test_client()
    before = [client.post("/api/v1/quotes", json={**API_BODY, "company": f"株式会社既存{i}"}).get_json()["id"] for i in range(3)]
    commands = readme_commands()
    backup_command = next(c for c in commands if c[1] == "backup" and c[2].endswith(suffix))
    restore_command = next(c for c in commands if c[1] == "restore" and c[2].endswith(suffix))
    migrate_command = next(c for c in commands if c[1] == "migrate")
    with Writer(source) as writer:
        while len(writer.tokens) < 3:  # writes are going on
            time.sleep(0.01)
        started = len(writer.tokens)
        made = _run(backup_command, tmp_path, source_url)
        finished = len(writer.tokens)
    assert made.returncode == 0, made.stderr
    assert "整合性を確認済み" in made.stdout
    assert finished > started and not writer.failures  # quotes were stored while the backup ran
    backup_file = tmp_path / backup_command[2]
    assert backup_file.is_file() and not backup_file.with_name(backup_file.name + ".part").exists()

    refused = _run(restore_command, tmp_path, target_url, answer="n\n")  # it asks first, and "no" changes nothing
    assert refused.returncode != 0
    restored = _run(restore_command, tmp_path, target_url, answer="y\n")
    assert restored.returncode == 0, restored.stderr
    assert _run(migrate_command, tmp_path, target_url).returncode == 0

    copy = make_app(target_url, tmp_path, WTF_CSRF_ENABLED=False, PUBLIC_RATE_LIMIT="100000 per minute")
    original, served = _payloads(source), _payloads(copy)
    assert set(before) <= set(served)  # everything written before the backup began is in it
    assert set(served) <= set(original)
    for token, payload in served.items():
        assert payload == original[token], token  # every quote in the copy is whole and serves as before
    with copy.app_context():
        for row in db.session.query(QuoteRequest):
            assert [v.number for v in row.versions] == [1] and row.versions[0].record["comparison_sha256"] == row.versions[0].fingerprint


def test_sqlite_backup_taken_while_quotes_are_written_restores_whole(tmp_path: Path) -> None:
    live, target = tmp_path / "live.sqlite3", tmp_path / "restored.sqlite3"
    _backup_and_restore(f"sqlite:///{live}", f"sqlite:///{target}", ".sqlite3", tmp_path)
    connection = sqlite3.connect(tmp_path / "backup.sqlite3")
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    connection.close()


def test_postgresql_backup_taken_while_quotes_are_written_restores_whole(postgres_server: str, tmp_path: Path) -> None:
    try:
        backups._tool("pg_dump")
        backups._tool("pg_restore")
    except backups.BackupError:
        _missing("pg_dump and pg_restore (Debian package postgresql-client)")
    live, target = _fresh_postgres_database(postgres_server), _fresh_postgres_database(postgres_server)
    _backup_and_restore(live, target, ".pgdump", tmp_path)
    libpq = re.sub(r"^postgresql\+psycopg://", "postgresql://", target)
    with psycopg.connect(libpq) as connection:
        checked = connection.execute("SELECT count(*) FROM quote_versions v JOIN quote_requests r ON r.id = v.request_id").fetchone()
        assert checked is not None and checked[0] >= 3


def test_a_damaged_or_foreign_backup_is_refused_and_nothing_is_replaced(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    url = f"sqlite:///{live}"
    app = make_app(url, tmp_path, WTF_CSRF_ENABLED=False, PUBLIC_RATE_LIMIT="100000 per minute")
    token = app.test_client().post("/api/v1/quotes", json=API_BODY).get_json()["id"]
    backup_command = next(c for c in readme_commands() if c[1] == "backup" and c[2].endswith(".sqlite3"))
    assert _run(backup_command, tmp_path, url).returncode == 0
    good = tmp_path / "backup.sqlite3"
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(good.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    for bad, reason in ((damaged, "整合性チェックに失敗しました|を読めません"), (foreign, "このシステムのデータベースではありません")):
        result = _run([".venv/bin/aggregator", "restore", "--yes", bad.name], tmp_path, url)
        assert result.returncode == 1 and re.search(reason, result.stderr), result.stderr
    assert app.test_client().get(f"/api/v1/quotes/{token}").status_code == 200  # the live database is as it was
    assert not list(tmp_path.glob("live.before-restore-*"))


def test_a_restore_keeps_what_it_replaced(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    url = f"sqlite:///{live}"
    app = make_app(url, tmp_path, WTF_CSRF_ENABLED=False, PUBLIC_RATE_LIMIT="100000 per minute")
    client = app.test_client()
    first = client.post("/api/v1/quotes", json=API_BODY).get_json()["id"]
    assert backups.backup(url, tmp_path / "backup.sqlite3").kind == "SQLite"
    later = client.post("/api/v1/quotes", json=API_BODY).get_json()["id"]  # written after the backup
    outcome = backups.restore(url, tmp_path / "backup.sqlite3")
    assert outcome.saved_before is not None
    backups.check_sqlite(outcome.saved_before)
    kept = sqlite3.connect(outcome.saved_before)
    assert {row[0] for row in kept.execute("SELECT token FROM quote_requests")} == {first, later}
    kept.close()
    restored = make_app(url, tmp_path, WTF_CSRF_ENABLED=False, PUBLIC_RATE_LIMIT="100000 per minute").test_client()
    assert restored.get(f"/api/v1/quotes/{first}").status_code == 200
    assert restored.get(f"/api/v1/quotes/{later}").status_code == 404


@pytest.mark.parametrize("name", ["backup.sqlite3", "backup.pgdump"])
def test_the_readme_names_each_backup_and_restore_command(name: str) -> None:
    commands = readme_commands()
    assert [".venv/bin/aggregator", "backup", name] in commands and [".venv/bin/aggregator", "restore", name] in commands
