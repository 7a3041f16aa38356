"""Contract tests over every carrier: the same promises, whatever the native format — the five shipped adapters and a
carrier added as data from the canonical workbook (the invented サンプル損保 in fixtures/added/)."""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.errors import CarrierDataError, UnclassifiedWordingError
from aggregator.schema import Carrier, Line, TermStatus
from aggregator.taxonomy import CoverageKey
from carriers.base import has_sample_marker
from carriers.registry import BUILTIN, FIXTURES, REGISTRY, build_registry, declare_added, identify, load_all, load_carrier, load_folder
from carriers.spec import Vocabulary
from tests.carriers.faults import replace_cells

ADDED = FIXTURES.parent / "added"
CARRIERS = list(REGISTRY)
EVERY = [*(c.value for c in REGISTRY), *(p.name for p in sorted(ADDED.iterdir()) if p.is_dir())]
FOLDERS = {**{c.value: FIXTURES / c.value for c in REGISTRY}, **{p.name: p for p in ADDED.iterdir() if p.is_dir()}}


def _included_marks(carrier: Carrier) -> list[str]:
    """How the carrier's files mark an item as covered, from its declaration (the canonical workbook's for one added)."""
    module = importlib.import_module(f"carriers.{carrier.value}" if carrier in REGISTRY else "carriers.canonical")
    vocabulary: Vocabulary = module.VOCABULARY
    return [mark for mark, status in vocabulary.statuses.items() if status is TermStatus.INCLUDED]


@pytest.fixture
def copied(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Carrier, Path]]:
    """One carrier (shipped, or declared by its canonical workbook) and a copy of its files to put faults in."""
    folder = tmp_path / request.param
    shutil.copytree(FOLDERS[request.param], folder)
    carrier = Carrier(request.param) if request.param in REGISTRY else declare_added(folder)
    yield carrier, folder
    if carrier not in REGISTRY:
        Carrier.forget(carrier.value)


def test_all_five_carriers_are_registered_once() -> None:
    assert set(REGISTRY) <= set(Carrier) and len(REGISTRY) == len(BUILTIN)
    with pytest.raises(ValueError, match="two adapters"):
        build_registry((*BUILTIN, BUILTIN[0]))


@pytest.mark.parametrize("copied", EVERY, indirect=True)
def test_every_carrier_loads_its_sample_and_says_it_is_invented(copied: tuple[Carrier, Path]) -> None:
    carrier, folder = copied
    data = load_folder(carrier, folder)
    assert data.carrier is carrier and data.sample and all(p.sample for p in data.plans)
    assert all(len(data.plans_for(line)) >= 2 for line in data.lines)


@pytest.mark.parametrize("copied", EVERY, indirect=True)
def test_every_file_is_needed_and_a_missing_one_is_named(copied: tuple[Carrier, Path]) -> None:
    carrier, folder = copied
    for path in sorted(folder.iterdir()):
        kept = path.read_bytes()
        path.unlink()
        with pytest.raises(CarrierDataError) as caught:
            load_folder(carrier, folder)
        assert caught.value.file in (path.name, folder.name), caught.value
        path.write_bytes(kept)


@pytest.mark.parametrize("copied", EVERY, indirect=True)
def test_an_empty_garbled_cut_off_or_wrong_format_file_is_named(copied: tuple[Carrier, Path]) -> None:
    carrier, folder = copied
    for path in sorted(folder.iterdir()):
        kept = path.read_bytes()
        faults = {b"": "空", b"\x00\xff" * 64: "", b"PK\x03\x04" + bytes(range(256)) * 4: ""}
        if path.suffix in (".xlsx", ".json"):  # cut off half way: an archive or document that does not close
            faults[kept[: len(kept) // 2]] = "xlsx" if path.suffix == ".xlsx" else "JSON"
        if path.suffix == ".xlsx":  # a CSV saved under the workbook's name
            faults["種目,料率区分,1億円未満\nサイバー,A,120000\n".encode()] = "xlsx"
        for fault, says in faults.items():
            path.write_bytes(fault)
            with pytest.raises(CarrierDataError) as caught:
                load_folder(carrier, folder)
            assert caught.value.file == path.name and says in caught.value.message, (fault[:8], caught.value)
        path.write_bytes(kept)


@pytest.mark.parametrize("copied", EVERY, indirect=True)
def test_unknown_wording_is_listed_with_its_place_and_loads_once_mapped(copied: tuple[Carrier, Path]) -> None:
    carrier, folder = copied
    data = load_folder(carrier, folder)
    term = next(t for p in data.plans for t in p.terms if t.key is CoverageKey.DATA_RESTORATION)
    strange = "謎の復元作業にかかる諸費用XYZ"
    changed = replace_cells(folder, term.wording, strange)
    assert changed, f"{term.wording!r} not found in {carrier.value}'s files"
    with pytest.raises(UnclassifiedWordingError) as caught:
        load_folder(carrier, folder)
    assert {w for w, _ in caught.value.items} == {strange}
    assert all(changed[0][0] in where for _, where in caught.value.items)  # the file it is in, with its place
    mapped = load_folder(carrier, folder, {strange: CoverageKey.DATA_RESTORATION})
    assert any(t.wording == strange and t.key is CoverageKey.DATA_RESTORATION for p in mapped.plans for t in p.terms)


@pytest.mark.parametrize("copied", EVERY, indirect=True)
def test_an_unknown_status_mark_names_its_file_place_and_value(copied: tuple[Carrier, Path]) -> None:
    carrier, folder = copied
    for mark in _included_marks(carrier):
        if changed := replace_cells(folder, mark, "たぶん", first_only=True):
            break
    else:
        raise AssertionError(f"no status mark of {carrier.value} found in its files")
    with pytest.raises(CarrierDataError) as caught:
        load_folder(carrier, folder)
    file, sheet, row = changed[0]
    assert caught.value.file == file and caught.value.value == "たぶん", caught.value
    assert caught.value.row == row or caught.value.column, caught.value  # a row, or a JSON path, to find it by
    if sheet:
        assert caught.value.sheet == sheet


def test_every_carrier_loads_cleanly_from_the_fixtures() -> None:
    report = load_all()
    assert report.errors == {}
    assert report.clean


def test_lines_sold_across_the_market() -> None:
    report = load_all()
    sellers = {line: [c for c, d in report.loaded.items() if line in d.lines] for line in Line}
    assert len(sellers[Line.CYBER]) == len(REGISTRY)
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
