"""Short words for comparison cells and quote columns, shared by the terminal, the web page and the workbook."""

from __future__ import annotations

from aggregator.codes import CellKind, Trigger
from aggregator.comparison import Cell, Column, NotSold
from aggregator.contract_check import contractual_exclusion
from aggregator.labels import BASIS_LABELS, KIND_LABELS, TRIGGER_LABELS, line_name, pick, quote_status
from aggregator.money import Lang, format_premium, format_yen
from aggregator.payment import PoolUse
from aggregator.plans import POLICY_POOL, Plan
from aggregator.quotes import Quote
from aggregator.taxonomy import KEY_INFO, Category


def yen(amount: int | None, lang: Lang = "ja") -> str:
    return "—" if amount is None else format_yen(amount, lang)


# Shown after a carrier's text that is not in the page's language (its files give only the other).
FALLBACK_MARK = ("(英語のみ)", "(Japanese only)")


def localized_parts(ja: str, en: str, lang: Lang = "ja") -> tuple[str, bool]:
    """A carrier's text in the page's language, and True when only the other language's was given.

    `ja` is the Japanese (a carrier that writes only English puts the same words in both), `en` the English or "".
    """
    if lang == "en":
        return (en, False) if en else (ja, bool(ja))
    if ja and ja != en:
        return ja, False
    return (ja or en), bool(ja or en)


def localized(ja: str, en: str, lang: Lang = "ja") -> str:
    """The text with a marker when it is the other language's: (英語のみ) on a Japanese page, (Japanese only) on an English one."""
    text, fallback = localized_parts(ja, en, lang)
    return f"{text} {pick(FALLBACK_MARK, lang)}" if fallback else text


def plan_name(plan: Plan, lang: Lang = "ja") -> str:
    return localized(plan.name, plan.name_en, lang)


def plan_exclusions(plan: Plan, lang: Lang = "ja") -> tuple[tuple[str, ...], bool]:
    """The plan's main exclusions in the page's language, and True when they are the other language's."""
    if lang == "en":
        return (plan.exclusions_en, False) if plan.exclusions_en else (plan.exclusions, bool(plan.exclusions))
    if plan.exclusions and plan.exclusions != plan.exclusions_en:
        return plan.exclusions, False
    chosen = plan.exclusions or plan.exclusions_en
    return chosen, bool(chosen)


def cell_conditions(cell: Cell, lang: Lang = "ja") -> str:
    return localized(cell.conditions, cell.conditions_en, lang)


UNSTATED = ("要確認", "To check")
NARROWER = ("範囲限定", "narrower")


def cell_text(cell: Cell, lang: Lang = "ja") -> str:
    """One line for a cell: the most it pays, and what kind of cover it is when that matters."""
    kind = pick(KIND_LABELS[cell.kind], lang)
    if cell.kind in (CellKind.NOT_OFFERED, CellKind.UNKNOWN, CellKind.ZERO, CellKind.RIDER):
        return kind
    if not cell.limit_stated:
        return pick(UNSTATED, lang)
    text = yen(cell.effective_jpy, lang)
    extras = []
    if cell.payout_ratio_pct != 100:
        extras.append(f"{cell.payout_ratio_pct}%")
    if cell.kind in (CellKind.CONDITIONAL, CellKind.RIDER_INCLUDED):
        extras.append(kind)
    if cell.scope:
        extras.append(pick(NARROWER, lang))
    if extras:
        text += f" ({', '.join(extras)})"
    return text


def cell_notes(cell: Cell, policy_deductible_jpy: int, lang: Lang = "ja") -> tuple[str, ...]:
    """The terms behind a cell that change what it pays: scope, payout ratio, its own deductible, caps, waiting, its pool."""
    if cell.kind in (CellKind.NOT_OFFERED, CellKind.UNKNOWN, CellKind.RIDER):
        return ()
    ja = lang != "en"
    notes: list[str] = []
    if cell.scope:
        notes.append(f"範囲: {cell.scope}" if ja else f"Scope: {cell.scope_en or cell.scope}")
    if not cell.limit_stated:
        notes.append(
            "この項目固有の支払限度額が資料にありません(約款で確認が必要です)"
            if ja
            else "The carrier states no limit of its own for this item: check the wording"
        )
    if cell.payout_ratio_pct != 100:
        r = cell.payout_ratio_pct
        notes.append(f"損害額の{r}%を限度額まで支払い" if ja else f"pays {r}% of the loss, up to the limit")
    if cell.own_deductible and cell.deductible_jpy != policy_deductible_jpy:
        d = cell.deductible_jpy
        notes.append(
            (f"この項目の免責{format_yen(d)}" if d else "この項目は免責なし")
            if ja
            else (f"own deductible {format_yen(d, 'en')}" if d else "no deductible on this item")
        )
    if cell.per_victim is not None:
        caps = []
        if cell.per_victim.per_person_jpy is not None:
            caps.append(
                f"1名{format_yen(cell.per_victim.per_person_jpy)}" if ja else f"{format_yen(cell.per_victim.per_person_jpy, 'en')} a person"
            )
        if cell.per_victim.per_company_jpy is not None:
            caps.append(
                f"1法人{format_yen(cell.per_victim.per_company_jpy)}"
                if ja
                else f"{format_yen(cell.per_victim.per_company_jpy, 'en')} a company"
            )
        notes.append(("・".join(caps) + "まで") if ja else "up to " + ", ".join(caps))
    if cell.waiting_hours:
        notes.append(f"待機期間{cell.waiting_hours}時間" if ja else f"{cell.waiting_hours}-hour waiting period")
    if cell.parent != POLICY_POOL:
        notes.append(f"{cell.parent_label}の内枠" if ja else f"inside {cell.parent_label_en or cell.parent_label}")
    if cell.basis is not None and KEY_INFO[cell.key].category is Category.LIABILITY:
        notes.append(pick(BASIS_LABELS[cell.basis], lang))
    return tuple(notes)


