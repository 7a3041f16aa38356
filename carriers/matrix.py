"""Coverage-matrix workbooks: each plan a group of columns under its merged name, each coverage item a row,
the plans' terms in footer rows below. A carrier declares its `Grid`; every cell is handed over as `Placed`
cells, with its place as Excel shows it (row 12, column D), for spec.py's builders (rates: carriers/blocks.py)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.errors import CarrierDataError
from carriers.base import Where, cell_text, column_letter, flatten, has_sample_marker, is_blank, norm_header, read_xlsx
from carriers.spec import facts

Rows = list[tuple[Any, ...]]
UNIT = re.compile(r"\((百万円|千円|万円|億円|円)\)")
CLAUSE = re.compile(r"[。\n]")


def split_unit(value: Any) -> tuple[str, str | None]:
    """「支払限度額(千円)」 -> (支払限度額, 千円): headers are matched without their unit."""
    text = norm_header(value)
    m = UNIT.search(text)
    return (text[: m.start()] + text[m.end() :], m.group(1)) if m else (text, None)


def need_unit(unit: str | None, where: Where, value: Any) -> str:
    if unit is None:
        raise where.error("見出しに金額の単位(千円など)がありません", value)
    return unit


def one_of(names: Sequence[str], value: Any, where: Where, what: str) -> str:
    """The declared name a cell gives, compared without spaces and width differences."""
    found = next((name for name in names if norm_header(name) == norm_header(value)), None)
    if found is None:
        raise where.error(f"{what}が読めません(使える値: {'、'.join(names)})", value)
    return found


def _cell(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


def _at(where: Where, index: int, col: int) -> Where:
    """The place of rows[index][col] (both 0-based) as Excel shows it."""
    return where.at(row=index + 1, column=column_letter(col))


@dataclass(frozen=True)
class Placed:
    """A `Cells` gathered from wherever the format keeps them: each field's value with its own place."""

    cells: Mapping[str, tuple[Any, Where]]
    where: Where

    def get(self, name: str) -> Any:
        return self.cells[name][0] if name in self.cells else None

    def at(self, name: str) -> Where:
        return self.cells[name][1] if name in self.cells else self.where

    def adding(self, cells: Mapping[str, tuple[Any, Where]]) -> Placed:
        return Placed({**self.cells, **cells}, self.where)


def clauses(cells: Placed, name: str, patterns: Mapping[str, re.Pattern[str]], rest: str) -> Placed:
    """A remarks cell whose clauses (split at 。) may be terms: a clause a pattern matches gives that field its
    first group, placed at the remarks cell; the other clauses, joined, are the `rest` field."""
    value, where = cells.get(name), cells.at(name)
    found: dict[str, tuple[Any, Where]] = {}
    others: list[str] = []
    for clause in [] if is_blank(value) else CLAUSE.split(str(value)):
        text = norm_header(clause)
        hit = next(((field, m) for field, p in patterns.items() if (m := p.fullmatch(text))), None)
        if hit is None:
            others.extend([clause.strip()] if clause.strip() else [])
        elif hit[0] in found:
            raise where.error("同じ条件が2回書かれています", value)
        else:
            found[hit[0]] = (hit[1].group(1), where)
    return cells.adding({**found, rest: ("。".join(others), where)})


# ------------------------------------------------------------ workbooks ---


def _fault(book: Mapping[str, Rows], names: Iterable[str], mark: str, carrier: str, where: Where) -> CarrierDataError | None:
    """Every sheet the carrier sends names it in row 1; one that does not is another carrier's."""
    written = {name: " ".join(str(v) for v in rows[0] if v is not None) if rows else "" for name, rows in book.items()}
    titles = {name: unicodedata.normalize("NFKC", title) for name, title in written.items()}
    if not any(mark in title for title in titles.values()):
        return where.at(row=1).error(f"{carrier}のファイルではありません", next(iter(titles.values()), ""))
    missing = next((name for name in names if name not in book), None)
    if missing is not None:
        return where.at(sheet=missing).error("必要なシートがありません", list(book))
    other = next((name for name in names if mark not in titles[name]), None)
    return None if other is None else where.at(sheet=other, row=1).error(f"{carrier}のシートではありません", titles[other])


