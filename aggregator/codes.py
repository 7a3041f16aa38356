"""The codes the common schema speaks in: carriers, lines, statuses, industries, controls, rule parts (their words: labels.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

CARRIER_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")  # how a carrier is named in URLs, folders and stored rows
OTHER_INSURER = "other"  # a policy held with an insurer not among the carriers (current.OTHER): never a carrier's code
RESERVED_CODES = frozenset({OTHER_INSURER})


@dataclass(frozen=True)
class CarrierNames:
    """A carrier's names, and where its Japanese name may break across lines (between its words, never inside one)."""

    ja: str
    en: str
    breaks: tuple[str, ...] = ()

    def words(self) -> tuple[str, ...]:
        return self.breaks if "".join(self.breaks) == self.ja else (self.ja,)


class _Carriers(type):
    """The carriers this process knows, in the order they were declared: listed, counted and tested like an enum."""

    def __iter__(cls) -> Iterator[Carrier]:
        return iter([carrier for carrier, _ in Carrier._declared.values()])

    def __len__(cls) -> int:
        return len(Carrier._declared)

    def __contains__(cls, value: object) -> bool:
        return isinstance(value, str) and value in Carrier._declared


class Carrier(str, metaclass=_Carriers):
    """An insurer by its code. The five this product ships adapters for are declared below; a carrier a
    broker adds from a plan workbook is declared when its data is loaded (`declare`), so the list, the
    names and the count always come from here and never from a literal."""

    __slots__ = ()
    _declared: ClassVar[dict[str, tuple[Carrier, CarrierNames]]] = {}
    TOKIO_MARINE: ClassVar[Carrier]
    MITSUI_SUMITOMO: ClassVar[Carrier]
    SOMPO_JAPAN: ClassVar[Carrier]
    AIOI_NISSAY_DOWA: ClassVar[Carrier]
    AIG: ClassVar[Carrier]

    def __new__(cls, code: str) -> Carrier:
        try:
            return cls._declared[str(code)][0]
        except KeyError:
            raise ValueError(f"{code!r} is not a known carrier") from None

    @classmethod
    def declare(cls, code: str, names: CarrierNames) -> Carrier:
        """Make a carrier known (or rename one already known) and return it."""
        if not CARRIER_CODE.fullmatch(code) or code in RESERVED_CODES:
            raise ValueError(f"carrier code {code!r}: lower-case letters, digits and _ only, 2 to 40 characters, starting with a letter")
        carrier = cls._declared[code][0] if code in cls._declared else str.__new__(cls, code)
        cls._declared[code] = (carrier, names)
        return carrier

    @classmethod
    def forget(cls, code: str) -> None:
        """A carrier added from data and no longer loaded (or a test's own) stops being known."""
        cls._declared.pop(code, None)

    @property
    def value(self) -> str:
        return str.__str__(self)

    @property
    def names(self) -> CarrierNames:
        return Carrier._declared[self.value][1]

    def __repr__(self) -> str:
        return f"Carrier({self.value!r})"

    def __reduce__(self) -> tuple[Any, tuple[str, CarrierNames]]:
        # A carrier crosses to another process (a bulk job's child, a worker) with its names: one added as
        # data is known there as soon as it is unpickled.
        return (_revived, (self.value, self.names))


def _revived(code: str, names: CarrierNames) -> Carrier:
    return Carrier(code) if code in Carrier else Carrier.declare(code, names)


Carrier.TOKIO_MARINE = Carrier.declare("tokio_marine", CarrierNames("東京海上日動", "Tokio Marine & Nichido", ("東京海上", "日動")))
Carrier.MITSUI_SUMITOMO = Carrier.declare(
    "mitsui_sumitomo", CarrierNames("三井住友海上", "Mitsui Sumitomo Insurance", ("三井住友", "海上"))
)
Carrier.SOMPO_JAPAN = Carrier.declare("sompo_japan", CarrierNames("損保ジャパン", "Sompo Japan", ("損保", "ジャパン")))
Carrier.AIOI_NISSAY_DOWA = Carrier.declare(
    "aioi_nissay_dowa", CarrierNames("あいおいニッセイ同和損保", "Aioi Nissay Dowa", ("あいおい", "ニッセイ", "同和損保"))
)
Carrier.AIG = Carrier.declare("aig", CarrierNames("AIG損保", "AIG General Insurance", ("AIG損保",)))


class Line(StrEnum):
    CYBER = "cyber"
    IT_EO = "it_eo"
    PROFESSIONAL_LIABILITY = "professional_liability"


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


class SecurityControl(StrEnum):
    MFA = "mfa"
    EDR = "edr"
    OFFLINE_BACKUP = "offline_backup"
    ISMS_PMARK = "isms_pmark"
    INCIDENT_RESPONSE_PLAN = "incident_response_plan"
    VULNERABILITY_MANAGEMENT = "vulnerability_management"
    STAFF_TRAINING = "staff_training"


class ContractType(StrEnum):
    UKEOI = "ukeoi"  # 請負: contract for a finished work
    JUNININ = "juninin"  # 準委任: quasi-mandate, a service performed


class Answer(StrEnum):
    """An answer to one question of the contract check: unknown is never read as the safe answer."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class LiabilityCap(StrEnum):
    """What the contract's liability clause caps the vendor's damages at (IPA/METI model contract, Art. 20)."""

    CONTRACT_AMOUNT = "contract_amount"  # 契約金額を上限とする (the model contract's wording)
    OTHER_AMOUNT = "other_amount"  # another amount agreed
    NONE = "none"  # no cap agreed
    UNKNOWN = "unknown"


class QuoteStatus(StrEnum):
    QUOTED = "quoted"  # a firm premium from the rate table
    INDICATION = "indication"  # a premium that becomes firm once the conditions are met
    REFERRED = "referred"  # an underwriter must look; the premium is for reference only
    DECLINED = "declined"  # no offer; the reasons say why


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


class RoundingMode(StrEnum):
    """How a carrier rounds a premium to its unit (端数処理)."""

    UP = "up"  # 切上げ
    DOWN = "down"  # 切捨て
    HALF_UP = "half_up"  # 四捨五入


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


class PriorityKind(StrEnum):
    LOWEST_PRICE = "lowest_price"  # 保険料の安さ
    BROADEST_COVER = "broadest_cover"  # 補償の広さ
    ITEMS = "items"  # 特定の補償項目
    LIMIT = "limit"  # 支払限度額


class CellKind(StrEnum):
    """How a cell looks: each of these must look different on every screen and sheet."""

    INCLUDED = "included"
    SUBLIMIT = "sublimit"
    RIDER = "rider"  # offered as a rider this quote does not include
    RIDER_INCLUDED = "rider_included"
    CONDITIONAL = "conditional"
    NOT_OFFERED = "not_offered"
    UNKNOWN = "unknown"
    ZERO = "zero"  # offered at ¥0: neither "not offered" nor "unknown"
