"""The broker's book in the workspace: the current policy, winning and reopening, renewals (満期管理), mail, a list's rows to requests.

Routes on the broker blueprint (its login guard applies); the request page shows this part through
`book_section`, a template global, so the request view itself is left as it was.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from aggregator import clock
from aggregator.current_data import current_to_data
from aggregator.errors import AmountError
from aggregator.money import parse_yen
from aggregator.policy import RENEWAL_WINDOWS, days_left, default_expiry
from webapp import book, current_lang, mail, storage
from webapp.auth import audit
from webapp.broker import _request_or_404, _version, bp
from webapp.extensions import db
from webapp.forms import CurrentPolicyForm, current_form_data, opts
from webapp.models import BulkJob, Policy, QuoteRequest, QuoteVersion
from webapp.params import is_token
from webapp.public import current_fields, read_current


def _list_errors(form: FlaskForm) -> str:
    """A form's errors in one line: each field's label and what is wrong with it."""
    comma: str = _("、")
    return comma.join(f"{form[name].label.text}: {comma.join(errors)}" for name, errors in form.errors.items())


def install() -> None:
    """Nothing to do: importing this module added its routes to the broker blueprint (webapp/__init__.py imports it first)."""


POLICY_STATUS = {"in_force": ("有効", "In force"), "cancelled": ("取消", "Cancelled"), "renewed": ("更改済", "Renewed")}


@bp.app_template_filter("policy_status")
def policy_status(code: str) -> str:
    pair = POLICY_STATUS.get(code, (code, code))
    return pair[1] if current_lang() == "en" else pair[0]


class WinForm(FlaskForm):  # type: ignore[misc]
    plan = SelectField(_l("成約したプラン"), validators=[DataRequired(_l("選んでください"))])
    premium = StringField(_l("年間保険料(確定)"), validators=[DataRequired(_l("入力してください"))])
    start = DateField(_l("始期日"), validators=[InputRequired(_l("入力してください"))])
    expiry = DateField(_l("満期日"), validators=[InputRequired(_l("入力してください"))])
    number = StringField(_l("証券番号"), validators=[Optional(), Length(max=50)])


class ReopenForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(_l("成約を取り消す理由"), validators=[DataRequired(_l("理由を入力してください")), Length(max=2000)])


class NumberForm(FlaskForm):  # type: ignore[misc]
    number = StringField(_l("証券番号"), validators=[DataRequired(_l("入力してください")), Length(max=50)])


def _plans(version: QuoteVersion) -> list[Any]:
    """The version's plans a policy can be placed with (not the declined ones), as choices."""
    lang = "en" if current_lang() == "en" else "ja"
    return opts(
        (f"{c['carrier']}:{c['plan_code']}", f"{c['carrier_name_en' if lang == 'en' else 'carrier_name']} {c['plan_name']}")
        for c in version.record["comparison"]["columns"]
        if c["status"] != "declined"
    )


def _premium_of(version: QuoteVersion, choice: str) -> int | None:
    try:
        premium: int | None = book.quoted_column(version, choice)["premium_jpy"]
    except book.BookError:
        return None
    return premium


def _chosen(found: QuoteRequest, version: QuoteVersion) -> str:
    """The plan to offer first: the last proposal's, else the recommendation's (the record's proposed plan)."""
    from webapp.models import Proposal

    proposal = db.session.scalars(select(Proposal).where(Proposal.request_id == found.id).order_by(Proposal.id.desc())).first()
    if proposal is not None:
        return f"{proposal.carrier}:{proposal.plan_code}"
    proposed = version.record.get("proposed") or {}
    return f"{proposed.get('carrier')}:{proposed.get('plan_code')}"


@bp.app_template_global()
def book_section(found: QuoteRequest, version: QuoteVersion) -> dict[str, Any]:
    """What the request page's book section shows: the current policy form, the policy (or the form to place one), mail."""
    cp = CurrentPolicyForm(prefix="cp", data=current_form_data(found.current_policy), formdata=None)
    policy = book.in_force(found)
    win_form = None
    if found.status == "proposed":
        start = version.as_of
        win_form = WinForm(data={"start": start, "expiry": default_expiry(start)}, formdata=None)
        win_form.plan.choices = _plans(version)
        chosen = _chosen(found, version)
        if any(c.value == chosen for c in win_form.plan.choices):
            win_form.plan.data = chosen
            premium = _premium_of(version, chosen)
            win_form.premium.data = f"{premium:,}" if premium is not None else ""
    return {
        **current_fields(cp, found.current_policy),
        "policy": policy,
        "history": [p for p in book.policies_of(found) if p is not policy],
        "renews": book.renewed_by(found),
        "win_form": win_form,
        "reopen_form": ReopenForm(formdata=None) if found.status == "won" else None,
        "number_form": NumberForm(formdata=None),
        "can_send": mail.enabled(current_app) and bool(found.contact_email),
    }


