"""The contract check as every surface shows it: each answer with the articles' advice, the liability it sets, each plan's exclusion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.applicant import ContractTerms
from aggregator.codes import Answer, LiabilityCap, Line
from aggregator.contract import QUESTION, QUESTIONS, SOURCE_EN, SOURCE_JA, LiabilityCase, uncapped_because
from aggregator.labels import ANSWER_NAMES, CLAUSE_LABELS, LIABILITY_CAP_NAMES, pick
from aggregator.money import Lang, format_yen
from aggregator.plans import Plan
from aggregator.quotes import Quote

OK, WEAK, UNKNOWN = "ok", "weak", "unknown"


@dataclass(frozen=True, slots=True)
class Clause:
    """One question of the checklist as answered, and what the articles advise when it is weak or not known."""

    field: str
    question_ja: str
    question_en: str
    answer: str  # the answer's value: yes / no / unknown, or the cap's
    answer_ja: str
    answer_en: str
    status: str  # ok | weak | unknown
    advice_ja: str  # "" when settled
    advice_en: str


@dataclass(frozen=True, slots=True)
class PlanClause:
    """One plan's exclusion of liability a contract adds beyond the law (契約により加重された賠償責任), read against the answers."""

    column: int
    excluded: bool
    wording: str  # the exclusion as the plan words it; "" when its file lists none
    text_ja: str
    text_en: str
    warn: bool  # the contract may promise what this plan will not pay


@dataclass(frozen=True, slots=True)
class ContractCheck:
    terms: ContractTerms
    clauses: tuple[Clause, ...]
    liability: LiabilityCase | None  # what the contract makes of a leak's claim (the needs' estimate)
    sets_need: bool  # the comparison's liability need follows it (IT E&O, professional liability)
    plans: tuple[PlanClause, ...]
    source_ja: str = SOURCE_JA
    source_en: str = SOURCE_EN


def _answer_words(terms: ContractTerms, field: str, lang: Lang) -> str:
    if field == "liability_cap":
        words = pick(LIABILITY_CAP_NAMES[terms.liability_cap], lang)
        if terms.liability_cap is LiabilityCap.OTHER_AMOUNT and terms.liability_cap_jpy is not None:
            words += f"({format_yen(terms.liability_cap_jpy, lang)})" if lang == "ja" else f" ({format_yen(terms.liability_cap_jpy, lang)})"
        return words
    return pick(ANSWER_NAMES[getattr(terms, field)], lang)


def clauses(terms: ContractTerms) -> tuple[Clause, ...]:
    """Every question with its answer; a weak or unknown one carries the advice (an unknown one asks to check first)."""
    out = []
    for q in QUESTIONS:
        value = getattr(terms, q.field).value
        status = UNKNOWN if value == "unknown" else WEAK if value in q.weak else OK
        advice_ja = advice_en = ""
        if status == UNKNOWN:
            advice_ja, advice_en = f"契約書で確認してください。{q.advice_ja}", f"Check the contract. {q.advice_en}"
        elif status == WEAK:
            advice_ja, advice_en = q.advice_ja, q.advice_en
        out.append(
            Clause(
                q.field,
                q.text_ja,
                q.text_en,
                value,
                _answer_words(terms, q.field, "ja"),
                _answer_words(terms, q.field, "en"),
                status,
                advice_ja,
                advice_en,
            )
        )
    return tuple(out)


def contractual_exclusion(plan: Plan) -> str | None:
    """The plan's exclusion of liability a contract adds beyond the law (契約により加重された賠償責任), as it words it, or None."""
    return next((e for e in (*plan.exclusions, *plan.exclusions_en) if _is_contractual(e)), None)


def _is_contractual(exclusion: str) -> bool:
    text = exclusion.lower()
    return "契約により加重" in exclusion or "契約で加重" in exclusion or ("assumed" in text and "contract" in text)


def plan_clause(column: int, quote: Quote, terms: ContractTerms) -> PlanClause:
    wording = contractual_exclusion(quote.plan)
    promised = terms.liability_beyond_law
    if wording is None:
        return PlanClause(
            column,
            False,
            "",
            "資料に「契約により加重された賠償責任」の免責の記載はありません(約款で要確認)",
            "The carrier's documents list no exclusion of liability assumed by contract (check the wording)",
            False,
        )
    if promised is Answer.YES:
        ja = "補償されません: 契約で法律上の責任を超えて約束した賠償(違約金・無過失の保証など)は、このプランでは自己負担です"
        en = "Not covered: what your contracts promise beyond the law (penalties, no-fault guarantees) is yours to pay under this plan"
    elif promised is Answer.UNKNOWN:
        ja = "補償されません: 契約で法律上の責任を超える賠償を約束していないか確認してください。約束していれば、その部分は自己負担です"
        en = "Not covered: check whether your contracts promise more than the law asks; if they do, that part is yours to pay"
    else:
        ja = "補償されません(法律上の責任を超える約束がない契約なら、影響はありません)"
        en = "Not covered (no effect while your contracts promise no more than the law asks)"
    return PlanClause(column, True, wording, ja, en, promised is not Answer.NO)


def check(terms: ContractTerms, quotes: Sequence[Quote], liability: LiabilityCase | None, line: Line | None) -> ContractCheck:
    return ContractCheck(
        terms=terms,
        clauses=clauses(terms),
        liability=liability,
        sets_need=line in (Line.IT_EO, Line.PROFESSIONAL_LIABILITY),
        plans=tuple(plan_clause(i, q, terms) for i, q in enumerate(quotes)),
    )


def in_short(terms: ContractTerms) -> tuple[str, str]:
    """Two cells for a client list: why the cap can fall away for a leak, and the clauses to revise or check (Japanese)."""
    reasons, _ = uncapped_because(terms, leak_or_loss=True)
    found = clauses(terms)
    weak = [QUESTION[c.field].short_ja for c in found if c.status == WEAK]
    unknown = [QUESTION[c.field].short_ja for c in found if c.status == UNKNOWN]
    parts = [f"{CLAUSE_LABELS[status][0]}: {'、'.join(names)}" for status, names in ((WEAK, weak), (UNKNOWN, unknown)) if names]
    return "、".join(reasons) or "上限まで(実際の故意・重過失を除く)", " / ".join(parts) or "なし"
