"""The comparison workbook's other sheets: the recommendation, each carrier's wording, the needs, underwriting and notes."""

from __future__ import annotations

from typing import Any

from aggregator.codes import QuoteStatus, TermStatus
from aggregator.comparison import Column, Comparison
from aggregator.export_book import Book, merge, wrapped_height
from aggregator.labels import (
    APPLICANT_LABELS,
    ASSUMPTION_LABELS,
    BASIS_LABELS,
    CONTRACT_TYPE_NAMES,
    CONTROL_NAMES,
    INDUSTRY_NAMES,
    PRIORITY_LABELS,
    SAMPLE_NOTICE,
    STATUS_LABELS,
    TRIGGER_LABELS,
    carrier_name,
    limit_text,
    pick,
    quote_status,
)
from aggregator.plans import POLICY_POOL, CoverageTerm
from aggregator.present import FALLBACK_MARK, localized, plan_exclusions, plan_name
from aggregator.taxonomy import CATEGORY_LABELS, KEY_INFO, CoverageKey, label
from aggregator.xlsxstyle import count_format, date_format, date_text, sheet_text, shortfall_format, yen_format, zero_format


def fingerprint(comparison: Comparison) -> str:
    """The same SHA-256 a stored recommendation record carries, tying the workbook to it."""
    from aggregator.recommendation import fingerprint as sha
    from aggregator.serialize import comparison_to_data

    return sha(comparison_to_data(comparison))


def _table_header(b: Book, ws: Any, row: int, keys: list[str]) -> None:
    for col, key in enumerate(keys):
        ws.write_string(row, col, b.t(key), b.styles.get("header"))
    ws.set_row(row, 30)


def _plan_name(b: Book, column: Column) -> str:
    return f"{carrier_name(column.quote.carrier, b.lang)} {plan_name(column.quote.plan, b.lang)}"


# --------------------------------------------------------------- ご提案 ---

REC_WIDTHS = [8, 20, 30, 14, 16, 16, 12, 76]


def recommendation_sheet(b: Book, sha256: str) -> None:
    """Who advises, what the customer asked for, the plan proposed and why, every plan compared: the 比較推奨 record.

    Before a broker has confirmed the wishes the plan is a candidate from the customer's input (ご希望に基づく候補);
    after, the broker's record: the wishes as first heard and as confirmed, the plan, departures and their reasons.
    """
    ws = b.sheet("sheet.recommendation", REC_WIDTHS)
    row = b.head(ws, len(REC_WIDTHS) - 1, b.t("rec.title"))
    row = agency_rows(b, ws, row)
    row = _wishes(b, ws, row + 1) if b.record is None else _confirmed(b, ws, row + 1)
    row = _ranking(b, ws, row + 1)
    _record(b, ws, row + 1, sha256)


def agency_rows(b: Book, ws: Any, row: int) -> int:
    """The agency's name, registration, authority and recommendation policy (保険業法 294条の2), one row each."""
    if b.agency is None:
        return row
    merge(ws, row, 0, len(REC_WIDTHS) - 1, b.t("agency.title"), b.styles.get("group"))
    row += 1
    for name, value in b.agency.lines(b.lang):
        row = _pair_text(b, ws, row, name, value)
    return row


def _pair(b: Book, ws: Any, row: int, key: str, value: str | int | None, *, yen: bool = False) -> int:
    """A label and its value across the sheet; returns the next row."""
    if yen and isinstance(value, int):
        merge(ws, row, 0, 1, b.t(key), b.styles.get("label"))
        b.yen(ws, row, 2, value, "row")
        return row + 1
    return _pair_text(b, ws, row, b.t(key), "—" if value in (None, "") else str(value))


def _pair_text(b: Book, ws: Any, row: int, name: str, shown: str) -> int:
    st, last = b.styles, len(REC_WIDTHS) - 1
    merge(ws, row, 0, 1, name, st.get("label"))
    merge(ws, row, 2, last, shown, st.get("row", "wrap"))
    ws.set_row(row, wrapped_height([(shown, sum(REC_WIDTHS[2:])), (name, sum(REC_WIDTHS[:2]))]))
    return row + 1


