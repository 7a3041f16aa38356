"""The workbook's contract check and accident scenarios: the answers with the articles' advice, and each accident paid plan by plan."""

from __future__ import annotations

from typing import Any

from aggregator.comparison import ScenarioPlan, ScenarioResult
from aggregator.contract_check import ContractCheck
from aggregator.export_book import Book, display_width, merge, wrapped_height
from aggregator.labels import CLAUSE_LABELS, carrier_name, pick
from aggregator.present import plan_name
from aggregator.scenario_words import assumption_rows
from aggregator.taxonomy import label
from aggregator.xlsxstyle import sheet_text, shortfall_format

# ------------------------------------------------------------ 契約の確認 ---

CONTRACT_WIDTHS = [44, 22, 16, 90]


def contract_sheet(b: Book) -> None:
    """The liability the contract sets (ordinary and worst case), each answer with its advice, and each plan's exclusion."""
    found = b.comparison.contract
    if found is None:
        return
    ws = b.sheet("sheet.contract", CONTRACT_WIDTHS)
    st, lang, last = b.styles, b.lang, len(CONTRACT_WIDTHS) - 1
    row = b.head(ws, last, b.t("con.title"))
    row = _cases(b, ws, row, found)
    merge(ws, row, 0, last, b.t("con.clauses"), st.get("group"))
    row += 1
    for col, key in enumerate(("con.question", "con.answer", "con.status", "con.advice")):
        ws.write_string(row, col, b.t(key), st.get("header"))
    ws.repeat_rows(row, row)
    row += 1
    for clause in found.clauses:
        question = clause.question_en if lang == "en" else clause.question_ja
        advice = (clause.advice_en if lang == "en" else clause.advice_ja) or "—"
        mood = {"weak": ("declined",), "unknown": ("unknown",)}.get(clause.status, ())
        ws.write_string(row, 0, question, st.get("row", "wrap", "bold"))
        ws.write_string(row, 1, clause.answer_en if lang == "en" else clause.answer_ja, st.get("row", "wrap"))
        ws.write_string(row, 2, pick(CLAUSE_LABELS[clause.status], lang), st.get("row", "center", *mood))
        ws.write_string(row, 3, advice, st.get("row", "wrap"))
        ws.set_row(row, wrapped_height([(question, CONTRACT_WIDTHS[0]), (advice, CONTRACT_WIDTHS[3])]))
        row += 1
    row += 1
    merge(ws, row, 0, last, b.t("con.plans"), st.get("group"))
    row += 1
    for plan in found.plans:
        if plan.column >= len(b.comparison.columns):
            continue
        quote = b.comparison.columns[plan.column].quote
        words = plan.text_en if lang == "en" else plan.text_ja
        if plan.wording:
            words += f" ({b.t('con.wording')}: {plan.wording})"
        ws.write_string(
            row, 0, sheet_text(f"{carrier_name(quote.carrier, lang)} {plan_name(quote.plan, lang)}"), st.get("row", "wrap", "bold")
        )
        merge(ws, row, 1, last, words, st.get("row", "wrap", *(("short",) if plan.warn else ())))
        ws.set_row(row, wrapped_height([(words, sum(CONTRACT_WIDTHS[1:]))]))
        row += 1
    merge(ws, row + 1, 0, last, found.source_en if lang == "en" else found.source_ja, st.get("muted"))


def _cases(b: Book, ws: Any, row: int, found: ContractCheck) -> int:
    st, lang, last = b.styles, b.lang, len(CONTRACT_WIDTHS) - 1
    case = found.liability
    if case is None:
        return row
    merge(ws, row, 0, last, b.t("con.cases"), st.get("group"))
    row += 1
    for key, amount, why, worst in (
        ("con.ordinary", case.ordinary_jpy, case.ordinary_en if lang == "en" else case.ordinary_ja, False),
        ("con.worst", case.worst_jpy, case.worst_en if lang == "en" else case.worst_ja, True),
    ):
        ws.write_string(row, 0, b.t(key), st.get("label"))
        b.yen(ws, row, 1, amount, "row", "bold", *(("short",) if worst and case.uncapped else ()))
        merge(ws, row, 2, last, why, st.get("row", "wrap"))
        ws.set_row(row, wrapped_height([(why, sum(CONTRACT_WIDTHS[2:]))]))
        row += 1
    for words in (case.claim_en if lang == "en" else case.claim_ja, b.t("con.sets_need" if found.sets_need else "con.cyber")):
        merge(ws, row, 0, last, words, st.get("wrap", "muted"))
        ws.set_row(row, wrapped_height([(words, sum(CONTRACT_WIDTHS))]))
        row += 1
    return row + 1


