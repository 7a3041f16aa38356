"""The six accidents' own words, in Japanese and English: what happens, what to note, and where each figure comes from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.codes import CellKind
from aggregator.exposure import Assumptions
from aggregator.matching import COVERED_KINDS, _kind, limit_stated
from aggregator.money import Lang, format_yen
from aggregator.quotes import Quote
from aggregator.taxonomy import CoverageKey


@dataclass(frozen=True, slots=True)
class Words:
    title_ja: str
    title_en: str
    story_ja: str
    story_en: str
    notes_ja: tuple[str, ...]
    notes_en: tuple[str, ...]
    sources_ja: tuple[str, ...]
    sources_en: tuple[str, ...]


ARTICLES_JA = "記事(IT事業者に届くBtoBtoCの賠償請求)の事故例(docs/DOMAIN.md)"
ARTICLES_EN = "the articles' accident examples (BtoBtoC claims that reach IT vendors; docs/DOMAIN.md)"
MODEL_JA = "IPA/経産省モデル契約 第20条: 特別損害(逸失利益を含む)は賠償の範囲外、累計額は契約金額まで(故意・重過失を除く)"
MODEL_EN = "IPA/METI model contract, Art. 20: special damages (lost profit included) excluded, the total capped at the contract amount (not for intent or gross negligence)"
BENESSE_JA = "ベネッセの漏えい(2014年、約2,895万件): 全員に1人500円の金券、判決は1人2,000円〜3,300円。請求したのは影響を受けた人の0.03%未満(docs/DOMAIN.md)"
BENESSE_EN = "The Benesse leak (2014, about 28.95 million records): a ¥500 voucher to everyone; courts awarded ¥2,000–¥3,300 a claimant, and under 0.03% of those affected sued (docs/DOMAIN.md)"
APPI_JA = "改正個人情報保護法(2022年): 不正アクセスによる漏えいは1件から報告・本人通知、1,000人超は大規模漏えい"
APPI_EN = "APPI as amended in 2022: a leak by unauthorised access is reported and notified from one record; over 1,000 people is a large-scale leak"
WORKED_JA = "損保会社の試算例(5万件の漏えい): 広告1,000万円、金券500円×5万人、調査500万円、サーバー復旧200万円、モニタリング500万円、再発防止100万円"
WORKED_EN = "A carrier's worked example (50,000 records): ads ¥10M, gift cards ¥500 × 50,000, forensics ¥5M, server recovery ¥2M, monitoring ¥5M, prevention ¥1M"
FORENSICS_JA = "フォレンジック調査は1台20万〜100万円(記事)、JNSA 2021年調査では150〜200万円"
FORENSICS_EN = "Forensics ¥200,000–¥1,000,000 a server (the articles); JNSA's 2021 survey: ¥1.5–2M"
CLIENT_JA = "発注者の1日あたり粗利は仮定値です。発注者の規模に合わせて前提条件を変えてください"
CLIENT_EN = "The client's gross profit a day is an assumption: set it to the client's size"

SCENARIO_WORDS: dict[str, Words] = {
    "customer_data_leak": Words(
        "取引先の顧客データの漏えい",
        "Leaking a client's customer data",
        "預かっていた取引先の顧客データが、誤送信や不正アクセスで漏えいした。自社がお詫び・問い合わせ対応・報告を行い、顧客の請求が取引先を通じて届く。",
        "A client's customer data in the vendor's care leaks, by a mis-sent file or a break-in. The vendor apologises, answers calls and reports; the customers' claims reach it through the client.",
        ("慰謝料の請求には契約の上限が及びます。情報漏えいを重大な過失とする契約では、上限がなくなります(契約の確認)。",),
        (
            "The contract's cap applies to the customers' claims; where leaks count as gross negligence the cap falls away (see the contract check).",
        ),
        (ARTICLES_JA, WORKED_JA, BENESSE_JA, APPI_JA),
        (ARTICLES_EN, WORKED_EN, BENESSE_EN, APPI_EN),
    ),
    "end_user_outage": Words(
        "エンドユーザーのシステム・サーバーの停止",
        "Stopping an end user's system or server",
        "運用・保守しているシステムの作業ミスや不具合で、エンドユーザーが使うシステムが止まった。発注者は止まっていた間の逸失利益と追加費用を請求する。",
        "A slip or a fault in a system the vendor runs stops the system its client's end users rely on. The client claims its lost profit while it was down and its extra costs.",
        (
            "発注者の逸失利益は特別損害です。特別損害を除く契約なら請求の対象外です。",
            "情報の漏えいがない事故です。賠償が漏えいに限られるプランは支払いません。",
        ),
        (
            "The client's lost profit is special damages: outside the claim where the contract excludes them.",
            "Nothing leaks in this accident: a plan whose liability covers leaks only does not pay it.",
        ),
        (ARTICLES_JA, MODEL_JA, CLIENT_JA),
        (ARTICLES_EN, MODEL_EN, CLIENT_EN),
    ),
    "defect_data_loss": Words(
        "納品したシステムの不具合によるデータの破損・消失",
        "A delivered system's defect corrupting or erasing data",
        "納品したシステムの不具合で、発注者のデータが壊れたり消えたりした。発注者はデータの再作成費用と、止まっていた間の損失を請求する。",
        "A defect in a system the vendor delivered corrupts or erases the client's data. The client claims the cost of re-creating it and its loss while it was down.",
        (
            "IT業務過誤保険では、発注者のデータの再作成費用は損害賠償金として支払われます(費用損害の復旧費用は自社のデータのためのもの)。",
            "データの消失を重大な過失とする契約では、上限がなくなります。",
        ),
        (
            "Under IT E&O cover, re-creating the client's data is paid as damages (the restoration cost item is for the vendor's own data).",
            "Where the contract defines data loss as gross negligence, the cap falls away.",
        ),
        (ARTICLES_JA, MODEL_JA, WORKED_JA, CLIENT_JA),
        (ARTICLES_EN, MODEL_EN, WORKED_EN, CLIENT_EN),
    ),
    "attack_delay": Words(
        "サイバー攻撃による開発の遅延",
        "A cyber attack that delays development",
        "自社の開発環境がサイバー攻撃を受けて作業が止まり、納期に遅れた。発注者は遅延の損害を請求する。",
        "The vendor's own development systems are attacked, work stops and delivery is late. The client claims for the delay.",
        (
            "単なる納期遅延(開発の遅れ・要員不足など、サイバー攻撃によらない遅延)は補償されません。サイバー攻撃による納期遅延は、プランによって補償される場合があります(各プランの注記)。",
        ),
        (
            "A plain delivery delay (late development, short staff: any delay not caused by a cyber attack) is not covered. A delay caused by a cyber attack may be, depending on the plan (see each plan's note).",
        ),
        (ARTICLES_JA, FORENSICS_JA, "納期遅延の請求は、最大契約金額に対する割合(前提条件)で試算"),
        (ARTICLES_EN, FORENSICS_EN, "The delay claim is a share of the largest contract (an assumption)"),
    ),
    "vulnerability_attack": Words(
        "納品したシステムの脆弱性を突かれた攻撃",
        "A delivered system's vulnerability attacked",
        "納品した予約システムの脆弱性を突かれて不正アクセスを受け、利用者の情報が漏えいし、システムも止まった。発注者は利用者への対応費用と止まっていた間の損失を請求する。",
        "A reservation system the vendor delivered is broken into through a vulnerability: its users' data leaks and the system stops. The client claims what it spent on its users and its loss while down.",
        (
            "利用者へのお詫び・コールセンターは発注者が行い、その費用が賠償として請求される想定です: 費用損害ではなく、損害賠償金の限度額で支払われます。",
        ),
        (
            "The client apologises to its users and runs the call center, then claims the cost: it is paid under the damages limit, not as incident costs.",
        ),
        (ARTICLES_JA, BENESSE_JA, APPI_JA, MODEL_JA, CLIENT_JA),
        (ARTICLES_EN, BENESSE_EN, APPI_EN, MODEL_EN, CLIENT_EN),
    ),
    "insider_takeout": Words(
        "従業員による顧客データの持ち出し",
        "An employee taking customer data out",
        "従業員(委託先の社員を含む)が取引先の顧客データを持ち出して売った。2014年のベネッセの漏えいも、委託先の従業員による持ち出しでした。",
        "An employee (a subcontractor's included) takes a client's customer data out and sells it; the 2014 Benesse leak was a subcontractor's employee taking data out.",
        (
            "従業員の犯罪行為による損害は、多くのプランで特約(使用人等の犯罪行為)がある場合に限り支払われます。ここでは持ち出しによる賠償を「従業員の不正」の項目で試算しています。",
        ),
        (
            "Most plans pay for an employee's crime only with a rider (employee dishonesty): the claim for the data taken out is put under Employee misconduct here.",
        ),
        (ARTICLES_JA, BENESSE_JA, APPI_JA),
        (ARTICLES_EN, BENESSE_EN, APPI_EN),
    ),
}

NOT_PAID: dict[str, tuple[str, str]] = {
    CellKind.NOT_OFFERED.value: ("補償なし", "not offered"),
    CellKind.RIDER.value: ("特約(未付帯)", "rider not taken"),
    CellKind.UNKNOWN.value: ("不明(要確認)", "unknown (to check)"),
    "unstated": ("要確認(項目固有の限度額の記載なし)", "to check (no limit of its own stated)"),
}


def delay_note(quote: Quote) -> tuple[str, str]:
    """What one plan does with a delay a cyber attack caused, said plainly."""
    term = quote.plan.term(CoverageKey.CYBER_DELAY)
    kind = _kind(term, quote)
    if term is not None and kind in COVERED_KINDS and limit_stated(term):
        limit = term.limit_jpy if term.limit_jpy is not None else quote.limit_jpy
        ja = f"サイバー攻撃による納期遅延: 補償あり({format_yen(limit)}まで)"
        en = f"A delay caused by a cyber attack: covered (up to {format_yen(limit, 'en')})"
        if term.conditions:
            ja += f"。条件: {term.conditions}"
            en += f"; condition: {term.conditions}"
        return ja, en
    if kind is CellKind.RIDER:
        return (
            "サイバー攻撃による納期遅延: 特約で補償できますが、この見積もりには含まれていません",
            "A delay caused by a cyber attack: available as a rider not in this quote",
        )
    if kind is CellKind.NOT_OFFERED:
        return "サイバー攻撃による納期遅延も補償されません", "A delay caused by a cyber attack is not covered either"
    return (
        "サイバー攻撃による納期遅延を補償するか、資料から読み取れません(要確認)",
        "Whether a delay caused by a cyber attack is covered is not clear from the documents (to check)",
    )


def assumption_rows(names: Sequence[str], assumptions: Assumptions, lang: Lang = "ja") -> list[tuple[str, str]]:
    """The assumptions a scenario rests on, as label and value in the page's language (each can be changed)."""
    from aggregator.labels import ASSUMPTION_LABELS

    en = lang == "en"
    rows = []
    for name in names:
        ja_label, en_label, kind = ASSUMPTION_LABELS[name]
        value = getattr(assumptions, name)
        if value is None:
            text = "ご申告または業種の仮定値" if not en else "the company's own or the industry's"
        elif kind == "yen":
            text = format_yen(value, lang)
        elif kind == "pct":
            text = f"{value}%"
        elif kind == "days":
            text = f"{value} days" if en else f"{value}日"
        else:
            text = f"{value:,}" + ("" if en else "社")
        rows.append((en_label if en else ja_label, text))
    return rows
