"""損保ジャパン (Sompo Japan): its quoting API's JSON (plans.json, rates.json) into the common schema."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from aggregator.errors import CarrierDataError, WrongFormatError
from aggregator.schema import (
    CAP_ON_CREDITS,
    CAP_ON_NET,
    MAX_CARRIER_COUNT,
    MAX_CARRIER_YEN,
    MAX_CARRIER_YEN_TEXT,
    POLICY_POOL,
    Carrier,
    CarrierData,
    ContractType,
    CoverageTerm,
    EligibilityRule,
    Industry,
    LimitBasis,
    LimitPool,
    Line,
    PerVictimCap,
    Plan,
    RateTable,
    RoundingMode,
    RuleAction,
    RuleField,
    RuleOp,
    SecurityControl,
    TermStatus,
    Trigger,
)
from aggregator.taxonomy import CoverageKey
from carriers.base import (
    Where,
    WordingResolver,
    build,
    cell_date,
    has_sample_marker,
    parse_factor_bp,
    read_json,
)

# ------------------------------------------------------------ the carrier's quirks ---

PLANS_FILE = "plans.json"
RATES_FILE = "rates.json"
INSURER_CODE = "SJNK"  # every document of the API names its insurer
DOCUMENT_TYPES = {PLANS_FILE: "plans", RATES_FILE: "rates"}
PLAN_CODE = f"補償コード({PLANS_FILE}のcoverageCode)"
NOT_OURS = "損保ジャパンのファイルではありません (this is not a Sompo Japan file)"

PRODUCT_LINES = {"CYBER": Line.CYBER, "CYBER_ITS": Line.IT_EO}  # サイバー保険 / ＋ITサービス業務特約
TRIGGERS = {"CLAIMS_MADE": Trigger.CLAIMS_MADE, "DISCOVERY": Trigger.DISCOVERY, "OCCURRENCE": Trigger.OCCURRENCE}
BASES = {
    "PER_CLAIM": LimitBasis.PER_CLAIM,
    "PER_INCIDENT": LimitBasis.PER_INCIDENT,
    "AGGREGATE": LimitBasis.AGGREGATE,
    "PER_CLAIM_AND_AGGREGATE": LimitBasis.CLAIM_AND_AGGREGATE,
    "PER_INCIDENT_AND_AGGREGATE": LimitBasis.BOTH,
}
DEFAULT_BASIS = LimitBasis.CLAIM_AND_AGGREGATE  # the API leaves limitBasis out for 1請求・保険期間中
STATUSES = {
    "COVERED": TermStatus.INCLUDED,  # no limit of its own: up to its group's limit
    "SUBLIMIT": TermStatus.SUBLIMITED,
    "CONDITIONAL": TermStatus.CONDITIONAL,
    "NOT_COVERED": TermStatus.NOT_OFFERED,
    "SEE_POLICY_WORDING": TermStatus.UNKNOWN,  # the API does not say: 約款参照
}
# A coverage group with a totalLimit is a pool its coverages sit inside (内枠): groupCode -> pool id, English label.
GROUP_POOLS = {
    "LIAB": ("liability", "Third-party liability"),
    "COST": ("expenses", "Incident response costs"),
    "BI": ("business_interruption", "Business interruption"),
    "OTHER": ("other", "Other"),
}
# The heading a coverage group is, as the taxonomy's sections: the context its wording is read in.
GROUP_SECTIONS = {"LIAB": "liability", "COST": "incident_costs", "BI": "business_interruption", "OTHER": "other"}
INDUSTRY_CODES = {  # 損保ジャパンの業種コード
    "IT-110": Industry.SYSTEM_INTEGRATION,
    "IT-120": Industry.PACKAGE_SOFTWARE,
    "IT-130": Industry.APP_DEVELOPMENT,
    "IT-210": Industry.SAAS,
    "IT-220": Industry.HOSTING_DATACENTER,
    "IT-310": Industry.IT_CONSULTING,
    "IT-320": Industry.SES_STAFFING,
    "IT-330": Industry.MANAGED_SECURITY,
    "IT-410": Industry.EC_PLATFORM,
    "IT-420": Industry.FINTECH,
}
CONTROL_CODES = {
    "SEC-MFA": SecurityControl.MFA,
    "SEC-EDR": SecurityControl.EDR,
    "SEC-BKUP": SecurityControl.OFFLINE_BACKUP,
    "SEC-ISMS": SecurityControl.ISMS_PMARK,
    "SEC-IRP": SecurityControl.INCIDENT_RESPONSE_PLAN,
    "SEC-VULN": SecurityControl.VULNERABILITY_MANAGEMENT,
    "SEC-EDU": SecurityControl.STAFF_TRAINING,
}
CONTRACT_CODES = {"UKEOI": ContractType.UKEOI, "JUNIN": ContractType.JUNININ}
RULE_FIELDS = {
    "annualRevenue": RuleField.ANNUAL_REVENUE,
    "employeeCount": RuleField.EMPLOYEES,
    "personalRecords": RuleField.RECORDS_HELD,
    "serverCount": RuleField.SERVERS,
    "largestContractAmount": RuleField.LARGEST_CONTRACT,
    "incidentCount3y": RuleField.INCIDENTS_3Y,
    "industryCode": RuleField.INDUSTRY,
    "contractType": RuleField.CONTRACT_TYPE,
}
LIST_FIELDS: dict[RuleField, Mapping[str, str]] = {RuleField.INDUSTRY: INDUSTRY_CODES, RuleField.CONTRACT_TYPE: CONTRACT_CODES}
RULE_OPS = {"GT": RuleOp.GT, "GE": RuleOp.GE, "LT": RuleOp.LT, "LE": RuleOp.LE, "IN": RuleOp.IN, "NOT_IN": RuleOp.NOT_IN}
RULE_ACTIONS = {
    "DECLINE": RuleAction.DECLINE,
    "REFER": RuleAction.REFER,
    "ACCEPT_WITH_CONDITION": RuleAction.CONDITION,
    "EXCLUDE_RIDER": RuleAction.DROP_RIDER,
}

# A rate table's maxDiscountBasis: what maxDiscountRate limits; roundingMethod: how roundingUnit rounds.
CAP_BASES = {"DISCOUNTS_ONLY": CAP_ON_CREDITS, "NET_OF_SURCHARGES": CAP_ON_NET}
ROUNDING_METHODS = {"ROUND_UP": RoundingMode.UP, "ROUND_DOWN": RoundingMode.DOWN, "ROUND_HALF_UP": RoundingMode.HALF_UP}
DEFAULT_STEPS = CAP_ON_NET  # no maxDiscountBasis: the cap on discounts net of surcharges
DEFAULT_ROUNDING = RoundingMode.UP  # no roundingMethod: rounded up, as 損保ジャパン's API has always meant roundingUnit
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


# ------------------------------------------------------------------- JSON access ---


@dataclass(frozen=True, slots=True)
class Node:
    """One JSON value and its path in the file (plans[1].coverageGroups[0].limit), which errors name."""

    value: Any
    path: str
    file: Where

    @property
    def where(self) -> Where:
        return self.file.at(column=self.path or "$")

    def fail(self, message: str) -> CarrierDataError:
        return self.where.error(message, self.value)

    def _child(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _fields(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self.fail("JSONオブジェクト({...})が必要です")
        return self.value

    def req(self, key: str) -> Node:
        value = self._fields().get(key)
        if value is None:
            raise self.file.at(column=self._child(key)).error(f"必須のキー「{key}」がありません", sorted(self._fields()))
        return Node(value, self._child(key), self.file)

    def opt(self, key: str) -> Node | None:
        value = self._fields().get(key)
        return None if value is None else Node(value, self._child(key), self.file)

    def items(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.fail("配列([...])が必要です")
        return [Node(v, f"{self.path}[{i}]", self.file) for i, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("空でない文字列が必要です")
        return self.value.strip()

    def whole(self, what: str = "値") -> int:
        """A non-negative JSON integer: 12.5, 12.0, "12" and true are errors, never read as 12."""
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            hint = {float: "(小数は使えません)", str: "(文字列ではなく数値で書いてください)"}.get(type(self.value), "")
            raise self.fail(f"{what}は整数で書いてください{hint}")
        if self.value < 0:
            raise self.fail(f"{what}が負です")
        if self.value > MAX_CARRIER_COUNT:
            raise self.fail(f"{what}が大きすぎます(上限 {MAX_CARRIER_COUNT:,})")
        return self.value

    def yen(self) -> int:
        """A yen amount: a JSON integer of at most 1兆円."""
        if isinstance(self.value, int) and not isinstance(self.value, bool) and self.value > MAX_CARRIER_YEN:
            raise self.fail(f"金額が上限({MAX_CARRIER_YEN_TEXT})を超えています")
        return self.whole("金額(円)")

    def factor(self) -> int:
        """A factor or rate as basis points: 1.25 / "125%" -> 12500, -0.05 -> -500."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float, str)):
            raise self.fail("係数は数値か「125%」の形で書いてください")
        return parse_factor_bp(self.value, self.where)

    def day(self) -> date:
        return cell_date(self.text(), self.where)

    def code(self, table: Mapping[str, T], what: str = "コード") -> T:
        name = self.text()
        if name not in table:
            raise self.fail(f"未知の{what}です(使えるのは {', '.join(table) or 'なし'})")
        return table[name]