def identify(path: Path, books: Iterable[Iterable[str]], mark: str) -> bool:
    """Is this one of the carrier's workbooks, with all the sheets of one of `books`? Never raises."""
    try:
        book = read_xlsx(path) if path.suffix.lower() == ".xlsx" and path.is_file() else {}
    except Exception:  # a file it cannot read is not ours
        return False
    return bool(book) and any(_fault(book, names, mark, "", Where(path.name)) is None for names in books)


def open_book(path: Path, names: Iterable[str], mark: str, carrier: str) -> tuple[dict[str, Rows], bool]:
    """The workbook's sheets, checked to be the carrier's, and whether it says it is sample data."""
    if not path.is_file():
        raise Where(path.name).error(f"{carrier}のファイルがありません(このフォルダは{carrier}のデータではありません)", str(path.parent))
    book = read_xlsx(path)
    if (fault := _fault(book, names, mark, carrier, Where(path.name))) is not None:
        raise fault
    return book, has_sample_marker(flatten(row for rows in book.values() for row in rows))


# --------------------------------------------------------------- matrix ---


@dataclass(frozen=True)
class Grid:
    """How a carrier lays out its coverage matrix."""

    section: str  # column A's header, merged down over the section's items
    item: str  # column B's header
    columns: tuple[str, ...]  # each plan's columns, the plan's name merged over them
    amount: str  # the plan column whose header gives the unit: 支払限度額(千円)
    sections: tuple[str, ...]
    footer: str  # the row under the items that opens the plans' terms
    terms: tuple[str, ...]  # the footer rows, each plan's value merged over its columns


@dataclass(frozen=True)
class Group:
    name: str
    col: int  # its first column, 0-based
    unit: str


@dataclass(frozen=True)
class Item:
    index: int  # 0-based row
    section: str
    wording: str


@dataclass(frozen=True)
class Matrix:
    grid: Grid
    rows: Rows
    where: Where
    facts: Placed  # the 項目 | 値 lines above the header
    groups: list[Group]
    items: list[Item]
    footer: Mapping[str, tuple[int, str | None]]  # each term's row and the unit its label gives

    def cells(self, group: Group, item: Item) -> Placed:
        """One plan's columns on one item row, with the item's words and the section it sits under."""
        row = self.rows[item.index]
        cells = {name: (_cell(row, group.col + k), _at(self.where, item.index, group.col + k)) for k, name in enumerate(self.grid.columns)}
        cells[self.grid.item] = (item.wording, _at(self.where, item.index, 1))
        cells[self.grid.section] = (item.section, _at(self.where, item.index, 0))
        return Placed(cells, self.where.at(row=item.index + 1))

    def terms(self, group: Group) -> Placed:
        """One plan's footer values, each at its merged cell."""
        cells = {name: (_cell(self.rows[i], group.col), _at(self.where, i, group.col)) for name, (i, _) in self.footer.items()}
        return Placed(cells, _at(self.where, self.footer[self.grid.terms[0]][0], group.col))

    def term_unit(self, name: str) -> str:
        """The unit a footer label gives: 支払限度額の選択肢(千円)."""
        index, unit = self.footer[name]
        return need_unit(unit, _at(self.where, index, 0), self.rows[index][0])


def _header(rows: Rows, grid: Grid, where: Where) -> int:
    for i, row in enumerate(rows[:30]):
        if norm_header(_cell(row, 0)) == norm_header(grid.section):
            if norm_header(_cell(row, 1)) != norm_header(grid.item):
                raise _at(where, i, 1).error(f"必要な列「{grid.item}」がありません", _cell(row, 1))
            return i
    raise where.at(column=grid.section).error(f"見出し行(「{grid.section}」「{grid.item}」)がありません")


