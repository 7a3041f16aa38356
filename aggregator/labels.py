"""Words for the schema's codes in Japanese and English, shared by every presentation."""

from __future__ import annotations

from aggregator.money import Lang, format_yen
from aggregator.schema import (
    CARRIER_NAMES,
    LINE_NAMES,
    Carrier,
    LimitBasis,
    Line,
    TermStatus,
    Trigger,
)

STATUS_LABELS: dict[TermStatus, tuple[str, str]] = {
    TermStatus.INCLUDED: ("補償あり", "Included"),
    TermStatus.SUBLIMITED: ("内枠限度額", "Sublimit"),
    TermStatus.OPTIONAL_RIDER: ("特約(オプション)", "Optional rider"),
    TermStatus.CONDITIONAL: ("条件付き", "Conditional"),
    TermStatus.NOT_OFFERED: ("補償なし", "Not offered"),
    TermStatus.UNKNOWN: ("不明(要確認)", "Unknown (to check)"),
}

BASIS_LABELS: dict[LimitBasis, tuple[str, str]] = {
    LimitBasis.PER_INCIDENT: ("1事故につき", "per incident"),
    LimitBasis.PER_CLAIM: ("1請求につき", "per claim"),
    LimitBasis.AGGREGATE: ("保険期間中", "aggregate"),
    LimitBasis.BOTH: ("1事故・保険期間中", "per incident and aggregate"),
    LimitBasis.CLAIM_AND_AGGREGATE: ("1請求・保険期間中", "per claim and aggregate"),
}

TRIGGER_LABELS: dict[Trigger, tuple[str, str]] = {
    Trigger.CLAIMS_MADE: ("損害賠償請求ベース", "claims made"),
    Trigger.DISCOVERY: ("発見ベース", "discovery"),
    Trigger.OCCURRENCE: ("事故発生ベース", "occurrence"),
}

SAMPLE_NOTICE = (
    "サンプルデータ: 保険会社の補償内容・保険料はすべて架空の見本です。実際の商品・保険料ではありません。",
    "Sample data: every carrier's terms and premiums shown here are invented, not real products or prices.",
)


def pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang == "en" else pair[0]


def carrier_name(carrier: Carrier, lang: Lang = "ja") -> str:
    return pick(CARRIER_NAMES[carrier], lang)


def line_name(line: Line, lang: Lang = "ja") -> str:
    return pick(LINE_NAMES[line], lang)


def limit_text(limit_jpy: int | None, lang: Lang = "ja") -> str:
    """A term's limit: an amount, or 'up to the limit above it' (not the same as ¥0)."""
    if limit_jpy is None:
        return "上位の限度額まで" if lang == "ja" else "up to the limit above"
    return format_yen(limit_jpy, lang)
