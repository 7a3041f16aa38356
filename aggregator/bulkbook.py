"""The bulk results workbook, streamed with XlsxWriter's constant-memory mode."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from aggregator.batch import LINES, NOT_ASKED, STATUS_OF_CODE
from aggregator.choice import cheapest_meeting_request, pick_per_carrier
from aggregator.clientlist import COLUMNS, ClientList
from aggregator.codes import Carrier, LiabilityCap, QuoteStatus
from aggregator.contract import QUESTIONS
from aggregator.contract_check import in_short
from aggregator.labels import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES, SAMPLE_NOTICE, carrier_name, line_name, quote_status
from aggregator.rating import BatchResult, Rater
from aggregator.xlsxstyle import Styles, new_workbook, print_setup, set_properties, sheet_text, yen_format

HEADER_ROWS = 3  # title, notice, column headers
# A status cell: the quote status's one word (labels.QUOTE_STATUS_LABELS), or 取扱なし where the carrier does not sell the line.
STATUS_JA = {**{code: quote_status(status) for code, status in STATUS_OF_CODE.items()}, NOT_ASKED: ""}
NOT_SOLD = "取扱なし"
NOT_FIRM = (QuoteStatus.INDICATION, QuoteStatus.REFERRED, QuoteStatus.DECLINED)
YEN_COLUMNS_PER_CARRIER = (2, 3, 4)
Progress = Callable[[str, int, int], None]


def _columns(rater: Rater, clients: ClientList, result: BatchResult) -> tuple[np.ndarray, np.ndarray, list[list[Any]]]:
    """Each output column as a Python list, gathered for the (client, line) pairs asked."""
    client_idx, line_idx = np.nonzero(clients.batch.lines)
    plan_names = [sheet_text(s.plan.name) for s in rater.slots]
    carriers = market(rater)
    carrier_names = {c: carrier_name(c) for c in carriers}
    per_line: dict[str, list[np.ndarray]] = {}
    for line in LINES:
        picks = [pick_per_carrier(rater, result, line, c, clients.batch) for c in carriers]
        best = cheapest_meeting_request(rater, result, line)
        fields = {"best": best}
        for c, pick in zip(carriers, picks, strict=True):
            for name in ("slot", "status", "premium", "limit", "deductible"):
                fields[f"{c.value}.{name}"] = getattr(pick, name)
        for key, arr in fields.items():
            per_line.setdefault(key, []).append(arr)
    stacked = {k: np.stack(v, axis=1)[client_idx, line_idx] for k, v in per_line.items()}
    companies = np.array(clients.companies, dtype=object)[client_idx]
    columns: list[list[Any]] = [
        clients.rows[client_idx].tolist(),
        [sheet_text(c) for c in companies.tolist()],
        [line_name(LINES[i]) for i in line_idx.tolist()],
        clients.batch.limit_jpy[client_idx].tolist(),
        clients.batch.deductible_jpy[client_idx].tolist(),
    ]
    for c in carriers:
        slot = stacked[f"{c.value}.slot"].tolist()
        status = stacked[f"{c.value}.status"].tolist()
        quoted = [s >= 0 and st not in (3, -1) for s, st in zip(slot, status, strict=True)]
        columns.append([STATUS_JA[st] if s >= 0 else NOT_SOLD for s, st in zip(slot, status, strict=True)])
        columns.append([plan_names[s] if ok else None for s, ok in zip(slot, quoted, strict=True)])
        for name in ("premium", "limit", "deductible"):
            columns.append([v if ok else None for v, ok in zip(stacked[f"{c.value}.{name}"].tolist(), quoted, strict=True)])
    best = stacked["best"].tolist()
    premium = result.premium
    columns.append([carrier_names[rater.slots[b].plan.carrier] if b >= 0 else "該当なし" for b in best])
    columns.append([plan_names[b] if b >= 0 else None for b in best])
    columns.append([int(premium[i, b]) if b >= 0 else None for i, b in zip(client_idx.tolist(), best, strict=True)])
    columns += _contract_columns(clients, client_idx)
    return client_idx, line_idx, columns


def _contract_columns(clients: ClientList, client_idx: np.ndarray) -> list[list[Any]]:
    """The contract check per row: the cap agreed (the contract amount or another; blank when none or not known), why it can
    fall away for a leak, and the clauses to revise or check."""
    terms = clients.contracts()
    words = {t: in_short(t) for t in set(terms)}
    contract = clients.batch.largest_contract_jpy.tolist()

    def cap(i: int) -> int | None:
        t = terms[i]
        if t.liability_cap is LiabilityCap.CONTRACT_AMOUNT:
            return int(contract[i])
        return t.liability_cap_jpy

    rows = client_idx.tolist()
    return [[cap(i) for i in rows], [words[terms[i]][0] for i in rows], [words[terms[i]][1] for i in rows]]


def write_results(
    target: Path,
    rater: Rater,
    clients: ClientList,
    result: BatchResult,
    *,
    as_of: date,
    sample: bool,
    progress: Progress | None = None,
    max_rows_per_sheet: int,
) -> tuple[int, int]:
    """Write results (split over several sheets when one cannot hold them), errors and notes."""
    _, _, columns = _columns(rater, clients, result)
    total = len(columns[0])
    per_sheet = max_rows_per_sheet - HEADER_ROWS
    sheet_count = max(1, -(-total // per_sheet))
    tmp = target.with_name(target.name + ".part")
    book = new_workbook(str(tmp), constant_memory=True)
    set_properties(
        book, title="一括見積もり結果", subject="保険見積もり比較", as_of=as_of, sample=sample, lang="ja", keywords="一括見積もり"
    )
    styles = _styles(book)
    carriers = market(rater)
    header = result_header(carriers)
    yen_cols = {3, 4} | {5 + 5 * i + j for i in range(len(carriers)) for j in YEN_COLUMNS_PER_CARRIER}
    yen_cols |= {header.index("最安 保険料(円)"), header.index("契約上の賠償上限(円)")}
    rows = list(zip(*columns, strict=True))
    for s in range(sheet_count):
        name = "一括見積結果" if sheet_count == 1 else f"一括見積結果({s + 1})"
        ws = book.add_worksheet(name)
        ws.set_default_row(18)
        # 33 columns cannot be read at one page wide: print a few pages across, company and row number on each.
        print_setup(
            ws,
            lang="ja",
            left="一括見積もり結果",
            center=name,
            as_of=as_of,
            sample=sample,
            repeat_rows=(2, 2),
            repeat_columns=(0, 1),
            fit_width=False,
        )
        _sheet_head(ws, header, styles, as_of=as_of, sample=sample, part=(s + 1, sheet_count))
        for col, head in enumerate(header):
            ws.set_column(col, col, _width(col, head, yen_cols), styles["yen"] if col in yen_cols else None)
        for r, row in enumerate(rows[s * per_sheet : (s + 1) * per_sheet]):
            ws.write_row(HEADER_ROWS + r, 0, row)
            done = s * per_sheet + r + 1
            if progress and done % 10_000 == 0:
                progress("writing", done, total)
        ws.freeze_panes(HEADER_ROWS, 2)
        ws.autofilter(HEADER_ROWS - 1, 0, HEADER_ROWS - 1 + min(per_sheet, max(total - s * per_sheet, 0)), len(header) - 1)
    _errors_sheet(book, clients, styles, as_of, sample)
    _notes_sheet(book, styles, as_of, sample)
    book.close()
    tmp.replace(target)  # the result appears whole or not at all
    if progress:
        progress("writing", total, total)
    return total, sheet_count


def _width(col: int, head: str, yen_cols: set[int]) -> int:
    if col in yen_cols:
        return 16
    if head in CONTRACT_RESULT:
        return 40  # the contract check's words
    if col == 1 or head.endswith("プラン"):
        return 28  # company and plan names
    return {0: 8, 2: 22}.get(col, 13)


def _styles(book: Any) -> dict[str, Any]:
    """The comparison workbook's look (xlsxstyle), by the names this module uses."""
    st = Styles(book)
    return {
        "title": st.get("title"),
        "notice": st.get("notice"),
        "header": st.get("header"),
        "yen": st.get(num=yen_format("ja")),
        "number": st.get(num="#,##0"),  # the template's amounts may be in 千円: no unit on the cell
        "text": st.get(),
        "wrap": st.get("wrap"),
    }


