"""Each carrier's rounding direction and order of credits, debits and the cap, read from its own files.

The sample files state what the cap limits for every carrier; 東京海上日動 and 三井住友海上 also name
their rounding direction (切上げ). Each test edits a copy of one carrier's files the way that carrier
would write another choice, and checks the premium a broker would see, worked by hand.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from aggregator.errors import CarrierDataError
from aggregator.rating import Rater
from aggregator.schema import CAP_ON_CREDITS, CAP_ON_NET, Carrier, CarrierData, Industry, Line, RatingStep, RoundingMode, SecurityControl
from aggregator.taxonomy import CoverageKey
from carriers.registry import FIXTURES, load_carrier
from tests.factories import applicant

TODAY = date(2026, 11, 21)
Steps = tuple[RatingStep, ...]


def _copy(tmp_path: Path, carrier: Carrier) -> Path:
    return Path(shutil.copytree(FIXTURES / carrier.value, tmp_path / carrier.value))


def _replace(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_bytes().decode(encoding)
    assert old in text, old
    path.write_bytes(text.replace(old, new).encode(encoding))


def _tokio(folder: Path, cap: str, rounding: str) -> None:
    """割増引: the 割引上限 and 端数処理 rows' 項目 (column C) of every line."""
    book = openpyxl.load_workbook(folder / "tmn_cyber_rates.xlsx")
    sheet = book["割増引"]
    for row in sheet.iter_rows(min_row=5):
        if row[1].value == "割引上限":
            row[2].value = cap
        if row[1].value == "端数処理":
            row[2].value = f"{row[4].value}{rounding}"  # 「10円未満切捨て」
    book.save(folder / "tmn_cyber_rates.xlsx")


def _mitsui(folder: Path, cap: str, rounding: str) -> None:
    """料率.csv (cp932): the 割引上限 row's 区分, the 端数処理 value's 「（切上げ）」."""
    _replace(folder / "料率.csv", "割引・割増通算", cap, "cp932")
    _replace(folder / "料率.csv", "（切上げ）", f"（{rounding}）", "cp932")


