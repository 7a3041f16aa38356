"""An applicant from JSON or a form's fields, with every field error named at once (the rules: `aggregator.applicant_rules`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from aggregator.applicant import COUNT_FIELDS, MONEY_FIELDS_JPY, Applicant, ContractTerms
from aggregator.applicant_rules import read_amount, read_choice, read_count, read_lines, read_text
from aggregator.contract import contract_from_data as read_contract
from aggregator.errors import ApplicantError, ApplicantInputError
from aggregator.labels import CONTROL_NAMES
from aggregator.taxonomy import KEY_INFO

MONEY = MONEY_FIELDS_JPY
COUNTS = COUNT_FIELDS
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
        "company": lambda v: read_text("company", v),
        "industry": lambda v: read_choice("industry", v),
        "contract_type": lambda v: read_choice("contract_type", v),
        "controls": lambda v: frozenset(_choices(v, CONTROL_NAMES, "controls", "セキュリティ対策")),
        "lines": read_lines,
        "riders": lambda v: frozenset(_choices(v, _RIDER_NAMES, "riders", "特約")),
        "contact_email": lambda v: read_text("contact_email", v),
        "gross_margin_pct": lambda v: read_count("gross_margin_pct", v),
        "contract": contract_from_data,  # the contract check (aggregator/contract.py): left out, every answer is unknown
        **{name: (lambda v, n=name: read_amount(n, v)) for name in MONEY},
        **{name: (lambda v, n=name: read_count(n, v)) for name in COUNTS},
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