def _groups(rows: Rows, head: int, grid: Grid, where: Where) -> list[Group]:
    """Plans from the two-row header; a merged plan name sits in its group's first column only."""
    top, sub, width = rows[head], rows[head + 1] if head + 1 < len(rows) else (), len(grid.columns)
    groups: list[Group] = []
    col = 2
    while col < max(len(top), len(sub)):
        if is_blank(_cell(top, col)) and is_blank(_cell(sub, col)):
            col += 1
            continue
        at = _at(where, head + 1, col)
        written = [split_unit(_cell(sub, col + k)) for k in range(width)]
        if tuple(name for name, _ in written) != grid.columns:
            raise at.error(f"プランの列は「{'」「'.join(grid.columns)}」の{width}列です", [_cell(sub, col + k) for k in range(width)])
        amount = grid.columns.index(grid.amount)
        unit = need_unit(written[amount][1], _at(where, head + 1, col + amount), _cell(sub, col + amount))
        if is_blank(_cell(top, col)):
            raise _at(where, head, col).error("プラン名(結合された見出し)がありません", _cell(sub, col))
        for k in range(1, width):
            if not is_blank(_cell(top, col + k)):
                raise _at(where, head, col + k).error(f"プラン名の結合範囲が{width}列と合いません", _cell(top, col + k))
        groups.append(Group(cell_text(_cell(top, col), _at(where, head, col)), col, unit))
        col += width
    if not groups:
        raise where.at(row=head + 1).error("プランの列がありません")
    return groups


def _items(rows: Rows, start: int, grid: Grid, where: Where) -> tuple[list[Item], int]:
    """The item rows from `start` to the first blank row or ■ title, and the index after them."""
    items: list[Item] = []
    section, i = "", start
    while i < len(rows) and not all(is_blank(v) for v in rows[i][:2]) and not norm_header(_cell(rows[i], 0)).startswith("■"):
        if not is_blank(_cell(rows[i], 0)):  # merged down: carried to the rows below
            section = one_of(grid.sections, _cell(rows[i], 0), _at(where, i, 0), grid.section)
        if not section:
            raise _at(where, i, 0).error(f"「{grid.section}」が空です", _cell(rows[i], 1))
        items.append(Item(i, section, cell_text(_cell(rows[i], 1), _at(where, i, 1))))
        i += 1
    return items, i


def _footer(rows: Rows, start: int, grid: Grid, where: Where) -> dict[str, tuple[int, str | None]]:
    i = next((j for j in range(start, len(rows)) if not all(is_blank(v) for v in rows[j])), len(rows))
    if i >= len(rows) or norm_header(_cell(rows[i], 0)) != norm_header(grid.footer):
        raise _at(where, min(i, len(rows) - 1), 0).error(f"「{grid.footer}」の行がありません", _cell(rows[i], 0) if i < len(rows) else None)
    labels = {j: split_unit(rows[j][0]) for j in range(i + 1, len(rows)) if not is_blank(_cell(rows[j], 0))}
    found = {one_of(grid.terms, name, _at(where, j, 0), grid.footer): (j, unit) for j, (name, unit) in labels.items()}
    for name in grid.terms:
        if name not in found:
            raise where.at(column=name).error(f"「{grid.footer}」に「{name}」の行がありません")
    return found


def read_matrix(rows: Rows, where: Where, grid: Grid, required: Sequence[str]) -> Matrix:
    """One sheet's matrix: the `required` facts above it, the plans, the items and each plan's terms."""
    head = _header(rows, grid, where)
    groups = _groups(rows, head, grid, where)
    items, end = _items(rows, head + 2, grid, where)
    footer = _footer(rows, end, grid, where)
    return Matrix(grid, rows, where, Placed(facts(rows[:head], where, required), where), groups, items, footer)
