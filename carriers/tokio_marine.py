"""東京海上日動 (Tokio Marine & Nichido): its plan and rate workbooks (Japanese, amounts in 万円), declared as a tabular layout."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from aggregator.schema import (
    POLICY_POOL,
    Carrier,
    CarrierData,
    Industry,
    Line,
    RuleField,
    SecurityControl,
    TermStatus,
)
from aggregator.taxonomy import CoverageKey
from carriers import tabular
from carriers.base import WordingResolver
from carriers.spec import Vocabulary
from carriers.tabular import ADJUST, BASE, CLASSES, COVER, FACTORS, HEADERS_JA, PLANS, RULES, TERMS, ExpensePool, Layout

PLANS_FILE = "tmn_cyber_plans.xlsx"
RATES_FILE = "tmn_cyber_rates.xlsx"
EXPENSE_POOL = ExpensePool("expenses", "費用損害の総支払限度額", "Overall incident-cost limit")  # the limit is per plan

VOCABULARY = Vocabulary(
    name="東京海上日動",
    lines={
        "サイバーリスク保険": Line.CYBER,
        "サイバーリスク保険＋IT業務特約": Line.IT_EO,
        "専門職業賠償責任保険": Line.PROFESSIONAL_LIABILITY,
    },
    statuses={
        "○": TermStatus.INCLUDED,
        "内枠": TermStatus.SUBLIMITED,
        "特約": TermStatus.OPTIONAL_RIDER,
        "条件付": TermStatus.CONDITIONAL,
        "×": TermStatus.NOT_OFFERED,
        "要照会": TermStatus.UNKNOWN,
    },
    parents={"支払限度額": POLICY_POOL, EXPENSE_POOL.label_ja: EXPENSE_POOL.pool_id},
    industries={
        "ソフトウェア受託開発・システムインテグレーション": Industry.SYSTEM_INTEGRATION,
        "SaaS・クラウドサービス提供": Industry.SAAS,
        "アプリケーション・Webサイト制作": Industry.APP_DEVELOPMENT,
        "パッケージソフトウェア開発・販売": Industry.PACKAGE_SOFTWARE,
        "ホスティング・データセンター運営": Industry.HOSTING_DATACENTER,
        "ITコンサルティング": Industry.IT_CONSULTING,
        "システムエンジニアリングサービス(SES)": Industry.SES_STAFFING,
        "情報セキュリティサービス": Industry.MANAGED_SECURITY,
        "ECサイト・プラットフォーム運営": Industry.EC_PLATFORM,
        "決済代行・フィンテック": Industry.FINTECH,
    },
    controls={
        "多要素認証(MFA)の導入": SecurityControl.MFA,
        "EDRの導入": SecurityControl.EDR,
        "オフラインバックアップの取得": SecurityControl.OFFLINE_BACKUP,
        "ISMS・プライバシーマークの取得": SecurityControl.ISMS_PMARK,
        "インシデント対応計画の策定": SecurityControl.INCIDENT_RESPONSE_PLAN,
        "脆弱性診断の定期実施": SecurityControl.VULNERABILITY_MANAGEMENT,
        "従業員へのセキュリティ教育": SecurityControl.STAFF_TRAINING,
    },
    rule_fields={
        "年間売上高": RuleField.ANNUAL_REVENUE,
        "従業員数": RuleField.EMPLOYEES,
        "保有個人情報件数": RuleField.RECORDS_HELD,
        "サーバ台数": RuleField.SERVERS,
        "最大受注金額": RuleField.LARGEST_CONTRACT,
        "過去3年間の事故件数": RuleField.INCIDENTS_3Y,
        "業種": RuleField.INDUSTRY,
        "契約形態": RuleField.CONTRACT_TYPE,
    },
    unit="万円",
)

LAYOUT = Layout(
    carrier=Carrier.TOKIO_MARINE,
    vocab=VOCABULARY,
    sheets={
        PLANS: (PLANS_FILE, "プラン一覧"),
        TERMS: (PLANS_FILE, "補償内容"),
        COVER: (RATES_FILE, "表紙"),
        BASE: (RATES_FILE, "料率表"),
        CLASSES: (RATES_FILE, "業種区分"),
        FACTORS: (RATES_FILE, "係数"),
        ADJUST: (RATES_FILE, "割増引"),
        RULES: (RATES_FILE, "引受基準"),
    },
    headers=HEADERS_JA,  # its workbooks write the common Japanese headers
    mark="東京海上日動",
    pool=EXPENSE_POOL,
)


class TokioMarineAdapter:
    """東京海上日動: a plan workbook (プラン一覧・補償内容) and a rate workbook (表紙・料率表・業種区分・係数・割増引・引受基準)."""

    carrier: ClassVar[Carrier] = Carrier.TOKIO_MARINE

    def identify(self, path: Path) -> bool:
        return tabular.identify(LAYOUT, path)

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        return tabular.load(LAYOUT, folder, WordingResolver(self.carrier, dict(mappings or {})))
