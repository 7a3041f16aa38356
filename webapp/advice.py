"""The broker's proposal form: 意向把握 (the wishes as first heard) → 意向確認 (as confirmed) → 比較推奨 (a plan, checked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, FormField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from aggregator import clock
from aggregator.compliance import (
    AdviceRecord,
    Change,
    Departure,
    Wishes,
    changes,
    departures,
    departures_from_data,
    proposed_plan_from_data,
    wishes_from_data,
    wishes_from_request,
)
from aggregator.labels import carrier_name
from aggregator.matching import PRIORITY_LABELS, Comparison, PriorityKind
from aggregator.money import Lang, format_premium
from aggregator.present import plan_name, status_text
from aggregator.recommendation import recommend
from aggregator.schema import APPLICANT_LIMITS
from aggregator.taxonomy import CoverageKey
from webapp.forms import DEDUCTIBLE_CHOICES, ITEM_CHOICES, LIMIT_CHOICES, RIDER_CHOICES, MultiCheckboxField, label_of, money_choices, opts
from webapp.models import Proposal, QuoteRequest

REASON_LIMIT = 2000  # one departure's reason
PRIORITIES = (PriorityKind.BROADEST_COVER, PriorityKind.LOWEST_PRICE, PriorityKind.LIMIT)


class WishesForm(Form):  # type: ignore[misc]
    """One set of wishes (the form shows it twice: as first heard, and as confirmed)."""

    limit_jpy = SelectField(_l("支払限度額"), validators=[InputRequired()])
    deductible_jpy = SelectField(_l("免責金額"), validators=[InputRequired()])
    riders = MultiCheckboxField(_l("希望する特約"))
    priority = SelectField(_l("いちばん重視すること"))
    items = MultiCheckboxField(_l("必ず補償してほしい項目"))
    note = TextAreaField(_l("ご要望(お客様のことば)"), validators=[Length(max=APPLICANT_LIMITS["note"].largest)])


class DayField(DateField):  # type: ignore[misc]
    """A date typed or picked; empty is left to DataRequired, and a wrong one says so in the page's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("日付として読めません(例: 2026-11-21)")) from exc


def _day_given(_form: Any, field: DateField) -> None:
    if field.data is None and not field.errors:  # empty (or blank): a date it could not read has said so already
        raise StopValidation(_l("説明した日を入力してください"))


def _not_in_future(_form: Any, field: DateField) -> None:
    if field.data is not None and field.data > clock.today():
        raise ValidationError(_l("今日より後の日付は記録できません"))


class AdviceForm(FlaskForm):  # type: ignore[misc]
    initial = FormField(WishesForm, label=_l("意向把握: お伺いしたご意向"))
    final = FormField(WishesForm, label=_l("意向確認: 最終的なご意向"))
    change_note = TextAreaField(_l("当初のご意向から変わった点の経緯"), validators=[Length(max=4000)])
    plan = SelectField(_l("ご提案するプラン"), validators=[DataRequired(_l("選んでください"))])
    reasons = TextAreaField(_l("提案の理由"), validators=[DataRequired(_l("入力してください")), Length(max=8000)])
    explained_on = DayField(
        _l("重要事項説明(契約概要・注意喚起情報)の説明日"),
        validators=[_day_given, _not_in_future],
    )


def _wishes_data(wishes: Wishes) -> dict[str, Any]:
    return {
        "limit_jpy": str(wishes.limit_jpy) if wishes.limit_jpy is not None else "",
        "deductible_jpy": str(wishes.deductible_jpy) if wishes.deductible_jpy is not None else "",
        "riders": [k.value for k in wishes.riders],
        "priority": (wishes.order or (PriorityKind.BROADEST_COVER,))[0].value,
        "items": [k.value for k in wishes.items],
        "note": wishes.note,
    }


def initial_wishes(found: QuoteRequest) -> Wishes:
    return wishes_from_request(found.applicant, found.priorities)


def new_form(found: QuoteRequest, latest: Proposal | None, reasons: str, plan: str, lang: str) -> AdviceForm:
    """The form prefilled: the wishes from the stored request (or as the last proposal confirmed them), the plan, the reasons."""
    initial = initial_wishes(found)
    final = wishes_from_data(latest.final_wishes) if latest is not None and latest.final_wishes else initial
    form = AdviceForm(data={"initial": _wishes_data(initial), "final": _wishes_data(final), "reasons": reasons, "plan": plan})
    localize(form, lang, (initial, final))
    return form


