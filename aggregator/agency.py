"""Who gives the advice: the agency's name, registration, authority and recommendation policy, shown on every customer surface."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aggregator.codes import Carrier
from aggregator.labels import carrier_name, pick
from aggregator.money import Lang


class Authority(StrEnum):
    """On what authority the agency sells (保険業法 294条の2): it concludes contracts for the insurers, or only arranges them."""

    AGENT = "agent"  # 締結の代理
    INTERMEDIARY = "intermediary"  # 締結の媒介


AUTHORITY_TEXT: dict[Authority, tuple[str, str]] = {
    Authority.AGENT: (
        "当社は引受保険会社の代理店として、保険契約の締結の代理を行います。",
        "We act for the insurers as their agent and conclude contracts on their behalf.",
    ),
    Authority.INTERMEDIARY: (
        "当社は保険契約の締結の媒介を行います。契約の締結は保険会社が行います。",
        "We arrange contracts; the insurer, not we, concludes them.",
    ),
}

# What development shows until the real settings are given; production refuses to start with them (webapp/config.py).
PLACEHOLDER_NAME = ("サンプル代理店(開発用の仮の名称)", "Sample Agency (a development placeholder)")
PLACEHOLDER_REGISTRATION = ("登録番号未設定", "registration number not set")

DEFAULT_RECOMMENDATION_POLICY = (
    "当社は、取り扱う保険会社の商品の中から、お客様からお伺いしたご意向(補償内容、支払限度額・免責金額、"
    "保険料の水準など)に合うものを絞り込み、比較したうえでご提案します。ご提案の理由は補償内容や保険料の水準など"
    "客観的な基準によるもので、当社が受け取る手数料の多寡や保険会社との関係によって商品を選ぶことはありません。",
    "We narrow the plans of the insurers we handle by the wishes you tell us (cover, limit and deductible, "
    "premium level), compare them, and propose from them. A proposal rests on objective grounds such as cover and "
    "premium level; we never choose a plan by the commission we receive or by our ties with an insurer.",
)


@dataclass(frozen=True, slots=True)
class Agency:
    """The agency as a customer must see it; built by the web layer from its settings and passed in as data."""

    name: str = ""  # "" while unset: the placeholder is shown
    name_en: str = ""
    registration_no: str = ""
    authority: Authority = Authority.AGENT
    recommendation_policy: tuple[str, str] = DEFAULT_RECOMMENDATION_POLICY
    solicitation_url: str = ""  # 勧誘方針 and privacy policy pages, where the surface can link to them
    privacy_url: str = ""

    @property
    def placeholder(self) -> bool:
        """True while the name or the registration number is still the development placeholder."""
        return not self.name.strip() or not self.registration_no.strip()

    def display_name(self, lang: Lang = "ja") -> str:
        if not self.name.strip():
            return pick(PLACEHOLDER_NAME, lang)
        return (self.name_en.strip() or self.name) if lang == "en" else self.name

    def registration(self, lang: Lang = "ja") -> str:
        return self.registration_no.strip() or pick(PLACEHOLDER_REGISTRATION, lang)

    def authority_text(self, lang: Lang = "ja") -> str:
        return pick(AUTHORITY_TEXT[self.authority], lang)

    def policy(self, lang: Lang = "ja") -> str:
        """The 比較推奨販売の方針: how the agency narrows the plans it proposes."""
        return pick(self.recommendation_policy, lang)

    def carriers(self, lang: Lang = "ja") -> str:
        return ("・" if lang != "en" else ", ").join(carrier_name(c, lang) for c in Carrier)

    def lines(self, lang: Lang = "ja") -> tuple[tuple[str, str], ...]:
        """The block every surface shows, as label and text: who, registered as what, selling which carriers, narrowing how."""
        en = lang == "en"
        rows = [
            ("Agency" if en else "代理店", self.display_name(lang)),
            ("Registration No." if en else "登録番号", self.registration(lang)),
            ("Insurers handled" if en else "取扱保険会社", self.carriers(lang)),
            ("Authority" if en else "権限", self.authority_text(lang)),
            ("Recommendation policy" if en else "比較推奨販売の方針", self.policy(lang)),
        ]
        if self.solicitation_url:
            rows.append(("Solicitation policy" if en else "勧誘方針", self.solicitation_url))
        if self.privacy_url:
            rows.append(("Privacy policy" if en else "個人情報の取扱い(プライバシーポリシー)", self.privacy_url))
        return tuple(rows)