def _sompo(folder: Path, cap: str, rounding: str) -> None:
    """rates.json: maxDiscountBasis and roundingMethod on every rate table."""
    document = json.loads((folder / "rates.json").read_text(encoding="utf-8"))
    for table in document["rateTables"]:
        table["maxDiscountBasis"], table["roundingMethod"] = cap, rounding
    (folder / "rates.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def _aioi(folder: Path, cap: str, rounding: str) -> None:
    """■その他: the 割引上限の対象 row, and a 端数処理の方法 row in the blank row under it."""
    book = openpyxl.load_workbook(folder / "aioi_ryoritsu.xlsx")
    for sheet in book.worksheets:
        row = next(r for r in sheet.iter_rows() if r[0].value == "割引上限の対象")
        row[1].value = cap
        below = row[0].row + 1
        assert sheet.cell(below, 1).value is None
        sheet.cell(below, 1).value, sheet.cell(below, 2).value = "端数処理の方法", rounding
    book.save(folder / "aioi_ryoritsu.xlsx")


def _aig(folder: Path, cap: str, rounding: str) -> None:
    """aig_factors.csv: the Option of the Maximum Credit and Rounding rows."""
    _replace(folder / "aig_factors.csv", ",Maximum Credit,Credits Only,", f",Maximum Credit,{cap},")
    for line in ("Cyber", "Technology E&O", "Professional Indemnity"):
        _replace(folder / "aig_factors.csv", f"{line},Rounding,,", f"{line},Rounding,{rounding},")


EDITS: dict[Carrier, Callable[[Path, str, str], None]] = {
    Carrier.TOKIO_MARINE: _tokio,
    Carrier.MITSUI_SUMITOMO: _mitsui,
    Carrier.SOMPO_JAPAN: _sompo,
    Carrier.AIOI_NISSAY_DOWA: _aioi,
    Carrier.AIG: _aig,
}
# What each sample file says: 東京海上日動 and AIG cap the credits alone (「割引の合計はこの率まで」, Credits Only),
# the others the credits net of the debits; every carrier rounds up.
AS_DELIVERED: dict[Carrier, Steps] = {
    Carrier.TOKIO_MARINE: CAP_ON_CREDITS,
    Carrier.MITSUI_SUMITOMO: CAP_ON_NET,
    Carrier.SOMPO_JAPAN: CAP_ON_NET,
    Carrier.AIOI_NISSAY_DOWA: CAP_ON_NET,
    Carrier.AIG: CAP_ON_CREDITS,
}


def _premiums(data: CarrierData, **changes: object) -> dict[str, int | None]:
    return {q.plan.code: q.premium_jpy for q in Rater([data]).quote(applicant(**changes), TODAY)}


@pytest.mark.parametrize("carrier", list(EDITS), ids=[c.value for c in EDITS])
def test_the_sample_files_say_what_the_cap_limits_and_how_premiums_round(carrier: Carrier) -> None:
    data = load_carrier(carrier)
    assert {t.line: t.steps for t in data.rate_tables} == {t.line: AS_DELIVERED[carrier] for t in data.rate_tables}
    assert {t.rounding_mode for t in data.rate_tables} == {RoundingMode.UP}


# The larger SaaS company of test_rating_carriers.py (revenue 30億円, every control, one incident, 3億円 / 100万円,
# lost-profit rider) on each carrier's plan below; the premium before the rounding unit, then the edited direction.
LARGE = {
    "industry": Industry.SAAS,
    "annual_revenue_jpy": 3_000_000_000,
    "riders": frozenset({CoverageKey.LOST_PROFIT}),
    "incidents_3y": 1,
    "controls": frozenset(SecurityControl),
    "limit_jpy": 300_000_000,
    "deductible_jpy": 1_000_000,
    "records_held": 50_000,
    "lines": (Line.CYBER, Line.IT_EO),
}
ROUNDED = [
    # 1,594,972 (test_rating_carriers) → 10円未満切捨て: 1,594,970 (切上げ gave 1,594,980)
    (Carrier.TOKIO_MARINE, "割増引の合計", "切捨て", "TMC-W", CAP_ON_NET, RoundingMode.DOWN, 1_594_970),
    # 5,738,546 → 100円単位（四捨五入）: 46 of 100 rounds down, 5,738,500 (切上げ gave 5,738,600)
    (Carrier.MITSUI_SUMITOMO, "割引のみ", "四捨五入", "CP-W", CAP_ON_CREDITS, RoundingMode.HALF_UP, 5_738_500),
    # ITS-STD (IT E&O, no lost-profit rider on it): 3,460,000 (class C, 30億–50億) × (1.00 × 1.24 × 0.87 = 1.0788)
    # = 3,732,648; credits −26% capped at −20%, +20% incident: 0.96 → 3,583,342.08 → 3,583,342 → ROUND_DOWN to ¥100:
    # 3,583,300 (ROUND_UP gave 3,583,400)
    (Carrier.SOMPO_JAPAN, "DISCOUNTS_ONLY", "ROUND_DOWN", "ITS-STD", CAP_ON_CREDITS, RoundingMode.DOWN, 3_583_300),
    # 3,114,936 → 切捨て to ¥10: 3,114,930 (切上げ gave 3,114,940)
    (Carrier.AIOI_NISSAY_DOWA, "割引のみ", "切捨て", "ADW-CY-W", CAP_ON_CREDITS, RoundingMode.DOWN, 3_114_930),
    # 1,895,653 → Down to ¥100: 1,895,600 (Up gave 1,895,700)
    (Carrier.AIG, "Net of Debits", "Down", "CE-PRO", CAP_ON_NET, RoundingMode.DOWN, 1_895_600),
]


@pytest.mark.parametrize(("carrier", "cap", "rounding", "plan", "steps", "mode", "premium"), ROUNDED, ids=[r[0].value for r in ROUNDED])
def test_a_carrier_that_says_otherwise_is_rated_as_it_says(
    tmp_path: Path, carrier: Carrier, cap: str, rounding: str, plan: str, steps: Steps, mode: RoundingMode, premium: int
) -> None:
    EDITS[carrier](_copy(tmp_path, carrier), cap, rounding)
    data = load_carrier(carrier, tmp_path)
    assert {t.steps for t in data.rate_tables} == {steps}
    assert {t.rounding_mode for t in data.rate_tables} == {mode}
    assert _premiums(data, **LARGE)[plan] == premium


# An SI company (revenue 5億円, 1億円 / 10万円, no incident, no rider) with every control but MFA: credits −21%,
# over the −20% cap, and +10% for MFA missing. Where the cap stands is then worth 1% of the premium.
ALL_BUT_MFA = {"riders": frozenset(), "incidents_3y": 0, "controls": frozenset(SecurityControl) - {SecurityControl.MFA}}
ORDER = [
    # 三井住友海上 CP-E: 1,100,000 × 0.80 = 880,000. As delivered (割引・割増通算): −21% + 10% = −11%, above the cap
    # → 880,000 × 0.89 = 783,200. 割引のみ: −21% capped at −20%, then +10% = −10% → 792,000.
    (Carrier.MITSUI_SUMITOMO, "CP-E", "割引のみ", "切上げ", 783_200, 792_000),
    # あいおいニッセイ同和 ADW-CY-B: 950,000. As delivered (割引と割増の合計): −11% → 845,500. 割引のみ: −10% → 855,000.
    (Carrier.AIOI_NISSAY_DOWA, "ADW-CY-B", "割引のみ", "切上げ", 845_500, 855_000),
]


@pytest.mark.parametrize(("carrier", "plan", "cap", "rounding", "delivered", "edited"), ORDER, ids=[o[0].value for o in ORDER])
def test_where_the_cap_stands_is_the_carriers_data(
    tmp_path: Path, carrier: Carrier, plan: str, cap: str, rounding: str, delivered: int, edited: int
) -> None:
    assert _premiums(load_carrier(carrier), **ALL_BUT_MFA)[plan] == delivered
    EDITS[carrier](_copy(tmp_path, carrier), cap, rounding)
    assert _premiums(load_carrier(carrier, tmp_path), **ALL_BUT_MFA)[plan] == edited


UNREADABLE = [
    (Carrier.TOKIO_MARINE, "割引だけ", "切上げ", ("tmn_cyber_rates.xlsx", "割増引"), "項目"),
    (Carrier.TOKIO_MARINE, "割引のみ", "端数調整", ("tmn_cyber_rates.xlsx", "割増引"), "項目"),
    (Carrier.MITSUI_SUMITOMO, "割引のみ", "丸め", ("料率.csv", None), "値"),
    (Carrier.SOMPO_JAPAN, "NET", "ROUND_UP", ("rates.json", None), "maxDiscountBasis"),
    (Carrier.AIOI_NISSAY_DOWA, "割引のみ", "切上げ・切捨て", ("aioi_ryoritsu.xlsx", "サイバー料率"), "B"),
    (Carrier.AIG, "Credits Only", "Nearest", ("aig_factors.csv", None), "Option"),
]


@pytest.mark.parametrize(("carrier", "cap", "rounding", "place", "column"), UNREADABLE, ids=[f"{u[0].value}-{u[2]}" for u in UNREADABLE])
def test_words_that_do_not_say_are_refused_by_place(
    tmp_path: Path, carrier: Carrier, cap: str, rounding: str, place: tuple[str, str | None], column: str
) -> None:
    EDITS[carrier](_copy(tmp_path, carrier), cap, rounding)
    with pytest.raises(CarrierDataError) as caught:
        load_carrier(carrier, tmp_path)
    assert (caught.value.file, caught.value.sheet) == place
    assert column in (caught.value.column or "")
