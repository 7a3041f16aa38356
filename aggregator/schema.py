"""The common schema: carriers' plans and rates, applicants, and what rating makes of them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from aggregator.errors import ApplicantError, SchemaError
from aggregator.taxonomy import CoverageKey


class Carrier(StrEnum):
    TOKIO_MARINE = "tokio_marine"
    MITSUI_SUMITOMO = "mitsui_sumitomo"
    SOMPO_JAPAN = "sompo_japan"
    AIOI_NISSAY_DOWA = "aioi_nissay_dowa"
    AIG = "aig"


CARRIER_NAMES: dict[Carrier, tuple[str, str]] = {
    Carrier.TOKIO_MARINE: ("東京海上日動", "Tokio Marine & Nichido"),
    Carrier.MITSUI_SUMITOMO: ("三井住友海上", "Mitsui Sumitomo Insurance"),
    Carrier.SOMPO_JAPAN: ("損保ジャパン", "Sompo Japan"),
    Carrier.AIOI_NISSAY_DOWA: ("あいおいニッセイ同和損保", "Aioi Nissay Dowa"),
    Carrier.AIG: ("AIG損保", "AIG General Insurance"),
}


class Line(StrEnum):
    CYBER = "cyber"
    IT_EO = "it_eo"
    PROFESSIONAL_LIABILITY = "professional_liability"


LINE_NAMES: dict[Line, tuple[str, str]] = {
    Line.CYBER: ("サイバー保険", "Cyber insurance"),
    Line.IT_EO: ("IT業務過誤賠償責任保険", "IT errors & omissions"),
    Line.PROFESSIONAL_LIABILITY: ("専門職業賠償責任保険", "Professional liability"),
}


class TermStatus(StrEnum):
    INCLUDED = "included"
    OPTIONAL_RIDER = "optional_rider"
    SUBLIMITED = "sublimited"
    CONDITIONAL = "conditional"
    NOT_OFFERED = "not_offered"
    UNKNOWN = "unknown"


class LimitBasis(StrEnum):
    """What one limit caps: each incident or each claim, the policy period, or both with one amount."""

    PER_INCIDENT = "per_incident"  # 1事故につき
    PER_CLAIM = "per_claim"  # 1請求につき: liability, claims-made
    AGGREGATE = "aggregate"  # 保険期間中
    BOTH = "both"  # 1事故・保険期間中 (the same amount caps each and all)
    CLAIM_AND_AGGREGATE = "per_claim_and_aggregate"  # 1請求・保険期間中


class Trigger(StrEnum):
    CLAIMS_MADE = "claims_made"  # 損害賠償請求がなされた時
    DISCOVERY = "discovery"  # 事故を発見した時
    OCCURRENCE = "occurrence"  # 事故が発生した時


class Industry(StrEnum):
    SYSTEM_INTEGRATION = "system_integration"
    SAAS = "saas"
    APP_DEVELOPMENT = "app_development"
    PACKAGE_SOFTWARE = "package_software"
    HOSTING_DATACENTER = "hosting_datacenter"
    IT_CONSULTING = "it_consulting"
    SES_STAFFING = "ses_staffing"
    MANAGED_SECURITY = "managed_security"
    EC_PLATFORM = "ec_platform"
    FINTECH = "fintech"


INDUSTRY_NAMES: dict[Industry, tuple[str, str]] = {
    Industry.SYSTEM_INTEGRATION: ("システム受託開発・SI", "System integration / contract development"),
    Industry.SAAS: ("SaaS・クラウドサービス", "SaaS / cloud services"),
    Industry.APP_DEVELOPMENT: ("アプリ・Web制作", "App and web development"),
    Industry.PACKAGE_SOFTWARE: ("パッケージソフトウェア", "Packaged software"),
    Industry.HOSTING_DATACENTER: ("ホスティング・データセンター", "Hosting / data centre"),
    Industry.IT_CONSULTING: ("ITコンサルティング", "IT consulting"),
    Industry.SES_STAFFING: ("SES・技術者派遣", "Engineering staffing (SES)"),
    Industry.MANAGED_SECURITY: ("セキュリティサービス", "Managed security services"),
    Industry.EC_PLATFORM: ("EC・プラットフォーム運営", "E-commerce / platform operator"),
    Industry.FINTECH: ("フィンテック・決済代行", "Fintech / payment services"),
}


class SecurityControl(StrEnum):
    MFA = "mfa"
    EDR = "edr"
    OFFLINE_BACKUP = "offline_backup"
    ISMS_PMARK = "isms_pmark"
    INCIDENT_RESPONSE_PLAN = "incident_response_plan"
    VULNERABILITY_MANAGEMENT = "vulnerability_management"
    STAFF_TRAINING = "staff_training"


CONTROL_NAMES: dict[SecurityControl, tuple[str, str]] = {
    SecurityControl.MFA: ("多要素認証(MFA)", "Multi-factor authentication"),
    SecurityControl.EDR: ("EDR", "EDR"),
    SecurityControl.OFFLINE_BACKUP: ("オフラインバックアップ", "Offline backups"),
    SecurityControl.ISMS_PMARK: ("ISMS・プライバシーマーク", "ISMS / PrivacyMark"),
    SecurityControl.INCIDENT_RESPONSE_PLAN: ("インシデント対応計画", "Incident response plan"),
    SecurityControl.VULNERABILITY_MANAGEMENT: ("脆弱性管理", "Vulnerability management"),
    SecurityControl.STAFF_TRAINING: ("従業員教育", "Staff training"),
}


class ContractType(StrEnum):
    UKEOI = "ukeoi"  # 請負: contract for a finished work
    JUNININ = "juninin"  # 準委任: quasi-mandate, a service performed


CONTRACT_TYPE_NAMES: dict[ContractType, tuple[str, str]] = {
    ContractType.UKEOI: ("請負", "Contract for work (ukeoi)"),
    ContractType.JUNININ: ("準委任", "Quasi-mandate (jun-inin)"),
}


class Answer(StrEnum):
    """An answer to one question of the contract check: unknown is never read as the safe answer."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


