"""The broker workspace: every request, re-quotes and proposals, bulk jobs, carrier data, the audit log."""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField

from aggregator import clock
from aggregator.compliance import proposed_plan
from aggregator.contract import contract_from_data
from aggregator.errors import ApplicantError
from aggregator.exposure import Assumptions
from aggregator.labels import carrier_name
from aggregator.recommendation import recommend
from aggregator.schema import Carrier, Line
from aggregator.taxonomy import KEY_INFO, CoverageKey
from carriers import plan_workbook
from carriers.canonical import TEMPLATE_NAME
from webapp import advice as advising
from webapp import auditlog, carrierdata, current_lang, storage, tasks
from webapp.auth import audit
from webapp.contractform import ContractForm, contract_form_data
from webapp.extensions import db, login_manager
from webapp.forms import AssumptionsForm, RequoteForm, localize, opts
from webapp.models import AuditEntry, BulkJob, CarrierDataset, Proposal, QuoteRequest, QuoteVersion
from webapp.params import LARGEST_ID, int_arg, is_token, without_control
from webapp.public import XLSX, comparison_table, send_workbook

bp = Blueprint("broker", __name__, url_prefix="/broker")
bp.add_app_template_filter(auditlog.describe, "audit_entry")

STATUSES: dict[str, tuple[str, str]] = {
    "new": ("新規", "New"),
    "quoted": ("見積済", "Quoted"),
    "proposed": ("提案済", "Proposed"),
    "won": ("成約", "Won"),
    "lost": ("失注", "Lost"),
}
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("quoted", "lost"),
    "quoted": ("proposed", "lost"),
    "proposed": ("won", "lost", "quoted"),
    "won": (),
    "lost": ("quoted",),
}
PAGE_SIZE = 50
SOURCES: dict[str, tuple[str, str]] = {
    "web": ("サイト", "Website"),
    "api": ("API", "API"),
    "bulk": ("一括見積", "Client list"),
    "renewal": ("更改", "Renewal"),
}


@bp.before_request
def _brokers_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.context_processor
def _carrier_notices() -> dict[str, Any]:
    return {"carrier_notices": carrierdata.notices()}


@bp.app_template_filter("status_name")
def status_name(code: str) -> str:
    pair = STATUSES.get(code, (code, code))
    return pair[1] if current_lang() == "en" else pair[0]


_JOB_STATUS = {
    "queued": ("待機中", "Queued"),
    "running": ("実行中", "Running"),
    "done": ("完了", "Done"),
    "failed": ("失敗", "Failed"),
    "interrupted": ("中断", "Interrupted"),
}
_JOB_STAGE = {
    "reading": ("読み込み中", "reading"),
    "rating": ("見積計算中", "rating"),
    "writing": ("書き出し中", "writing"),
    "done": ("", ""),
}
_DATASET_STATUS = {
    "active": ("使用中", "Active"),
    "scheduled": ("適用日待ち", "Scheduled"),
    "superseded": ("過去の版", "Superseded"),
    "rejected": ("不採用(エラー)", "Rejected"),
    "checking": ("検証中", "Checking"),
    "revoked": ("使用をやめた版(検証エラー)", "Withdrawn (failed validation)"),
}


def _pick(table: dict[str, tuple[str, str]], code: str) -> str:
    pair = table.get(code, (code, code))
    return pair[1] if current_lang() == "en" else pair[0]


@bp.app_template_filter("source_name")
def source_name(code: str) -> str:
    return _pick(SOURCES, code)


@bp.app_template_filter("job_status")
def job_status(code: str) -> str:
    return _pick(_JOB_STATUS, code)


@bp.app_template_filter("job_stage")
def job_stage(code: str) -> str:
    return _pick(_JOB_STAGE, code)


@bp.app_template_filter("dataset_status")
def dataset_status(code: str) -> str:
    return _pick(_DATASET_STATUS, code)


@bp.app_template_filter("industry_name_code")
def industry_name_code(code: str) -> str:
    from aggregator.schema import INDUSTRY_NAMES, Industry

    return _pick({k.value: v for k, v in INDUSTRY_NAMES.items()}, Industry(code).value)


@bp.app_template_filter("dict_without_page")
def dict_without_page(args: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in args.items() if k != "page"}


class StatusForm(FlaskForm):  # type: ignore[misc]
    status = SelectField(_l("状態"), choices=opts(STATUSES.items()))


class UploadForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("ファイル"), validators=[FileRequired(_l("ファイルを選んでください"))])


