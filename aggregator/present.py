"""Short words for comparison cells and quote columns, shared by the terminal, the web page and the workbook."""

from __future__ import annotations

from aggregator.labels import pick
from aggregator.matching import STATUS_LABELS_QUOTE, Cell, CellKind, Column
from aggregator.money import Lang, format_premium, format_yen

KIND_LABELS: dict[CellKind, tuple[str, str]] = {
    CellKind.INCLUDED: ("補償あり", "Included"),
    CellKind.SUBLIMIT: ("内枠", "Sublimit"),
    CellKind.RIDER: ("特約(未付帯)", "Rider (not taken)"),
    CellKind.RIDER_INCLUDED: ("特約", "Rider"),
    CellKind.CONDITIONAL: ("条件付き", "Conditional"),
    CellKind.NOT_OFFERED: ("補償なし", "Not offered"),
    CellKind.UNKNOWN: ("不明", "Unknown"),
    CellKind.ZERO: ("0円", "¥0"),
}


def yen(amount: int | None, lang: Lang = "ja") -> str:
    return "—" if amount is None else format_yen(amount, lang)


def cell_text(cell: Cell, lang: Lang = "ja") -> str:
    """One line for a cell: the amount it pays, and what kind of cover it is when that matters."""
    kind = pick(KIND_LABELS[cell.kind], lang)
    if cell.kind in (CellKind.NOT_OFFERED, CellKind.UNKNOWN, CellKind.ZERO, CellKind.RIDER):
        return kind
    text = yen(cell.effective_jpy, lang)
    extras = []
    if cell.payout_ratio_pct != 100:
        extras.append(f"{cell.payout_ratio_pct}%")
    if cell.kind in (CellKind.CONDITIONAL, CellKind.RIDER_INCLUDED):
        extras.append(kind)
    if extras:
        text += f" ({', '.join(extras)})"
    return text


def status_text(column: Column, lang: Lang = "ja") -> str:
    return pick(STATUS_LABELS_QUOTE[column.quote.status], lang)


def premium_text(column: Column, lang: Lang = "ja") -> str:
    premium = column.quote.premium_jpy
    if premium is None:
        return "—"
    text = format_premium(premium, lang)
    return text if column.quote.status.value == "quoted" else f"{text} ({'参考' if lang == 'ja' else 'reference'})"
