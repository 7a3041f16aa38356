"""Carriers that write plans and rates one record a row (AIG損保): a `Form` says which file (and sheet) holds each table,
what its headers are called and the carrier's words; its files are opened here, identified by their header rows and
read into records. longform_read.py turns the records into plans and rate tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aggregator.schema import Carrier, RatingStep, RoundingMode
from carriers.base import Where, cell_date, has_sample_marker, is_blank, norm_header, read_csv, read_xlsx
from carriers.spec import Cells, Vocabulary, find_table, text

# The tables a form names, by role.
PLANS, POOLS, TERMS, BASE, CLASSES, FACTORS, RULES = "plans", "pools", "terms", "base", "classes", "factors", "rules"
RATE_ROLES = (BASE, CLASSES, FACTORS, RULES)
# A factor row feeds the RateDraft field its kind names: a figure by option, or one for the line (these).
SCALARS = ("max_credit", "incident", "minimum", "rounding")
VERSION_FORMAT = re.compile(r"\d{4}\.\d{2}")
HEADER_WITHIN = 10  # rows of titles and notes a header may sit below


@dataclass(frozen=True)
class Form:
    """Where one carrier's tables are, the header of each field, its words, and its front end for a row."""

    carrier: Carrier
    vocab: Vocabulary
    tables: Mapping[str, tuple[str, str | None]]  # role -> (file, sheet); a CSV file has no sheet
    headers: Mapping[str, Mapping[str, str]]  # role -> field -> the carrier's header
    factor_kinds: Mapping[str, str]  # the carrier's factor names -> the RateDraft field each feeds
    cap_basis: Mapping[str, tuple[RatingStep, ...]]  # what a max_credit row's option says the cap limits
    rounding: Mapping[str, RoundingMode]  # which way a rounding row's option says premiums round
    stranger: str  # what a file that is not this carrier's is told
    cells: Callable[[Cells], Cells]  # a row as the shared readers take it
    optional: frozenset[str] = frozenset()  # headers a file may leave out
    separator: re.Pattern[str] = re.compile(r"[;；]")  # between the items of a list cell
    payout_ratio: Callable[[Cells], int] | None = None  # for co-insurance written instead of a payout ratio
    encoding: str = "utf-8"

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(file for file, _ in self.tables.values()))

    def name(self, role: str) -> str:
        file, sheet = self.tables[role]
        return sheet or file


def _table(form: Form, role: str, rows: Sequence[Sequence[Any]], where: Where) -> list[Cells]:
    """The rows under the role's header row, # notes left out; a file without that header row is not the carrier's."""
    layout = form.headers[role]
    required = [name for name, header in layout.items() if header not in form.optional]
    if not any(norm_header(v) == norm_header(layout[required[0]]) for row in rows[:HEADER_WITHIN] for v in row):
        raise where.error(f"{form.stranger}: 見出し行がありません", [layout[name] for name in required])
    table = find_table(rows, where, required, layout=layout, search_rows=HEADER_WITHIN, is_note=_is_note)
    return [form.cells(row) for row in table.rows]


def _is_note(values: Sequence[Any]) -> bool:
    return str(next((v for v in values if not is_blank(v)), "")).strip().startswith("#")


def open_tables(form: Form, paths: Mapping[str, Path]) -> tuple[dict[str, list[Cells]], bool]:
    """Each role's rows, and whether any file says it is sample data."""
    found: dict[tuple[str, str | None], Sequence[Sequence[Any]]] = {}
    sample = False
    for file in form.files:
        sheets = [sheet for f, sheet in form.tables.values() if f == file]
        book: dict[Any, Any] = {None: read_csv(paths[file], form.encoding)} if None in sheets else read_xlsx(paths[file])
        if missing := [sheet for sheet in sheets if sheet not in book]:  # none of them there: some other carrier's workbook
            words = form.stranger if len(missing) == len(sheets) else f"シート「{missing[0]}」がありません"
            raise Where(file, missing[0]).error(words, list(book))
        found |= {(file, sheet): book[sheet] for sheet in sheets}
        sample = sample or has_sample_marker(v for rows in book.values() for row in rows for v in row)
    return {role: _table(form, role, found[place], Where(*place)) for role, place in form.tables.items()}, sample


def identify(form: Form, path: Path) -> bool:
    """Is this one of the form's files: does it hold one of its tables' header rows? Never raises: an unreadable file is not ours."""
    try:
        book: dict[Any, Any] = {None: read_csv(path, form.encoding)} if path.suffix.lower() == ".csv" else read_xlsx(path)
    except Exception:
        return False
    wanted = {role: {norm_header(h) for h in layout.values() if h not in form.optional} for role, layout in form.headers.items()}
    return any(
        wanted[role] <= set(map(norm_header, row))
        for role, (_, sheet) in form.tables.items()
        for row in book.get(sheet, [])[:HEADER_WITHIN]
    )


def row_version(row: Cells) -> tuple[str, date, date | None]:
    """The rate version a row is written for, and the dates it applies from and until."""
    if not VERSION_FORMAT.fullmatch(version := text(row, "version")):
        raise row.at("version").error("料率版は 2026.04 の形で書いてください", version)
    until = None if is_blank(row.get("to")) else cell_date(row.get("to"), row.at("to"))
    return version, cell_date(row.get("from"), row.at("from")), until
