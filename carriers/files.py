"""The safe readers: a carrier file read whole, within limits on size, rows, columns and time, or a clear error naming it."""

from __future__ import annotations

import csv
import io
import json
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from aggregator.errors import CarrierDataError, WrongFormatError
from carriers.place import Where, is_blank

# Limits on what one carrier file may cost to read. Real plan and rate files are small;
# anything near these is a wrong file or a hostile one.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_SECONDS = 30.0
SAMPLE_MARKERS = ("サンプルデータ", "sample data")

# -------------------------------------------------------------- readers ---


def _check_file(path: Path) -> Where:
    where = Where(path.name)
    if not path.is_file():
        raise where.error("ファイルがありません")
    size = path.stat().st_size
    if size == 0:
        raise where.error("ファイルが空です")
    if size > MAX_FILE_BYTES:
        raise where.error(f"ファイルが大きすぎます(上限 {MAX_FILE_BYTES // 1024 // 1024} MiB)", size)
    return where


def _check_zip(path: Path, where: Where) -> None:
    """A whole, modestly sized zip archive, or an error: truncated files fail here."""
    if not zipfile.is_zipfile(path):
        raise where.error("xlsxファイルとして読めません(壊れているか、形式が違います)")
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            bad = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise where.error(f"xlsxファイルが壊れています: {exc}") from exc
    if bad is not None:
        raise where.error("xlsxファイルの一部が壊れています", bad)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise where.error("展開後のサイズが大きすぎます", unzipped)


def _sheet_rows(ws: Any, where: Where, started: float, *, max_rows: int, max_columns: int, max_seconds: float) -> list[tuple[Any, ...]]:
    ws.reset_dimensions()
    rows: list[tuple[Any, ...]] = []
    for index, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if index > max_rows:
            raise where.error(f"行数が上限({max_rows:,}行)を超えています")
        if len(row) > max_columns:
            raise where.at(row=index).error(f"列数が上限({max_columns}列)を超えています", len(row))
        if index % 1000 == 0 and time.monotonic() - started > max_seconds:
            raise where.at(row=index).error(f"読み込みが{max_seconds:.0f}秒を超えました")
        rows.append(tuple(row))
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    return rows


def read_xlsx(
    path: Path,
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_seconds: float = MAX_SECONDS,
) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows as value tuples, read in full or not at all.

    Read-only mode trusts a sheet's <dimension> tag unless told not to; we reset it, so a
    file whose tag claims A1:B2 still gives all its rows, and a sheet past the row,
    column or time cap is an error, never a silent cut.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - the distribution depends on defusedxml
        raise RuntimeError("defusedxml must be installed before carrier spreadsheets are read")
    where = _check_file(path)
    _check_zip(path, where)
    started = time.monotonic()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise where.error(f"xlsxファイルとして読めません: {exc}") from exc
    except Exception as exc:  # defusedxml and expat raise their own families on hostile XML
        raise where.error(f"xlsxファイルの内容を解析できません: {type(exc).__name__}: {exc}") from exc
    try:
        return {
            ws.title: _sheet_rows(
                ws, where.at(sheet=ws.title), started, max_rows=max_rows, max_columns=max_columns, max_seconds=max_seconds
            )
            for ws in book.worksheets
        }
    except CarrierDataError:
        raise
    except Exception as exc:
        raise where.error(f"xlsxファイルの読み込み中に壊れた箇所がありました: {type(exc).__name__}: {exc}") from exc
    finally:
        book.close()


def read_csv(path: Path, encoding: str, *, max_rows: int = MAX_ROWS) -> list[list[str]]:
    """All rows of a CSV file in a known encoding; a byte that does not decode is an error."""
    where = _check_file(path)
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise WrongFormatError("CSVではなくxlsx(zip)ファイルです", file=where.file)
    if encoding.lower().replace("-", "").replace("_", "") in {"utf8", "utf8sig"}:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise where.at(row=line).error(
            f"文字コード{encoding}として読めません(別の文字コードで保存されていませんか)", raw[exc.start : exc.start + 8]
        ) from exc
    if "\x00" in text:
        raise where.error("CSVにNUL文字があります(テキストファイルではありません)")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise where.error(f"CSVとして読めません: {exc}") from exc
    if len(rows) > max_rows:
        raise where.error(f"行数が上限({max_rows:,}行)を超えています", len(rows))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return rows


def read_json(path: Path) -> Any:
    """One JSON document; errors name the line and column."""
    where = _check_file(path)
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise WrongFormatError("JSONではなくxlsx(zip)ファイルです", file=where.file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise where.at(row=line).error(
            "UTF-8として読めません(Shift_JISなど別の文字コードで保存されていませんか)", raw[exc.start : exc.start + 8]
        ) from exc
    stripped = text.lstrip()
    if stripped and stripped[0] not in "{[":
        line = text[: len(text) - len(stripped)].count("\n") + 1
        raise WrongFormatError(
            "JSONではありません(CSVやテキストのようです)", file=where.file, row=line, value=stripped.splitlines()[0][:80]
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise where.at(row=exc.lineno).error(f"JSONとして読めません: {exc.msg} (列{exc.colno})") from exc
    except RecursionError as exc:
        raise where.error("JSONの入れ子が深すぎます") from exc


def has_sample_marker(values: Iterable[Any]) -> bool:
    """Does the file say it is invented sample data (サンプルデータ / sample data)?"""
    for value in values:
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).lower()
            if any(marker in text for marker in SAMPLE_MARKERS):
                return True
    return False


def flatten(rows: Iterable[Sequence[Any]]) -> Iterable[Any]:
    for row in rows:
        yield from row
