"""The client-ready comparison workbook (比較表): plans side by side, their wording, the needs, underwriting and notes.

Written with XlsxWriter, in memory, in Japanese or English. Amounts are int yen written as
numbers with yen formats; every text cell from user or carrier data goes through
xlsxstyle.sheet_text. The look (font, colours, print set-up) lives in xlsxstyle.py.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from aggregator import export_current
from aggregator.agency import Agency
from aggregator.applicant import Applicant
from aggregator.codes import CellKind, QuoteStatus
from aggregator.comparison import Cell, Comparison
from aggregator.compliance import AdviceRecord
from aggregator.current import MARK_SIGNS, Mark
from aggregator.export_book import LINE_HEIGHT, ROW_HEIGHT, Book, display_width, merge, wrapped_height
from aggregator.labels import carrier_name, line_name
from aggregator.matching import column_title
from aggregator.money import Lang
from aggregator.present import cell_notes, nearest_product, plan_name, plan_terms, pool_label, status_text
from aggregator.recommendation import Recommendation, recommend
from aggregator.taxonomy import CATEGORY_LABELS, label
from aggregator.xlsxstyle import (
    Styles,
    count_format,
    date_format,
    new_workbook,
    set_properties,
    sheet_text,
    shortfall_format,
    yen_format,
    zero_format,
)


def write_comparison(
    comparison: Comparison,
    target: Path | BinaryIO,
    *,
    lang: Lang = "ja",
    applicant: Applicant,
    as_of: date,
    advice: Recommendation | None = None,
    agency: Agency | None = None,
    record: AdviceRecord | None = None,
) -> None:
    """Write the comparison workbook to a file (appearing whole or not at all) or to a binary stream.

    `agency` is who gives the advice (its name, registration and policy go on the recommendation and notes sheets);
    `record` a broker's confirmed proposal, without which the plan shown is a candidate from the customer's wishes.
    """
    advice = advice or recommend(comparison)
    if isinstance(target, (str, Path)):
        path = Path(target)
        part = path.with_name(path.name + ".part")
        try:
            _write(str(part), comparison, advice, applicant, as_of, lang, agency, record)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        part.replace(path)
        return
    buffer = io.BytesIO()
    _write(buffer, comparison, advice, applicant, as_of, lang, agency, record)
    target.write(buffer.getvalue())


def _write(
    target: str | BinaryIO,
    comparison: Comparison,
    advice: Recommendation,
    applicant: Applicant,
    as_of: date,
    lang: Lang,
    agency: Agency | None,
    record: AdviceRecord | None,
) -> None:
    from aggregator import export_scenarios, export_sheets

    book = new_workbook(target)
    line = comparison.columns[0].quote.line if comparison.columns else applicant.lines[0]
    b = Book(book, Styles(book), comparison, advice, applicant, as_of, lang, line, agency, record)
    fingerprint = export_sheets.fingerprint(comparison)
    set_properties(
        book,
        title=f"{b.title} — {b.client}",
        subject=b.t("doc.subject"),
        as_of=as_of,
        sample=b.sample,
        lang=lang,
        keywords=b.t("doc.keywords", line=line_name(line, lang)),
        custom={"comparison_sha256": fingerprint, "line": line.value, "language": lang},
    )
    comparison_sheet(b)
    export_sheets.recommendation_sheet(b, fingerprint)
    export_sheets.details_sheet(b)
    export_sheets.needs_sheet(b)
    export_scenarios.scenarios_sheet(b)
    export_scenarios.contract_sheet(b)
    export_sheets.underwriting_sheet(b)
    export_sheets.notes_sheet(b)
    book.close()


# ------------------------------------------------------------------ 比較表 ---

ITEM_WIDTH, NEED_WIDTH = 30, 18


def plan_width(b: Book) -> float:
    """One width for every plan column: enough for its longest amount with its note, or a carrier's name."""
    widest = 16.0
    for column in b.comparison.columns:
        texts = [carrier_name(column.quote.carrier, b.lang), status_text(column, b.lang)]
        premium = column.quote.premium_jpy or 0
        texts.append(f"{premium:,}円 ({b.t('note.reference')})")
        texts.append(f"{column.quote.limit_jpy:,}円 ({b.t('note.changed')})")
        texts += [cell_look(b, cell)[3] for cell in column.cells]
        widest = max(widest, *(display_width(t) * 1.1 for t in texts))  # bold where best
    return min(widest, 32.0)


