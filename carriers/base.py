"""The adapter protocol, and the safe readers and cell parsers every carrier adapter shares."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aggregator.errors import AmountError, CarrierDataError, SchemaError, UnclassifiedWordingError, WrongFormatError
from aggregator.money import UNIT_PER, AmountText, parse_yen, read_amount
from aggregator.schema import MAX_CARRIER_COUNT, MAX_CARRIER_YEN, MAX_CARRIER_YEN_TEXT, Carrier, CarrierData, RoundingMode
from aggregator.taxonomy import CoverageKey, candidates, classify

# Limits on what one carrier file may cost to read. Real plan and rate files are small;
# anything near these is a wrong file or a hostile one.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_SECONDS = 30.0
MAX_FACTOR_BP = 1_000_000  # ×100: the schema's ceiling for any factor, loading or surcharge

SAMPLE_MARKERS = ("サンプルデータ", "sample data")
T = TypeVar("T")


class CarrierAdapter(Protocol):
    """Reads one carrier's native files into the common schema."""

    @property
    def carrier(self) -> Carrier:
        """The carrier this adapter reads: a class attribute for a shipped one, per instance for one added as data."""
        ...

    def identify(self, path: Path) -> bool:
        """Is this file one of this carrier's? Never raises."""
        ...

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        """Every plan and rate table in `folder`, validated as a whole, or CarrierDataError.

        `mappings` maps carrier wording a person has classified by hand to its item.
        """
        ...


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


# --------------------------------------------------------- cell values ---


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any, where: Where, *, required: bool = True) -> str:
    if is_blank(value):
        if required:
            raise where.error("値が空です")
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip() if not isinstance(value, str) else value.strip()


def _number_text(value: Any) -> Any:
    # Spreadsheet readers hand numbers over as float; take the shortest decimal that
    # round-trips, so 5000.0 is "5000.0" and never 4999.999…, and no float goes further.
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


_HUGE_EXPONENT = 30  # 10^30: far past every bound below, and checked before int() turns 1e999999 into a million digits


def _decimal(text: str) -> Decimal | None:
    """A finite decimal, or None: "NaN" and "Infinity" are not figures anyone wrote."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _huge(number: Decimal) -> bool:
    return number != 0 and number.adjusted() > _HUGE_EXPONENT


def cell_yen(value: Any, where: Where, *, unit: str | int | None = None) -> int:
    """A yen amount from a cell: 1億円, 5,000 (in a 万円 column), JPY 50M, 10000000; at most 1兆円."""
    if is_blank(value):
        raise where.error("金額が空です")
    number = _number_text(value)
    if isinstance(number, Decimal):
        if not number.is_finite():
            raise where.error("金額として読めません", value)
        if _huge(number):
            raise where.error(f"金額が上限({MAX_CARRIER_YEN_TEXT})を超えています", value)
    try:
        yen = parse_yen(number, unit=unit)
    except AmountError as exc:
        reason = "金額として読めません" if exc.reason == "金額として読めません" else f"金額として読めません({exc.reason})"
        raise where.error(reason, value) from exc
    if yen > MAX_CARRIER_YEN:
        raise where.error(f"金額が上限({MAX_CARRIER_YEN_TEXT})を超えています", value)
    return yen


def cell_limit(value: Any, where: Where, *, unit: str | int | None = None) -> AmountText:
    """A limit cell read into its parts: the amount, a deductible named beside it, an exception.

    Refused with its place: an approximate figure (約・程度・超・以上), a price per unit (…円/台,
    1名あたり), a worked example (「5万人へ500円で2,500万円」), words in brackets it cannot place.
    """
    if is_blank(value):
        raise where.error("金額が空です")
    try:
        amount = read_amount(_number_text(value), unit=unit)
    except AmountError as exc:
        raise where.error(f"支払限度額として読めません({exc.reason})", value) from exc
    if amount.approximate:
        raise where.error("概算の金額(約・程度・超・以上など)は支払限度額として使えません。確定した金額を書いてください", value)
    if amount.per in UNIT_PER:
        raise where.error(f"1{amount.per}あたりの単価は支払限度額ではありません", value)
    return amount


def deductible_beside(limit: AmountText | None, deductible: int | None, where: Where) -> int | None:
    """An item's deductible: its own cell's, or the one named beside its limit; given twice, they must agree."""
    if limit is None or limit.deductible_jpy is None:
        return deductible
    if deductible is not None and deductible != limit.deductible_jpy:
        raise where.error(f"支払限度額の欄の免責金額({limit.deductible_jpy:,}円)と免責金額の欄({deductible:,}円)が違います", limit.text)
    return limit.deductible_jpy


def conditions_with(conditions: str, limit: AmountText | None) -> str:
    """The conditions with a limit's exception (「ただし〇〇は1,000万円」) kept in them, where a person sees it."""
    if limit is None or not limit.exception or limit.exception in conditions:
        return conditions
    return "。".join(part for part in (conditions.strip(), f"支払限度額: {limit.exception}") if part)


def conditions_with_en(conditions_en: str, limit: AmountText | None) -> str:
    """The English conditions, where the file gives them, with the limit's exception kept (in the carrier's words)."""
    if not conditions_en.strip() or limit is None or not limit.exception or limit.exception in conditions_en:
        return conditions_en
    return f"{conditions_en.strip()}. Limit: {limit.exception}"


