"""The rule tables classify() reads wording with: domain words, items in precedence, section-dependent words."""

from __future__ import annotations

from dataclasses import dataclass

# Keys are plain strings here (taxonomy.py turns them into CoverageKey and checks every one
# exists), so this module depends on nothing and the taxonomy can import it.
LIABILITY, INCIDENT_COSTS, BUSINESS_INTERRUPTION, OTHER = "liability", "incident_costs", "business_interruption", "other"
SECTIONS = (LIABILITY, INCIDENT_COSTS, BUSINESS_INTERRUPTION, OTHER)
LIABILITY_KEYS = frozenset({"liability_damages", "litigation_costs"})

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