ANSWER_NAMES: dict[Answer, tuple[str, str]] = {
    Answer.YES: ("はい", "Yes"),
    Answer.NO: ("いいえ", "No"),
    Answer.UNKNOWN: ("わからない", "Don't know"),
}


class LiabilityCap(StrEnum):
    """What the contract's liability clause caps the vendor's damages at (IPA/METI model contract, Art. 20)."""

    CONTRACT_AMOUNT = "contract_amount"  # 契約金額を上限とする (the model contract's wording)
    OTHER_AMOUNT = "other_amount"  # another amount agreed
    NONE = "none"  # no cap agreed
    UNKNOWN = "unknown"


LIABILITY_CAP_NAMES: dict[LiabilityCap, tuple[str, str]] = {
    LiabilityCap.CONTRACT_AMOUNT: ("契約金額が上限", "Capped at the contract amount"),
    LiabilityCap.OTHER_AMOUNT: ("別の金額が上限", "Capped at another amount"),
    LiabilityCap.NONE: ("上限なし", "No cap"),
    LiabilityCap.UNKNOWN: ("わからない", "Don't know"),
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


def _require(ok: bool, field_name: str, value: object, reason: str) -> None:
    if not ok:
        raise SchemaError(field_name, value, reason)


# The largest amount carrier data may hold (a limit, a premium, a band edge): 1兆円. Far above any
# real figure, and low enough that rating in int64 cannot overflow on it.
MAX_CARRIER_YEN = 10**12
MAX_CARRIER_YEN_TEXT = "1兆円"
# The largest count or threshold carrier data may hold (records, employees, days): 1,000兆.
MAX_CARRIER_COUNT = 10**15


def _yen_or_none(value: int | None, field_name: str) -> None:
    if value is None:
        return
    _require(isinstance(value, int) and not isinstance(value, bool), field_name, value, "金額は整数の円で指定してください")
    _require(value >= 0, field_name, value, "金額が負です")
    _require(value <= MAX_CARRIER_YEN, field_name, value, f"金額が上限({MAX_CARRIER_YEN_TEXT})を超えています")


# ---------------------------------------------------------------- plans ---


@dataclass(frozen=True, slots=True)
class PerVictimCap:
    """Caps on apology money: e.g. ¥500 per person, ¥50,000 per company."""

    per_person_jpy: int | None = None
    per_company_jpy: int | None = None

    def __post_init__(self) -> None:
        _yen_or_none(self.per_person_jpy, "per_person_jpy")
        _yen_or_none(self.per_company_jpy, "per_company_jpy")
        _require(
            self.per_person_jpy is not None or self.per_company_jpy is not None,
            "per_victim_cap",
            self,
            "1名あたり・1法人あたりのいずれかが必要です",
        )


POLICY_POOL = "policy"  # the policy limit the applicant chooses: the aggregate every term and pool sits inside by default


@dataclass(frozen=True, slots=True)
class LimitPool:
    """A limit that other items sit inside (内枠): e.g. the overall 費用損害 cap of a plan."""

    pool_id: str
    label_ja: str
    label_en: str
    limit_jpy: int
    basis: LimitBasis = LimitBasis.BOTH
    parent: str | None = POLICY_POOL  # the pool it sits inside; None: separate from the policy aggregate (別枠)

    def __post_init__(self) -> None:
        _require(bool(re.fullmatch(r"[a-z][a-z0-9_]*", self.pool_id)), "pool_id", self.pool_id, "英小文字の識別子にしてください")
        _yen_or_none(self.limit_jpy, "limit_jpy")
        _require(self.parent != self.pool_id, "parent", self.parent, "内枠が自分自身の中にあります")


@dataclass(frozen=True, slots=True)
class CoverageTerm:
    """What one plan pays for one coverage item, and on what terms."""

    key: CoverageKey
    status: TermStatus
    wording: str  # the carrier's own words, kept for traceability
    limit_jpy: int | None = None  # None: up to the parent's limit
    basis: LimitBasis = LimitBasis.BOTH
    parent: str = POLICY_POOL  # a LimitPool id of the plan, or POLICY_POOL
    payout_ratio_pct: int = 100  # 縮小支払割合
    per_victim: PerVictimCap | None = None
    deductible_jpy: int | None = None  # None: the policy deductible applies; 0: none
    waiting_hours: int | None = None  # 待機期間 for business interruption
    trigger: Trigger | None = None  # None: the plan's trigger
    conditions: str = ""  # in Japanese; a carrier whose files are English only gives its English here too
    scope: str = ""  # where the cover is narrower than the item's name, in the carrier's words (個人情報の漏えいに限る)
    scope_en: str = ""
    conditions_en: str = ""  # in English, where the carrier's files give it; "" otherwise

    def __post_init__(self) -> None:
        where = f"term[{self.key}]"
        _yen_or_none(self.limit_jpy, f"{where}.limit_jpy")
        _yen_or_none(self.deductible_jpy, f"{where}.deductible_jpy")
        _require(
            isinstance(self.payout_ratio_pct, int) and 0 < self.payout_ratio_pct <= 100,
            f"{where}.payout_ratio_pct",
            self.payout_ratio_pct,
            "支払割合は1〜100%です",
        )
        _require(self.waiting_hours is None or self.waiting_hours >= 0, f"{where}.waiting_hours", self.waiting_hours, "待機期間が負です")
        if self.status is TermStatus.SUBLIMITED:
            _require(self.limit_jpy is not None, f"{where}.limit_jpy", None, "支払限度額(内枠)の金額がありません")
        if self.status is TermStatus.CONDITIONAL:
            _require(bool(self.conditions.strip()), f"{where}.conditions", self.conditions, "条件付きの補償には条件の記載が必要です")
        if self.status in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN):
            _require(self.limit_jpy is None, f"{where}.limit_jpy", self.limit_jpy, f"{self.status}の項目に金額は付けられません")

    @property
    def offered(self) -> bool:
        return self.status not in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Plan:
    carrier: Carrier
    line: Line
    code: str
    name: str  # as the carrier names it in Japanese, e.g. サイバープロテクター ワイドプラン (its English where it gives no Japanese)
    product: str  # the product family, e.g. IT事業者向けサイバー保険
    rate_version: str
    effective_from: date
    effective_to: date | None
    limit_options_jpy: tuple[int, ...]  # the policy limits one can choose
    deductible_options_jpy: tuple[int, ...]
    terms: tuple[CoverageTerm, ...]
    pools: tuple[LimitPool, ...] = ()
    trigger: Trigger = Trigger.CLAIMS_MADE
    exclusions: tuple[str, ...] = ()
    retroactive: str = ""  # 遡及日 of a claims-made plan, as the carrier states it; "": not stated
    sample: bool = True  # invented sample data: must say so wherever it is shown
    source: str = ""
    # English, where the carrier's files give it ("" / () otherwise). A carrier whose files are English only puts the
    # same words in name and name_en (exclusions, conditions alike): equal texts mean no Japanese was given.
    name_en: str = ""
    exclusions_en: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"plan[{self.carrier}:{self.code}]"
        _require(bool(self.code.strip()), f"{where}.code", self.code, "プランコードが空です")
        _require(bool(self.limit_options_jpy), f"{where}.limit_options_jpy", (), "支払限度額の選択肢がありません")
        _require(bool(self.deductible_options_jpy), f"{where}.deductible_options_jpy", (), "免責金額の選択肢がありません")
        for n in self.limit_options_jpy:
            _yen_or_none(n, f"{where}.limit_options_jpy")
            _require(n > 0, f"{where}.limit_options_jpy", n, "支払限度額は正の金額です")
        for n in self.deductible_options_jpy:
            _yen_or_none(n, f"{where}.deductible_options_jpy")
        _require(
            list(self.limit_options_jpy) == sorted(set(self.limit_options_jpy)),
            f"{where}.limit_options_jpy",
            self.limit_options_jpy,
            "昇順・重複なしにしてください",
        )
        _require(
            list(self.deductible_options_jpy) == sorted(set(self.deductible_options_jpy)),
            f"{where}.deductible_options_jpy",
            self.deductible_options_jpy,
            "昇順・重複なしにしてください",
        )
        if self.effective_to is not None:
            _require(self.effective_to >= self.effective_from, f"{where}.effective_to", self.effective_to, "適用終了日が開始日より前です")
        pools = {p.pool_id: p for p in self.pools}
        _require(len(pools) == len(self.pools), f"{where}.pools", [p.pool_id for p in self.pools], "内枠の識別子が重複しています")
        _require(POLICY_POOL not in pools, f"{where}.pools", POLICY_POOL, f"'{POLICY_POOL}'は予約済みです")
        keys = [t.key for t in self.terms]
        _require(len(keys) == len(set(keys)), f"{where}.terms", keys, "補償項目が重複しています")
        top = max(self.limit_options_jpy)
        for pool in self.pools:
            name = f"{where}.pools[{pool.pool_id}]"
            _require(
                pool.parent in (None, POLICY_POOL) or pool.parent in pools, f"{name}.parent", pool.parent, "存在しない内枠を参照しています"
            )
            ceiling = top if pool.parent == POLICY_POOL else None if pool.parent is None else pools[pool.parent].limit_jpy
            _require(ceiling is None or pool.limit_jpy <= ceiling, name, pool.limit_jpy, "内枠が親の支払限度額を超えています")
        self._check_no_cycle(pools, where)
        for term in self.terms:
            self._check_parent(term, pools, top, where)

    @staticmethod
    def _check_no_cycle(pools: Mapping[str, LimitPool], where: str) -> None:
        for start in pools:
            seen, current = {start}, pools[start].parent
            while current is not None and current != POLICY_POOL:
                _require(current not in seen, f"{where}.pools[{start}].parent", current, "内枠の親子関係が循環しています")
                seen.add(current)
                current = pools[current].parent

    def _check_parent(self, term: CoverageTerm, pools: Mapping[str, LimitPool], top: int, where: str) -> None:
        name = f"{where}.terms[{term.key}]"
        if term.parent == POLICY_POOL:
            ceiling = top
        else:
            _require(term.parent in pools, f"{name}.parent", term.parent, "存在しない内枠を参照しています")
            ceiling = pools[term.parent].limit_jpy
        if term.limit_jpy is not None:
            _require(term.limit_jpy <= ceiling, f"{name}.limit_jpy", term.limit_jpy, f"内枠の金額が親の限度額({ceiling:,}円)を超えています")

    def term(self, key: CoverageKey) -> CoverageTerm | None:
        for t in self.terms:
            if t.key == key:
                return t
        return None

    def pool(self, pool_id: str) -> LimitPool | None:
        for p in self.pools:
            if p.pool_id == pool_id:
                return p
        return None


