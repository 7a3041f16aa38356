"""Limit cells read into their parts: a deductible beside the limit is the item's deductible, an
exception stays in its conditions, and a price per unit, an approximate figure or a worked
example is refused with the file, row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from aggregator.errors import CarrierDataError
from aggregator.schema import CarrierData, CoverageTerm
from aggregator.taxonomy import CoverageKey as K
from carriers.aig import AigAdapter
from carriers.mitsui_sumitomo import MitsuiSumitomoAdapter
from carriers.tokio_marine import TokioMarineAdapter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers"
TMN_PLANS, TMN_SHEET = "tmn_cyber_plans.xlsx", "補償内容"


def _term(data: CarrierData, plan: str, key: K) -> CoverageTerm:
    term = next(p for p in data.plans if p.code == plan).term(key)
    assert term is not None
    return term


def _set_cell(path: Path, sheet: str, header_row: int, row_key: tuple[str, str], column: str, value: object) -> int:
    """Write one cell found by (plan code, item) and header name; returns the Excel row."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[header_row]]
    code_col, item_col = 1, next(i for i, h in enumerate(header, start=1) if h in ("補償項目", "Coverage"))
    row = next(r for r in range(header_row + 1, ws.max_row + 1) if (ws.cell(r, code_col).value, ws.cell(r, item_col).value) == row_key)
    ws.cell(row, header.index(column) + 1).value = value
    book.save(path)
    return row


@pytest.fixture
def tmn(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "tokio_marine", tmp_path / "tokio_marine"))


def test_tokio_marine_reads_a_deductible_written_beside_the_limit(tmn: Path) -> None:
    _set_cell(tmn / TMN_PLANS, TMN_SHEET, 4, ("TMC-W", "再発防止費用"), "支払限度額(万円)", "1,000(免責10)")
    term = _term(TokioMarineAdapter().load(tmn), "TMC-W", K.RECURRENCE_PREVENTION)
    assert (term.limit_jpy, term.deductible_jpy) == (10_000_000, 100_000)


def test_tokio_marine_keeps_a_limits_exception_in_the_conditions(tmn: Path) -> None:
    _set_cell(tmn / TMN_PLANS, TMN_SHEET, 4, ("TMC-W", "再発防止費用"), "支払限度額(万円)", "1,000(ただし海外での費用は500)")
    term = _term(TokioMarineAdapter().load(tmn), "TMC-W", K.RECURRENCE_PREVENTION)
    assert term.limit_jpy == 10_000_000
    assert "ただし海外での費用は500" in term.conditions


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("5,000円/台", "1台あたりの単価は支払限度額ではありません"),
        ("約1,000", "概算の金額"),
        ("1,000程度", "概算の金額"),
        ("5万人へ500円で2,500万円", "例示の計算"),
        ("1,000(免責10ドル)", "免責金額"),
    ],
)
def test_tokio_marine_refuses_a_limit_that_is_not_one_with_its_place(tmn: Path, value: str, reason: str) -> None:
    row = _set_cell(tmn / TMN_PLANS, TMN_SHEET, 4, ("TMC-W", "再発防止費用"), "支払限度額(万円)", value)
    with pytest.raises(CarrierDataError) as caught:
        TokioMarineAdapter().load(tmn)
    error = caught.value
    assert (error.file, error.sheet, error.row) == (TMN_PLANS, TMN_SHEET, row)
    assert "支払限度額" in (error.column or "") and error.value == value
    assert reason in error.message


def test_mitsui_sumitomo_reads_a_deductible_in_brackets_and_refuses_a_per_person_price(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(FIXTURES / "mitsui_sumitomo", tmp_path / "mitsui_sumitomo"))
    path = folder / "補償内容.csv"
    text = path.read_bytes().decode("cp932")
    line = "CP-B,費用損害,再発防止費用,セット(内枠),300万円,"
    assert text.count(line) == 1
    path.write_bytes(text.replace(line, line.replace("300万円", "300万円(免責10万円)")).encode("cp932"))
    term = _term(MitsuiSumitomoAdapter().load(folder), "CP-B", K.RECURRENCE_PREVENTION)
    assert (term.limit_jpy, term.deductible_jpy) == (3_000_000, 100_000)

    path.write_bytes(text.replace(line, line.replace("300万円", "1名につき1,000円")).encode("cp932"))
    with pytest.raises(CarrierDataError) as caught:
        MitsuiSumitomoAdapter().load(folder)
    assert (caught.value.file, caught.value.column) == ("補償内容.csv", "支払限度額")
    assert "1名あたりの単価は支払限度額ではありません" in caught.value.message


def test_aig_refuses_a_deductible_beside_the_limit_that_disagrees_with_the_retention(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(FIXTURES / "aig", tmp_path / "aig"))
    schedule = folder / "aig_schedule_of_coverages.xlsx"
    row = _set_cell(schedule, "Coverage Schedule", 4, ("CE-PRO", "Forensic Investigation"), "Limit", "JPY 50M (Retention JPY 1M)")
    with pytest.raises(CarrierDataError) as caught:
        AigAdapter().load(folder)
    assert (caught.value.row, caught.value.column) == (row, "D(Limit)")
    assert "免責金額(1,000,000円)と免責金額の欄(0円)が違います" in caught.value.message

    _set_cell(schedule, "Coverage Schedule", 4, ("CE-PRO", "Forensic Investigation"), "Limit", "approx. JPY 50M")
    with pytest.raises(CarrierDataError) as caught:
        AigAdapter().load(folder)
    assert "概算の金額" in caught.value.message
