"""The `aggregator` command: carrier data checks, quotes and bulk quoting from the terminal."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from aggregator import clock
from aggregator.bounds import build_rater
from aggregator.labels import BASIS_LABELS, SAMPLE_NOTICE, STATUS_LABELS, carrier_name, limit_text, line_name, pick
from aggregator.money import Lang, format_yen
from aggregator.present import localized, plan_name
from aggregator.rating import Rater
from aggregator.schema import CAP_ON_CREDITS, CAP_ON_NET, ROUNDING_NAMES, STEP_NAMES, Carrier, CarrierData, Line, Plan
from aggregator.serialize import to_data
from aggregator.taxonomy import describe_candidates, label
from aggregator.texttable import render

LANG = click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="表示言語 / language")


DATA = click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="保険会社データのフォルダ(既定: fixtures/carriers のサンプルデータ)",
)


@click.group()
def main() -> None:
    """保険見積もり比較 (IT事業者向けサイバー・IT業務過誤・専門職業賠償)."""


@main.group()
def carriers() -> None:
    """保険会社データの検証と表示 / check and show carrier data."""


@carriers.command("check")
@DATA
def carriers_check(data: Path | None) -> None:
    """全社のプラン・料率ファイルを読み込み、検証結果を表示します。全社が正常なときだけ終了コード0。"""
    from carriers.registry import FIXTURES, REGISTRY, load_all

    report = load_all(data or FIXTURES)
    for carrier in REGISTRY:
        name = f"{carrier_name(carrier)} ({carrier.value})"
        if carrier in report.loaded:
            click.echo(_describe(report.loaded[carrier], name))
        else:
            error = report.errors[carrier]
            click.echo(f"✗ {name}: 読み込めません")
            click.echo(f"    {error.describe()}")
            offered = getattr(error, "candidates", [])
            for i, (wording, where) in enumerate(getattr(error, "items", [])):
                hint = f" 候補: {describe_candidates(offered[i])}" if i < len(offered) and offered[i] else ""
                click.echo(f"    未分類の文言: {wording!r} ({where}){hint}")
        click.echo()
    if any(d.sample for d in report.loaded.values()):
        click.echo(f"※ {SAMPLE_NOTICE[0]}")
    ok = len(report.loaded)
    click.echo(f"{ok}/{len(REGISTRY)}社を読み込みました" + ("" if report.clean else f"、{len(report.errors)}社にエラーがあります"))
    sys.exit(0 if report.clean else 1)


def _describe(data: CarrierData, name: str) -> str:
    lines = [f"✓ {name}{' [サンプルデータ]' if data.sample else ''}"]
    lines.append("    販売種目: " + "、".join(line_name(line) for line in data.lines))
    for table in data.rate_tables:
        until = table.effective_to.isoformat() if table.effective_to else "—"
        lines.append(f"    料率 {line_name(table.line)}: 版 {table.version} 適用 {table.effective_from.isoformat()} 〜 {until}")
        rounding = f"{format_yen(table.rounding_jpy, 'ja').removesuffix('円')}円単位{ROUNDING_NAMES[table.rounding_mode][0]}"
        lines.append(f"      端数処理 {rounding}、{STEP_NAMES[CAP_ON_NET if table.debits_capped else CAP_ON_CREDITS][0]}")
    for plan in data.plans:
        lines.append(f"    プラン {plan.code}: {plan.name} ({line_name(plan.line)}) 補償項目 {len(plan.terms)}")
    lines.append("    未分類の文言: なし")
    return "\n".join(lines)


@carriers.command("show")
@click.argument("carrier", type=click.Choice([c.value for c in Carrier]))
@DATA
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
@LANG
def carriers_show(carrier: str, data: Path | None, as_json: bool, lang: Lang) -> None:
    """1社の正規化済みプランを、補償項目ごとに表示します。"""
    from aggregator.errors import CarrierDataError
    from carriers.registry import FIXTURES, load_carrier

    try:
        loaded = load_carrier(carrier, data or FIXTURES)
    except CarrierDataError as exc:
        raise click.ClickException(exc.describe()) from exc
    if as_json:
        click.echo(json.dumps(to_data(loaded), ensure_ascii=False, indent=1, sort_keys=True))
        return
    if loaded.sample:
        click.echo(f"※ {pick(SAMPLE_NOTICE, lang)}\n")
    for plan in loaded.plans:
        click.echo(_plan_table(plan, lang))
        click.echo()


def _plan_table(plan: Plan, lang: Lang) -> str:
    ja = lang == "ja"
    title = f"{carrier_name(plan.carrier, lang)} {plan_name(plan, lang)} [{plan.code}] — {line_name(plan.line, lang)}"
    limits = " / ".join(format_yen(n, lang) for n in plan.limit_options_jpy)
    deductibles = " / ".join(format_yen(n, lang) for n in plan.deductible_options_jpy)
    head = [
        title,
        ("支払限度額の選択肢: " if ja else "Limit options: ") + limits,
        ("免責金額の選択肢: " if ja else "Deductible options: ") + deductibles,
    ]
    for pool in plan.pools:
        head.append(
            f"{pool.label_ja if ja else pool.label_en}: {format_yen(pool.limit_jpy, lang)} ({pick(BASIS_LABELS[pool.basis], lang)})"
        )
    header = (
        ["補償項目", "状態", "限度額", "基準", "内枠", "支払割合", "1名/1法人あたり", "免責", "条件", "保険会社の文言"]
        if ja
        else ["Item", "Status", "Limit", "Basis", "Inside", "Payout", "Per person/company", "Deductible", "Conditions", "Carrier wording"]
    )
    rows = []
    for term in plan.terms:
        parent = plan.pool(term.parent)
        caps = ""
        if term.per_victim:
            person = format_yen(term.per_victim.per_person_jpy, lang) if term.per_victim.per_person_jpy is not None else "—"
            company = format_yen(term.per_victim.per_company_jpy, lang) if term.per_victim.per_company_jpy is not None else "—"
            caps = f"{person} / {company}"
        rows.append(
            [
                label(term.key, lang),
                pick(STATUS_LABELS[term.status], lang),
                limit_text(term.limit_jpy, lang) if term.offered else "—",
                pick(BASIS_LABELS[term.basis], lang) if term.offered else "—",
                (parent.label_ja if ja else parent.label_en) if parent else ("支払限度額" if ja else "policy limit"),
                f"{term.payout_ratio_pct}%",
                caps,
                format_yen(term.deductible_jpy, lang) if term.deductible_jpy is not None else ("基本免責" if ja else "policy"),
                localized(term.conditions, term.conditions_en, lang),
                term.wording,
            ]
        )
    return "\n".join(head) + "\n" + render(header, rows, right=(2, 5))


def read_request_file(applicant_file: Path) -> tuple[Any, Any, Any, Any]:
    """The applicant, priorities, assumptions and current policy a request file gives; every wrong field named at once.

    Read by the rules the API and the form apply (aggregator.applicant_rules).
    """
    from aggregator.applicants import ApplicantInputError, applicant_from_data
    from aggregator.current_data import current_from_data
    from aggregator.errors import ApplicantError, SchemaError
    from aggregator.recommendation import priorities_from_data

    try:
        raw = json.loads(applicant_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{applicant_file.name}: JSONとして読めません: {exc}") from exc
    errors: list[ApplicantError] = []
    priorities = None
    if isinstance(raw, dict):
        try:
            priorities = priorities_from_data(raw.pop("priorities", None))
        except SchemaError as exc:
            errors.append(ApplicantError(exc.field, exc.value, exc.reason))
    assumptions_data = raw.pop("assumptions", None) if isinstance(raw, dict) else None
    current_data = raw.pop("current_policy", None) if isinstance(raw, dict) else None
    applicant = current = None
    try:
        current = current_from_data(current_data)
    except ApplicantInputError as exc:
        errors += exc.errors
    try:
        applicant = applicant_from_data(raw)
    except ApplicantInputError as exc:
        errors = exc.errors + errors
    if errors:
        lines = "\n".join(f"  {e.field}: {e.reason} (入力値: {e.value!r})" for e in errors)
        raise click.ClickException(f"{applicant_file.name}: 申込内容に誤りがあります:\n{lines}")
    return applicant, priorities, assumptions_data, current


@main.command()
@click.argument("applicant_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--line", type=click.Choice([line.value for line in Line]), default=None, help="種目(既定: 申込の最初の種目)")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
@click.option("--all-plans", is_flag=True, help="各社の全プランを並べる(既定: 各社1プラン)")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None, help="比較表をExcelに書き出す")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="見積日(既定: 今日)")
@LANG
@DATA
def quote(
    applicant_file: Path,
    line: str | None,
    as_json: bool,
    all_plans: bool,
    xlsx: Path | None,
    as_of: datetime | None,
    lang: Lang,
    data: Path | None,
) -> None:
    """申込内容(JSON)から全社の見積もりを比較表で表示します。current_policy(現在のご契約)があれば最初の列に並べて比べます。"""
    from aggregator.recommendation import build_comparison, recommend
    from aggregator.serialize import comparison_to_data

    applicant, priorities, assumptions_data, current = read_request_file(applicant_file)
    from aggregator.exposure import Assumptions

    assumptions = Assumptions().with_overrides(assumptions_data) if assumptions_data else None
    chosen = Line(line) if line else applicant.lines[0]
    day = as_of.date() if as_of else clock.today()
    comparison = build_comparison(
        _rater(data), applicant, day, line=chosen, assumptions=assumptions, priorities=priorities, all_plans=all_plans, current=current
    )
    if xlsx is not None:
        import importlib

        agency = importlib.import_module("webapp.agency").from_environment()  # the agency's settings, as the web app reads them
        importlib.import_module("aggregator.export").write_comparison(
            comparison, xlsx, lang=lang, applicant=applicant, as_of=day, agency=agency
        )
    if as_json:
        click.echo(json.dumps(comparison_to_data(comparison), ensure_ascii=False, indent=1, sort_keys=True))
        return
    from aggregator.termview import render_comparison

    click.echo(render_comparison(comparison, recommend(comparison), applicant, lang))
    if xlsx is not None:
        click.echo(f"\n{'比較表を書き出しました' if lang == 'ja' else 'Workbook written'}: {xlsx}")


@main.command()
@click.argument("clients", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="結果のExcelファイル")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), help="空の顧客リストを書き出します")
@click.option("--revenue-unit", type=click.Choice(["円", "千円"]), default="円", show_default=True, help="テンプレートの売上高の単位")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="見積日(既定: 今日)")
@DATA
def bulk(
    clients: Path | None, output: Path | None, template: Path | None, revenue_unit: str, as_of: datetime | None, data: Path | None
) -> None:
    """顧客リスト(xlsx / CSV)を一括見積もりし、結果をExcelに書き出します。"""
    from tqdm import tqdm

    from aggregator.bulk import run_bulk
    from aggregator.bulkbook import write_template
    from aggregator.errors import ClientListError

    if template is not None:
        write_template(template, revenue_unit)
        click.echo(f"顧客リストのテンプレートを書き出しました: {template}")
        return
    if clients is None or output is None:
        raise click.UsageError("顧客リストと -o 結果ファイルを指定してください(または --template FILE)")
    rater = _rater(data)
    bars: dict[str, tqdm] = {}  # type: ignore[type-arg]

    def progress(stage: str, done: int, total: int) -> None:
        label = {"reading": "読み込み", "rating": "見積計算", "writing": "書き出し"}[stage]
        bar = bars.get(stage) or bars.setdefault(stage, tqdm(total=total, desc=label, unit="行", file=sys.stderr, leave=True))
        bar.update(done - bar.n)

    try:
        summary = run_bulk(rater, clients, output, (as_of.date() if as_of else clock.today()), progress=progress)
    except ClientListError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        for bar in bars.values():
            bar.close()
    click.echo(f"{summary.clients:,}社を見積もりました(結果 {summary.quoted_rows:,}行、{summary.sheets}シート)")
    click.echo(f"エラーのため除外: {summary.bad_rows:,}行" + (" — 「エラー」シートに行番号と理由があります" if summary.bad_rows else ""))
    if summary.sample:
        click.echo(f"※ {SAMPLE_NOTICE[0]}")
    click.echo(f"書き出しました: {output}")


def _rater(data: Path | None) -> Rater:
    """Every carrier loaded, or a clear refusal: a comparison missing a carrier would mislead."""
    from carriers.registry import FIXTURES, load_all

    report = load_all(data or FIXTURES)
    if not report.clean:
        problems = "\n".join(f"  {carrier_name(c)}: {e.describe()}" for c, e in report.errors.items())
        raise click.ClickException(f"保険会社データを読み込めませんでした:\n{problems}")
    return build_rater(report.loaded.values())


@main.command()
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


@main.command()
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


@main.command()
def migrate() -> None:
    """データベースを最新のスキーマに移行します(DATABASE_URL、未設定なら instance/ の SQLite)。"""
    from pathlib import Path as _Path

    from webapp.config import instance_path, load
    from webapp.migrate import upgrade

    url = load(_Path(instance_path() or "instance").resolve())["SQLALCHEMY_DATABASE_URI"]
    upgrade(url)
    click.echo("データベースを最新のスキーマにしました")


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """データベースのバックアップを取ります。稼働中でも一貫した内容です(SQLiteはオンラインバックアップ、PostgreSQLはpg_dump)。"""
    from webapp.backup import BackupError, backup, database_url

    try:
        outcome = backup(database_url(), target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"バックアップしました({outcome.kind}、{outcome.size:,}バイト、整合性を確認済み): {outcome.path}")


@main.command("restore")
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


@main.group()
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


if __name__ == "__main__":  # pragma: no cover
    main()
