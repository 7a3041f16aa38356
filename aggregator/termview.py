"""The comparison as a terminal table: items down, plans across, the best per row starred."""

from __future__ import annotations

from aggregator.applicant import Applicant
from aggregator.codes import CellKind
from aggregator.comparison import Cell, Comparison
from aggregator.current import MARK_SIGNS, Mark, difference_text, title
from aggregator.labels import SAMPLE_NOTICE, carrier_name, line_name, pick
from aggregator.money import Lang, format_yen
from aggregator.present import cell_text, nearest_product, plan_name, plan_terms, pool_label, premium_text, status_text, yen
from aggregator.recommendation import Recommendation
from aggregator.taxonomy import CATEGORY_LABELS, label
from aggregator.texttable import render


def render_comparison(comparison: Comparison, advice: Recommendation, applicant: Applicant, lang: Lang = "ja") -> str:
    ja = lang == "ja"
    out: list[str] = []
    if comparison.sample:
        out.append(f"※ {pick(SAMPLE_NOTICE, lang)}")
    line = comparison.columns[0].quote.line if comparison.columns else applicant.lines[0]
    out.append(f"{applicant.company} — {line_name(line, lang)}")
    out.append(
        (f"ご希望: 支払限度額 {format_yen(applicant.limit_jpy)} / 免責金額 {format_yen(applicant.deductible_jpy)}")
        if ja
        else f"Asked: limit {format_yen(applicant.limit_jpy, 'en')} / deductible {format_yen(applicant.deductible_jpy, 'en')}"
    )
    out.append("")
    cur = comparison.current

    def now(text: str) -> list[str]:
        """The current policy's cell in a row, when there is one: it is the first column."""
        return [text] if cur is not None else []

    header = [("補償項目" if ja else "Item"), ("推定必要額" if ja else "Est. need")]
    header += now(("現在: " if ja else "Now: ") + (title(cur.policy, lang) if cur is not None else ""))
    header += [f"{carrier_name(c.quote.carrier, lang)} {c.quote.plan.code}" for c in comparison.columns]
    premium_now = yen(cur.policy.premium_jpy, lang) if cur is not None else ""
    rows: list[list[str]] = [
        ["状態" if ja else "Status", "", *now("ご加入中" if ja else "held"), *(status_text(c, lang) for c in comparison.columns)],
        ["年間保険料" if ja else "Annual premium", "", *now(premium_now), *(premium_text(c, lang) for c in comparison.columns)],
        [
            "支払限度額" if ja else "Limit",
            yen(applicant.limit_jpy, lang),
            *now(yen(cur.policy.limit_jpy, lang) if cur is not None else ""),
            *(yen(c.quote.limit_jpy, lang) for c in comparison.columns),
        ],
        [
            "免責金額" if ja else "Deductible",
            yen(applicant.deductible_jpy, lang),
            *now(yen(cur.policy.deductible_jpy, lang) if cur is not None else ""),
            *(yen(c.quote.deductible_jpy, lang) for c in comparison.columns),
        ],
    ]
    if cur is not None:
        rows.append(
            [
                "現在との差" if ja else "vs now",
                "",
                "",
                *(difference_text(v.premium_difference_jpy, lang) for v in cur.versus),
            ]
        )
    rows += _item_rows(comparison, lang)
    rows += _pool_rows(comparison, lang)
    out.append(render(header, rows))
    for ns in comparison.not_sold:
        nearest = nearest_product(ns, lang)
        out.append(
            f"取扱なし: {carrier_name(ns.carrier, lang)}は{line_name(ns.line, lang)}を取り扱っていません(近い商品: {nearest})"
            if ja
            else f"Not sold: {carrier_name(ns.carrier, lang)} does not sell {line_name(ns.line, lang)} (nearest: {nearest})"
        )
    out.append("")
    out.append("★ 各行で最も手厚いプラン  ▲ 推定必要額に対する不足額" if ja else "★ best in the row   short: below the estimated need")
    if cur is not None:
        out.append(
            "↑ 現在より手厚い  ＝ 同じ  ↓ 現在より薄い(不明の項目は比べていません)"
            if ja
            else "↑ better than now  ＝ same  ↓ less (unknown items are not compared)"
        )
    out.append("")
    out.append("【主な条件・免責】" if ja else "[Main conditions and exclusions]")
    for column in comparison.columns:
        out.append(f"  {carrier_name(column.quote.carrier, lang)} {plan_name(column.quote.plan, lang)}")
        out.extend(f"    {name}: {text}" for name, text in plan_terms(column.quote, lang))
    out.append("")
    out.extend(_scenarios(comparison, lang))
    out.extend(_ranking(comparison, advice, lang))
    return "\n".join(out)


def _now(comparison: Comparison, text: str) -> list[str]:
    return [text] if comparison.current is not None else []


