"""Yen amounts: read them the way Japanese and English documents write them, write them back."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from aggregator.errors import AmountError

Lang = Literal["ja", "en"]

# Units a column header can give to the bare numbers below it.
COLUMN_UNITS: dict[str, int] = {"円": 1, "千円": 1_000, "万円": 10_000, "百万円": 1_000_000, "億円": 100_000_000}

_SMALL_UNITS = {"百": 100, "千": 1_000}
_JA_UNITS = {"百": 100, "千": 1_000, "万": 10_000, "億": 100_000_000, "兆": 1_000_000_000_000}
_EN_SUFFIXES = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
# Circled and parenthesised numerals (①, ⑵, ❷ …) are list markers, never part of a figure;
# NFKC would turn ② into "2", so they go before normalisation.
_LIST_MARKERS = re.compile("[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
# Footnote markers: (*2), （※1）, ※, *3, (注1), 注2)
_FOOTNOTES = re.compile(r"[(\[]\s*(?:\*|※|注)\s*\d*\s*[)\]]|(?:\*|※)\s*\d*|注\s*\d+\)?")
_FOREIGN = re.compile(r"\$|usd|us\$|eur|€|£|ドル|ユーロ", re.IGNORECASE)
_NUM = r"\d(?:[\d,]*\d)?(?:\.\d+)?"
# One candidate amount: an optional yen prefix, then Japanese unit groups or an English
# suffix, then an optional 円 / JPY / yen.
_CANDIDATE = re.compile(
    rf"(?<![A-Za-z0-9.,])(?P<prefix>¥|\\|jpy)?\s*"
    rf"(?P<body>(?:(?:{_NUM})\s*[百千万億兆]+\s*)+(?:{_NUM})?|(?:{_NUM}))"
    rf"\s*(?P<suffix>thousand|million|billion|mn|bn|k|m|b(?![a-z]))?(?![a-z])"
    rf"\s*(?P<yen>円|jpy|yen)?",
    re.IGNORECASE,
)
_JA_TOKEN = re.compile(rf"({_NUM})|([百千万億兆])")


def _clean(text: str) -> str:
    text = _LIST_MARKERS.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    text = _FOOTNOTES.sub(" ", text)
    # "1,000 万円": a space between digits and their unit is noise.
    return re.sub(r"\s+", " ", text).strip()


def _decimal(number: str, original: object) -> Decimal:
    if "," in number and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
        raise AmountError(original, "桁区切りのカンマの位置が正しくありません")
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex only lets digits through
        raise AmountError(original) from exc


def _ja_value(body: str, original: object) -> Decimal:
    """1億5,000万 -> 150000000; 5千万 -> 50000000; 5百万 -> 5000000; 1,000千 -> 1000000."""
    total = Decimal(0)
    section = Decimal(0)
    pending: Decimal | None = None
    last_big: int | None = None
    for number, unit in _JA_TOKEN.findall(body):
        if number:
            if pending is not None:
                raise AmountError(original, "数字が続いていて金額として読めません")
            pending = _decimal(number, original)
        elif unit in _SMALL_UNITS:
            section += (pending if pending is not None else Decimal(1)) * _SMALL_UNITS[unit]
            pending = None
        else:
            size = _JA_UNITS[unit]
            if last_big is not None and size >= last_big:
                raise AmountError(original, "単位の順序が正しくありません")
            group = section + (pending or 0)
            if group == 0:
                raise AmountError(original, f"「{unit}」の前に数字がありません")
            total += group * size
            section, pending, last_big = Decimal(0), None, size
    return total + section + (pending or 0)


def _column_multiplier(unit: str | int | None) -> int:
    if unit is None:
        return 1
    if isinstance(unit, int):
        if unit <= 0:
            raise ValueError(f"unit must be positive, got {unit}")
        return unit
    key = unicodedata.normalize("NFKC", unit).strip().strip("()（）[]")
    if key not in COLUMN_UNITS:
        raise ValueError(f"unknown column unit {unit!r}; expected one of {sorted(COLUMN_UNITS)}")
    return COLUMN_UNITS[key]


def parse_yen(text: str | int | Decimal, unit: str | int | None = None) -> int:
    """Read one yen amount; `unit` is the column's unit (千円, 万円) for bare numbers.

    An amount that carries its own unit (1億円, 50M, ¥10,000) keeps it whatever the column
    says. Raises AmountError when the text holds no amount, two amounts, a negative or
    fractional yen, or another currency.
    """
    multiplier = _column_multiplier(unit)
    if isinstance(text, bool):
        raise AmountError(text, "真偽値は金額ではありません")
    if isinstance(text, int):
        if text < 0:
            raise AmountError(text, "金額が負です")
        return text * multiplier
    if isinstance(text, Decimal):
        return _to_int(text * multiplier, text)
    if not isinstance(text, str):
        raise AmountError(text, "文字列でも整数でもありません")
    cleaned = _clean(text)
    if not cleaned:
        raise AmountError(text, "金額が空です")
    if _FOREIGN.search(cleaned):
        raise AmountError(text, "円以外の通貨です")
    if re.search(r"(?:^|[\s(])[-−▲△](?=\s*[¥\\]?\d)", cleaned):
        raise AmountError(text, "金額が負です")
    candidates = list(_CANDIDATE.finditer(cleaned))
    marked = [m for m in candidates if _is_marked(m)]
    chosen = marked if marked else candidates
    if not chosen:
        raise AmountError(text)
    if len(chosen) > 1:
        raise AmountError(text, "金額が複数あり、どれか決められません")
    return _value_of(chosen[0], multiplier, text)


def _is_marked(match: re.Match[str]) -> bool:
    """A candidate that says it is money: a yen sign, 円/JPY, a Japanese unit or M/K suffix."""
    return bool(match.group("prefix") or match.group("yen") or match.group("suffix") or re.search(r"[百千万億兆]", match.group("body")))


def _value_of(match: re.Match[str], multiplier: int, original: object) -> int:
    body = match.group("body").strip()
    suffix = (match.group("suffix") or "").lower()
    if re.search(r"[百千万億兆]", body):
        return _to_int(_ja_value(body, original), original)
    value = _decimal(body, original)
    if suffix:
        return _to_int(value * _EN_SUFFIXES[suffix], original)
    if match.group("prefix") or match.group("yen"):
        return _to_int(value, original)
    return _to_int(value * multiplier, original)


def _to_int(value: Decimal, original: object) -> int:
    if value < 0:
        raise AmountError(original, "金額が負です")
    if value != value.to_integral_value():
        raise AmountError(original, "1円未満の端数があります")
    return int(value)


# ------------------------------------------------------- amount texts in parts ---

UNIT_PER = ("台", "名", "人", "法人", "社", "件")  # a price per unit: never a limit by itself


@dataclass(frozen=True, slots=True)
class AmountText:
    """An amount text read into its parts: 「1,000万円(免責10万円)」, 「5,000円/台」, 「1億円(ただし…は1,000万円)」."""

    text: str
    amount_jpy: int
    per: str | None = None  # 台・名・人・法人・社・件, or 1請求・1事故・保険期間中 (the basis of a limit)
    deductible_jpy: int | None = None  # a deductible named beside the amount
    exception: str | None = None  # 「ただし〇〇は1,000万円」: a narrower figure for part of the cover
    approximate: bool = False  # 約・程度・超・以上・前後: not a figure to compare as exact


@dataclass(slots=True)
class _Parts:
    per: str | None = None
    deductible_jpy: int | None = None
    exception: str | None = None
    approximate: bool = False


_APPROXIMATE = re.compile(
    r"約|およそ|程度|前後|概算|目安|くらい|ぐらい|超|以上|強|(?<![a-z])(?:approx\.?|approximately|about|around|over|more than|at least)(?![a-z])",
    re.IGNORECASE,
)
# 「5万人へ500円で2,500万円」「500円×5万件=2,500万円」「例:」: a worked example, not a limit
_EXAMPLE = re.compile(
    r"\d\s*[万千]?\s*(?:人|名|件|社|台)\s*(?:へ|に(?!つき)|分|×|x|\*)|[×\*=＝]|(?<=\d)\s*x\s*(?=\d)|例[:：)]|例えば|\be\.g\.",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\d\s*[百千万億兆]*\s*円?\s*(?:〜|~|から)\s*[¥\\]?\s*\d")
_UNIT_PER = rf"(?:1\s*)?({'|'.join(sorted(UNIT_PER, key=len, reverse=True))}|被害者)"
_PER = (
    re.compile(rf"{_UNIT_PER}\s*(?:あたり|当たり|につき|ごと|毎)"),  # 1名あたり500円
    re.compile(rf"[/／]\s*{_UNIT_PER}"),  # 500円/名
    re.compile(r"(?<![a-z])per\s+(device|person|individual|company|claim|incident)(?![a-z])", re.IGNORECASE),
)
_EN_PER = {"device": "台", "person": "名", "individual": "名", "company": "法人", "claim": "1請求", "incident": "1事故"}
_BASIS = re.compile(
    r"1\s*(請求|事故)\s*[・･/／、]?\s*(?:保険期間中)?|保険期間中|(?<![a-z])(?:each\s+(claim|incident)|in\s+the\s+aggregate|aggregate)(?![a-z])",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|【([^【】]*)】")
_DEDUCTIBLE = re.compile(r"^(?:免責(?:金額)?|自己負担(?:額)?|控除(?:額)?|deductible|retention|excess)\s*[:：]?\s*(.*)$", re.IGNORECASE)
_EXCEPTION = re.compile(r"(?:^|[。、,\s])(?:ただし|但し|除く|を除き|except|excluding|but)", re.IGNORECASE)
_NONE = re.compile(r"^(?:なし|無し|0\s*円?|nil|none)$", re.IGNORECASE)


def read_amount(text: str | int | Decimal, unit: str | int | None = None) -> AmountText:
    """An amount text read into its parts, or AmountError saying in Japanese why it cannot be.

    Reads the amount, what it is per (台, 名, 法人, 1請求, 1事故 …), a deductible named beside it
    in brackets, an exception (「ただし…」) and whether it is approximate (約, 程度, 超, 以上, 前後).
    Refuses a worked example (「5万人へ500円で2,500万円」), bracketed words it cannot place and
    anything parse_yen refuses (two amounts, another currency).
    """
    if not isinstance(text, str):
        return AmountText(str(text), parse_yen(text, unit))
    cleaned = _clean(text)
    if not cleaned:
        raise AmountError(text, "金額が空です")
    if _RANGE.search(cleaned):
        raise AmountError(text, "範囲(〜)で書かれていて、1つの金額として読めません")
    if _EXAMPLE.search(cleaned):
        raise AmountError(text, "例示の計算(人数×単価など)のようです。支払限度額などの金額としては読めません")
    parts = _Parts()
    main = _BRACKETED.sub(lambda m: _bracket(next(g for g in m.groups() if g is not None), parts, text, unit), cleaned)
    if (split := _EXCEPTION.search(main)) is not None:
        parts.exception = main[split.start() :].strip(" 。、,")
        main = main[: split.start()]
    main = _take_per(main, parts)
    if _APPROXIMATE.search(main):
        parts.approximate = True
        main = _APPROXIMATE.sub(" ", main)
    try:
        amount = parse_yen(main, unit)
    except AmountError as exc:
        raise AmountError(text, exc.reason) from exc
    return AmountText(text, amount, parts.per, parts.deductible_jpy, parts.exception, parts.approximate)


def _bracket(content: str, parts: _Parts, original: str, unit: str | int | None) -> str:
    """Place one bracketed note among the parts; the main text keeps a space where it stood."""
    note = content.strip()
    if not note:
        return " "
    if (deductible := _DEDUCTIBLE.match(note)) is not None:
        value = deductible.group(1).strip()
        try:
            parts.deductible_jpy = 0 if _NONE.match(value) else parse_yen(value, unit)
        except AmountError as exc:
            raise AmountError(original, f"括弧内の免責金額が読めません({exc.reason})") from exc
        return " "
    if _EXCEPTION.match(note) or re.search(r"は\s*[\d¥]", note):
        parts.exception = note
        return " "
    if _APPROXIMATE.fullmatch(note):
        parts.approximate = True
        return " "
    rest = _take_per(note, parts)
    if not rest.strip(" ・/、,"):
        return " "
    raise AmountError(original, f"括弧内の「{note}」が読めません(免責金額・ただし書き・単位のいずれでもありません)")


def _take_per(text: str, parts: _Parts) -> str:
    """Take what the amount is per out of `text`: a unit (1名あたり, 円/台) or a limit's basis (1事故・保険期間中)."""
    for pattern in _PER:
        if (found := pattern.search(text)) is not None:
            word = found.group(1)
            parts.per = _EN_PER.get(word.lower(), word if word in UNIT_PER else f"1{word}")
            text = text[: found.start()] + " " + text[found.end() :]
            break
    if (basis := _BASIS.search(text)) is not None:
        if parts.per is None:
            word = basis.group(1) or basis.group(2)
            per = "保険期間中" if word is None else _EN_PER.get(word.lower(), f"1{word}")
            parts.per = f"{per}・保険期間中" if word is not None and "保険期間中" in basis.group(0) else per
        text = text[: basis.start()] + " " + text[basis.end() :]
    return text


