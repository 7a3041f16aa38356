"""One coverage item of a plan from any record: status, limit and basis, pool, payout ratio, per-victim caps, deductible,
waiting period, trigger and conditions."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from aggregator.schema import (
    POLICY_POOL,
    CoverageTerm,
    LimitBasis,
    Line,
    PerVictimCap,
    TermStatus,
)
from carriers.base import (
    WordingResolver,
    build,
    cell_limit,
    cell_percent,
    cell_yen,
    conditions_with,
    conditions_with_en,
    deductible_beside,
    norm_header,
)
from carriers.records import Cells, blank, build_in, pick, pick_optional, text, yen_optional
from carriers.vocabulary import PER_COMPANY, PER_PERSON, WAITING, Vocabulary


@dataclass(frozen=True)
class TermFields:
    """The field names a term's cells are read by; a front end maps them to its headers or keys."""

    item: str = "item"
    section: str = "section"
    status: str = "status"
    limit: str = "limit"
    basis: str = "basis"
    ratio: str = "ratio"
    parent: str = "parent"
    victim: str = "victim"  # 「1名につき500円、1法人につき1,000万円」
    per_person: str = "per_person"  # or the two caps in columns of their own
    per_company: str = "per_company"
    deductible: str = "deductible"
    waiting: str = "waiting"
    trigger: str = "trigger"
    conditions: str = "conditions"
    conditions_en: str = "conditions_en"


TERM = TermFields()


def waiting_hours(cells: Cells, name: str = TERM.waiting) -> int | None:
    """A waiting period: 「12時間」「3日」「12 hours」「1 day」, in hours."""
    if blank(cells, name):
        return None
    written = unicodedata.normalize("NFKC", text(cells, name))
    match = WAITING.fullmatch(written.strip())
    if match is None:
        raise cells.at(name).error("待機期間は「12時間」「3日」の形で書いてください", written)
    unit = match.group(2).lower()
    return int(match.group(1)) * (24 if unit in ("日",) or unit.startswith("day") else 1)


def per_victim(cells: Cells, f: TermFields = TERM) -> PerVictimCap | None:
    """Money paid to each person or company affected: one cell in words, or two amount cells."""
    person = yen_optional(cells, f.per_person)
    company = yen_optional(cells, f.per_company)
    if not blank(cells, f.victim):
        written = unicodedata.normalize("NFKC", text(cells, f.victim))
        person_m, company_m = PER_PERSON.search(written), PER_COMPANY.search(written)
        if person_m is None and company_m is None:
            raise cells.at(f.victim).error("見舞金の限度は「1名につき500円」「1法人につき1,000万円」の形で書いてください", written)
        person = cell_yen(person_m.group(1).strip(), cells.at(f.victim)) if person_m else person
        company = cell_yen(company_m.group(1).strip(), cells.at(f.victim)) if company_m else company
    if person is None and company is None:
        return None
    return build(cells.at(f.victim), PerVictimCap, per_person_jpy=person, per_company_jpy=company)


NO_COINSURANCE = frozenset({"0", "0%", "nil", "none", "なし"})


def payout_from_coinsurance(cells: Cells, name: str = TERM.ratio) -> int:
    """A payout ratio written as co-insurance, the insured's share: 10% leaves 90%; blank, 0 or none leaves 100%."""
    written = cells.get(name)
    if blank(cells, name) or written == 0 or norm_header(written).lower() in NO_COINSURANCE:
        return 100
    return 100 - cell_percent(written, cells.at(name))


def read_term(
    cells: Cells,
    vocab: Vocabulary,
    resolver: WordingResolver,
    *,
    f: TermFields = TERM,
    line: Line | None = None,
    payout_ratio: Callable[[Cells], int] | None = None,
) -> CoverageTerm | None:
    """One coverage item of a plan; None when its wording is unclassified (the resolver lists it).

    An item offered must say its basis; one not offered may leave basis, pool and ratio blank.
    A limit left blank on an offered item is read as 要確認 by the comparison, never as unlimited.
    """
    wording = text(cells, f.item)
    key = resolver.resolve(wording, cells.at(f.item), section=cells.get(f.section), line=line)
    status = pick(cells, f.status, vocab.statuses, vocab)
    offered = status not in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN)
    # The amount before the cells after it: an unquoted 「1,000円」 split over two cells is named at the amount.
    written = "" if blank(cells, f.limit) else norm_header(cells.get(f.limit)).lower()
    limit = None if not written or written in vocab.not_written else cell_limit(cells.get(f.limit), cells.at(f.limit), unit=vocab.unit)
    basis = pick(cells, f.basis, vocab.bases, vocab) if offered else pick_optional(cells, f.basis, vocab.bases, vocab)
    if payout_ratio is not None:
        ratio = payout_ratio(cells)
    else:
        ratio = 100 if blank(cells, f.ratio) else cell_percent(cells.get(f.ratio), cells.at(f.ratio))
    deductible_text = "" if blank(cells, f.deductible) else norm_header(cells.get(f.deductible)).lower()
    deductible = 0 if deductible_text in vocab.no_deductible else yen_optional(cells, f.deductible, vocab.unit)
    fields = {
        "status": status,
        "wording": wording,
        "limit_jpy": None if limit is None else limit.amount_jpy,
        "basis": basis or LimitBasis.BOTH,
        "parent": pick_optional(cells, f.parent, vocab.parents, vocab) or POLICY_POOL,
        "payout_ratio_pct": ratio,
        "per_victim": per_victim(cells, f),
        "deductible_jpy": deductible_beside(limit, deductible, cells.at(f.limit)),
        "waiting_hours": waiting_hours(cells, f.waiting),
        "trigger": pick_optional(cells, f.trigger, vocab.triggers, vocab),
        "conditions": conditions_with(text(cells, f.conditions, required=False), limit),
        "conditions_en": conditions_with_en(text(cells, f.conditions_en, required=False), limit),
    }
    columns = {
        "limit_jpy": f.limit,
        "basis": f.basis,
        "parent": f.parent,
        "payout_ratio_pct": f.ratio,
        "deductible_jpy": f.deductible,
        "waiting_hours": f.waiting,
        "trigger": f.trigger,
    }
    return None if key is None else build_in(cells, columns, CoverageTerm, key=key, **fields)
