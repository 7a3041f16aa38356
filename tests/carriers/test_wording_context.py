"""Each adapter reads an item's wording under the heading its file lists it in: 弁護士費用 is defence
under liability and advice among the incident costs, at every carrier."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from aggregator.errors import UnclassifiedWordingError
from aggregator.schema import CarrierData, Plan
from aggregator.taxonomy import CoverageKey as K
from carriers.aig import AigAdapter
from carriers.aioi_nissay_dowa import AioiNissayDowaAdapter
from carriers.mitsui_sumitomo import MitsuiSumitomoAdapter
from carriers.sompo_japan import SompoJapanAdapter
from carriers.tokio_marine import TokioMarineAdapter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers"
SAME_WORDS = "弁護士費用"  # litigation costs under 賠償損害, legal advice under 費用損害


def _copy(tmp_path: Path, carrier: str) -> Path:
    return Path(shutil.copytree(FIXTURES / carrier, tmp_path / carrier))


def _plan(data: CarrierData, code: str) -> Plan:
    return next(p for p in data.plans if p.code == code)


def _words(plan: Plan, key: K) -> str:
    term = plan.term(key)
    assert term is not None, key
    return term.wording


def _rename_cells(path: Path, sheet: str, renames: dict[tuple[Any, str], str], code_col: int, item_col: int) -> None:
    """Rename items in a sheet: (plan code or None, old wording) -> new wording."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    for (code, old), new in renames.items():
        rows = [
            r
            for r in range(1, ws.max_row + 1)
            if ws.cell(r, item_col).value == old and (code is None or ws.cell(r, code_col).value == code)
        ]
        assert len(rows) == 1, (old, rows)
        ws.cell(rows[0], item_col).value = new
    book.save(path)


def test_tokio_marine_reads_the_item_under_its_kubun(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "tokio_marine")
    renames = {("TMC-S", "争訟費用(弁護士費用等)"): SAME_WORDS, ("TMC-S", "法律相談費用"): SAME_WORDS}
    _rename_cells(folder / "tmn_cyber_plans.xlsx", "補償内容", renames, code_col=1, item_col=3)
    plan = _plan(TokioMarineAdapter().load(folder), "TMC-S")
    assert _words(plan, K.LITIGATION_COSTS) == SAME_WORDS
    assert _words(plan, K.LEGAL_CONSULTING) == SAME_WORDS


def test_mitsui_sumitomo_reads_the_item_under_its_kubun(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "mitsui_sumitomo")
    path = folder / "補償内容.csv"
    text = path.read_bytes().decode("cp932")
    for old in ("CP-E,賠償損害,争訟費用(弁護士費用等),", "CP-E,費用損害,弁護士相談費用,"):
        assert text.count(old) == 1
        text = text.replace(old, old.rsplit(",", 2)[0] + f",{SAME_WORDS},")
    path.write_bytes(text.encode("cp932"))
    plan = _plan(MitsuiSumitomoAdapter().load(folder), "CP-E")
    assert _words(plan, K.LITIGATION_COSTS) == SAME_WORDS
    assert _words(plan, K.LEGAL_CONSULTING) == SAME_WORDS


def test_aioi_reads_the_item_under_its_merged_kubun(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "aioi_nissay_dowa")
    renames = {(None, "争訟費用(訴訟・仲裁・和解に要した費用)"): SAME_WORDS, (None, "弁護士相談費用"): SAME_WORDS}
    _rename_cells(folder / "aioi_hosho_naiyo.xlsx", "専門職業賠償責任保険", renames, code_col=1, item_col=2)
    plan = _plan(AioiNissayDowaAdapter().load(folder), "ADW-PL-H")
    assert _words(plan, K.LITIGATION_COSTS) == SAME_WORDS
    assert _words(plan, K.LEGAL_CONSULTING) == SAME_WORDS


