"""A client list's size, measured before it is read: unzipped bytes, declared and actual sheet range, rows and cells.

A spreadsheet reader allocates the whole rectangle up to the last cell it finds: one cell at
XFD1048576 asks for 17 billion cells. So the workbook's parts are streamed through once, without
parsing, and every cell reference counted, before anything is allocated for them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from aggregator.errors import ClientListError

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 100  # unzipped ÷ zipped: real workbooks stay near 10; a zip bomb is in the thousands
RATIO_FROM_BYTES = 16 * 1024 * 1024  # small files may compress as they like
MAX_PARTS = 10_000
MAX_ELEMENT_BYTES = 1024 * 1024  # one tag and its text: a cell holds at most 32,767 characters
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    rows: int  # sheet rows, the header and the rows above it included
    columns: int
    cells: int  # the rectangle from A1 to the last row and column used


@dataclass
class SheetSize:
    """What one worksheet part holds: its last row and column used, and how many cells it writes."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    declared: tuple[int, int] = (0, 0)  # rows, columns of its <dimension ref=…>

    def check(self, name: str, limits: Limits) -> None:
        declared_rows, declared_columns = self.declared
        if declared_rows * declared_columns > limits.cells:
            raise ClientListError(
                f"{name}: シートが宣言する範囲({declared_rows:,}行×{declared_columns:,}列)が大きすぎます。"
                f"一度に扱えるのは{limits.cells:,}セルまでです"
            )
        if self.rows > limits.rows:
            raise ClientListError(
                f"{name}: {self.rows:,}行目まであります。一度に扱えるのは{limits.rows:,}行までです。ファイルを分けてください"
            )
        if self.columns > limits.columns:
            raise ClientListError(
                f"{name}: {column_name(self.columns)}列(左から{self.columns:,}列目)まであります。一度に扱えるのは{limits.columns}列までです"
            )
        if self.cells > limits.cells or self.rows * self.columns > limits.cells:
            raise ClientListError(
                f"{name}: セルが多すぎます({self.rows:,}行×{self.columns:,}列)。一度に扱えるのは{limits.cells:,}セルまでです。ファイルを分けてください"
            )