class ClientListForm(FlaskForm):  # type: ignore[misc]
    file = FileField(
        _l("顧客リスト(.xlsx / .csv)"),
        validators=[
            FileRequired(_l("ファイルを選んでください")),
            FileAllowed(["xlsx", "csv"], _l(".xlsx か .csv のファイルを選んでください")),
        ],
    )


# ------------------------------------------------------------ requests ---


@bp.get("/")
def dashboard() -> Any:
    query = select(QuoteRequest).order_by(QuoteRequest.created_at.desc())
    status, line, term = request.args.get("status", ""), request.args.get("line", ""), without_control(request.args.get("q", "")).strip()
    if status in STATUSES:
        query = query.where(QuoteRequest.status == status)
    if line in {x.value for x in Line}:
        query = query.where(QuoteRequest.lines.contains(line))
    source = request.args.get("source", "")
    if source in SOURCES:
        query = query.where(QuoteRequest.source == source)
    if term:
        query = query.where(QuoteRequest.company.contains(term))
    for name, op in (("from", "ge"), ("to", "lt")):
        try:
            day = date.fromisoformat(request.args.get(name, ""))
            edge = datetime.combine(day + (timedelta(days=1) if op == "lt" else timedelta()), time.min)
        except (ValueError, OverflowError):  # not a date, or the day after 9999-12-31
            continue
        query = query.where(QuoteRequest.created_at >= edge if op == "ge" else QuoteRequest.created_at < edge)
    page = max(int_arg("page", largest=LARGEST_ID // PAGE_SIZE) or 1, 1)
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "broker/dashboard.html",
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        statuses=STATUSES,
        sources=SOURCES,
        show_sample_notice=False,
    )


def _request_or_404(request_id: int) -> QuoteRequest:
    found = db.session.get(QuoteRequest, request_id)
    if found is None:
        abort(404)
    return found


def _version(found: QuoteRequest) -> QuoteVersion:
    """The version asked for with ?v=, or the newest of the first line asked (an unknown number shows that one too)."""
    version = storage.version_to_show(found, int_arg("v")) or storage.version_to_show(found)
    assert version is not None  # a request is stored with its first version
    return version


@bp.get("/requests/<int:request_id>")
def request_detail(request_id: int) -> Any:
    found = _request_or_404(request_id)
    return _request_page(found, _version(found))


def _request_page(
    found: QuoteRequest,
    version: QuoteVersion,
    form: advising.AdviceForm | None = None,
    checked: advising.Checked | None = None,
    assumptions_form: AssumptionsForm | None = None,
) -> Any:
    """The request's page; with a submitted proposal or assumptions form that was refused, that form again with what it
    lacks (400)."""
    status = 200 if form is None and assumptions_form is None else 400
    rater = current_app.extensions["rater"]
    comparison, fresh = storage.comparison_of(rater, version, current_app.extensions["comparisons"])
    every_plan = storage.all_plans_of(rater, version, current_app.extensions["all_plans"], current_app.extensions["comparisons"])
    applicant = storage.version_applicant(version)
    advice = recommend(comparison)
    lang = current_lang()
    requote = RequoteForm(data={"line": version.line, "limit_jpy": str(version.limit_jpy), "deductible_jpy": str(version.deductible_jpy)})
    localize(requote, lang)
    contract = ContractForm(data=contract_form_data(applicant.contract))
    localize(contract, lang)
    proposals = db.session.scalars(select(Proposal).where(Proposal.request_id == found.id).order_by(Proposal.id.desc())).all()
    if form is None:
        best = comparison.columns[advice.proposed].quote if advice.proposed is not None else None
        latest = next((p for p in proposals if p.confirmed_at is not None), None)
        reasons = "\n".join(advice.reasons_en if lang == "en" else advice.reasons_ja)
        form = advising.new_form(found, latest, reasons, f"{best.carrier.value}:{best.plan.code}" if best else "", lang)
    form.plan.choices = advising.plan_choices(every_plan, lang)
    if status == 200 and form.plan.data and (column := advising.column_of(every_plan, form.plan.data)) is not None:
        checked = advising.check(form, found, every_plan, column)  # what the plan shown first departs from, before any post
    log = db.session.scalars(select(AuditEntry).where(AuditEntry.target == f"request:{found.id}").order_by(AuditEntry.id.desc())).all()
    numbers = dict(db.session.execute(select(QuoteVersion.id, QuoteVersion.number).where(QuoteVersion.request_id == found.id)).all())
    return render_template(
        "broker/request.html",
        request_row=found,
        version=version,
        comparison=comparison,
        comparison_html=comparison_table(version, comparison, fresh, applicant),
        advice=advice,
        fresh=fresh,
        form=requote,
        proposal_form=form,
        checked=checked,
        status_form=StatusForm(data={"status": found.status}),
        transitions=TRANSITIONS[found.status],
        proposals=[(p, advising.record_of(p, numbers.get(p.version_id))) for p in proposals],
        log=log,
        applicant=applicant,
        show_sample_notice=comparison.sample,
        assumptions_form=assumptions_form or AssumptionsForm.of(comparison.needs.assumptions),
        assumptions_action=url_for("broker.assumptions", request_id=found.id, v=version.number),
        contract_form=contract,
        contract_action=url_for("broker.change_contract", request_id=found.id),
    ), status


@bp.post("/requests/<int:request_id>/assumptions")
def assumptions(request_id: int) -> Any:
    """The needs' assumptions changed by the broker: the version shown quoted again with them, kept as a new version."""
    found = _request_or_404(request_id)
    version = _version(found)
    base = Assumptions.from_data(version.record.get("assumptions", {}))
    form = AssumptionsForm()
    changed = form.changed(base)
    if changed is None:
        return _request_page(found, version, assumptions_form=form)
    added = storage.requote_as_shown(current_app.extensions["rater"], found, version, by=current_user.username, assumptions=changed)
    differences = {k: v for k, v in asdict(changed).items() if asdict(base)[k] != v}
    audit("request.assumptions", f"request:{found.id}", f"v{added.number} " + " ".join(f"{k}={v}" for k, v in differences.items()))
    db.session.commit()
    return redirect(url_for("broker.request_detail", request_id=found.id, v=added.number))


@bp.post("/requests/<int:request_id>/requote")
def requote(request_id: int) -> Response:
    found = _request_or_404(request_id)
    terms = RequoteForm().terms() or abort(400)
    line, limit, deductible = terms
    version = storage.add_version(
        current_app.extensions["rater"],
        found,
        line=line,
        limit_jpy=limit,
        deductible_jpy=deductible,
        as_of=storage.rating_day(found.start_date),  # the start of cover asked, while it is still ahead
        by=current_user.username,
        cache=current_app.extensions["comparisons"],
    )
    if found.status == "new":
        found.status = "quoted"
    audit(
        "request.requote",
        f"request:{found.id}",
        f"v{version.number} {line.value} limit={limit} deductible={deductible}",
        {"version": version.number, "line": line.value, "limit_jpy": limit, "deductible_jpy": deductible},
    )
    db.session.commit()
    return redirect(url_for("broker.request_detail", request_id=found.id, v=version.number))


@bp.post("/requests/<int:request_id>/contract")
def change_contract(request_id: int) -> Response:
    """The contract check answered anew (after a call with the customer): a new version quoted with it."""
    found = _request_or_404(request_id)
    form = ContractForm()
    if not form.validate_on_submit():
        why = "、".join(str(e) for errors in form.errors.values() for e in errors)
        flash(_("契約の確認の回答を確認してください: %(why)s", why=why), "error")
        return redirect(url_for("broker.request_detail", request_id=found.id))
    try:
        contract = contract_from_data(form.contract_data())
    except ApplicantError as exc:
        flash(_("契約の確認の回答を確認してください: %(why)s", why=exc.reason), "error")
        return redirect(url_for("broker.request_detail", request_id=found.id))
    version = storage.change_contract(
        current_app.extensions["rater"], found, contract, as_of=storage.rating_day(found.start_date), by=current_user.username
    )
    if found.status == "new":
        found.status = "quoted"
    answers = " ".join(f"{k}={v}" for k, v in form.contract_data().items())
    audit("request.contract", f"request:{found.id}", f"v{version.number} {answers}")
    db.session.commit()
    return redirect(url_for("broker.request_detail", request_id=found.id, v=version.number))


@bp.post("/requests/<int:request_id>/status")
def change_status(request_id: int) -> Response:
    found = _request_or_404(request_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    new = form.status.data
    if new == "won" and found.status == "proposed":  # 成約 records the policy placed: its own form (webapp/book_views.py)
        flash(_("成約は「成約の記録」で、保険会社・プラン・保険料・始期日・満期日・証券番号と一緒に記録してください"), "error")
        return redirect(url_for("broker.request_detail", request_id=found.id) + "#book")
    if new not in TRANSITIONS[found.status]:
        if found.status == "won":
            flash(_("「成約」は「成約を取り消す」に理由を入力して提案済に戻してから変更してください"), "error")
        else:
            flash(_("「%(old)s」から「%(new)s」には変更できません", old=status_name(found.status), new=status_name(new)), "error")
        return redirect(url_for("broker.request_detail", request_id=found.id))
    audit("request.status", f"request:{found.id}", f"{found.status} -> {new}", {"from": found.status, "to": new})
    found.status = new
    db.session.commit()
    return redirect(url_for("broker.request_detail", request_id=found.id))


@bp.post("/requests/<int:request_id>/proposal")
def propose(request_id: int) -> Any:
    """Record a proposal: the wishes as first heard and as confirmed, a plan checked against them, the day the key facts
    were explained. A departure from the final wishes needs its reason, and a change of wishes its account, before it is kept."""
    found = _request_or_404(request_id)
    version = _version(found)
    if found.status in ("won", "lost"):
        if found.status == "won":
            flash(_("「成約」の依頼には提案を記録できません。先に「成約を取り消す」に理由を入力して提案済に戻してください"), "error")
        else:
            flash(
                _("「%(status)s」の依頼には提案を記録できません。先に状態を見積済に戻してください", status=status_name(found.status)),
                "error",
            )
        return redirect(url_for("broker.request_detail", request_id=found.id, v=version.number))
    lang = current_lang()
    rater = current_app.extensions["rater"]
    every_plan = storage.all_plans_of(rater, version, current_app.extensions["all_plans"], current_app.extensions["comparisons"])
    form = advising.AdviceForm()
    advising.localize(form, lang, (advising.initial_wishes(found),))
    form.plan.choices = advising.plan_choices(every_plan, lang)
    if not form.validate_on_submit():
        flash(_("入力内容をご確認ください: ご意向・提案プラン・理由・重要事項説明の説明日が必要です"), "error")
        return _request_page(found, version, form)
    column = advising.column_of(every_plan, form.plan.data)
    if column is None or every_plan.columns[column].quote.premium_jpy is None:
        form.plan.errors = [*form.plan.errors, _("お引受けできないプランは提案できません")]
        return _request_page(found, version, form)
    if advising.reasons_left_for_another_plan(form, storage.comparison_of(rater, version, current_app.extensions["comparisons"])[0]):
        form.reasons.errors = [*form.reasons.errors, _("理由が自動で選んだ候補のままです。ご提案するプランの理由を書いてください")]
        return _request_page(found, version, form)
    checked = advising.check(form, found, every_plan, column)
    if checked.missing or checked.change_note_missing:
        flash(_("ご意向と異なる点の理由、またはご意向が変わった経緯を記入してください"), "error")
        return _request_page(found, version, form, checked)
    quote = every_plan.columns[column].quote
    plan = proposed_plan(quote)
    db.session.add(
        Proposal(
            request_id=found.id,
            version_id=version.id,
            created_by=current_user.username,
            wishes=checked.final.note,
            carrier=quote.carrier.value,
            plan_code=quote.plan.code,
            reasons=form.reasons.data.strip(),
            comparison_sha256=version.fingerprint,
            initial_wishes=checked.initial.to_data(),
            final_wishes=checked.final.to_data(),
            wish_changes=[asdict(c) for c in checked.changes],
            change_note=(form.change_note.data or "").strip(),
            proposed=plan.to_data(),
            compared=[proposed_plan(c.quote).to_data() for c in every_plan.columns],
            departures=[d.to_data() for d in checked.departures],
            explained_on=form.explained_on.data,
            confirmed_at=clock.now(),
        )
    )
    found.status = "proposed"
    audit(
        "request.proposal",
        f"request:{found.id}",
        f"v{version.number} {form.plan.data}",
        {"version": version.number, **plan.to_data(), "departures": len(checked.departures)},
    )
    db.session.commit()
    flash(_("提案を記録しました"), "ok")
    return redirect(url_for("broker.request_detail", request_id=found.id, v=version.number))


@bp.get("/requests/<int:request_id>/comparison.xlsx")
def workbook(request_id: int) -> Response:
    found = _request_or_404(request_id)
    version = _version(found)
    audit("request.workbook", f"request:{found.id}", f"v{version.number}", {"version": version.number})
    db.session.commit()
    return send_workbook(version, found)


# ---------------------------------------------------------------- bulk ---


@bp.route("/bulk", methods=["GET", "POST"])
def bulk() -> Any:
    form = ClientListForm()
    if form.validate_on_submit():
        upload = form.file.data
        name = Path(upload.filename or "clients.xlsx").name
        job = BulkJob(created_by=current_user.username, filename=name[:255])
        db.session.add(job)
        db.session.flush()
        folder = tasks.job_folder(current_app, job)
        folder.mkdir(parents=True, exist_ok=True)
        upload.save(folder / f"input{Path(name).suffix.lower()}")
        audit("bulk.upload", f"bulk:{job.token}", name, {"filename": name})
        db.session.commit()
        tasks.enqueue(current_app, job)
        return redirect(url_for("broker.bulk_job", token=job.token))
    tasks.sweep(current_app)
    jobs = db.session.scalars(select(BulkJob).order_by(BulkJob.id.desc()).limit(50)).all()
    status = 400 if request.method == "POST" else 200
    return render_template("broker/bulk.html", form=form, jobs=jobs, show_sample_notice=False), status


def _job_or_404(token: str) -> BulkJob:
    if not is_token(token):
        abort(404)
    job = db.session.scalars(select(BulkJob).where(BulkJob.token == token)).first()
    if job is None:
        abort(404)
    return job


@bp.get("/bulk/<token>")
def bulk_job(token: str) -> Any:
    tasks.sweep(current_app)  # a job whose worker died is seen here too, not only by another worker
    job = _job_or_404(token)
    return render_template("broker/bulk_job.html", job=job, info=tasks.describe(job), retry=FlaskForm(), show_sample_notice=False)


@bp.get("/bulk/<token>/status.json")
def bulk_status(token: str) -> Response:
    tasks.sweep(current_app)
    return jsonify(tasks.describe(_job_or_404(token)))


@bp.post("/bulk/<token>/retry")
def bulk_retry(token: str) -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    tasks.sweep(current_app)
    job = _job_or_404(token)
    if tasks.reset_for_retry(current_app, job):
        audit("bulk.retry", f"bulk:{job.token}", job.filename, {"filename": job.filename})
        db.session.commit()
        tasks.enqueue(current_app, job)
    else:
        flash(_("このジョブはもう一度実行できません(実行中か、完了したか、同じファイルで処理が異常終了しました)"), "error")
    return redirect(url_for("broker.bulk_job", token=token))


@bp.get("/bulk/<token>/result.xlsx")
def bulk_result(token: str) -> Response:
    job = _job_or_404(token)
    path = tasks.job_folder(current_app, job) / "result.xlsx"
    if job.status != "done" or not path.exists():
        abort(404)
    stem = Path(job.filename).stem
    return send_file(path, as_attachment=True, download_name=f"{stem}_見積結果.xlsx")


# ------------------------------------------------------------ carriers ---


@bp.get("/carriers")
def carriers() -> Any:
    carrierdata.sweep_interrupted_uploads(current_app)
    data = current_app.extensions["carriers"]
    rows = []
    for carrier in dict.fromkeys([*(c for c in Carrier if c in data), *carrierdata.declare_added()]):
        history = carrierdata.history(carrier)
        if carrier in data or history:  # an added carrier is listed from its first upload, passing or not
            rows.append(
                {
                    "carrier": carrier,
                    "data": data.get(carrier),  # None: added as data, with no version that passes yet
                    "files": carrierdata.expected_files(current_app, carrier),
                    "history": history,
                    "mappings": carrierdata.mappings_for(carrier),
                }
            )
    keys = [(k.value, KEY_INFO[k].label_ja) for k in CoverageKey]
    return render_template(
        "broker/carriers.html",
        rows=rows,
        form=UploadForm(),
        keys=keys,
        map_form=FlaskForm(),
        show_sample_notice=any(d.sample for d in data.values()),
    )


@bp.get("/carriers/template.xlsx")
def carrier_template() -> Response:
    """The blank canonical plan workbook: headers, and a guide to every column and the words it accepts."""
    buffer = io.BytesIO()
    plan_workbook.write(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=TEMPLATE_NAME, mimetype=XLSX)


@bp.post("/carriers/add")
def carrier_add() -> Response:
    """A carrier added from a filled-in canonical workbook, or a new version of one added before."""
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("ファイルを選んでください"), "error")
        return redirect(url_for("broker.carriers"))
    upload = form.file.data
    try:
        row = carrierdata.add_carrier(current_app, upload.filename or "", upload.read(), current_user.username)
    except carrierdata.UploadRefused as exc:
        flash(_("保険会社を追加できませんでした: %(error)s", error=str(exc)), "error")
        return redirect(url_for("broker.carriers") + "#add")
    return _uploaded("carrier.add", Carrier(row.carrier), row)


@bp.post("/carriers/<carrier>/upload")
def carrier_upload(carrier: str) -> Response:
    chosen = _carrier_or_404(carrier)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("ファイルを選んでください"), "error")
        return redirect(url_for("broker.carriers"))
    upload = form.file.data
    try:
        row = carrierdata.upload(current_app, chosen, upload.filename or "", upload.read(), current_user.username)
    except carrierdata.UploadRefused as exc:
        flash(
            _(
                "「%(name)s」は%(carrier)sのデータにないファイル名です。次のいずれかを同じ名前で送ってください: %(files)s",
                name=exc.name,
                carrier=carrier_name(chosen, "en" if current_lang() == "en" else "ja"),
                files=", ".join(exc.expected) if current_lang() == "en" else "、".join(exc.expected),
            ),
            "error",
        )
        return redirect(url_for("broker.carriers"))
    return _uploaded("carrier.upload", chosen, row)