def _edit_json(path: Path, change: Callable[[Any], None]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def test_sompo_reads_the_item_under_its_coverage_group(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "sompo_japan")

    def rename(document: Any) -> None:
        groups = {g["groupCode"]: g for g in document["plans"][0]["coverageGroups"]}
        for group, code in (("LIAB", "LB-02"), ("COST", "CS-07")):
            coverage = next(c for c in groups[group]["coverages"] if c["coverageCode"] == code)
            coverage["labelJa"] = SAME_WORDS

    _edit_json(folder / "plans.json", rename)
    plan = _plan(SompoJapanAdapter().load(folder), "CY-BASIC")
    assert _words(plan, K.LITIGATION_COSTS) == SAME_WORDS
    assert _words(plan, K.LEGAL_CONSULTING) == SAME_WORDS


def test_aig_reads_an_item_by_the_aggregate_it_sits_in_and_offers_candidates_where_none_says(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "aig")
    renames = {("CE-ESS", "Legal Advice (Breach Coach)"): "Legal Expenses", ("CE-ESS", "Defence Costs"): "Legal Expenses"}
    _rename_cells(folder / "aig_schedule_of_coverages.xlsx", "Coverage Schedule", renames, code_col=1, item_col=2)
    with pytest.raises(UnclassifiedWordingError) as caught:
        AigAdapter().load(folder)
    # inside the First Party Aggregate it is advice; the defence row sits in the policy limit, which says neither
    assert [w for w, _ in caught.value.items] == ["Legal Expenses"]
    assert caught.value.candidates == [("legal_consulting", "litigation_costs")]
    assert "候補: 弁護士・コンサルタント相談費用(legal_consulting)、争訟費用(litigation_costs)" in str(caught.value)
    mapped = AigAdapter().load(folder, {"Legal Expenses": K.LITIGATION_COSTS})
    plan = _plan(mapped, "CE-ESS")
    assert _words(plan, K.LEGAL_CONSULTING) == "Legal Expenses"
    assert _words(plan, K.LITIGATION_COSTS) == "Legal Expenses"


def test_the_resolver_lists_each_miss_with_the_items_it_could_be() -> None:
    from aggregator.schema import Carrier
    from carriers.base import Where, WordingResolver

    resolver = WordingResolver(Carrier.TOKIO_MARINE)
    assert resolver.resolve("逸失利益", Where("a.xlsx", row=3), section="利益損害") is K.LOST_PROFIT
    assert resolver.resolve("逸失利益", Where("a.xlsx", row=4)) is None
    assert resolver.resolve("ダークウェブ監視サービス", Where("a.xlsx", row=5)) is None
    with pytest.raises(UnclassifiedWordingError) as caught:
        resolver.finish()
    assert caught.value.items == [("逸失利益", "a.xlsx row=4"), ("ダークウェブ監視サービス", "a.xlsx row=5")]
    assert caught.value.candidates == [("lost_profit", "liability_damages"), ()]
    assert "'逸失利益' (a.xlsx row=4) 候補: 喪失利益(lost_profit)、損害賠償金(liability_damages)" in str(caught.value)


def test_the_check_command_prints_the_candidates_beside_each_miss(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aggregator.cli import main

    data = Path(shutil.copytree(FIXTURES, tmp_path / "carriers"))
    plans = data / "sompo_japan" / "plans.json"
    plans.write_text(plans.read_text(encoding="utf-8").replace("弁護士相談費用", "Legal Expenses", 1), encoding="utf-8")
    _edit_json(plans, lambda d: d["plans"][0]["coverageGroups"][1].__setitem__("groupCode", "OTHER"))
    result = CliRunner().invoke(main, ["carriers", "check", "--data", str(data)])
    assert result.exit_code == 1
    assert "未分類の文言: 'Legal Expenses'" in result.output
    assert "候補: 弁護士・コンサルタント相談費用(legal_consulting)、争訟費用(litigation_costs)" in result.output
