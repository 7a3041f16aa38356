"""Contract tests over every registered carrier: the same promises, whatever the native format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aggregator.errors import CarrierDataError
from aggregator.schema import Carrier, Line, TermStatus
from carriers.base import has_sample_marker
from carriers.registry import BUILTIN, FIXTURES, REGISTRY, build_registry, identify, load_all, load_carrier

CARRIERS = list(REGISTRY)


def test_all_five_carriers_are_registered_once() -> None:
    assert set(REGISTRY) == set(Carrier)
    with pytest.raises(ValueError, match="two adapters"):
        build_registry((*BUILTIN, BUILTIN[0]))


def test_every_carrier_loads_cleanly_from_the_fixtures() -> None:
    report = load_all()
    assert report.errors == {}
    assert report.clean


def test_lines_sold_across_the_market() -> None:
    report = load_all()
    sellers = {line: [c for c, d in report.loaded.items() if line in d.lines] for line in Line}
    assert len(sellers[Line.CYBER]) == 5
    assert len(sellers[Line.IT_EO]) >= 3
    assert len(sellers[Line.PROFESSIONAL_LIABILITY]) >= 2
    for data in report.loaded.values():
        for line in data.lines:
            assert len(data.plans_for(line)) >= 2, (data.carrier, line)


@pytest.mark.parametrize("carrier", CARRIERS)
def test_sample_data_says_so_in_every_file_and_object(carrier: Carrier) -> None:
    data = load_carrier(carrier)
    assert data.sample
    assert all(p.sample for p in data.plans) and all(t.sample for t in data.rate_tables)
    for path in (FIXTURES / carrier.value).iterdir():
        if path.suffix in (".csv", ".json"):
            raw = path.read_bytes()
            text = raw.decode("cp932") if carrier is Carrier.MITSUI_SUMITOMO else raw.decode("utf-8-sig")
            assert has_sample_marker([text]), path.name


@pytest.mark.parametrize("carrier", CARRIERS)
def test_plans_differ_the_way_real_ones_do(carrier: Carrier) -> None:
    data = load_carrier(carrier)
    statuses = {t.status for p in data.plans for t in p.terms}
    assert TermStatus.NOT_OFFERED in statuses
    assert {TermStatus.SUBLIMITED, TermStatus.OPTIONAL_RIDER} & statuses
    for line in data.lines:
        plans = data.plans_for(line)
        assert len({tuple((t.key, t.status, t.limit_jpy) for t in p.terms) for p in plans}) == len(plans)


@pytest.mark.parametrize("carrier", CARRIERS)
def test_each_native_file_is_claimed_by_its_own_carrier_only(carrier: Carrier) -> None:
    for path in (FIXTURES / carrier.value).iterdir():
        assert identify(path) is carrier, path.name


@pytest.mark.parametrize(("owner", "intruder"), [(a, b) for a in CARRIERS for b in CARRIERS if a is not b])
def test_another_carriers_files_are_refused(tmp_path: Path, owner: Carrier, intruder: Carrier) -> None:
    shutil.copytree(FIXTURES / intruder.value, tmp_path / owner.value)
    with pytest.raises(CarrierDataError):
        load_carrier(owner, tmp_path)


def test_one_bad_carrier_does_not_stop_the_others(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "carriers")
    for path in (tmp_path / "carriers" / "sompo_japan").iterdir():
        path.write_bytes(b"")
    report = load_all(tmp_path / "carriers")
    assert set(report.errors) == {Carrier.SOMPO_JAPAN}
    assert len(report.loaded) == 4 and not report.clean


def test_a_data_row_above_a_header_is_refused_not_skipped(tmp_path: Path) -> None:
    import openpyxl

    ms = tmp_path / "carriers" / "mitsui_sumitomo"
    shutil.copytree(FIXTURES / "mitsui_sumitomo", ms)
    path = ms / "基本保険料.csv"
    lines = path.read_bytes().decode("cp932").splitlines(keepends=True)
    path.write_bytes((lines[0] + "サイバー,B,1,2,3\r\n" + "".join(lines[1:])).encode("cp932"))
    with pytest.raises(CarrierDataError) as caught:
        load_carrier(Carrier.MITSUI_SUMITOMO, tmp_path / "carriers")
    assert (caught.value.file, caught.value.row) == ("基本保険料.csv", 2)

    tm = tmp_path / "carriers" / "tokio_marine"
    shutil.copytree(FIXTURES / "tokio_marine", tm)
    book = openpyxl.load_workbook(tm / "tmn_cyber_plans.xlsx")
    sheet = book["補償内容"]
    sheet.insert_rows(2)
    for col, value in enumerate(["TMC-S", "原因調査費用", "1,000"], start=1):
        sheet.cell(row=2, column=col, value=value)
    book.save(tm / "tmn_cyber_plans.xlsx")
    with pytest.raises(CarrierDataError) as caught:
        load_carrier(Carrier.TOKIO_MARINE, tmp_path / "carriers")
    assert (caught.value.sheet, caught.value.row) == ("補償内容", 2)
    assert "見出し行より前" in caught.value.message
