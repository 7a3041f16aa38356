"""read_amount(): an amount text read into its parts as carriers write them, or refused with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.errors import AmountError
from aggregator.money import AmountText, parse_yen, read_amount


@pytest.mark.parametrize(
    ("text", "amount", "deductible"),
    [
        ("1,000万円(免責10万円)", 10_000_000, 100_000),
        ("1億円（免責金額：100万円）", 100_000_000, 1_000_000),
        ("5,000万円(自己負担額10万円)", 50_000_000, 100_000),
        ("3,000万円(免責なし)", 30_000_000, 0),
        ("JPY 10M (Retention JPY 100K)", 10_000_000, 100_000),
    ],
)
def test_a_limit_with_its_deductible_in_brackets_is_read_into_both(text: str, amount: int, deductible: int) -> None:
    read = read_amount(text)
    assert (read.amount_jpy, read.deductible_jpy, read.approximate) == (amount, deductible, False)


def test_a_bracketed_deductible_in_a_column_of_man_yen_follows_the_column() -> None:
    assert read_amount("1,000(免責10)", unit="万円") == AmountText("1,000(免責10)", 10_000_000, deductible_jpy=100_000)


@pytest.mark.parametrize(
    ("text", "amount", "per"),
    [
        ("5,000円/台", 5_000, "台"),
        ("20万円／台", 200_000, "台"),
        ("1台あたり20万円", 200_000, "台"),
        ("1名につき1,000円", 1_000, "名"),
        ("500円/人", 500, "人"),
        ("1法人あたり5万円", 50_000, "法人"),
        ("1請求につき1億円", 100_000_000, "1請求"),
        ("1事故・保険期間中 1,000万円", 10_000_000, "1事故・保険期間中"),
        ("1億円(1請求・保険期間中)", 100_000_000, "1請求・保険期間中"),
        ("保険期間中 3億円", 300_000_000, "保険期間中"),
        ("JPY 10M (each claim)", 10_000_000, "1請求"),
        ("JPY 1,000 per person", 1_000, "名"),
    ],
)
def test_what_an_amount_is_per_is_read_beside_it(text: str, amount: int, per: str) -> None:
    read = read_amount(text)
    assert (read.amount_jpy, read.per) == (amount, per)


@pytest.mark.parametrize(
    ("text", "exception"),
    [
        ("1億円(ただし風評被害対策費用は1,000万円)", "ただし風評被害対策費用は1,000万円"),
        ("1億円（但し、海外での請求は5,000万円）", "但し、海外での請求は5,000万円"),
        ("1億円 ただし身代金は対象外", "ただし身代金は対象外"),
        ("5,000万円(うちデータ復旧費用は500万円)", "うちデータ復旧費用は500万円"),
    ],
)
def test_an_exception_is_kept_as_words_and_the_main_figure_read(text: str, exception: str) -> None:
    read = read_amount(text)
    assert read.exception == exception
    assert read.amount_jpy in (100_000_000, 50_000_000)


@pytest.mark.parametrize(
    "text", ["約1億円", "1億円程度", "1億円超", "5,000万円以上", "3,000万円前後", "およそ2億円", "approx. JPY 50M", "1億円(約)"]
)
def test_an_approximate_figure_is_flagged_never_exact(text: str) -> None:
    assert read_amount(text).approximate


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("5万人へ500円で2,500万円", "例示"),
        ("500円×50,000件=2,500万円", "例示"),
        ("例:1,000人×500円", "例示"),
        ("1,000万円〜3,000万円", "範囲"),
        ("1,000〜3,000万円", "範囲"),
        ("1億円(要相談)", "括弧内の「要相談」"),
        ("1億円(免責10ドル)", "免責金額"),
        ("1,000万円・5,000万円", "複数"),
        ("USD 1M", "円以外"),
        ("", "空"),
        ("未定", "金額として読めません"),
    ],
)
def test_what_cannot_be_read_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(AmountError) as caught:
        read_amount(text)
    assert reason in caught.value.reason
    assert caught.value.text == text


def test_a_plain_figure_has_no_parts_and_agrees_with_parse_yen() -> None:
    for text in ("1億円", "5,000万円", "JPY 50M", "¥10,000,000", "1億5,000万円"):
        assert read_amount(text) == AmountText(text, parse_yen(text))
    assert read_amount(5000, unit="万円").amount_jpy == 50_000_000


def test_parse_yen_still_refuses_two_amounts_in_one_cell() -> None:
    with pytest.raises(AmountError):
        parse_yen("1,000万円(免責10万円)")


@given(st.text(max_size=40))
def test_read_amount_either_reads_or_says_why(text: str) -> None:
    try:
        read = read_amount(text)
    except AmountError as exc:
        assert exc.reason
    else:
        assert read.amount_jpy >= 0
