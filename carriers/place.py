"""A place in a carrier file (file, sheet, row, column) for error messages, and how headers are found and compared."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aggregator.errors import CarrierDataError


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a carrier file, for error messages."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def at(self, *, sheet: str | None = None, row: int | None = None, column: str | None = None) -> Where:
        return Where(
            self.file,
            sheet if sheet is not None else self.sheet,
            row if row is not None else self.row,
            column if column is not None else self.column,
        )

    def error(self, message: str, value: Any = None) -> CarrierDataError:
        return CarrierDataError(message, file=self.file, sheet=self.sheet, row=self.row, column=self.column, value=value)

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet={self.sheet}")
        if self.row is not None:
            parts.append(f"row={self.row}")
        if self.column:
            parts.append(f"column={self.column}")
        return " ".join(parts)


# ------------------------------------------------------------ headers ---


def norm_header(value: Any) -> str:
    """A header as compared: NFKC, no spaces or line breaks."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def find_columns(header: Sequence[Any], required: Sequence[str], where: Where, optional: Sequence[str] = ()) -> dict[str, int]:
    """Map each required (and present optional) header to its column index, or name the missing one."""
    index = {norm_header(v): i for i, v in enumerate(header) if norm_header(v)}
    found: dict[str, int] = {}
    for name in required:
        key = norm_header(name)
        if key not in index:
            raise where.at(column=name).error(f"必要な列「{name}」がありません", [v for v in header if v is not None])
        found[name] = index[key]
    for name in optional:
        key = norm_header(name)
        if key in index:
            found[name] = index[key]
    return found


def check_preamble(rows: Sequence[Sequence[Any]], header_index: int, where: Where) -> None:
    """Above a header row only titles and notes belong: one filled cell, or a line starting # or ※.

    A row of data there would be read as neither header nor data and silently lost, so it is an error.
    """
    for number, row in enumerate(rows[:header_index], start=1):
        filled = [v for v in row if not is_blank(v)]
        if len(filled) > 1 and not (isinstance(filled[0], str) and filled[0].strip().startswith(("#", "※"))):
            raise where.at(row=number).error("見出し行より前にデータのような行があります(読み飛ばさずに止めました)", filled)


def column_letter(index: int) -> str:
    """0 -> A, 27 -> AB: how a person finds the column in Excel."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
