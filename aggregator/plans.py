"""Carriers' plans in the common schema: what each plan pays for each coverage item, inside which limits, and the bounds on carrier data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from aggregator.codes import Carrier, LimitBasis, Line, TermStatus, Trigger
from aggregator.errors import SchemaError
from aggregator.taxonomy import CoverageKey


def require(ok: bool, field_name: str, value: object, reason: str) -> None:
    if not ok:
        raise SchemaError(field_name, value, reason)


# The largest amount carrier data may hold (a limit, a premium, a band edge): 1兆円. Far above any
# real figure, and low enough that rating in int64 cannot overflow on it.
MAX_CARRIER_YEN = 10**12
MAX_CARRIER_YEN_TEXT = "1兆円"
# The largest count or threshold carrier data may hold (records, employees, days): 1,000兆.
MAX_CARRIER_COUNT = 10**15


def yen_or_none(value: int | None, field_name: str) -> None:
    if value is None:
        return
    require(isinstance(value, int) and not isinstance(value, bool), field_name, value, "金額は整数の円で指定してください")
    require(value >= 0, field_name, value, "金額が負です")
    require(value <= MAX_CARRIER_YEN, field_name, value, f"金額が上限({MAX_CARRIER_YEN_TEXT})を超えています")


@dataclass(frozen=True, slots=True)
class PerVictimCap:
    """Caps on apology money: e.g. ¥500 per person, ¥50,000 per company."""

    per_person_jpy: int | None = None
    per_company_jpy: int | None = None

    def __post_init__(self) -> None:
        yen_or_none(self.per_person_jpy, "per_person_jpy")
        yen_or_none(self.per_company_jpy, "per_company_jpy")
        require(
            self.per_person_jpy is not None or self.per_company_jpy is not None,
            "per_victim_cap",
            self,
            "1名あたり・1法人あたりのいずれかが必要です",
        )


POLICY_POOL = "policy"  # the policy limit the applicant chooses: the aggregate every term and pool sits inside by default


@dataclass(frozen=True, slots=True)
class LimitPool:
    """A limit that other items sit inside (内枠): e.g. the overall 費用損害 cap of a plan."""

    pool_id: str
    label_ja: str
    label_en: str
    limit_jpy: int
    basis: LimitBasis = LimitBasis.BOTH
    parent: str | None = POLICY_POOL  # the pool it sits inside; None: separate from the policy aggregate (別枠)

    def __post_init__(self) -> None:
        require(bool(re.fullmatch(r"[a-z][a-z0-9_]*", self.pool_id)), "pool_id", self.pool_id, "英小文字の識別子にしてください")
        yen_or_none(self.limit_jpy, "limit_jpy")
        require(self.parent != self.pool_id, "parent", self.parent, "内枠が自分自身の中にあります")


@dataclass(frozen=True, slots=True)
class CoverageTerm:
    """What one plan pays for one coverage item, and on what terms."""

    key: CoverageKey
    status: TermStatus
    wording: str  # the carrier's own words, kept for traceability
    limit_jpy: int | None = None  # None: up to the parent's limit
    basis: LimitBasis = LimitBasis.BOTH
    parent: str = POLICY_POOL  # a LimitPool id of the plan, or POLICY_POOL
    payout_ratio_pct: int = 100  # 縮小支払割合
    per_victim: PerVictimCap | None = None
    deductible_jpy: int | None = None  # None: the policy deductible applies; 0: none
    waiting_hours: int | None = None  # 待機期間 for business interruption
    trigger: Trigger | None = None  # None: the plan's trigger
    conditions: str = ""  # in Japanese; a carrier whose files are English only gives its English here too
    scope: str = ""  # where the cover is narrower than the item's name, in the carrier's words (個人情報の漏えいに限る)
    scope_en: str = ""
    conditions_en: str = ""  # in English, where the carrier's files give it; "" otherwise

    def __post_init__(self) -> None:
        where = f"term[{self.key}]"
        yen_or_none(self.limit_jpy, f"{where}.limit_jpy")
        yen_or_none(self.deductible_jpy, f"{where}.deductible_jpy")
        require(
            isinstance(self.payout_ratio_pct, int) and 0 < self.payout_ratio_pct <= 100,
            f"{where}.payout_ratio_pct",
            self.payout_ratio_pct,
            "支払割合は1〜100%です",
        )
        require(self.waiting_hours is None or self.waiting_hours >= 0, f"{where}.waiting_hours", self.waiting_hours, "待機期間が負です")
        if self.status is TermStatus.SUBLIMITED:
            require(self.limit_jpy is not None, f"{where}.limit_jpy", None, "支払限度額(内枠)の金額がありません")
        if self.status is TermStatus.CONDITIONAL:
            require(bool(self.conditions.strip()), f"{where}.conditions", self.conditions, "条件付きの補償には条件の記載が必要です")
        if self.status in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN):
            require(self.limit_jpy is None, f"{where}.limit_jpy", self.limit_jpy, f"{self.status}の項目に金額は付けられません")

    @property
    def offered(self) -> bool:
        return self.status not in (TermStatus.NOT_OFFERED, TermStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Plan:
    carrier: Carrier
    line: Line
    code: str
    name: str  # as the carrier names it in Japanese, e.g. サイバープロテクター ワイドプラン (its English where it gives no Japanese)
    product: str  # the product family, e.g. IT事業者向けサイバー保険
    rate_version: str
    effective_from: date
    effective_to: date | None
    limit_options_jpy: tuple[int, ...]  # the policy limits one can choose
    deductible_options_jpy: tuple[int, ...]
    terms: tuple[CoverageTerm, ...]
    pools: tuple[LimitPool, ...] = ()
    trigger: Trigger = Trigger.CLAIMS_MADE
    exclusions: tuple[str, ...] = ()
    retroactive: str = ""  # 遡及日 of a claims-made plan, as the carrier states it; "": not stated
    sample: bool = True  # invented sample data: must say so wherever it is shown
    source: str = ""
    # English, where the carrier's files give it ("" / () otherwise). A carrier whose files are English only puts the
    # same words in name and name_en (exclusions, conditions alike): equal texts mean no Japanese was given.
    name_en: str = ""
    exclusions_en: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"plan[{self.carrier}:{self.code}]"
        require(bool(self.code.strip()), f"{where}.code", self.code, "プランコードが空です")
        require(bool(self.limit_options_jpy), f"{where}.limit_options_jpy", (), "支払限度額の選択肢がありません")
        require(bool(self.deductible_options_jpy), f"{where}.deductible_options_jpy", (), "免責金額の選択肢がありません")
        for n in self.limit_options_jpy:
            yen_or_none(n, f"{where}.limit_options_jpy")
            require(n > 0, f"{where}.limit_options_jpy", n, "支払限度額は正の金額です")
        for n in self.deductible_options_jpy:
            yen_or_none(n, f"{where}.deductible_options_jpy")
        require(
            list(self.limit_options_jpy) == sorted(set(self.limit_options_jpy)),
            f"{where}.limit_options_jpy",
            self.limit_options_jpy,
            "昇順・重複なしにしてください",
        )
        require(
            list(self.deductible_options_jpy) == sorted(set(self.deductible_options_jpy)),
            f"{where}.deductible_options_jpy",
            self.deductible_options_jpy,
            "昇順・重複なしにしてください",
        )
        if self.effective_to is not None:
            require(self.effective_to >= self.effective_from, f"{where}.effective_to", self.effective_to, "適用終了日が開始日より前です")
        pools = {p.pool_id: p for p in self.pools}
        require(len(pools) == len(self.pools), f"{where}.pools", [p.pool_id for p in self.pools], "内枠の識別子が重複しています")
        require(POLICY_POOL not in pools, f"{where}.pools", POLICY_POOL, f"'{POLICY_POOL}'は予約済みです")
        keys = [t.key for t in self.terms]
        require(len(keys) == len(set(keys)), f"{where}.terms", keys, "補償項目が重複しています")
        top = max(self.limit_options_jpy)
        for pool in self.pools:
            name = f"{where}.pools[{pool.pool_id}]"
            require(
                pool.parent in (None, POLICY_POOL) or pool.parent in pools, f"{name}.parent", pool.parent, "存在しない内枠を参照しています"
            )
            ceiling = top if pool.parent == POLICY_POOL else None if pool.parent is None else pools[pool.parent].limit_jpy
            require(ceiling is None or pool.limit_jpy <= ceiling, name, pool.limit_jpy, "内枠が親の支払限度額を超えています")
        self._check_no_cycle(pools, where)
        for term in self.terms:
            self._check_parent(term, pools, top, where)

    @staticmethod
    def _check_no_cycle(pools: Mapping[str, LimitPool], where: str) -> None:
        for start in pools:
            seen, current = {start}, pools[start].parent
            while current is not None and current != POLICY_POOL:
                require(current not in seen, f"{where}.pools[{start}].parent", current, "内枠の親子関係が循環しています")
                seen.add(current)
                current = pools[current].parent

    def _check_parent(self, term: CoverageTerm, pools: Mapping[str, LimitPool], top: int, where: str) -> None:
        name = f"{where}.terms[{term.key}]"
        if term.parent == POLICY_POOL:
            ceiling = top
        else:
            require(term.parent in pools, f"{name}.parent", term.parent, "存在しない内枠を参照しています")
            ceiling = pools[term.parent].limit_jpy
        if term.limit_jpy is not None:
            require(term.limit_jpy <= ceiling, f"{name}.limit_jpy", term.limit_jpy, f"内枠の金額が親の限度額({ceiling:,}円)を超えています")

    def term(self, key: CoverageKey) -> CoverageTerm | None:
        for t in self.terms:
            if t.key == key:
                return t
        return None

    def pool(self, pool_id: str) -> LimitPool | None:
        for p in self.pools:
            if p.pool_id == pool_id:
                return p
        return None
