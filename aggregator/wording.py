"""Reading carrier wording: normalisation, label–value forms, head phrases, the rule table and the section context."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Keys are plain strings here (taxonomy.py turns them into CoverageKey and checks every one
# exists), so this module depends on nothing and the taxonomy can import it.
LIABILITY, INCIDENT_COSTS, BUSINESS_INTERRUPTION, OTHER = "liability", "incident_costs", "business_interruption", "other"
SECTIONS = (LIABILITY, INCIDENT_COSTS, BUSINESS_INTERRUPTION, OTHER)
LIABILITY_KEYS = frozenset({"liability_damages", "litigation_costs"})
BI_KEYS = frozenset({"lost_profit", "extra_expense"})

# Domain words name a kind of loss the other items never mean. Inside one item they win over
# the broad words beside them (「サイバー恐喝対応費用」 is extortion, 「規制当局の調査」 regulatory);
# from a modifier they decide a head that only says "investigation" or "response".
DOMAIN_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("extortion", (r"恐喝", r"身代金", r"脅迫", r"ランサム(?!ウェア)", r"ransom(?!ware)", r"extortion")),
    (
        "funds_loss",
        (
            r"資金損害",
            r"金銭損害",
            r"資金移動",
            r"不正送金",
            r"送金詐欺",
            r"(?:不正|誤った|不正な口座)(?:な)?(?:口座)?(?:へ|に)?(?:送金|振込|振り込)",
            r"口座に送金",
            r"ビジネスメール詐欺",
            r"サイバー犯罪",
            r"電話ハッキング",
            r"インターネットバンキング",
            r"盗取(?:された)?(?:金銭|資金)",
            r"(?:金銭|資金|預金|現金|資産)(?:や|や資産を|を)?.{0,4}?(?:盗取|詐取|窃取|盗ま|盗難|騙し取|被害)",
            r"fundstransfer",
            r"socialengineering",
            r"theftoffunds",
            r"cybercrime",
            r"financialfraud",
            r"computerfraud",
            r"telephonehacking",
            r"phishing",
            r"invoicefraud",
        ),
    ),
    (
        "employee_misconduct",
        (
            r"(?:使用人|従業員|従業者|役員|社員).{0,8}?(?:犯罪|不正|持出|持ち出|背任|横領|不誠実)",
            r"内部(?:起因|不正|犯行)",
            r"不誠実行為",
            r"employee(?:dishonesty|theft|misconduct|fraud)",
            r"rogueemployee",
            r"insider",
        ),
    ),
    (
        "cyber_delay",
        (r"納期(?:の)?(?:遅延|遅れ)", r"納入遅延", r"履行遅滞", r"履行遅延", r"deliverydelay", r"delayin(?:delivery|performance)"),
    ),
    (
        "regulatory_response",
        (
            r"当局",
            r"監督官庁",
            r"所管官庁",
            r"官公庁",
            r"公的(?:機関|調査)",
            r"行政(?:調査|対応|手続|処分|庁|機関|指導)",
            r"規制",
            r"個人情報保護委員会",
            r"課徴金",
            r"罰金",
            r"regulat",
            r"fines",
            r"penalt",
            r"pcidss",
            r"pci(?:fine|assess|compliance)",
            r"paymentcard(?:industry|fine|assess)",
            r"dataprotection(?:investigation|authorit|fine|regulator|proceeding)",
            r"supervisoryauthorit",
            r"government(?:al)?(?:investigation|authorit|inquir)",
        ),
    ),
    (
        "credit_monitoring",
        (
            r"クレジット(?:情報)?モニタ",
            r"信用(?:情報)?モニタ",
            r"creditmonitor",
            r"identitymonitor",
            r"identitytheft",
            r"idtheft",
            r"identityprotection",
        ),
    ),
)

# Items, in precedence: inside one item's words the first that matches wins, so the narrow
# item stands before the broad word it also contains (「風評被害拡大防止費用」 is reputational,
# not response; 「和解金」 is damages, not litigation costs).
ITEM_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # A settlement or award paid to the claimant is damages; 和解 as a procedure is litigation.
    (
        "liability_damages",
        (
            r"和解金",
            r"示談金",
            r"解決金",
            r"判決金",
            r"賠償金",
            r"損害金",
            r"慰謝料",
            r"賠償債務",
            r"義務違反",  # 「通知義務違反」: failing a duty is a liability, not the duty's cost
            r"求償(?:され|を受け)",  # a recourse claim against the insured
            r"settlement(?!cost|expense)",
            r"judgment",
            r"award",
        ),
    ),
    (
        "litigation_costs",
        (
            r"争訟",
            r"争訴",
            r"応訴",
            r"訴訟",
            r"裁判(?:費用|手続|所)",
            r"仲裁",
            r"調停",
            r"和解(?!金)",
            r"示談(?!金)",
            r"権利(?:の)?保全",
            r"求償権",
            r"(?:賠償)?請求を行う",  # the insured claiming from others
            r"defen[cs]e",
            r"defend",
            r"litigation",
            r"lawsuit",
            r"claims?(?:and)?(?:settlement)?expense",
            r"settlementexpense",
        ),
    ),
    (
        "call_center",
        (
            r"コールセンタ",
            r"問(?:い)?合(?:わ)?せ(?:対応|窓口|受付)?",
            r"相談窓口",
            r"電話(?:対応|窓口)",
            r"callcent",
            r"hotline",
            r"helpline",
            r"contactcent",
        ),
    ),
    (
        "reputational_ads",
        (
            r"風評",
            r"広告",
            r"宣伝",
            r"広報",
            r"記者会見",
            r"マスコミ",
            r"マスメディア",
            r"メディア対応",
            r"会見",
            r"社告",
            r"炎上",
            r"投稿",
            r"書(?:き)?込(?:み)?",
            r"誹謗中傷",
            r"ブランド",
            r"イメージ(?:回復|毀損|低下)",
            r"信用回復",
            r"信頼回復",
            r"reputation(?!al(?:harm|loss|injury))",
            r"publicrelation",
            r"crisiscommunication",
            r"crisismanagement",
            r"advertis",
            r"brandprotect",
        ),
    ),
    (
        "apology",
        (
            r"見舞",
            r"お?詫び",
            r"お?わび",
            r"謝罪",
            r"通知",
            r"郵送",
            r"金券",
            r"商品券",
            r"ギフトカード",
            r"クーポン",
            r"notif",
            r"apolog",
        ),
    ),
    (
        "legal_consulting",
        (
            r"弁護士(?:等)?(?:へ)?相談",
            r"(?:弁護士|専門家|アドバイザ|コンサルタント)[^、,]{0,8}?相談",
            r"法律サービス",
            r"法律アドバイ",
            r"法律相談",
            r"相談費用",
            r"コンサル(?:タント|ティング)",
            r"専門家(?:相談|費用|報酬)",
            r"legaladvi[cs]",
            r"legalconsult",
            r"breachcoach",
            r"breachcounsel",
            r"consultan",
            r"lawyer",
            r"attorney",
        ),
    ),
    (
        "recurrence_prevention",
        (r"再発防止", r"preventrecurrence", r"recurrenceprevention", r"betterment", r"remediationplan", r"securityimprovement"),
    ),
    (
        "investigation",
        (
            r"調査",
            r"フォレンジック",
            r"原因究明",
            r"(?:原因|被害|件数|範囲|影響)(?:の)?特定",
            r"被害範囲",
            r"有無(?:を)?(?:確認|判断|判定)",
            r"証拠保全",
            r"ログ(?:解析|分析)",
            r"forensic",
            r"investigat",
        ),
    ),
    (
        "data_restoration",
        (
            r"(?:データ|システム|ネットワーク|サーバ|ソフトウェア|プログラム|電子|情報機器|情報資産|デジタル資産|機器|設備|pc|端末)"
            r"(?:等)?(?:の|を)?(?:復旧|復元|修復|回復|再構築|修理|交換|再取得)",
            r"(?:復旧|復元|修復|修理)(?:費用|作業)",
            r"デジタル資産",
            r"datarestor",
            r"datarecover",
            r"systemrestor",
            r"restorationof",
            r"(?:data|digital)asset",
            r"restoration",
            r"datarecreat",
            r"electronicdata",
            r"(?:recover|restor|replac|recreat)[a-z]*.{0,30}?data",
        ),
    ),
    (
        "emergency_response",
        (
            r"事故対応",
            r"初期対応",
            r"緊急対応",
            r"初動",
            r"サイバー攻撃(?:へ)?対応",
            r"(?:被害|損害)?拡大(?:を)?(?:防止|抑制)",
            r"対応特別費用",
            r"緊急措置",
            r"遮断",
            r"隔離",
            r"封じ込",
            r"incidentresponse",
            r"emergency",
            r"breachresponse",
            r"firstresponse",
            r"containment",
        ),
    ),
    (
        "extra_expense",
        (
            r"営業(?:を)?継続",
            r"事業継続費用",
            r"超過人件費",
            r"超過勤務",
            r"臨時雇用",
            r"追加(?:費用|人件費|的な費用)",
            r"代替(?:設備|サーバ|手段|システム|業務)",
            r"余計",
            r"積極損害",
            r"extraexpense",
            r"additionalexpense",
            r"increasedcostofworking",
            r"businessincomeextra",
        ),
    ),
    (
        "lost_profit",
        (
            r"利益損害",
            r"喪失利益",
            r"利益保険",
            r"利益補償",
            r"営業利益",
            r"営業損失",
            r"利益(?:の)?(?:喪失|損失|減少)",
            r"収益(?:の)?(?:損失|減少|喪失)",
            r"減収",
            r"減益",
            r"売上(?:高)?(?:の)?(?:減少|喪失)",
            r"休業(?:損失|による損失)",
            r"営業(?:を|が|の)?(?:中断|休止|阻害)",
            r"(?:ネットワーク|システム)(?:が|の)?(?:中断|停止)",
            r"消極損害",
            r"businessinterruption",
            r"networkinterruption",
            r"lossofincome",
            r"businessincome",
            r"incomeloss",
            r"lostprofit",
            r"lossofprofit",
            r"lostincome",
            r"systemfailure",
            r"dependentbusiness",
            r"nbi(?:loss|$)",
        ),
    ),
    # IT E&O pays re-creating a client's data as damages; the general words for liability last.
    (
        "liability_damages",
        (
            r"他人(?:の)?(?:データ|情報|財物)",
            r"(?:it|情報)(?:サービス)?業務(?:補償|担保)?(?:特約|追加条項)",  # IT業務特約: the IT E&O liability rider
            r"賠償",
            r"法律上(?:の)?損害",
            r"liabilit",
            r"damages",
            r"thirdparty",
            r"claimsagainst",
            r"classaction",
        ),
    ),
)


# Words whose item depends on the section the carrier lists them under. `by_section` gives
# the key per section (a tuple: still two candidates there); `default` is for no section.
@dataclass(frozen=True, slots=True)
class Dual:
    patterns: tuple[str, ...]
    by_section: dict[str, str | tuple[str, ...]]
    default: str | tuple[str, ...]


DUALS: tuple[Dual, ...] = (
    # Lost profit: the third party's (damages) at one carrier, the insured's own at another.
    Dual(
        (r"逸失利益",),
        {LIABILITY: "liability_damages", BUSINESS_INTERRUPTION: "lost_profit", INCIDENT_COSTS: ("lost_profit", "liability_damages")},
        ("lost_profit", "liability_damages"),
    ),
    Dual((r"休業損害",), {BUSINESS_INTERRUPTION: "lost_profit", LIABILITY: "liability_damages"}, "liability_damages"),
    Dual(
        (r"(?:データ|情報)(?:の)?再作成",),
        {LIABILITY: "liability_damages", INCIDENT_COSTS: "data_restoration"},
        "liability_damages",
    ),
    # 弁護士費用: defence under liability, advice among the incident costs.
    Dual(
        (r"弁護士(?:等)?(?:へ)?(?:報酬|費用|着手金|成功報酬)", r"成功報酬"),
        {LIABILITY: "litigation_costs", INCIDENT_COSTS: "legal_consulting"},
        "litigation_costs",
    ),
    Dual(
        (r"legal(?:fee|cost|expense|service|counsel)",),
        {LIABILITY: "litigation_costs", INCIDENT_COSTS: "legal_consulting"},
        ("legal_consulting", "litigation_costs"),
    ),
    # The liability section's own expenses (協力費用, 損害防止軽減費用) have no item of their own.
    Dual(
        (r"協力(?:費用|する|のため)", r"損害(?:の)?(?:防止)?軽減"),
        {LIABILITY: ("litigation_costs", "liability_damages")},
        ("litigation_costs", "liability_damages"),
    ),
    Dual((r"人件費",), {LIABILITY: "liability_damages", BUSINESS_INTERRUPTION: "extra_expense"}, ()),
    # "Reputational Harm" in English policies is the income lost to it; 風評 costs are advertising.
    Dual(
        (r"reputation(?:al)?(?:harm|loss|injury)",),
        {BUSINESS_INTERRUPTION: "lost_profit", INCIDENT_COSTS: "reputational_ads"},
        ("lost_profit", "reputational_ads"),
    ),
)

DOMAIN_KEYS = frozenset(key for key, _ in DOMAIN_RULES)
GENERIC_ITEMS = frozenset({"investigation", "emergency_response"})  # heads a domain word in a modifier may decide
# Under a business-interruption heading, what the words are about decides the item.
_BI_COST = re.compile(r"費用|コスト|経費|人件費|支出|expense|cost")
_BI_LOSS = re.compile(r"利益|損失|収益|減収|減益|売上|income|profit|loss|中断|停止|休止|interruption")
# Under a liability heading a wording naming something is damages unless it says litigation;
# one that names nothing but these words stays unread.
_GENERIC_WORDS = re.compile(
    r"費用|損害|損失|補償|保険金|特約|その他|もの|場合|リスク|費|支払|金額|等|など|cost|expense|loss|other|cover(?:age)?|s$"
)

# ------------------------------------------------------------------ text ---

_BRACKETS = re.compile(r"[(\[{【「『〔<][^)\]}】」』〕>]*[)\]}】」』〕>]")
_FOOTNOTE = re.compile(r"(?:※|\*\d|\(注\d*\)|注\d+[):]).*$")
_LABEL_SEP = re.compile(r"\s*[:：]\s*")  # 「再発防止:コンサルティング」: the label names the item
_JA_CONNECTORS = re.compile(
    r"のための|ための|ために|における|において|に関する|に関して|に関わる|に係る|についての|について|"
    r"に対する|に対して|による|によって|により|に起因する|に起因して|を原因とする|に伴う|に伴い|に基づく|"
    r"場合における|場合の|場合に|に要した|に要する|にかかる|にかかった|に必要な|時における|時の|時に|際の|際に"
)
_EN_CONNECTORS = re.compile(
    r"\b(?:arising\s+(?:out\s+of|from)|resulting\s+from|caused\s+by|as\s+a\s+result\s+of|due\s+to|following|"
    r"in\s+connection\s+with|in\s+respect\s+of|incurred|for\s+any|for|to)\b",
    re.IGNORECASE,
)
_EN_DESCRIBED = re.compile(r"\s+[-–—]\s+")
_JA_LIST = re.compile(r"[・･、,/／&]|及び|および|並びに|ならびに|または|又は|もしくは|若しくは|(?<=[^\u3040-\u309f])や(?=[^\u3040-\u309f])")
_EN_LIST = re.compile(r"[,/&;]|\band\b|\bor\b", re.IGNORECASE)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def normalise_wording(text: str) -> str:
    """The comparable form of a wording: NFKC, lower case, no spaces or joining particles."""
    text = nfkc(text)
    text = re.sub(r"(?<![A-Za-z])PR(?![A-Za-z])", "publicrelations", text)  # 「PR」 before lower-casing hides it in "prevention"
    text = text.lower()
    text = re.sub(r"\b(?:and|the|a|an)\b", " ", text)
    text = re.sub(r"[\s\u3000・･/／、,.。:：;；\-－–—~〜&]+", "", text)
    # 「の」「等」「及び」 join the same item in different carriers' wording.
    return re.sub(r"の|等|及び|および|並びに|ならびに", "", text)


def _is_english(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) > len(letters) / 2


def views(text: str) -> Iterator[str]:
    """The readings of one wording, most telling first: the label of a label–value form or of a
    label followed by its description, then the main text, then its bracketed notes."""
    text = nfkc(text).strip()
    main = _FOOTNOTE.sub("", text).strip() or text
    parts = _LABEL_SEP.split(main, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1] and len(parts[0]) <= 30:
        yield parts[0]
        main = parts[1]
    if not _is_english(main):
        first = re.split(r"\s+", main.strip(), maxsplit=1)
        if len(first) == 2 and len(first[1]) >= 8:  # 「データ復旧費用 消失したデータを…」: a label, then what it means
            yield _BRACKETS.sub(" ", first[0])
    elif len(described := _EN_DESCRIBED.split(main, maxsplit=1)) == 2 and len(described[1].split()) >= 4:
        yield _BRACKETS.sub(" ", described[0])  # "Data Recovery - The cost of recovering lost data"
    yield _BRACKETS.sub(" ", main)
    yield " ".join(_BRACKETS.findall(main))


# --------------------------------------------------------------- reading ---

_DOMAIN = tuple((key, tuple(re.compile(p) for p in ps)) for key, ps in DOMAIN_RULES)
_ITEMS = tuple((key, tuple(re.compile(p) for p in ps)) for key, ps in ITEM_RULES)
_DUALS = tuple((tuple(re.compile(p) for p in d.patterns), d) for d in DUALS)


def _first(rules: Iterable[tuple[str, tuple[re.Pattern[str], ...]]], text: str) -> str | None:
    return next((key for key, patterns in rules if any(p.search(text) for p in patterns)), None)


def _dual(text: str) -> Dual | None:
    return next((d for patterns, d in _DUALS if any(p.search(text) for p in patterns)), None)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a wording names: one key, or None with the keys a person mapping it might choose."""

    key: str | None
    candidates: tuple[str, ...]


