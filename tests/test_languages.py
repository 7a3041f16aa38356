"""A carrier's texts in both languages: read where its files give both, shown in the page's language, marked when not."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from aggregator.present import FALLBACK_MARK, localized, localized_parts, plan_exclusions, plan_name, plan_terms
from aggregator.schema import Carrier
from carriers.registry import FIXTURES, load_carrier, load_folder


def test_the_page_language_is_picked_and_the_other_is_marked_when_it_is_all_there_is() -> None:
    assert localized_parts("サイバー保険", "Cyber insurance", "ja") == ("サイバー保険", False)
    assert localized_parts("サイバー保険", "Cyber insurance", "en") == ("Cyber insurance", False)
    assert localized_parts("サイバー保険", "", "en") == ("サイバー保険", True)  # no English given
    assert localized_parts("CyberEdge", "CyberEdge", "ja") == ("CyberEdge", True)  # only English given: both hold it
    assert localized_parts("", "CyberEdge", "ja") == ("CyberEdge", True)
    assert localized_parts("", "", "en") == ("", False)
    assert localized("サイバー保険", "", "en") == f"サイバー保険 {FALLBACK_MARK[1]}"
    assert localized("CyberEdge", "CyberEdge", "ja") == f"CyberEdge {FALLBACK_MARK[0]}"


def test_aig_gives_japanese_beside_its_english_and_the_japanese_carriers_english_where_their_files_do() -> None:
    aig = {p.code: p for p in load_carrier(Carrier.AIG).plans}
    essentials = aig["CE-ESS"]
    assert (plan_name(essentials, "ja"), plan_name(essentials, "en")) == ("CyberEdge エッセンシャル", "CyberEdge Essentials")
    assert plan_exclusions(essentials, "ja") == (
        ("戦争・インフラの障害", "身代金の支払い", "法律上保険の対象とならない罰金・課徴金", "身体障害・財物損壊"),
        False,
    )
    assert "War and infrastructure failure" in plan_exclusions(essentials, "en")[0]
    tokio = {p.code: p for p in load_carrier(Carrier.TOKIO_MARINE).plans}["TMC-S"]
    assert plan_name(tokio, "en") == "Cyber Risk Insurance, Standard Plan"
    bi = next(t for t in tokio.terms if t.conditions == "利益損害補償特約をセットした場合に限る")
    assert bi.conditions_en == "Only with the business interruption rider"
    sompo = {p.code: p for p in load_carrier(Carrier.SOMPO_JAPAN).plans}["CY-BASIC"]
    assert (
        plan_name(sompo, "en") == "Cyber Insurance, Basic Plan" and sompo.exclusions_en[0] == "War, foreign armed force, riot and terrorism"
    )
    mitsui = load_carrier(Carrier.MITSUI_SUMITOMO).plans[0]  # Japanese only: shown in Japanese on an English page, said so
    assert plan_name(mitsui, "en") == f"{mitsui.name} (Japanese only)"
    assert dict(plan_terms_of(mitsui))["Main exclusions"].endswith("(Japanese only)")


def plan_terms_of(plan: object) -> tuple[tuple[str, str], ...]:
    from aggregator.schema import Quote, QuoteStatus

    quote = Quote(plan.carrier, plan.line, plan, QuoteStatus.QUOTED, 10**8, 0, 10**8, 0, 100_000)  # type: ignore[attr-defined]
    return plan_terms(quote, "en")


def test_an_aig_schedule_without_the_japanese_columns_still_loads_and_says_its_text_is_english(tmp_path: Path) -> None:
    folder = tmp_path / "aig"
    shutil.copytree(FIXTURES / "aig", folder)
    path = folder / "aig_schedule_of_coverages.xlsx"
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        header = next(r for r in ws.iter_rows(min_row=1, max_row=6) if any(str(c.value).endswith("(JA)") for c in r if c.value))
        for cell in reversed(header):
            if isinstance(cell.value, str) and cell.value.endswith("(JA)") and cell.value != "Description (JA)":
                ws.delete_cols(cell.column)
    book.save(path)
    plan = {p.code: p for p in load_folder(Carrier.AIG, folder).plans}["CE-ESS"]
    assert plan.name == plan.name_en == "CyberEdge Essentials" and plan.exclusions == plan.exclusions_en
    assert plan_name(plan, "ja") == "CyberEdge Essentials (英語のみ)" and plan_name(plan, "en") == "CyberEdge Essentials"
    defence = next(t for t in plan.terms if t.conditions)
    assert defence.conditions == defence.conditions_en == "Within, not in addition to, the Limit of Liability"


def test_the_terminal_shows_the_plan_in_the_language_asked() -> None:
    from click.testing import CliRunner

    from aggregator.cli import main

    japanese = CliRunner().invoke(main, ["carriers", "show", "aig"])
    english = CliRunner().invoke(main, ["carriers", "show", "aig", "--lang", "en"])
    assert japanese.exit_code == english.exit_code == 0
    assert "CyberEdge エッセンシャル [CE-ESS]" in japanese.output and "支払限度額の内枠です" in japanese.output
    assert "CyberEdge Essentials [CE-ESS]" in english.output and "Within, not in addition to" in english.output


def test_the_command_lines_workbook_names_the_agency_from_the_same_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from aggregator.cli import main

    monkeypatch.setenv("AGENCY_NAME", "株式会社みなと保険サービス")
    monkeypatch.setenv("AGENCY_REGISTRATION_NO", "第12345号")
    out = tmp_path / "c.xlsx"
    applicant = Path(__file__).resolve().parents[1] / "fixtures" / "applicants" / "si_vendor.json"
    result = CliRunner().invoke(main, ["quote", str(applicant), "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    texts = "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "株式会社みなと保険サービス" in texts and "第12345号" in texts and "ご希望に基づく候補" in texts
