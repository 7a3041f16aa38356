"""Every code's words in Japanese and English, one table each: what the page, the workbooks, the terminal and the API say.

A quote's status, a cell's kind, an industry or a control reads the same on every surface because
each surface takes its words from here. The coverage items' and categories' words are part of the
taxonomy's definition of each item (taxonomy.KEY_INFO, CATEGORY_LABELS) and are re-exported here.
"""

from __future__ import annotations

from aggregator.codes import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    Answer,
    Carrier,
    CellKind,
    ContractType,
    Industry,
    LiabilityCap,
    LimitBasis,
    Line,
    PriorityKind,
    QuoteStatus,
    RatingStep,
    RoundingMode,
    SecurityControl,
    TermStatus,
    Trigger,
)
from aggregator.money import Lang, format_yen
from aggregator.taxonomy import CATEGORY_LABELS, label

LINE_NAMES: dict[Line, tuple[str, str]] = {
    Line.CYBER: ("サイバー保険", "Cyber insurance"),
    Line.IT_EO: ("IT業務過誤賠償責任保険", "IT errors & omissions"),
    Line.PROFESSIONAL_LIABILITY: ("専門職業賠償責任保険", "Professional liability"),
}


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


CONTROL_NAMES: dict[SecurityControl, tuple[str, str]] = {
    SecurityControl.MFA: ("多要素認証(MFA)", "Multi-factor authentication"),
    SecurityControl.EDR: ("EDR", "EDR"),
    SecurityControl.OFFLINE_BACKUP: ("オフラインバックアップ", "Offline backups"),
    SecurityControl.ISMS_PMARK: ("ISMS・プライバシーマーク", "ISMS / PrivacyMark"),
    SecurityControl.INCIDENT_RESPONSE_PLAN: ("インシデント対応計画", "Incident response plan"),
    SecurityControl.VULNERABILITY_MANAGEMENT: ("脆弱性管理", "Vulnerability management"),
    SecurityControl.STAFF_TRAINING: ("従業員教育", "Staff training"),
}


CONTRACT_TYPE_NAMES: dict[ContractType, tuple[str, str]] = {
    ContractType.UKEOI: ("請負", "Contract for work (ukeoi)"),
    ContractType.JUNININ: ("準委任", "Quasi-mandate (jun-inin)"),
}


ANSWER_NAMES: dict[Answer, tuple[str, str]] = {
    Answer.YES: ("はい", "Yes"),
    Answer.NO: ("いいえ", "No"),
    Answer.UNKNOWN: ("わからない", "Don't know"),
}


LIABILITY_CAP_NAMES: dict[LiabilityCap, tuple[str, str]] = {
    LiabilityCap.CONTRACT_AMOUNT: ("契約金額が上限", "Capped at the contract amount"),
    LiabilityCap.OTHER_AMOUNT: ("別の金額が上限", "Capped at another amount"),
    LiabilityCap.NONE: ("上限なし", "No cap"),
    LiabilityCap.UNKNOWN: ("わからない", "Don't know"),
}


ROUNDING_NAMES: dict[RoundingMode, tuple[str, str]] = {
    RoundingMode.UP: ("切上げ", "rounded up"),
    RoundingMode.DOWN: ("切捨て", "rounded down"),
    RoundingMode.HALF_UP: ("四捨五入", "rounded half up"),
}


STEP_NAMES: dict[tuple[RatingStep, ...], tuple[str, str]] = {
    CAP_ON_CREDITS: ("割引上限は割引のみに適用", "the credit cap applies to the credits alone"),
    CAP_ON_NET: ("割引上限は不備割増を差し引いた後に適用", "the credit cap applies to the credits net of the debits"),
}


# One word per quote status, everywhere: the page, the API's status_label, both workbooks and the terminal.
QUOTE_STATUS_LABELS: dict[QuoteStatus, tuple[str, str]] = {
    QuoteStatus.QUOTED: ("見積可", "Quoted"),
    QuoteStatus.INDICATION: ("条件付き見積", "Indication, subject to conditions"),
    QuoteStatus.REFERRED: ("要引受審査", "Referred to an underwriter"),
    QuoteStatus.DECLINED: ("お引受け不可", "Declined"),
}


