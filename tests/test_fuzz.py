"""Bounded fuzzing of the readers hostile files reach: a client list and the carriers' files either read or are refused
with our own error, never an unexpected exception; a list that passes the size check is as small as the check said."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from aggregator.bounds import build_rater
from aggregator.clientlist import load_client_list
from aggregator.errors import CarrierDataError, ClientListError, UnclassifiedWordingError
from aggregator.schema import MAX_CARRIER_YEN, MAX_INPUT, Carrier
from aggregator.sheetsize import Limits, check_workbook, column_name
from carriers.base import Where, cell_date, cell_int, cell_percent, cell_text, cell_yen, parse_factor_bp, read_csv, read_json, read_xlsx
from carriers.registry import FIXTURES, load_folder
from tests.factories import applicant
from tests.test_bulk import GOOD, HEAD

# Bounded so the suite stays quick; FUZZ_EXAMPLES=1000 for a longer hunt.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")), deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
TODAY = date(2026, 11, 21)


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as name:
        yield Path(name)


def _workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_LIST = _workbook([GOOD, GOOD])


# ----------------------------------------------------------- client lists ---


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(GOOD_LIST) - 1), st.integers(0, 255)), min_size=1, max_size=8), st.booleans())
def test_a_damaged_client_workbook_reads_or_is_refused(flips: list[tuple[int, int]], truncate: bool) -> None:
    data = bytearray(GOOD_LIST)
    for at, value in flips:
        data[at] = value
    if truncate:
        data = data[: flips[0][0]]
    with _folder() as folder:
        path = folder / "clients.xlsx"
        path.write_bytes(bytes(data))
        try:
            read = load_client_list(path)
        except ClientListError:
            return
        assert len(read.companies) <= 2


NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["1e30", "１億円", "NaN", "inf", "-0", "1,000,000,000,000,000,000円", "5億円", "0x10", "１２３"]),
    st.text(max_size=12),
)


@FUZZ
@given(st.lists(st.tuples(st.integers(2, 13), NUMBERS), min_size=1, max_size=6))
def test_numbers_nobody_writes_in_a_client_list_are_row_errors_or_in_range(cells: list[tuple[int, Any]]) -> None:
    row = list(GOOD)
    for column, value in cells:
        row[column] = value
    with _folder() as folder:
        path = folder / "clients.xlsx"
        try:
            path.write_bytes(_workbook([row, GOOD]))
        except (ValueError, TypeError, IllegalCharacterError):  # openpyxl will not write it (a control character): nothing to read
            return
        read = load_client_list(path)
    assert len(read.companies) + read.bad_rows == 2
    for name in ("annual_revenue_jpy", "employees", "records_held", "servers", "largest_contract_jpy", "limit_jpy", "deductible_jpy"):
        values = getattr(read.batch, name)
        assert ((values >= 0) & (values <= MAX_INPUT)).all(), name


@FUZZ
@given(
    st.one_of(st.binary(max_size=400), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.sampled_from(["utf-8", "cp932", "utf-16", "latin-1"]),
)
def test_a_client_csv_in_any_encoding_reads_or_is_refused(noise: bytes, encoding: str) -> None:
    head = ",".join(HEAD).encode(encoding, "replace") + b"\n"
    with _folder() as folder:
        path = folder / "clients.csv"
        path.write_bytes(head + noise)
        with suppress(ClientListError):
            load_client_list(path)


def _ref(row: int, column: int, style: str) -> bytes:
    letters = column_name(column)
    return {"plain": f'r="{letters}{row}"', "lower": f'r="{letters.lower()}{row}"', "single": f"r='{letters}{row}'"}[style].encode()


CELL = st.tuples(
    st.integers(1, 400),  # row
    st.integers(1, 40),  # column
    st.sampled_from(["plain", "lower", "single", "none"]),  # how its reference is written, if at all
    st.sampled_from(["first", "last"]),  # where the reference sits among the attributes
    st.booleans(),  # a namespace prefix on the cell
)


@FUZZ
@given(st.lists(CELL, min_size=1, max_size=40), st.sampled_from(["A1", "A1:B2", "A1:ZZ9999", "bogus"]))
def test_a_sheet_that_passes_the_size_check_reads_no_larger_than_it_said(cells: list[Any], dimension: str) -> None:
    """However its cells are written, a sheet the check lets through is read within the limits: the check never under-counts."""
    limits = Limits(rows=200, columns=20, cells=2_000)
    body = []
    for row, column, style, place, prefixed in cells:
        tag = b"x:c" if prefixed else b"c"
        ref = b"" if style == "none" else _ref(row, column, style)
        attributes = [ref, b't="inlineStr"'] if place == "first" else [b't="inlineStr"', ref]
        inner = b"<x:is><x:t>v</x:t></x:is>" if prefixed else b"<is><t>v</t></is>"
        body.append(b"<row>" + b"<" + tag + b" " + b" ".join(a for a in attributes if a) + b">" + inner + b"</" + tag + b"></row>")
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="' + dimension.encode() + b'"/><sheetData>' + b"".join(body) + b"</sheetData></worksheet>"
    )
    with _folder() as folder:
        path = folder / "clients.xlsx"
        with zipfile.ZipFile(io.BytesIO(GOOD_LIST)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info.filename, sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info))
        try:
            check_workbook(path, limits)
        except ClientListError:
            return
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            read = workbook.get_sheet_by_index(0)
        except Exception:  # the reader refuses what it cannot read: nothing was allocated for it
            return
        finally:
            workbook.close()
        rows, columns = read.end[0] + 1, read.end[1] + 1 if read.end else (0, 0)
        assert rows <= limits.rows and columns <= limits.columns and rows * columns <= limits.cells


# -------------------------------------------------------------- carriers ---

CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["1e999999", "sNaN", "Infinity", "１兆円", "1.5兆円", "JPY 10M", "90%", "令和8年4月1日", "2026-02-30", "R99.13.40"]),
    st.dates(),
)


@FUZZ
@given(CELL_VALUES)
def test_every_cell_reader_returns_a_bounded_value_or_names_the_place(value: Any) -> None:
    where = Where("rates.xlsx", "料率表", 9, "D")
    for reader in (cell_yen, cell_int, cell_percent, parse_factor_bp, cell_date, cell_text):
        try:
            result = reader(value, where)
        except CarrierDataError as exc:
            assert (exc.file, exc.sheet, exc.row, exc.column) == ("rates.xlsx", "料率表", 9, "D")
            continue
        if reader is cell_yen:
            assert 0 <= result <= MAX_CARRIER_YEN
        if reader is parse_factor_bp:
            assert abs(result) <= 1_000_000


FIXTURE_FILES = [p for p in sorted(FIXTURES.rglob("*")) if p.is_file()]


@FUZZ
@given(st.sampled_from(FIXTURE_FILES), st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6))
def test_a_damaged_carrier_file_reads_or_is_refused(fixture: Path, flips: list[tuple[float, int]]) -> None:
    data = bytearray(fixture.read_bytes())
    for at, value in flips:
        data[int(at * len(data))] = value
    with _folder() as folder:
        path = folder / fixture.name
        path.write_bytes(bytes(data))
        for read in (read_xlsx, lambda p: read_csv(p, "utf-8"), lambda p: read_csv(p, "cp932"), read_json):
            with suppress(CarrierDataError):
                read(path)


JSON_NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 10**12, 10**12 + 1, 10**15, 2**63, -1, 0.5, 1e300, 100, 100.0001]),
)


def _numbers(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numbers(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numbers(value, (*path, i))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path


RATES = json.loads((FIXTURES / "sompo_japan" / "rates.json").read_text(encoding="utf-8"))
RATE_NUMBERS = list(_numbers(RATES))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(RATE_NUMBERS), JSON_NUMBERS), min_size=1, max_size=4))
def test_a_carrier_whose_numbers_pass_validation_can_always_be_rated(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    """Whatever numbers a rates file holds: refused with the place, or loaded, rated and quoted without a fault."""
    data = json.loads(json.dumps(RATES))
    for path, value in changes:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    with _folder() as folder:
        shutil.copytree(FIXTURES / "sompo_japan", folder / "sompo_japan")
        (folder / "sompo_japan" / "rates.json").write_text(json.dumps(data), encoding="utf-8")
        try:
            loaded = load_folder(Carrier.SOMPO_JAPAN, folder / "sompo_japan")
        except CarrierDataError as exc:
            assert exc.file and "rates.json" in exc.file
            return
    rater = build_rater([loaded])
    for quote in rater.quote(applicant(incidents_3y=100, annual_revenue_jpy=MAX_INPUT), TODAY) + rater.quote(applicant(), TODAY):
        assert quote.premium_jpy is None or 0 <= quote.premium_jpy <= 10**13
    assert Decimal(0) == 0


CANONICAL = next((FIXTURES.parent / "added" / "sample_sonpo").glob("*.xlsx"))
CANONICAL_SHEETS = ("プラン", "補償内容", "料率表", "係数", "割増引", "引受基準", "会社")
CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["○", "×", "内枠", "1億円", "約1,000万円", "▲5%", "1名につき", "―", "=1+1", "令和99年1月1日", "0", "-1", "1e400"]),
)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(CANONICAL_SHEETS), st.integers(1, 40), st.integers(1, 16), CELL_VALUES), min_size=1, max_size=5))
def test_a_canonical_workbook_a_broker_filled_in_badly_loads_and_rates_or_is_refused(
    changes: list[tuple[str, int, int, Any]],
) -> None:
    """Whatever a broker writes in the canonical workbook's cells: refused with its place, or loaded, rated and quoted."""
    from carriers.registry import declare_added

    book = openpyxl.load_workbook(CANONICAL)
    for sheet, row, column, value in changes:
        with suppress(IllegalCharacterError, ValueError, TypeError):
            book[sheet].cell(row=row, column=column).value = value
    with _folder() as folder:
        (folder / "added").mkdir()
        book.save(folder / "added" / CANONICAL.name)
        try:
            carrier = declare_added(folder / "added")
            loaded = load_folder(carrier, folder / "added")
        except UnclassifiedWordingError as exc:  # each wording nobody can classify, with its place in the workbook
            assert all(CANONICAL.name in where for _, where in exc.items), exc
            return
        except CarrierDataError as exc:
            assert exc.file in (CANONICAL.name, "added"), exc
            return
        finally:
            Carrier.forget("sample_sonpo")
            for code in [c.value for c in Carrier][5:]:  # a code the broker's cells declared instead
                Carrier.forget(code)
    rater = build_rater([loaded])
    for quote in rater.quote(applicant(incidents_3y=100, annual_revenue_jpy=MAX_INPUT), TODAY) + rater.quote(applicant(), TODAY):
        assert quote.premium_jpy is None or 0 <= quote.premium_jpy <= 10**13
