"""Trial, not a benchmark: the bulk results workbook written by rustpy-xlsxwriter beside bulkbook.write_results (XlsxWriter).

rustpy-xlsxwriter is not a dependency (docs/DESIGN-NOTES.md, "Bulk workbook writer", says why), so
install it somewhere apart and point PYTHONPATH at it:

    .venv/bin/pip install --no-deps --target /tmp/rustpy rustpy-xlsxwriter==0.8.0
    PYTHONPATH=/tmp/rustpy .venv/bin/python bench/trial_rust_writer.py CLIENTS.xlsx OUT_FOLDER

CLIENTS.xlsx: a client list, e.g. the 100,000-row one bench_bulk.py caches in /tmp/quote-aggregator-bench/.
It reads and rates the list once, then writes the same results (bulkbook._columns) with each writer,
timing each in the same run, and runs the bulk workbook's checks (tests/test_export.py,
test_bulk_results_use_the_same_look, and the cell types) on both files. The rustpy sheet is as
close as its API allows: the same header, formats, widths, frozen panes, filter, print set-up,
header and footer; the title rows are merged ranges (the API writes nothing above the header
otherwise) and the notes sheet has two of its notes, as a one-column table.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rustpy_xlsxwriter as rx  # type: ignore[import-not-found]
from benchdata import AS_OF, load_rater

from aggregator import bulkbook
from aggregator.bulk import rate_in_chunks
from aggregator.clientlist import load_client_list
from aggregator.labels import SAMPLE_NOTICE
from aggregator.xlsxstyle import FONT, FONT_CHARSET, FONT_SIZE, LAYERS, date_text, header_text, yen_format


def fmt(*layers: str, num: str | None = None) -> Any:
    props: dict[str, Any] = dict(LAYERS["base"])
    for name in layers:
        props.update(LAYERS[name])
    f = rx.Format().set_font_name(FONT).set_font_size(props.get("font_size", FONT_SIZE)).set_font_charset(FONT_CHARSET)
    if props.get("bold"):
        f = f.set_bold()
    if "font_color" in props:
        f = f.set_font_color(props["font_color"])
    if "bg_color" in props:
        f = f.set_background_color(props["bg_color"])
    if props.get("text_wrap"):
        f = f.set_text_wrap()
    if props.get("align") == "center":
        f = f.set_align("center")
    if props.get("valign") == "vcenter":
        f = f.set_align("vcenter")
    if props.get("border"):
        f = f.set_border("thin").set_border_color(props["border_color"])
    if num:
        f = f.set_num_format(num)
    return f


def page_setup(left: str, center: str, repeat_rows: Any = None, repeat_columns: Any = None, fit: bool = True) -> dict[str, Any]:
    font = f'&"{FONT},Regular"&8'
    when = f"見積日 {date_text(AS_OF, 'ja')}"
    setup: dict[str, Any] = {
        "landscape": True,
        "paper_size": 9,
        "margins": {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.6, "header": 0.3, "footer": 0.3},
        "center_horizontally": True,
        "header": f"&L{font}{header_text(left)}&C{font}{header_text(center)}&R{font}{when}",
        "footer": f"&L{font}サンプルデータ(架空)&C{font}&P / &N&R{font}&A",
    }
    if fit:
        setup["fit_to_pages"] = (1, 0)
    if repeat_rows is not None:
        setup["repeat_rows"] = repeat_rows
    if repeat_columns is not None:
        setup["repeat_columns"] = repeat_columns
    return setup


def write_rust(target: Path, rater: Any, clients: Any, result: Any) -> None:
    _, _, columns = bulkbook._columns(rater, clients, result)
    carriers = bulkbook.market(rater)
    header = bulkbook.result_header(carriers)
    yen_cols = {3, 4} | {5 + 5 * i + j for i in range(len(carriers)) for j in (2, 3, 4)} | {len(header) - 1}
    text = fmt()
    yen = fmt(num=yen_format("ja"))
    records = [dict(zip(header, row, strict=True)) for row in zip(*columns, strict=True)]
    title = f"一括見積もり結果(見積日 {AS_OF.isoformat()})"
    book = rx.FastExcel(str(target))
    book.freeze(row=3, col=2, sheet="一括見積結果")
    book.sheet(
        "一括見積結果",
        records,
        header_row=2,
        header_format=fmt("header"),
        merge_ranges=[(0, 0, 0, 4, title, fmt("title")), (1, 0, 1, 8, f"※ {SAMPLE_NOTICE[0]}", fmt("notice"))],
        column_widths=[
            16 if c in yen_cols else (28 if c == 1 or h.endswith("プラン") else {0: 8, 2: 22}.get(c, 13)) for c, h in enumerate(header)
        ],
        column_formats=[yen if c in yen_cols else text for c in range(len(header))],
        row_heights={2: 32},
        autofilter=True,
        page_setup=page_setup("一括見積もり結果", "一括見積結果", (2, 2), (0, 1), fit=False),
    )
    errors = [
        {"行番号": e.row, "列": e.column, "入力値": "" if e.value is None else str(e.value), "理由": e.reason} for e in clients.errors
    ]
    book.sheet(
        "エラー",
        errors or [{"行番号": None, "列": None, "入力値": None, "理由": None}],
        header_row=1,
        header_format=fmt("header"),
        merge_ranges=[(0, 0, 0, 3, f"取り込めなかった行: {clients.bad_rows:,}行(エラー {len(clients.errors):,}件)", fmt("title"))],
        column_widths=[8, 22, 24, 48],
        page_setup=page_setup("一括見積もり結果", "エラー", (1, 1)),
    )
    notes = [SAMPLE_NOTICE[0], "この一覧は見積もりの比較であり、保険契約の成立や保険金の支払いを約束するものではありません。"]
    book.sheet(
        "ご注意",
        [{"ご注意": None}, *({"ご注意": note} for note in notes)],
        header_format=fmt("title"),
        column_widths=[120],
        column_formats=[text],
        row_formats={2: fmt("notice")},
        sheet_view={"gridlines": False},
        page_setup=page_setup("一括見積もり結果", "ご注意"),
    )
    book.save()


def check(name: Path) -> None:
    """The bulk workbook's existing checks, each with its answer."""
    import openpyxl

    yen_ja = '#,##0"円"'
    book = openpyxl.load_workbook(name)
    ws = book["一括見積結果"]
    col = [c.value for c in ws[3]].index("AIG損保 保険料(円)") + 1
    props = {p.name: p.value for p in book.custom_doc_props.props}
    checks = {
        "header fill and font": ws.cell(3, 1).fill.fgColor.rgb == "FF1F3A5F" and ws.cell(3, 1).font.name == "Meiryo",
        "company cell in Meiryo": ws.cell(4, 2).font.name == "Meiryo",
        "premium an int (money is int yen)": type(ws.cell(4, col).value) is int,
        "row number an int": type(ws.cell(4, 1).value) is int,
        "premium in the yen format": ws.cell(4, col).number_format == yen_ja,
        "frozen at C4, print titles row 3 and columns A:B": (ws.freeze_panes, ws.print_title_rows, ws.print_title_cols)
        == ("C4", "$3:$3", "$A:$B"),
        "every sheet A4 landscape, header and footer": all(
            (s.page_setup.orientation, int(s.page_setup.paperSize or 0), s.oddHeader.right.text, s.oddFooter.center.text)
            == ("landscape", 9, "見積日 2026年11月21日", "&P / &N")
            for s in book.worksheets
        ),
        "created = the quote date (same input, same file)": book.properties.created == datetime(2026, 11, 21),
        "title property": book.properties.title == "一括見積もり結果",
        "custom property sample_data": props.get("sample_data") is True,
        "rows 18 pt (set_default_row)": ws.sheet_format.defaultRowHeight == 18,
        "notes sheet ご注意": "ご注意" in book.sheetnames,
    }
    print(f"checks on {name.name}:")
    for what, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")


def main() -> None:
    source = Path(sys.argv[1])
    rater = load_rater()
    start = time.perf_counter()
    clients = load_client_list(source)
    result = rate_in_chunks(rater, clients.batch, AS_OF)
    print(f"read+rate {time.perf_counter() - start:.1f} s, {len(clients.companies):,} clients")
    out = Path(sys.argv[2])
    out.mkdir(exist_ok=True)
    for name in sys.argv[3:] or ["xlsxwriter", "rust"]:
        start = time.perf_counter()
        if name == "xlsxwriter":
            bulkbook.write_results(out / "xw.xlsx", rater, clients, result, as_of=AS_OF, sample=True, max_rows_per_sheet=1_048_576)
        else:
            write_rust(out / "rust.xlsx", rater, clients, result)
        print(f"{name}: {time.perf_counter() - start:.2f} s")
    for name in ("xw.xlsx", "rust.xlsx"):
        if (out / name).exists():
            check(out / name)


if __name__ == "__main__":
    main()