STATUS_LABELS: dict[TermStatus, tuple[str, str]] = {
    TermStatus.INCLUDED: ("補償あり", "Included"),
    TermStatus.SUBLIMITED: ("内枠限度額", "Sublimit"),
    TermStatus.OPTIONAL_RIDER: ("特約(オプション)", "Optional rider"),
    TermStatus.CONDITIONAL: ("条件付き", "Conditional"),
    TermStatus.NOT_OFFERED: ("補償なし", "Not offered"),
    TermStatus.UNKNOWN: ("不明(要確認)", "Unknown (to check)"),
}

BASIS_LABELS: dict[LimitBasis, tuple[str, str]] = {
    LimitBasis.PER_INCIDENT: ("1事故につき", "per incident"),
    LimitBasis.PER_CLAIM: ("1請求につき", "per claim"),
    LimitBasis.AGGREGATE: ("保険期間中", "aggregate"),
    LimitBasis.BOTH: ("1事故・保険期間中", "per incident and aggregate"),
    LimitBasis.CLAIM_AND_AGGREGATE: ("1請求・保険期間中", "per claim and aggregate"),
}

TRIGGER_LABELS: dict[Trigger, tuple[str, str]] = {
    Trigger.CLAIMS_MADE: ("損害賠償請求ベース", "claims made"),
    Trigger.DISCOVERY: ("発見ベース", "discovery"),
    Trigger.OCCURRENCE: ("事故発生ベース", "occurrence"),
}

SAMPLE_NOTICE = (
    "サンプルデータ: 保険会社の補償内容・保険料はすべて架空の見本です。実際の商品・保険料ではありません。",
    "Sample data: every carrier's terms and premiums shown here are invented, not real products or prices.",
)


KIND_LABELS: dict[CellKind, tuple[str, str]] = {
    CellKind.INCLUDED: ("補償あり", "Included"),
    CellKind.SUBLIMIT: ("内枠", "Sublimit"),
    CellKind.RIDER: ("特約(未付帯)", "Rider (not taken)"),
    CellKind.RIDER_INCLUDED: ("特約", "Rider"),
    CellKind.CONDITIONAL: ("条件付き", "Conditional"),
    CellKind.NOT_OFFERED: ("補償なし", "Not offered"),
    CellKind.UNKNOWN: ("不明(要確認)", "Unknown (to check)"),
    CellKind.ZERO: ("0円", "¥0"),
}


PRIORITY_LABELS: dict[PriorityKind, tuple[str, str]] = {
    PriorityKind.LOWEST_PRICE: ("保険料の安さ", "lowest premium"),
    PriorityKind.BROADEST_COVER: ("補償の広さ", "broadest cover"),
    PriorityKind.ITEMS: ("必要な補償項目", "particular items"),
    PriorityKind.LIMIT: ("支払限度額", "policy limit"),
}


# A clause of the contract check: settled, to revise, or to check (answered 「わからない」).
CLAUSE_LABELS: dict[str, tuple[str, str]] = {
    "ok": ("問題なし", "Settled"),
    "weak": ("要見直し", "To revise"),
    "unknown": ("要確認", "To check"),
}


