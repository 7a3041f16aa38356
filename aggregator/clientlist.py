"""A broker's client list (xlsx or CSV) read and validated by column into an ApplicantBatch."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aggregator.applicant import CONTRACT_ANSWERS, ContractTerms
from aggregator.applicant_rules import read_amount, read_choice, read_count, read_lines, read_text, split_list
from aggregator.batch import CONTRACT_TYPES, CONTROLS, INDUSTRIES, KEYS, LINES, ApplicantBatch
from aggregator.codes import Answer, ContractType, LiabilityCap
from aggregator.contract import ANSWER_WORDS, CAP_WORDS, QUESTIONS
from aggregator.errors import AmountError, ClientListError, SchemaError, without_paths
from aggregator.labels import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES
from aggregator.sheetsize import Limits, SheetSize, check_workbook
from aggregator.taxonomy import KEY_INFO, CoverageKey, classify

# What one list may hold, checked before it is read (reading takes ~160 bytes a cell): twice the
# 100,000 clients the product is built for, and a rectangle that stays under 1 GiB when read.
MAX_CLIENT_ROWS = 200_000
MAX_CLIENT_COLUMNS = 64
MAX_CLIENT_CELLS = 5_000_000
MAX_CSV_BYTES = 128 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
LIMITS = Limits(rows=MAX_CLIENT_ROWS + HEADER_SEARCH_ROWS + 1, columns=MAX_CLIENT_COLUMNS, cells=MAX_CLIENT_CELLS)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str  # Japanese header as the template writes it
    kind: str  # text | money | count | industry | contract | flag | lines | riders
    required: bool = True
    aliases: tuple[str, ...] = ()
    unit: str = "円"


_MONEY_UNITS = ("円", "千円", "万円")


def _money(key: str, label: str, *, required: bool = True) -> list[Column]:
    return [Column(key, f"{label}({unit})", "money", required, unit=unit) for unit in _MONEY_UNITS]


COLUMNS: tuple[Column, ...] = (
    Column("company", "会社名", "text", aliases=("company",)),
    Column("industry", "業種", "industry", aliases=("industry",)),
    *_money("annual_revenue_jpy", "売上高"),
    Column("employees", "従業員数", "count", aliases=("employees",)),
    Column("records_held", "保有個人情報件数", "count", aliases=("records_held", "個人情報件数")),
    Column("servers", "サーバー台数", "count", aliases=("servers",)),
    *_money("largest_contract_jpy", "最大契約金額"),
    Column("contract_type", "契約形態", "contract", aliases=("contract_type",)),
    *(Column(c.value, CONTROL_NAMES[c][0], "flag", required=False, aliases=(c.value,)) for c in CONTROLS),
    Column("incidents_3y", "過去3年の事故件数", "count", aliases=("incidents_3y",)),
    Column("lines", "希望種目", "lines", aliases=("lines",)),
    *_money("limit_jpy", "支払限度額"),
    *_money("deductible_jpy", "免責金額"),
    Column("riders", "特約", "riders", required=False, aliases=("riders",)),
    Column("contact_email", "メールアドレス", "text", required=False, aliases=("email",)),
    # The contract check (aggregator/contract.py): optional; a blank or missing answer is unknown, never safe.
    *(
        Column(q.field, q.short_ja, "cap" if q.field == "liability_cap" else "answer", required=False, aliases=(q.field,))
        for q in QUESTIONS
    ),
)

_TRUE = {"○", "◯", "〇", "はい", "あり", "有", "済", "導入済", "yes", "y", "true", "1", "✓", "✔"}
_FALSE = {"×", "✕", "いいえ", "なし", "無", "未", "未導入", "no", "n", "false", "0", "-", "―", ""}


def _norm(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


def _lookup(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, names in pairs:
        for name in (code, *names):
            table[_norm(name)] = code
    return table


INDUSTRY_LOOKUP = _lookup((i.value, INDUSTRY_NAMES[i]) for i in INDUSTRIES)
CONTRACT_LOOKUP = _lookup((c.value, CONTRACT_TYPE_NAMES[c]) for c in ContractType)


@dataclass
class RowError:
    row: int  # the row number a person sees in Excel (or the CSV line)
    column: str
    value: Any
    reason: str


@dataclass
class ClientList:
    """Valid rows as a batch (with their sheet row numbers and names) and every bad row's errors."""

    batch: ApplicantBatch
    rows: np.ndarray  # sheet row number of each valid applicant
    companies: list[str]
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    # The contract check per valid row: the cap (CAP_CODES, or the other amount agreed, in yen, when ≥ 0)
    # and one answer code per question (ANSWER_CODES); None where the list has none of its columns.
    contract_cap: np.ndarray | None = None
    contract_answers: np.ndarray | None = None
    emails: list[str] = field(default_factory=list)  # each valid row's メールアドレス ("" when the list has none)

    def contracts(self) -> list[ContractTerms]:
        """Each valid row's contract check; rows with the same answers share one object."""
        n = len(self.companies)
        caps = self.contract_cap if self.contract_cap is not None else np.full(n, CAP_CODES[LiabilityCap.UNKNOWN], dtype=np.int64)
        answers = (
            self.contract_answers
            if self.contract_answers is not None
            else np.full((n, len(CONTRACT_ANSWERS)), ANSWER_CODES.index(Answer.UNKNOWN), dtype=np.int8)
        )
        made: dict[tuple[int, ...], ContractTerms] = {}
        out = []
        for cap, row in zip(caps.tolist(), answers.tolist(), strict=True):
            key = (cap, *row)
            if key not in made:
                made[key] = _terms(cap, row)
            out.append(made[key])
        return out

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def read_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The sheet's cells as text-or-number objects, and the sheet row number of its header."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ClientListError(f"ファイルがありません: {path.name}")
    if suffix in (".xlsx", ".xlsm"):
        check_workbook(path, LIMITS)  # before the reader allocates the sheet's whole rectangle
        try:
            raw = pd.read_excel(path, engine="calamine", header=None, dtype=object)
        except MemoryError:
            raise  # not the file's form: the process ran out of memory, and its caller must know
        except Exception as exc:
            raise ClientListError(f"{path.name}: Excelファイルとして読めません: {without_paths(str(exc))[:300]}") from exc
        except BaseException as exc:  # the reader's Rust panic arrives as pyo3's PanicException, a BaseException
            if type(exc).__name__ != "PanicException":
                raise
            raise ClientListError(f"{path.name}: Excelファイルとして読めません(読み込み中に内部エラー)") from exc
    elif suffix in (".csv", ".txt"):
        raw = _read_csv(path)
    else:
        raise ClientListError(
            f"{path.name}: .xlsx か .csv のファイルを指定してください(.xls や .ods はExcelでxlsx形式に保存し直してください)"
        )
    if len(raw) > MAX_CLIENT_ROWS + HEADER_SEARCH_ROWS:
        raise ClientListError(
            f"{path.name}: {len(raw):,}行あります。一度に扱えるのは{MAX_CLIENT_ROWS:,}行までです。ファイルを分けてください"
        )
    header_at = _find_header(raw, path)
    frame = raw.iloc[header_at + 1 :].reset_index(drop=True)
    frame.columns = [
        _norm(v) if v is not None and not (isinstance(v, float) and np.isnan(v)) else f"_{i}" for i, v in enumerate(raw.iloc[header_at])
    ]
    return frame, header_at + 1