# ---------------------------------------------------------------- rates ---


class RuleAction(StrEnum):
    DECLINE = "decline"  # 引受不可
    REFER = "refer"  # 要引受審査: an underwriter must look
    CONDITION = "condition"  # quoted, on condition the control is in place before binding
    DROP_RIDER = "drop_rider"  # quoted, without the named rider


class RuleField(StrEnum):
    """Applicant fields an eligibility rule can test."""

    ANNUAL_REVENUE = "annual_revenue_jpy"
    EMPLOYEES = "employees"
    RECORDS_HELD = "records_held"
    SERVERS = "servers"
    LARGEST_CONTRACT = "largest_contract_jpy"
    INCIDENTS_3Y = "incidents_3y"
    INDUSTRY = "industry"
    CONTRACT_TYPE = "contract_type"


MONEY_FIELDS = frozenset({RuleField.ANNUAL_REVENUE, RuleField.LARGEST_CONTRACT})


class RuleOp(StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    IN = "in"
    NOT_IN = "not_in"


@dataclass(frozen=True, slots=True)
class EligibilityRule:
    """One appetite rule: when `field op value` holds (and `unless` is not in place), act.

    E.g. decline when records_held > 100,000 unless MFA; refer when incidents_3y >= 2;
    drop the lost-profit rider when revenue > 100億円.
    """

    code: str  # the carrier's own rule id, kept for traceability
    action: RuleAction
    field: RuleField
    op: RuleOp
    value: int | tuple[str, ...]
    unless: SecurityControl | None = None
    rider: CoverageKey | None = None  # with DROP_RIDER: which rider goes
    days: int | None = None  # with CONDITION: days allowed to put the control in place

    def __post_init__(self) -> None:
        where = f"rule[{self.code}]"
        if self.op in (RuleOp.IN, RuleOp.NOT_IN):
            _require(isinstance(self.value, tuple) and bool(self.value), f"{where}.value", self.value, "in/not_in には値の一覧が必要です")
        else:
            _require(
                isinstance(self.value, int) and not isinstance(self.value, bool), f"{where}.value", self.value, "比較には整数が必要です"
            )
            _require(
                not isinstance(self.value, int) or abs(self.value) <= MAX_CARRIER_COUNT,
                f"{where}.value",
                self.value,
                "比較の値が大きすぎます",
            )
            _require(
                self.field not in (RuleField.INDUSTRY, RuleField.CONTRACT_TYPE),
                f"{where}.field",
                self.field,
                "この項目は大小比較できません",
            )
        if self.action is RuleAction.CONDITION:
            _require(self.unless is not None, f"{where}.unless", None, "条件付き引受には対象の対策が必要です")
            _require(self.days is not None and 0 < self.days <= 3_650, f"{where}.days", self.days, "対策の期限(日数)は1〜3,650日です")
        if self.action is RuleAction.DROP_RIDER:
            _require(self.rider is not None, f"{where}.rider", None, "外す特約の指定が必要です")


class RoundingMode(StrEnum):
    """How a carrier rounds a premium to its unit (端数処理)."""

    UP = "up"  # 切上げ
    DOWN = "down"  # 切捨て
    HALF_UP = "half_up"  # 四捨五入


ROUNDING_NAMES: dict[RoundingMode, tuple[str, str]] = {
    RoundingMode.UP: ("切上げ", "rounded up"),
    RoundingMode.DOWN: ("切捨て", "rounded down"),
    RoundingMode.HALF_UP: ("四捨五入", "rounded half up"),
}


class RatingStep(StrEnum):
    """The parts of the security adjustment (割増引), in the order a carrier applies them.

    Credits and debits add up to one adjustment; the cap floors what has been added before it
    at −max_credit. Where the cap stands decides what it limits: the credits alone, or the
    credits net of the debits.
    """

    CREDITS = "credits"  # 割引: each control in place
    DEBITS = "debits"  # 不備割増: each control missing
    CAP = "cap"  # 割引上限


CAP_ON_CREDITS = (RatingStep.CREDITS, RatingStep.CAP, RatingStep.DEBITS)  # the cap limits the credits; debits come on top
CAP_ON_NET = (RatingStep.CREDITS, RatingStep.DEBITS, RatingStep.CAP)  # the cap limits credits net of debits
STEP_NAMES: dict[tuple[RatingStep, ...], tuple[str, str]] = {
    CAP_ON_CREDITS: ("割引上限は割引のみに適用", "the credit cap applies to the credits alone"),
    CAP_ON_NET: ("割引上限は不備割増を差し引いた後に適用", "the credit cap applies to the credits net of the debits"),
}


@dataclass(frozen=True, slots=True)
class RateTable:
    """One carrier's rates for one line, normalised.

    premium = base[class][revenue band] × plan × limit × deductible
              × (1 + security adjustment) × (1 + incidents surcharge) × (1 + riders),
    each factor in basis points (10,000 = ×1.00), integer arithmetic; the security adjustment
    adds credits and debits and applies the cap in the order of `steps`; then the premium is
    rounded to the carrier's unit in its rounding mode, and raised to the minimum premium.
    """

    carrier: Carrier
    line: Line
    version: str
    effective_from: date
    effective_to: date | None
    revenue_band_upper_jpy: tuple[int, ...]  # band i is [upper[i-1], upper[i]); above the last: no rate
    industry_class: Mapping[Industry, str]  # an industry not listed is not written
    base_premium_jpy: Mapping[str, tuple[int, ...]]  # class -> one base premium per band
    plan_factor_bp: Mapping[str, int]  # plan code -> factor
    limit_factor_bp: Mapping[int, int]  # policy limit -> factor
    deductible_factor_bp: Mapping[int, int]  # deductible -> factor
    control_credit_bp: Mapping[SecurityControl, int]  # signed: -500 is a 5% credit when in place
    missing_control_debit_bp: Mapping[SecurityControl, int] = field(default_factory=dict)  # added when absent
    max_credit_bp: int = 3_000  # credits never take off more than this
    incident_surcharge_bp: int = 0  # per incident in the last three years
    rider_factor_bp: Mapping[CoverageKey, int] = field(default_factory=dict)  # loading per optional rider
    minimum_premium_jpy: int = 0
    rounding_jpy: int = 10  # premiums are rounded to a multiple of this
    rounding_mode: RoundingMode = RoundingMode.UP  # how: up unless the carrier's files say otherwise
    steps: tuple[RatingStep, ...] = CAP_ON_NET  # the order of credits, debits and the cap
    rules: tuple[EligibilityRule, ...] = ()
    sample: bool = True
    source: str = ""

    def __post_init__(self) -> None:
        where = f"rates[{self.carrier}:{self.line}]"
        bands = self.revenue_band_upper_jpy
        _require(bool(bands), f"{where}.revenue_band_upper_jpy", bands, "売上高区分がありません")
        _require(
            list(bands) == sorted(set(bands)) and bands[0] > 0,
            f"{where}.revenue_band_upper_jpy",
            bands,
            "売上高区分は正の昇順にしてください",
        )
        for n in bands:
            _yen_or_none(n, f"{where}.revenue_band_upper_jpy")
        _require(bool(self.industry_class), f"{where}.industry_class", {}, "業種区分がありません")
        for industry, klass in self.industry_class.items():
            _require(klass in self.base_premium_jpy, f"{where}.industry_class[{industry}]", klass, "基本保険料のない業種区分です")
        for klass, row in self.base_premium_jpy.items():
            _require(len(row) == len(bands), f"{where}.base_premium_jpy[{klass}]", row, f"売上高区分の数({len(bands)})と一致しません")
            for n in row:
                _yen_or_none(n, f"{where}.base_premium_jpy[{klass}]")
        for name, table in (
            ("plan_factor_bp", self.plan_factor_bp),
            ("limit_factor_bp", self.limit_factor_bp),
            ("deductible_factor_bp", self.deductible_factor_bp),
        ):
            _require(bool(table), f"{where}.{name}", {}, "係数がありません")
            for k, v in table.items():
                _require(isinstance(v, int) and 0 < v <= 1_000_000, f"{where}.{name}[{k}]", v, "係数は0より大きく100倍以下です")
        controls: tuple[tuple[str, Mapping[SecurityControl, int]], ...] = (
            ("control_credit_bp", self.control_credit_bp),
            ("missing_control_debit_bp", self.missing_control_debit_bp),
        )
        for label_, control_table in controls:
            for control, bp in control_table.items():
                _require(isinstance(bp, int) and -10_000 < bp < 10_000, f"{where}.{label_}[{control}]", bp, "割増引は±100%未満です")
        _require(0 <= self.max_credit_bp < 10_000, f"{where}.max_credit_bp", self.max_credit_bp, "割引上限は0〜100%未満です")
        _require(
            0 <= self.incident_surcharge_bp <= 100_000, f"{where}.incident_surcharge_bp", self.incident_surcharge_bp, "事故割増が範囲外です"
        )
        for k, v in self.rider_factor_bp.items():
            _require(isinstance(v, int) and 0 <= v <= 100_000, f"{where}.rider_factor_bp[{k}]", v, "特約の割増が範囲外です")
        _yen_or_none(self.minimum_premium_jpy, f"{where}.minimum_premium_jpy")
        _yen_or_none(self.rounding_jpy, f"{where}.rounding_jpy")
        _require(
            isinstance(self.rounding_jpy, int) and self.rounding_jpy >= 1,
            f"{where}.rounding_jpy",
            self.rounding_jpy,
            "端数処理の単位は1円以上です",
        )
        _require(isinstance(self.rounding_mode, RoundingMode), f"{where}.rounding_mode", self.rounding_mode, "端数処理の方法が不明です")
        steps = tuple(self.steps)
        _require(
            all(isinstance(step, RatingStep) for step in steps)
            and sorted(steps) == sorted(RatingStep)
            and steps.index(RatingStep.CAP) > steps.index(RatingStep.CREDITS),
            f"{where}.steps",
            steps,
            "割引・不備割増・割引上限を1回ずつ、割引上限は割引より後に並べてください",
        )

    @property
    def debits_capped(self) -> bool:
        """Whether the cap limits the credits net of the debits (the debits come before it) or the credits alone."""
        return self.steps.index(RatingStep.DEBITS) < self.steps.index(RatingStep.CAP)


@dataclass(frozen=True, slots=True)
class CarrierData:
    """Everything one carrier delivered, loaded and validated as a whole."""

    carrier: Carrier
    plans: tuple[Plan, ...]
    rate_tables: tuple[RateTable, ...]
    sources: tuple[str, ...] = ()
    sample: bool = True

    def __post_init__(self) -> None:
        where = f"carrier[{self.carrier}]"
        _require(bool(self.plans), f"{where}.plans", (), "プランがありません")
        tables = {t.line: t for t in self.rate_tables}
        _require(
            len(tables) == len(self.rate_tables),
            f"{where}.rate_tables",
            [t.line for t in self.rate_tables],
            "同じ種目の料率表が複数あります",
        )
        codes = [(p.line, p.code) for p in self.plans]
        _require(len(codes) == len(set(codes)), f"{where}.plans", codes, "プランコードが重複しています")
        for plan in self.plans:
            _require(plan.carrier == self.carrier, f"{where}.plans[{plan.code}].carrier", plan.carrier, "別の保険会社のプランです")
            table = tables.get(plan.line)
            _require(table is not None, f"{where}.plans[{plan.code}]", plan.line, "この種目の料率表がありません")
            assert table is not None
            _require(plan.code in table.plan_factor_bp, f"{where}.plans[{plan.code}]", plan.code, "料率表にこのプランの係数がありません")
            for n in plan.limit_options_jpy:
                _require(
                    n in table.limit_factor_bp,
                    f"{where}.plans[{plan.code}].limit_options_jpy",
                    n,
                    "料率表にこの支払限度額の係数がありません",
                )
            for n in plan.deductible_options_jpy:
                _require(
                    n in table.deductible_factor_bp,
                    f"{where}.plans[{plan.code}].deductible_options_jpy",
                    n,
                    "料率表にこの免責金額の係数がありません",
                )
            for term in plan.terms:
                if term.status is TermStatus.OPTIONAL_RIDER:
                    _require(
                        term.key in table.rider_factor_bp,
                        f"{where}.plans[{plan.code}].terms[{term.key}]",
                        term.key,
                        "料率表にこの特約の割増がありません",
                    )

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for line in Line if any(p.line == line for p in self.plans))

    def plans_for(self, line: Line) -> tuple[Plan, ...]:
        return tuple(p for p in self.plans if p.line == line)

    def rate_table(self, line: Line) -> RateTable | None:
        for t in self.rate_tables:
            if t.line == line:
                return t
        return None


