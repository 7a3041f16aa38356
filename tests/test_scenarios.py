"""The articles' six accidents, each worked by hand for one IT E&O plan whose incident costs share a 1,500万円 pool.

The vendor: 10,000 records, 4 servers, revenue 3億円 at a 30% gross margin, a largest contract of
2,000万円, the lost-profit rider taken. Its contract caps damages at the contract amount and
excludes special damages, but defines leaks and data loss as gross negligence. The assumptions are the
defaults but for four set here so the figures stay round (ASSUMED): everyone affected claims, the call
center is a flat 500万, every server is rebuilt. Needs are read to two figures (low end down, high up):

  investigation 4 × 100万 = 400万; restoration 4 × 200万 = 800万; apology 10,000 × 500円 = 500万;
  call center 500万 (over 1,000 people); credit monitoring 10,000 × 100円 = 100万; first response
  300万; lawyers 300万; ads 1,000万; prevention 100万; regulator 200万;
  lost profit 3億 × 30% ÷ 365 = 246,575円 a day × 5 days = 1,232,875円 (120 hours), read as 130万;
  extra expense 20% = 246,575円, read as 25万; consolation money 10,000 × 5,000円 = 5,000万; the client's lost profit
  100万 × 5 = 500万 (special damages: excluded); the client's extra costs 20% of it = 100万;
  the delay claim 30% of 2,000万 = 600万; litigation 20% of the damages.

The plan: policy limit 1億円, deductible 10万円 (once, to the first item paid), and a 1,500万円 pool
holding first response, investigation (300万, 90%), restoration (500万), prevention (100万, 90%),
apology (500円 a person), call center (300万), lawyers and ads (200万); credit monitoring a rider
not taken; regulator not offered; lost profit a rider (1,000万, 12-hour wait); extra expense not
offered; the cyber delay 500万 on condition; employee misconduct 1,000万.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.export import write_comparison
from aggregator.exposure import Assumptions, Needs, estimate
from aggregator.matching import compare
from aggregator.scenarios import Scenario, ScenarioKind, ScenarioPlan, build, pay, with_scenarios
from aggregator.schema import (
    Answer,
    Carrier,
    ContractTerms,
    CoverageTerm,
    LiabilityCap,
    LimitPool,
    Line,
    PerVictimCap,
    Plan,
    Quote,
    QuoteStatus,
    TermStatus,
)
from aggregator.serialize import comparison_to_data
from aggregator.taxonomy import CoverageKey as K
from tests.factories import MAN, OKU, applicant

S = TermStatus
POOL = LimitPool("expenses", "費用損害の総支払限度額", "Incident costs", 1_500 * MAN)
ASSUMED = Assumptions(claim_share_high_bp=10_000, call_center_jpy=500 * MAN, call_center_per_person_jpy=0, restored_server_share_pct=100)
CONTRACT = ContractTerms(LiabilityCap.CONTRACT_AMOUNT, special_damages_excluded=Answer.YES, gross_negligence_includes_leaks=Answer.YES)


def _plan(liability_scope: str = "") -> Plan:
    def cost(key: K, status: S = S.INCLUDED, **extra: object) -> CoverageTerm:
        return CoverageTerm(key, status, key.value, parent="expenses", **extra)  # type: ignore[arg-type]

    terms = (
        CoverageTerm(K.LIABILITY_DAMAGES, S.INCLUDED, "法律上の損害賠償金", scope=liability_scope),
        CoverageTerm(K.LITIGATION_COSTS, S.INCLUDED, "争訟費用", scope=liability_scope),
        cost(K.EMERGENCY_RESPONSE),
        cost(K.INVESTIGATION, S.SUBLIMITED, limit_jpy=300 * MAN, payout_ratio_pct=90),
        cost(K.DATA_RESTORATION, S.SUBLIMITED, limit_jpy=500 * MAN),
        cost(K.RECURRENCE_PREVENTION, S.SUBLIMITED, limit_jpy=100 * MAN, payout_ratio_pct=90),
        cost(K.APOLOGY, per_victim=PerVictimCap(per_person_jpy=500)),
        cost(K.CALL_CENTER, S.SUBLIMITED, limit_jpy=300 * MAN),
        cost(K.LEGAL_CONSULTING),
        cost(K.REPUTATIONAL_ADS, S.SUBLIMITED, limit_jpy=200 * MAN),
        CoverageTerm(K.CREDIT_MONITORING, S.OPTIONAL_RIDER, "クレジットモニタリング", limit_jpy=300 * MAN),
        CoverageTerm(K.REGULATORY_RESPONSE, S.NOT_OFFERED, "当局対応"),
        CoverageTerm(K.LOST_PROFIT, S.OPTIONAL_RIDER, "利益損害", limit_jpy=1_000 * MAN, waiting_hours=12),
        CoverageTerm(K.EXTRA_EXPENSE, S.NOT_OFFERED, "営業継続費用"),
        CoverageTerm(K.CYBER_DELAY, S.CONDITIONAL, "納期遅延", limit_jpy=500 * MAN, conditions="サイバー攻撃に起因する場合に限る"),
        CoverageTerm(K.EMPLOYEE_MISCONDUCT, S.SUBLIMITED, "使用人等の犯罪行為", limit_jpy=1_000 * MAN),
    )
    return Plan(
        carrier=Carrier.TOKIO_MARINE,
        line=Line.IT_EO,
        code="TEST-EO",
        name="テストIT賠償",
        product="IT業務過誤賠償責任保険",
        rate_version="2026.04",
        effective_from=date(2026, 4, 1),
        effective_to=None,
        limit_options_jpy=(OKU,),
        deductible_options_jpy=(10 * MAN,),
        terms=terms,
        pools=(POOL,),
        exclusions=("契約により加重された賠償責任",),
    )


def _quote(plan: Plan) -> Quote:
    return Quote(
        Carrier.TOKIO_MARINE,
        Line.IT_EO,
        plan,
        QuoteStatus.QUOTED,
        OKU,
        10 * MAN,
        OKU,
        10 * MAN,
        800_000,
        (K.LOST_PROFIT,),
        (K.LOST_PROFIT,),
    )


VENDOR = applicant(
    records_held=10_000,
    servers=4,
    largest_contract_jpy=2_000 * MAN,
    annual_revenue_jpy=3 * OKU,
    gross_margin_pct=30,
    lines=(Line.IT_EO,),
    contract=CONTRACT,
)


def _scenarios(plan: Plan | None = None) -> dict[ScenarioKind, tuple[Scenario, ScenarioPlan]]:
    comparison = with_scenarios(compare([_quote(plan or _plan())], estimate(VENDOR, ASSUMED, line=Line.IT_EO)), VENDOR, Line.IT_EO)
    assert len(comparison.scenarios) == 6
    return {r.scenario.kind: (r.scenario, r.plans[0]) for r in comparison.scenarios}


def _paid(result: ScenarioPlan) -> dict[K, int]:
    return {i.key: i.paid_jpy for i in result.items}


def test_a_leak_of_a_clients_customer_data() -> None:
    scenario, result = _scenarios()[ScenarioKind.CUSTOMER_DATA_LEAK]
    damages = next(n for n in scenario.needs if n.key is K.LIABILITY_DAMAGES)
    # The claim, 5,000万, capped at the contract (2,000万) in the ordinary case; leaks are gross
    # negligence, so the worst case is all of it.
    assert (damages.low_jpy, damages.high_jpy) == (2_000 * MAN, 5_000 * MAN) and "重大な過失" in damages.basis_ja
    # 300 + 400 + 500 + 500 + 100 + 200 + 300 + 1,000 + 100 + 5,000 + litigation 1,000 = 9,400万
    assert scenario.need_jpy == 9_400 * MAN
    # Paid as they fall due, the pool's 1,500万 running out on the way:
    # first response 300 − 10 (deductible) = 290; investigation 400 × 90% = 360 → 300; prevention
    # 100 × 90% = 90; apology 10,000 × 500円 = 500; call center 300 (its limit); lawyers: 20 left in
    # the pool; ads: nothing left; damages 5,000 and litigation 1,000 under the policy limit.
    assert _paid(result) == {
        K.EMERGENCY_RESPONSE: 290 * MAN,
        K.INVESTIGATION: 300 * MAN,
        K.APOLOGY: 500 * MAN,
        K.CALL_CENTER: 300 * MAN,
        K.CREDIT_MONITORING: 0,
        K.REGULATORY_RESPONSE: 0,
        K.LEGAL_CONSULTING: 20 * MAN,
        K.REPUTATIONAL_ADS: 0,
        K.RECURRENCE_PREVENTION: 90 * MAN,
        K.LIABILITY_DAMAGES: 5_000 * MAN,
        K.LITIGATION_COSTS: 1_000 * MAN,
    }
    # left to the customer: monitoring 100 + regulator 200 + lawyers 280 + ads 1,000 + investigation 100
    # + call center 200 + prevention 10 + the deductible 10 = 1,900万
    assert (result.payable_jpy, result.shortfall_jpy) == (7_500 * MAN, 1_900 * MAN)
    assert result.missing == (K.CREDIT_MONITORING, K.REGULATORY_RESPONSE)  # ads are covered: the pool ran out
    pool = next(p for p in result.pools if p.pool_id == "expenses")
    assert (pool.paid_jpy, pool.limit_jpy) == (1_500 * MAN, 1_500 * MAN)


def test_stopping_an_end_users_system() -> None:
    scenario, result = _scenarios()[ScenarioKind.END_USER_OUTAGE]
    damages = next(n for n in scenario.needs if n.key is K.LIABILITY_DAMAGES)
    # Special damages are excluded: only the client's extra costs, 100万, are claimed; not a leak, so capped.
    assert (damages.low_jpy, damages.high_jpy) == (100 * MAN, 100 * MAN) and "逸失利益は含めません" in damages.basis_ja
    # 300 + 400 + 800 + 100 + litigation 20 = 1,620万; paid 290 + 300 + 500 (restoration's limit) + 100 + 20 = 1,210万
    assert (scenario.need_jpy, result.payable_jpy, result.shortfall_jpy) == (1_620 * MAN, 1_210 * MAN, 410 * MAN)
    assert result.missing == ()


def test_a_delivered_systems_defect_erasing_data() -> None:
    scenario, result = _scenarios()[ScenarioKind.DEFECT_DATA_LOSS]
    damages = next(n for n in scenario.needs if n.key is K.LIABILITY_DAMAGES)
    # Re-creating the client's data 800万 + its extra costs 100万 = 900万, under the cap either way.
    assert (damages.low_jpy, damages.high_jpy) == (900 * MAN, 900 * MAN)
    # Investigation is paid first here and takes the deductible: (400 − 10) × 90% = 351 → 300.
    # 400 + 300 + 900 + 180 = 1,780万; paid 300 + 300 + 900 + 180 = 1,680万
    assert _paid(result)[K.INVESTIGATION] == 300 * MAN
    assert (scenario.need_jpy, result.payable_jpy, result.shortfall_jpy) == (1_780 * MAN, 1_680 * MAN, 100 * MAN)


def test_a_cyber_attack_delaying_development_says_a_plain_delay_is_not_covered() -> None:
    scenario, result = _scenarios()[ScenarioKind.ATTACK_DELAY]
    # 300 + 400 + 800 + 130 + 25 + 600 = 2,255万円
    assert scenario.need_jpy == 2_255 * MAN
    # lost profit after the 12-hour wait: 130万 × 108 ÷ 120 = 117万円; the delay 600万 → its 500万 limit
    assert _paid(result)[K.LOST_PROFIT] == 117 * MAN and _paid(result)[K.CYBER_DELAY] == 500 * MAN
    # 290 + 300 + 500 + 117 + 500 = 1,707万円, and 2,255 − 1,707 = 548万円 left
    assert (result.payable_jpy, result.shortfall_jpy) == (1_707 * MAN, 548 * MAN)
    assert result.missing == (K.EXTRA_EXPENSE,)
    assert any("単なる納期遅延" in n and "補償されません" in n for n in scenario.notes_ja)
    assert result.notes_ja == ("サイバー攻撃による納期遅延: 補償あり(500万円まで)。条件: サイバー攻撃に起因する場合に限る",)


def test_a_delivered_systems_vulnerability_attacked() -> None:
    scenario, result = _scenarios()[ScenarioKind.VULNERABILITY_ATTACK]
    damages = next(n for n in scenario.needs if n.key is K.LIABILITY_DAMAGES)
    # The client's claim: consolation 5,000 + its apology 500 + its call center 500 + its extra costs 100 = 6,100万
    assert (damages.low_jpy, damages.high_jpy) == (2_000 * MAN, 6_100 * MAN)
    # 300 + 400 + 300 + 6,100 + 1,220 = 8,320万; short only the deductible and investigation's 100万
    assert (scenario.need_jpy, result.payable_jpy, result.shortfall_jpy) == (8_320 * MAN, 8_210 * MAN, 110 * MAN)


def test_an_employee_taking_customer_data_out() -> None:
    scenario, result = _scenarios()[ScenarioKind.INSIDER_TAKEOUT]
    assert [n.key for n in scenario.needs][-2:] == [K.EMPLOYEE_MISCONDUCT, K.LITIGATION_COSTS]
    # 400 + 500 + 500 + 100 + 200 + 300 + 5,000 + 1,000 = 8,000万
    # paid: investigation 300, apology 500, call center 300, lawyers 300 (the pool: 1,400 of 1,500),
    # employee misconduct its 1,000万 limit, litigation 1,000 = 3,400万
    assert _paid(result)[K.EMPLOYEE_MISCONDUCT] == 1_000 * MAN
    assert (scenario.need_jpy, result.payable_jpy, result.shortfall_jpy) == (8_000 * MAN, 3_400 * MAN, 4_600 * MAN)
    assert result.missing == (K.CREDIT_MONITORING, K.REGULATORY_RESPONSE)


def test_liability_limited_to_leaks_pays_a_leak_but_not_an_outage() -> None:
    narrow = _scenarios(_plan("個人情報・情報の漏えいに起因する賠償責任に限る"))
    _, outage = narrow[ScenarioKind.END_USER_OUTAGE]
    damages = next(i for i in outage.items if i.key is K.LIABILITY_DAMAGES)
    assert damages.paid_jpy == 0 and damages.why_ja.startswith("範囲外") and K.LIABILITY_DAMAGES in outage.missing
    _, leak = narrow[ScenarioKind.CUSTOMER_DATA_LEAK]
    assert _paid(leak)[K.LIABILITY_DAMAGES] == 5_000 * MAN


def test_a_scenario_of_the_comparisons_own_needs_pays_what_the_comparison_pays(rater: object) -> None:
    from aggregator.rating import Rater
    from aggregator.recommendation import build_comparison

    assert isinstance(rater, Rater)
    comparison = build_comparison(rater, replace(VENDOR, contract=ContractTerms()), date(2026, 11, 21), line=Line.IT_EO)
    scenario = replace(comparison.scenarios[0].scenario, needs=comparison.needs.items, leak=True)
    for i, column in enumerate(comparison.columns):
        paid = _paid(pay(scenario, i, column.quote))
        for cell in column.cells:
            if cell.payable_jpy is not None:
                assert paid[cell.key] == cell.payable_jpy, (column.quote.plan.code, cell.key)


def test_the_json_carries_six_scenarios_with_every_plans_payable_and_shortfall() -> None:
    comparison = with_scenarios(compare([_quote(_plan())], estimate(VENDOR, ASSUMED, line=Line.IT_EO)), VENDOR, Line.IT_EO)
    data = comparison_to_data(comparison)
    assert [s["key"] for s in data["scenarios"]] == [k.value for k in ScenarioKind]
    leak = data["scenarios"][0]
    assert leak["plans"][0]["payable_jpy"] == 7_500 * MAN and leak["plans"][0]["shortfall_jpy"] == 1_900 * MAN
    assert leak["plans"][0]["carrier"] == "tokio_marine" and leak["sources_ja"] and leak["liability"]["uncapped"] is True
    assert data["contract"]["answers"]["gross_negligence_includes_leaks"] == "yes"
    assert data["contract"]["plans"][0]["excluded"] is True


def test_scenario_needs_come_from_the_comparisons_own_figures() -> None:
    needs: Needs = estimate(VENDOR, ASSUMED, line=Line.IT_EO)
    leak = build(VENDOR, needs)[0]
    for key in (K.APOLOGY, K.CALL_CENTER, K.INVESTIGATION):
        assert next(n for n in leak.needs if n.key is key) == needs.get(key)


def test_the_workbook_shows_each_accident_and_the_contract_check(tmp_path: Path) -> None:
    comparison = with_scenarios(compare([_quote(_plan())], estimate(VENDOR, ASSUMED, line=Line.IT_EO)), VENDOR, Line.IT_EO)
    target = tmp_path / "scenarios.xlsx"
    write_comparison(comparison, target, lang="ja", applicant=VENDOR, as_of=date(2026, 11, 21))
    book = openpyxl.load_workbook(target)
    rows = [[v for v in row if v is not None] for row in book["事故シナリオ"].iter_rows(values_only=True)]
    leak = rows.index(["取引先の顧客データの漏えい", 9_400 * MAN, 7_500 * MAN])  # worked above
    assert rows[leak + 1] == ["└ 自己負担(不足額)", 1_900 * MAN]
    assert rows[leak + 2] == ["└ 補償されない項目", "クレジットモニタリング費用、当局報告・対応費用"]
    delay = rows.index(["サイバー攻撃による開発の遅延", 2_255 * MAN, 1_707 * MAN])
    assert rows[delay + 1] == ["└ 自己負担(不足額)", 548 * MAN]
    texts = {v for row in rows for v in row if isinstance(v, str)}
    assert any("単なる納期遅延" in t for t in texts) and any(t.startswith("記事") for t in texts)
    contract = [[v for v in row if v is not None] for row in book["契約の確認"].iter_rows(values_only=True)]
    assert ["通常の場合", 2_000 * MAN, "契約金額2,000万円が上限(モデル契約 第20条)"] in contract
    assert any(r[:3] == ["データの消失や情報漏えいを「重大な過失」とする定めがある", "はい", "要見直し"] for r in contract)
    english = tmp_path / "scenarios-en.xlsx"
    write_comparison(comparison, english, lang="en", applicant=VENDOR, as_of=date(2026, 11, 21))
    rows = [[v for v in row if v is not None] for row in openpyxl.load_workbook(english)["Accident scenarios"].iter_rows(values_only=True)]
    assert ["Leaking a client's customer data", 9_400 * MAN, 7_500 * MAN] in rows


def test_the_quote_command_carries_the_scenarios_in_its_json_and_table(runner: CliRunner, tmp_path: Path) -> None:
    source = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "applicants" / "si_vendor.json").read_text(encoding="utf-8"))
    source["contract"] = {"liability_cap": "contract_amount", "gross_negligence_includes_leaks": "yes"}
    path = tmp_path / "si.json"
    path.write_text(json.dumps(source, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, ["quote", str(path), "--as-of", "2026-11-21", "--line", "it_eo", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    carriers = [c["carrier"] for c in data["columns"]]
    assert len(data["scenarios"]) == 6 and data["contract"]["answers"]["gross_negligence_includes_leaks"] == "yes"
    for scenario in data["scenarios"]:
        assert [p["carrier"] for p in scenario["plans"]] == carriers
        assert all(p["payable_jpy"] + p["shortfall_jpy"] == scenario["need_jpy"] for p in scenario["plans"])
    table = runner.invoke(main, ["quote", str(path), "--as-of", "2026-11-21", "--line", "it_eo", "--lang", "en"]).output
    assert "[If it happens: six accidents]" in table and "Leaking a client's customer data" in table
