"""The workbooks' one look: font, colours, yen formats, print set-up and safe text, for the comparison and bulk workbooks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, BinaryIO

import xlsxwriter

from aggregator.money import Lang
from aggregator.sheets import safe_text

# Meiryo (メイリオ), written by its English name, with the Shift_JIS charset (128) Excel itself
# writes for Japanese fonts. Why this one: it ships with every Japanese Windows since Vista (and
# still with Windows 11) and with Office for Mac, so Excel shows it as is; LibreOffice's
# substitution table knows "Meiryo" as a Japanese (CJK_JP) face and falls back to a Japanese font
# it has (MS Gothic, IPA, Noto Sans CJK JP). "Meiryo UI" and "游ゴシック" are names LibreOffice does
# not know, so it would treat them as Western fonts; 游ゴシック is also missing before Windows 8.1.
FONT = "Meiryo"
FONT_SIZE = 10
FONT_CHARSET = 128  # SHIFTJIS_CHARSET: tells Excel the font is Japanese even where it is missing

NAVY = "#1F3A5F"
LINE = "#A6A6A6"
RED = "#C00000"

# Named layers of cell properties; a cell's format is the merge of its layers, later ones winning.
LAYERS: dict[str, dict[str, Any]] = {
    "base": {"font_name": FONT, "font_size": FONT_SIZE, "font_charset": FONT_CHARSET, "valign": "vcenter"},
    "title": {"bold": True, "font_size": 14, "font_color": NAVY},
    "subtitle": {"font_size": 11},
    "notice": {"bold": True, "font_color": RED},
    "header": {
        "bold": True,
        "bg_color": NAVY,
        "font_color": "#FFFFFF",
        "text_wrap": True,
        "align": "center",
        "border": 1,
        "border_color": LINE,
    },
    "subheader": {
        "bold": True,
        "bg_color": "#D9E2F3",
        "font_color": NAVY,
        "text_wrap": True,
        "align": "center",
        "border": 1,
        "border_color": LINE,
    },
    "group": {"bold": True, "bg_color": "#DDEBF7", "font_color": NAVY, "border": 1, "border_color": LINE},
    "cell": {"border": 1, "border_color": LINE},
    "row": {"border": 1, "border_color": LINE, "valign": "top"},  # a cell in a row that may wrap
    "label": {"border": 1, "border_color": LINE, "bold": True},
    "wrap": {"text_wrap": True, "valign": "top"},
    "center": {"align": "center"},
    "right": {"align": "right"},
    "indent": {"indent": 1},
    "bold": {"bold": True},
    "muted": {"font_color": "#7F7F7F"},
    # Cell kinds of the comparison: each looks different (DESIGN.md: not offered, unknown and ¥0 are three things).
    "best": {"bg_color": "#C6EFCE", "font_color": "#006100", "bold": True},
    "short": {"font_color": RED},
    "not_offered": {"bg_color": "#D9D9D9", "font_color": "#595959", "align": "center"},
    "unknown": {"bg_color": "#FFEB9C", "font_color": "#7F6000", "align": "center", "bold": True},
    "zero": {"bg_color": "#FCE4D6", "font_color": "#843C0C"},
    "rider": {"italic": True, "font_color": "#7030A0", "align": "center"},
    "adjusted": {"font_color": "#C55A11", "bold": True},
    "proposed": {"bg_color": "#FFE699", "font_color": "#000000", "bold": True},
    "declined": {"bg_color": "#F4CCCC", "font_color": RED, "bold": True},
    "pending": {"bg_color": "#FFF2CC"},
}

# An invalid character would make Excel offer to repair the file: lone surrogates and U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
MAX_CELL_TEXT = 32_767


def sheet_text(value: str) -> str:
    """Text for a cell: formula triggers neutralised (sheets.safe_text), unwritable characters replaced, cut to Excel's limit."""
    text = safe_text(_XML_INVALID.sub("\ufffd", value)[: MAX_CELL_TEXT - 1])
    # XlsxWriter writes a string shaped like "<r>…</r>" as raw rich-text XML: neutralise it the same way.
    if text.startswith("<r>") and text.endswith("</r>"):
        text = "'" + text
    return text


