"""A current policy (aggregator/current.py) to and from JSON: the API, a form's fields, the stored record, a placed plan."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from aggregator.applicants import ApplicantInputError
from aggregator.codes import Carrier, Line
from aggregator.current import AMOUNT_MESSAGE, FIELD, OTHER, CurrentPolicy, KnownItem
from aggregator.errors import AmountError, ApplicantError
from aggregator.labels import LINE_NAMES
from aggregator.matching import CellKind
from aggregator.money import parse_yen
from aggregator.plans import MAX_CARRIER_YEN
from aggregator.taxonomy import CoverageKey


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _insurer(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApplicantError(f"{FIELD}.insurer", value, "保険会社を選んでください")
    wanted = _key(value)
    if wanted in (OTHER, "その他", "その他の保険会社"):
        return OTHER
    for carrier in Carrier:
        if wanted in {carrier.value, _key(carrier.names.ja), _key(carrier.names.en)}:
            return carrier.value
    raise ApplicantError(f"{FIELD}.insurer", value, "保険会社が一覧にありません(一覧にない会社は other と保険会社名で指定してください)")


def _line(value: Any) -> Line:
    for line, names in LINE_NAMES.items():
        if isinstance(value, str) and _key(value) in {line.value, *(_key(n) for n in names)}:
            return line
    raise ApplicantError(f"{FIELD}.line", value, "保険の種類が一覧にありません")


def _amount(value: Any, name: str) -> int:
    where = f"{FIELD}.{name}"
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicantError(where, value, "金額を入力してください")
    if isinstance(value, float):
        if not value.is_integer() or abs(value) > 2**53:
            raise ApplicantError(where, value, "金額は整数の円か「1億円」のような文字で指定してください")
        value = int(value)
    try:
        amount = parse_yen(value)
    except AmountError as exc:
        raise ApplicantError(where, value, AMOUNT_MESSAGE if exc.reason == "金額が負です" else exc.reason) from exc
    if amount > MAX_CARRIER_YEN:
        raise ApplicantError(where, value, AMOUNT_MESSAGE)
    return amount


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApplicantError(f"{FIELD}.{name}", value, "文字列で指定してください")
    return value.strip()


def _expiry(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ApplicantError(f"{FIELD}.expiry", value, "満期日は YYYY-MM-DD の形式で指定してください") from None


def _items(value: Any, errors: list[ApplicantError]) -> tuple[KnownItem, ...]:
    """{item: true (covered up to the policy limit) | false (not covered) | an amount (covered up to it)}; items left out are unknown."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        errors.append(ApplicantError(f"{FIELD}.items", value, "補償項目は {項目: true / false / 金額} の形で指定してください"))
        return ()
    items = []
    for name, said in value.items():
        try:
            key = CoverageKey(name)
        except ValueError:
            errors.append(ApplicantError(f"{FIELD}.items", name, "補償項目が一覧にありません"))
            continue
        if said is None or said == "unknown":
            continue
        if isinstance(said, bool):
            items.append(KnownItem(key, said))
            continue
        if isinstance(said, Mapping):
            try:
                items.append(_detailed(key, said))
            except ApplicantError as exc:
                errors.append(exc)
            continue
        try:
            items.append(KnownItem(key, True, _amount(said, f"items.{key.value}")))
        except ApplicantError as exc:
            errors.append(exc)
    return tuple(items)


_DETAIL_FIELDS = {
    "covered",
    "limit_jpy",
    "payout_ratio_pct",
    "deductible_jpy",
    "waiting_hours",
    "per_person_jpy",
    "per_company_jpy",
    "scope",
}


def _detailed(key: CoverageKey, said: Mapping[str, Any]) -> KnownItem:
    """An item given with its terms: {"limit_jpy", "payout_ratio_pct", "deductible_jpy", "waiting_hours", "per_person_jpy", ...}."""
    where = f"items.{key.value}"
    unknown = sorted(set(said) - _DETAIL_FIELDS)
    if unknown:
        raise ApplicantError(f"{FIELD}.{where}", unknown[0], "不明な項目です")

    def amount(name: str) -> int | None:
        value = said.get(name)
        return None if value is None else _amount(value, f"{where}.{name}")

    def whole(name: str, default: int | None) -> int | None:
        value = said.get(name, default)
        if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
            value = int(value)  # JSON's one number type: 90.0 is the integer 90
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApplicantError(f"{FIELD}.{where}.{name}", value, "整数で指定してください")
        return value

    covered = said.get("covered", True)
    if not isinstance(covered, bool):
        raise ApplicantError(f"{FIELD}.{where}.covered", covered, "true か false で指定してください")
    return KnownItem(
        key,
        covered,
        amount("limit_jpy"),
        whole("payout_ratio_pct", 100) or 0,
        amount("deductible_jpy"),
        whole("waiting_hours", None),
        amount("per_person_jpy"),
        amount("per_company_jpy"),
        _text(said.get("scope"), f"{where}.scope"),
    )