def _sheet_head(ws: Any, header: list[str], styles: dict[str, Any], *, as_of: date, sample: bool, part: tuple[int, int]) -> None:
    title = f"一括見積もり結果(見積日 {as_of.isoformat()})"
    if part[1] > 1:
        title += f" {part[0]}/{part[1]}"
    ws.write_string(0, 0, title, styles["title"])
    ws.write_string(
        1,
        0,
        f"※ {SAMPLE_NOTICE[0]}" if sample else "保険料は年額・円。最終的な引受可否と保険料は各保険会社の審査によります。",
        styles["notice"],
    )
    ws.set_row(2, 32)
    ws.write_row(2, 0, header, styles["header"])


def _errors_sheet(book: Any, clients: ClientList, styles: dict[str, Any], as_of: date, sample: bool) -> None:
    ws = book.add_worksheet("エラー")
    ws.set_default_row(18)
    print_setup(ws, lang="ja", left="一括見積もり結果", center="エラー", as_of=as_of, sample=sample, repeat_rows=(1, 1))
    ws.write_string(0, 0, f"取り込めなかった行: {clients.bad_rows:,}行(エラー {len(clients.errors):,}件)", styles["title"])
    ws.write_row(1, 0, ["行番号", "列", "入力値", "理由"], styles["header"])
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 24)
    ws.set_column(3, 3, 48)
    for r, error in enumerate(clients.errors, start=2):
        ws.write_number(r, 0, error.row)
        ws.write_string(r, 1, sheet_text(error.column))
        ws.write_string(r, 2, sheet_text("" if error.value is None else str(error.value)))
        ws.write_string(r, 3, sheet_text(error.reason))
    ws.freeze_panes(2, 0)


