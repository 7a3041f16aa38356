"""Client lists are measured before they are read: a 6 KB file must not ask for 512 GB, a zip bomb is not unzipped."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from aggregator.clientlist import MAX_CLIENT_CELLS, load_client_list
from aggregator.errors import ClientListError
from aggregator.sheetsize import Limits, check_workbook
from tests.test_bulk import GOOD, HEAD

SHEET = "xl/worksheets/sheet1.xml"


def _book(path: Path, extra: dict[str, object] | None = None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEAD)
    ws.append(GOOD)
    for ref, value in (extra or {}).items():
        ws[ref] = value
    book.save(path)
    return path


def _rewrite_sheet(path: Path, edit: object) -> Path:
    """The same workbook with its first sheet's XML changed (as a hostile writer would write it)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    parts[SHEET] = edit(parts[SHEET])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def _small_dimension(xml: bytes) -> bytes:
    """The sheet claims A1:O2, whatever it holds."""
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:O2"', xml, count=1)


def _bulk_in_a_child(clients: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`aggregator bulk` as a broker runs it, in its own process with 2 GiB of address space: a crash cannot take the tests down."""
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
        "from aggregator.cli import main; sys.argv = ['aggregator', *sys.argv[1:]]; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "bulk", str(clients), "-o", str(tmp_path / "out.xlsx")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RUST_BACKTRACE": "0"},
        check=False,
    )


def test_a_6_kb_list_with_one_cell_at_xfd1048576_is_refused_not_allocated(tmp_path: Path) -> None:
    clients = _book(tmp_path / "clients.xlsx", {"XFD1048576": "x"})
    assert clients.stat().st_size < 10_000
    result = _bulk_in_a_child(clients, tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]  # on main: killed by "memory allocation of 549755813888 bytes failed"
    assert "clients.xlsx" in result.stderr and "1,048,576行" in result.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_the_actual_range_counts_even_when_the_declared_one_is_small(tmp_path: Path) -> None:
    clients = _book(tmp_path / "clients.xlsx", {"XFD1048576": "x"})
    _rewrite_sheet(clients, _small_dimension)
    with pytest.raises(ClientListError, match="1,048,576行目まであります"):
        load_client_list(clients)


def test_a_declared_range_past_the_limit_is_refused(tmp_path: Path) -> None:
    clients = _rewrite_sheet(_book(tmp_path / "clients.xlsx"), lambda xml: xml.replace(b'ref="A1:O2"', b'ref="A1:XFD1048576"'))
    with pytest.raises(ClientListError, match=r"シートが宣言する範囲\(1,048,576行×16,384列\)が大きすぎます"):
        load_client_list(clients)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("A300000", "300,000行目まであります"),
        ("BM2", "BM列(左から65列目)まであります"),
        ("AN150000", f"一度に扱えるのは{MAX_CLIENT_CELLS:,}セルまでです"),
    ],
)
def test_rows_columns_and_cells_past_the_limits_are_refused(tmp_path: Path, ref: str, message: str) -> None:
    clients = _book(tmp_path / "clients.xlsx", {ref: "x"})
    _rewrite_sheet(clients, _small_dimension)  # the actual range decides
    with pytest.raises(ClientListError, match=re.escape(message)):
        load_client_list(clients)


def _bomb(path: Path, unzipped_mib: int) -> Path:
    """A valid workbook whose sheet is padded with whitespace that compresses a thousandfold."""
    clients = _book(path)
    with zipfile.ZipFile(clients) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    head, tail = parts[SHEET].split(b"<sheetData>")
    padding = b" " * (1 << 20)
    with zipfile.ZipFile(clients, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            if name != SHEET:
                target.writestr(name, data)
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(head)
            for _ in range(unzipped_mib):
                sheet.write(padding)
            sheet.write(b"<sheetData>" + tail)
    return clients


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_unzipped(tmp_path: Path) -> None:
    clients = _bomb(tmp_path / "bomb.xlsx", 100)
    assert clients.stat().st_size < 1_000_000
    with pytest.raises(ClientListError, match="圧縮率が異常です"):
        load_client_list(clients)


def test_a_list_unzipping_past_the_cap_is_refused_whatever_its_ratio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aggregator import sheetsize

    monkeypatch.setattr(sheetsize, "MAX_UNZIPPED_BYTES", 8 << 20)
    with pytest.raises(ClientListError, match="展開後のサイズが大きすぎます"):
        load_client_list(_bomb(tmp_path / "bomb.xlsx", 10))


def test_a_csv_too_wide_or_too_long_is_refused_before_parsing(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(HEAD) + "," * 100 + "\n", encoding="utf-8")
    with pytest.raises(ClientListError, match="まであります。一度に扱えるのは64列までです"):
        load_client_list(wide)
    long = tmp_path / "long.csv"
    long.write_text(",".join(HEAD) + "\n" * 300_000, encoding="utf-8")
    with pytest.raises(ClientListError, match="300,001行目まであります"):
        load_client_list(long)


HOSTILE_FORMS = {
    # a reader takes the later of two references
    "second r": (b'<c r="A2" t="inlineStr">', b'<c r="A2" r="XFD1048576" t="inlineStr">'),
    "second r, single quotes": (b'<c r="A2" t="inlineStr">', b'<c r="A2" r=\'XFD1048576\' t="inlineStr">'),
    # a '>' inside quotes must not end the tag early
    "> in a value": (b'<c r="B2" t="inlineStr">', b'<c foo=">" r="XFD20" t="inlineStr">'),
    "lower case": (b'<c r="B2" t="inlineStr">', b'<c r="xfd20" t="inlineStr">'),
    "spaces around =": (b'<c r="B2" t="inlineStr">', b'<c r = "XFD20" t="inlineStr">'),
    "tab before r": (b'<c r="B2" t="inlineStr">', b'<c\tr="XFD20" t="inlineStr">'),
}


@pytest.mark.parametrize("form", sorted(HOSTILE_FORMS))
def test_hostile_ways_of_writing_a_far_cell_are_measured_or_refused(tmp_path: Path, form: str) -> None:
    old, new = HOSTILE_FORMS[form]
    clients = _book(tmp_path / "clients.xlsx")
    _rewrite_sheet(clients, lambda xml: xml.replace(old, new, 1))
    with pytest.raises(ClientListError):
        check_workbook(clients, Limits(rows=100, columns=64, cells=10_000))


def test_a_prefixed_sheet_and_cells_without_references_are_measured(tmp_path: Path) -> None:
    cells = b"".join(b"<x:c><x:v>1</x:v></x:c>" for _ in range(70))  # 70 cells in a row, no references: 70 columns
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b"<x:row>" + cells + b"</x:row></x:sheetData></x:worksheet>"
    )
    clients = _rewrite_sheet(_book(tmp_path / "clients.xlsx"), lambda _: xml)
    with pytest.raises(ClientListError, match="BR列"):
        check_workbook(clients, Limits(rows=100, columns=64, cells=10_000))


def test_an_ordinary_list_passes_and_is_read(tmp_path: Path) -> None:
    clients = _book(tmp_path / "clients.xlsx")
    read = load_client_list(clients)
    assert read.companies == [GOOD[0]]
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    (tmp_path / "empty.xlsx").write_bytes(buffer.getvalue())
    with pytest.raises(ClientListError, match="見出し行"):
        load_client_list(tmp_path / "empty.xlsx")