_NOTHING = Reading(None, ())


def _segments(text: str) -> list[str]:
    """Head phrase first: Japanese puts the item last (「AのためのB費用」), English first ("B arising from A")."""
    if _is_english(text):
        return [s for s in _EN_CONNECTORS.split(text) if s.strip()]
    return [s for s in reversed(_JA_CONNECTORS.split(text)) if s.strip()]


def _parts(segment: str) -> list[str]:
    splitter = _EN_LIST if _is_english(segment) else _JA_LIST
    return [p for p in splitter.split(segment) if p and p.strip()]


def _possible(dual: Dual) -> set[str]:
    keys: set[str] = set()
    for chosen in (*dual.by_section.values(), dual.default):
        keys |= {chosen} if isinstance(chosen, str) else set(chosen)
    return keys


def _dual_keys(dual: Dual, section: str | None) -> set[str]:
    chosen = dual.by_section.get(section, dual.default) if section else dual.default
    return {chosen} if isinstance(chosen, str) else set(chosen)


def _segment_keys(segment: str, section: str | None) -> set[str]:
    """The keys the listed parts of one phrase name; a section-dependent word gives way to a
    part that names one of its readings outright (弁護士報酬 beside 訴訟・仲裁 is litigation)."""
    hard: set[str] = set()
    duals: list[Dual] = []
    for part in _parts(segment):
        text = normalise_wording(part)
        if not text:
            continue
        found = _first(_DOMAIN, text) or _first(_ITEMS, text)
        if found is not None:
            hard.add(found)
        elif (dual := _dual(text)) is not None:
            duals.append(dual)
    keys = set(hard)
    for dual in duals:
        if not _possible(dual) & hard:
            keys |= _dual_keys(dual, section)
    if not keys and len(_parts(segment)) > 1:  # "recovery and replacement of lost data": words the list split apart
        text = normalise_wording(segment)
        found = _first(_DOMAIN, text) or _first(_ITEMS, text)
        keys = {found} if found else set()
    return keys