# ---------------------------------------------------------- 事故シナリオ ---

ITEM_WIDTH, NEED_WIDTH, PLAN_WIDTH = 32, 18, 22


def scenarios_sheet(b: Book) -> None:
    """Each accident: what it costs, what each plan pays and leaves to the customer, item by item, with its basis and sources."""
    results = list(b.comparison.scenarios)
    if not results:
        return
    columns = b.comparison.columns
    plans = max(len(columns), 1)
    ws = b.sheet("sheet.scenarios", [ITEM_WIDTH, NEED_WIDTH, *([PLAN_WIDTH] * plans)])
    st, last = b.styles, 1 + plans
    row = b.head(ws, last, b.t("scn.title"))
    merge(ws, row, 0, last, b.t("scn.intro"), st.get("wrap", "muted"))
    ws.set_row(row, wrapped_height([(b.t("scn.intro"), ITEM_WIDTH + NEED_WIDTH + PLAN_WIDTH * plans)]))
    row += 2
    _plan_header(b, ws, row, "scn.accident", "scn.need")
    ws.repeat_rows(row, row + 1)
    ws.freeze_panes(row + 2, 2)
    row += 2
    for result in results:
        row = _summary(b, ws, row, result)
    for result in results:
        row = _detail(b, ws, row + 1, result)


def _plan_header(b: Book, ws: Any, row: int, first: str, second: str) -> None:
    st = b.styles
    ws.merge_range(row, 0, row + 1, 0, b.t(first), st.get("header"))
    ws.merge_range(row, 1, row + 1, 1, b.t(second), st.get("header"))
    names = []
    for i, column in enumerate(b.comparison.columns):
        ws.write_string(row, 2 + i, carrier_name(column.quote.carrier, b.lang), st.get("header"))
        name = plan_name(column.quote.plan, b.lang)
        ws.write_string(row + 1, 2 + i, sheet_text(name), st.get("subheader"))
        names.append(name)
    ws.set_row(row + 1, wrapped_height([(max(names or [""], key=display_width), PLAN_WIDTH)]))


def _live(b: Book, result: ScenarioResult) -> list[ScenarioPlan]:
    return [p for p in result.plans if p.column < len(b.comparison.columns)]


def _title(b: Book, result: ScenarioResult) -> str:
    return result.scenario.title_en if b.lang == "en" else result.scenario.title_ja


def _summary(b: Book, ws: Any, row: int, result: ScenarioResult) -> int:
    """Three rows per accident: what each plan pays, what it leaves to the customer, and how many items it lacks."""
    st, lang = b.styles, b.lang
    plans = _live(b, result)
    ws.write_string(row, 0, _title(b, result), st.get("cell", "bold", "wrap"))
    b.yen(ws, row, 1, result.scenario.need_jpy, "cell")
    for p in plans:
        b.yen(ws, row, 2 + p.column, p.payable_jpy, "cell", "bold")
    ws.set_row(row, wrapped_height([(_title(b, result), ITEM_WIDTH)]))
    ws.write_string(row + 1, 0, f"└ {b.t('scn.left')}", st.get("cell", "indent", "short"))
    ws.write_blank(row + 1, 1, None, st.get("cell"))
    for p in plans:
        if p.shortfall_jpy:
            ws.write_number(row + 1, 2 + p.column, p.shortfall_jpy, st.get("cell", "short", num=shortfall_format(lang)))
        else:
            b.yen(ws, row + 1, 2 + p.column, 0, "cell")
    ws.write_string(row + 2, 0, f"└ {b.t('scn.missing')}", st.get("cell", "indent", "muted"))
    ws.write_blank(row + 2, 1, None, st.get("cell"))
    texts = [_missing(b, p) for p in plans]
    for p, text in zip(plans, texts, strict=True):
        ws.write_string(row + 2, 2 + p.column, text, st.get("cell", "wrap", "muted"))
    ws.set_row(row + 2, wrapped_height([(max(texts or [""], key=display_width), PLAN_WIDTH)]))
    return row + 3