def comparison_sheet(b: Book) -> None:
    """Plans across, premium and limits on top, items grouped by category down, the legend below."""
    columns, first = b.comparison.columns, b.first_plan_col
    last = first - 1 + max(len(columns), 1)
    width = plan_width(b)
    ws = b.sheet("sheet.comparison", [ITEM_WIDTH, NEED_WIDTH, *([width] * (last - 1))])
    st = b.styles
    row = b.head(ws, last, f"{b.title}")
    proposed = b.marked
    if b.record is not None:
        key = "cmp.proposed" if proposed is not None else "cmp.proposed_elsewhere"
        merge(ws, row, 0, last, b.t(key, plan=b.record.plan.title(b.lang)), st.get("bold"))
    elif proposed is not None:
        merge(ws, row, 0, last, b.t("cmp.candidate", plan=column_title(columns[proposed], b.lang)), st.get("bold"))
    else:
        merge(ws, row, 0, last, b.t("cmp.none"), st.get("notice"))
    for ns in b.comparison.not_sold:
        row += 1
        nearest = nearest_product(ns, b.lang)
        merge(
            ws,
            row,
            0,
            last,
            b.t("cmp.not_sold", carrier=carrier_name(ns.carrier, b.lang), line=line_name(ns.line, b.lang), nearest=nearest),
            st.get("muted"),
        )
    top = row + 2
    ws.merge_range(top, 0, top + 1, 0, b.t("cmp.item"), st.get("header"))
    ws.merge_range(top, 1, top + 1, 1, b.t("cmp.need"), st.get("header"))
    for i, column in enumerate(columns):
        quote = column.quote
        ws.write_string(top, first + i, carrier_name(quote.carrier, b.lang), st.get("header"))
        ws.write_string(
            top + 1, first + i, sheet_text(plan_name(quote.plan, b.lang)), st.get("subheader", *(("proposed",) if i == proposed else ()))
        )
    if not columns:
        ws.merge_range(top, first, top + 1, first, b.t("cmp.empty"), st.get("subheader"))
    export_current.header(b, ws, top)
    names = [plan_name(c.quote.plan, b.lang) for c in columns] or [""]
    # Two lines at least: bold plan names run wider than the estimate, and a header should not clip.
    ws.set_row(top + 1, max(wrapped_height([(max(names, key=display_width), width)]), ROW_HEIGHT + LINE_HEIGHT))
    ws.repeat_rows(top, top + 1)
    ws.freeze_panes(top + 2, 2)
    row = _summary_rows(b, ws, top + 2)
    row = export_current.versus_row(b, ws, row)
    row = _item_rows(b, ws, row, width)
    row = _pool_rows(b, ws, row)
    row = _plan_term_rows(b, ws, row, width)
    _legend(b, ws, row + 1, last, ITEM_WIDTH + NEED_WIDTH + width * (last - 1))


def _summary_rows(b: Book, ws: Any, row: int) -> int:
    st, lang, columns = b.styles, b.lang, b.comparison.columns
    ranks = {r.column: r for r in b.comparison.ranking}
    labels = ("cmp.status", "cmp.premium", "cmp.limit", "cmp.deductible", "cmp.valid", "cmp.rank", "cmp.total_short", "cmp.covered")
    for offset, key in enumerate(labels):
        ws.write_string(row + offset, 0, b.t(key), st.get("label"))
        ws.write_blank(row + offset, 1, None, st.get("cell"))
    b.yen(ws, row + 2, 1, b.applicant.limit_jpy, "cell", "muted", note=b.t("note.asked"))
    b.yen(ws, row + 3, 1, b.applicant.deductible_jpy, "cell", "muted", note=b.t("note.asked"))
    export_current.summary(b, ws, row)
    for i, column in enumerate(columns):
        col, quote = b.first_plan_col + i, column.quote
        mood = {QuoteStatus.DECLINED: ("declined",), QuoteStatus.QUOTED: ()}.get(quote.status, ("pending",))
        ws.write_string(row, col, status_text(column, lang), st.get("cell", "center", *mood))
        if quote.premium_jpy is None or quote.status is QuoteStatus.DECLINED:
            b.yen(ws, row + 1, col, None, "cell")
        else:
            firm = quote.status is QuoteStatus.QUOTED
            b.yen(ws, row + 1, col, quote.premium_jpy, "cell", "bold", note="" if firm else b.t("note.reference"))
        for offset, (quoted, asked) in enumerate(
            ((quote.limit_jpy, quote.asked_limit_jpy), (quote.deductible_jpy, quote.asked_deductible_jpy))
        ):
            changed = quoted != asked
            b.yen(
                ws, row + 2 + offset, col, quoted, "cell", *(("adjusted",) if changed else ()), note=b.t("note.changed") if changed else ""
            )
        if quote.valid_until is not None:
            ws.write_datetime(row + 4, col, quote.valid_until, st.get("cell", "center", num=date_format(lang)))
        else:
            b.yen(ws, row + 4, col, None, "cell")
        _rank_cell(b, ws, row + 5, col, ranks[i].rank if i in ranks else None, proposed=i == b.marked)
        short = column.total_shortfall_jpy
        if short:
            ws.write_number(row + 6, col, short, st.get("cell", "short", num=shortfall_format(lang)))
        else:
            b.yen(ws, row + 6, col, 0, "cell")
        ws.write_number(row + 7, col, column.covered_items, st.get("cell", num=count_format("項目", "items", lang)))
    return row + len(labels)


