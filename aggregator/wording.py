"""Reading carrier wording: normalisation, label–value forms, head phrases and the section context (rules in wording_rules.py)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from aggregator.wording_rules import (
    BUSINESS_INTERRUPTION,
    DOMAIN_KEYS,
    DOMAIN_RULES,
    DUALS,
    GENERIC_ITEMS,
    INCIDENT_COSTS,
    ITEM_RULES,
    LIABILITY,
    LIABILITY_KEYS,
    Dual,
)

# Under a business-interruption heading, what the words are about decides the item.
_BI_COST = re.compile(r"費用|コスト|経費|人件費|支出|expense|cost")
_BI_LOSS = re.compile(r"利益|損失|収益|減収|減益|売上|income|profit|loss|中断|停止|休止|interruption")
# Under a liability heading a wording naming something is damages unless it says litigation;
# one that names nothing but these words stays unread.
_GENERIC_WORDS = re.compile(
    r"費用|損害|損失|補償|保険金|特約|その他|もの|場合|リスク|費|支払|金額|等|など|cost|expense|loss|other|cover(?:age)?|s$"
)

# ------------------------------------------------------------------ text ---

_BRACKETS = re.compile(r"[(\[{【「『〔<][^)\]}】」』〕>]*[)\]}】」』〕>]")
_FOOTNOTE = re.compile(r"(?:※|\*\d|\(注\d*\)|注\d+[):]).*$")
_LABEL_SEP = re.compile(r"\s*[:：]\s*")  # 「再発防止:コンサルティング」: the label names the item
_JA_CONNECTORS = re.compile(
    r"のための|ための|ために|における|において|に関する|に関して|に関わる|に係る|についての|について|"
    r"に対する|に対して|による|によって|により|に起因する|に起因して|を原因とする|に伴う|に伴い|に基づく|"
    r"場合における|場合の|場合に|に要した|に要する|にかかる|にかかった|に必要な|時における|時の|時に|際の|際に"
)
_EN_CONNECTORS = re.compile(
    r"\b(?:arising\s+(?:out\s+of|from)|resulting\s+from|caused\s+by|as\s+a\s+result\s+of|due\s+to|following|"
    r"in\s+connection\s+with|in\s+respect\s+of|incurred|for\s+any|for|to)\b",
    re.IGNORECASE,
)
_EN_DESCRIBED = re.compile(r"\s+[-–—]\s+")
_JA_LIST = re.compile(r"[・･、,/／&]|及び|および|並びに|ならびに|または|又は|もしくは|若しくは|(?<=[^\u3040-\u309f])や(?=[^\u3040-\u309f])")
_EN_LIST = re.compile(r"[,/&;]|\band\b|\bor\b", re.IGNORECASE)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def normalise_wording(text: str) -> str:
    """The comparable form of a wording: NFKC, lower case, no spaces or joining particles."""
    text = nfkc(text)
    text = re.sub(r"(?<![A-Za-z])PR(?![A-Za-z])", "publicrelations", text)  # 「PR」 before lower-casing hides it in "prevention"
    text = text.lower()
    text = re.sub(r"\b(?:and|the|a|an)\b", " ", text)
    text = re.sub(r"[\s\u3000・･/／、,.。:：;；\-－–—~〜&]+", "", text)
    # 「の」「等」「及び」 join the same item in different carriers' wording.
    return re.sub(r"の|等|及び|および|並びに|ならびに", "", text)


def _is_english(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) > len(letters) / 2


def views(text: str) -> Iterator[str]:
    """The readings of one wording, most telling first: the label of a label–value form or of a
    label followed by its description, then the main text, then its bracketed notes."""
    text = nfkc(text).strip()
    main = _FOOTNOTE.sub("", text).strip() or text
    parts = _LABEL_SEP.split(main, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1] and len(parts[0]) <= 30:
        yield parts[0]
        main = parts[1]
    if not _is_english(main):
        first = re.split(r"\s+", main.strip(), maxsplit=1)
        if len(first) == 2 and len(first[1]) >= 8:  # 「データ復旧費用 消失したデータを…」: a label, then what it means
            yield _BRACKETS.sub(" ", first[0])
    elif len(described := _EN_DESCRIBED.split(main, maxsplit=1)) == 2 and len(described[1].split()) >= 4:
        yield _BRACKETS.sub(" ", described[0])  # "Data Recovery - The cost of recovering lost data"
    yield _BRACKETS.sub(" ", main)
    yield " ".join(_BRACKETS.findall(main))


# --------------------------------------------------------------- reading ---

_DOMAIN = tuple((key, tuple(re.compile(p) for p in ps)) for key, ps in DOMAIN_RULES)
_ITEMS = tuple((key, tuple(re.compile(p) for p in ps)) for key, ps in ITEM_RULES)
_DUALS = tuple((tuple(re.compile(p) for p in d.patterns), d) for d in DUALS)


def _first(rules: Iterable[tuple[str, tuple[re.Pattern[str], ...]]], text: str) -> str | None:
    return next((key for key, patterns in rules if any(p.search(text) for p in patterns)), None)


def _dual(text: str) -> Dual | None:
    return next((d for patterns, d in _DUALS if any(p.search(text) for p in patterns)), None)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a wording names: one key, or None with the keys a person mapping it might choose."""

    key: str | None
    candidates: tuple[str, ...]