def format_yen(amount: int, lang: Lang = "ja") -> str:
    """1億5,000万円 in Japanese, ¥150,000,000 in English. Amounts are int yen."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"format_yen takes int yen, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    n = abs(amount)
    if lang == "en":
        return f"{sign}¥{n:,}"
    if lang != "ja":
        raise ValueError(f"unknown language {lang!r}")
    if n == 0:
        return "0円"
    parts = []
    for unit, size in (("兆", 10**12), ("億", 10**8), ("万", 10**4)):
        if n >= size:
            parts.append(f"{n // size:,}{unit}")
            n %= size
    if n:
        parts.append(f"{n:,}")
    return sign + "".join(parts) + "円"


def format_premium(amount: int, lang: Lang = "ja") -> str:
    """Premiums as quotes print them: 475,070円 / ¥475,070 (limits use 万・億)."""
    if lang == "en":
        return format_yen(amount, "en")
    return f"{amount:,}円"


def round_for_reading(amount: int, *, up: bool) -> int:
    """An estimate to two significant figures, never finer than 1万円 (1,000円 below 1万): 684万9,315円 → 680万円 or 690万円.

    Estimates are rounded the way a person writes them, down for the low end of a range and up
    for the high end, so a rounded range still holds the figure worked out.
    """
    if amount <= 0:
        return 0
    unit = 1_000 if amount < 10_000 else 10 ** max(4, len(str(amount)) - 2)
    return -(-amount // unit) * unit if up else amount // unit * unit


def _fixed(n: int, unit: int, places: int) -> str:
    """n / unit to `places` decimals, rounded half up, trailing zeros dropped: integers only."""
    scale = 10**places
    scaled = (n * scale + unit // 2) // unit
    whole, part = divmod(scaled, scale)
    text = f"{whole:,}" + (f".{part:0{places}d}".rstrip("0") if places else "")
    return text.rstrip(".")


def format_approx(amount: int, lang: Lang = "ja") -> str:
    """A difference as a person says it: 88.7万円, 1.29億円, 5,000円 (¥887,000 / ¥129.4M in English)."""
    sign = "-" if amount < 0 else ""
    n = abs(amount)
    if lang == "en":
        return f"{sign}¥{_fixed(n, 10**6, 1)}M" if n >= 10**6 else f"{sign}¥{n:,}"
    if n >= 10**8:
        return f"{sign}{_fixed(n, 10**8, 2)}億円"
    if n >= 10**6:
        return f"{sign}{_fixed(n, 10**4, 0)}万円"
    if n >= 10**4:
        return f"{sign}{_fixed(n, 10**4, 1)}万円"
    return f"{sign}{n:,}円"