def _notes_sheet(book: Any, styles: dict[str, Any], as_of: date, sample: bool) -> None:
    ws = book.add_worksheet("ご注意")
    ws.set_column(0, 0, 120)
    ws.set_default_row(18)
    ws.hide_gridlines(2)
    print_setup(ws, lang="ja", left="一括見積もり結果", center="ご注意", as_of=as_of, sample=sample)
    notes = [
        "この一覧は見積もりの比較であり、保険契約の成立や保険金の支払いを約束するものではありません。",
        f"「{quote_status(QuoteStatus.QUOTED)}」以外({'・'.join(quote_status(s) for s in NOT_FIRM)})の理由と条件は、個別の見積画面または比較表でご確認ください。",
        "「条件を満たす最安」は、ご希望の支払限度額・免責金額・特約のままお引受けできる見積もりのうち最も安いものです。",
        "各社の列には、その社のプランのうち、ご希望どおりに引き受けられて最も安いものを示します。個別の比較表は、お客様の重視する点(補償の広さなど)で各社1プランを選ぶため、別のプランになることがあります。",
        f"保険料は {as_of.isoformat()} 時点の料率による年額です。見積もりの有効期限は見積日から30日です。",
        "補償内容・支払条件は保険会社とプランによって異なります。通常のサイバー保険では単なる納期遅延は補償されません(サイバー攻撃による遅延は補償される場合があります)。",
    ]
    if sample:
        notes.insert(0, SAMPLE_NOTICE[0])
    ws.write_string(0, 0, "ご注意", styles["title"])
    for r, note in enumerate(notes, start=2):
        ws.write_string(r, 0, note, styles["notice"] if sample and r == 2 else styles["text"])


