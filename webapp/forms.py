"""The customer's one form (Flask-WTF): Japanese labels and errors first, English through Babel."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from aggregator import clock
from aggregator.applicant_rules import OPTIONAL_COUNTS, TEXT_RULES, read_amount, read_choice, read_count, read_lines, read_text
from aggregator.current import OTHER
from aggregator.errors import AmountError, ApplicantError
from aggregator.exposure import MAX_ASSUMPTION, Assumptions
from aggregator.matching import PRIORITY_LABELS, PriorityKind
from aggregator.money import format_yen, parse_yen
from aggregator.schema import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES, LINE_NAMES, Carrier, Line
from aggregator.taxonomy import KEY_INFO, CoverageKey
from webapp.contractform import ContractQuestions, localize_contract

MAN = 10_000
LIMIT_CHOICES = (1_000 * MAN, 3_000 * MAN, 5_000 * MAN, 10_000 * MAN, 30_000 * MAN, 50_000 * MAN, 100_000 * MAN)
DEDUCTIBLE_CHOICES = (0, 10 * MAN, 50 * MAN, 100 * MAN, 500 * MAN, 1_000 * MAN)
RIDER_CHOICES = (
    CoverageKey.LOST_PROFIT,
    CoverageKey.EXTRA_EXPENSE,
    CoverageKey.CYBER_DELAY,
    CoverageKey.EMPLOYEE_MISCONDUCT,
    CoverageKey.FUNDS_LOSS,
)
ITEM_CHOICES = tuple(k for k in CoverageKey if k not in (CoverageKey.LIABILITY_DAMAGES, CoverageKey.LITIGATION_COSTS))
REQUIRED = _l("入力してください")
CHOOSE = _l("選んでください")


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def opts(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def money_choices(values: tuple[int, ...], lang: str = "ja") -> list[SelectChoice]:
    none = "None (¥0)" if lang == "en" else "なし(0円)"
    return opts((str(v), format_yen(v, "en" if lang == "en" else "ja") if v else none) for v in values)


class ApplicantRule:
    """A field read by the applicant's rules (aggregator.applicant_rules), the ones the API and the client list apply.

    The value read is kept on the field as `field.read`; a refusal is the rule's message, in the page's language,
    and stops the field's other validators (one message a field, as the API gives one).
    """

    def __init__(self, name: str, read: Callable[[Any], Any], *, required: bool = False) -> None:
        self.name = name
        self.read = read
        self.field_flags = {"required": True} if required else {}

    def __call__(self, form: FlaskForm, field: Any) -> None:
        try:
            field.read = self.read(field.data)
        except ApplicantError as exc:
            raise StopValidation(_l(exc.reason)) from exc


def _text_rule(name: str) -> ApplicantRule:
    return ApplicantRule(name, lambda value: read_text(name, value), required=TEXT_RULES[name].required)


def _choice_rule(name: str) -> ApplicantRule:
    return ApplicantRule(name, lambda value: read_choice(name, value), required=True)


def _count_rule(name: str) -> ApplicantRule:
    return ApplicantRule(name, lambda value: read_count(name, value), required=name not in OPTIONAL_COUNTS)


class YenAmount(ApplicantRule):
    """A money field typed as people type it: 500000000, 5億, 5億円, ５，０００万円 (the revenue in the unit chosen)."""

    def __init__(self) -> None:
        super().__init__("", lambda value: value, required=True)

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        unit = "千円" if field.name == "annual_revenue" and form.revenue_unit.data == "thousand" else None
        name = f"{field.name}_jpy"
        try:
            field.yen = read_amount(name, field.data, unit=unit)
        except ApplicantError as exc:
            raise StopValidation(_l(exc.reason)) from exc


def _count(label: Any, name: str) -> StringField:
    return StringField(label, validators=[_count_rule(name)], render_kw={"inputmode": "numeric"})


class QuoteForm(FlaskForm, ContractQuestions):  # type: ignore[misc]
    company = StringField(_l("会社名"), validators=[_text_rule("company")])
    contact_email = EmailField(
        _l("ご担当者のメールアドレス"),
        validators=[
            DataRequired(REQUIRED),
            _text_rule("contact_email"),
            Email(_l("メールアドレスの形式が正しくありません"), check_deliverability=False),
        ],
    )
    industry = SelectField(
        _l("業種"),
        choices=opts([(k.value, v[0]) for k, v in INDUSTRY_NAMES.items()]),
        validators=[_choice_rule("industry")],
        validate_choice=False,  # the rule refuses a value not in the list, in the API's and the list's words
    )
    annual_revenue = StringField(_l("年間売上高(税込)"), validators=[YenAmount()])
    revenue_unit = RadioField(_l("売上高の単位"), choices=opts([("yen", _l("円")), ("thousand", _l("千円"))]), default="yen")
    employees = _count(_l("従業員数"), "employees")
    gross_margin = StringField(_l("粗利率(%・任意)"), validators=[_count_rule("gross_margin_pct")], render_kw={"inputmode": "numeric"})
    records_held = _count(_l("保有している個人情報の件数"), "records_held")
    servers = _count(_l("サーバー台数(クラウド含む)"), "servers")
    largest_contract = StringField(_l("最大の契約金額(1件)"), validators=[YenAmount()])
    contract_type = RadioField(
        _l("主な契約形態"),
        choices=opts([(k.value, v[0]) for k, v in CONTRACT_TYPE_NAMES.items()]),
        validators=[_choice_rule("contract_type")],
        validate_choice=False,
    )
    controls = MultiCheckboxField(_l("導入済みのセキュリティ対策"), choices=opts([(k.value, v[0]) for k, v in CONTROL_NAMES.items()]))
    incidents_3y = _count(_l("過去3年間の事故・インシデント件数"), "incidents_3y")
    lines = MultiCheckboxField(
        _l("見積もりを希望する保険"),
        choices=opts([(k.value, v[0]) for k, v in LINE_NAMES.items()]),
        validators=[ApplicantRule("lines", read_lines, required=True)],
        validate_choice=False,  # the rule refuses a line not in the list, in the words the API and the client list use
    )
    limit_jpy = SelectField(_l("支払限度額"), choices=money_choices(LIMIT_CHOICES), default=str(10_000 * MAN))
    deductible_jpy = SelectField(_l("免責金額"), choices=money_choices(DEDUCTIBLE_CHOICES), default=str(10 * MAN))
    start_date = DateField(_l("始期日(補償の開始日)"), validators=[Optional()], default=clock.today)
    riders = MultiCheckboxField(_l("希望する特約"), choices=opts([(k.value, KEY_INFO[k].label_ja) for k in RIDER_CHOICES]))
    priority = SelectField(
        _l("いちばん重視すること"), choices=opts([(k.value, v[0]) for k, v in PRIORITY_LABELS.items() if k is not PriorityKind.ITEMS])
    )
    priority_items = MultiCheckboxField(_l("必ず補償してほしい項目"), choices=opts([(k.value, KEY_INFO[k].label_ja) for k in ITEM_CHOICES]))
    note = TextAreaField(_l("ご要望(任意)"), validators=[_text_rule("note")])
    consent = BooleanField(
        _l("入力内容を見積もりのため上記の保険会社に提供することに同意します"), validators=[DataRequired(_l("同意が必要です"))]
    )

    def applicant_data(self) -> dict[str, Any]:
        return {
            "company": self.company.read,
            "contact_email": self.contact_email.read,
            "industry": self.industry.data,
            "annual_revenue_jpy": self.annual_revenue.yen,
            "employees": self.employees.read,
            "records_held": self.records_held.read,
            "servers": self.servers.read,
            "largest_contract_jpy": self.largest_contract.yen,
            "contract_type": self.contract_type.data,
            "controls": list(self.controls.data or []),
            "incidents_3y": self.incidents_3y.read,
            "lines": [line.value for line in self.lines.read],
            "limit_jpy": int(self.limit_jpy.data),
            "deductible_jpy": int(self.deductible_jpy.data),
            "riders": list(self.riders.data or []),
            "gross_margin_pct": self.gross_margin.read,
            "contract": self.contract_data(),
        }

    def priorities_data(self) -> dict[str, Any]:
        first = PriorityKind(self.priority.data)
        rest = [k for k in (PriorityKind.BROADEST_COVER, PriorityKind.LOWEST_PRICE, PriorityKind.LIMIT) if k is not first]
        return {
            "order": [first.value, *(k.value for k in rest)],
            "items": list(self.priority_items.data or []),
            "note": self.note.read,
        }


class RequoteForm(FlaskForm):  # type: ignore[misc]
    line = SelectField(_l("保険の種類"), choices=opts([(k.value, v[0]) for k, v in LINE_NAMES.items()]))
    limit_jpy = SelectField(_l("支払限度額"), choices=money_choices(LIMIT_CHOICES))
    deductible_jpy = SelectField(_l("免責金額"), choices=money_choices(DEDUCTIBLE_CHOICES))

    def terms(self) -> tuple[Line, int, int] | None:
        """The line, limit and deductible asked, or None when the post is not a valid choice of them.

        SelectField refuses a value outside its choices, so a forged limit never reaches rating.
        """
        if not self.validate_on_submit():
            return None
        return Line(self.line.data), int(self.limit_jpy.data), int(self.deductible_jpy.data)


class PercentText:
    """A share typed as people type it, 0.3 or 0.3%, kept to hundredths of a percent (basis points)."""

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        text = unicodedata.normalize("NFKC", field.data or "").strip().removesuffix("%").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_l("0〜100の数で入力してください(例: 0.3)")) from None
        if not value.is_finite() or not 0 <= value <= 100 or (value * 100) != (value * 100).to_integral_value():
            raise ValidationError(_l("0〜100の数で、小数第2位まで入力してください(例: 0.3)"))
        field.bp = int(value * 100)


class AssumedYen:
    """An assumed amount typed as people type it (5,000, 5000円, 100万円)."""

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        try:
            field.yen = parse_yen(field.data or "")
        except AmountError as exc:
            raise ValidationError(_l("金額として読めません(例: 5,000円、100万円)")) from exc
        if field.yen > MAX_ASSUMPTION:
            raise ValidationError(_l("金額が大きすぎます"))


class AssumptionsForm(FlaskForm):  # type: ignore[misc]
    """The assumptions behind the needs a customer or broker most often changes; the rest keep their values."""

    claim_share_high = StringField(_l("損害賠償を請求する人の割合(多い場合・%)"), validators=[DataRequired(REQUIRED), PercentText()])
    damages_per_person_jpy = StringField(_l("1人あたりの賠償額(多い場合)"), validators=[DataRequired(REQUIRED), AssumedYen()])
    apology_per_person_jpy = StringField(_l("お詫び 1人あたり"), validators=[DataRequired(REQUIRED), AssumedYen()])
    affected_share_pct = IntegerField(_l("漏えいが及ぶ割合(保有件数に対し・%)"), validators=[InputRequired(REQUIRED), NumberRange(0, 100)])
    outage_days = IntegerField(_l("システム停止日数"), validators=[InputRequired(REQUIRED), NumberRange(0, 365)])
    forensic_per_server_high_jpy = StringField(_l("調査費用 1台あたり(多い場合)"), validators=[DataRequired(REQUIRED), AssumedYen()])

    @classmethod
    def of(cls, a: Assumptions) -> AssumptionsForm:
        return cls(
            data={
                "claim_share_high": _percent(a.claim_share_high_bp),
                "damages_per_person_jpy": f"{a.damages_per_person_jpy:,}",
                "apology_per_person_jpy": f"{a.apology_per_person_jpy:,}",
                "affected_share_pct": a.affected_share_pct,
                "outage_days": a.outage_days,
                "forensic_per_server_high_jpy": f"{a.forensic_per_server_high_jpy:,}",
            }
        )

    def changed(self, base: Assumptions) -> Assumptions | None:
        """`base` with what was typed, or None when something typed is wrong (the fields say what)."""
        if not self.validate_on_submit():
            return None
        return base.with_overrides(
            {
                "claim_share_high_bp": self.claim_share_high.bp,
                "damages_per_person_jpy": self.damages_per_person_jpy.yen,
                "apology_per_person_jpy": self.apology_per_person_jpy.yen,
                "affected_share_pct": self.affected_share_pct.data,
                "outage_days": self.outage_days.data,
                "forensic_per_server_high_jpy": self.forensic_per_server_high_jpy.yen,
            }
        )


def _percent(bp: int) -> str:
    whole, part = divmod(bp, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".")


def localize(form: FlaskForm, lang: str) -> None:
    """Choice labels in the page's language (field labels and errors go through Babel)."""
    i = 1 if lang == "en" else 0
    named: dict[str, Any] = {
        "industry": INDUSTRY_NAMES,
        "contract_type": CONTRACT_TYPE_NAMES,
        "controls": CONTROL_NAMES,
        "lines": LINE_NAMES,
        "line": LINE_NAMES,
        "priority": PRIORITY_LABELS,
    }
    for name, table in named.items():
        if name in form:
            present = {c.value for c in form[name].choices}
            form[name].choices = opts((k.value, v[i]) for k, v in table.items() if k.value in present)
    for name in ("riders", "priority_items"):
        if name in form:
            form[name].choices = opts((c.value, label_of(CoverageKey(c.value), lang)) for c in form[name].choices)
    for name in ("limit_jpy", "deductible_jpy"):
        if name in form:
            form[name].choices = money_choices(tuple(int(c.value) for c in form[name].choices), lang)
    localize_contract(form, lang)