def _yen_or_none(node: Node, key: str) -> int | None:
    child = node.opt(key)
    return None if child is None else child.yen()


def _make(where: Where, factory: Callable[..., T], /, **kwargs: Any) -> T:
    """build() with its result typed: schema errors become CarrierDataError at `where`."""
    made: T = build(where, factory, **kwargs)
    return made


def _mapping(node: Node | None, key: Callable[[Node], K], value: Callable[[Node], V]) -> dict[K, V]:
    """A JSON list of entries as a dict; a key given twice is an error, never a silent overwrite."""
    result: dict[K, V] = {}
    for item in node.items() if node is not None else []:
        k = key(item)
        if k in result:
            raise item.fail(f"同じ項目が2回あります: {k}")
        result[k] = value(item)
    return result


# ------------------------------------------------------------------------- files ---


@dataclass(frozen=True, slots=True)
class _Header:
    file: str
    version: str
    effective_from: date
    effective_to: date | None
    sample: bool


def _open(folder: Path, name: str) -> tuple[Node, _Header]:
    where = Where(name)
    path = folder / name
    if not path.is_file():
        raise where.error(f"{name}がありません: 損保ジャパンのデータフォルダではありません (this is not a Sompo Japan folder)", folder.name)
    try:
        data = read_json(path)
    except WrongFormatError as exc:  # another kind of file: say whose data we expected
        raise CarrierDataError(f"{exc.message}: {NOT_OURS}", file=exc.file, row=exc.row, value=exc.value) from exc
    root = Node(data, "", where)
    if not isinstance(data, dict) or data.get("insurerCode") != INSURER_CODE:
        found = data.get("insurerCode") if isinstance(data, dict) else type(data).__name__
        raise where.at(column="insurerCode").error(NOT_OURS, found)
    kind = root.req("documentType")
    if kind.value != DOCUMENT_TYPES[name]:
        raise kind.fail(f"{name}のdocumentTypeは「{DOCUMENT_TYPES[name]}」のはずです")
    end = root.opt("effectiveTo")
    header = _Header(
        name,
        root.req("rateVersion").text(),
        root.req("effectiveFrom").day(),
        end.day() if end else None,
        has_sample_marker([data.get("notice")]),
    )
    return root, header