def _remap(key: str, section: str | None) -> set[str]:
    """The key a wording's item is under the section the carrier lists it in."""
    if section == LIABILITY and key not in LIABILITY_KEYS and key not in DOMAIN_KEYS:
        if key == "legal_consulting":
            return {"litigation_costs"}
        if key == "emergency_response":  # 緊急措置費用 under liability: its own expense, or response
            return {"emergency_response", "liability_damages"}
        return {"liability_damages"}  # the third party's loss the insured pays: 「データ復元費用」 in IT E&O
    if section == INCIDENT_COSTS and key == "liability_damages":
        return set()  # 「損害賠償を請求する…費用」 among incident costs is not damages
    return {key}


def _default(text: str, section: str | None) -> Reading:
    """A wording that names no item: its section may still decide it."""
    words = normalise_wording(text)
    if section == LIABILITY and len(_GENERIC_WORDS.sub("", words)) >= 2:
        return Reading("liability_damages", ("liability_damages",))
    if section == BUSINESS_INTERRUPTION:
        cost, loss = bool(_BI_COST.search(words)), bool(_BI_LOSS.search(words))
        if cost != loss:
            key = "extra_expense" if cost else "lost_profit"
            return Reading(key, (key,))
    return _NOTHING


def _order(keys: Iterable[str]) -> tuple[str, ...]:
    rank = {key: i for i, (key, _) in enumerate((*DOMAIN_RULES, *reversed(ITEM_RULES)))}
    return tuple(sorted(set(keys), key=lambda k: rank.get(k, len(rank))))