def _back(found: QuoteRequest, version: QuoteVersion | None = None) -> Response:
    anchor = "#book"
    if version is None:
        return redirect(url_for("broker.request_detail", request_id=found.id) + anchor)
    return redirect(url_for("broker.request_detail", request_id=found.id, v=version.number) + anchor)


@bp.post("/requests/<int:request_id>/current")
def save_current(request_id: int) -> Response:
    """The broker enters (or corrects) the current policy; the request is quoted again with it as a new version."""
    found = _request_or_404(request_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    version = _version(found)
    cp = CurrentPolicyForm(prefix="cp")
    current, ok = read_current(cp)
    if not ok:
        why = _list_errors(cp)
        flash(_("現在のご契約を保存できませんでした: %(why)s", why=why), "error")
        return _back(found, version)
    found.current_policy = current_to_data(current) if current is not None else None
    made = storage.requote_as_shown(current_app.extensions["rater"], found, version, by=current_user.username)
    detail = "none" if current is None else f"{current.insurer} {current.product} expiry={current.expiry}"
    audit("request.current_policy", f"request:{found.id}", f"v{made.number} {detail}")
    db.session.commit()
    return _back(found, made)


@bp.post("/requests/<int:request_id>/win")
def win_request(request_id: int) -> Response:
    """成約: the policy is recorded with the request (carrier, plan, premium, 始期, 満期, number)."""
    found = _request_or_404(request_id)
    version = _version(found)
    form = WinForm()
    form.plan.choices = _plans(version)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("成約を記録できませんでした: %(why)s", why=_list_errors(form)), "error")
        return _back(found, version)
    try:
        premium = parse_yen(form.premium.data)
        policy = book.win(
            found,
            version,
            choice=form.plan.data,
            premium_jpy=premium,
            start=form.start.data,
            expiry=form.expiry.data,
            number=(form.number.data or "").strip(),
            by=current_user.username,
        )
    except AmountError:
        flash(_("成約を記録できませんでした: %(why)s", why=_("年間保険料を金額で入力してください")), "error")
        return _back(found, version)
    except book.BookError as exc:
        flash(_("成約を記録できませんでした: %(why)s", why=str(exc)), "error")
        return _back(found, version)
    audit(
        "request.win",
        f"request:{found.id}",
        f"v{version.number} {policy.carrier}:{policy.plan_code} premium={policy.premium_jpy} "
        f"{policy.start_date}..{policy.expiry_date} no={policy.policy_number or '-'}",
    )
    db.session.commit()
    flash(_("成約を記録しました。満期日 %(day)s は満期管理に載ります", day=policy.expiry_date.isoformat()), "ok")
    return _back(found, version)


@bp.post("/requests/<int:request_id>/reopen")
def reopen_request(request_id: int) -> Response:
    """Take a won request back to 提案済 with a reason: the policy is kept as cancelled, the reason in the audit log."""
    found = _request_or_404(request_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("成約を取り消すには理由を入力してください"), "error")
        return _back(found)
    try:
        policy = book.reopen(found, form.reason.data)
    except book.BookError as exc:
        flash(_("成約を取り消せませんでした: %(why)s", why=str(exc)), "error")
        return _back(found)
    reason = form.reason.data.strip()
    audit("request.reopen", f"request:{found.id}", f"won -> proposed policy={policy.id if policy else '-'} reason={reason}")
    db.session.commit()
    flash(_("成約を取り消し、「提案済」に戻しました。契約の記録は理由とともに残ります"), "ok")
    return _back(found)


@bp.post("/policies/<int:policy_id>/number")
def policy_number(policy_id: int) -> Response:
    policy = db.session.get(Policy, policy_id) or abort(404)
    found = _request_or_404(policy.request_id)
    form = NumberForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("証券番号を50文字以内で入力してください"), "error")
        return _back(found)
    before, policy.policy_number = policy.policy_number, form.number.data.strip()
    audit("policy.number", f"request:{found.id}", f"policy={policy.id} {before or '-'} -> {policy.policy_number}")
    db.session.commit()
    return _back(found)


