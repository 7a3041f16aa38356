"""Cell parsers: a carrier's amounts, limits, counts, ratios, factors, rounding words and dates, each refused with its place."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aggregator.errors import AmountError
from aggregator.money import UNIT_PER, AmountText, parse_yen, read_amount
from aggregator.schema import MAX_CARRIER_COUNT, MAX_CARRIER_YEN, MAX_CARRIER_YEN_TEXT, RoundingMode
from carriers.place import Where, is_blank, norm_header

MAX_FACTOR_BP = 1_000_000  # ×100: the schema's ceiling for any factor, loading or surcharge


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