def _wishes(b: Book, ws: Any, row: int) -> int:
    st, lang, last = b.styles, b.lang, len(REC_WIDTHS) - 1
    priorities = b.comparison.priorities
    merge(ws, row, 0, last, b.t("rec.wishes"), st.get("group"))
    row = _pair(b, ws, row + 1, "rec.order", " → ".join(pick(PRIORITY_LABELS[p], lang) for p in priorities.order))
    row = _pair(b, ws, row, "rec.items", "・".join(label(k, lang) for k in priorities.items))
    row = _pair(b, ws, row, "rec.min_limit", priorities.min_limit_jpy, yen=True)
    row = _pair(b, ws, row, "rec.note", priorities.note)
    merge(ws, row + 1, 0, last, b.t("rec.candidate"), st.get("group"))
    row += 2
    merge(ws, row, 0, last, b.t("rec.candidate_note"), st.get("row", "wrap", "muted"))
    row += 1
    proposed = b.comparison.columns[b.advice.proposed] if b.advice.proposed is not None else None
    row = _pair(b, ws, row, "rec.plan", _plan_name(b, proposed) if proposed is not None else b.t("rec.none"))
    if proposed is not None:
        row = _pair(b, ws, row, "cmp.premium", proposed.quote.premium_jpy, yen=True)
    reasons = b.advice.reasons_en if lang == "en" else b.advice.reasons_ja
    row = _lines(b, ws, row, b.t("rec.why"), list(reasons))
    tradeoffs = b.advice.tradeoffs_en if lang == "en" else b.advice.tradeoffs_ja
    return _lines(b, ws, row, b.t("rec.tradeoffs"), list(tradeoffs)) if tradeoffs else row


def _lines(b: Book, ws: Any, row: int, name: str, lines: list[str]) -> int:
    """A label beside several lines of text, one row each."""
    st, last = b.styles, len(REC_WIDTHS) - 1
    merge(ws, row, 0, 1, name, st.get("label"))
    for text in lines or ["—"]:
        merge(ws, row, 2, last, text, st.get("row", "wrap"))
        ws.set_row(row, wrapped_height([(text, sum(REC_WIDTHS[2:]))]))
        row += 1
    return row


def _wish_rows(b: Book, ws: Any, row: int, wishes: Any) -> int:
    from aggregator.compliance import FIELD_LABELS, wish_text

    for name, pair in FIELD_LABELS.items():
        row = _pair_text(b, ws, row, pick(pair, b.lang), wish_text(wishes, name, b.lang))
    return row


def _confirmed(b: Book, ws: Any, row: int) -> int:
    """The broker's record: 意向把握 → 意向確認 → 比較推奨, with the day the key facts were explained."""
    record = b.record
    assert record is not None
    st, lang, last = b.styles, b.lang, len(REC_WIDTHS) - 1
    merge(ws, row, 0, last, b.t("rec.initial"), st.get("group"))
    row = _wish_rows(b, ws, row + 1, record.initial)
    merge(ws, row + 1, 0, last, b.t("rec.final"), st.get("group"))
    row = _wish_rows(b, ws, row + 2, record.final)
    row = _lines(b, ws, row, b.t("rec.changes"), [c.text(lang) for c in record.changes] or [b.t("rec.no_change")])
    if record.change_note:
        row = _pair_text(b, ws, row, b.t("rec.change_note"), record.change_note)
    merge(ws, row + 1, 0, last, b.t("rec.confirmed"), st.get("group"))
    row = _pair_text(b, ws, row + 2, b.t("rec.plan"), record.plan.title(lang))
    if record.plan.premium_jpy is not None:
        row = _pair(b, ws, row, "cmp.premium", record.plan.premium_jpy, yen=True)
    row = _lines(b, ws, row, b.t("rec.why"), [line for line in record.reasons.splitlines() if line.strip()])
    departures = [f"{d.text(lang)} — {d.reason}" for d in record.departures] or [b.t("rec.no_departure")]
    row = _lines(b, ws, row, b.t("rec.departures"), departures)
    if record.version is not None:
        row = _pair_text(b, ws, row, b.t("rec.version"), b.t("rec.version_n", n=str(record.version)))
    for key, day in (("rec.proposed_on", record.proposed_on), ("rec.explained", record.explained_on)):
        merge(ws, row, 0, 1, b.t(key), st.get("label"))
        if day is not None:
            ws.write_datetime(row, 2, day, st.get("row", num=date_format(lang)))
        else:
            ws.write_string(row, 2, "—", st.get("row"))
        row += 1
    return _pair_text(b, ws, row, b.t("rec.by"), record.by or "—")


