"""The contract check: what a vendor's contracts say about liability, the exposure that follows, and the articles' advice.

The IPA/METI model system-development contract (第二版, Art. 20; docs/DOMAIN.md) has the vendor
pay only for its fault, leaves out special damages (lost profit included) and caps the total at the
contract amount, except for intent or gross negligence, where the cap falls away. Contracts
increasingly define data loss and leaks as gross negligence. So the ordinary case is capped as the
contract says and the worst case is uncapped where a leak counts as gross negligence, where no cap
is agreed, or where the vendor does not know: an unanswered question is never read as the safe
answer. The checklist is the articles' list of what to settle in a contract.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aggregator.applicant import CONTRACT_ANSWERS, ContractTerms
from aggregator.codes import Answer, LiabilityCap
from aggregator.errors import ApplicantError, ApplicantInputError
from aggregator.labels import ANSWER_NAMES, LIABILITY_CAP_NAMES
from aggregator.money import format_yen, round_for_reading

SOURCE_JA = "出典: 記事(IT事業者に届くBtoBtoCの賠償請求)、IPA/経産省 情報システム・モデル取引・契約書 第二版 第20条(docs/DOMAIN.md)"
SOURCE_EN = (
    "Sources: the articles (BtoBtoC claims that reach IT vendors); IPA/METI model system contract, 2nd ed., Art. 20 (docs/DOMAIN.md)"
)

MAX_CLAIM_JPY = 10**15  # 1,000兆円: a claim worked out from figures at the edge of the form stays inside int64


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the checklist: the answers that leave the vendor exposed, and the articles' advice for them."""

    field: str
    short_ja: str  # a few words: the client list's column, a list of clauses to look at
    short_en: str
    text_ja: str
    text_en: str
    weak: frozenset[str]  # answers (values) that are a weak clause; "unknown" is always one
    advice_ja: str
    advice_en: str