def column_name(number: int) -> str:
    """1 -> A, 16384 -> XFD."""
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"XFD" -> 16384; lower case counts as upper."""
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - 64
    return number


def check_workbook(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx whose parts unzip too large, or whose sheets reach past the limits, before it is read."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ClientListError(f"{path.name}: ファイルが大きすぎます({MAX_FILE_BYTES // 1024 // 1024} MiBまで)")
    if not zipfile.is_zipfile(path):
        return  # not a workbook at all: the reader says so
    try:
        with zipfile.ZipFile(path) as archive:
            parts = [info for info in archive.infolist() if not info.is_dir()]
            _check_sizes(path.name, parts)
            for info in parts:
                _measure(archive, info).check(path.name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, ValueError, OSError) as exc:
        raise ClientListError(f"{path.name}: Excelファイルとして読めません(壊れているか、形式が違います)") from exc


def _check_sizes(name: str, parts: list[zipfile.ZipInfo]) -> None:
    """Declared sizes: Python's zipfile and the spreadsheet reader both stop at a part's declared size."""
    if len(parts) > MAX_PARTS:
        raise ClientListError(f"{name}: ファイルの中の部品が多すぎます({len(parts):,}個)")
    unzipped = sum(info.file_size for info in parts)
    zipped = sum(info.compress_size for info in parts)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ClientListError(
            f"{name}: 展開後のサイズが大きすぎます({unzipped / 1024**2:,.0f} MiB、{MAX_UNZIPPED_BYTES // 1024**2} MiBまで)"
        )
    if unzipped > RATIO_FROM_BYTES and unzipped > MAX_RATIO * max(zipped, 1):
        raise ClientListError(
            f"{name}: 圧縮率が異常です(展開すると{unzipped // max(zipped, 1):,}倍)。圧縮爆弾の可能性があるため読み込みません"
        )


# The common writers (Excel, openpyxl, XlsxWriter, LibreOffice) write every cell <c r="B7" …>, its
# reference first. Such a part is measured with a few counts and one pass over the references;
# anything else (no reference, r written later or twice, a namespace prefix) is measured tag by tag.
_WHITESPACE = bytes.maketrans(b"\t\r\n", b"   ")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,9})"')
_ODD_CELL = re.compile(rb"<c[/>]")
_PREFIXED = re.compile(rb":(?:c|row)[ />]")
_SPACED_R = re.compile(rb" r +=")
# Any start tag of a cell or row, well formed: attributes quoted either way (a '>' may sit inside quotes).
_TAG = re.compile(rb"""<(?:[A-Za-z_][\w.\-]*:)?(c|row)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>""")
_TAG_START = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(?:c|row)[\s/>]")
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.\-]*:)?dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")


class _Irregular(Exception):
    """The part is not written the common way: measure it again, tag by tag."""


def _measure(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> SheetSize:
    try:
        return _scan(archive, info, fast=True)
    except _Irregular:
        return _scan(archive, info, fast=False)


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, fast: bool) -> SheetSize:
    size = SheetSize()
    state = [0, 0]  # the current row and column, for cells written without a reference
    with archive.open(info) as stream:
        head = stream.read(CHUNK)
        if head.lstrip()[:1] != b"<":
            return size  # not XML (an image, a binary part): no cells in it
        carry = head
        while True:
            chunk = stream.read(CHUNK)
            data = carry + chunk
            cut = data.rfind(b"<") if chunk else len(data)
            body, carry = (data[:cut], data[cut:]) if cut > 0 else (b"", data)
            if len(carry) > MAX_ELEMENT_BYTES:
                raise ClientListError(f"{info.filename}: 1つの要素(セルの文字など)が長すぎます")
            (_fast if fast else _exact)(body, size, state)
            if not chunk:
                break
    return size


def _dimension(body: bytes, size: SheetSize) -> None:
    found = _DIMENSION.search(body)
    if found is None:
        return
    corners = [_REF.fullmatch(part) for part in found.group(1).split(b":")]
    if all(corners) and corners:
        rows = [int(m.group(2)) for m in corners if m]
        columns = [column_number(m.group(1)) for m in corners if m]
        size.declared = (max(rows), max(columns))


def _fast(body: bytes, size: SheetSize, state: list[int]) -> None:
    if size.declared == (0, 0):
        _dimension(body, size)
    text = body.translate(_WHITESPACE)
    refs = _CELL_REF.findall(text)
    if len(refs) != text.count(b"<c ") or _ODD_CELL.search(text) or _PREFIXED.search(text):
        raise _Irregular  # a cell without a plain reference first, or a prefixed element
    # Every attribute named r is a cell's or a row's, once per tag: a second r (which a reader may take) is irregular.
    if text.count(b" r=") != len(refs) + text.count(b'<row r="') or _SPACED_R.search(text):
        raise _Irregular
    if refs:
        letters, numbers = zip(*refs, strict=True)
        size.rows = max(size.rows, *map(int, set(numbers)))
        size.columns = max(size.columns, *map(column_number, set(letters)))
        size.cells += len(refs)


def _exact(body: bytes, size: SheetSize, state: list[int]) -> None:
    if size.declared == (0, 0):
        _dimension(body, size)
    tags = _TAG.findall(body)
    if len(tags) != len(_TAG_START.findall(body)):
        raise ClientListError("シートのXMLの形式が正しくありません(セルの要素が読めません)")
    for kind, attributes in tags:
        refs = _ATTR_R.findall(attributes)
        if len(refs) > 1:
            raise ClientListError("シートのXMLの形式が正しくありません(セル番地が2つあります)")
        ref = (refs[0][0] or refs[0][1]) if refs else None
        if kind == b"row":
            if ref is not None and not ref.isdigit():
                raise ClientListError(f"シートのXMLに読めない行番号があります: {ref[:20]!r}")
            state[0] = int(ref[:9]) if ref else state[0] + 1
            state[1] = 0
            continue
        if ref is None:
            state[1] += 1
            row = max(state[0], 1)
        else:
            match = _REF.fullmatch(ref)
            if match is None:
                raise ClientListError(f"シートのXMLに読めないセル番地があります: {ref[:20]!r}")
            row, state[1] = int(match.group(2)), column_number(match.group(1))
        size.rows, size.columns, size.cells = max(size.rows, row), max(size.columns, state[1]), size.cells + 1