def pool_label(pool: PoolUse, lang: Lang = "ja") -> str:
    return pool.label_en if lang == "en" else pool.label_ja


def plan_terms(quote: Quote, lang: Lang = "ja") -> tuple[tuple[str, str], ...]:
    """A plan's main conditions and exclusions (主な条件・免責), as label and text, for every surface."""
    plan, ja = quote.plan, lang != "en"
    rows: list[tuple[str, str]] = [("補償の基準" if ja else "Trigger", pick(TRIGGER_LABELS[plan.trigger], lang))]
    liability = plan.term(next(k for k, info in KEY_INFO.items() if info.category is Category.LIABILITY))
    if liability is not None and liability.offered:
        basis = pick(BASIS_LABELS[liability.basis], lang)
        rows.append(
            (
                "賠償の支払限度額" if ja else "Liability limit",
                f"{format_yen(quote.limit_jpy, lang)}({basis})" if ja else f"{format_yen(quote.limit_jpy, lang)} ({basis})",
            )
        )
    if plan.trigger is Trigger.CLAIMS_MADE:
        stated = plan.retroactive or ("資料に記載なし(要確認)" if ja else "not stated (to check)")
        rows.append(("遡及日" if ja else "Retroactive date", stated))
    for pool in plan.pools:
        name = pool.label_en if not ja else pool.label_ja
        rows.append(
            (
                name,
                f"{format_yen(pool.limit_jpy, lang)}({pick(BASIS_LABELS[pool.basis], lang)})"
                if ja
                else f"{format_yen(pool.limit_jpy, lang)} ({pick(BASIS_LABELS[pool.basis], lang)})",
            )
        )
    waits = sorted({t.waiting_hours for t in plan.terms if t.waiting_hours and t.offered})
    if waits:
        rows.append(("待機期間(利益損害)" if ja else "Waiting period", "・".join(f"{h}時間" if ja else f"{h} h" for h in waits)))
    exclusions, other_language = plan_exclusions(plan, lang)
    if contractual_exclusion(plan) is not None:
        rows.append(
            (
                "契約で加重された賠償責任" if ja else "Liability assumed by contract",
                "補償されません: 法律上の責任を超えて契約で約束した賠償(上限なしの条項など)は支払われません"
                if ja
                else "Not covered: what a contract promises beyond the liability at law (an uncapped clause, say) is not paid",
            )
        )
    if exclusions:
        text = ("、" if ja != other_language else "; ").join(exclusions)  # the separator of the language shown
        rows.append(("主な免責" if ja else "Main exclusions", f"{text} {pick(FALLBACK_MARK, lang)}" if other_language else text))
    return tuple(rows)


def status_text(column: Column, lang: Lang = "ja") -> str:
    return quote_status(column.quote.status, lang)


def premium_text(column: Column, lang: Lang = "ja") -> str:
    premium = column.quote.premium_jpy
    if premium is None:
        return "—"
    text = format_premium(premium, lang)
    return text if column.quote.status.value == "quoted" else f"{text} ({'参考' if lang == 'ja' else 'reference'})"


def nearest_product(ns: NotSold, lang: Lang = "ja") -> str:
    """The product a carrier that does not sell the line asked sells instead: its name, and its line when that says more."""
    if ns.nearest_line is None:
        return "—"
    line = line_name(ns.nearest_line, lang)
    return ns.nearest_product if ns.nearest_product in (line, "") or line in ns.nearest_product else f"{ns.nearest_product}({line})"


__all__ = ["KIND_LABELS", "cell_notes", "cell_text", "nearest_product", "plan_terms", "pool_label", "premium_text", "status_text", "yen"]