# A wording that names the insured's own cover (利益損害, 営業継続費用, a rider) is not a client's claim.
_OWN_COVER = re.compile(r"利益損害|喪失利益|利益保険|営業継続費用|特約|補償|追加条項|businessinterruption|extraexpense|networkinterruption")


def _line_care(reading: Reading, wording: str, line: str | None, section: str | None) -> Reading:
    """In IT E&O and professional liability, a client's restored data, lost sales or extra staff
    cost is what the client claims: without a section to say whose, both stay candidates."""
    if section is not None or line not in ("it_eo", "professional_liability"):
        return reading
    if reading.key in ("lost_profit", "extra_expense", "data_restoration") and not _OWN_COVER.search(normalise_wording(wording)):
        return Reading(None, (reading.key, "liability_damages"))
    return reading


# What a head phrase says when it names no item: 「対応費用」「支出する次の費用」 defer to the phrase
# before them; 「臨時対策費」 names something we do not know, and is not read from its modifier.
_FILLER = re.compile(
    r"費用|費|対応|支出|外部委託|委託|専門業者|業者|専門家|連携|支援|依頼|作業|活動|実施|手配|起用|補償|損害|損失|場合|事故|金額|保険金|必要|有益|直接|次|要|発生|生|負担|支払|認|行|"
    r"被保険者|記名|保険会社|リスク|コスト|多額|諸|各種|経済|貴社|自社|当社|被|fees?|payments?|expenses?|costs?|loss(?:es)?|cover(?:age)?|insurance|premium|reasonable|necessary|"
    r"incurred|amounts?|sums?|paid|payable|[\u3040-\u309f]"
)