_NOTHING = Reading(None, ())


def _segments(text: str) -> list[str]:
    """Head phrase first: Japanese puts the item last (「AのためのB費用」), English first ("B arising from A")."""
    if _is_english(text):
        return [s for s in _EN_CONNECTORS.split(text) if s.strip()]
    return [s for s in reversed(_JA_CONNECTORS.split(text)) if s.strip()]


def _parts(segment: str) -> list[str]:
    splitter = _EN_LIST if _is_english(segment) else _JA_LIST
    return [p for p in splitter.split(segment) if p and p.strip()]


def _possible(dual: Dual) -> set[str]:
    keys: set[str] = set()
    for chosen in (*dual.by_section.values(), dual.default):
        keys |= {chosen} if isinstance(chosen, str) else set(chosen)
    return keys


def _dual_keys(dual: Dual, section: str | None) -> set[str]:
    chosen = dual.by_section.get(section, dual.default) if section else dual.default
    return {chosen} if isinstance(chosen, str) else set(chosen)


def _segment_keys(segment: str, section: str | None) -> set[str]:
    """The keys the listed parts of one phrase name; a section-dependent word gives way to a
    part that names one of its readings outright (弁護士報酬 beside 訴訟・仲裁 is litigation)."""
    hard: set[str] = set()
    duals: list[Dual] = []
    for part in _parts(segment):
        text = normalise_wording(part)
        if not text:
            continue
        found = _first(_DOMAIN, text) or _first(_ITEMS, text)
        if found is not None:
            hard.add(found)
        elif (dual := _dual(text)) is not None:
            duals.append(dual)
    keys = set(hard)
    for dual in duals:
        if not _possible(dual) & hard:
            keys |= _dual_keys(dual, section)
    if not keys and len(_parts(segment)) > 1:  # "recovery and replacement of lost data": words the list split apart
        text = normalise_wording(segment)
        found = _first(_DOMAIN, text) or _first(_ITEMS, text)
        keys = {found} if found else set()
    return keys


def _remap(key: str, section: str | None) -> set[str]:
    """The key a wording's item is under the section the carrier lists it in."""
    if section == LIABILITY and key not in LIABILITY_KEYS and key not in DOMAIN_KEYS:
        if key == "legal_consulting":
            return {"litigation_costs"}
        if key == "emergency_response":  # 緊急措置費用 under liability: its own expense, or response
            return {"emergency_response", "liability_damages"}
        return {"liability_damages"}  # the third party's loss the insured pays: 「データ復元費用」 in IT E&O
    if section == INCIDENT_COSTS and key == "liability_damages":
        return set()  # 「損害賠償を請求する…費用」 among incident costs is not damages
    return {key}


def _default(text: str, section: str | None) -> Reading:
    """A wording that names no item: its section may still decide it."""
    words = normalise_wording(text)
    if section == LIABILITY and len(_GENERIC_WORDS.sub("", words)) >= 2:
        return Reading("liability_damages", ("liability_damages",))
    if section == BUSINESS_INTERRUPTION:
        cost, loss = bool(_BI_COST.search(words)), bool(_BI_LOSS.search(words))
        if cost != loss:
            key = "extra_expense" if cost else "lost_profit"
            return Reading(key, (key,))
    return _NOTHING


# Candidates are listed narrowest first: the domain items, the insured's own covers, then
# litigation and, broadest of all, damages.
CANDIDATE_ORDER = (
    *(key for key, _ in DOMAIN_RULES),
    "lost_profit",
    "extra_expense",
    "emergency_response",
    "data_restoration",
    "investigation",
    "recurrence_prevention",
    "legal_consulting",
    "apology",
    "reputational_ads",
    "call_center",
    "litigation_costs",
    "liability_damages",
)


def _order(keys: Iterable[str]) -> tuple[str, ...]:
    rank = {key: i for i, key in enumerate(CANDIDATE_ORDER)}
    return tuple(sorted(set(keys), key=lambda k: rank.get(k, len(rank))))


# A wording that names the insured's own cover (利益損害, 営業継続費用, a rider) is not a client's claim.
_OWN_COVER = re.compile(r"利益損害|喪失利益|利益保険|営業継続費用|特約|補償|追加条項|businessinterruption|extraexpense|networkinterruption")