def _item_data(item: KnownItem) -> Any:
    if item.plain:
        return item.limit_jpy if item.covered and item.limit_jpy is not None else item.covered
    return {
        "covered": item.covered,
        "limit_jpy": item.limit_jpy,
        "payout_ratio_pct": item.payout_ratio_pct,
        "deductible_jpy": item.deductible_jpy,
        "waiting_hours": item.waiting_hours,
        "per_person_jpy": item.per_person_jpy,
        "per_company_jpy": item.per_company_jpy,
        "scope": item.scope,
    }


def current_from_data(data: Any) -> CurrentPolicy | None:
    """A current policy from JSON (the API, the stored record, a form's fields); every bad field named at once. None for null."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ApplicantInputError([ApplicantError(FIELD, data, "オブジェクトで指定してください")])
    known = {"insurer", "insurer_name", "product", "line", "limit_jpy", "deductible_jpy", "premium_jpy", "expiry", "items", "policy_number"}
    errors = [ApplicantError(f"{FIELD}.{name}", data[name], "不明な項目です") for name in sorted(set(data) - known)]
    values: dict[str, Any] = {}
    readers: dict[str, Any] = {
        "insurer": _insurer,
        "line": _line,
        "limit_jpy": lambda v: _amount(v, "limit_jpy"),
        "deductible_jpy": lambda v: 0 if v is None or v == "" else _amount(v, "deductible_jpy"),
        "premium_jpy": lambda v: None if v is None or v == "" else _amount(v, "premium_jpy"),
        "expiry": _expiry,
        **{name: (lambda v, n=name: _text(v, n)) for name in ("product", "insurer_name", "policy_number")},
    }
    for name, read in readers.items():
        if name in ("insurer", "line", "limit_jpy") and data.get(name) in (None, ""):
            errors.append(ApplicantError(f"{FIELD}.{name}", None, "必須の項目です"))
            continue
        try:
            values[name] = read(data.get(name))
        except ApplicantError as exc:
            errors.append(exc)
    values["items"] = _items(data.get("items"), errors)
    if values.get("insurer") == OTHER and not values.get("insurer_name"):
        errors.append(ApplicantError(f"{FIELD}.insurer_name", "", "保険会社名を入力してください"))
    if errors:
        raise ApplicantInputError(errors)
    try:
        return CurrentPolicy(**values)
    except ApplicantError as exc:
        raise ApplicantInputError([exc]) from exc


def current_to_data(policy: CurrentPolicy) -> dict[str, Any]:
    """The inverse of current_from_data: what is stored and sent back."""
    return {
        "insurer": policy.insurer,
        "insurer_name": policy.insurer_name,
        "product": policy.product,
        "line": policy.line.value,
        "limit_jpy": policy.limit_jpy,
        "deductible_jpy": policy.deductible_jpy,
        "premium_jpy": policy.premium_jpy,
        "expiry": policy.expiry.isoformat() if policy.expiry else None,
        "policy_number": policy.policy_number,
        "items": {i.key.value: _item_data(i) for i in policy.items},
    }


def items_from_cells(cells: Sequence[Mapping[str, Any]], policy_limit_jpy: int) -> dict[str, Any]:
    """What a quoted plan covers, as a current policy's items: not covered, left unknown, or covered with its terms.

    Used when a policy we placed is renewed: the plan as it was quoted is the current policy then. Each
    item keeps the most it can pay (its pools folded in: the pools themselves are not kept), its payout
    ratio, its own deductible, waiting period, per-victim caps and scope, so the same plan quoted again
    compares as the same.
    """
    items: dict[str, Any] = {}
    for cell in cells:
        kind = cell.get("kind")
        if kind == CellKind.UNKNOWN.value:
            continue
        if kind in (CellKind.NOT_OFFERED.value, CellKind.RIDER.value):
            items[cell["key"]] = False
            continue
        effective = cell.get("effective_jpy")
        limit = None if not cell.get("limit_stated", True) or effective is None or effective >= policy_limit_jpy else int(effective)
        victim = cell.get("per_victim") or {}
        item = KnownItem(
            CoverageKey(cell["key"]),
            True,
            limit,
            int(cell.get("payout_ratio_pct", 100)),
            int(cell["deductible_jpy"]) if cell.get("own_deductible") else None,
            cell.get("waiting_hours"),
            victim.get("per_person_jpy"),
            victim.get("per_company_jpy"),
            str(cell.get("scope") or ""),
        )
        items[cell["key"]] = _item_data(item)
    return items