def _rank_cell(b: Book, ws: Any, row: int, col: int, rank: int | None, *, proposed: bool) -> None:
    st, en = b.styles, b.lang == "en"
    if rank is None:
        ws.write_string(row, col, b.t("cmp.excluded"), st.get("cell", "center", "muted"))
        return
    if proposed:
        mark = b.t("rank.proposed" if b.record is not None else "rank.candidate")
        num = f'"◎ #"0" ({mark})"' if en else f'"◎ "0"位 ({mark})"'
        ws.write_number(row, col, rank, st.get("cell", "center", "proposed", num=num))
    else:
        ws.write_number(row, col, rank, st.get("cell", "center", num='"#"0' if en else '0"位"'))


def _item_rows(b: Book, ws: Any, row: int, width: float) -> int:
    st, lang, comparison = b.styles, b.lang, b.comparison
    last = b.first_plan_col - 1 + max(len(comparison.columns), 1)
    current = comparison.current
    deductibles = ([current.policy.deductible_jpy] if current else []) + [c.quote.deductible_jpy for c in comparison.columns]
    for category, rows in comparison.groups:
        name = CATEGORY_LABELS[category][1 if lang == "en" else 0]
        merge(ws, row, 0, last, f"[{name}]" if lang == "en" else f"【{name}】", st.get("group"))
        row += 1
        for item in rows:
            ws.write_string(row, 0, label(item.key, lang), st.get("cell", "indent"))
            b.yen(ws, row, 1, item.need.amount_jpy if item.need is not None else None, "cell")
            # from column 2: the current policy's cell first when there is one, then each plan's, marked against it
            cells = ([current.cell(item.key)] if current else []) + [comparison.cell(i, item.key) for i in range(len(comparison.columns))]
            for i, cell in enumerate(cells):
                mark = None if current is None or i == 0 else current.mark(i - 1, item.key)
                _item_cell(b, ws, row, 2 + i, cell, mark=mark, current=current is not None and i == 0)
            row += 1
            if any(c.shortfall_jpy for c in cells):
                ws.write_string(row, 0, f"└ {b.t('cmp.shortfall')}", st.get("cell", "indent", "short"))
                ws.write_blank(row, 1, None, st.get("cell"))
                for i, cell in enumerate(cells):
                    if cell.shortfall_jpy:
                        ws.write_number(row, 2 + i, cell.shortfall_jpy, st.get("cell", "short", num=shortfall_format(lang)))
                    else:
                        ws.write_blank(row, 2 + i, None, st.get("cell"))
                row += 1
            notes = ["、".join(cell_notes(c, deductibles[i], lang)) for i, c in enumerate(cells)]
            if any(notes):
                ws.write_string(row, 0, f"└ {b.t('cmp.notes')}", st.get("cell", "indent", "muted"))
                ws.write_blank(row, 1, None, st.get("cell"))
                for i, text in enumerate(notes):
                    ws.write_string(row, 2 + i, sheet_text(text), st.get("cell", "wrap", "muted"))
                ws.set_row(row, wrapped_height([(max(notes, key=display_width), width)]))
                row += 1
    return row