QUESTIONS: tuple[Question, ...] = (
    Question(
        "liability_cap",
        "賠償の上限",
        "Cap on damages",
        "損害賠償の上限(契約書の損害賠償条項)",
        "The cap on damages (the contract's liability clause)",
        frozenset({LiabilityCap.NONE.value}),
        "損害賠償条項で、賠償の累計額の上限を契約金額(または合意した金額)と定めてください。上限がなければ、損害の全額を請求され得ます(モデル契約 第20条)。",
        "Cap the total damages at the contract amount (or an agreed amount) in the liability clause; without a cap the whole loss can be claimed (model contract, Art. 20).",
    ),
    Question(
        "special_damages_excluded",
        "特別損害の除外",
        "Special damages excluded",
        "逸失利益などの特別損害を、賠償の範囲から除いている",
        "Special damages (lost profit included) are excluded from the damages",
        frozenset({Answer.NO.value}),
        "賠償の範囲を通常かつ直接の損害に限り、逸失利益などの特別損害を除く定めを入れてください。除かないと、発注者が止まっていた間の逸失利益まで請求されます。",
        "Limit the damages to ordinary, direct loss and exclude special damages such as lost profit; otherwise the client's lost profit while its system was down can be claimed.",
    ),
    Question(
        "gross_negligence_includes_leaks",
        "漏えいを重過失とする定め",
        "Leaks as gross negligence",
        "データの消失や情報漏えいを「重大な過失」とする定めがある",
        "Data loss or leaks are defined as gross negligence",
        frozenset({Answer.YES.value}),
        "故意・重過失では賠償の上限がなくなります。何が重大な過失にあたるかを具体的に定め、情報漏えい・データ消失を一律に重過失としないよう交渉してください(漏えいに別の上限を設ける方法もあります)。",
        "For intent or gross negligence the cap falls away. Define what counts as gross negligence and do not let every leak or loss of data count as one (a separate cap for leaks is another way).",
    ),
    Question(
        "liability_beyond_law",
        "法律を超える賠償の約束",
        "Liability beyond the law",
        "法律上の責任を超える賠償を約束している(過失がなくても賠償する、違約金、保証など)",
        "The contract promises more than the law asks (paying without fault, penalties, guarantees)",
        frozenset({Answer.YES.value}),
        "契約で法律上の責任より重くした賠償(契約により加重された賠償責任)は、多くの保険で支払われません。過失による責任を原則とし、違約金や無過失の保証は避けてください。",
        "Liability a contract adds beyond the law (契約により加重された賠償責任) is excluded by most policies. Keep liability to fault, and avoid penalties and no-fault guarantees.",
    ),
    Question(
        "scope_defined",
        "作業範囲・受入基準",
        "Scope and acceptance criteria",
        "作業範囲と受入(検収)基準を、契約書や仕様書で明確にしている",
        "The scope of work and the acceptance criteria are written down",
        frozenset({Answer.NO.value}),
        "作業範囲と受入基準を契約書・仕様書に書いてください。セキュリティ・可用性・サーバー規模などの要件もです。あいまいな範囲は「完成していない」「範囲外だ」という争いの元になります。",
        "Write down the scope and the acceptance criteria, security, availability and server sizing included; a vague scope is where 'not finished' and 'not in scope' disputes start.",
    ),
    Question(
        "contract_type_stated",
        "請負・準委任の明記",
        "請負 or 準委任 stated",
        "請負か準委任かを契約書で明記している",
        "The contract says whether it is 請負 (for a finished work) or 準委任 (for a service)",
        frozenset({Answer.NO.value}),
        "請負(成果物の完成に責任を負う)か準委任(業務の遂行を引き受ける)かを明記してください。どちらかで、責任の範囲も報酬の条件も変わります。",
        "Say whether the contract is for a finished work (請負) or for a service performed (準委任); the liability and the payment terms differ between them.",
    ),
    Question(
        "change_control",
        "変更管理の手続",
        "Change control",
        "仕様変更の手続(変更管理)を定めている",
        "A change-control procedure is agreed",
        frozenset({Answer.NO.value}),
        "仕様変更の申し入れ・影響の見積り・書面での合意という変更管理の手続を定めてください。",
        "Agree how changes are asked for, estimated and agreed in writing.",
    ),
    Question(
        "acceptance_procedure",
        "検収の手続",
        "Acceptance procedure",
        "検収の手続と期間を定めている",
        "The acceptance procedure and its period are agreed",
        frozenset({Answer.NO.value}),
        "検収の期間と合否の基準、期間内に連絡がなければ合格とみなす定めを入れてください。",
        "Set the acceptance period and its criteria, and that silence within the period counts as acceptance.",
    ),
    Question(
        "payment_terms",
        "支払条件の明記",
        "Payment terms",
        "支払の時期と金額を具体的に定めている(「別途協議」にしていない)",
        "Payment dates and amounts are fixed (not left 'to be agreed separately', 別途協議)",
        frozenset({Answer.NO.value}),
        "支払の時期と金額を具体的に定め、「別途協議」のままにしないでください。",
        "Fix when and how much is paid; do not leave it 'to be agreed separately' (別途協議).",
    ),
    Question(
        "ip_ownership",
        "知的財産権の帰属",
        "IP ownership",
        "成果物の知的財産権の帰属を定めている",
        "Who owns the intellectual property in the deliverables is agreed",
        frozenset({Answer.NO.value}),
        "成果物の著作権などがどちらに帰属するか、汎用的な部品やノウハウをどう扱うかを定めてください。",
        "Agree who owns the copyright in the deliverables and how reusable components and know-how are treated.",
    ),
)
QUESTION = {q.field: q for q in QUESTIONS}


# ------------------------------------------------------------ reading ---