def localize(form: AdviceForm, lang: str, shown: tuple[Wishes, ...] = ()) -> None:
    """Choices in the page's language; a stored amount outside the usual choices (an API request's) stays choosable."""
    ln: Lang = "en" if lang == "en" else "ja"
    limits = set(LIMIT_CHOICES) | {w.limit_jpy for w in shown if w.limit_jpy is not None}
    deductibles = set(DEDUCTIBLE_CHOICES) | {w.deductible_jpy for w in shown if w.deductible_jpy is not None}
    for sub in (form.initial.form, form.final.form):
        for field, values in ((sub.limit_jpy, limits), (sub.deductible_jpy, deductibles)):
            posted = field.data if isinstance(field.data, str) and field.data.isdigit() and len(field.data) <= 16 else None
            field.choices = money_choices(tuple(sorted(values | ({int(posted)} if posted else set()))), ln)
        sub.riders.choices = opts((k.value, label_of(k, ln)) for k in RIDER_CHOICES)
        sub.items.choices = opts((k.value, label_of(k, ln)) for k in ITEM_CHOICES)
        sub.priority.choices = opts((k.value, PRIORITY_LABELS[k][1 if ln == "en" else 0]) for k in PRIORITIES)


def wishes_of(sub: WishesForm, base: Wishes) -> Wishes:
    first = PriorityKind(sub.priority.data)
    order = (first, *(p for p in (base.order or PRIORITIES) if p is not first))
    return Wishes(
        limit_jpy=int(sub.limit_jpy.data),
        deductible_jpy=int(sub.deductible_jpy.data),
        riders=tuple(CoverageKey(k) for k in sub.riders.data or []),
        order=order,
        items=tuple(CoverageKey(k) for k in sub.items.data or []),
        note=(sub.note.data or "").strip(),
    )


def plan_choices(comparison: Comparison, lang: str) -> dict[str, list[tuple[str, str]]]:
    """Every plan quoted, grouped under its carrier's name: the plan, its premium, its status when not firm."""
    ln: Lang = "en" if lang == "en" else "ja"
    groups: dict[str, list[tuple[str, str]]] = {}
    for column in comparison.columns:
        quote = column.quote
        premium = "—" if quote.premium_jpy is None else format_premium(quote.premium_jpy, ln)
        carrier = carrier_name(quote.carrier, ln)  # in the option too: a closed select shows the option alone
        text = f"{carrier} {plan_name(quote.plan, ln)} — {premium} ({status_text(column, ln)})"
        groups.setdefault(carrier, []).append((f"{quote.carrier.value}:{quote.plan.code}", text))
    return groups  # WTForms renders a dict of choices as <optgroup>s


def column_of(comparison: Comparison, choice: str) -> int | None:
    carrier, _, code = choice.partition(":")
    return next((i for i, c in enumerate(comparison.columns) if (c.quote.carrier.value, c.quote.plan.code) == (carrier, code)), None)


def reasons_left_for_another_plan(form: AdviceForm, comparison: Comparison) -> bool:
    """True when the reasons are still the candidate's own words (prefilled) while another plan is proposed: they would
    tell the customer why a plan they are not offered fits best."""
    advice = recommend(comparison)
    if advice.proposed is None:
        return False
    quote = comparison.columns[advice.proposed].quote
    if form.plan.data == f"{quote.carrier.value}:{quote.plan.code}":
        return False
    written = "\n".join(line.strip() for line in (form.reasons.data or "").strip().splitlines())
    return written in ("\n".join(advice.reasons_ja), "\n".join(advice.reasons_en))


@dataclass
class Checked:
    """A submitted proposal checked against the final wishes: what changed, where it departs, what is still missing."""

    initial: Wishes
    final: Wishes
    changes: tuple[Change, ...]
    departures: tuple[Departure, ...]  # with the reasons given
    missing: tuple[str, ...]  # departures (codes) without a reason
    change_note_missing: bool


def check(form: AdviceForm, found: QuoteRequest, comparison: Comparison, column: int) -> Checked:
    base = initial_wishes(found)
    initial = wishes_of(form.initial.form, base)
    final = wishes_of(form.final.form, initial)
    changed = changes(initial, final)
    found_departures = []
    for d in departures(final, comparison, column):
        reason = (request.form.get(f"departure-{d.code}") or "").strip()[:REASON_LIMIT]
        found_departures.append(Departure(d.kind, d.key, d.wished, d.proposed, reason))
    missing = tuple(d.code for d in found_departures if not d.reason)
    return Checked(initial, final, changed, tuple(found_departures), missing, bool(changed) and not (form.change_note.data or "").strip())


def record_of(proposal: Proposal, version_number: int | None = None) -> AdviceRecord | None:
    """A confirmed proposal as the customer's page and workbook show it; None for one recorded before 意向確認 existed."""
    if proposal.confirmed_at is None or proposal.proposed is None:
        return None
    return AdviceRecord(
        plan=proposed_plan_from_data(proposal.proposed),
        reasons=proposal.reasons,
        initial=wishes_from_data(proposal.initial_wishes),
        final=wishes_from_data(proposal.final_wishes),
        changes=tuple(Change(**c) for c in proposal.wish_changes or []),
        change_note=proposal.change_note,
        departures=departures_from_data(proposal.departures),
        explained_on=proposal.explained_on,
        proposed_on=local_day(proposal.confirmed_at),
        by=proposal.created_by,
        version=version_number,
    )


def local_day(moment: datetime) -> date:
    """The day in Japan of a stored instant (SQLite hands timestamps back without their zone: they are UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(clock.JST).date()