def label_of(key: CoverageKey, lang: str) -> str:
    return KEY_INFO[key].label_en if lang == "en" else KEY_INFO[key].label_ja


# ------------------------------------------------------------ the current policy ---

ITEM_STATES = (("", _l("不明")), ("yes", _l("補償あり")), ("no", _l("補償なし")))


class CurrentPolicyForm(FlaskForm):  # type: ignore[misc]
    """What the customer holds today (現在のご契約), all optional: an insurer chosen means a policy is given.

    Used beside QuoteForm (prefix ``cp``) and on the broker's request page. Amounts are read, and every
    field checked, by aggregator.current.current_from_data; its errors come back to the fields here.
    """

    class Meta:
        csrf = False  # posted with a form that carries the token

    insurer = SelectField(_l("現在の保険会社"), choices=[])
    insurer_name = StringField(_l("保険会社名(一覧にない場合)"), validators=[Length(max=100)])
    product = StringField(_l("商品名・プラン名"), validators=[Length(max=200)])
    line = SelectField(_l("現在の保険の種類"), choices=opts([(k.value, v[0]) for k, v in LINE_NAMES.items()]))
    limit = StringField(_l("現在の支払限度額"))
    deductible = StringField(_l("現在の免責金額"))
    premium = StringField(_l("現在の年間保険料"))
    expiry = DateField(_l("満期日"), validators=[Optional()])
    policy_number = StringField(_l("証券番号"), validators=[Length(max=50)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insurer.choices = opts(
            [("", _l("加入していない・入力しない")), *((c.value, c.names.ja) for c in Carrier), (OTHER, _l("その他"))]
        )

    def localize(self, lang: str) -> None:
        i = 1 if lang == "en" else 0
        none, other = ("Not insured / not given", "Another insurer") if lang == "en" else ("加入していない・入力しない", "その他")
        self.insurer.choices = opts([("", none), *((c.value, c.names.en if i else c.names.ja) for c in Carrier), (OTHER, other)])
        self.line.choices = opts((k.value, v[i]) for k, v in LINE_NAMES.items())

    @property
    def given(self) -> bool:
        return bool(self.insurer.data)

    def item_fields(self) -> list[tuple[CoverageKey, str, str]]:
        """Each item's state and amount as posted (the fields are plain inputs named cp-item-KEY and cp-amount-KEY)."""
        from flask import request

        return [
            (
                key,
                request.form.get(f"{self._prefix}item-{key.value}", ""),
                request.form.get(f"{self._prefix}amount-{key.value}", "").strip(),
            )
            for key in CoverageKey
        ]

    def current_data(self, items: list[tuple[CoverageKey, str, str]] | None = None) -> dict[str, Any]:
        """The fields as aggregator.current reads them (amounts still as typed)."""
        said: dict[str, Any] = {}
        for key, state, amount in self.item_fields() if items is None else items:
            if state == "no":
                said[key.value] = False
            elif state == "yes":
                said[key.value] = amount or True
        return {
            "insurer": self.insurer.data,
            "insurer_name": (self.insurer_name.data or "").strip(),
            "product": (self.product.data or "").strip(),
            "line": self.line.data,
            "limit_jpy": (self.limit.data or "").strip(),
            "deductible_jpy": (self.deductible.data or "").strip(),
            "premium_jpy": (self.premium.data or "").strip(),
            "expiry": self.expiry.data.isoformat() if self.expiry.data else None,
            "policy_number": (self.policy_number.data or "").strip(),
            "items": said,
        }

    def show_errors(self, errors: list[Any]) -> None:
        """Errors from current_from_data, on the fields they name (an item's on the insurer field, naming the item)."""
        fields = {
            "limit_jpy": self.limit,
            "deductible_jpy": self.deductible,
            "premium_jpy": self.premium,
            "expiry": self.expiry,
            "insurer": self.insurer,
            "insurer_name": self.insurer_name,
            "product": self.product,
            "line": self.line,
            "policy_number": self.policy_number,
        }
        for error in errors:
            name = error.field.removeprefix("current_policy.")
            target = fields.get(name, self.insurer)
            reason = error.reason
            if name.startswith("items."):
                reason = f"{label_of(CoverageKey(name.removeprefix('items.')), 'ja')}: {reason}"
            target.errors = [*target.errors, reason]


def current_form_data(current: dict[str, Any] | None) -> dict[str, Any]:
    """A stored current policy as the form's initial data (items are filled in by the template from the same dict)."""
    if not current:
        return {}
    return {
        "insurer": current.get("insurer", ""),
        "insurer_name": current.get("insurer_name", ""),
        "product": current.get("product", ""),
        "line": current.get("line", ""),
        "limit": f"{current['limit_jpy']:,}" if current.get("limit_jpy") else "",
        "deductible": f"{current['deductible_jpy']:,}" if current.get("deductible_jpy") is not None else "",
        "premium": f"{current['premium_jpy']:,}" if current.get("premium_jpy") is not None else "",
        "expiry": _day(current.get("expiry")),
        "policy_number": current.get("policy_number", ""),
    }


def _day(text: Any) -> Any:
    from datetime import date

    return date.fromisoformat(text) if isinstance(text, str) and text else None
