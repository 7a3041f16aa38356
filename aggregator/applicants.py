"""An applicant from JSON or a form's fields, with every field error named at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from aggregator.applicant import APPLICANT_LIMITS, COUNT_FIELDS, MONEY_FIELDS_JPY, Applicant, ContractTerms
from aggregator.contract import contract_from_data as read_contract
from aggregator.errors import AmountError, ApplicantError, ApplicantInputError
from aggregator.labels import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES, LINE_NAMES
from aggregator.money import parse_yen
from aggregator.taxonomy import KEY_INFO

MONEY = MONEY_FIELDS_JPY
COUNTS = COUNT_FIELDS
BAD_EMAIL = "メールアドレスの形式が正しくありません"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FIELDS = (
    "company",
    "industry",
    *MONEY,
    *COUNTS,
    "contract_type",
    "controls",
    "lines",
    "riders",
    "contact_email",
    "gross_margin_pct",
    "contract",
)


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _choice(value: Any, members: Mapping[Any, tuple[str, str]], field: str, what: str) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise ApplicantError(field, value, f"{what}を選んでください")
    wanted = _key(value)
    for member, names in members.items():
        if wanted in {_key(member.value), *(_key(n) for n in names)}:
            return member
    raise ApplicantError(field, value, f"{what}が一覧にありません")


def _choices(value: Any, members: Mapping[Any, tuple[str, str]], field: str, what: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("、", ",").split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise ApplicantError(field, value, f"{what}は一覧(配列)で指定してください")
    return [_choice(v, members, field, what) for v in value]


def _money(value: Any, field: str) -> int:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicantError(field, value, "金額を入力してください")
    if isinstance(value, float):
        # JSON has one number type: 500000000.0 is the integer JSON Schema says it is.
        if not value.is_integer() or abs(value) > 2**53:
            raise ApplicantError(field, value, "金額は整数の円か「1億円」のような文字で指定してください")
        value = int(value)
    try:
        return parse_yen(value)
    except AmountError as exc:
        reason = APPLICANT_LIMITS[field].message if exc.reason == "金額が負です" else exc.reason
        raise ApplicantError(field, value, reason) from exc


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ApplicantError(field, value, "数値を入力してください")
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        value = int(value)
    if isinstance(value, str):
        text = _key(value).replace(",", "")
        if not text.lstrip("-").isdigit():
            raise ApplicantError(field, value, "整数で入力してください")
        value = int(text)
    if not isinstance(value, int):
        raise ApplicantError(field, value, "整数で入力してください")
    if value < 0:
        raise ApplicantError(field, value, APPLICANT_LIMITS[field].message)
    return value


def _email(value: Any) -> str:
    """An address within the form's length, without control characters (the API does not require one)."""
    text = "" if value is None else str(value).strip()
    limit = APPLICANT_LIMITS["contact_email"]
    if len(text) > limit.largest:
        raise ApplicantError("contact_email", text[:20] + "…", limit.message)
    if _CONTROL.search(text):
        raise ApplicantError("contact_email", text, BAD_EMAIL)
    return text


_RIDER_NAMES = {k: (info.label_ja, info.label_en) for k, info in KEY_INFO.items()}


def contract_from_data(data: Any) -> ContractTerms:
    return read_contract(data)


def applicant_from_data(data: Mapping[str, Any]) -> Applicant:
    """Build an Applicant; every bad field is reported together, by its name."""
    if not isinstance(data, Mapping):
        raise ApplicantInputError([ApplicantError("applicant", data, "JSONオブジェクトが必要です")])
    errors: list[ApplicantError] = []
    values: dict[str, Any] = {}
    unknown = sorted(set(data) - set(FIELDS))
    for name in unknown:
        errors.append(ApplicantError(name, data[name], "不明な項目です"))
    readers: dict[str, Any] = {
        "company": lambda v: v if isinstance(v, str) and v.strip() else _raise("company", v, "会社名を入力してください"),
        "industry": lambda v: _choice(v, INDUSTRY_NAMES, "industry", "業種"),
        "contract_type": lambda v: _choice(v, CONTRACT_TYPE_NAMES, "contract_type", "契約形態"),
        "controls": lambda v: frozenset(_choices(v, CONTROL_NAMES, "controls", "セキュリティ対策")),
        "lines": lambda v: tuple(dict.fromkeys(_choices(v, LINE_NAMES, "lines", "保険の種類"))),
        "riders": lambda v: frozenset(_choices(v, _RIDER_NAMES, "riders", "特約")),
        "contact_email": _email,
        "gross_margin_pct": lambda v: None if v is None or v == "" else _count(v, "gross_margin_pct"),
        "contract": contract_from_data,  # the contract check (aggregator/contract.py): left out, every answer is unknown
        **{name: (lambda v, n=name: _money(v, n)) for name in MONEY},
        **{name: (lambda v, n=name: _count(v, n)) for name in COUNTS},
    }
    optional = {
        "controls": [],
        "riders": [],
        "contact_email": "",
        "incidents_3y": 0,
        "deductible_jpy": 0,
        "gross_margin_pct": None,
        "contract": None,
    }
    for name, read in readers.items():
        if name not in data and name not in optional:
            errors.append(ApplicantError(name, None, "必須の項目です"))
            continue
        try:
            values[name] = read(data.get(name, optional.get(name)))
        except ApplicantInputError as exc:
            errors.extend(exc.errors)
        except ApplicantError as exc:
            errors.append(exc)
    if errors:
        raise ApplicantInputError(errors)
    try:
        return Applicant(**values)
    except ApplicantError as exc:
        raise ApplicantInputError([exc]) from exc


def _raise(field: str, value: Any, reason: str) -> Any:
    raise ApplicantError(field, value, reason)


__all__ = ["ApplicantInputError", "applicant_from_data", "contract_from_data"]  # ApplicantInputError: aggregator/errors.py
