"""Canonical coverage items, their labels, and classify(): carrier wording to an item, or None."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    LIABILITY = "liability"
    INCIDENT_COSTS = "incident_costs"
    BUSINESS_INTERRUPTION = "business_interruption"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, tuple[str, str]] = {
    Category.LIABILITY: ("賠償損害", "Third-party liability"),
    Category.INCIDENT_COSTS: ("費用損害", "Incident response costs"),
    Category.BUSINESS_INTERRUPTION: ("利益損害", "Business interruption"),
    Category.OTHER: ("その他", "Other"),
}


class CoverageKey(StrEnum):
    LIABILITY_DAMAGES = "liability_damages"
    LITIGATION_COSTS = "litigation_costs"
    EMERGENCY_RESPONSE = "emergency_response"
    INVESTIGATION = "investigation"
    DATA_RESTORATION = "data_restoration"
    RECURRENCE_PREVENTION = "recurrence_prevention"
    APOLOGY = "apology"
    CALL_CENTER = "call_center"
    LEGAL_CONSULTING = "legal_consulting"
    REPUTATIONAL_ADS = "reputational_ads"
    CREDIT_MONITORING = "credit_monitoring"
    REGULATORY_RESPONSE = "regulatory_response"
    LOST_PROFIT = "lost_profit"
    EXTRA_EXPENSE = "extra_expense"
    CYBER_DELAY = "cyber_delay"
    EMPLOYEE_MISCONDUCT = "employee_misconduct"
    EXTORTION = "extortion"
    FUNDS_LOSS = "funds_loss"


@dataclass(frozen=True, slots=True)
class KeyInfo:
    key: CoverageKey
    category: Category
    label_ja: str
    label_en: str
    oed_code: str | None  # Oasis Open Exposure Data cyber coverage code, where one fits


_C = CoverageKey
_INFO = (
    KeyInfo(_C.LIABILITY_DAMAGES, Category.LIABILITY, "損害賠償金", "Damages", "LIAB"),
    KeyInfo(_C.LITIGATION_COSTS, Category.LIABILITY, "争訟費用", "Litigation costs", "LIAB"),
    KeyInfo(_C.EMERGENCY_RESPONSE, Category.INCIDENT_COSTS, "事故対応・緊急対応費用", "Emergency response", "INRE"),
    KeyInfo(_C.INVESTIGATION, Category.INCIDENT_COSTS, "原因・被害範囲調査費用", "Forensic investigation", "INRE"),
    KeyInfo(_C.DATA_RESTORATION, Category.INCIDENT_COSTS, "データ・システム復旧費用", "Data and system restoration", "DIAS"),
    KeyInfo(_C.RECURRENCE_PREVENTION, Category.INCIDENT_COSTS, "再発防止費用", "Recurrence prevention", "INRE"),
    KeyInfo(_C.APOLOGY, Category.INCIDENT_COSTS, "お詫び・見舞金・通知費用", "Apology and notification", "INRE"),
    KeyInfo(_C.CALL_CENTER, Category.INCIDENT_COSTS, "コールセンター費用", "Call center", "INRE"),
    KeyInfo(_C.LEGAL_CONSULTING, Category.INCIDENT_COSTS, "弁護士・コンサルタント相談費用", "Legal and consulting advice", "INRE"),
    KeyInfo(_C.REPUTATIONAL_ADS, Category.INCIDENT_COSTS, "風評被害対策・広告宣伝費用", "Reputational advertising", "INRE"),
    KeyInfo(_C.CREDIT_MONITORING, Category.INCIDENT_COSTS, "クレジットモニタリング費用", "Credit monitoring", "INRE"),
    KeyInfo(_C.REGULATORY_RESPONSE, Category.INCIDENT_COSTS, "当局報告・対応費用", "Regulatory response", "REG"),
    KeyInfo(_C.LOST_PROFIT, Category.BUSINESS_INTERRUPTION, "喪失利益", "Lost profit", "NPBI"),
    KeyInfo(_C.EXTRA_EXPENSE, Category.BUSINESS_INTERRUPTION, "営業継続費用", "Extra expense", "NPBI"),
    KeyInfo(_C.CYBER_DELAY, Category.OTHER, "サイバー攻撃起因の納期遅延", "Delivery delay from a cyber attack", "ENO"),
    KeyInfo(_C.EMPLOYEE_MISCONDUCT, Category.OTHER, "従業員の不正", "Employee misconduct", None),
    KeyInfo(_C.EXTORTION, Category.OTHER, "サイバー恐喝", "Cyber extortion", "EXT"),
    KeyInfo(_C.FUNDS_LOSS, Category.OTHER, "資金損害", "Funds lost to cyber crime", "FIN"),
)
KEY_INFO: dict[CoverageKey, KeyInfo] = {info.key: info for info in _INFO}
assert set(KEY_INFO) == set(CoverageKey), "every coverage key needs its labels"


def label(key: CoverageKey, lang: str = "ja") -> str:
    info = KEY_INFO[key]
    return info.label_en if lang == "en" else info.label_ja


def category_of(key: CoverageKey) -> Category:
    return KEY_INFO[key].category


# Rules are tried in order and the first match wins, so the narrow, unmistakable items
# (恐喝, 資金, 当局) stand before the broad ones (調査, 対応, 賠償) that their wording
# also contains: 「規制当局から調査を受けた場合の対応費用」 is regulatory, not forensics.
# Patterns run on normalised text: NFKC, lower case, no spaces, no 「の・等」.
_RULES: tuple[tuple[CoverageKey, tuple[str, ...]], ...] = (
    (_C.EXTORTION, (r"恐喝", r"身代金", r"脅迫", r"ransom", r"extortion")),
    (
        _C.FUNDS_LOSS,
        (
            r"資金損害",
            r"金銭損害",
            r"資金移動",
            r"不正送金",
            r"送金詐欺",
            r"盗取(?:された)?(?:金銭|資金)",
            r"(?:金銭|資金)(?:盗取|詐取|被害)",
            r"fundstransfer",
            r"socialengineering",
            r"theftoffunds",
            r"cybercrime",
            r"financialfraud",
            r"computerfraud",
        ),
    ),
    (
        _C.EMPLOYEE_MISCONDUCT,
        (
            r"(?:使用人|従業員|従業者|役員|社員).{0,8}?(?:犯罪|不正|持出|持ち出|背任|横領)",
            r"内部(?:起因|不正|犯行)",
            r"employee(?:dishonesty|theft|misconduct|fraud)",
            r"rogueemployee",
            r"insider",
        ),
    ),
    (_C.CYBER_DELAY, (r"納期遅延", r"納入遅延", r"履行遅滞", r"履行遅延", r"deliverydelay", r"delayin(?:delivery|performance)")),
    (
        _C.REGULATORY_RESPONSE,
        (
            r"当局",
            r"監督官庁",
            r"行政(?:調査|対応|手続|処分|庁)",
            r"規制",
            r"個人情報保護委員会",
            r"課徴金",
            r"regulat",
            r"fines?(?:and|&)?penalt",
            r"insurablefines",
            r"pcidss",
            r"penalt",
        ),
    ),
    (_C.CREDIT_MONITORING, (r"クレジット(?:情報)?モニタ", r"信用(?:情報)?モニタ", r"creditmonitor", r"identitymonitor", r"identitytheft")),
    (
        _C.LITIGATION_COSTS,
        (
            r"争訟",
            r"争訴",
            r"訴訟",
            r"裁判",
            r"仲裁",
            r"調停",
            r"和解",
            r"応訴",
            r"弁護士(?:等)?(?:へ)?(?:報酬|費用|着手金)",
            r"defen[cs]e",
            r"litigation",
            r"legaldefen",
        ),
    ),
    (
        _C.CALL_CENTER,
        (
            r"コールセンター",
            r"コールセンタ",
            r"問(?:い)?合(?:わ)?せ(?:対応|窓口|受付)",
            r"相談窓口",
            r"電話(?:対応|窓口)",
            r"callcent",
            r"hotline",
        ),
    ),
    (
        _C.REPUTATIONAL_ADS,
        (
            r"風評",
            r"広告",
            r"記者会見",
            r"炎上",
            r"ブランド",
            r"イメージ(?:回復|毀損)",
            r"信用回復",
            r"信頼回復",
            r"reputation",
            r"publicrelation",
            r"crisiscommunication",
            r"advertis",
        ),
    ),
    (
        _C.APOLOGY,
        (
            r"見舞",
            r"お?詫び",
            r"謝罪(?:文|状)",
            r"通知(?:費用|費|状|文|書)?",
            r"郵送",
            r"金券",
            r"商品券",
            r"ギフトカード",
            r"notif",
            r"apolog",
        ),
    ),
    (
        _C.LEGAL_CONSULTING,
        (
            r"弁護士(?:等)?(?:へ)?相談",
            r"法律相談",
            r"相談費用",
            r"コンサル(?:タント|ティング)",
            r"専門家(?:相談|費用|報酬)",
            r"legaladvice",
            r"legalconsult",
            r"breachcoach",
            r"consultancy",
            r"lawyer",
        ),
    ),
    (_C.RECURRENCE_PREVENTION, (r"再発防止", r"preventrecurrence", r"recurrenceprevention", r"betterment", r"remediationplan")),
    # IT E&O pays re-creating a client's data, and the client's lost income, as damages.
    (_C.LIABILITY_DAMAGES, (r"(?:データ|情報)再作成", r"休業損害", r"他人(?:の)?(?:データ|情報|財物)")),
    (
        _C.INVESTIGATION,
        (r"調査", r"フォレンジック", r"原因究明", r"被害範囲", r"有無(?:の)?確認", r"forensic", r"investigat"),
    ),
    (
        _C.DATA_RESTORATION,
        (
            r"(?:データ|システム|ネットワーク|サーバ|ソフトウェア|プログラム|電子|情報機器|情報資産|pc|端末)(?:等)?(?:の)?"
            r"(?:復旧|復元|修復|回復|再構築|修理)",
            r"(?:復旧|復元)費用",
            r"datarestor",
            r"datarecover",
            r"systemrestor",
            r"restorationof",
            r"datasset",
            r"restoration",
        ),
    ),
    (
        _C.EMERGENCY_RESPONSE,
        (
            r"事故対応",
            r"初期対応",
            r"緊急対応",
            r"初動対応",
            r"サイバー攻撃対応",
            r"被害拡大防止",
            r"損害拡大防止",
            r"対応特別費用",
            r"緊急措置",
            r"incidentresponse",
            r"emergency",
            r"breachresponse",
            r"firstresponse",
        ),
    ),
    (
        _C.EXTRA_EXPENSE,
        (
            r"営業継続",
            r"事業継続費用",
            r"超過人件費",
            r"追加(?:費用|人件費)",
            r"代替(?:設備|サーバ|手段|システム)",
            r"extraexpense",
            r"additionalexpense",
            r"increasedcostofworking",
        ),
    ),
    (
        _C.LOST_PROFIT,
        (
            r"利益損害",
            r"喪失利益",
            r"利益保険",
            r"営業利益",
            r"営業損失",
            r"売上(?:減少|高の減少)",
            r"休業(?:損失|による損失)",
            r"businessinterruption",
            r"networkinterruption",
            r"lossofincome",
            r"lostprofit",
            r"lossofprofit",
            r"systemfailure",
            r"dependentbusiness",
        ),
    ),
    (
        _C.LIABILITY_DAMAGES,
        (
            r"賠償",
            r"損害賠償",
            r"法律上(?:の)?損害",
            r"liabilit",
            r"damages",
            r"thirdparty",
            r"claimsagainst",
        ),
    ),
)
_COMPILED = tuple((key, tuple(re.compile(p) for p in patterns)) for key, patterns in _RULES)
_BRACKETS = re.compile(r"[(\[{【「『〔<][^)\]}】」』〕>]*[)\]}】」』〕>]")


def normalise_wording(text: str) -> str:
    """The comparable form of a wording: NFKC, lower case, no spaces or joining particles."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\b(?:and|the|a|an)\b", " ", text)
    text = re.sub(r"[\s\u3000・･/／、,.。:：;；\-－–—~〜&]+", "", text)
    # 「の」「等」「及び」 join the same item in different carriers' wording.
    return re.sub(r"の|等|及び|および|並びに|ならびに", "", text)


def _match(text: str) -> CoverageKey | None:
    if not text:
        return None
    for key, patterns in _COMPILED:
        if any(p.search(text) for p in patterns):
            return key
    return None


def classify(wording: object) -> CoverageKey | None:
    """The canonical item a carrier's wording names, or None when it cannot be told.

    Bracketed notes 「争訟費用(弁護士費用等)」 are read only when the main text says nothing.
    Never raises: anything that is not text is None.
    """
    if not isinstance(wording, str):
        return None
    try:
        main = normalise_wording(_BRACKETS.sub(" ", wording))
        found = _match(main)
        if found is None:
            notes = " ".join(_BRACKETS.findall(wording))
            found = _match(normalise_wording(notes))
        return found
    except (ValueError, re.error):  # pragma: no cover - defensive: classify never raises
        return None