# ------------------------------------------------------------------------- plans ---


@dataclass(frozen=True, slots=True)
class _Group:
    """What a coverage inherits from its group: the pool it sits inside, its basis and trigger."""

    parent: str
    basis: LimitBasis
    trigger: Trigger | None
    section: str | None = None  # the group's heading, for reading its coverages' wording
    line: Line | None = None


class _Plans:
    """Reads plans.json, classifying every wording with one resolver and keeping coverage codes."""

    def __init__(self, header: _Header, resolver: WordingResolver) -> None:
        self.header = header
        self.resolver = resolver
        self.codes: dict[str, CoverageKey] = {}  # coverageCode -> item: rates.json refers to riders by code

    def plan(self, node: Node) -> Plan:
        terms: list[CoverageTerm] = []
        pools: list[LimitPool] = []
        line = node.req("productCode").code(PRODUCT_LINES)
        for group in node.req("coverageGroups").items():
            context = replace(self.group(group, pools), line=line)
            terms += [t for c in group.req("coverages").items() if (t := self.term(c, c.req("status").code(STATUSES), context))]
        riders, exclusions, exclusions_en, name_en = (
            node.opt("riders"),
            node.opt("exclusions"),
            node.opt("exclusionsEn"),
            node.opt("planNameEn"),
        )
        for rider in riders.items() if riders else []:
            code = rider.req("riderCode").text()  # a rider's coverages are each an optional_rider term
            context = _Group(POLICY_POOL, DEFAULT_BASIS, None, section=GROUP_SECTIONS.get(code), line=line)
            terms += [t for c in rider.req("coverages").items() if (t := self.term(c, TermStatus.OPTIONAL_RIDER, context))]
        return _make(
            node.where,
            Plan,
            carrier=Carrier.SOMPO_JAPAN,
            line=line,
            code=node.req("planCode").text(),
            name=node.req("planNameJa").text(),
            product=node.req("productNameJa").text(),
            rate_version=self.header.version,
            effective_from=self.header.effective_from,
            effective_to=self.header.effective_to,
            limit_options_jpy=tuple(n.yen() for n in node.req("limitOptions").items()),
            deductible_options_jpy=tuple(n.yen() for n in node.req("deductibleOptions").items()),
            terms=tuple(terms),
            pools=tuple(pools),
            trigger=node.req("triggerType").code(TRIGGERS),
            exclusions=tuple(n.text() for n in exclusions.items()) if exclusions else (),
            name_en=name_en.text() if name_en else "",
            exclusions_en=tuple(n.text() for n in exclusions_en.items()) if exclusions_en else (),
            sample=self.header.sample,
            source=f"{self.header.file} {node.path}",
        )

    def group(self, node: Node, pools: list[LimitPool]) -> _Group:
        pool_id, label_en = node.req("groupCode").code(GROUP_POOLS)
        label_ja = node.req("labelJa").text()
        basis, trigger, total = node.opt("limitBasis"), node.opt("triggerType"), _yen_or_none(node, "totalLimit")
        context = _Group(
            POLICY_POOL,
            basis.code(BASES) if basis else DEFAULT_BASIS,
            trigger.code(TRIGGERS) if trigger else None,
            section=GROUP_SECTIONS.get(node.req("groupCode").text()),
        )
        if total is None:
            return context
        pools.append(
            _make(node.where, LimitPool, pool_id=pool_id, label_ja=label_ja, label_en=label_en, limit_jpy=total, basis=context.basis)
        )
        return replace(context, parent=pool_id)

    def term(self, node: Node, status: TermStatus, group: _Group) -> CoverageTerm | None:
        label = node.req("labelJa")
        code = node.req("coverageCode")
        key = self.resolver.resolve(label.text(), label.where, section=group.section, line=group.line)
        if key is None:
            return None  # listed by resolver.finish(), which load() calls before returning
        if self.codes.setdefault(code.text(), key) != key:
            raise code.fail(f"同じ補償コードが別の補償項目に使われています({self.codes[code.text()]} と {key})")
        basis, ratio, trigger = node.opt("limitBasis"), node.opt("payoutRatioPct"), node.opt("triggerType")
        waiting, conditions, conditions_en = node.opt("waitingPeriodHours"), node.opt("conditionJa"), node.opt("conditionEn")
        return _make(
            node.where,
            CoverageTerm,
            key=key,
            status=status,
            wording=label.text(),
            parent=group.parent,
            limit_jpy=_yen_or_none(node, "limit"),
            basis=basis.code(BASES) if basis else group.basis,
            payout_ratio_pct=ratio.whole("支払割合(%)") if ratio else 100,
            per_victim=_victim_cap(node),
            deductible_jpy=_yen_or_none(node, "deductible"),
            waiting_hours=waiting.whole("待機期間(時間)") if waiting else None,
            trigger=trigger.code(TRIGGERS) if trigger else group.trigger,
            conditions=conditions.text() if conditions else "",
            conditions_en=conditions_en.text() if conditions_en else "",
        )