def _ranking(b: Book, ws: Any, row: int) -> int:
    st, lang, comparison = b.styles, b.lang, b.comparison
    merge(ws, row, 0, len(REC_WIDTHS) - 1, b.t("rec.compared"), st.get("group"))
    _table_header(
        b,
        ws,
        row + 1,
        ["rec.rank", "rec.carrier", "rec.plan_name", "cmp.status", "cmp.premium", "cmp.total_short", "rec.rate", "rec.explain"],
    )
    row += 2
    for ranked in comparison.ranking:
        column = comparison.columns[ranked.column]
        quote = column.quote
        mark = ("proposed",) if ranked.column == b.marked else ()
        if ranked.rank is None:
            ws.write_string(row, 0, b.t("cmp.excluded"), st.get("row", "center", "muted"))
        else:
            ws.write_number(row, 0, ranked.rank, st.get("row", "center", *mark, num='"#"0' if lang == "en" else '0"位"'))
        ws.write_string(row, 1, carrier_name(quote.carrier, lang), st.get("row", "wrap", *mark))
        ws.write_string(row, 2, sheet_text(plan_name(quote.plan, lang)), st.get("row", "wrap", *mark))
        ws.write_string(row, 3, quote_status(quote.status, lang), st.get("row", "wrap"))
        b.yen(ws, row, 4, quote.premium_jpy if quote.status is not QuoteStatus.DECLINED else None, "row")
        short = column.total_shortfall_jpy
        ws.write_number(
            row, 5, short, st.get("row", *(("short",) if short else ()), num=shortfall_format(lang) if short else yen_format(lang))
        )
        ws.write_string(row, 6, sheet_text(quote.rate_version), st.get("row", "center"))
        explanation = "\n".join(f"・{r}" for r in (ranked.reasons_en if lang == "en" else ranked.reasons_ja))
        ws.write_string(row, 7, sheet_text(explanation), st.get("row", "wrap"))
        ws.set_row(row, wrapped_height([(explanation, REC_WIDTHS[7]), (plan_name(quote.plan, lang), REC_WIDTHS[2])]))
        row += 1
    return row


def _record(b: Book, ws: Any, row: int, sha256: str) -> None:
    st, last = b.styles, len(REC_WIDTHS) - 1
    merge(ws, row, 0, last, b.t("rec.record"), st.get("group"))
    merge(ws, row + 1, 0, 1, b.t("rec.as_of"), st.get("label"))
    ws.write_datetime(row + 1, 2, b.as_of, st.get("row", num=date_format(b.lang)))
    merge(ws, row + 2, 0, 1, b.t("rec.fingerprint"), st.get("label"))
    merge(ws, row + 2, 2, last, sha256, st.get("row", "muted"))


# -------------------------------------------------------------- 補償詳細 ---

DETAIL_KEYS = [
    "cmp.item",
    "det.status",
    "det.limit",
    "det.basis",
    "det.parent",
    "det.parent_limit",
    "det.ratio",
    "det.per_person",
    "det.per_company",
    "det.deductible",
    "det.waiting",
    "det.conditions",
    "det.wording",
]
DETAIL_WIDTHS = [30, 16, 17, 17, 22, 16, 8, 12, 12, 17, 9, 34, 30]


