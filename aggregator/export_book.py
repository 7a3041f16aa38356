"""What every sheet of the comparison workbook shares: the book being written, its head rows, amounts and wrapped rows."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aggregator.agency import Agency
from aggregator.applicant import Applicant
from aggregator.codes import Line
from aggregator.comparison import Comparison
from aggregator.compliance import AdviceRecord
from aggregator.export_text import text
from aggregator.labels import SAMPLE_NOTICE, line_name, pick
from aggregator.money import Lang
from aggregator.recommendation import Recommendation
from aggregator.xlsxstyle import Styles, date_text, print_setup, sheet_text, yen_format

ROW_HEIGHT = 18  # points: one line of 10pt Meiryo with room to breathe
LINE_HEIGHT = 15  # points per extra line of wrapped text


@dataclass(frozen=True)
class Book:
    """One workbook being written: what it shows, in which language, and the formats it has made."""

    book: Any
    styles: Styles
    comparison: Comparison
    advice: Recommendation
    applicant: Applicant
    as_of: date
    lang: Lang
    line: Line
    agency: Agency | None = None  # who gives the advice: shown on the recommendation and notes sheets
    record: AdviceRecord | None = None  # a broker's confirmed proposal; None: the plan shown is a candidate

    @property
    def marked(self) -> int | None:
        """The column marked ◎: the broker's proposed plan when it is in this table, else (before any) the candidate."""
        if self.record is None:
            return self.advice.proposed
        plan = self.record.plan
        return next(
            (i for i, c in enumerate(self.comparison.columns) if (c.quote.carrier, c.quote.plan.code) == (plan.carrier, plan.plan_code)),
            None,
        )

    @property
    def sample(self) -> bool:
        return self.comparison.sample

    @property
    def first_plan_col(self) -> int:
        """The comparison sheet's first plan column: after the item and the need, and the current policy when there is one."""
        return 3 if self.comparison.current is not None else 2

    def t(self, key: str, **values: str) -> str:
        return text(key, self.lang).format(**values) if values else text(key, self.lang)

    @property
    def title(self) -> str:
        return self.t("doc.title", line=line_name(self.line, self.lang))

    @property
    def client(self) -> str:
        return self.t("doc.client", company=self.applicant.company)

    def sheet(self, key: str, widths: Sequence[float], *, repeat_rows: tuple[int, int] | None = None) -> Any:
        """A new worksheet with its column widths, default row height and print set-up."""
        ws = self.book.add_worksheet(self.t(key))
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.set_default_row(ROW_HEIGHT)
        ws.hide_gridlines(2 if key == "sheet.notes" else 1)
        print_setup(
            ws,
            lang=self.lang,
            left=self.client,
            center=f"{self.title} — {self.t(key)}",
            as_of=self.as_of,
            sample=self.sample,
            repeat_rows=repeat_rows,
        )
        return ws

    def head(self, ws: Any, last: int, title: str) -> int:
        """Title, client and date, and the sample-data notice when it applies; returns the next free row."""
        st = self.styles
        merge(ws, 0, 0, last, title, st.get("title"))
        ws.set_row(0, 24)
        merge(ws, 1, 0, last, f"{self.client}　{self.t('doc.quoted', day=date_text(self.as_of, self.lang))}", st.get("subtitle"))
        below = 3
        if self.sample:
            merge(ws, 2, 0, last, f"※ {pick(SAMPLE_NOTICE, self.lang)}", st.get("notice"))
            below = 4
        ws.freeze_panes(below, 0)  # sheets with a table header freeze below it instead
        return below

    def yen(self, ws: Any, row: int, col: int, amount: int | None, *layers: str, note: str = "") -> None:
        """An amount as a number in a yen format; a missing one as a dash."""
        if amount is None:
            ws.write_string(row, col, "—", self.styles.get(*layers, "center", "muted"))
            return
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"amounts are int yen, got {amount!r}")
        ws.write_number(row, col, amount, self.styles.get(*layers, num=yen_format(self.lang, note)))


def merge(ws: Any, row: int, first: int, last: int, value: str, fmt: Any) -> None:
    """Text across columns first..last of one row (a single cell when they are the same)."""
    if last > first:
        ws.merge_range(row, first, row, last, sheet_text(value), fmt)
    else:
        ws.write_string(row, first, sheet_text(value), fmt)


def display_width(value: str, wide: float = 2.0) -> float:
    """Roughly how many column-width units a text needs in 10pt Meiryo: full-width characters count about double."""
    return sum(wide if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in value)


def wrapped_height(texts: list[tuple[str, float]]) -> float:
    """Row height, in points, for texts wrapped in columns of the given widths (set by hand: merged cells never grow)."""
    lines = 1
    for value, width in texts:
        per_line = max(width - 1.5, 1.0)
        lines = max(lines, sum(max(1, math.ceil(display_width(part, 1.8) / per_line)) for part in value.split("\n")))
    return ROW_HEIGHT + (lines - 1) * LINE_HEIGHT