def _missing(b: Book, plan: ScenarioPlan) -> str:
    return ("、" if b.lang == "ja" else ", ").join(label(k, b.lang) for k in plan.missing) or b.t("scn.none")


def _detail(b: Book, ws: Any, row: int, result: ScenarioResult) -> int:
    """One accident item by item: its story and notes, each item's estimate and what each plan pays of it, its basis and sources."""
    st, lang, s = b.styles, b.lang, result.scenario
    last = 1 + max(len(b.comparison.columns), 1)
    total = ITEM_WIDTH + NEED_WIDTH + PLAN_WIDTH * (last - 1)
    merge(ws, row, 0, last, f"【{_title(b, result)}】" if lang == "ja" else f"[{_title(b, result)}]", st.get("group"))
    row += 1
    for words in (s.story_en if lang == "en" else s.story_ja, *(s.notes_en if lang == "en" else s.notes_ja)):
        merge(ws, row, 0, last, words, st.get("wrap"))
        ws.set_row(row, wrapped_height([(words, total)]))
        row += 1
    plans = _live(b, result)
    for i, need in enumerate(s.needs):
        ws.write_string(row, 0, label(need.key, lang), st.get("cell", "indent"))
        b.yen(ws, row, 1, need.amount_jpy, "cell", note=b.t("scn.low", low=f"{need.low_jpy:,}") if need.low_jpy != need.high_jpy else "")
        for p in plans:
            item = p.items[i]
            if item.why_ja:
                ws.write_string(
                    row, 2 + p.column, sheet_text(item.why_en if lang == "en" else item.why_ja), st.get("cell", "not_offered", "wrap")
                )
            else:
                b.yen(ws, row, 2 + p.column, item.paid_jpy, "cell", *(("short",) if item.shortfall_jpy else ()))
        row += 1
    ws.write_string(row, 0, b.t("scn.total"), st.get("label"))
    b.yen(ws, row, 1, s.need_jpy, "cell", "bold")
    for p in plans:
        b.yen(ws, row, 2 + p.column, p.payable_jpy, "cell", "bold")
    ws.write_string(row + 1, 0, b.t("scn.left"), st.get("label", "short"))
    ws.write_blank(row + 1, 1, None, st.get("cell"))
    for p in plans:
        ws.write_number(row + 1, 2 + p.column, p.shortfall_jpy, st.get("cell", "short", num=shortfall_format(lang)))
    row += 2
    notes = ["\n".join(p.notes_en if lang == "en" else p.notes_ja) for p in plans]
    if any(notes):
        ws.write_string(row, 0, b.t("scn.plan_notes"), st.get("label"))
        ws.write_blank(row, 1, None, st.get("cell"))
        for p, text in zip(plans, notes, strict=True):
            ws.write_string(row, 2 + p.column, sheet_text(text), st.get("cell", "wrap"))
        ws.set_row(row, wrapped_height([(max(notes, key=display_width), PLAN_WIDTH)]))
        row += 1
    return _basis(b, ws, row, result, last, total)


def _basis(b: Book, ws: Any, row: int, result: ScenarioResult, last: int, total: float) -> int:
    st, lang, s = b.styles, b.lang, result.scenario
    lines = [(label(n.key, lang), n.basis_en if lang == "en" else n.basis_ja) for n in s.needs]
    lines += [
        (f"{b.t('scn.assumption')}: {name}", value) for name, value in assumption_rows(s.assumptions, b.comparison.needs.assumptions, lang)
    ]
    lines += [(b.t("scn.source"), source) for source in (s.sources_en if lang == "en" else s.sources_ja)]
    for name, words in lines:
        ws.write_string(row, 0, sheet_text(name), st.get("row", "wrap", "muted"))
        merge(ws, row, 1, last, words, st.get("row", "wrap"))
        ws.set_row(row, wrapped_height([(words, total - ITEM_WIDTH), (name, ITEM_WIDTH)]))
        row += 1
    return row
