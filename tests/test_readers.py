"""The shared safe readers: whole files or a clear error, never a silent cut."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from aggregator.errors import CarrierDataError, UnclassifiedWordingError
from aggregator.schema import Carrier
from aggregator.taxonomy import CoverageKey
from carriers.base import (
    Where,
    WordingResolver,
    cell_date,
    cell_percent,
    cell_yen,
    find_columns,
    has_sample_marker,
    parse_factor_bp,
    read_csv,
    read_json,
    read_xlsx,
)


def _workbook(path: Path, rows: int) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "補償内容"
    ws.append(["サンプルデータ(架空)"])
    for i in range(rows):
        ws.append([f"項目{i}", i * 10])
    book.save(path)
    return path


def _lie_about_dimension(path: Path) -> None:
    """Rewrite the sheet's <dimension ref> to A1:A1, as some generators do."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:A1"', data)
            dst.writestr(item, data)
    shutil.move(tmp, path)


def test_xlsx_with_a_lying_dimension_tag_is_read_in_full(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "plans.xlsx", 30)
    _lie_about_dimension(path)
    rows = read_xlsx(path)["補償内容"]
    assert len(rows) == 31
    assert rows[-1] == ("項目29", 290)


def test_xlsx_over_the_row_cap_is_an_error_not_a_cut(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "plans.xlsx", 30)
    with pytest.raises(CarrierDataError) as caught:
        read_xlsx(path, max_rows=10)
    assert caught.value.sheet == "補償内容"
    assert "上限" in caught.value.message


def test_truncated_xlsx_names_the_file(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "plans.xlsx", 30)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CarrierDataError) as caught:
        read_xlsx(path)
    assert caught.value.file == "plans.xlsx"


@pytest.mark.parametrize(("content", "message"), [(b"", "空"), (b"not a workbook", "xlsx")])
def test_empty_or_foreign_xlsx(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "plans.xlsx"
    path.write_bytes(content)
    with pytest.raises(CarrierDataError, match=message):
        read_xlsx(path)


def test_csv_in_the_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_bytes("プラン,限度額\r\nベーシック,1億円\r\n".encode())
    with pytest.raises(CarrierDataError) as caught:
        read_csv(path, "cp932")
    assert caught.value.row == 1 and "cp932" in caught.value.message
    assert read_csv(path, "utf-8")[1] == ["ベーシック", "1億円"]


def test_json_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plans.json"
    path.write_text('{\n "plans": [\n  1,\n ]\n}', encoding="utf-8")
    with pytest.raises(CarrierDataError) as caught:
        read_json(path)
    assert caught.value.row == 4


def test_cell_parsers_name_the_place() -> None:
    where = Where("rates.xlsx", "料率表", 7, "基本保険料")
    with pytest.raises(CarrierDataError) as caught:
        cell_yen("約束なし", where)
    error = caught.value
    assert (error.file, error.sheet, error.row, error.column, error.value) == ("rates.xlsx", "料率表", 7, "基本保険料", "約束なし")
    assert cell_yen(5000.0, where, unit="万円") == 50_000_000
    assert cell_yen("JPY 50M", where) == 50_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和8年4月1日", date(2026, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R8.4.1", date(2026, 4, 1)),
        ("2026/4/1", date(2026, 4, 1)),
        ("2026年4月1日", date(2026, 4, 1)),
    ],
)
def test_dates_including_japanese_eras(text: str, expected: date) -> None:
    assert cell_date(text, Where("plans.csv")) == expected


def test_a_date_that_does_not_exist_is_an_error() -> None:
    with pytest.raises(CarrierDataError, match="存在しない日付"):
        cell_date("令和8年2月30日", Where("plans.csv", row=3))


def test_factors_and_percentages_are_exact() -> None:
    where = Where("rates.csv")
    assert parse_factor_bp("1.25", where) == 12_500
    assert parse_factor_bp(0.95, where) == 9_500
    assert parse_factor_bp("125%", where) == 12_500
    with pytest.raises(CarrierDataError):
        parse_factor_bp("1.234567", where)
    assert cell_percent("90%", where) == 90
    assert cell_percent(0.9, where) == 90
    assert cell_percent("９０％", where) == 90
    with pytest.raises(CarrierDataError):
        cell_percent("120%", where)


def test_missing_column_is_named() -> None:
    with pytest.raises(CarrierDataError) as caught:
        find_columns(["プラン", "限度額"], ["プラン", "免責金額"], Where("plans.csv", row=2))
    assert caught.value.column == "免責金額"


def test_sample_marker() -> None:
    assert has_sample_marker(["東京海上日動", "※サンプルデータ(架空)"])
    assert has_sample_marker(["SAMPLE DATA (invented)"])
    assert not has_sample_marker(["東京海上日動 サイバーリスク保険", None, 3])


def test_wording_resolver_lists_every_miss_then_uses_a_persons_mapping() -> None:
    resolver = WordingResolver(Carrier.AIG)
    assert resolver.resolve("Forensic Investigation", Where("a.xlsx", row=2)) is CoverageKey.INVESTIGATION
    assert resolver.resolve("Bricking", Where("a.xlsx", row=3)) is None
    with pytest.raises(UnclassifiedWordingError) as caught:
        resolver.finish()
    assert ("Bricking", "a.xlsx row=3") in caught.value.items
    mapped = WordingResolver(Carrier.AIG, {"Bricking": CoverageKey.DATA_RESTORATION})
    assert mapped.resolve("Bricking", Where("a.xlsx", row=3)) is CoverageKey.DATA_RESTORATION
    mapped.finish()
