"""Amounts as carriers and customers write them, read to int yen and written back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.errors import AmountError
from aggregator.money import format_yen, parse_yen


@pytest.mark.parametrize(
    ("text", "yen"),
    [
        ("1億円", 100_000_000),
        ("1億5,000万円", 150_000_000),
        ("5,000万円", 50_000_000),
        ("5000万円", 50_000_000),
        ("1,000 万円", 10_000_000),
        ("1,000万", 10_000_000),
        ("５，０００万円", 50_000_000),
        ("¥10,000,000", 10_000_000),
        ("￥10,000,000", 10_000_000),
        ("JPY 10,000,000", 10_000_000),
        ("10,000,000 JPY", 10_000_000),
        ("50M", 50_000_000),
        ("1.5M", 1_500_000),
        ("JPY 5M", 5_000_000),
        ("10,000,000円", 10_000_000),
        ("500円", 500),
        ("最大1億円まで", 100_000_000),
        ("限度額 約3,000万円", 30_000_000),
        ("支払限度額:5,000万円限度", 50_000_000),
        ("②1億円", 100_000_000),
        ("1億円(*2)", 100_000_000),
        ("1億円（※1）", 100_000_000),
        ("1事故 1,000万円", 10_000_000),
        ("1名につき1,000円", 1_000),
        ("5千万円", 50_000_000),
        ("5百万円", 5_000_000),
        ("1億5百万円", 105_000_000),
        ("3百円", 300),
        ("2.5億円", 250_000_000),
        ("12億3,456万7,891円", 1_234_567_891),
        ("10 million yen", 10_000_000),
        ("１０００００００", 10_000_000),
    ],
)
def test_reads_amounts_as_documents_write_them(text: str, yen: int) -> None:
    assert parse_yen(text) == yen


@pytest.mark.parametrize(
    ("text", "unit", "yen"),
    [
        ("5,000", "万円", 50_000_000),
        ("1,234", "千円", 1_234_000),
        ("30", "億円", 3_000_000_000),
        ("500円", "千円", 500),  # an amount with its own unit keeps it
        ("1億円", "万円", 100_000_000),
        (Decimal("5000.0"), "万円", 50_000_000),
        (3000, "万円", 30_000_000),
    ],
)
def test_column_unit_applies_to_bare_numbers_only(text: str | int | Decimal, unit: str, yen: int) -> None:
    assert parse_yen(text, unit=unit) == yen


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("なし", "読めません"),
        ("", "空"),
        ("1億円/3,000万円", "複数"),
        ("2,000万円〜10億円", "複数"),
        ("$100", "通貨"),
        ("USD 1M", "通貨"),
        ("-1,000円", "負"),
        ("▲500万円", "負"),
        ("1,0000円", "カンマ"),
        ("1.5円", "端数"),
        ("億円", "読めません"),
        ("fifty million", "読めません"),
        ("1e6", "読めません"),  # not ¥6: a figure glued to letters is not an amount
        ("2E8", "読めません"),
        ("Q3", "読めません"),
    ],
)
def test_unreadable_amounts_name_the_text(text: str, reason: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_yen(text)
    assert reason in str(caught.value)
    assert repr(text) in str(caught.value)


def test_unknown_column_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown column unit"):
        parse_yen("100", unit="ドル")


@pytest.mark.parametrize(
    ("yen", "ja", "en"),
    [
        (0, "0円", "¥0"),
        (500, "500円", "¥500"),
        (12_345, "1万2,345円", "¥12,345"),
        (50_000_000, "5,000万円", "¥50,000,000"),
        (100_000_000, "1億円", "¥100,000,000"),
        (150_000_000, "1億5,000万円", "¥150,000,000"),
        (1_000_000_000, "10億円", "¥1,000,000,000"),
    ],
)
def test_formats_japanese_and_english(yen: int, ja: str, en: str) -> None:
    assert format_yen(yen, "ja") == ja
    assert format_yen(yen, "en") == en


def test_format_refuses_float() -> None:
    with pytest.raises(TypeError):
        format_yen(1.5)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["ja", "en"]))
def test_round_trip(yen: int, lang: str) -> None:
    assert parse_yen(format_yen(yen, lang)) == yen  # type: ignore[arg-type]