# ----------------------------------------------------------- applicants ---

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


# --------------------------------------------------------------- quotes ---


class QuoteStatus(StrEnum):
    QUOTED = "quoted"  # a firm premium from the rate table
    INDICATION = "indication"  # a premium that becomes firm once the conditions are met
    REFERRED = "referred"  # an underwriter must look; the premium is for reference only
    DECLINED = "declined"  # no offer; the reasons say why


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a quote was declined, referred or changed: a code, and words a person can act on."""

    code: str
    text_ja: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Condition:
    """Something to do before binding, e.g. put MFA in place within 30 days."""

    code: str
    text_ja: str
    text_en: str
    days: int | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    """What was asked and what the carrier quotes instead (a capped limit, a raised deductible, a dropped rider)."""

    what: str  # "limit" | "deductible" | "rider"
    asked: int | str
    quoted: int | str | None
    reason: Reason


@dataclass(frozen=True, slots=True)
class QuoteOption:
    """One rung of the ladder: another limit or deductible the carrier offers, and its premium."""

    limit_jpy: int
    deductible_jpy: int
    premium_jpy: int


@dataclass(frozen=True, slots=True)
class Quote:
    carrier: Carrier
    line: Line
    plan: Plan
    status: QuoteStatus
    asked_limit_jpy: int
    asked_deductible_jpy: int
    limit_jpy: int
    deductible_jpy: int
    premium_jpy: int | None  # annual, int yen; None when declined
    riders_asked: tuple[CoverageKey, ...] = ()
    riders: tuple[CoverageKey, ...] = ()  # riders in the quoted premium
    adjustments: tuple[Adjustment, ...] = ()
    conditions: tuple[Condition, ...] = ()
    reasons: tuple[Reason, ...] = ()
    options: tuple[QuoteOption, ...] = ()
    rate_version: str = ""
    valid_until: date | None = None

    @property
    def sample(self) -> bool:
        return self.plan.sample

    @property
    def meets_request(self) -> bool:
        """Quoted as asked: firm, nothing capped, raised or dropped."""
        return self.status is QuoteStatus.QUOTED and not self.adjustments