def _item_rows(comparison: Comparison, lang: Lang) -> list[list[str]]:
    """Each item: the need, the current policy's cell (when there is one), and each plan's, starred and marked."""
    ja, cur = lang == "ja", comparison.current
    rows: list[list[str]] = []
    for category, group in comparison.groups:
        rows.append([f"【{pick(CATEGORY_LABELS[category], lang)}】", "", *_now(comparison, ""), *("" for _ in comparison.columns)])
        for row in group:
            cells = _now(comparison, _current_text(cur.cell(row.key), lang) if cur is not None else "")
            for i in range(len(comparison.columns)):
                cell = comparison.cell(i, row.key)
                text = cell_text(cell, lang) + (" ★" if cell.best else "")
                if cur is not None and (mark := cur.mark(i, row.key)) is not Mark.UNKNOWN:
                    text += f" {MARK_SIGNS[mark]}"
                if cell.shortfall_jpy:
                    text += f" ▲{format_yen(cell.shortfall_jpy, lang)}" if ja else f" short {format_yen(cell.shortfall_jpy, lang)}"
                cells.append(text)
            rows.append(["  " + label(row.key, lang), yen(row.need.amount_jpy if row.need else None, lang), *cells])
    return rows


def _pool_rows(comparison: Comparison, lang: Lang) -> list[list[str]]:
    ja = lang == "ja"
    rows: list[list[str]] = []
    pool_ids = list(dict.fromkeys(p.pool_id for c in comparison.columns for p in c.pools))
    if pool_ids:
        rows.append([f"【{'支払限度額の枠' if ja else 'Shared limits'}】", "", *_now(comparison, ""), *("" for _ in comparison.columns)])
    for pool_id in pool_ids:
        uses = [next((p for p in c.pools if p.pool_id == pool_id), None) for c in comparison.columns]
        name = pool_label(next(u for u in uses if u is not None), lang)
        texts = []
        for use in uses:
            if use is None:
                texts.append("—")
                continue
            text = f"{yen(use.limit_jpy, lang)} {'支払' if ja else 'pays'}{yen(use.paid_jpy, lang)}"
            if use.shortfall_jpy:
                text += f" ▲{format_yen(use.shortfall_jpy, lang)}" if ja else f" short {format_yen(use.shortfall_jpy, lang)}"
            texts.append(text)
        rows.append(["  " + name, "", *_now(comparison, "—"), *texts])
    return rows


def _current_text(cell: Cell, lang: Lang) -> str:
    """The current policy's cell: 不明 for an item not known (never 補償なし), with what is short."""
    text = ("不明" if lang == "ja" else "Unknown") if cell.kind is CellKind.UNKNOWN else cell_text(cell, lang)
    if cell.shortfall_jpy:
        text += f" ▲{format_yen(cell.shortfall_jpy, lang)}" if lang == "ja" else f" short {format_yen(cell.shortfall_jpy, lang)}"
    return text


def _scenarios(comparison: Comparison, lang: Lang) -> list[str]:
    """The contract's liability and the six accidents, one line each: what each plan pays and leaves to the customer."""
    ja = lang == "ja"
    out: list[str] = []
    case = comparison.contract.liability if comparison.contract is not None else None
    if case is not None:
        out.append("【契約の確認: 賠償の想定】" if ja else "[Contract check: the liability]")
        out.append(
            f"  {'通常の場合' if ja else 'Ordinary case'} {yen(case.ordinary_jpy, lang)}: {case.ordinary_ja if ja else case.ordinary_en}"
        )
        out.append(f"  {'最悪の場合' if ja else 'Worst case'} {yen(case.worst_jpy, lang)}: {case.worst_ja if ja else case.worst_en}")
        out.append("")
    if not comparison.scenarios:
        return out
    header = ["事故の例" if ja else "Accident", "推定損害" if ja else "Est. loss"]
    header += [f"{carrier_name(c.quote.carrier, lang)} {c.quote.plan.code}" for c in comparison.columns]
    rows = []
    for result in comparison.scenarios:
        cells = []
        for p in result.plans:
            text = f"{'支払' if ja else 'pays '}{yen(p.payable_jpy, lang)}"
            if p.shortfall_jpy:
                text += f" {'自己負担' if ja else 'left'} {yen(p.shortfall_jpy, lang)}"
            cells.append(text)
        title = result.scenario.title_ja if ja else result.scenario.title_en
        rows.append([title, yen(result.scenario.need_jpy, lang), *cells])
    out.append("【事故が起きたら: 6つの事故例】" if ja else "[If it happens: six accidents]")
    out.append(render(header, rows))
    out.append("")
    return out


def _ranking(comparison: Comparison, advice: Recommendation, lang: Lang) -> list[str]:
    ja = lang == "ja"
    out = ["【ご提案】" if ja else "[Recommendation]"]
    out.extend(f"  {text}" for text in (advice.reasons_ja if ja else advice.reasons_en))
    out.extend(f"  ⇄ {text}" for text in (advice.tradeoffs_ja if ja else advice.tradeoffs_en))
    out.append("")
    out.append("【順位】" if ja else "[Ranking]")
    for ranked in comparison.ranking:
        quote = comparison.columns[ranked.column].quote
        name = f"{carrier_name(quote.carrier, lang)} {plan_name(quote.plan, lang)}"
        head = f"  {ranked.rank}. {name}" if ranked.rank is not None else f"  — {name} ({'対象外' if ja else 'excluded'})"
        out.append(head)
        out.extend(f"       {text}" for text in (ranked.reasons_ja if ja else ranked.reasons_en))
    return out
