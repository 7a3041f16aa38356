"""`aggregator carriers check` and `show`, as a broker runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import main
from carriers.registry import FIXTURES


def test_check_lists_five_carriers_and_exits_zero(runner: CliRunner) -> None:
    result = runner.invoke(main, ["carriers", "check"])
    assert result.exit_code == 0, result.output
    for name in ("東京海上日動", "三井住友海上", "損保ジャパン", "あいおいニッセイ同和損保", "AIG損保"):
        assert f"✓ {name}" in result.output
    assert "版 2026.04 適用 2026-04-01" in result.output
    assert "5/5社を読み込みました" in result.output
    assert "サンプルデータ" in result.output


def test_check_names_the_bad_file_and_fails(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "carriers"
    shutil.copytree(FIXTURES, data)
    (data / "aig" / "aig_rates.csv").write_bytes(b"")
    result = runner.invoke(main, ["carriers", "check", "--data", str(data)])
    assert result.exit_code == 1
    assert "✗ AIG損保 (aig): 読み込めません" in result.output
    assert "aig_rates.csv" in result.output and "空" in result.output
    assert "4/5社を読み込みました" in result.output


def test_check_lists_unclassified_wording_for_a_person_to_map(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "carriers"
    shutil.copytree(FIXTURES, data)
    plans = data / "sompo_japan" / "plans.json"
    plans.write_text(plans.read_text(encoding="utf-8").replace("コールセンター設置費用", "ヘルプデスク増員手当", 1), encoding="utf-8")
    result = runner.invoke(main, ["carriers", "check", "--data", str(data)])
    assert result.exit_code == 1
    assert "未分類の文言: 'ヘルプデスク増員手当'" in result.output


def test_show_prints_every_item_with_its_terms(runner: CliRunner) -> None:
    result = runner.invoke(main, ["carriers", "show", "tokio_marine"])
    assert result.exit_code == 0, result.output
    assert "原因・被害範囲調査費用" in result.output and "90%" in result.output
    assert "500円 / —" in result.output  # ¥500 per person, no per-company cap
    assert "費用損害" in result.output and "補償なし" in result.output
    english = runner.invoke(main, ["carriers", "show", "aig", "--lang", "en"])
    assert "Forensic investigation" in english.output and "Not offered" in english.output


def test_show_json_is_the_normalised_schema(runner: CliRunner) -> None:
    result = runner.invoke(main, ["carriers", "show", "mitsui_sumitomo", "--json"])
    data = json.loads(result.output)
    assert data["carrier"] == "mitsui_sumitomo" and data["sample"] is True
    apology = next(t for p in data["plans"] if p["code"] == "CP-B" for t in p["terms"] if t["key"] == "apology")
    assert apology["per_victim"] == {"per_person_jpy": 1000, "per_company_jpy": 50000}


def test_check_says_how_each_carrier_rounds_and_what_its_cap_limits(runner: CliRunner) -> None:
    result = runner.invoke(main, ["carriers", "check"])
    assert result.exit_code == 0, result.output
    tokio = result.output.split("✓ 東京海上日動")[1].split("✓")[0]
    assert "端数処理 10円単位切上げ、割引上限は割引のみに適用" in tokio
    mitsui = result.output.split("✓ 三井住友海上")[1].split("✓")[0]
    assert "端数処理 100円単位切上げ、割引上限は不備割増を差し引いた後に適用" in mitsui


def test_a_canonical_workbook_in_the_data_folder_adds_a_sixth_carrier(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "carriers"
    shutil.copytree(FIXTURES, data)
    shutil.copytree(FIXTURES.parent / "added" / "sample_sonpo", data / "sample_sonpo")
    try:
        checked = runner.invoke(main, ["carriers", "check", "--data", str(data)])
        assert checked.exit_code == 0, checked.output
        assert "✓ サンプル損保 (sample_sonpo) [サンプルデータ]" in checked.output and "6/6社を読み込みました" in checked.output
        shown = runner.invoke(main, ["carriers", "show", "sample_sonpo", "--data", str(data)])
        assert shown.exit_code == 0 and "サンプル損保 ワイド [SS-C2]" in shown.output
        quoted = runner.invoke(main, ["quote", "fixtures/applicants/si_vendor.json", "--data", str(data), "--json"])
        assert quoted.exit_code == 0, quoted.output
        assert "sample_sonpo" in {c["carrier"] for c in json.loads(quoted.output)["columns"]}
    finally:
        from aggregator.schema import Carrier

        Carrier.forget("sample_sonpo")


def test_the_template_command_writes_the_blank_canonical_workbook(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    result = runner.invoke(main, ["carriers", "template", str(tmp_path / "様式.xlsx")])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "様式.xlsx")
    assert book.sheetnames[0] == "会社" and book.sheetnames[-1] == "記入方法"