def cell_int(value: Any, where: Where) -> int:
    if isinstance(value, bool) or is_blank(value):
        raise where.error("整数が必要です", value)
    number = Decimal(value) if isinstance(value, int) else _decimal(str(_number_text(value)).replace(",", "").strip())
    if number is None or (not _huge(number) and number != number.to_integral_value()):
        raise where.error("整数として読めません", value)
    if abs(number) > MAX_CARRIER_COUNT:
        raise where.error(f"値が大きすぎます(上限 {MAX_CARRIER_COUNT:,})", value)
    return int(number)


def cell_percent(value: Any, where: Where) -> int:
    """A payout ratio as whole percent: 90%, 90, ９０％, 0.9 (a fraction from a % formatted cell)."""
    if is_blank(value):
        raise where.error("割合が空です")
    text = unicodedata.normalize("NFKC", str(_number_text(value))).strip()
    has_pct = text.endswith("%")
    number = _decimal(text.rstrip("%").strip())
    if number is None:
        raise where.error("割合として読めません", value)
    if not has_pct and 0 < number <= 1 and not isinstance(value, str):
        number *= 100  # a cell formatted as 90% holds 0.9
    if number != number.to_integral_value() or not 0 < number <= 100:
        raise where.error("割合は1〜100%の整数です", value)
    return int(number)


def parse_factor_bp(value: Any, where: Where) -> int:
    """A rating factor as basis points: "1.25" / 1.25 / "125%" -> 12500. Exact, no float."""
    if is_blank(value):
        raise where.error("係数が空です")
    text = unicodedata.normalize("NFKC", str(_number_text(value))).strip().replace(",", "")
    scale = Decimal(10_000)
    if text.endswith("%"):
        text, scale = text[:-1].strip(), Decimal(100)
    number = _decimal(text)
    if number is None:
        raise where.error("係数として読めません", value)
    bp = number * scale if not _huge(number) else number
    if _huge(bp) or abs(bp) > MAX_FACTOR_BP:
        raise where.error(f"係数が範囲外です(±{MAX_FACTOR_BP // 10_000}倍まで)", value)
    if bp != bp.to_integral_value():
        raise where.error("係数は0.0001単位までです", value)
    return int(bp)


# How Japanese rate sheets name a rounding direction (端数処理): 「10円未満切上げ」「100円単位(切捨て)」「四捨五入」.
ROUNDING_WORDS = {
    "切上げ": RoundingMode.UP,
    "切り上げ": RoundingMode.UP,
    "切捨て": RoundingMode.DOWN,
    "切り捨て": RoundingMode.DOWN,
    "四捨五入": RoundingMode.HALF_UP,
}


def rounding_in(text: str, where: Where) -> RoundingMode:
    """The one rounding direction a cell names, or an error naming the cell: a direction is never guessed."""
    found = {mode for word, mode in ROUNDING_WORDS.items() if word in norm_header(text)}
    if len(found) != 1:
        raise where.error("端数処理の方法(切上げ・切捨て・四捨五入のいずれか1つ)が読み取れません", text)
    return found.pop()


_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988}
_ERA_DATE = re.compile(r"^(令和|平成|r|h)\s*(元|\d{1,2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")


def cell_date(value: Any, where: Where) -> date:
    """A date as carriers write it: a date cell, 2026-04-01, 2026/4/1, 2026年4月1日, 令和8年4月1日, R8.4.1."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if is_blank(value):
        raise where.error("日付が空です")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        if m := _ERA_DATE.match(text):
            era, year, month, day = m.groups()
            offset = _ERAS[era.lower()] if era.isascii() else _ERAS[era]
            return date(offset + (1 if year == "元" else int(year)), int(month), int(day))
        if m := _ISO_DATE.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise where.error(f"存在しない日付です: {exc}", value) from exc
    raise where.error("日付として読めません", value)


# ------------------------------------------------------------- wording ---


@dataclass
class WordingResolver:
    """Classifies a carrier's coverage wording, collecting every miss before failing once.

    A carrier file with wording nobody has mapped does not load: a guessed item would be
    shown as fact. The error lists each miss with its place and the items it could be, for a
    person to map; their mapping comes back in as `mappings` and is used wherever the
    classifier cannot tell in that place (the same words may be told apart by the section
    they sit under elsewhere in the file).
    """

    carrier: Carrier
    mappings: Mapping[str, CoverageKey] = field(default_factory=dict)
    misses: list[tuple[str, str]] = field(default_factory=list)
    suggestions: list[tuple[str, ...]] = field(default_factory=list)  # beside misses: the keys each could name

    def resolve(self, wording: str, where: Where, *, section: object = None, line: object = None) -> CoverageKey | None:
        """`section` is the heading the file lists the item under (its words or a Category), `line` the product line."""
        key = classify(wording, section=section, line=line)
        if key is not None:
            return key
        mapped = self.mappings.get(wording) or self.mappings.get(unicodedata.normalize("NFKC", wording).strip())
        if mapped is not None:
            return CoverageKey(mapped)
        self.misses.append((wording, str(where)))
        self.suggestions.append(tuple(k.value for k in candidates(wording, section=section, line=line)))
        return None

    def finish(self) -> None:
        if self.misses:
            raise UnclassifiedWordingError(str(self.carrier), list(self.misses), list(self.suggestions))


def build(where: Where, factory: Callable[..., T], /, **kwargs: Any) -> T:
    """Construct a schema object, turning its validation error into a CarrierDataError here."""
    try:
        return factory(**kwargs)
    except SchemaError as exc:
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc
