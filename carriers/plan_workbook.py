"""Writes the canonical plan workbook: the blank template a broker downloads (headers, a guide to every column and
the words each accepts), or the same workbook with rows, as the invented sample carrier is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

from carriers.canonical import (
    COMPANY_CODE,
    COMPANY_EN,
    COMPANY_JA,
    COMPANY_WORDS,
    HEADERS,
    MARK,
    SHEETS,
    VOCABULARY,
)
from carriers.tabular import ADJUST, ADJUST_KINDS, BASE, CAP_BASIS, CLASSES, COVER, FACTOR_KINDS, FACTORS, PLANS, RULES, TERMS

GUIDE_SHEET = "記入方法"
CREATED = datetime(2026, 11, 1, 9, 0, 0)  # fixed, so the same rows always give the same bytes
PURPOSE = {
    COVER: "保険会社と料率の版",
    PLANS: "プラン(1行に1プラン)",
    TERMS: "補償項目(1行に1プランの1項目)",
    BASE: "基本保険料(円): 売上高区分ごと。引き受けない区分は ―",
    CLASSES: "業種ごとの料率区分(種目ごとの列。引き受けない業種は ―)",
    FACTORS: "係数: プラン・支払限度額・免責金額ごと",
    ADJUST: "割増引・最低保険料・端数処理",
    RULES: "引受基準",
}
COVER_ROWS = (
    (COMPANY_CODE, "英小文字・数字・_ (例: sakura_sonpo)。URLと保存先の名前になり、後から変えられません"),
    (COMPANY_JA, "画面と帳票に出す名前(例: さくら損保)"),
    (COMPANY_EN, "英語の画面に出す名前"),
    (COMPANY_WORDS, "任意。見出しで改行してよい位置を / で(例: さくら/損保)"),
    (HEADERS[COVER]["version"], "「2026.04」の形"),
    (HEADERS[COVER]["from"], "2026-04-01 の形"),
    (HEADERS[COVER]["to"], "任意"),
)


def _words(table: Mapping[str, Any]) -> str:
    return "、".join(table)


def guide() -> list[tuple[str, str, str]]:
    """Every column of every sheet, with what to write in it: the 記入方法 sheet's rows."""
    v = VOCABULARY
    words = {
        "code": "プランを表す記号(例: SC-1)。補償内容・係数のシートでも同じ記号を使う",
        "product": "パンフレットの商品名",
        "name": "パンフレットのプラン名",
        "name_en": "任意",
        "exclusions_en": "任意。/ で区切る",
        "conditions_en": "任意",
        "version": "会社シートの料率改定版と同じ",
        "from": "2026-04-01 の形",
        "to": "任意",
        "retroactive": "任意。損害賠償請求ベースの遡及日(パンフレットの表記のまま)",
        "pool": "任意。費用損害をまとめて支払う上限",
        "item": "パンフレットの補償項目の名前をそのまま(分類できない名前は取り込み時に対応付けを尋ねます)",
        "section": "任意。賠償損害・費用損害・利益損害・その他(分類の手がかり)",
        "conditions": "支払の条件・限定(例: 個人情報の漏えいに限る)",
        "class": "料率区分の記号(業種区分シートと同じ)",
        "plan": "係数の種類がプランのとき、そのプランコード",
        "amount": "係数の種類が支払限度額・免責金額のとき、その金額(万円)",
        "factor": "例: 1.25",
        "rate": "例: 5%",
        "yen": "最低保険料の額、端数処理の単位(円)",
        "rider": "特約除外のとき、その特約の名前",
        "days": "条件付引受の期限(日)",
        "line": _words(v.lines),
        "status": _words(v.statuses),
        "basis": _words(v.bases),
        "parent": _words(v.parents) + "(空欄は支払限度額)",
        "trigger": _words(v.triggers),
        "industry": _words(v.industries),
        "kind": "",
        "unless": _words(v.controls),
        "action": _words(v.rule_actions),
        "field": _words(v.rule_fields),
        "op": _words(v.rule_ops),
    }
    by_sheet = {
        FACTORS: {"kind": _words(FACTOR_KINDS)},
        ADJUST: {"kind": _words(ADJUST_KINDS), "item": f"割引・不備割増は対策({_words(v.controls)})、割引上限は {_words(CAP_BASIS)}"},
        RULES: {"value": "金額は単位付き(例: 100億円)。業種・契約形態は「、」区切り", "code": "基準の番号(例: C-01)"},
        PLANS: {"limits": "選べる額を / で区切る(例: 1,000/3,000/1億)", "exclusions": "/ で区切る"},
        TERMS: {
            "limit": "空欄: 上位の限度額まで。「ただし〇〇は1,000万円」のような例外も書けます",
            "ratio": "例: 90%",
            "victim": "例: 1名につき500円、1法人につき1,000万円",
            "waiting": "例: 12時間、3日",
            "deductible": "なし、または金額",
        },
    }
    rows = [(SHEETS[COVER], name, note) for name, note in COVER_ROWS]
    for role, headers in HEADERS.items():
        if role == COVER:
            continue
        for name, header in headers.items():
            note = by_sheet.get(role, {}).get(name) or words.get(name, "")
            rows.append((SHEETS[role], header, note))
    rows.append((SHEETS[BASE], "(売上高区分の列)", "「1億円未満」「5億円未満」… 見出しに上限を書いた列を、料率区分の右に並べる"))
    rows.append((SHEETS[CLASSES], "(種目の列)", f"業種の右に種目ごとの列: {_words(v.lines)}"))
    return rows


def write(
    path: Path | BinaryIO,
    company: Mapping[str, Any] | None = None,
    rows: Mapping[str, Sequence[Sequence[Any]]] | None = None,
    *,
    extra_headers: Mapping[str, Sequence[str]] | None = None,
    notice: str = "",
) -> Path | BinaryIO:
    """The canonical workbook at `path`: blank (the template), or with the company's facts and each sheet's rows.

    `extra_headers` are the columns a sheet has beyond its fields: the revenue bands of 料率表, the lines of 業種区分.
    """
    company, rows, extra_headers = dict(company or {}), rows or {}, extra_headers or {}
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": not isinstance(path, Path)}
    book = xlsxwriter.Workbook(str(path) if isinstance(path, Path) else path, options)
    book.set_properties({"title": MARK, "author": "quote-aggregator", "created": CREATED})
    title = book.add_format({"bold": True, "font_size": 12})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    ws = book.add_worksheet(SHEETS[COVER])
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, f"{MARK} {PURPOSE[COVER]}", title)
    if notice:
        ws.write_string(1, 0, notice)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 80)
    for r, (name, note) in enumerate(COVER_ROWS, start=3):
        ws.write_string(r, 0, name, head)
        value = company.get(name)
        if value not in (None, ""):
            ws.write_string(r, 1, str(value))
        ws.write_string(r, 2, f"※ {note}")
    for role in (PLANS, TERMS, BASE, CLASSES, FACTORS, ADJUST, RULES):
        ws = book.add_worksheet(SHEETS[role])
        ws.set_landscape()
        ws.fit_to_pages(1, 0)  # printed one page wide, as many pages long as the rows need
        ws.write_string(0, 0, f"{MARK} {SHEETS[role]}: {PURPOSE[role]}", title)
        if notice:
            ws.write_string(1, 0, notice)
        header = [*HEADERS[role].values(), *extra_headers.get(role, ())]
        ws.write_row(3, 0, header, head)
        ws.set_column(0, len(header) - 1, 16)
        ws.freeze_panes(4, 0)
        for r, values in enumerate(rows.get(role, ()), start=4):
            for c, value in enumerate(values):
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
    ws = book.add_worksheet(GUIDE_SHEET)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, f"{MARK} {GUIDE_SHEET}", title)
    ws.write_row(2, 0, ("シート", "列", "書き方・使える語"), head)
    ws.set_column(0, 1, 24)
    ws.set_column(2, 2, 100)
    for r, values in enumerate(guide(), start=3):
        ws.write_row(r, 0, values)
    book.close()
    return path