def details_sheet(b: Book) -> None:
    """Every plan's terms item by item, in its carrier's own words, with inner limits, ratios, caps and deductibles."""
    ws = b.sheet("sheet.details", DETAIL_WIDTHS)
    last = len(DETAIL_WIDTHS) - 1
    row = b.head(ws, last, b.t("det.title"))
    _table_header(b, ws, row, DETAIL_KEYS)
    ws.repeat_rows(row, row)
    ws.freeze_panes(row + 1, 1)
    row += 1
    for column in b.comparison.columns:
        plan, lang = column.quote.plan, b.lang
        title = b.t(
            "det.plan",
            carrier=carrier_name(plan.carrier, lang),
            plan=plan_name(plan, lang),
            code=plan.code,
            product=plan.product,
            rate=column.quote.rate_version or plan.rate_version,
            trigger=pick(TRIGGER_LABELS[plan.trigger], lang),
        )
        merge(ws, row, 0, last, title, b.styles.get("group"))
        row += 1
        for item in b.comparison.rows:
            _term_row(b, ws, row, column, item.key, plan.term(item.key))
            row += 1
        if plan.retroactive:
            merge(ws, row, 0, last, f"{b.t('det.retroactive')}: {plan.retroactive}", b.styles.get("row", "wrap"))
            row += 1
        exclusions, other_language = plan_exclusions(plan, lang)
        if exclusions:
            joined = ("、" if (lang == "en") == other_language else "; ").join(exclusions) + (
                f" {pick(FALLBACK_MARK, lang)}" if other_language else ""
            )
            merge(ws, row, 0, last, f"{b.t('det.exclusions')}: {joined}", b.styles.get("row", "wrap"))
            ws.set_row(row, wrapped_height([(joined, sum(DETAIL_WIDTHS) - 20)]))
            row += 1


def _term_row(b: Book, ws: Any, row: int, column: Column, key: CoverageKey, term: CoverageTerm | None) -> None:
    st, lang, quote = b.styles, b.lang, column.quote
    ws.write_string(row, 0, label(key, lang), st.get("row", "indent"))
    if term is None:
        ws.write_string(row, 1, pick(STATUS_LABELS[TermStatus.UNKNOWN], lang), st.get("row", "unknown"))
        for col in range(2, len(DETAIL_WIDTHS)):
            ws.write_blank(row, col, None, st.get("row"))
        return
    status = pick(STATUS_LABELS[term.status], lang)
    look = {TermStatus.NOT_OFFERED: "not_offered", TermStatus.UNKNOWN: "unknown", TermStatus.OPTIONAL_RIDER: "rider"}.get(term.status)
    if term.status is TermStatus.OPTIONAL_RIDER and key in quote.riders:
        status, look = b.t("det.rider_taken"), None
    ws.write_string(row, 1, status, st.get("row", "wrap", "center", *((look,) if look else ())))
    if not term.offered:
        b.yen(ws, row, 2, None, "row")
        ws.write_string(row, 3, "—", st.get("row", "center", "muted"))
    elif term.limit_jpy is None:
        ws.write_string(row, 2, limit_text(None, lang), st.get("row", "wrap", "muted"))
        ws.write_string(row, 3, pick(BASIS_LABELS[term.basis], lang), st.get("row", "wrap"))
    else:
        zero = term.limit_jpy == 0
        num = zero_format(lang, b.t("note.zero")) if zero else yen_format(lang)
        ws.write_number(row, 2, term.limit_jpy, st.get("row", *(("zero",) if zero else ()), num=num))
        ws.write_string(row, 3, pick(BASIS_LABELS[term.basis], lang), st.get("row", "wrap"))
    pool = quote.plan.pool(term.parent) if term.parent != POLICY_POOL else None
    ws.write_string(
        row, 4, sheet_text((pool.label_en if lang == "en" else pool.label_ja) if pool else b.t("det.policy_limit")), st.get("row", "wrap")
    )
    b.yen(ws, row, 5, pool.limit_jpy if pool else quote.limit_jpy, "row")
    ws.write_number(row, 6, term.payout_ratio_pct, st.get("row", *(("adjusted",) if term.payout_ratio_pct != 100 else ()), num='0"%"'))
    cap = term.per_victim
    b.yen(ws, row, 7, cap.per_person_jpy if cap else None, "row")
    b.yen(ws, row, 8, cap.per_company_jpy if cap else None, "row")
    if term.deductible_jpy is not None:
        b.yen(ws, row, 9, term.deductible_jpy, "row")
    else:
        b.yen(ws, row, 9, quote.deductible_jpy, "row", "muted", note=b.t("note.policy"))
    if term.waiting_hours is not None:
        ws.write_number(row, 10, term.waiting_hours, st.get("row", num=count_format("時間", "h", lang)))
    else:
        b.yen(ws, row, 10, None, "row")
    conditions = localized(term.conditions, term.conditions_en, lang)
    scope = (term.scope_en or term.scope) if lang == "en" else term.scope
    if scope:
        conditions = f"{b.t('det.scope')}: {scope}\n{conditions}" if conditions else f"{b.t('det.scope')}: {scope}"
    if term.trigger is not None:
        trigger = b.t("det.trigger", trigger=pick(TRIGGER_LABELS[term.trigger], lang))
        conditions = f"{trigger}\n{conditions}" if conditions else trigger
    ws.write_string(row, 11, sheet_text(conditions), st.get("row", "wrap"))
    ws.write_string(row, 12, sheet_text(term.wording), st.get("row", "wrap"))
    ws.set_row(
        row,
        wrapped_height(
            [
                (conditions, DETAIL_WIDTHS[11]),
                (term.wording, DETAIL_WIDTHS[12]),
                (label(key, lang), DETAIL_WIDTHS[0]),
                (status, DETAIL_WIDTHS[1]),
                (pick(BASIS_LABELS[term.basis], lang) if term.offered else "", DETAIL_WIDTHS[3]),
                (limit_text(None, lang) if term.offered and term.limit_jpy is None else "", DETAIL_WIDTHS[2]),
            ]
        ),
    )