def _line_care(reading: Reading, wording: str, line: str | None, section: str | None) -> Reading:
    """In IT E&O and professional liability, a client's restored data, lost sales or extra staff
    cost is what the client claims: without a section to say whose, both stay candidates."""
    if section is not None or line not in ("it_eo", "professional_liability"):
        return reading
    if reading.key in ("lost_profit", "extra_expense", "data_restoration") and not _OWN_COVER.search(normalise_wording(wording)):
        return Reading(None, (reading.key, "liability_damages"))
    return reading


# What a head phrase says when it names no item: 「対応費用」「支出する次の費用」 defer to the phrase
# before them; 「臨時対策費」 names something we do not know, and is not read from its modifier.
_FILLER = re.compile(
    r"費用|費|対応|支出|外部委託|委託|専門業者|業者|専門家|連携|支援|依頼|作業|活動|実施|手配|起用|補償|損害|損失|場合|事故|金額|保険金|必要|有益|直接|次|要|発生|生|負担|支払|認|行|"
    r"被保険者|記名|保険会社|リスク|コスト|多額|諸|各種|経済|貴社|自社|当社|被|fees?|payments?|expenses?|costs?|loss(?:es)?|cover(?:age)?|insurance|premium|reasonable|necessary|"
    r"incurred|amounts?|sums?|paid|payable|[\u3040-\u309f]"
)


def _names_something(segment: str) -> bool:
    return len(_FILLER.sub("", normalise_wording(segment))) >= 3


_SPREAD = re.compile(r"拡大(?:を)?(?:防止|抑制)")  # preventing the spread of X is about X
_MEDIA = re.compile(
    r"新聞|テレビ|マスメディア|マスコミ|報道|newspaper|massmedia|press(?:release|conference)"
)  # an apology made in public is PR
_ADVICE = frozenset({"legal_consulting", "litigation_costs"})
_BROAD_OBJECTS = frozenset({"emergency_response", "liability_damages"})


def read_view(view: str, *, section: str | None = None) -> Reading | None:
    """One reading of a wording: a Reading when it names something, None when it names nothing."""
    segments = _segments(view)
    found = [_segment_keys(segment, section) for segment in segments]
    at = next((i for i, keys in enumerate(found) if keys), None)
    domain = _first(_DOMAIN, normalise_wording(view))
    if at is None:
        return Reading(domain, (domain,)) if domain else None
    head, modifiers = found[at], [keys for keys in found[at + 1 :] if keys]
    if any(_names_something(segment) for segment in segments[:at]):
        return Reading(None, _resolve(head, section).candidates)  # the head names an item we do not know
    if domain and head <= GENERIC_ITEMS | {domain}:
        head = {domain}  # 「規制当局から調査を受けた場合の対応費用」 is regulatory
    elif (
        head == {"emergency_response"}
        and _SPREAD.search(normalise_wording(segments[at]))
        and modifiers
        and not modifiers[0] <= _BROAD_OBJECTS
    ):
        head = modifiers[0]  # 「投稿による業務妨害の拡大を防止する費用」 is reputational: spread prevention is about its object
    elif "apology" in head and head <= {"apology", "reputational_ads"} and _MEDIA.search(normalise_wording(view)):
        head = {"reputational_ads"}  # 「マスメディアを通じて…謝罪を行う費用」 is a public statement, not a letter
    reading = _resolve(head, section)
    if reading.key is None and set(reading.candidates) == _ADVICE and any(keys - _ADVICE - DOMAIN_KEYS for keys in modifiers):
        return Reading("legal_consulting", ("legal_consulting",))  # legal work about notices or reports is advice
    if reading.key is None:
        for keys in modifiers:  # 「ネットワークが中断した場合の逸失利益」: the phrase itself says whose
            narrowed = {k for key in keys for k in _remap(key, section)} & set(reading.candidates)
            if len(narrowed) == 1:
                (key,) = narrowed
                return Reading(key, (key,))
    return reading


def _resolve(keys: set[str], section: str | None) -> Reading:
    mapped: set[str] = set()
    for key in keys:
        mapped |= _remap(key, section)
    if len(mapped) == 1:
        (key,) = mapped
        return Reading(key, (key,))
    return Reading(None, _order(mapped or keys))


@lru_cache(maxsize=4096)  # a carrier's files repeat their wording across plans; readings never change
def read(wording: str, *, line: str | None = None, section: str | None = None) -> Reading:
    """What one wording names, in context; the first view that names anything decides."""
    for view in views(wording):
        if not view.strip():
            continue
        reading = read_view(view, section=section)
        if reading is not None:
            return _line_care(reading, wording, line, section)
    main = _BRACKETS.sub(" ", nfkc(wording))
    return _default(main, section)