def _victim_cap(node: Node) -> PerVictimCap | None:
    person, company = _yen_or_none(node, "perPersonLimit"), _yen_or_none(node, "perCompanyLimit")
    if person is None and company is None:
        return None
    return _make(node.where, PerVictimCap, per_person_jpy=person, per_company_jpy=company)


# ------------------------------------------------------------------------- rates ---


def _factors(node: Node | None, key: Callable[[Node], K], value: str = "factor") -> dict[K, int]:
    return _mapping(node, key, lambda n: n.req(value).factor())


def _control(node: Node) -> SecurityControl:
    return node.req("controlCode").code(CONTROL_CODES)


def _rate_table(node: Node, header: _Header, codes: Mapping[str, CoverageKey]) -> RateTable:
    return _make(
        node.where,
        RateTable,
        carrier=Carrier.SOMPO_JAPAN,
        line=node.req("productCode").code(PRODUCT_LINES),
        version=header.version,
        effective_from=header.effective_from,
        effective_to=header.effective_to,
        revenue_band_upper_jpy=tuple(n.req("revenueBelow").yen() for n in node.req("revenueBands").items()),
        industry_class=_mapping(
            node.req("industryClasses"), lambda n: n.req("industryCode").code(INDUSTRY_CODES), lambda n: n.req("rateClass").text()
        ),
        base_premium_jpy=_mapping(
            node.req("baseRates"), lambda n: n.req("rateClass").text(), lambda n: tuple(p.yen() for p in n.req("premiums").items())
        ),
        plan_factor_bp=_factors(node.req("planFactors"), lambda n: n.req("planCode").text()),
        limit_factor_bp=_factors(node.req("limitFactors"), lambda n: n.req("limit").yen()),
        deductible_factor_bp=_factors(node.req("deductibleFactors"), lambda n: n.req("deductible").yen()),
        control_credit_bp=_factors(node.req("securityDiscounts"), _control, "rate"),
        missing_control_debit_bp=_factors(node.opt("missingControlSurcharges"), _control, "rate"),
        max_credit_bp=node.req("maxDiscountRate").factor(),
        incident_surcharge_bp=node.req("incidentSurchargeRate").factor(),
        rider_factor_bp=_factors(node.opt("riderLoadings"), lambda n: n.req("coverageCode").code(codes, PLAN_CODE), "rate"),
        minimum_premium_jpy=node.req("minimumPremium").yen(),
        rounding_jpy=node.req("roundingUnit").yen(),
        rounding_mode=_coded(node, "roundingMethod", ROUNDING_METHODS, DEFAULT_ROUNDING),
        steps=_coded(node, "maxDiscountBasis", CAP_BASES, DEFAULT_STEPS),
        rules=tuple(_rule(n, codes) for n in node.req("underwritingRules").items()),
        sample=header.sample,
        source=f"{header.file} {node.path}",
    )


