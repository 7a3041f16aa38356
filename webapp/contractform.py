"""The contract check as form fields: one radio group per question, each with わからない, unknown until answered.

The questions' words come from aggregator/contract.py in both languages, so the page, the workbook
and the JSON say the same thing; `localize_contract` puts the page's language on them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import ValidationError

from aggregator.contract import QUESTION
from aggregator.errors import AmountError
from aggregator.money import parse_yen
from aggregator.schema import ANSWER_NAMES, APPLICANT_LIMITS, CONTRACT_ANSWERS, LIABILITY_CAP_NAMES, Answer, LiabilityCap

CONTRACT_FIELDS = ("liability_cap", *CONTRACT_ANSWERS)


def _choices(names: dict[Any, tuple[str, str]], lang: str = "ja") -> list[SelectChoice]:
    i = 1 if lang == "en" else 0
    return [SelectChoice(k.value, v[i]) for k, v in names.items()]


def _question(field: str) -> RadioField:
    return RadioField(QUESTION[field].text_ja, choices=_choices(ANSWER_NAMES), default=Answer.UNKNOWN.value)


class CapAmount:
    """The agreed cap, read as people type amounts; needed only when 「別の金額が上限」 is chosen."""

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        field.yen = None
        if form.liability_cap.data != LiabilityCap.OTHER_AMOUNT.value:
            return
        if not (field.data or "").strip():
            raise ValidationError(_l("「別の金額が上限」を選んだときは、上限の金額を入力してください"))
        try:
            field.yen = parse_yen(field.data)
        except AmountError as exc:
            raise ValidationError(_l("金額として読めません(例: 5億円、500000000)")) from exc
        if field.yen > APPLICANT_LIMITS["liability_cap_jpy"].largest:
            raise ValidationError(_l(APPLICANT_LIMITS["liability_cap_jpy"].message))


class ContractQuestions:
    """Mixed into a form: the articles' checklist, answerable in a minute, every question starting at わからない."""

    liability_cap = RadioField(QUESTION["liability_cap"].text_ja, choices=_choices(LIABILITY_CAP_NAMES), default=LiabilityCap.UNKNOWN.value)
    liability_cap_amount = StringField(_l("上限の金額(「別の金額が上限」のとき)"), validators=[CapAmount()])
    special_damages_excluded = _question("special_damages_excluded")
    gross_negligence_includes_leaks = _question("gross_negligence_includes_leaks")
    liability_beyond_law = _question("liability_beyond_law")
    scope_defined = _question("scope_defined")
    contract_type_stated = _question("contract_type_stated")
    change_control = _question("change_control")
    acceptance_procedure = _question("acceptance_procedure")
    payment_terms = _question("payment_terms")
    ip_ownership = _question("ip_ownership")

    def contract_data(self) -> dict[str, Any]:
        """The answers as the applicant's JSON `contract` (aggregator/contract.py reads it)."""
        fields: Any = self
        data: dict[str, Any] = {name: fields[name].data or "unknown" for name in CONTRACT_FIELDS}
        if data["liability_cap"] == LiabilityCap.OTHER_AMOUNT.value:
            data["liability_cap_jpy"] = fields.liability_cap_amount.yen
        return data


class ContractForm(FlaskForm, ContractQuestions):  # type: ignore[misc]
    """The broker's form: the contract check answered again, quoted as a new version."""


def contract_form_data(contract: Any) -> dict[str, Any]:
    """A form's starting values from stored ContractTerms."""
    data = {name: getattr(contract, name).value for name in CONTRACT_FIELDS}
    if contract.liability_cap_jpy is not None:
        data["liability_cap_amount"] = f"{contract.liability_cap_jpy:,}"
    return data


def localize_contract(form: Any, lang: str) -> None:
    """The questions and their answers in the page's language."""
    if "liability_cap" not in form:
        return
    i = 1 if lang == "en" else 0
    for name in CONTRACT_FIELDS:
        question = QUESTION[name]
        form[name].label.text = question.text_en if i else question.text_ja
        form[name].choices = _choices(LIABILITY_CAP_NAMES if name == "liability_cap" else ANSWER_NAMES, lang)
