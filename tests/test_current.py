"""The current policy (現在のご契約): read from JSON, paid out by the same rule, compared item by item, kept in the record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from aggregator.applicants import ApplicantInputError, applicant_from_data
from aggregator.current import CurrentPolicy, KnownItem, Mark
from aggregator.current_data import current_from_data, current_to_data, items_from_cells
from aggregator.matching import CellKind
from aggregator.policy import add_months, check_start, default_expiry, parse_start, window_of
from aggregator.rating import Rater
from aggregator.recommendation import build_comparison, make_record, reproduce
from aggregator.schema import Carrier, Line
from aggregator.serialize import comparison_to_data
from aggregator.taxonomy import CoverageKey as K
from aggregator.versus import compare_cells
from tests.conftest import TODAY

APPLICANTS = Path(__file__).resolve().parents[1] / "fixtures" / "applicants"
MAN = 10_000
CURRENT = {
    "insurer": "other",
    "insurer_name": "架空損保",
    "product": "サイバー保険スタンダード",
    "line": "cyber",
    "limit_jpy": "5,000万円",
    "deductible_jpy": "10万円",
    "premium_jpy": 300_000,
    "expiry": "2027-03-31",
    "items": {
        "liability_damages": True,
        "investigation": "300万円",
        "call_center": False,
        "apology": 1_000_000,
        "extortion": None,
    },
}


def _si() -> dict:  # type: ignore[type-arg]
    data = json.loads((APPLICANTS / "si_vendor.json").read_text(encoding="utf-8"))
    data.pop("priorities")
    return data


def test_a_current_policy_reads_amounts_in_words_and_goes_back_to_the_same_data() -> None:
    policy = current_from_data(CURRENT)
    assert policy is not None
    assert (policy.limit_jpy, policy.deductible_jpy, policy.premium_jpy) == (5_000 * MAN, 10 * MAN, 300_000)
    assert policy.expiry == date(2027, 3, 31) and policy.line is Line.CYBER
    assert policy.item(K.INVESTIGATION) == KnownItem(K.INVESTIGATION, True, 300 * MAN)
    assert policy.item(K.CALL_CENTER) == KnownItem(K.CALL_CENTER, False)
    assert policy.item(K.EXTORTION) is None  # null: not known
    assert current_from_data(current_to_data(policy)) == policy
    assert current_from_data({**CURRENT, "insurer": "東京海上日動", "insurer_name": ""}).insurer == Carrier.TOKIO_MARINE.value  # type: ignore[union-attr]


def test_every_bad_field_of_a_current_policy_is_named_at_once() -> None:
    bad = {
        **CURRENT,
        "insurer": "other",
        "insurer_name": "",
        "limit_jpy": "たくさん",
        "items": {"nothing": True, "apology": -5},
        "colour": 1,
    }
    with pytest.raises(ApplicantInputError) as caught:
        current_from_data(bad)
    fields = {e.field for e in caught.value.errors}
    assert {"current_policy.limit_jpy", "current_policy.items", "current_policy.items.apology", "current_policy.colour"} <= fields
    with pytest.raises(ApplicantInputError) as caught:
        current_from_data({**CURRENT, "insurer_name": ""})
    assert caught.value.errors[0].field == "current_policy.insurer_name"
    with pytest.raises(ApplicantInputError) as caught:
        current_from_data({**CURRENT, "items": {"investigation": {"limit_jpy": 1, "payout_ratio_pct": 0}}})
    assert caught.value.errors[0].field == "current_policy.items.investigation"


def test_the_current_column_pays_by_the_same_rule_and_unknown_items_are_unknown(rater: Rater) -> None:
    applicant = applicant_from_data(_si())
    policy = current_from_data(CURRENT)
    comparison = build_comparison(rater, applicant, TODAY, line=Line.CYBER, current=policy)
    current = comparison.current
    assert current is not None
    investigation = current.cell(K.INVESTIGATION)
    assert (investigation.kind, investigation.effective_jpy) == (CellKind.SUBLIMIT, 300 * MAN)
    need = comparison.rows[[r.key for r in comparison.rows].index(K.INVESTIGATION)].need
    assert need is not None
    # the investigation is the first item paid: the policy deductible comes off it, then its own limit caps it
    assert investigation.payable_jpy == min(300 * MAN, need.amount_jpy - 10 * MAN)
    assert current.cell(K.LIABILITY_DAMAGES).effective_jpy == 5_000 * MAN  # up to the policy limit
    assert current.cell(K.CALL_CENTER).kind is CellKind.NOT_OFFERED
    unknown = current.cell(K.EXTORTION)
    assert unknown.kind is CellKind.UNKNOWN and unknown.shortfall_jpy is None  # 不明, never 補償なし, and not counted short
    assert current.cell(K.DATA_RESTORATION).kind is CellKind.UNKNOWN
    paid = sum(c.payable_jpy or 0 for c in current.cells)
    assert paid <= 5_000 * MAN


def test_every_plan_is_marked_against_the_current_policy_with_the_premium_difference(rater: Rater) -> None:
    applicant = applicant_from_data(_si())
    comparison = build_comparison(rater, applicant, TODAY, line=Line.CYBER, current=current_from_data(CURRENT))
    current = comparison.current
    assert current is not None and len(current.versus) == len(comparison.columns)
    for i, column in enumerate(comparison.columns):
        versus = current.versus[i]
        if column.quote.premium_jpy is not None:
            assert versus.premium_difference_jpy == column.quote.premium_jpy - 300_000
        assert current.mark(i, K.EXTORTION) is Mark.UNKNOWN  # not known today: no comparison
        liability = comparison.cell(i, K.LIABILITY_DAMAGES)
        if liability.effective_jpy and liability.effective_jpy > 5_000 * MAN and liability.full_scope:
            assert current.mark(i, K.LIABILITY_DAMAGES) is Mark.BETTER
        call = comparison.cell(i, K.CALL_CENTER)
        if call.effective_jpy and call.limit_stated:
            assert current.mark(i, K.CALL_CENTER) is Mark.BETTER  # covered where today's is not
    a = current.cell(K.INVESTIGATION)
    assert compare_cells(a, a) is Mark.SAME


def test_the_carriers_columns_are_unchanged_and_the_record_reproduces_with_a_current_policy(rater: Rater) -> None:
    applicant = applicant_from_data(_si())
    policy = current_from_data(CURRENT)
    without = comparison_to_data(build_comparison(rater, applicant, TODAY))
    with_current = comparison_to_data(build_comparison(rater, applicant, TODAY, current=policy))
    assert "current_policy" not in without
    assert {k: v for k, v in with_current.items() if k != "current_policy"} == without
    cells = with_current["current_policy"]["cells"]
    assert [c["key"] for c in cells] == [r["key"] for r in without["rows"]]
    assert with_current["current_policy"]["versus"][0]["items"]["extortion"] == "unknown"
    record = json.loads(json.dumps(make_record(rater, applicant, TODAY, current=policy), ensure_ascii=False))
    assert record["current_policy"]["items"]["investigation"] == 300 * MAN
    again, same = reproduce(record, rater)
    assert same and again["comparison"]["current_policy"] == record["comparison"]["current_policy"]
    plain = make_record(rater, applicant, TODAY)
    assert "current_policy" not in plain and reproduce(plain, rater)[1]
    assert plain["comparison_sha256"] != record["comparison_sha256"]


def test_a_quoted_plan_becomes_a_current_policy_item_by_item(rater: Rater) -> None:
    applicant = applicant_from_data(_si())
    data = comparison_to_data(build_comparison(rater, applicant, TODAY))
    column = data["columns"][0]
    items = items_from_cells(column["cells"], column["quoted"]["limit_jpy"])
    for cell in column["cells"]:
        if cell["kind"] == "unknown":
            assert cell["key"] not in items
        elif cell["kind"] in ("not_offered", "rider"):
            assert items[cell["key"]] is False
        elif cell["effective_jpy"] and cell["effective_jpy"] < column["quoted"]["limit_jpy"]:
            said = items[cell["key"]]
            assert said == cell["effective_jpy"] or (said["limit_jpy"] == cell["effective_jpy"] and said["payout_ratio_pct"] > 0)
    policy = CurrentPolicy(Carrier.AIG.value, Line.CYBER, column["quoted"]["limit_jpy"])
    assert policy.items == ()


def test_start_of_cover_is_from_today_to_six_months_ahead() -> None:
    assert check_start(TODAY, TODAY) == TODAY
    assert check_start(date(2027, 5, 21), TODAY) == date(2027, 5, 21)
    for day in (date(2026, 11, 20), date(2027, 5, 22)):
        with pytest.raises(ValueError, match=r"2026年11月21日.*6か月以内.*2027年5月21日まで"):
            check_start(day, TODAY)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_start("来月", TODAY)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert default_expiry(date(2028, 2, 29)) == date(2029, 2, 28)


def test_renewal_windows() -> None:
    expiry = date(2027, 3, 31)
    assert window_of(expiry, date(2026, 11, 21)) is None  # 130 days off
    assert window_of(expiry, date(2027, 1, 1)) == 90
    assert window_of(expiry, date(2027, 1, 31)) == 60
    assert window_of(expiry, date(2027, 3, 1)) == 30
    assert window_of(expiry, date(2027, 3, 31)) == 30
    assert window_of(expiry, date(2027, 4, 1)) is None  # past: no longer due, lapsed


def test_the_workbook_puts_the_current_policy_first_and_marks_each_plan(rater: Rater, tmp_path: Path) -> None:
    import openpyxl

    from aggregator.export import write_comparison

    applicant = applicant_from_data(_si())
    comparison = build_comparison(rater, applicant, TODAY, line=Line.CYBER, current=current_from_data(CURRENT))
    path = tmp_path / "cmp.xlsx"
    write_comparison(comparison, path, applicant=applicant, as_of=TODAY)
    sheet = openpyxl.load_workbook(path)["比較表"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0] == "補償項目")
    assert rows[head][2] == "現在のご契約" and rows[head + 1][2] == "架空損保 サイバー保険スタンダード"
    assert rows[head][3] == "東京海上日動" or rows[head][3] in {"三井住友海上", "損保ジャパン", "あいおいニッセイ同和損保", "AIG損保"}
    by_label = {r[0]: (i, r) for i, r in enumerate(rows) if isinstance(r[0], str)}
    assert by_label["年間保険料"][1][2] == 300_000
    assert by_label["サイバー恐喝"][1][2] == "不明"  # not known: 不明, never 補償なし
    assert by_label["コールセンター費用"][1][2] == "補償なし"
    versus = by_label["現在のご契約との比較"][1]
    assert all(isinstance(v, str) and "↑手厚い" in v and "保険料の差" in v for v in versus[3 : 3 + len(comparison.columns)])
    # a plan's amount carries its mark in its number format; its text cells carry it after the words
    row = by_label["損害賠償金"][0] + 1
    formats = [sheet.cell(row=row, column=4 + i).number_format for i in range(len(comparison.columns))]
    assert any("↑" in f for f in formats)
    assert any("↑ 手厚い" in str(r[0]) or "現在より手厚い" in str(r[0]) for r in rows if r[0])  # the legend says what the marks mean


def test_quote_command_reads_a_current_policy_into_the_table_and_the_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aggregator.cli import main

    path = tmp_path / "with_current.json"
    path.write_text(json.dumps({**_si(), "current_policy": CURRENT}, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    table = runner.invoke(main, ["quote", str(path), "--as-of", "2026-11-21"])
    assert table.exit_code == 0, table.output
    assert "現在: 架空損保 サイバー保険スタンダード" in table.output and "↑ 現在より手厚い" in table.output
    data = json.loads(runner.invoke(main, ["quote", str(path), "--as-of", "2026-11-21", "--json"]).output)
    assert data["current_policy"]["policy"]["insurer_name"] == "架空損保"
    assert {c["key"]: c["kind"] for c in data["current_policy"]["cells"]}["extortion"] == "unknown"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**_si(), "current_policy": {**CURRENT, "limit_jpy": "たくさん"}}, ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(main, ["quote", str(bad)])
    assert refused.exit_code == 1 and "current_policy.limit_jpy" in refused.output


def test_a_plan_placed_and_quoted_again_compares_as_the_same(rater: Rater) -> None:
    """A renewal's current policy is the plan as quoted: its payout ratios, own deductibles and caps kept, so nothing reads better or worse."""
    applicant = applicant_from_data(_si())
    comparison = build_comparison(rater, applicant, TODAY, line=Line.CYBER)
    data = comparison_to_data(comparison)
    for i, column in enumerate(data["columns"]):
        if column["status"] == "declined":
            continue
        placed = current_from_data(
            {
                "insurer": column["carrier"],
                "product": column["plan_name"],
                "line": column["line"],
                "limit_jpy": column["quoted"]["limit_jpy"],
                "deductible_jpy": column["quoted"]["deductible_jpy"],
                "premium_jpy": column["premium_jpy"],
                "items": items_from_cells(column["cells"], column["quoted"]["limit_jpy"]),
            }
        )
        assert placed is not None and current_from_data(current_to_data(placed)) == placed
        again = build_comparison(rater, applicant, TODAY, line=Line.CYBER, current=placed)
        assert again.current is not None
        versus = again.current.versus[i]
        assert versus.premium_difference_jpy == 0
        assert versus.count(Mark.BETTER) == versus.count(Mark.WORSE) == 0, (column["carrier"], versus)
        assert versus.count(Mark.SAME) > 0