def _read_csv(path: Path) -> pd.DataFrame:
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ClientListError(f"{path.name}: ファイルが大きすぎます({MAX_CSV_BYTES // 1024 // 1024} MiBまで)")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ClientListError(f"{path.name}: 文字コードがUTF-8でもShift_JIS(cp932)でもありません")
    if "\x00" in text:
        raise ClientListError(f"{path.name}: CSVにNUL文字があります(テキストファイルではありません)")
    _check_csv_size(path.name, text)
    import io

    try:
        return pd.read_csv(io.StringIO(text), header=None, dtype=object, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ClientListError(f"{path.name}: CSVとして読めません: {exc}") from exc


def _check_csv_size(name: str, text: str) -> None:
    """Lines and the widest line's commas, counted before parsing (quoted commas count too: an over-estimate)."""
    lines = text.split("\n")
    size = SheetSize(rows=len(lines), columns=max(line.count(",") for line in lines) + 1)
    size.cells = size.rows * size.columns
    size.check(name, LIMITS)


def _find_header(raw: pd.DataFrame, path: Path) -> int:
    for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
        if "会社名" in {_norm(v) for v in raw.iloc[i] if v is not None} or "company" in {_norm(v) for v in raw.iloc[i] if v is not None}:
            return i
    raise ClientListError(f"{path.name}: 見出し行(「会社名」の列)が最初の{HEADER_SEARCH_ROWS}行に見つかりません")


def _find_column(frame: pd.DataFrame, key: str) -> tuple[Column, str] | None:
    for column in COLUMNS:
        if column.key != key:
            continue
        for name in (column.header, *column.aliases):
            if _norm(name) in frame.columns:
                return column, _norm(name)
    return None


def load_client_list(path: Path) -> ClientList:
    """Read and validate every row; a bad row is listed with row number, column and reason."""
    frame, header_row = read_table(path)
    frame = frame[~_blank_rows(frame)] if len(frame) else frame
    sheet_rows = frame.index.to_numpy() + header_row + 1
    errors: list[RowError] = []
    values: dict[str, np.ndarray] = {}
    bad = np.zeros(len(frame), dtype=bool)
    for key in dict.fromkeys(c.key for c in COLUMNS):
        found = _find_column(frame, key)
        spec = next(c for c in COLUMNS if c.key == key)
        if found is None:
            if spec.required:
                names = "」「".join(c.header for c in COLUMNS if c.key == key)
                raise ClientListError(f"{path.name}: 必要な列「{names}」がありません")
            continue
        column, name = found
        parsed, invalid, reasons = _PARSERS[column.kind](frame[name].to_numpy(dtype=object), column)
        values[key] = parsed
        for i in np.flatnonzero(invalid).tolist():
            errors.append(RowError(int(sheet_rows[i]), column.header, frame[name].iloc[i], reasons[i]))
        bad |= invalid
    keep = ~bad
    batch = _batch(values, keep, len(frame))
    companies = [str(v).strip() for v in values["company"][keep]]
    emails = [str(v).strip() for v in values["contact_email"][keep]] if "contact_email" in values else [""] * len(companies)
    errors.sort(key=lambda e: e.row)
    cap, answers = _contract_columns(values, keep, len(frame))
    return ClientList(batch, sheet_rows[keep], companies, errors, len(frame), cap, answers, emails)


def _contract_columns(values: dict[str, np.ndarray], keep: np.ndarray, n: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The contract check's columns for the valid rows; None when the list has none of them."""
    if not any(q.field in values for q in QUESTIONS):
        return None, None
    unknown = ANSWER_CODES.index(Answer.UNKNOWN)
    cap = values.get("liability_cap", np.full(n, CAP_CODES[LiabilityCap.UNKNOWN], dtype=np.int64))[keep].astype(np.int64)
    answers = np.stack([values.get(name, np.full(n, unknown, dtype=np.int8))[keep] for name in CONTRACT_ANSWERS], axis=1)
    return cap, answers.astype(np.int8).reshape(-1, len(CONTRACT_ANSWERS))


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows with nothing in them, found column by column (a row-by-row apply costs seconds on 100,000 rows)."""
    blank = frame.apply(lambda column: column.isna() | column.astype("string").str.strip().eq("").fillna(False))
    rows: pd.Series = blank.all(axis=1)
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (isinstance(value, str) and not value.strip())


Parsed = tuple[np.ndarray, np.ndarray, dict[int, str]]


def _reason(exc: Exception) -> str:
    """Our own messages are Japanese; Python's (could not convert string to float: 'x') are not shown as they are."""
    text = str(exc)
    return text if text and not text.isascii() else "値として読めません"


def _each(cells: np.ndarray, convert: Callable[[Any], Any], fill: Any, dtype: Any) -> Parsed:
    """Apply `convert` to each distinct cell value once (lists repeat few values), collecting reasons."""
    out = np.full(len(cells), fill, dtype=dtype)
    invalid = np.zeros(len(cells), dtype=bool)
    reasons: dict[int, str] = {}
    cache: dict[Any, tuple[Any, str | None]] = {}
    for i, cell in enumerate(cells):
        token = ("blank",) if _blank(cell) else (type(cell).__name__, cell)
        if token not in cache:
            try:
                cache[token] = (convert(None if _blank(cell) else cell), None)
            except (ValueError, ArithmeticError) as exc:  # ArithmeticError: an Infinity that reached int()
                cache[token] = (fill, str(exc.reason) if isinstance(exc, (AmountError, SchemaError)) else _reason(exc))
        value, reason = cache[token]
        if reason is None:
            out[i] = value
        else:
            invalid[i] = True
            reasons[i] = reason
    return out, invalid, reasons


def _text(cells: np.ndarray, column: Column) -> Parsed:
    """会社名 and メールアドレス by the applicant's rules (aggregator.applicant_rules): the words the form and the API give."""
    return _each(cells, lambda cell: read_text(column.key, cell), "", object)


def _money_cells(cells: np.ndarray, column: Column) -> Parsed:
    return _each(cells, lambda cell: read_amount(column.key, cell, unit=column.unit), 0, np.int64)


def _count(cells: np.ndarray, column: Column) -> Parsed:
    """A count by the applicant's rules: 「30,000件」 is refused as the form and the API refuse it."""
    return _each(cells, lambda cell: read_count(column.key, cell), 0, np.int64)


def _choice(lookup: dict[str, str], universe: tuple[Any, ...], what: str) -> Callable[[np.ndarray, Column], Parsed]:
    """業種 and 契約形態 by the applicant's rules (read_choice), as codes of the batch's `universe`."""
    codes = [member.value for member in universe]

    def parse(cells: np.ndarray, column: Column) -> Parsed:
        def convert(cell: Any) -> int:
            return codes.index(read_choice(column.key, cell if cell is None or isinstance(cell, str) else str(cell)).value)

        return _each(cells, convert, 0, np.int16)

    return parse


def _flag(cells: np.ndarray, column: Column) -> Parsed:
    def convert(cell: Any) -> bool:
        text = "" if cell is None else _norm(cell)
        if isinstance(cell, bool):
            return cell
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("○ か × で入力してください")

    return _each(cells, convert, False, bool)


def _lines(cells: np.ndarray, column: Column) -> Parsed:
    """希望種目 by the applicant's rules: 「、」 alone names no line and is the row's error, not a client dropped."""

    def convert(cell: Any) -> int:
        mask = 0
        for line in read_lines(cell):
            mask |= 1 << LINES.index(line)
        return mask

    return _each(cells, convert, 0, np.int64)


_RIDER_LOOKUP = _lookup((k.value, (KEY_INFO[k].label_ja, KEY_INFO[k].label_en)) for k in CoverageKey)


def _riders(cells: np.ndarray, column: Column) -> Parsed:
    def convert(cell: Any) -> int:
        mask = 0
        for part in [] if cell is None else split_list(str(cell)):
            code = _RIDER_LOOKUP.get(_norm(part)) or (k.value if (k := classify(part)) else None)
            if code is None:
                raise ValueError(f"特約「{part}」が分かりません")
            mask |= 1 << KEYS.index(CoverageKey(code))
        return mask

    return _each(cells, convert, 0, np.int64)


ANSWER_CODES = (Answer.YES, Answer.NO, Answer.UNKNOWN)
# The cap column holds an amount (another amount agreed) or one of these words, coded below zero.
CAP_CODES = {LiabilityCap.CONTRACT_AMOUNT: -1, LiabilityCap.NONE: -2, LiabilityCap.UNKNOWN: -3}
_ANSWER_LOOKUP = {
    **{_norm(k): v for k, v in ANSWER_WORDS.items()},
    **{_norm(w): Answer.YES for w in ("○", "◯", "〇", "有", "あり")},
    **{_norm(w): Answer.NO for w in ("×", "✕", "無")},
    **{_norm(w): Answer.UNKNOWN for w in ("-", "―", "?", "？", "不明")},
}
_CAP_LOOKUP = {_norm(k): v for k, v in CAP_WORDS.items() if v is not LiabilityCap.OTHER_AMOUNT}


def _answer(cells: np.ndarray, column: Column) -> Parsed:
    def convert(cell: Any) -> int:
        if cell is None:
            return ANSWER_CODES.index(Answer.UNKNOWN)
        if isinstance(cell, bool):
            return ANSWER_CODES.index(Answer.YES if cell else Answer.NO)
        found = _ANSWER_LOOKUP.get(_norm(cell))
        if found is None:
            raise ValueError("はい・いいえ・わからない(○・×も可)のいずれかで入力してください")
        return ANSWER_CODES.index(found)

    return _each(cells, convert, ANSWER_CODES.index(Answer.UNKNOWN), np.int8)


def _cap(cells: np.ndarray, column: Column) -> Parsed:
    def convert(cell: Any) -> int:
        if cell is None:
            return CAP_CODES[LiabilityCap.UNKNOWN]
        word = _CAP_LOOKUP.get(_norm(cell)) if isinstance(cell, str) else None
        if word is not None:
            return CAP_CODES[word]
        try:
            return read_amount("liability_cap_jpy", cell, unit="円")
        except (ValueError, ArithmeticError):
            raise ValueError("「契約金額」「上限なし」「わからない」か、上限の金額(例: 5,000万円)を入力してください") from None

    return _each(cells, convert, CAP_CODES[LiabilityCap.UNKNOWN], np.int64)


def _terms(cap: int, answers: list[int]) -> ContractTerms:
    kind = next((k for k, code in CAP_CODES.items() if code == cap), LiabilityCap.OTHER_AMOUNT)
    values = {name: ANSWER_CODES[code] for name, code in zip(CONTRACT_ANSWERS, answers, strict=True)}
    return ContractTerms(kind, cap if kind is LiabilityCap.OTHER_AMOUNT else None, **values)


_PARSERS: dict[str, Callable[[np.ndarray, Column], Parsed]] = {
    "text": _text,
    "money": _money_cells,
    "count": _count,
    "industry": _choice(INDUSTRY_LOOKUP, INDUSTRIES, "業種"),
    "contract": _choice(CONTRACT_LOOKUP, CONTRACT_TYPES, "契約形態"),
    "flag": _flag,
    "lines": _lines,
    "riders": _riders,
    "cap": _cap,
    "answer": _answer,
}


def _bits(masks: np.ndarray, width: int) -> np.ndarray:
    return ((masks[:, None] >> np.arange(width)[None, :]) & 1).astype(bool)


def _batch(values: dict[str, np.ndarray], keep: np.ndarray, n: int) -> ApplicantBatch:
    def ints(key: str) -> np.ndarray:
        column: np.ndarray = values[key][keep].astype(np.int64)
        return column

    controls = (
        np.stack([values.get(c.value, np.zeros(n, dtype=bool))[keep] for c in CONTROLS], axis=1)
        if n
        else np.zeros((0, len(CONTROLS)), dtype=bool)
    )
    riders = values.get("riders", np.zeros(n, dtype=np.int64))[keep]
    return ApplicantBatch(
        industry=values["industry"][keep].astype(np.int16),
        annual_revenue_jpy=ints("annual_revenue_jpy"),
        employees=ints("employees"),
        records_held=ints("records_held"),
        servers=ints("servers"),
        largest_contract_jpy=ints("largest_contract_jpy"),
        contract_type=values["contract_type"][keep].astype(np.int8),
        incidents_3y=ints("incidents_3y"),
        limit_jpy=ints("limit_jpy"),
        deductible_jpy=ints("deductible_jpy"),
        controls=controls.reshape(-1, len(CONTROLS)),
        riders=_bits(riders.astype(np.int64), len(KEYS)),
        lines=_bits(values["lines"][keep].astype(np.int64), len(LINES)),
    )