def _pool_rows(b: Book, ws: Any, row: int) -> int:
    """Each limit items share: its limit in every plan, the needs inside it, what it pays, what is left short."""
    st, lang, columns = b.styles, b.lang, b.comparison.columns
    last = b.first_plan_col - 1 + max(len(columns), 1)
    ids = list(dict.fromkeys(p.pool_id for c in columns for p in c.pools))
    if not ids:
        return row
    merge(ws, row, 0, last, f"[{b.t('cmp.pools')}]" if lang == "en" else f"【{b.t('cmp.pools')}】", st.get("group"))
    row += 1
    for pool_id in ids:
        uses = [next((p for p in c.pools if p.pool_id == pool_id), None) for c in columns]
        first = next(u for u in uses if u is not None)
        ws.write_string(row, 0, sheet_text(pool_label(first, lang)), st.get("cell", "indent", "wrap"))
        ws.write_blank(row, 1, None, st.get("cell"))
        for offset, (key, value) in enumerate(
            (("", "limit_jpy"), ("cmp.pool_need", "need_jpy"), ("cmp.pool_paid", "paid_jpy"), ("cmp.shortfall", "shortfall_jpy"))
        ):
            if offset:
                ws.write_string(
                    row + offset, 0, f"└ {b.t(key)}", st.get("cell", "indent", *(("short",) if value == "shortfall_jpy" else ()))
                )
                ws.write_blank(row + offset, 1, None, st.get("cell"))
            if b.comparison.current is not None:
                b.yen(ws, row + offset, 2, None, "cell")  # the current policy's pools are not known
            for i, use in enumerate(uses):
                amount = None if use is None else getattr(use, value)
                col = b.first_plan_col + i
                if value == "shortfall_jpy" and amount:
                    ws.write_number(row + offset, col, amount, st.get("cell", "short", num=shortfall_format(lang)))
                else:
                    b.yen(ws, row + offset, col, amount, "cell", *(("bold",) if value == "limit_jpy" else ()))
        row += 4
    return row


def _plan_term_rows(b: Book, ws: Any, row: int, width: float) -> int:
    """Each plan's main conditions and exclusions (主な条件・免責), one line per kind of term."""
    st, lang, columns = b.styles, b.lang, b.comparison.columns
    if not columns:
        return row
    last = b.first_plan_col - 1 + len(columns)
    merge(ws, row, 0, last, f"[{b.t('cmp.plan_terms')}]" if lang == "en" else f"【{b.t('cmp.plan_terms')}】", st.get("group"))
    row += 1
    per_plan = [dict(plan_terms(c.quote, lang)) for c in columns]
    if b.comparison.current is not None:
        per_plan.insert(0, export_current.terms(b))
    labels = list(dict.fromkeys(k for terms in per_plan for k in terms))
    for name in labels:
        ws.write_string(row, 0, sheet_text(name), st.get("cell", "indent", "wrap"))
        ws.write_blank(row, 1, None, st.get("cell"))
        texts = [terms.get(name, b.t("cmp.none_here")) for terms in per_plan]
        for i, text in enumerate(texts):
            ws.write_string(row, 2 + i, sheet_text(text), st.get("cell", "wrap"))
        ws.set_row(row, wrapped_height([(max(texts, key=display_width), width), (name, ITEM_WIDTH)]))
        row += 1
    return row


def cell_look(
    b: Book, cell: Cell, *, mark: Mark | None = None, current: bool = False
) -> tuple[int | str, tuple[str, ...], str | None, str]:
    """What one comparison cell shows: a number or a label, its layers, its number format, and roughly how it reads.

    A plan's cell beside a current policy ends with its mark against it (↑ better, ＝ same, ↓ less); the
    current policy's items not known read 不明 (unknown), never 補償なし.
    """
    lang = b.lang
    layers: tuple[str, ...] = ("cell",)
    value: int | str
    num: str | None = None
    note = ""
    if cell.kind is CellKind.NOT_OFFERED:
        value, layers = b.t("kind.not_offered"), (*layers, "not_offered")
    elif cell.kind is CellKind.UNKNOWN:
        value, layers = b.t("kind.unknown_current" if current else "kind.unknown"), (*layers, "unknown")
    elif cell.kind is CellKind.RIDER:
        value, layers = b.t("kind.rider"), (*layers, "rider")
    elif cell.kind is CellKind.ZERO:
        note = b.t("note.zero")
        value, layers, num = 0, (*layers, "zero"), zero_format(lang, note)
    elif not cell.limit_stated:
        value, layers = b.t("kind.unstated"), (*layers, "unknown")
    else:
        note = _amount_note(b, cell)
        value, num = cell.effective_jpy or 0, yen_format(lang, note)
    if mark is not None and mark is not Mark.UNKNOWN:
        value, num, note = _marked(b, cell, value, note, mark)
    if cell.best:
        layers = (*layers, "best")
    if cell.shortfall_jpy:
        layers = (*layers, "short")
    shown = value if isinstance(value, str) else f"{value:,}円" + (f" ({note})" if note else "")
    return value, layers, num, shown