def _coded(node: Node, key: str, table: Mapping[str, T], default: T) -> T:
    child = node.opt(key)
    return default if child is None else child.code(table)


def _rule(node: Node, codes: Mapping[str, CoverageKey]) -> EligibilityRule:
    field = node.req("field").code(RULE_FIELDS)
    op = node.req("operator").code(RULE_OPS)
    raw = node.req("value")
    value: int | tuple[str, ...]
    if op in (RuleOp.IN, RuleOp.NOT_IN):
        if field not in LIST_FIELDS:
            raise raw.fail(f"IN/NOT_IN は業種・契約形態にだけ使えます({field})")
        value = tuple(str(n.code(LIST_FIELDS[field])) for n in raw.items())
    else:
        value = raw.whole("判定値")
    unless, rider, days = node.opt("unlessControl"), node.opt("coverageCode"), node.opt("graceDays")
    return _make(
        node.where,
        EligibilityRule,
        code=node.req("ruleId").text(),
        action=node.req("action").code(RULE_ACTIONS),
        field=field,
        op=op,
        value=value,
        unless=unless.code(CONTROL_CODES) if unless else None,
        rider=rider.code(codes, PLAN_CODE) if rider else None,
        days=days.whole("猶予日数") if days else None,
    )


# ----------------------------------------------------------------------- adapter ---


class SompoJapanAdapter:
    """Sompo Japan delivers two JSON documents: its plans (with riders) and its rate tables."""

    carrier: ClassVar[Carrier] = Carrier.SOMPO_JAPAN

    def identify(self, path: Path) -> bool:
        try:
            if path.suffix.lower() != ".json" or not path.is_file():
                return False
            data = read_json(path)
        except Exception:  # identify never raises: an unreadable file is simply not ours
            return False
        return isinstance(data, dict) and data.get("insurerCode") == INSURER_CODE and data.get("documentType") in DOCUMENT_TYPES.values()

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        plans_root, plans_header = _open(folder, PLANS_FILE)
        rates_root, rates_header = _open(folder, RATES_FILE)
        if rates_header.version != plans_header.version:
            message = f"料率のバージョンが{PLANS_FILE}({plans_header.version})と一致しません"
            raise Where(RATES_FILE, column="rateVersion").error(message, rates_header.version)
        reader = _Plans(plans_header, WordingResolver(self.carrier, mappings or {}))
        plans = tuple(reader.plan(n) for n in plans_root.req("plans").items())
        if not plans:
            raise plans_root.req("plans").fail("プランが1つもありません")
        reader.resolver.finish()
        tables = tuple(_rate_table(n, rates_header, reader.codes) for n in rates_root.req("rateTables").items())
        return _make(
            Where(f"{PLANS_FILE}, {RATES_FILE}"),
            CarrierData,
            carrier=self.carrier,
            plans=plans,
            rate_tables=tables,
            sources=(PLANS_FILE, RATES_FILE),
            sample=plans_header.sample or rates_header.sample,
        )