# ----------------------------------------------------------- 必要額の試算 ---

NEEDS_WIDTHS = [22, 30, 17, 20, 84]


def needs_sheet(b: Book) -> None:
    """The needs estimate item by item with its basis, every assumption behind it, and the client's answers."""
    ws = b.sheet("sheet.needs", NEEDS_WIDTHS)
    st, lang = b.styles, b.lang
    last = len(NEEDS_WIDTHS) - 1
    row = b.head(ws, last, b.t("needs.title"))
    _table_header(b, ws, row, ["needs.category", "cmp.item", "needs.low", "needs.high", "needs.basis"])
    ws.repeat_rows(row, row)
    ws.freeze_panes(row + 1, 2)
    row += 1
    for item in b.comparison.rows:
        need = item.need
        if need is None:
            continue
        ws.write_string(row, 0, pick(CATEGORY_LABELS[KEY_INFO[item.key].category], lang), st.get("row", "wrap"))
        ws.write_string(row, 1, label(item.key, lang), st.get("row"))
        b.yen(ws, row, 2, need.low_jpy, "row")
        b.yen(ws, row, 3, need.high_jpy, "row", "bold")
        basis = need.basis_en if lang == "en" else need.basis_ja
        ws.write_string(row, 4, sheet_text(basis), st.get("row", "wrap"))
        ws.set_row(row, wrapped_height([(basis, NEEDS_WIDTHS[4])]))
        row += 1
    for note in b.comparison.needs.notes_en if lang == "en" else b.comparison.needs.notes_ja:
        merge(ws, row, 0, last, f"※ {note}", st.get("muted"))
        row += 1
    row += 1
    merge(ws, row, 0, last, b.t("needs.assumptions"), st.get("group"))
    row += 1
    assumptions = b.comparison.needs.assumptions
    for field, (ja, en, kind) in ASSUMPTION_LABELS.items():
        merge(ws, row, 0, 1, en if lang == "en" else ja, st.get("label"))
        value = getattr(assumptions, field)
        if value is None:
            ws.write_string(row, 2, "—", st.get("row"))
        elif kind == "yen":
            b.yen(ws, row, 2, value, "row")
        else:
            units = {"days": ("日", "days"), "companies": ("社", "companies")}
            num = '0"%"' if kind == "pct" else count_format(*units[kind], lang)
            ws.write_number(row, 2, value, st.get("row", num=num))
        ws.write_string(row, 3, field, st.get("muted"))
        row += 1
    row += 1
    merge(ws, row, 0, last, b.t("needs.client"), st.get("group"))
    _client_rows(b, ws, row + 1, last)