def _names_something(segment: str) -> bool:
    return len(_FILLER.sub("", normalise_wording(segment))) >= 3


_SPREAD = re.compile(r"拡大(?:を)?(?:防止|抑制)")  # preventing the spread of X is about X
_MEDIA = re.compile(
    r"新聞|テレビ|マスメディア|マスコミ|報道|newspaper|massmedia|press(?:release|conference)"
)  # an apology made in public is PR
_ADVICE = frozenset({"legal_consulting", "litigation_costs"})
_BROAD_OBJECTS = frozenset({"emergency_response", "liability_damages"})


def read_view(view: str, *, line: str | None = None, section: str | None = None) -> Reading | None:
    """One reading of a wording: a Reading when it names something, None when it names nothing."""
    segments = _segments(view)
    found = [_segment_keys(segment, section) for segment in segments]
    at = next((i for i, keys in enumerate(found) if keys), None)
    domain = _first(_DOMAIN, normalise_wording(view))
    if at is None:
        return Reading(domain, (domain,)) if domain else None
    head, modifiers = found[at], [keys for keys in found[at + 1 :] if keys]
    if any(_names_something(segment) for segment in segments[:at]):
        return Reading(None, _resolve(head, line, section).candidates)  # the head names an item we do not know
    if domain and head <= GENERIC_ITEMS | {domain}:
        head = {domain}  # 「規制当局から調査を受けた場合の対応費用」 is regulatory
    elif (
        head == {"emergency_response"}
        and _SPREAD.search(normalise_wording(segments[at]))
        and modifiers
        and not modifiers[0] <= _BROAD_OBJECTS
    ):
        head = modifiers[0]  # 「投稿による業務妨害の拡大を防止する費用」 is reputational: spread prevention is about its object
    elif "apology" in head and head <= {"apology", "reputational_ads"} and _MEDIA.search(normalise_wording(view)):
        head = {"reputational_ads"}  # 「マスメディアを通じて…謝罪を行う費用」 is a public statement, not a letter
    reading = _resolve(head, line, section)
    if reading.key is None and set(reading.candidates) == _ADVICE and any(keys - _ADVICE - DOMAIN_KEYS for keys in modifiers):
        return Reading("legal_consulting", ("legal_consulting",))  # legal work about notices or reports is advice
    if reading.key is None:
        for keys in modifiers:  # 「ネットワークが中断した場合の逸失利益」: the phrase itself says whose
            narrowed = {k for key in keys for k in _remap(key, section)} & set(reading.candidates)
            if len(narrowed) == 1:
                (key,) = narrowed
                return Reading(key, (key,))
    return reading


def _resolve(keys: set[str], line: str | None, section: str | None) -> Reading:
    mapped: set[str] = set()
    for key in keys:
        mapped |= _remap(key, section)
    if len(mapped) == 1:
        (key,) = mapped
        return Reading(key, (key,))
    return Reading(None, _order(mapped or keys))


def read(wording: str, *, line: str | None = None, section: str | None = None) -> Reading:
    """What one wording names, in context; the first view that names anything decides."""
    for view in views(wording):
        if not view.strip():
            continue
        reading = read_view(view, line=line, section=section)
        if reading is not None:
            return _line_care(reading, wording, line, section)
    main = _BRACKETS.sub(" ", nfkc(wording))
    return _default(main, section)
