"""The `aggregator` command group: quotes and bulk quoting here, other packages' commands registered through entry points.

The core imports none of the packages that use it. `carriers` and `webapp` name their commands in
pyproject.toml (entry-point group `aggregator.commands`: the command's name, then where its click
command is), and the carrier data `quote` and `bulk` rate with (group `aggregator.rater`). A command
is imported only when it runs, so `aggregator quote` never loads the web app.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import click

from aggregator import clock
from aggregator.agency import Agency
from aggregator.codes import Line
from aggregator.labels import SAMPLE_NOTICE
from aggregator.money import Lang
from aggregator.rating import Rater

COMMANDS = "aggregator.commands"  # entry points: a command's name = "package.module:click_command"
RATER = "aggregator.rater"  # entry point: "package.module:function", (data folder or None) -> Rater
AGENCY = "aggregator.agency"  # entry point: "package.module:function", () -> Agency, from the web app's settings

LANG = click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="表示言語 / language")
DATA = click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="保険会社データのフォルダ(既定: fixtures/carriers のサンプルデータ)",
)


@cache
def _registered(group: str) -> dict[str, EntryPoint]:
    """The entry points of a group by name (read once a process); two of one name is an error, never a silent pick."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=group):
        if point.name in found and found[point.name].value != point.value:
            raise click.ClickException(f"{group}: 「{point.name}」が2つ登録されています: {found[point.name].value} と {point.value}")
        found[point.name] = point
    return found


class CommandGroup(click.Group):
    """The core's own commands and, loaded when first asked for, those registered under `aggregator.commands`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_registered(COMMANDS)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        point = _registered(COMMANDS).get(cmd_name)
        if point is None:
            return None
        command = point.load()
        if not isinstance(command, click.Command):
            raise click.ClickException(f"{COMMANDS}: {point.value} はコマンドではありません")
        self.add_command(command, cmd_name)
        return command


@click.group(cls=CommandGroup)
def main() -> None:
    """保険見積もり比較 (IT事業者向けサイバー・IT業務過誤・専門職業賠償)."""


def _agency() -> Agency | None:
    """The agency a workbook names, from the settings the web app reads (`webapp`); None when no package provides one."""
    providers = _registered(AGENCY)
    if not providers:
        return None
    make: Callable[[], Agency] = next(iter(providers.values())).load()
    return make()


def _rater(data: Path | None) -> Rater:
    """Every carrier's data, from the one package registered to provide it (`carriers`)."""
    providers = _registered(RATER)
    if len(providers) != 1:
        names = "、".join(p.value for p in providers.values()) or "なし"
        raise click.ClickException(f"保険会社データの読み込み元({RATER})がちょうど1つ必要です(登録: {names})")
    load: Callable[[Path | None], Rater] = next(iter(providers.values())).load()
    return load(data)


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
    from aggregator.exposure import Assumptions
    from aggregator.recommendation import build_comparison, recommend
    from aggregator.serialize import comparison_to_data

    applicant, priorities, assumptions_data, current = read_request_file(applicant_file)

    assumptions = Assumptions().with_overrides(assumptions_data) if assumptions_data else None
    chosen = Line(line) if line else applicant.lines[0]
    day = as_of.date() if as_of else clock.today()
    comparison = build_comparison(
        _rater(data), applicant, day, line=chosen, assumptions=assumptions, priorities=priorities, all_plans=all_plans, current=current
    )
    if xlsx is not None:
        from aggregator.export import write_comparison

        write_comparison(comparison, xlsx, lang=lang, applicant=applicant, as_of=day, agency=_agency())
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


if __name__ == "__main__":  # pragma: no cover
    main()
