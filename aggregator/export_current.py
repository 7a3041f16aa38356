"""The current policy's column in the comparison workbook: its heading, its summary, each plan against it, its terms."""

from __future__ import annotations

from typing import Any

from aggregator.current import Mark, difference_text, insurer_label
from aggregator.export_book import Book
from aggregator.labels import line_name
from aggregator.xlsxstyle import count_format, date_format, sheet_text, shortfall_format


def header(b: Book, ws: Any, top: int) -> None:
    current = b.comparison.current
    if current is None:
        return
    st = b.styles
    ws.write_string(top, 2, b.t("cur.header"), st.get("header"))
    name = f"{insurer_label(current.policy, b.lang)} {current.policy.product}".strip()
    ws.write_string(top + 1, 2, sheet_text(name), st.get("subheader"))


def summary(b: Book, ws: Any, row: int) -> None:
    """The current policy's status, premium, limit, deductible, expiry, (no rank), shortfall and items, in the summary rows."""
    current = b.comparison.current
    if current is None:
        return
    st, policy = b.styles, current.policy
    ws.write_string(row, 2, b.t("cur.status"), st.get("cell", "center"))
    b.yen(ws, row + 1, 2, policy.premium_jpy, "cell", "bold")
    b.yen(ws, row + 2, 2, policy.limit_jpy, "cell")
    b.yen(ws, row + 3, 2, policy.deductible_jpy, "cell")
    if policy.expiry is not None:  # where the plans show how long their quote is valid, the current policy shows its expiry
        ws.write_datetime(row + 4, 2, policy.expiry, st.get("cell", "center", num=date_format(b.lang)))
    else:
        b.yen(ws, row + 4, 2, None, "cell")
    b.yen(ws, row + 5, 2, None, "cell")
    short = current.total_shortfall_jpy
    if short:
        ws.write_number(row + 6, 2, short, st.get("cell", "short", num=shortfall_format(b.lang)))
    else:
        b.yen(ws, row + 6, 2, 0, "cell")
    ws.write_number(row + 7, 2, current.covered_items, st.get("cell", num=count_format("項目", "items", b.lang)))


def versus_row(b: Book, ws: Any, row: int) -> int:
    """One row under the summary: each plan's items better, the same and less than today, and the premium difference."""
    current = b.comparison.current
    if current is None:
        return row
    st = b.styles
    ws.write_string(row, 0, b.t("cur.vs"), st.get("label"))
    ws.write_blank(row, 1, None, st.get("cell"))
    ws.write_blank(row, 2, None, st.get("cell"))
    for versus in current.versus:
        text = b.t(
            "cur.vs_cell",
            better=str(versus.count(Mark.BETTER)),
            same=str(versus.count(Mark.SAME)),
            worse=str(versus.count(Mark.WORSE)),
        )
        if versus.premium_difference_jpy is not None:
            text += "\n" + b.t("cur.premium_diff", diff=difference_text(versus.premium_difference_jpy, b.lang))
        ws.write_string(row, b.first_plan_col + versus.column, text, st.get("cell", "wrap", "center"))
    ws.set_row(row, 36)
    return row + 1


def terms(b: Book) -> dict[str, str]:
    """The current policy's column in the main-conditions rows: what is known of it."""
    current = b.comparison.current
    assert current is not None
    policy = current.policy
    known = {b.t("cur.line"): line_name(policy.line, b.lang), b.t("cur.items"): b.t("cur.items_text", n=str(len(policy.items)))}
    if policy.policy_number:
        known[b.t("cur.number")] = policy.policy_number
    return known
