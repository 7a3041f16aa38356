"""Backups of the live database and their restore: SQLite's online backup API, pg_dump/pg_restore for PostgreSQL.

A copy of a live SQLite file taken with cp can catch a half-written page; the online backup API
copies a consistent snapshot while the site goes on writing. Every backup is checked before it is
kept, every restore is checked before and after, and a restore first saves what it replaces.
"""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from aggregator import clock

BUSY_MS = 10_000  # how long to wait for a writer's lock before giving up


class BackupError(RuntimeError):
    """A backup or restore that could not be made, or a file that is not a good backup; says which and why."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # "SQLite" or "PostgreSQL"
    path: Path
    size: int
    saved_before: Path | None = None  # restore: where the replaced database was kept


def database_url() -> str:
    """The database the web app uses: DATABASE_URL, or the SQLite file in its instance folder."""
    from flask import Flask

    from webapp.config import load

    instance = Path(Flask("webapp", instance_relative_config=True).instance_path)
    url: str = load(instance)["SQLALCHEMY_DATABASE_URI"]
    return url


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("メモリ上のSQLiteはバックアップできません")
    return Path(parsed.database)


def _libpq(url: str) -> str:
    """postgresql+psycopg://… as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    """pg_dump / pg_restore: Debian's newest in /usr/lib/postgresql, else the one on PATH."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0
    )
    path = found[-1] if found else shutil.which(name)
    if path is None:
        raise BackupError(f"{name} がありません。Debianでは apt-get install postgresql-client で入ります")
    return path


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return connection


def check_sqlite(path: Path) -> None:
    """A whole SQLite database of this product, or BackupError saying what is wrong with it."""
    if not path.is_file():
        raise BackupError(f"{path.name} がありません")
    try:
        with open(path, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path.name} はSQLiteのデータベースではありません")
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} を読めません: {exc}") from exc
    if result != ["ok"]:
        raise BackupError(f"{path.name} の整合性チェックに失敗しました: {'; '.join(result[:5])}")
    if not {"alembic_version", "quote_requests"} <= tables:
        raise BackupError(f"{path.name} はこのシステムのデータベースではありません(見積依頼の表がありません)")


def backup(url: str, target: Path) -> Outcome:
    """A consistent copy of the live database at `target`, written whole (a partial file never takes its name)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    live = _sqlite_file(url)
    try:
        if live is not None:
            _backup_sqlite(live, partial)
            check_sqlite(partial)
            kind = "SQLite"
        else:
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", f"--dbname={_libpq(url)}"])
            _run([_tool("pg_restore"), "--list", str(partial)])  # the archive reads back whole
            kind = "PostgreSQL"
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return Outcome(kind, target, target.stat().st_size)


def _backup_sqlite(live: Path, partial: Path) -> None:
    if not live.is_file():
        raise BackupError(f"データベース {live.name} がありません")
    source, copy = _connect(live), sqlite3.connect(partial)
    try:
        source.backup(copy)  # one step, in one read transaction: a snapshot, while writers go on (WAL)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        source.close()


def restore(url: str, source: Path) -> Outcome:
    """Replace the database's content with the backup's, after checking the backup; the replaced content is kept beside it."""
    source = source.resolve()
    live = _sqlite_file(url)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    if live is not None:
        check_sqlite(source)
        saved = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix}")
        if live.is_file():
            backup(url, saved)
        _restore_sqlite(source, live)
        check_sqlite(live)
        return Outcome("SQLite", live, live.stat().st_size, saved if saved.exists() else None)
    _run([_tool("pg_restore"), "--list", str(source)])
    saved = source.with_name(f"before-restore-{stamp}.pgdump")
    backup(url, saved)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_libpq(url)}",
            str(source),
        ]
    )
    return Outcome("PostgreSQL", source, source.stat().st_size, saved)


def _restore_sqlite(source: Path, live: Path) -> None:
    backup_file, database = sqlite3.connect(f"file:{source}?mode=ro", uri=True), _connect(live)
    try:
        backup_file.backup(database)  # under the database's write lock: readers see the old content or the new, never a mix
        database.execute("PRAGMA journal_mode=WAL")
    finally:
        database.close()
        backup_file.close()


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        name = Path(command[0]).name
        raise BackupError(f"{name} が失敗しました(終了コード {result.returncode}): {result.stderr.strip()[-1000:]}")