def plain_text(value: str, limit: int = 255) -> str:
    """User text outside cells (document properties): no control codes, short."""
    text = _CONTROL.sub(" ", _XML_INVALID.sub("\ufffd", value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header_text(value: str, limit: int = 60) -> str:
    """User text inside a page header or footer: plain, short, and '&' doubled so it cannot act as a code."""
    return plain_text(value, limit).replace("&", "&&")


def yen_format(lang: Lang, note: str = "") -> str:
    """'#,##0"円"' / '"¥"#,##0', with a note after the amount when it says what kind of amount it is."""
    if lang == "en":
        return '"¥"#,##0' + (f'" ({note})"' if note else "")
    return '#,##0"円' + (f" ({note})" if note else "") + '"'


def zero_format(lang: Lang, note: str) -> str:
    """A yen format whose zero section names the ¥0, so a 0 cannot pass for a blank or a missing figure."""
    base = yen_format(lang)
    zero = f'"¥0 ({note})"' if lang == "en" else f'"0円 ({note})"'
    return f"{base};-{base};{zero}"


def shortfall_format(lang: Lang) -> str:
    return '"short ¥"#,##0' if lang == "en" else '"▲"#,##0"円"'


def count_format(unit_ja: str, unit_en: str, lang: Lang) -> str:
    return f'#,##0" {unit_en}"' if lang == "en" else f'#,##0"{unit_ja}"'


def date_format(lang: Lang) -> str:
    return "yyyy-mm-dd" if lang == "en" else 'yyyy"年"m"月"d"日"'


def date_text(day: date, lang: Lang) -> str:
    return day.isoformat() if lang == "en" else f"{day.year}年{day.month}月{day.day}日"


class Styles:
    """Formats made from named layers, each made once per workbook."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._cache: dict[tuple[Any, ...], Any] = {}

    def get(self, *layers: str, num: str | None = None, **extra: Any) -> Any:
        key = (layers, num, tuple(sorted(extra.items())))
        found = self._cache.get(key)
        if found is None:
            props: dict[str, Any] = dict(LAYERS["base"])
            for name in layers:
                props.update(LAYERS[name])
            if num is not None:
                props["num_format"] = num
            props.update(extra)
            found = self._cache[key] = self.book.add_format(props)
        return found


def new_workbook(target: str | BinaryIO, *, constant_memory: bool = False) -> Any:
    """An XlsxWriter workbook that never turns text into formulas or links, in the house font."""
    options: dict[str, Any] = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE, "font_charset": FONT_CHARSET},
    }
    options["constant_memory" if constant_memory else "in_memory"] = True
    return xlsxwriter.Workbook(target, options)


def set_properties(
    book: Any,
    *,
    title: str,
    subject: str,
    as_of: date,
    sample: bool,
    lang: Lang,
    keywords: str = "",
    custom: Mapping[str, Any] | None = None,
) -> None:
    """Document properties; the created date is the quote date, so the same input gives the same file."""
    from aggregator.labels import SAMPLE_NOTICE, pick

    book.set_properties(
        {
            "title": plain_text(title),
            "subject": subject,
            "author": "quote-aggregator",
            "company": "",
            "category": "保険見積もり比較" if lang == "ja" else "Insurance quote comparison",
            "keywords": keywords,
            "comments": pick(SAMPLE_NOTICE, lang) if sample else "",
            "created": datetime.combine(as_of, time()),
        }
    )
    book.set_custom_property("sample_data", sample)
    book.set_custom_property("as_of", as_of.isoformat())
    for name, value in (custom or {}).items():
        book.set_custom_property(name, value)


def print_setup(
    ws: Any,
    *,
    lang: Lang,
    left: str,
    center: str,
    as_of: date,
    sample: bool,
    repeat_rows: tuple[int, int] | None = None,
    repeat_columns: tuple[int, int] | None = None,
    fit_width: bool = True,
) -> None:
    """A4 landscape, one page wide, header rows repeated; header with the client, title and date, footer with page numbers."""
    ws.set_paper(9)  # A4
    ws.set_landscape()
    if fit_width:
        ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    ws.center_horizontally()
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if repeat_columns is not None:
        ws.repeat_columns(*repeat_columns)
    font = f'&"{FONT},Regular"&8'
    when = f"見積日 {date_text(as_of, lang)}" if lang == "ja" else f"Quoted {date_text(as_of, lang)}"
    ws.set_header(f"&L{font}{header_text(left)}&C{font}{header_text(center)}&R{font}{when}", {"margin": 0.3})
    mark = ("サンプルデータ(架空)" if lang == "ja" else "Sample data (invented)") if sample else ""
    ws.set_footer(f"&L{font}{mark}&C{font}&P / &N&R{font}&A", {"margin": 0.3})
