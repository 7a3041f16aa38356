"""`aggregator carriers check` and `show`, and the carrier data `aggregator quote` and `bulk` rate with (entry points)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from aggregator.bounds import build_rater
from aggregator.cli import DATA, LANG
from aggregator.errors import CarrierDataError
from aggregator.labels import BASIS_LABELS, SAMPLE_NOTICE, STATUS_LABELS, carrier_name, limit_text, line_name, pick
from aggregator.money import Lang, format_yen
from aggregator.present import localized, plan_name
from aggregator.rating import Rater
from aggregator.schema import CAP_ON_CREDITS, CAP_ON_NET, ROUNDING_NAMES, STEP_NAMES, Carrier, CarrierData, Plan
from aggregator.serialize import to_data
from aggregator.taxonomy import describe_candidates, label
from aggregator.texttable import render
from carriers.registry import FIXTURES, added_folders, load_all, load_folder


def rater(data: Path | None) -> Rater:
    """Every carrier loaded, or a clear refusal: a comparison missing a carrier would mislead."""
    report = load_all(data or FIXTURES)
    if not report.clean:
        problems = "\n".join(
            [
                *(f"  {carrier_name(c)}: {e.describe()}" for c, e in report.errors.items()),
                *(f"  {f}: {e.describe()}" for f, e in report.unread.items()),
            ]
        )
        raise click.ClickException(f"保険会社データを読み込めませんでした:\n{problems}")
    return build_rater(report.loaded.values())


@click.group()
def carriers() -> None:
    """保険会社データの検証と表示 / check and show carrier data."""


@carriers.command("check")
@DATA
def carriers_check(data: Path | None) -> None:
    """全社のプラン・料率ファイルを読み込み、検証結果を表示します。全社が正常なときだけ終了コード0。"""
    report = load_all(data or FIXTURES)
    for folder, error in report.unread.items():
        click.echo(f"✗ {folder}: 標準様式のブックから保険会社を読み取れません\n    {error.describe()}\n")
    for carrier in [c for c in Carrier if c in report.loaded or c in report.errors]:
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
    ok, failed = len(report.loaded), len(report.errors) + len(report.unread)
    click.echo(f"{ok}/{ok + failed}社を読み込みました" + ("" if report.clean else f"、{failed}社にエラーがあります"))
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
@click.argument("carrier")
@DATA
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
@LANG
def carriers_show(carrier: str, data: Path | None, as_json: bool, lang: Lang) -> None:
    """1社の正規化済みプランを、補償項目ごとに表示します(CARRIER は会社コード。標準様式で追加した会社も)。"""
    root = data or FIXTURES
    added, _ = added_folders(root)  # a carrier added as a canonical workbook is known by the code its workbook declares
    if carrier not in Carrier:
        raise click.BadParameter(f"「{carrier}」という会社コードはありません。次のいずれか: {', '.join(c.value for c in Carrier)}")
    try:
        loaded = load_folder(carrier, added.get(Carrier(carrier), root / carrier))
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


@carriers.command("template")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def carriers_template(target: Path) -> None:
    """標準様式のブック(空欄、記入方法つき)を書き出します。記入してブローカー画面の「保険会社を追加」から取り込みます。"""
    from carriers import plan_workbook

    plan_workbook.write(target)
    click.echo(f"{target} を書き出しました")