@bp.post("/requests/<int:request_id>/send")
def send_link(request_id: int) -> Response:
    """Mail the customer the link to this version (queued; a worker sends it)."""
    found = _request_or_404(request_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    version = _version(found)
    url = url_for("public.quote", token=found.token, v=version.number, _external=True)
    if mail.customer_mail(current_app, found, version, url):
        audit("request.mail", f"request:{found.id}", f"v{version.number} -> {found.contact_email}")
        db.session.commit()
        flash(_("第%(n)s版のURLを %(to)s あてに送信待ちにしました", n=version.number, to=found.contact_email), "ok")
    else:
        flash(_("メールを送れません(メールサーバーが設定されていないか、メールアドレスがありません)"), "error")
    return _back(found, version)


# ------------------------------------------------------------------------ renewals ---


@bp.get("/renewals")
def renewals() -> Any:
    today = clock.today()
    due = book.due(today)
    requests = {r.id: r for r in db.session.scalars(select(QuoteRequest).where(QuoteRequest.id.in_(_request_ids(due))))}
    return render_template(
        "broker/renewals.html",
        today=today,
        due=due,
        windows=RENEWAL_WINDOWS,
        pending={w: len(book.to_renew(today, w)) for w in RENEWAL_WINDOWS},
        lapsed=book.lapsed(today),
        requests=requests,
        days_left=lambda p: days_left(p.expiry_date, today),
        form=FlaskForm(),
        show_sample_notice=False,
    )


def _request_ids(due: dict[int, list[Policy]]) -> list[int]:
    return [i for policies in due.values() for p in policies for i in (p.request_id, p.renewal_request_id) if i is not None]


@bp.post("/renewals/requote")
def renewals_requote() -> Response:
    """One job re-quotes every policy due within the window, each compared with the policy it renews."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    window = request.form.get("window", type=int)
    if window not in RENEWAL_WINDOWS:
        abort(400)
    if not book.to_renew(clock.today(), window):
        flash(_("%(days)s日以内に満期を迎える、まだ再見積もりしていない契約はありません", days=window), "error")
        return redirect(url_for("broker.renewals"))
    job = BulkJob(
        created_by=current_user.username, filename=f"満期更改の再見積もり({window}日以内)", kind="renewal", params={"window": window}
    )
    db.session.add(job)
    db.session.flush()
    audit("renewal.requote", f"bulk:{job.token}", f"window={window}")
    db.session.commit()
    from webapp import tasks

    tasks.enqueue(current_app, job)
    return redirect(url_for("broker.bulk_job", token=job.token))


@bp.post("/renewals/remind")
def renewals_remind() -> Response:
    """Queue the renewal reminders now (workers also do it every hour)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not (mail.enabled(current_app) and mail.broker_addresses(current_app)):
        flash(_("メールサーバー(MAIL_SERVER)と代理店のあて先(BROKER_MAIL_TO)が設定されていないため、お知らせは送れません"), "error")
    else:
        current_app.extensions["reminder_task"]()
        audit("renewal.remind", "renewals", "")
        db.session.commit()
        flash(_("満期のお知らせを送信待ちにしました(新しく期間に入った契約だけをお知らせします)"), "ok")
    return redirect(url_for("broker.renewals"))


# ------------------------------------------------------------- a list's rows, to requests ---


@bp.app_template_global()
def job_rows(job: BulkJob) -> dict[str, Any]:
    """A quoted list's rows for its page: the first ones to choose from, how many there are, and those already made requests."""
    path = book.client_rows_file(current_app, job)
    total = 0
    if path.exists():
        with path.open(encoding="utf-8") as lines:
            total = sum(1 for _ in lines)
    return {"rows": list(book.read_rows(path, book.ROWS_SHOWN)), "total": total, "turned": book.turned(job), "form": FlaskForm()}


@bp.post("/bulk/<token>/requests")
def bulk_requests(token: str) -> Response:
    """Rows of a quoted list (all, or those ticked) become requests with their quotes, in a job."""
    if not is_token(token) or not FlaskForm().validate_on_submit():
        abort(400 if is_token(token) else 404)
    source = db.session.scalars(select(BulkJob).where(BulkJob.token == token, BulkJob.kind == "quote")).first() or abort(404)
    if source.status != "done" or not book.client_rows_file(current_app, source).exists():
        flash(_("見積もりが完了したリストだけを見積依頼にできます"), "error")
        return redirect(url_for("broker.bulk_job", token=token))
    rows = sorted({int(r) for r in request.form.getlist("row") if r.isdigit() and len(r) < 10})
    every = request.form.get("all") == "1"
    if not every and not rows:
        flash(_("見積依頼にする行を選んでください"), "error")
        return redirect(url_for("broker.bulk_job", token=token))
    job = BulkJob(
        created_by=current_user.username,
        filename=f"見積依頼にする: {source.filename}"[:255],
        kind="requests",
        params={"source": source.id, "rows": None if every else rows},
    )
    db.session.add(job)
    db.session.flush()
    audit("bulk.requests", f"bulk:{source.token}", f"job={job.token} rows={'all' if every else len(rows)}")
    db.session.commit()
    from webapp import tasks

    tasks.enqueue(current_app, job)
    return redirect(url_for("broker.bulk_job", token=job.token))