ASSUMPTION_LABELS: dict[str, tuple[str, str, str]] = {
    # field: (ja, en, kind) — kind: yen, pct, days, companies
    "forensic_per_server_low_jpy": ("フォレンジック調査 1台あたり(下限)", "Forensics per server (low)", "yen"),
    "forensic_per_server_high_jpy": ("フォレンジック調査 1台あたり(上限)", "Forensics per server (high)", "yen"),
    "restoration_per_server_jpy": ("データ・システム復旧 1台あたり", "Restoration per server", "yen"),
    "affected_share_pct": ("漏えいが及ぶ割合(保有件数に対し)", "Share of the records a leak reaches", "pct"),
    "apology_per_person_jpy": ("お詫び 1人あたり", "Apology per person", "yen"),
    "call_center_jpy": ("コールセンター設置・運営", "Call center", "yen"),
    "credit_monitoring_per_person_jpy": ("クレジットモニタリング 1人あたり", "Credit monitoring per person", "yen"),
    "legal_consulting_jpy": ("弁護士・コンサルタント相談", "Lawyers and consultants", "yen"),
    "reputational_ads_jpy": ("風評対策・謝罪広告", "Reputation work and apology ads", "yen"),
    "recurrence_prevention_jpy": ("再発防止策", "Recurrence prevention", "yen"),
    "emergency_response_jpy": ("初動対応", "First response", "yen"),
    "regulatory_response_jpy": ("当局報告・本人通知", "Regulator reports and notices", "yen"),
    "damages_per_person_jpy": ("慰謝料 1人あたり", "Consolation money per person", "yen"),
    "outage_days": ("システム停止日数", "Days of outage", "days"),
    "gross_margin_pct": ("粗利率(空欄: ご申告または業種の仮定値)", "Gross margin (blank: the company's own or the industry's)", "pct"),
    "affected_companies": ("影響を受ける法人の数", "Companies affected", "companies"),
    "apology_per_company_jpy": ("お詫び 1法人あたり", "Apology per company", "yen"),
    "extra_expense_pct": ("営業継続費用(喪失利益に対する割合)", "Extra expense as a share of the lost profit", "pct"),
    "litigation_pct": ("争訟費用(賠償額に対する割合)", "Litigation costs as a share of the damages", "pct"),
    "delay_share_pct": ("納期遅延の請求(最大契約金額に対する割合)", "Delay claim as a share of the largest contract", "pct"),
    "client_daily_profit_jpy": (
        "発注者の1日あたり粗利(システム停止時の逸失利益)",
        "The client's gross profit a day (its loss while down)",
        "yen",
    ),
}

APPLICANT_LABELS: dict[str, tuple[str, str]] = {
    "company": ("会社名", "Company"),
    "industry": ("業種", "Industry"),
    "annual_revenue_jpy": ("売上高(年間)", "Annual revenue"),
    "employees": ("従業員数", "Employees"),
    "records_held": ("保有する個人情報の件数", "Personal-information records held"),
    "servers": ("サーバー台数", "Servers"),
    "largest_contract_jpy": ("最大の契約金額", "Largest contract"),
    "contract_type": ("契約形態", "Contract type"),
    "controls": ("セキュリティ対策", "Security controls"),
    "incidents_3y": ("過去3年の事故件数", "Incidents in the last three years"),
    "limit_jpy": ("ご希望の支払限度額", "Policy limit asked"),
    "deductible_jpy": ("ご希望の免責金額", "Deductible asked"),
    "riders": ("ご希望の特約", "Riders asked"),
}


def pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang == "en" else pair[0]


def carrier_name(carrier: Carrier, lang: Lang = "ja") -> str:
    names = carrier.names
    return names.en if lang == "en" else names.ja


def line_name(line: Line, lang: Lang = "ja") -> str:
    return pick(LINE_NAMES[line], lang)


def limit_text(limit_jpy: int | None, lang: Lang = "ja") -> str:
    """A term's limit: an amount, or 'up to the limit above it' (not the same as ¥0)."""
    if limit_jpy is None:
        return "上位の限度額まで" if lang == "ja" else "up to the limit above"
    return format_yen(limit_jpy, lang)


def quote_status(status: QuoteStatus, lang: Lang = "ja") -> str:
    return pick(QUOTE_STATUS_LABELS[status], lang)


__all__ = [
    "ANSWER_NAMES",
    "APPLICANT_LABELS",
    "ASSUMPTION_LABELS",
    "BASIS_LABELS",
    "CATEGORY_LABELS",
    "CLAUSE_LABELS",
    "CONTRACT_TYPE_NAMES",
    "CONTROL_NAMES",
    "INDUSTRY_NAMES",
    "KIND_LABELS",
    "LIABILITY_CAP_NAMES",
    "LINE_NAMES",
    "PRIORITY_LABELS",
    "QUOTE_STATUS_LABELS",
    "ROUNDING_NAMES",
    "SAMPLE_NOTICE",
    "STATUS_LABELS",
    "STEP_NAMES",
    "TRIGGER_LABELS",
    "carrier_name",
    "label",
    "limit_text",
    "line_name",
    "pick",
    "quote_status",
]
