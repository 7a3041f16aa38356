"""Bulk quoting of a client list: good rows quoted, bad rows listed, nothing cut."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from aggregator.bulk import run_bulk
from aggregator.bulkbook import write_template
from aggregator.clientlist import ClientListError, load_client_list
from aggregator.rating import Rater
from aggregator.schema import Industry, Line, SecurityControl
from tests.factories import MAN, OKU, applicant, carrier_data

TODAY = date(2026, 11, 21)
HEAD = [
    "会社名",
    "業種",
    "売上高(円)",
    "従業員数",
    "保有個人情報件数",
    "サーバー台数",
    "最大契約金額(円)",
    "契約形態",
    "多要素認証(MFA)",
    "EDR",
    "過去3年の事故件数",
    "希望種目",
    "支払限度額(円)",
    "免責金額(円)",
    "特約",
]
GOOD = [
    "株式会社アルファ",
    "システム受託開発・SI",
    500_000_000,
    40,
    20_000,
    10,
    30_000_000,
    "請負",
    "○",
    "○",
    1,
    "サイバー保険",
    100_000_000,
    100_000,
    "喪失利益",
]


def _list(path: Path, rows: list[list[object]], head: list[str] = HEAD) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(head)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _sheet(path: Path, name: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path)
    return [tuple(r) for r in book[name].iter_rows(values_only=True)]


def test_good_rows_are_quoted_and_match_single_quotes(tmp_path: Path) -> None:
    source = _list(tmp_path / "clients.xlsx", [GOOD, [*GOOD[:1], "SaaS・クラウドサービス", "60億円", *GOOD[3:]]])
    rater = Rater([carrier_data()])
    summary = run_bulk(rater, source, tmp_path / "out.xlsx", TODAY)
    assert (summary.clients, summary.bad_rows, summary.quoted_rows) == (2, 0, 2)
    rows = _sheet(tmp_path / "out.xlsx", "一括見積結果")
    assert "サンプルデータ" in str(rows[1][0])
    header, first, second = rows[2], rows[3], rows[4]
    col = {name: i for i, name in enumerate(header)}
    expected = {q.plan.code: q for q in rater.quote(applicant(controls=frozenset({SecurityControl.MFA, SecurityControl.EDR})), TODAY)}
    assert first[col["行番号"]] == 2 and first[col["種目"]] == "サイバー保険"
    assert first[col["AIG損保 状態"]] == "見積可"
    assert first[col["AIG損保 保険料(円)"]] == expected["WIDE"].premium_jpy  # the plan that covers the rider asked for
    assert first[col["条件を満たす最安 保険会社"]] == "AIG損保"
    assert "東京海上日動 状態" not in col  # a column for each carrier whose data is loaded, and no other
    assert second[col["AIG損保 状態"]] == "お引受け不可" and second[col["AIG損保 保険料(円)"]] is None
    assert second[col["条件を満たす最安 保険会社"]] == "該当なし"


def test_bad_rows_go_to_the_errors_sheet_and_good_rows_are_still_quoted(tmp_path: Path) -> None:
    rows = [
        GOOD,
        [*GOOD[:1], "パン屋", *GOOD[2:]],
        [*GOOD[:2], -5, *GOOD[3:]],
        [*GOOD[:4], "たくさん", *GOOD[5:]],
        [*GOOD[:11], "火災保険", *GOOD[12:]],
        [*GOOD[:8], "△", *GOOD[9:]],
    ]
    source = _list(tmp_path / "clients.xlsx", rows)
    summary = run_bulk(Rater([carrier_data()]), source, tmp_path / "out.xlsx", TODAY)
    assert (summary.clients, summary.bad_rows) == (1, 5)
    errors = _sheet(tmp_path / "out.xlsx", "エラー")[2:]
    found = {(row, column) for row, column, _, _ in errors}
    assert found == {(3, "業種"), (4, "売上高(円)"), (5, "保有個人情報件数"), (6, "希望種目"), (7, "多要素認証(MFA)")}
    reasons = {column: reason for _, column, _, reason in errors}
    assert reasons["業種"] == "業種が一覧にありません"
    assert reasons["売上高(円)"] == "0円〜1,000兆円の金額で入力してください"  # the words the form and the API give
    assert reasons["希望種目"] == "種目「火災保険」が一覧にありません"


def test_decimal_amounts_follow_the_columns_unit(tmp_path: Path) -> None:
    head = [h.replace("売上高(円)", "売上高(万円)") for h in HEAD]
    source = _list(tmp_path / "clients.xlsx", [[*GOOD[:2], 1.5, *GOOD[3:]], [*GOOD[:2], "2.5", *GOOD[3:]]], head=head)
    clients = load_client_list(source)
    assert clients.errors == []
    assert clients.batch.annual_revenue_jpy.tolist() == [15_000, 25_000]


def test_revenue_in_thousand_yen_and_cp932_csv(tmp_path: Path) -> None:
    head = [h.replace("売上高(円)", "売上高(千円)") for h in HEAD]
    row = [*GOOD[:2], 500_000, *GOOD[3:]]
    csv_path = tmp_path / "clients.csv"
    csv_path.write_bytes(("\r\n".join(",".join(str(v) for v in r) for r in [head, row]) + "\r\n").encode("cp932"))
    clients = load_client_list(csv_path)
    assert clients.errors == []
    assert int(clients.batch.annual_revenue_jpy[0]) == 5 * OKU
    assert clients.batch.lines[0].tolist() == [line is Line.CYBER for line in Line]
    assert int(clients.batch.industry[0]) == list(Industry).index(Industry.SYSTEM_INTEGRATION)


def test_a_list_too_large_for_one_sheet_is_split_not_cut(tmp_path: Path) -> None:
    many = [[f"株式会社{i:03d}", *GOOD[1:]] for i in range(25)]
    source = _list(tmp_path / "clients.xlsx", many)
    summary = run_bulk(Rater([carrier_data()]), source, tmp_path / "out.xlsx", TODAY, max_rows_per_sheet=13)
    assert summary.sheets == 3
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    names = [n for n in book.sheetnames if n.startswith("一括見積結果")]
    companies = [r[1] for n in names for r in book[n].iter_rows(min_row=4, values_only=True)]
    assert companies == [f"株式会社{i:03d}" for i in range(25)]


def test_formula_text_is_neutralised(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"  # typed as text, as a CSV keeps it
    rows = [HEAD, ['=HYPERLINK("http://x";"y")', *GOOD[1:]], ["＋81-3-0000", *GOOD[1:]]]
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    summary = run_bulk(Rater([carrier_data()]), source, tmp_path / "out.xlsx", TODAY)
    assert summary.bad_rows == 0
    cell = openpyxl.load_workbook(tmp_path / "out.xlsx")["一括見積結果"]["B4"]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x";"y")'
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["一括見積結果"]["B5"].value == "'＋81-3-0000"


def test_missing_column_and_no_header_are_refused(tmp_path: Path) -> None:
    source = _list(tmp_path / "clients.xlsx", [GOOD[:-2]], head=HEAD[:-3])
    with pytest.raises(ClientListError, match="支払限度額"):
        load_client_list(source)
    nohead = _list(tmp_path / "nohead.xlsx", [GOOD], head=["a", "b"])
    with pytest.raises(ClientListError, match="見出し行"):
        load_client_list(nohead)


def test_template_reads_back_as_a_valid_list(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path, "千円")
    rows = _sheet(path, "顧客リスト")
    assert rows[0][0] == "会社名" and "売上高(千円)" in rows[0]
    clients = load_client_list(path)
    assert clients.errors == [] and len(clients.companies) == 1
    assert int(clients.batch.annual_revenue_jpy[0]) == 5 * OKU
    assert int(clients.batch.limit_jpy[0]) == OKU and int(clients.batch.deductible_jpy[0]) == 10 * MAN


def test_blank_rows_are_skipped_and_row_numbers_stay_the_sheets(tmp_path: Path) -> None:
    source = _list(
        tmp_path / "clients.xlsx", [GOOD, [None] * len(HEAD), ["  ", *([None] * (len(HEAD) - 1))], [*GOOD[:1], "パン屋", *GOOD[2:]]]
    )
    clients = load_client_list(source)
    assert (len(clients.companies), clients.total_rows) == (1, 2)
    assert [(e.row, e.column) for e in clients.errors] == [(5, "業種")]  # row 5 as Excel shows it


def test_the_contract_check_columns_are_read_and_shown_beside_each_clients_quotes(tmp_path: Path) -> None:
    head = [*HEAD, "賠償の上限", "特別損害の除外", "漏えいを重過失とする定め", "支払条件の明記"]
    rows = [
        [*GOOD, "契約金額", "はい", "いいえ", "○"],  # capped, leaks not gross negligence; the rest unknown
        [f"{GOOD[0]}2", *GOOD[1:], "5,000万円", "はい", "はい", "×"],  # another cap, leaks as gross negligence
        [f"{GOOD[0]}3", *GOOD[1:], None, None, None, None],  # nothing answered: unknown, never safe
        [f"{GOOD[0]}4", *GOOD[1:], "たぶん", "はい", "いいえ", "○"],  # not a cap: the row is refused
    ]
    source = _list(tmp_path / "clients.xlsx", rows, head=head)
    summary = run_bulk(Rater([carrier_data()]), source, tmp_path / "out.xlsx", TODAY)
    assert (summary.clients, summary.bad_rows) == (3, 1)
    errors = _sheet(tmp_path / "out.xlsx", "エラー")[2:]
    assert [(row, column) for row, column, _, _ in errors] == [(5, "賠償の上限")]
    sheet = _sheet(tmp_path / "out.xlsx", "一括見積結果")
    col = {name: i for i, name in enumerate(sheet[2])}
    cap, why, clauses = (col[h] for h in ("契約上の賠償上限(円)", "上限が外れる場合(漏えい・データ消失)", "契約の見直し・確認"))
    capped, other, blank = sheet[3], sheet[4], sheet[5]
    assert capped[cap] == 30_000_000 and capped[why] == "上限まで(実際の故意・重過失を除く)"
    assert capped[clauses].startswith("要確認: 法律を超える賠償の約束") and "要見直し" not in capped[clauses]
    assert other[cap] == 50_000_000 and "重大な過失とする定めがあり" in other[why]
    assert other[clauses].startswith("要見直し: 漏えいを重過失とする定め、支払条件の明記")
    assert blank[cap] is None and "上限の定めがあるか分からない" in blank[why] and blank[clauses].startswith("要確認: 賠償の上限")


def test_the_template_has_the_contract_check_columns_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    header = _sheet(path, "顧客リスト")[0]
    assert {"賠償の上限", "特別損害の除外", "漏えいを重過失とする定め", "知的財産権の帰属"} <= set(header)
    clients = load_client_list(path)
    (terms,) = clients.contracts()
    assert terms.liability_cap.value == "contract_amount" and terms.special_damages_excluded.value == "yes"
    assert terms.gross_negligence_includes_leaks.value == "unknown"