def write_template(target: Path, revenue_unit: str = "円") -> None:
    """The blank client list: Japanese headers, one example row, drop-downs where the answer is a choice."""
    from aggregator.clientlist import CONTRACT_LOOKUP, INDUSTRY_LOOKUP

    headers, example = template_rows(revenue_unit)
    book = new_workbook(str(target))
    book.set_properties({"title": "一括見積もり 顧客リスト", "subject": "保険見積もり比較", "author": "quote-aggregator"})
    styles = _styles(book)
    ws = book.add_worksheet("顧客リスト")
    ws.set_default_row(18)
    ws.write_row(0, 0, headers, styles["header"])
    ws.write_row(1, 0, example)
    ws.set_row(0, 32)
    ws.freeze_panes(1, 1)
    kinds = {c.header: c.kind for c in COLUMNS}
    choices = {
        "industry": [v[0] for v in INDUSTRY_NAMES.values()],
        "contract": [v[0] for v in CONTRACT_TYPE_NAMES.values()],
        "flag": ["○", "×"],
        "answer": ["はい", "いいえ", "わからない"],
        "cap": ["契約金額", "上限なし", "わからない"],
    }
    for col, head in enumerate(headers):
        kind = kinds[head]
        ws.set_column(
            col,
            col,
            30 if kind in ("text", "industry", "lines", "riders") else 16,
            styles["number"] if kind in ("money", "count") else None,
        )
        if kind == "cap":  # a word from the list, or the amount agreed: typed amounts are let through
            ws.data_validation(
                1,
                col,
                10_000,
                col,
                {
                    "validate": "list",
                    "source": choices[kind],
                    "error_type": "information",
                    "error_message": "上限の金額(例: 5,000万円)も入力できます",
                },
            )
        elif kind in choices:
            ws.data_validation(
                1, col, 10_000, col, {"validate": "list", "source": choices[kind], "error_message": f"{head}は一覧から選んでください"}
            )
    assert INDUSTRY_LOOKUP and CONTRACT_LOOKUP  # the reader accepts the same names the drop-downs offer
    help_ws = book.add_worksheet("記入方法")
    help_ws.set_column(0, 0, 110)
    lines = [
        "1行に1社を記入してください。見出し行は変更しないでください。2行目は記入例です(削除してかまいません)。",
        f"売上高・最大契約金額は{revenue_unit}単位で記入します。支払限度額・免責金額は円単位です(「1億円」「5,000万円」のような書き方も読めます)。",
        "セキュリティ対策の列は、導入済みなら ○、未導入なら × を記入します。空欄は未導入として扱います。",
        "希望種目は「サイバー保険」「IT業務過誤賠償責任保険」「専門職業賠償責任保険」を「、」で区切って複数記入できます。",
        "特約は「喪失利益」「営業継続費用」「サイバー攻撃起因の納期遅延」などを「、」で区切って記入します。",
        "入力に誤りがある行は結果の「エラー」シートに行番号・列・理由を示し、それ以外の行は見積もります。",
        "契約の確認の列(賠償の上限〜知的財産権の帰属)は任意です。「はい」「いいえ」「わからない」で記入し、空欄は「わからない」として扱います(安全側とはみなしません)。",
        "賠償の上限は「契約金額」「上限なし」「わからない」か、契約で合意した上限の金額(例: 5,000万円)を記入します。",
    ]
    for r, text in enumerate(lines):
        help_ws.write_string(r, 0, text, styles["text"])
    book.close()


def market(rater: Rater) -> list[Carrier]:
    """The carriers whose data the rater holds, each with its columns in the results, in the order they were loaded."""
    return [data.carrier for data in rater.carriers]


def result_header(carriers: Sequence[Carrier]) -> list[str]:
    head = ["行番号", "会社名", "種目", "希望支払限度額(円)", "希望免責金額(円)"]
    for carrier in carriers:
        name = carrier_name(carrier)
        head += [f"{name} 状態", f"{name} プラン", f"{name} 保険料(円)", f"{name} 支払限度額(円)", f"{name} 免責金額(円)"]
    return [*head, "条件を満たす最安 保険会社", "最安 プラン", "最安 保険料(円)", *CONTRACT_RESULT]


# What the contract check says of each client (aggregator/contract.py), beside its quotes.
CONTRACT_RESULT = ("契約上の賠償上限(円)", "上限が外れる場合(漏えい・データ消失)", "契約の見直し・確認")


def template_rows(revenue_unit: str = "円") -> tuple[list[str], list[object]]:
    """Headers for a blank client list and one filled-in example row."""
    headers = []
    for column in COLUMNS:
        if column.kind == "money" and column.unit != (
            revenue_unit if column.key in ("annual_revenue_jpy", "largest_contract_jpy") else "円"
        ):
            continue
        headers.append(column.header)
    k = 1_000 if revenue_unit == "千円" else 1
    example: dict[str, object] = {
        "会社名": "株式会社サンプル開発(記入例)",
        "業種": INDUSTRY_NAMES[next(iter(INDUSTRY_NAMES))][0],
        f"売上高({revenue_unit})": 500_000_000 // k,
        "従業員数": 45,
        "保有個人情報件数": 30_000,
        "サーバー台数": 12,
        f"最大契約金額({revenue_unit})": 30_000_000 // k,
        "契約形態": CONTRACT_TYPE_NAMES[next(iter(CONTRACT_TYPE_NAMES))][0],
        "過去3年の事故件数": 0,
        "希望種目": "、".join(line_name(line) for line in (LINES[0], LINES[1])),
        "支払限度額(円)": 100_000_000,
        "免責金額(円)": 100_000,
        "特約": "",
        "メールアドレス": "",
        **{q.short_ja: "わからない" for q in QUESTIONS},
        "賠償の上限": "契約金額",
        "特別損害の除外": "はい",
    }
    for control, (ja, _) in CONTROL_NAMES.items():
        example[ja] = "○" if control.value in ("mfa", "offline_backup", "staff_training") else "×"
    return headers, [sheet_text(v) if isinstance(v := example.get(h, ""), str) else v for h in headers]
