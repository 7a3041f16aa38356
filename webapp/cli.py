"""The web app's commands for `aggregator` (entry points): the server, the worker, the database, brokers' accounts."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=True, show_default=True, help="一括見積のワーカーを同じプロセスで動かす")
def serve(host: str, port: int, worker: bool) -> None:
    """Web画面を開発用サーバーで起動します(本番は gunicorn と aggregator worker: README を参照)。"""
    from webapp import create_app
    from webapp.tasks import start_embedded_worker

    app = create_app()
    consumer = start_embedded_worker(app) if worker else None
    click.echo(f"http://{host}:{port}/ で起動します。代理店画面: http://{host}:{port}/broker/ (aggregator users create で利用者を追加)")
    from webapp.mail import status_line

    click.echo(status_line(app))
    try:
        app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@click.command()
@click.option("--workers", default=1, show_default=True, type=int)
def worker(workers: int) -> None:
    """一括見積・メール送信のワーカー(タスクキューの消費者)を起動します。"""
    from webapp import create_app
    from webapp.tasks import Sweeper, create_consumer, mark_interrupted

    # One line per job started and finished (huey logs them), with this process's id: with several
    # workers on several hosts, the log says which one ran a job.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker[%(process)d] %(levelname)s %(name)s: %(message)s")
    app = create_app()
    stuck = mark_interrupted(app)  # only jobs quiet for a while: another worker may be running the rest
    if stuck:
        click.echo(f"止まっていたジョブ {stuck} 件を「中断(再実行可)」にしました")
    Sweeper(app).start()  # notices, within a minute, a job whose worker (another process) died
    create_consumer(app, workers).run()  # with periodic tasks: the hourly renewal reminders


@click.command()
def migrate() -> None:
    """データベースを最新のスキーマに移行します(DATABASE_URL、未設定なら instance/ の SQLite)。"""
    from webapp.config import instance_path, load
    from webapp.migrate import upgrade

    url = load(Path(instance_path() or "instance").resolve())["SQLALCHEMY_DATABASE_URI"]
    upgrade(url)
    click.echo("データベースを最新のスキーマにしました")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """データベースのバックアップを取ります。稼働中でも一貫した内容です(SQLiteはオンラインバックアップ、PostgreSQLはpg_dump)。"""
    from webapp.backup import BackupError, backup, database_url

    try:
        outcome = backup(database_url(), target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"バックアップしました({outcome.kind}、{outcome.size:,}バイト、整合性を確認済み): {outcome.path}")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="確認せずに復元する(自動化用)")
def restore_command(source: Path, yes: bool) -> None:
    """バックアップからデータベースを復元します。Webサーバーとワーカーを止めてから実行してください。"""
    from webapp.backup import BackupError, database_url, restore

    if not yes:
        click.confirm(
            "データベースの内容をバックアップの内容で置き換えます(今の内容は別のファイルに残します)。Webサーバーとワーカーは止めましたか?",
            abort=True,
        )
    try:
        outcome = restore(database_url(), source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"復元しました({outcome.kind}、整合性を確認済み): {source}")
    if outcome.saved_before is not None:
        click.echo(f"置き換える前の内容: {outcome.saved_before}")
    click.echo("古い版のバックアップなら、続けて aggregator migrate を実行してください")


@click.group()
def users() -> None:
    """代理店の利用者(ログインアカウント)を管理します。"""


@users.command("create")
@click.argument("username")
@click.option("--display-name", default="", help="画面に表示する名前")
@click.option("--password-stdin", is_flag=True, help="パスワードを標準入力から読む(自動化用)")
def users_create(username: str, display_name: str, password_stdin: bool) -> None:
    """代理店の利用者を追加します。パスワードは12文字以上、argon2で保存します。"""
    from webapp import create_app
    from webapp.auth import AccountError, create_user

    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt("パスワード", hide_input=True, confirmation_prompt="もう一度")
    )
    app = create_app()
    with app.app_context():
        try:
            name = create_user(username, password, display_name).username
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"利用者 {name} を追加しました")
