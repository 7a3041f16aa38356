"""What a company like this one is likely to need per coverage item, with every assumption stated."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from aggregator.applicant import Applicant
from aggregator.codes import Industry, Line
from aggregator.contract import ClaimPart, LiabilityCase, liability_case
from aggregator.errors import SchemaError
from aggregator.labels import INDUSTRY_NAMES
from aggregator.money import format_yen, round_for_reading
from aggregator.taxonomy import CoverageKey

K = CoverageKey
LARGE_LEAK_PEOPLE = 1_000  # 改正個人情報保護法(2022): over 1,000 people is a large-scale leak
MAX_ASSUMPTION = 10**12  # 1兆円: no assumption a person sets is near it
MAX_ESTIMATE_JPY = 10**15  # 1,000兆円: the most any need is taken as, so sums of them stay inside int64

# Gross margin (粗利率: gross profit over revenue) assumed for an industry when the applicant does
# not give its own. Business interruption cover pays lost gross profit (operating profit plus the
# fixed costs that go on), not lost revenue. These are round assumptions for a first estimate, to be
# replaced by the company's own figure; the page says which was used.
INDUSTRY_GROSS_MARGIN_PCT: dict[Industry, int] = {
    Industry.SYSTEM_INTEGRATION: 25,
    Industry.SAAS: 70,
    Industry.APP_DEVELOPMENT: 35,
    Industry.PACKAGE_SOFTWARE: 60,
    Industry.HOSTING_DATACENTER: 45,
    Industry.IT_CONSULTING: 40,
    Industry.SES_STAFFING: 20,
    Industry.MANAGED_SECURITY: 40,
    Industry.EC_PLATFORM: 40,
    Industry.FINTECH: 60,
}


# The ranges among the assumptions: low end -> high end.
LOW_OF = {
    "forensic_per_server_low_jpy": "forensic_per_server_high_jpy",
    "damages_per_person_low_jpy": "damages_per_person_jpy",
    "claim_share_low_bp": "claim_share_high_bp",
}
PERCENT_FIELDS = (
    "affected_share_pct",
    "extra_expense_pct",
    "litigation_pct",
    "delay_share_pct",
    "gross_margin_pct",
    "restored_server_share_pct",
)
BASIS_POINT_FIELDS = ("claim_share_low_bp", "claim_share_high_bp")


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Every figure behind the estimate; a person can change any of them."""

    forensic_per_server_low_jpy: int = 200_000  # 20万円/台: the source articles' low end
    forensic_per_server_high_jpy: int = 1_000_000  # 100万円/台: their high end (JNSA 2021 survey: 150〜200万円)
    restoration_per_server_jpy: int = 2_000_000  # one carrier's worked example: server recovery 200万円
    restored_server_share_pct: int = 20  # share of the servers an incident makes to be rebuilt (at least one)
    affected_share_pct: int = 100  # share of the records held that a leak reaches
    apology_per_person_jpy: int = 500  # gift card per person (carriers cap it at 500円 or 1,000円)
    call_center_jpy: int = 3_000_000  # setting up a call centre for a large-scale leak
    call_center_per_person_jpy: int = 50  # answering the people affected: about 5% call, at about 1,000円 a call
    credit_monitoring_per_person_jpy: int = 100  # worked example: 500万円 for 50,000 people
    legal_consulting_jpy: int = 3_000_000
    reputational_ads_jpy: int = 10_000_000  # worked example: 1,000万円
    recurrence_prevention_jpy: int = 1_000_000  # worked example: 100万円
    emergency_response_jpy: int = 3_000_000
    regulatory_response_jpy: int = 2_000_000  # reports to the 個人情報保護委員会 and follow-up
    damages_per_person_jpy: int = 5_000  # award per claimant, high end: 3,000〜5,000円 without sensitive data (DOMAIN.md)
    damages_per_person_low_jpy: int = 3_000  # award per claimant, low end (Benesse: 2,000円, 2019; 3,300円, 2023)
    claim_share_low_bp: int = 3  # claimants per 10,000 affected: under 0.03% sued over the Benesse leak
    claim_share_high_bp: int = 30  # ten times that, for a bad case
    outage_days: int = 5
    gross_margin_pct: int | None = None  # None: the applicant's own figure, else the industry's assumed rate
    affected_companies: int = 0  # companies among those affected (per-company apology caps apply to them)
    apology_per_company_jpy: int = 50_000  # a carrier's per-company cap in the source: 5万円
    extra_expense_pct: int = 20  # extra expense as a share of the lost profit
    litigation_pct: int = 20  # litigation costs as a share of the damages
    delay_share_pct: int = 30  # a cyber-caused delay's claim as a share of the largest contract
    client_daily_profit_jpy: int = 1_000_000  # the client's gross profit a day while its system is down: an assumption to replace

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.name == "gross_margin_pct":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SchemaError(f.name, value, "0以上の整数で指定してください")
        percents = (
            "affected_share_pct",
            "extra_expense_pct",
            "litigation_pct",
            "delay_share_pct",
            "gross_margin_pct",
            "restored_server_share_pct",
        )
        for name in percents:
            if (getattr(self, name) or 0) > 100:
                raise SchemaError(name, getattr(self, name), "0〜100%で指定してください")
        for name in BASIS_POINT_FIELDS:
            if getattr(self, name) > 10_000:
                raise SchemaError(name, getattr(self, name), "0〜100%で指定してください")

    def low(self, name: str) -> int:
        """The low end of a range, never above its high end (a low set above it reads as the high end)."""
        low: int = getattr(self, name)
        high: int = getattr(self, LOW_OF[name])
        return min(low, high)

    def with_overrides(self, values: dict[str, Any]) -> Assumptions:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise SchemaError(unknown[0], values[unknown[0]], "前提条件の項目名が正しくありません")
        return replace(self, **values)

    @classmethod
    def from_request(cls, values: object, base: Assumptions | None = None) -> Assumptions:
        """Changes a person asked for (the API's `assumptions`, a form): each named, each checked; the rest as `base`."""
        if values is None:
            return base or cls()
        if not isinstance(values, dict):
            raise SchemaError("assumptions", values, "オブジェクトで指定してください")
        clean: dict[str, Any] = {}
        for name, given in values.items():
            value = (
                int(given) if isinstance(given, float) and given.is_integer() and abs(given) <= 2**53 else given
            )  # JSON's one number type
            if value is None and name != "gross_margin_pct":
                raise SchemaError(f"assumptions.{name}", value, "値を指定してください")
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise SchemaError(f"assumptions.{name}", value, "0以上の整数で指定してください")
            if value is not None and value > MAX_ASSUMPTION:
                raise SchemaError(f"assumptions.{name}", value, "値が大きすぎます")
            clean[str(name)] = value
        try:
            return (base or cls()).with_overrides(clean)
        except SchemaError as exc:
            raise SchemaError(f"assumptions.{exc.field}", exc.value, exc.reason) from exc

    @classmethod
    def from_data(cls, values: dict[str, Any]) -> Assumptions:
        """Assumptions stored with a record: fields added since keep their defaults, fields since retired are dropped."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True, slots=True)
class Need:
    """One item's estimated cost: a range, the figure shortfalls are measured against, and why."""

    key: CoverageKey
    low_jpy: int
    high_jpy: int  # shortfalls are measured against this end: cover should hold in a bad case
    basis_ja: str
    basis_en: str
    per_person_jpy: int | None = None  # for per-victim caps: the assumed amount per person
    people: int | None = None
    per_company_jpy: int | None = None  # and per company
    companies: int | None = None
    outage_hours: int | None = None  # business interruption: the outage a waiting period is taken from

    @property
    def amount_jpy(self) -> int:
        return self.high_jpy


