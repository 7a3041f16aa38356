"""A record of a carrier file as the shared readers take it (`Cells`: values and places by field name), the readers of one
field, and tables found by their header row in any sheet or CSV."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from aggregator.errors import SchemaError
from carriers.base import (
    Where,
    cell_date,
    cell_text,
    cell_yen,
    check_preamble,
    column_letter,
    find_columns,
    is_blank,
    norm_header,
)
from carriers.vocabulary import OPTION_SEPARATOR, T, Vocabulary


class Cells(Protocol):
    """One record of a carrier file: its values by field name, and where each is."""

    @property
    def where(self) -> Where: ...

    def get(self, name: str) -> Any: ...

    def at(self, name: str) -> Where: ...


def blank(cells: Cells, name: str) -> bool:
    return is_blank(cells.get(name))


def text(cells: Cells, name: str, *, required: bool = True) -> str:
    return cell_text(cells.get(name), cells.at(name), required=required)


def build_in(cells: Cells, columns: Mapping[str, str], factory: Callable[..., T], /, **kwargs: Any) -> T:
    """A schema object from one record; a field it refuses is named at the cell it came from (`columns`: field -> name)."""
    try:
        return factory(**kwargs)
    except SchemaError as exc:
        name = next((n for field, n in columns.items() if exc.field.endswith(field)), None)
        raise (cells.where if name is None else cells.at(name)).error(f"{exc.field}: {exc.reason}", exc.value) from exc


def label(cells: Cells, name: str) -> str:
    """A field as the carrier's file names it (its header), for messages; the field's own name where there is none."""
    header = getattr(cells, "header", None)
    return str(header(name)) if callable(header) else name


def pick(cells: Cells, name: str, table: Mapping[str, T], vocab: Vocabulary) -> T:
    return vocab.pick(table, text(cells, name), cells.at(name), label(cells, name))


def pick_optional(cells: Cells, name: str, table: Mapping[str, T], vocab: Vocabulary) -> T | None:
    return None if blank(cells, name) else pick(cells, name, table, vocab)


def yen(cells: Cells, name: str, unit: str | int | None = None) -> int:
    return cell_yen(cells.get(name), cells.at(name), unit=unit)


def yen_optional(cells: Cells, name: str, unit: str | int | None = None) -> int | None:
    return None if blank(cells, name) else yen(cells, name, unit)


def date_optional(cells: Cells, name: str) -> date | None:
    return None if blank(cells, name) else cell_date(cells.get(name), cells.at(name))


def listed(cells: Cells, name: str, separator: re.Pattern[str] = OPTION_SEPARATOR) -> tuple[str, ...]:
    """A cell holding several values: 「1,000／3,000」, 「ランサムウェア、戦争」."""
    return tuple(p.strip() for p in separator.split(text(cells, name, required=False)) if p.strip())


def options(cells: Cells, name: str, unit: str | int | None) -> tuple[int, ...]:
    """Amounts to choose from, written in one cell: 「1,000／3,000／1億」."""
    return tuple(cell_yen(part, cells.at(name), unit=unit) for part in listed(cells, name))


@dataclass(frozen=True)
class Row:
    """One data row of a table, read by field name: `layout` maps a field to the carrier's header for it."""

    values: tuple[Any, ...]
    columns: Mapping[str, int]  # normalised header -> index
    where: Where
    layout: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.layout.get(name, name)

    def index(self, name: str) -> int | None:
        return self.columns.get(norm_header(self.header(name)))

    def at(self, name: str) -> Where:
        index = self.index(name)
        header = self.header(name)
        return self.where.at(column=header if index is None else f"{column_letter(index)}({header})")

    def get(self, name: str) -> Any:
        index = self.index(name)
        return self.values[index] if index is not None and index < len(self.values) else None

    def has(self, name: str) -> bool:
        return self.index(name) is not None


@dataclass(frozen=True)
class Table:
    columns: Mapping[str, int]
    header: Where
    rows: list[Row]

    def has(self, header: str) -> bool:
        return norm_header(header) in self.columns


def find_table(
    rows: Sequence[Sequence[Any]],
    where: Where,
    required: Sequence[str],
    *,
    layout: Mapping[str, str] | None = None,
    search_rows: int = 10,
    is_note: Callable[[Sequence[Any]], bool] | None = None,
) -> Table:
    """The table whose header row (within the first `search_rows`) holds every `required` field's header.

    Titles and notes may sit above the header; a data-like row there is an error, never skipped.
    Blank rows, and rows `is_note` says are notes, are left out of the data.
    """
    layout = dict(layout or {})
    headers = [layout.get(name, name) for name in required]
    for number, header in enumerate(rows[:search_rows], start=1):
        if any(norm_header(v) == norm_header(headers[0]) for v in header if isinstance(v, str)):
            find_columns(header, headers, where.at(row=number))
            check_preamble(rows, number - 1, where)
            columns = {norm_header(v): i for i, v in enumerate(header) if not is_blank(v)}
            data = [
                Row(tuple(values), columns, where.at(row=n), layout)
                for n, values in enumerate(rows[number:], start=number + 1)
                if not all(is_blank(v) for v in values) and not (is_note and is_note(values))
            ]
            return Table(columns, where.at(row=number), data)
    raise where.at(column=headers[0]).error(f"見出し行(「{headers[0]}」の列)が見つかりません")


def facts(rows: Sequence[Sequence[Any]], where: Where, required: Sequence[str]) -> dict[str, tuple[Any, Where]]:
    """A sheet of 「項目 | 値」 lines (a cover sheet): each name's value and its cell."""
    found: dict[str, tuple[Any, Where]] = {}
    for number, row in enumerate(rows, start=1):
        if row and isinstance(row[0], str) and norm_header(row[0]):
            found[norm_header(row[0])] = (row[1] if len(row) > 1 else None, where.at(row=number, column="B"))
    for name in required:
        if norm_header(name) not in found:
            raise where.error(f"「{name}」の行がありません")
    return {name: found[norm_header(name)] for name in {*required, *(k for k in found)} if norm_header(name) in found}