def _word(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


ANSWER_WORDS: dict[str, Answer] = {
    _word(word): answer
    for answer, names in ANSWER_NAMES.items()
    for word in (answer.value, *names, *{Answer.YES: ("true",), Answer.NO: ("false",), Answer.UNKNOWN: ("不明", "未回答", "")}[answer])
}
CAP_WORDS: dict[str, LiabilityCap] = {
    _word(word): cap
    for cap, names in LIABILITY_CAP_NAMES.items()
    for word in (
        cap.value,
        *names,
        *{
            LiabilityCap.CONTRACT_AMOUNT: ("契約金額",),
            LiabilityCap.OTHER_AMOUNT: ("別の金額",),
            LiabilityCap.NONE: ("なし",),
            LiabilityCap.UNKNOWN: ("不明", ""),
        }[cap],
    )
}
ANSWER_CHOICES = "はい・いいえ・わからない(yes / no / unknown)のいずれかで指定してください"
CAP_CHOICES = (
    "contract_amount(契約金額が上限)・other_amount(別の金額が上限)・none(上限なし)・unknown(わからない)のいずれかで指定してください"
)


def read_answer(value: Any, field: str) -> Answer:
    """yes / no / unknown from JSON (true, false and null too) or the words a person writes (はい・いいえ・わからない)."""
    if value is None:
        return Answer.UNKNOWN
    if isinstance(value, bool):
        return Answer.YES if value else Answer.NO
    if isinstance(value, str) and _word(value) in ANSWER_WORDS:
        return ANSWER_WORDS[_word(value)]
    raise ApplicantError(f"contract.{field}", value, ANSWER_CHOICES)


def read_cap(value: Any) -> LiabilityCap:
    if value is None:
        return LiabilityCap.UNKNOWN
    if isinstance(value, str) and _word(value) in CAP_WORDS:
        return CAP_WORDS[_word(value)]
    raise ApplicantError("contract.liability_cap", value, CAP_CHOICES)


def _amount(value: Any) -> int:
    """The cap agreed, read as every applicant amount is (aggregator.applicant_rules)."""
    from aggregator.applicant_rules import read_amount

    try:
        return read_amount("liability_cap_jpy", value)
    except ApplicantError as exc:
        raise ApplicantError("contract.liability_cap_jpy", exc.value, exc.reason) from exc


FIELDS = ("liability_cap", "liability_cap_jpy", *CONTRACT_ANSWERS)


def contract_from_data(data: Any) -> ContractTerms:
    """ContractTerms from the applicant's `contract` object; every wrong value is named (contract.<field>), all at once.

    A question left out is unknown. An amount is read only with liability_cap other_amount.
    """
    if data is None:
        return ContractTerms()
    if not isinstance(data, Mapping):
        raise ApplicantError("contract", data, "契約の確認はオブジェクトで指定してください")
    errors: list[ApplicantError] = [ApplicantError(f"contract.{k}", data[k], "不明な項目です") for k in sorted(set(data) - set(FIELDS))]
    values: dict[str, Any] = {}
    for name in CONTRACT_ANSWERS:
        try:
            values[name] = read_answer(data.get(name), name)
        except ApplicantError as exc:
            errors.append(exc)
    try:
        values["liability_cap"] = cap = read_cap(data.get("liability_cap"))
        amount = data.get("liability_cap_jpy")
        if cap is LiabilityCap.OTHER_AMOUNT:
            if amount is None:
                raise ApplicantError("contract.liability_cap_jpy", None, "「別の金額が上限」(other_amount)のときは上限の金額が必要です")
            values["liability_cap_jpy"] = _amount(amount)
        elif amount is not None:
            raise ApplicantError(
                "contract.liability_cap_jpy", amount, "上限の金額は liability_cap が other_amount(別の金額が上限)のときだけ指定します"
            )
    except ApplicantError as exc:
        errors.append(exc)
    if errors:
        raise ApplicantInputError(errors)
    return ContractTerms(**values)


# ------------------------------------------------------ the liability ---


@dataclass(frozen=True, slots=True)
class ClaimPart:
    """One part of what the client claims from the vendor, with its basis; special damages drop out where the contract excludes them."""

    kind: str  # what it is: "leak" (consolation money), "client_lost_profit", "client_costs", ...
    amount_jpy: int
    ja: str  # its name
    en: str
    how_ja: str = ""  # how the amount is worked out
    how_en: str = ""
    special: bool = False  # special damages (the client's lost profit)

    @property
    def worked_ja(self) -> str:
        return f"{self.ja}({self.how_ja}) {format_yen(self.amount_jpy)}" if self.how_ja else f"{self.ja} {format_yen(self.amount_jpy)}"

    @property
    def worked_en(self) -> str:
        amount = format_yen(self.amount_jpy, "en")
        return f"{self.en} ({self.how_en}) {amount}" if self.how_en else f"{self.en} {amount}"


@dataclass(frozen=True, slots=True)
class LiabilityCase:
    """What the contract makes of a claim: the ordinary case (capped as agreed) and the worst (uncapped where it can be)."""

    claim_jpy: int  # the claim with no cap
    cap_jpy: int | None  # the cap applied in the ordinary case; None: no cap agreed
    ordinary_jpy: int
    worst_jpy: int
    uncapped: bool  # the worst case is the whole claim
    ordinary_ja: str  # why the ordinary case is what it is (its amount is ordinary_jpy)
    ordinary_en: str
    worst_ja: str  # why the worst case is what it is
    worst_en: str
    claim_ja: str
    claim_en: str
    parts: tuple[ClaimPart, ...] = ()  # what the claim was made of, as given

    def part(self, kind: str) -> ClaimPart | None:
        return next((p for p in self.parts if p.kind == kind), None)

    @property
    def basis_ja(self) -> str:
        ordinary, worst = _yen(self.ordinary_jpy)[0], _yen(self.worst_jpy)[0]
        return f"通常の場合 {ordinary}({self.ordinary_ja})。最悪の場合 {worst}({self.worst_ja})。{self.claim_ja}"

    @property
    def basis_en(self) -> str:
        ordinary, worst = _yen(self.ordinary_jpy)[1], _yen(self.worst_jpy)[1]
        return f"Ordinary case {ordinary} ({self.ordinary_en}). Worst case {worst} ({self.worst_en}). {self.claim_en}"


def _yen(n: int) -> tuple[str, str]:
    return format_yen(n, "ja"), format_yen(n, "en")


def _cap(terms: ContractTerms, contract_jpy: int) -> tuple[int | None, str, str]:
    """The cap of the ordinary case and where it comes from."""
    cap = terms.liability_cap
    if cap is LiabilityCap.OTHER_AMOUNT and terms.liability_cap_jpy is not None:
        ja, en = _yen(terms.liability_cap_jpy)
        return terms.liability_cap_jpy, f"契約で合意した上限{ja}", f"capped at the {en} agreed in the contract"
    ja, en = _yen(contract_jpy)
    if cap is LiabilityCap.CONTRACT_AMOUNT:
        return contract_jpy, f"契約金額{ja}が上限(モデル契約 第20条)", f"capped at the contract amount, {en} (model contract, Art. 20)"
    if cap is LiabilityCap.UNKNOWN:
        return (
            contract_jpy,
            f"上限の定めが分からないため、モデル契約 第20条どおり契約金額{ja}を上限と仮定",
            f"the cap is not known, so the model contract's cap (Art. 20), the contract amount of {en}, is assumed",
        )
    return None, "上限の定めがないため、請求額の全額", "no cap is agreed, so the whole claim"


def uncapped_because(terms: ContractTerms, leak_or_loss: bool) -> tuple[list[str], list[str]]:
    """Why the cap can fall away (Japanese, English): none agreed, not known, or leaks defined as gross negligence."""
    ja: list[str] = []
    en: list[str] = []
    if terms.liability_cap is LiabilityCap.NONE:
        ja.append("上限の定めがない")
        en.append("no cap is agreed")
    elif terms.liability_cap is LiabilityCap.UNKNOWN:
        ja.append("上限の定めがあるか分からない(わからないは上限なしとして扱います)")
        en.append("whether a cap is agreed is not known (unknown is treated as no cap)")
    if leak_or_loss and terms.gross_negligence_includes_leaks is Answer.YES:
        ja.append("データの消失・情報漏えいを重大な過失とする定めがあり、故意・重過失では上限がなくなる")
        en.append("data loss and leaks are defined as gross negligence, and for intent or gross negligence the cap falls away")
    elif leak_or_loss and terms.gross_negligence_includes_leaks is Answer.UNKNOWN:
        ja.append("データの消失・情報漏えいを重大な過失とする定めがあるか分からない(故意・重過失では上限がなくなる)")
        en.append("whether data loss and leaks count as gross negligence is not known (for gross negligence the cap falls away)")
    return ja, en


def liability_case(
    terms: ContractTerms,
    contract_jpy: int,
    parts: Sequence[ClaimPart],
    *,
    leak_or_loss: bool,
    at_least_contract: bool = False,
) -> LiabilityCase:
    """The one rule: ordinary = the claim up to the cap; worst = the whole claim where the cap can fall away, else the ordinary case.

    `leak_or_loss`: the accident is a leak or a loss of data, which contracts may define as gross
    negligence. `at_least_contract`: the claim is taken as no less than the contract amount (the
    estimate for any accident, as the needs have it: a contract's whole amount can be claimed).
    """
    excluded = terms.special_damages_excluded is Answer.YES
    counted = [p for p in parts if not (p.special and excluded)]
    claim = sum(p.amount_jpy for p in counted)
    words_ja = " + ".join(p.worked_ja for p in counted) or "0円"
    words_en = " + ".join(p.worked_en for p in counted) or "¥0"
    claim_ja = f"上限がない場合の請求額: {words_ja}"
    claim_en = f"The claim with no cap: {words_en}"
    if at_least_contract and claim < contract_jpy:
        claim_ja += f"。契約金額{_yen(contract_jpy)[0]}を下回らないものとします"
        claim_en += f"; taken as no less than the contract amount, {_yen(contract_jpy)[1]}"
        claim = contract_jpy
    for part in parts:
        if part.special and excluded:
            claim_ja += f"。特別損害を除く定めがあるため、{part.ja}は含めません"
            claim_en += f"; special damages are excluded, so {part.en} is left out"
        elif part.special and terms.special_damages_excluded is Answer.UNKNOWN:
            claim_ja += f"。特別損害を除く定めがあるか分からないため、{part.ja}も含めます"
            claim_en += f"; whether special damages are excluded is not known, so {part.en} is included"
    claim = min(claim, MAX_CLAIM_JPY)  # the same ceiling as every estimate (exposure.MAX_ESTIMATE_JPY)
    cap, cap_ja, cap_en = _cap(terms, contract_jpy)
    # An estimate reads as a person writes it (two figures), but a cap agreed is the contract's own figure.
    ordinary = cap if cap is not None and claim >= cap else round_for_reading(claim, up=False)
    reasons_ja, reasons_en = uncapped_because(terms, leak_or_loss)
    uncapped = bool(reasons_ja)
    worst = (claim if claim == cap else round_for_reading(claim, up=True)) if uncapped else ordinary
    if uncapped:
        worst_ja = "上限なし: " + "、".join(reasons_ja)
        worst_en = "uncapped: " + "; ".join(reasons_en)
    else:
        worst_ja = "上限まで。ただし実際に故意・重大な過失があれば上限はなくなります"
        worst_en = "up to the cap; actual intent or gross negligence would still lift it"
    return LiabilityCase(
        claim_jpy=claim,
        cap_jpy=cap,
        ordinary_jpy=ordinary,
        worst_jpy=worst,
        uncapped=uncapped,
        ordinary_ja=cap_ja,
        ordinary_en=cap_en,
        worst_ja=worst_ja,
        worst_en=worst_en,
        claim_ja=claim_ja,
        claim_en=claim_en,
        parts=tuple(parts),
    )