@dataclass(frozen=True, slots=True)
class Needs:
    assumptions: Assumptions
    items: tuple[Need, ...]
    notes_ja: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()
    contract: LiabilityCase | None = None  # what the contract check makes of a claim (aggregator/contract.py)

    def get(self, key: CoverageKey) -> Need | None:
        return next((n for n in self.items if n.key == key), None)


def _bp(n: int) -> str:
    """Basis points as a percentage: 3 → 0.03%, 30 → 0.3%, 100 → 1%."""
    whole, part = divmod(n, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") + "%"


def _yen(n: int) -> tuple[str, str]:
    return format_yen(n, "ja"), format_yen(n, "en")


def estimate(applicant: Applicant, assumptions: Assumptions | None = None, line: Line | None = None) -> Needs:
    """The estimate for this applicant and line: every figure is int yen and every basis is said in words.

    Liability differs by line: IT E&O and professional liability answer for the contract
    (the model contract caps it at the contract amount), cyber for a leak's victims.
    """
    a = assumptions or Assumptions()
    people = applicant.records_held * a.affected_share_pct // 100
    items: list[Need] = []

    def add(key: CoverageKey, low: int, high: int, ja: str, en: str, **extra: Any) -> None:
        items.append(Need(key, low, high, ja, en, **extra))

    low_srv, high_srv = _yen(a.low("forensic_per_server_low_jpy")), _yen(a.forensic_per_server_high_jpy)
    add(
        K.INVESTIGATION,
        applicant.servers * a.low("forensic_per_server_low_jpy"),
        applicant.servers * a.forensic_per_server_high_jpy,
        f"サーバー{applicant.servers}台 × 1台あたり{low_srv[0]}〜{high_srv[0]}(フォレンジック調査の相場。JNSA 2021年調査では150〜200万円)",
        f"{applicant.servers} servers × {low_srv[1]}–{high_srv[1]} per server (forensics; JNSA's 2021 survey: ¥1.5–2M)",
    )
    rebuilt = max(1, -(-applicant.servers * a.restored_server_share_pct // 100)) if applicant.servers else 0
    per_server = _yen(a.restoration_per_server_jpy)
    add(
        K.DATA_RESTORATION,
        min(1, rebuilt) * a.restoration_per_server_jpy,
        rebuilt * a.restoration_per_server_jpy,
        f"復旧するサーバー1〜{rebuilt}台(全{applicant.servers}台の{a.restored_server_share_pct}%まで) × 1台あたり{per_server[0]}(損保会社の試算例: サーバー復旧200万円)",
        f"1–{rebuilt} servers rebuilt (up to {a.restored_server_share_pct}% of {applicant.servers}) × {per_server[1]} each (a carrier's worked example: server recovery ¥2M)",
    )
    companies = a.affected_companies
    apology = people * a.apology_per_person_jpy + companies * a.apology_per_company_jpy
    per_company_ja = f" + {companies:,}社 × 1社あたり{_yen(a.apology_per_company_jpy)[0]}" if companies else ""
    per_company_en = f" + {companies:,} companies × {_yen(a.apology_per_company_jpy)[1]} each" if companies else ""
    add(
        K.APOLOGY,
        apology,
        apology,
        f"影響を受ける{people:,}人 × 1人あたり{_yen(a.apology_per_person_jpy)[0]}{per_company_ja}(お詫びの金券・通知。保険会社の上限は1人500円・1,000円、1法人5万円が実例)",
        f"{people:,} people affected × {_yen(a.apology_per_person_jpy)[1]} each{per_company_en} (gift cards and notices; carriers cap at ¥500 or ¥1,000 a person, ¥50,000 a company)",
        per_person_jpy=a.apology_per_person_jpy,
        people=people,
        per_company_jpy=a.apology_per_company_jpy,
        companies=companies,
    )
    if people > LARGE_LEAK_PEOPLE:
        answering = people * a.call_center_per_person_jpy
        add(
            K.CALL_CENTER,
            a.call_center_jpy + answering // 2,
            a.call_center_jpy + answering,
            f"影響が1,000人を超える大規模漏えい(2022年改正個人情報保護法): 設置{_yen(a.call_center_jpy)[0]} + {people:,}人 × 1人あたり{_yen(a.call_center_per_person_jpy)[0]}の半分〜全額(問い合わせ対応)",
            f"More than 1,000 people, a large-scale leak under the 2022 APPI amendment: set-up {_yen(a.call_center_jpy)[1]} + {people:,} people × half to all of {_yen(a.call_center_per_person_jpy)[1]} each (answering them)",
        )
    else:
        add(K.CALL_CENTER, 0, 0, "影響が1,000人以下のため、コールセンターは不要と想定", "1,000 people or fewer: no call center assumed")
    monitoring = people * a.credit_monitoring_per_person_jpy
    add(
        K.CREDIT_MONITORING,
        monitoring,
        monitoring,
        f"{people:,}人 × 1人あたり{_yen(a.credit_monitoring_per_person_jpy)[0]}",
        f"{people:,} people × {_yen(a.credit_monitoring_per_person_jpy)[1]}",
    )
    for key, amount, what_ja, what_en in (
        (K.EMERGENCY_RESPONSE, a.emergency_response_jpy, "初動対応", "first response"),
        (K.LEGAL_CONSULTING, a.legal_consulting_jpy, "弁護士・コンサルタント相談", "lawyers and consultants"),
        (
            K.REPUTATIONAL_ADS,
            a.reputational_ads_jpy,
            "謝罪広告・風評対策(損保会社の試算例)",
            "apology ads and reputation work (a carrier's worked example)",
        ),
        (
            K.RECURRENCE_PREVENTION,
            a.recurrence_prevention_jpy,
            "再発防止策の策定(損保会社の試算例)",
            "recurrence prevention plan (a carrier's worked example)",
        ),
    ):
        add(key, amount, amount, f"{what_ja}の標準額 {_yen(amount)[0]}(変更可)", f"Default for {what_en}: {_yen(amount)[1]} (editable)")
    regulatory = a.regulatory_response_jpy if applicant.records_held > 0 else 0
    add(
        K.REGULATORY_RESPONSE,
        regulatory,
        regulatory,
        "個人情報保護委員会への報告と本人通知(不正アクセスは1件から報告義務)",
        "Reports to the PPC and notices to people (mandatory from one record for unauthorised access)",
    )
    _interruption(applicant, a, add)
    case = _liability(applicant, a, people, add, line or applicant.lines[0])
    notes_ja = (
        "推定額は目安です(読みやすさのため上2桁に丸めています)。前提条件はすべて変更できます。不足額は範囲の上限に対して計算しています。",
    )
    notes_en = (
        "Estimates are a guide, rounded to two figures for reading; every assumption can be changed. Shortfalls are measured against the top of each range.",
    )
    return Needs(a, tuple(_readable(n) for n in items), notes_ja, notes_en, contract=case)


def _readable(need: Need) -> Need:
    """A range as a person writes it: the low end rounded down, the high end up, to two figures.

    No estimate is taken past MAX_ESTIMATE_JPY: figures typed at the edge of what the form takes
    (a billion servers at a trillion yen each) would otherwise run past what anything stores or sends.
    """
    low, high = min(need.low_jpy, MAX_ESTIMATE_JPY), min(need.high_jpy, MAX_ESTIMATE_JPY)
    return replace(need, low_jpy=round_for_reading(low, up=False), high_jpy=round_for_reading(high, up=True))


def gross_margin(applicant: Applicant, a: Assumptions) -> tuple[int, str, str]:
    """The gross margin used, and where it comes from: the applicant's own, an assumption changed, or the industry's."""
    if a.gross_margin_pct is not None:
        return a.gross_margin_pct, "前提条件で指定", "as set in the assumptions"
    if applicant.gross_margin_pct is not None:
        return applicant.gross_margin_pct, "ご申告", "as the company gave it"
    industry_ja, industry_en = INDUSTRY_NAMES[applicant.industry]
    return (
        INDUSTRY_GROSS_MARGIN_PCT[applicant.industry],
        f"{industry_ja}の仮定値。実際の粗利率に変更できます",
        f"assumed for {industry_en.lower()}; replace it with the company's own",
    )


def _interruption(applicant: Applicant, a: Assumptions, add: Any) -> None:
    """Lost gross profit over the outage; each plan takes its own waiting period off (aggregator/payment.py)."""
    margin, source_ja, source_en = gross_margin(applicant, a)
    daily = applicant.annual_revenue_jpy * margin // 100 // 365
    lost = daily * a.outage_days
    hours = a.outage_days * 24
    add(
        K.LOST_PROFIT,
        lost,
        lost,
        f"年間売上{_yen(applicant.annual_revenue_jpy)[0]} × 粗利率{margin}%({source_ja}) ÷ 365日 = 1日あたり粗利{_yen(daily)[0]} × 停止{a.outage_days}日。待機期間はプランごとに差し引きます",
        f"Revenue {_yen(applicant.annual_revenue_jpy)[1]} × gross margin {margin}% ({source_en}) ÷ 365 = {_yen(daily)[1]} of gross profit a day × {a.outage_days} days of outage; each plan's waiting period is taken off",
        outage_hours=hours,
    )
    extra = lost * a.extra_expense_pct // 100
    add(
        K.EXTRA_EXPENSE,
        extra,
        extra,
        f"喪失利益の{a.extra_expense_pct}%(代替手段・超過人件費)",
        f"{a.extra_expense_pct}% of the lost profit (workarounds, overtime)",
        outage_hours=hours,
    )


def client_lost_profit(a: Assumptions) -> ClaimPart:
    """The client's lost profit while the system the vendor built or runs is down: special damages a contract may exclude."""
    amount = a.client_daily_profit_jpy * a.outage_days
    ja, en = _yen(a.client_daily_profit_jpy)
    return ClaimPart(
        "client_lost_profit",
        amount,
        "発注者の逸失利益",
        "the client's lost profit",
        f"1日{ja}(仮定値) × 停止{a.outage_days}日",
        f"{en} a day, assumed, × {a.outage_days} days down",
        special=True,
    )


def client_apology(a: Assumptions, people: int) -> ClaimPart:
    """What the client pays its own customers after a leak the vendor caused, and claims back: apology gifts to everyone affected."""
    ja, en = _yen(a.apology_per_person_jpy)
    return ClaimPart(
        "client_apology",
        people * a.apology_per_person_jpy,
        "発注者が利用者に支払うお詫び",
        "the client's apology to its users",
        f"影響を受ける{people:,}人 × {ja}(ベネッセは全員に500円の金券)",
        f"{people:,} people affected × {en} (Benesse sent everyone a ¥500 voucher)",
    )


def contract_liability(applicant: Applicant, a: Assumptions, leak: ClaimPart, people: int = 0) -> LiabilityCase:
    """The claim a leak can bring up the BtoBtoC chain — the claimants' consolation money, the client's apology
    to every user affected, the client's lost profit — under the applicant's contract check."""
    parts = (leak, client_apology(a, people), client_lost_profit(a))
    return liability_case(applicant.contract, applicant.largest_contract_jpy, parts, leak_or_loss=True, at_least_contract=True)


def _liability(applicant: Applicant, a: Assumptions, people: int, add: Any, line: Line) -> LiabilityCase:
    contract = applicant.largest_contract_jpy
    claimants = people * a.claim_share_high_bp // 10_000
    leak = claimants * a.damages_per_person_jpy
    case = contract_liability(
        applicant,
        a,
        ClaimPart(
            "leak",
            leak,
            "漏えい時の慰謝料",
            "consolation money for a leak",
            f"請求する人{claimants:,}人(影響を受ける{people:,}人の{_bp(a.claim_share_high_bp)}) × {_yen(a.damages_per_person_jpy)[0]}",
            f"{claimants:,} claimants ({_bp(a.claim_share_high_bp)} of the {people:,} affected) × {_yen(a.damages_per_person_jpy)[1]}",
        ),
        people,
    )
    if line in (Line.IT_EO, Line.PROFESSIONAL_LIABILITY):
        # The contract decides (IPA/METI model contract, Art. 20): the range runs from the ordinary
        # case, capped as agreed, to the worst, uncapped where the cap can fall away.
        high = case.worst_jpy
        add(
            K.LIABILITY_DAMAGES,
            case.ordinary_jpy,
            high,
            f"最大契約金額{_yen(contract)[0]}、IPA/経産省モデル契約 第20条と契約の確認の回答から。{case.basis_ja}",
            f"A largest contract of {_yen(contract)[1]}, read with the IPA/METI model contract (Art. 20) and the contract check. {case.basis_en}",
        )
    else:
        few, many = people * a.low("claim_share_low_bp") // 10_000, people * a.claim_share_high_bp // 10_000
        low_award, high_award = _yen(a.low("damages_per_person_low_jpy")), _yen(a.damages_per_person_jpy)
        high = many * a.damages_per_person_jpy
        add(
            K.LIABILITY_DAMAGES,
            few * a.low("damages_per_person_low_jpy"),
            high,
            f"請求する人 {few:,}〜{many:,}人(影響を受ける{people:,}人の{_bp(a.low('claim_share_low_bp'))}〜{_bp(a.claim_share_high_bp)}。ベネッセ事件で訴えたのは0.03%未満)"
            f" × 1人あたり{low_award[0]}〜{high_award[0]}(裁判例: 2,000円〜3,300円。センシティブな情報や二次被害がなければ3,000〜5,000円が通常の範囲。センシティブな情報では3万円の例)",
            f"Claimants {few:,}–{many:,} ({_bp(a.low('claim_share_low_bp'))}–{_bp(a.claim_share_high_bp)} of the {people:,} affected; under 0.03% sued over the Benesse leak)"
            f" × {low_award[1]}–{high_award[1]} each (courts awarded ¥2,000–3,300; ¥3,000–5,000 is usual without sensitive data or secondary harm; ¥30,000 where sensitive data leaked)",
        )
    litigation = high * a.litigation_pct // 100
    add(K.LITIGATION_COSTS, litigation, litigation, f"賠償額の{a.litigation_pct}%", f"{a.litigation_pct}% of the damages")
    delay = contract * a.delay_share_pct // 100
    add(
        K.CYBER_DELAY,
        delay,
        delay,
        f"最大契約金額の{a.delay_share_pct}%(サイバー攻撃による納期遅延の請求)",
        f"{a.delay_share_pct}% of the largest contract (a claim for a cyber-caused delay)",
    )
    return case