def _uploaded(action: str, chosen: Carrier, row: CarrierDataset) -> Response:
    """An upload's audit entry, and what the broker is told, however it ended: for a new version of a carrier's files
    (carrier.upload) or a carrier added from the canonical workbook (carrier.add)."""
    audit(
        action,
        f"carrier:{chosen.value}",
        f"{row.filename}: {row.status} {row.error[:500]}",
        {"filename": row.filename, "status": row.status, "error": row.error[:500]},
    )
    db.session.commit()
    name = carrier_name(chosen, "en" if current_lang() == "en" else "ja")
    if row.status == "rejected" and chosen in current_app.extensions["carriers"]:
        flash(
            _("%(file)s は取り込めませんでした。現在の版をそのまま使います。理由: %(error)s", file=row.filename, error=row.error), "error"
        )
    elif row.status == "rejected":  # an added carrier with no version that passes: nothing to go on quoting
        flash(
            _("%(carrier)s の %(file)s は取り込めませんでした。理由: %(error)s", carrier=name, file=row.filename, error=row.error), "error"
        )
    elif row.status == "scheduled":
        flash(
            _(
                "%(file)s を検証しました。%(day)s から有効になります(%(versions)s)",
                file=row.filename,
                day=row.effective_from,
                versions=row.rate_versions,
            ),
            "ok",
        )
    elif action == "carrier.add":
        flash(_("%(carrier)s を追加しました。見積もりと比較に加わります(%(versions)s)", carrier=name, versions=row.rate_versions), "ok")
    else:
        flash(_("%(file)s を取り込みました。新しい版: %(versions)s", file=row.filename, versions=row.rate_versions), "ok")
    return redirect(url_for("broker.carriers") + f"#{chosen.value}")