def _amount_note(b: Book, cell: Cell) -> str:
    """What kind of amount a covered cell's figure is: its payout ratio, conditional, by a rider, narrower than its name."""
    notes = []
    if cell.payout_ratio_pct != 100:
        notes.append(f"{cell.payout_ratio_pct}%")
    if cell.kind is CellKind.CONDITIONAL:
        notes.append(b.t("note.conditional"))
    if cell.kind is CellKind.RIDER_INCLUDED:
        notes.append(b.t("note.rider"))
    if cell.scope:
        notes.append(b.t("note.narrower"))
    return ", ".join(notes)


def _marked(b: Book, cell: Cell, value: int | str, note: str, mark: Mark) -> tuple[int | str, str | None, str]:
    """A plan's cell with its mark against the current policy after it: in the text, or in the amount's number format."""
    sign = MARK_SIGNS[mark]
    if isinstance(value, str):
        return f"{value} {sign}", None, note
    note = f"{note} {sign}".strip()
    if cell.kind is CellKind.ZERO:
        return value, zero_format(b.lang, f"{b.t('note.zero')} {sign}"), note
    return value, yen_format(b.lang, note), note


def _item_cell(b: Book, ws: Any, row: int, col: int, cell: Cell, *, mark: Mark | None = None, current: bool = False) -> None:
    value, layers, num, _ = cell_look(b, cell, mark=mark, current=current)
    fmt = b.styles.get(*layers, num=num)
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _legend(b: Book, ws: Any, row: int, last: int, total_width: float) -> None:
    st, lang = b.styles, b.lang
    ws.write_string(row, 0, b.t("legend"), st.get("bold"))
    row += 1
    yen = yen_format(lang)
    samples: list[tuple[int | str, tuple[str, ...], str | None, str]] = [
        (100_000_000, ("cell", "best"), yen, "legend.best"),
        (5_000_000, ("cell", "short"), shortfall_format(lang), "legend.short"),
        (b.t("kind.not_offered"), ("cell", "not_offered"), None, "legend.not_offered"),
        (b.t("kind.unknown"), ("cell", "unknown"), None, "legend.unknown"),
        (0, ("cell", "zero"), zero_format(lang, b.t("note.zero")), "legend.zero"),
        (b.t("kind.rider"), ("cell", "rider"), None, "legend.rider"),
        (50_000_000, ("cell",), yen_format(lang, b.t("note.rider")), "legend.rider_included"),
        (10_000_000, ("cell",), yen_format(lang, b.t("note.conditional")), "legend.conditional"),
        (10_000_000, ("cell",), yen_format(lang, "90%"), "legend.ratio"),
        (b.t("kind.unstated"), ("cell", "unknown"), None, "legend.unstated"),
        (300_000_000, ("cell",), yen_format(lang, b.t("note.narrower")), "legend.narrower"),
        (300_000_000, ("cell", "adjusted"), yen_format(lang, b.t("note.changed")), "legend.changed"),
    ]
    for value, layers, num, key in samples:
        fmt = st.get(*layers, num=num)
        if isinstance(value, str):
            ws.write_string(row, 0, value, fmt)
        else:
            ws.write_number(row, 0, value, fmt)
        merge(ws, row, 1, last, b.t(key), st.get())
        row += 1
    for key in ("legend.amounts", "legend.needs", *(("legend.current",) if b.comparison.current is not None else ())):
        merge(ws, row, 0, last, b.t(key), st.get("wrap"))
        ws.set_row(row, wrapped_height([(b.t(key), total_width)]))
        row += 1