def _client_rows(b: Book, ws: Any, row: int, last: int) -> None:
    st, lang, a = b.styles, b.lang, b.applicant
    counts = {
        "employees": ("名", "people"),
        "records_held": ("件", "records"),
        "servers": ("台", "servers"),
        "incidents_3y": ("件", "incidents"),
    }
    texts = {
        "company": a.company,
        "industry": pick(INDUSTRY_NAMES[a.industry], lang),
        "contract_type": pick(CONTRACT_TYPE_NAMES[a.contract_type], lang),
        "controls": ("; " if lang == "en" else "、").join(pick(CONTROL_NAMES[c], lang) for c in CONTROL_NAMES if c in a.controls) or "—",
        "riders": ("; " if lang == "en" else "、").join(label(k, lang) for k in CoverageKey if k in a.riders) or "—",
    }
    for field, (ja, en) in APPLICANT_LABELS.items():
        merge(ws, row, 0, 1, en if lang == "en" else ja, st.get("label"))
        if field in texts:
            merge(ws, row, 2, last, texts[field], st.get("row"))
        elif field in counts:
            ws.write_number(row, 2, getattr(a, field), st.get("row", num=count_format(*counts[field], lang)))
        else:
            b.yen(ws, row, 2, getattr(a, field), "row")
        row += 1


# ------------------------------------------------------- 引受条件・お断り ---

UW_WIDTHS = [18, 34, 14, 18, 62, 17, 17, 13]


def underwriting_sheet(b: Book) -> None:
    """Per plan: the reasons for a decline or referral, the conditions before binding, and what changed from the request."""
    ws = b.sheet("sheet.underwriting", UW_WIDTHS)
    last = len(UW_WIDTHS) - 1
    row = b.head(ws, last, b.t("uw.title"))
    _table_header(b, ws, row, ["rec.carrier", "rec.plan_name", "cmp.status", "uw.kind", "uw.text", "uw.asked", "uw.quoted", "uw.days"])
    ws.repeat_rows(row, row)
    ws.freeze_panes(row + 1, 2)
    first = row
    row += 1
    for column in b.comparison.columns:
        row = _underwriting_rows(b, ws, row, column)
    ws.autofilter(first, 0, max(first, row - 1), last)


