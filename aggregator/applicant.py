"""The applicant: what the carriers' proposal forms ask of a company, the contract check's answers, and the one table of their limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.codes import Answer, ContractType, Industry, LiabilityCap, Line, SecurityControl
from aggregator.errors import ApplicantError
from aggregator.taxonomy import CoverageKey

MAX_INPUT = 10**15  # 1,000兆: far above any real figure, far below where int64 arithmetic overflows
MAX_INCIDENTS = 100  # incidents multiply a surcharge: bounded so a premium stays inside int64


@dataclass(frozen=True, slots=True)
class FieldLimit:
    """The most one applicant field may hold (characters for text, the value for a number), and what a person is told past it."""

    largest: int
    message: str


# One definition of an applicant's limits: the schema, the web form and the JSON API all apply these,
# with these words. (`note` is the customer's free text that comes with their priorities.)
COUNT_FIELDS = ("employees", "records_held", "servers", "incidents_3y")
MONEY_FIELDS_JPY = ("annual_revenue_jpy", "largest_contract_jpy", "limit_jpy", "deductible_jpy")
APPLICANT_LIMITS: dict[str, FieldLimit] = {
    "company": FieldLimit(200, "会社名は200文字以内で入力してください"),
    "contact_email": FieldLimit(254, "メールアドレスは254文字以内で入力してください"),
    "note": FieldLimit(1_000, "ご要望は1,000文字以内で入力してください"),
    "employees": FieldLimit(MAX_INPUT, "0〜1,000兆の整数で入力してください"),
    "records_held": FieldLimit(MAX_INPUT, "0〜1,000兆の整数で入力してください"),
    "servers": FieldLimit(MAX_INPUT, "0〜1,000兆の整数で入力してください"),
    "incidents_3y": FieldLimit(MAX_INCIDENTS, f"0〜{MAX_INCIDENTS}件の整数で入力してください"),
    "gross_margin_pct": FieldLimit(100, "粗利率は0〜100％の整数で入力してください"),
    "liability_cap_jpy": FieldLimit(MAX_INPUT, "0円〜1,000兆円の金額で入力してください"),
    **{name: FieldLimit(MAX_INPUT, "0円〜1,000兆円の金額で入力してください") for name in MONEY_FIELDS_JPY},
}


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """What the vendor's usual contract says, as the articles' checklist asks it (aggregator/contract.py); every answer starts unknown."""

    liability_cap: LiabilityCap = LiabilityCap.UNKNOWN
    liability_cap_jpy: int | None = None  # the amount, with OTHER_AMOUNT only
    special_damages_excluded: Answer = Answer.UNKNOWN  # 逸失利益などの特別損害を除く
    gross_negligence_includes_leaks: Answer = Answer.UNKNOWN  # データ消失・情報漏えいを重過失とする定め
    liability_beyond_law: Answer = Answer.UNKNOWN  # 法律上の責任を超える賠償の約束 (違約金, 無過失の保証)
    scope_defined: Answer = Answer.UNKNOWN  # 作業範囲・受入基準
    contract_type_stated: Answer = Answer.UNKNOWN  # 請負か準委任か
    change_control: Answer = Answer.UNKNOWN  # 変更管理の手続
    acceptance_procedure: Answer = Answer.UNKNOWN  # 検収の手続と期間
    payment_terms: Answer = Answer.UNKNOWN  # 支払条件 (「別途協議」にしない)
    ip_ownership: Answer = Answer.UNKNOWN  # 知的財産権の帰属

    def __post_init__(self) -> None:
        def check(ok: bool, name: str, value: object, reason: str) -> None:
            if not ok:
                raise ApplicantError(f"contract.{name}", value, reason)

        check(isinstance(self.liability_cap, LiabilityCap), "liability_cap", self.liability_cap, "賠償の上限が一覧にありません")
        for name in CONTRACT_ANSWERS:
            value = getattr(self, name)
            check(isinstance(value, Answer), name, value, "はい・いいえ・わからないのいずれかです")
        amount = self.liability_cap_jpy
        if self.liability_cap is LiabilityCap.OTHER_AMOUNT:
            limit = APPLICANT_LIMITS["liability_cap_jpy"]
            check(isinstance(amount, int) and not isinstance(amount, bool), "liability_cap_jpy", amount, "上限の金額を入力してください")
            assert isinstance(amount, int)
            check(0 <= amount <= limit.largest, "liability_cap_jpy", amount, limit.message)
        else:
            check(amount is None, "liability_cap_jpy", amount, "上限の金額は「別の金額が上限」のときだけ指定します")


# The contract check's yes/no questions, in the order they are asked (the cap comes first).
CONTRACT_ANSWERS = (
    "special_damages_excluded",
    "gross_negligence_includes_leaks",
    "liability_beyond_law",
    "scope_defined",
    "contract_type_stated",
    "change_control",
    "acceptance_procedure",
    "payment_terms",
    "ip_ownership",
)


@dataclass(frozen=True, slots=True)
class Applicant:
    """One company asking for quotes: what the carriers' proposal forms ask."""

    company: str
    industry: Industry
    annual_revenue_jpy: int
    employees: int
    records_held: int  # personal-information records held
    servers: int
    largest_contract_jpy: int
    contract_type: ContractType
    controls: frozenset[SecurityControl]
    incidents_3y: int
    lines: tuple[Line, ...]
    limit_jpy: int
    deductible_jpy: int
    riders: frozenset[CoverageKey] = frozenset()
    contact_email: str = ""
    gross_margin_pct: int | None = None  # 粗利率 (gross profit over revenue); None: the industry's assumed rate
    contract: ContractTerms = ContractTerms()  # the contract check; all unknown unless answered

    def __post_init__(self) -> None:
        def check(ok: bool, name: str, value: object, reason: str) -> None:
            if not ok:
                raise ApplicantError(name, value, reason)

        check(bool(self.company.strip()), "company", self.company, "会社名を入力してください")
        for name in ("company", "contact_email"):
            text, limit = getattr(self, name), APPLICANT_LIMITS[name]
            check(len(text) <= limit.largest, name, text[:20] + "…", limit.message)
        check(not re.search(r"[\x00-\x1f\x7f-\x9f]", self.company), "company", self.company, "会社名に制御文字は使えません")
        for name in (*MONEY_FIELDS_JPY, *COUNT_FIELDS):
            value, limit = getattr(self, name), APPLICANT_LIMITS[name]
            check(isinstance(value, int) and not isinstance(value, bool), name, value, "整数で入力してください")
            check(0 <= value <= limit.largest, name, value, limit.message)
        if self.gross_margin_pct is not None:
            limit = APPLICANT_LIMITS["gross_margin_pct"]
            check(
                isinstance(self.gross_margin_pct, int) and not isinstance(self.gross_margin_pct, bool),
                "gross_margin_pct",
                self.gross_margin_pct,
                "整数で入力してください",
            )
            check(0 <= self.gross_margin_pct <= limit.largest, "gross_margin_pct", self.gross_margin_pct, limit.message)
        check(self.limit_jpy > 0, "limit_jpy", self.limit_jpy, "支払限度額を選んでください")
        check(bool(self.lines), "lines", self.lines, "保険の種類を1つ以上選んでください")
        check(len(set(self.lines)) == len(self.lines), "lines", self.lines, "保険の種類が重複しています")
        check(isinstance(self.industry, Industry), "industry", self.industry, "業種が一覧にありません")
        check(isinstance(self.contract_type, ContractType), "contract_type", self.contract_type, "契約形態は請負か準委任です")
        check(isinstance(self.contract, ContractTerms), "contract", self.contract, "契約の確認の回答が正しくありません")
