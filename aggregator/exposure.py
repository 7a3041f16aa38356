"""What a company like this one is likely to need per coverage item, with every assumption stated."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from aggregator.contract import ClaimPart, LiabilityCase, liability_case
from aggregator.errors import SchemaError
from aggregator.money import format_yen
from aggregator.schema import INDUSTRY_NAMES, Applicant, Industry, Line
from aggregator.taxonomy import CoverageKey

K = CoverageKey
LARGE_LEAK_PEOPLE = 1_000  # 改正個人情報保護法(2022): over 1,000 people is a large-scale leak

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


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Every figure behind the estimate; a person can change any of them."""

    forensic_per_server_low_jpy: int = 200_000  # 20万円/台: the source articles' low end
    forensic_per_server_high_jpy: int = 1_000_000  # 100万円/台: their high end (JNSA 2021 survey: 150〜200万円)
    restoration_per_server_jpy: int = 2_000_000  # one carrier's worked example: server recovery 200万円
    affected_share_pct: int = 100  # share of the records held that a leak reaches
    apology_per_person_jpy: int = 500  # gift card per person (carriers cap it at 500円 or 1,000円)
    call_center_jpy: int = 5_000_000  # set-up and staffing for a large-scale leak
    credit_monitoring_per_person_jpy: int = 100  # worked example: 500万円 for 50,000 people
    legal_consulting_jpy: int = 3_000_000
    reputational_ads_jpy: int = 10_000_000  # worked example: 1,000万円
    recurrence_prevention_jpy: int = 1_000_000  # worked example: 100万円
    emergency_response_jpy: int = 3_000_000
    regulatory_response_jpy: int = 2_000_000  # reports to the 個人情報保護委員会 and follow-up
    damages_per_person_jpy: int = 5_000  # consolation money per person in Japanese leak cases: a few thousand yen
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
        if self.forensic_per_server_low_jpy > self.forensic_per_server_high_jpy:
            raise SchemaError("forensic_per_server_low_jpy", self.forensic_per_server_low_jpy, "下限が上限を超えています")
        for name in ("affected_share_pct", "extra_expense_pct", "litigation_pct", "delay_share_pct", "gross_margin_pct"):
            if (getattr(self, name) or 0) > 100:
                raise SchemaError(name, getattr(self, name), "0〜100%で指定してください")

    def with_overrides(self, values: dict[str, Any]) -> Assumptions:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise SchemaError(unknown[0], values[unknown[0]], "前提条件の項目名が正しくありません")
        return replace(self, **values)


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

    low_srv, high_srv = _yen(a.forensic_per_server_low_jpy), _yen(a.forensic_per_server_high_jpy)
    add(
        K.INVESTIGATION,
        applicant.servers * a.forensic_per_server_low_jpy,
        applicant.servers * a.forensic_per_server_high_jpy,
        f"サーバー{applicant.servers}台 × 1台あたり{low_srv[0]}〜{high_srv[0]}(フォレンジック調査の相場。JNSA 2021年調査では150〜200万円)",
        f"{applicant.servers} servers × {low_srv[1]}–{high_srv[1]} per server (forensics; JNSA's 2021 survey: ¥1.5–2M)",
    )
    restore = applicant.servers * a.restoration_per_server_jpy
    add(
        K.DATA_RESTORATION,
        restore,
        restore,
        f"サーバー{applicant.servers}台 × 1台あたり{_yen(a.restoration_per_server_jpy)[0]}",
        f"{applicant.servers} servers × {_yen(a.restoration_per_server_jpy)[1]}",
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
        add(
            K.CALL_CENTER,
            a.call_center_jpy,
            a.call_center_jpy,
            f"影響が1,000人を超える大規模漏えい(2022年改正個人情報保護法)のため設置を想定: {_yen(a.call_center_jpy)[0]}",
            f"More than 1,000 people: a large-scale leak under the 2022 APPI amendment; a call center at {_yen(a.call_center_jpy)[1]}",
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
    notes_ja = ("推定額は目安です。前提条件はすべて変更できます。不足額は範囲の上限に対して計算しています。",)
    notes_en = ("Estimates are a guide; every assumption can be changed. Shortfalls are measured against the top of each range.",)
    return Needs(a, tuple(items), notes_ja, notes_en, contract=case)


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


def contract_liability(applicant: Applicant, a: Assumptions, leak: ClaimPart) -> LiabilityCase:
    """The claim a leak can bring (consolation money, and the client's lost profit) under the applicant's contract check."""
    return liability_case(
        applicant.contract, applicant.largest_contract_jpy, (leak, client_lost_profit(a)), leak_or_loss=True, at_least_contract=True
    )


def _liability(applicant: Applicant, a: Assumptions, people: int, add: Any, line: Line) -> LiabilityCase:
    contract = applicant.largest_contract_jpy
    leak = people * a.damages_per_person_jpy
    case = contract_liability(
        applicant,
        a,
        ClaimPart(
            "leak",
            leak,
            "漏えい時の慰謝料",
            "consolation money for a leak",
            f"{people:,}人 × {_yen(a.damages_per_person_jpy)[0]}",
            f"{people:,} × {_yen(a.damages_per_person_jpy)[1]}",
        ),
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
        add(
            K.LIABILITY_DAMAGES,
            leak,
            leak,
            f"漏えい時の慰謝料: {people:,}人 × {_yen(a.damages_per_person_jpy)[0]}",
            f"Consolation money for a leak: {people:,} × {_yen(a.damages_per_person_jpy)[1]}",
        )
        high = leak
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