def _underwriting_rows(b: Book, ws: Any, row: int, column: Column) -> int:
    st, lang, quote = b.styles, b.lang, column.quote
    entries: list[tuple[str, str, Any, Any, int | None]] = []
    reason_kind = "uw.decline" if quote.status is QuoteStatus.DECLINED else "uw.refer"
    entries += [(reason_kind, pick((r.text_ja, r.text_en), lang), None, None, None) for r in quote.reasons]
    for adj in quote.adjustments:
        asked: Any = adj.asked
        quoted: Any = adj.quoted
        if adj.what == "rider":
            asked = label(CoverageKey(str(adj.asked)), lang)
            quoted = b.t("uw.not_available") if adj.quoted is None else label(CoverageKey(str(adj.quoted)), lang)
        entries.append(("uw.changed", pick((adj.reason.text_ja, adj.reason.text_en), lang), asked, quoted, None))
    entries += [("uw.condition", pick((c.text_ja, c.text_en), lang), None, None, c.days) for c in quote.conditions]
    if not entries:
        entries.append(("uw.none", b.t("uw.as_asked"), None, None, None))
    mood = {QuoteStatus.DECLINED: ("declined",), QuoteStatus.QUOTED: ()}.get(quote.status, ("pending",))
    for kind, words, asked, quoted, days in entries:
        ws.write_string(row, 0, carrier_name(quote.carrier, lang), st.get("row", "wrap"))
        ws.write_string(row, 1, sheet_text(plan_name(quote.plan, lang)), st.get("row", "wrap"))
        ws.write_string(row, 2, quote_status(quote.status, lang), st.get("row", "center", "wrap", *mood))
        ws.write_string(row, 3, b.t(kind), st.get("row", *(("notice",) if kind == "uw.decline" else ())))
        ws.write_string(row, 4, sheet_text(words), st.get("row", "wrap"))
        for col, value in ((5, asked), (6, quoted)):
            if isinstance(value, int) and not isinstance(value, bool):
                b.yen(ws, row, col, value, "row")
            elif isinstance(value, str):
                ws.write_string(row, col, sheet_text(value), st.get("row", "wrap"))
            else:
                ws.write_blank(row, col, None, st.get("row"))
        if days is not None:
            ws.write_number(row, 7, days, st.get("row", num='"within "0" days"' if lang == "en" else '0"日以内"'))
        else:
            ws.write_blank(row, 7, None, st.get("row"))
        ws.set_row(row, wrapped_height([(words, UW_WIDTHS[4]), (plan_name(quote.plan, lang), UW_WIDTHS[1])]))
        row += 1
    return row


# ---------------------------------------------------------------- ご注意 ---

NOTES_WIDTHS = [4, 130]


def notes_sheet(b: Book) -> None:
    """What the comparison cannot promise, when the quotes expire, and that sample figures are invented."""
    ws = b.sheet("sheet.notes", NOTES_WIDTHS)
    st, lang = b.styles, b.lang
    row = b.head(ws, 1, b.t("notes.title"))
    lines: list[tuple[str, str]] = []
    if b.sample:
        lines.append((pick(SAMPLE_NOTICE, lang), "notice"))
    lines += [(b.t(k), "") for k in ("notes.promise", "notes.terms", "notes.delay")]
    lines += [(text, "") for text in _validity(b)]
    lines += [(b.t(k), "") for k in ("notes.underwriting", "notes.premium", "legend.needs")]
    if b.record is None:
        lines.append((b.t("notes.candidate"), ""))
    lines += [(text, "") for text in _agency_notes(b)]
    for words, look in lines:
        ws.write_string(row, 0, "•" if lang == "en" else "・", st.get("wrap"))
        ws.write_string(row, 1, sheet_text(words), st.get("wrap", *((look,) if look else ())))
        ws.set_row(row, wrapped_height([(words, NOTES_WIDTHS[1])]))
        row += 1


def _agency_notes(b: Book) -> list[str]:
    agency, lang = b.agency, b.lang
    if agency is None:
        return []
    out = [
        b.t("notes.agency", agency=agency.display_name(lang), no=agency.registration(lang), authority=agency.authority_text(lang)),
        b.t("notes.policy", policy=agency.policy(lang)),
    ]
    if agency.solicitation_url:
        out.append(b.t("notes.solicitation", url=agency.solicitation_url))
    if agency.privacy_url:
        out.append(b.t("notes.privacy", url=agency.privacy_url))
    return out


def _validity(b: Book) -> list[str]:
    lang, day = b.lang, date_text(b.as_of, b.lang)
    columns = b.comparison.columns
    dates = {c.quote.valid_until for c in columns if c.quote.valid_until is not None}
    out: list[str] = []
    if len(dates) == 1:
        out.append(b.t("notes.valid", until=date_text(next(iter(dates)), lang), day=day))
    elif dates:
        each = [f"{_plan_name(b, c)}: {date_text(c.quote.valid_until, lang)}" for c in columns if c.quote.valid_until is not None]
        out.append(b.t("notes.valid_each", day=day) + " " + (" / ".join(each)))
    if not columns or any(c.quote.valid_until is None for c in columns):
        out.append(b.t("notes.valid_unknown"))
    return out
