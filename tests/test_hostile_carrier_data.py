"""Carrier data that would poison the rater: absurd amounts and factors are refused where they are written."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from aggregator.bounds import MAX_PREMIUM_JPY, build_rater, check_rateable
from aggregator.cli import main
from aggregator.errors import CarrierDataError
from aggregator.schema import MAX_CARRIER_YEN, Carrier
from carriers.base import Where, cell_int, cell_percent, cell_yen, parse_factor_bp
from carriers.registry import FIXTURES, load_carrier
from tests.factories import carrier_data

HUGE = 10**30


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "carriers"
    shutil.copytree(FIXTURES, target)
    return target


def _sompo_rates(root: Path, edit: Any) -> None:
    path = root / "sompo_japan" / "rates.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data["rateTables"][0])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _poison_sompo(root: Path) -> None:
    def edit(table: dict[str, Any]) -> None:
        table["baseRates"][1]["premiums"][0] = HUGE

    _sompo_rates(root, edit)


def _poison_mitsui(root: Path) -> None:
    path = root / "mitsui_sumitomo" / "基本保険料.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp932"))))
    assert rows[3][3] == "560,000"
    rows[3][3] = str(HUGE)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("cp932"))


def _poison_tokio(root: Path, value: object) -> None:
    path = root / "tokio_marine" / "tmn_cyber_rates.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["料率表"]
    assert sheet["C5"].value == 120000
    sheet["C5"].value = value
    book.save(path)


POISONS = {
    "sompo_japan": (_poison_sompo, ("rates.json", None, "rateTables[0].baseRates[1].premiums[0]")),
    "mitsui_sumitomo": (_poison_mitsui, ("基本保険料.csv", 4, "売上高1億円以上5億円未満")),
    "tokio_marine_number": (lambda root: _poison_tokio(root, 1e30), ("tmn_cyber_rates.xlsx", 5, "C(1億円未満)")),
    "tokio_marine_text": (lambda root: _poison_tokio(root, str(HUGE)), ("tmn_cyber_rates.xlsx", 5, "C(1億円未満)")),
}


@pytest.mark.parametrize("case", sorted(POISONS))
def test_an_amount_of_ten_to_the_thirty_is_refused_naming_file_row_and_column(case: str, tmp_path: Path, runner: CliRunner) -> None:
    poison, (file, row, column) = POISONS[case]
    root = _copy(tmp_path)
    poison(root)
    carrier = Carrier(case.removesuffix("_number").removesuffix("_text"))
    with pytest.raises(CarrierDataError) as raised:
        load_carrier(carrier, root)
    error = raised.value
    assert "上限(1兆円)を超えています" in error.message
    assert (error.file, error.row, error.column) == (file, row, column)
    # `carriers check` runs the same validation and says so
    result = runner.invoke(main, ["carriers", "check", "--data", str(root)])
    assert result.exit_code == 1
    assert "上限(1兆円)を超えています" in result.output and file in result.output


def test_an_amount_of_exactly_one_cho_yen_still_loads(tmp_path: Path) -> None:
    root = _copy(tmp_path)

    def edit(table: dict[str, Any]) -> None:
        table["revenueBands"][-1]["revenueBelow"] = MAX_CARRIER_YEN

    _sompo_rates(root, edit)
    assert load_carrier(Carrier.SOMPO_JAPAN, root).rate_tables[0].revenue_band_upper_jpy[-1] == MAX_CARRIER_YEN


def test_rates_whose_dearest_premium_overflows_are_refused_naming_the_carrier(tmp_path: Path, runner: CliRunner) -> None:
    root = _copy(tmp_path)

    def edit(table: dict[str, Any]) -> None:
        # each figure within its own bound: a 100億円 base premium, and a ×100 factor for one plan
        table["baseRates"][0]["premiums"][0] = 10**10
        table["planFactors"][1]["factor"] = 100

    _sompo_rates(root, edit)
    with pytest.raises(CarrierDataError) as raised:
        load_carrier(Carrier.SOMPO_JAPAN, root)
    assert raised.value.message.startswith("sompo_japan: 料率の組み合わせで保険料が上限(10兆円)を超えます")
    assert "CY-ADV" in raised.value.message and raised.value.file == "rates.json rateTables[0]"
    result = runner.invoke(main, ["carriers", "check", "--data", str(root)])
    assert result.exit_code == 1 and "料率の組み合わせ" in result.output


def test_the_bound_leaves_int64_rating_room_for_the_dearest_applicant() -> None:
    # the largest base premium and factors the schema allows one at a time would overflow int64 together
    data = carrier_data(
        base_premium_jpy={"A": (MAX_CARRIER_YEN,) * 3, "B": (400_000, 1_000_000, 2_500_000)},
        plan_factor_bp={"STD": 10_000, "WIDE": 1_000_000},
    )
    with pytest.raises(CarrierDataError, match="上限"):
        check_rateable(data)
    with pytest.raises(CarrierDataError):
        build_rater([data])
    fine = carrier_data()
    check_rateable(fine)
    assert build_rater([fine]).n_options > 0
    assert MAX_PREMIUM_JPY < 10**14  # bulk ranking packs a premium below 10^14 into its key


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (cell_yen, float("inf")),
        (cell_yen, float("nan")),
        (cell_yen, "1" + "0" * 5000),
        (cell_yen, 1e300),
        (cell_int, "Infinity"),
        (cell_int, "sNaN"),
        (cell_int, "1e999999"),
        (cell_int, 10**16),
        (cell_percent, "NaN"),
        (cell_percent, float("inf")),
        (parse_factor_bp, "Infinity"),
        (parse_factor_bp, "1e999999"),
        (parse_factor_bp, "101"),
        (parse_factor_bp, "-1e30"),
    ],
)
def test_cell_readers_refuse_numbers_nobody_writes_with_the_place(reader: Any, value: object) -> None:
    where = Where("rates.xlsx", "料率表", 7, "C")
    with pytest.raises(CarrierDataError) as raised:
        reader(value, where)
    assert (raised.value.file, raised.value.sheet, raised.value.row, raised.value.column) == ("rates.xlsx", "料率表", 7, "C")
    assert len(raised.value.describe()) < 400  # a 5,000-digit value is shown cut short
