"""The comparison pipeline on the sample carriers, the stored recommendation, and `aggregator quote`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.applicants import ApplicantInputError, applicant_from_data
from aggregator.cli import main
from aggregator.matching import Priorities, PriorityKind
from aggregator.rating import Rater
from aggregator.recommendation import build_comparison, make_record, recommend, reproduce
from aggregator.schema import Industry, Line, SecurityControl
from aggregator.taxonomy import CoverageKey

TODAY = date(2026, 11, 21)
APPLICANTS = Path(__file__).resolve().parents[1] / "fixtures" / "applicants"


def _si() -> dict:  # type: ignore[type-arg]
    data = json.loads((APPLICANTS / "si_vendor.json").read_text(encoding="utf-8"))
    data.pop("priorities")
    return data


def test_applicant_json_reads_japanese_amounts_and_labels() -> None:
    applicant = applicant_from_data(_si())
    assert applicant.annual_revenue_jpy == 500_000_000
    assert applicant.limit_jpy == 100_000_000 and applicant.deductible_jpy == 100_000
    assert applicant.industry is Industry.SYSTEM_INTEGRATION
    assert SecurityControl.MFA in applicant.controls
    assert applicant.lines == (Line.CYBER, Line.IT_EO)


def test_applicant_errors_name_every_bad_field_at_once() -> None:
    data = {**_si(), "annual_revenue_jpy": "たくさん", "industry": "パン屋", "records_held": -3, "colour": "red"}
    del data["company"]
    with pytest.raises(ApplicantInputError) as caught:
        applicant_from_data(data)
    fields = {e.field: e.reason for e in caught.value.errors}
    assert set(fields) == {"annual_revenue_jpy", "industry", "records_held", "colour", "company"}
    assert fields["industry"] == "業種が一覧にありません"
    assert fields["company"] == "必須の項目です"


def test_one_plan_per_carrier_unless_all_plans_asked(rater: Rater) -> None:
    applicant = applicant_from_data(_si())
    comparison = build_comparison(rater, applicant, TODAY, line=Line.CYBER)
    shown = [c for i, c in enumerate(comparison.columns) if i not in comparison.added]
    assert len(shown) == 5 and len({c.quote.carrier for c in shown}) == 5  # each carrier's cheapest meeting the wishes
    # beside them, the broadest plan meeting the wishes, when it leaves materially less short than every column
    assert comparison.added == (5,)
    broadest = comparison.columns[5]
    assert all(broadest.total_shortfall_jpy + comparison.materiality_jpy <= c.total_shortfall_jpy for c in shown)
    everything = build_comparison(rater, applicant, TODAY, line=Line.CYBER, all_plans=True)
    assert len(everything.columns) == sum(len(rater.carriers[i].plans_for(Line.CYBER)) for i in range(5))


def test_recommendation_follows_the_priorities_given(rater: Rater) -> None:
    applicant = applicant_from_data(_si())
    cheapest = recommend(build_comparison(rater, applicant, TODAY, priorities=Priorities(order=(PriorityKind.LOWEST_PRICE,))))
    premiums = [c.quote.premium_jpy for c in cheapest.comparison.columns if c.quote.premium_jpy is not None]
    assert cheapest.proposed is not None
    assert cheapest.comparison.columns[cheapest.proposed].quote.premium_jpy == min(premiums)
    assert "保険料の安さ" in cheapest.reasons_ja[0]


def test_a_stored_recommendation_reproduces_its_comparison(rater: Rater) -> None:
    applicant = applicant_from_data(_si())
    priorities = Priorities(items=(CoverageKey.CALL_CENTER,), note="お詫び対応を重視")
    record = make_record(rater, applicant, TODAY, priorities=priorities)
    stored = json.loads(json.dumps(record, ensure_ascii=False))  # as a database keeps it
    again, same = reproduce(stored, rater)
    assert same
    assert again["proposed"] == stored["proposed"] and again["reasons_ja"] == stored["reasons_ja"]
    assert stored["priorities"]["note"] == "お詫び対応を重視"
    assert all(v == "2026.04" for v in stored["rate_versions"].values())
    cells = stored["comparison"]["columns"][0]["cells"]
    assert {c["key"]: c["oed_code"] for c in cells}["data_restoration"] == "DIAS"


def test_a_changed_rate_is_detected_on_reproduction(rater: Rater) -> None:
    from dataclasses import replace

    applicant = applicant_from_data(_si())
    record = make_record(rater, applicant, TODAY)
    data = rater.carriers[0]
    table = data.rate_tables[0]
    cheaper = replace(data, rate_tables=(replace(table, minimum_premium_jpy=table.minimum_premium_jpy + 9_999_990), *data.rate_tables[1:]))
    changed = Rater([cheaper, *rater.carriers[1:]])
    _, same = reproduce(record, changed)
    assert not same


def test_quote_command_table_and_json_agree(runner: CliRunner) -> None:
    path = str(APPLICANTS / "si_vendor.json")
    table = runner.invoke(main, ["quote", path, "--as-of", "2026-11-21"])
    assert table.exit_code == 0, table.output
    assert "サンプルデータ" in table.output and "【ご提案】" in table.output
    data = json.loads(runner.invoke(main, ["quote", path, "--as-of", "2026-11-21", "--json"]).output)
    for column in data["columns"]:
        if column["premium_jpy"] is not None:
            assert f"{column['premium_jpy']:,}円" in table.output
    english = runner.invoke(main, ["quote", path, "--as-of", "2026-11-21", "--lang", "en", "--line", "it_eo"])
    assert "IT errors & omissions" in english.output and "[Recommendation]" in english.output


def test_quote_command_names_bad_fields(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**_si(), "servers": "many"}), encoding="utf-8")
    result = runner.invoke(main, ["quote", str(bad)])
    assert result.exit_code == 1
    assert "servers: 整数で入力してください" in result.output