@bp.post("/carriers/<carrier>/mappings/<int:dataset_id>")
def carrier_mappings(carrier: str, dataset_id: int) -> Response:
    chosen = _carrier_or_404(carrier)
    if not FlaskForm().validate_on_submit():
        abort(400)
    row = db.session.get(CarrierDataset, dataset_id)
    if row is None or row.carrier != chosen.value or row.status != "rejected" or not row.unclassified:
        abort(404)
    keys = {k.value for k in CoverageKey}
    for i, item in enumerate(row.unclassified):
        wording = item[0]  # [wording, where] or [wording, where, candidates]
        choice = request.form.get(f"key-{i}", "")
        if choice in keys:
            carrierdata.add_mapping(chosen, wording, CoverageKey(choice), current_user.username)
            audit("carrier.mapping", f"carrier:{chosen.value}", f"{wording} -> {choice}", {"wording": wording, "key": choice})
    db.session.commit()
    checked = carrierdata.validate(current_app, row)
    if checked.status in ("active", "scheduled"):
        flash(_("対応付けを保存して再検証しました: 取り込みました"), "ok")
    else:
        flash(
            _("対応付けを保存して再検証しました: まだ取り込めません(%(error)s)", error=checked.error),
            "ok" if checked.status != "rejected" else "error",
        )
    return redirect(url_for("broker.carriers") + f"#{chosen.value}")


def _carrier_or_404(carrier: str) -> Carrier:
    try:
        return Carrier(carrier)
    except ValueError:
        abort(404)
    raise AssertionError("abort() raises")  # pragma: no cover


@bp.get("/audit")
def audit_log() -> Any:
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500)).all()
    return render_template("broker/audit.html", rows=rows, names=auditlog.target_names(rows), show_sample_notice=False)
