"""The customer's pages: one form, then every carrier side by side at an unguessable link."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from aggregator import clock
from aggregator.applicants import ApplicantInputError, applicant_from_data
from aggregator.compliance import AdviceRecord
from aggregator.current_data import current_from_data
from aggregator.errors import ApplicantError
from aggregator.exposure import Assumptions
from aggregator.money import Lang
from aggregator.policy import check_start, latest_start
from aggregator.rating import Rater
from aggregator.recommendation import cyber_inside_it_eo, priorities_from_data, recommend
from aggregator.schema import Line
from webapp import current_lang, mail, storage
from webapp.cache import SharedCache
from webapp.extensions import db
from webapp.forms import ITEM_STATES, AssumptionsForm, CurrentPolicyForm, QuoteForm, RequoteForm, localize
from webapp.models import QuoteRequest, QuoteVersion
from webapp.params import int_arg

bp = Blueprint("public", __name__)


def rater() -> Rater:
    rated: Rater = current_app.extensions["rater"]
    return rated


def today() -> date:
    return clock.today()


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """The database and the queue answer, and which carrier data this host serves (docs/DEPLOYMENT.md)."""
    from webapp.health import report

    return report(current_app)


def current_fields(cp: CurrentPolicyForm, stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """What _current_policy_fields.html needs: the form, each item's state and amount (as posted, or as stored), the choices."""
    from aggregator.taxonomy import CoverageKey

    lang = current_lang()
    cp.localize(lang)
    if request.method == "POST" and request.form.get("cp-insurer") is not None:
        items = {key.value: (state, amount) for key, state, amount in cp.item_fields()}
    else:
        said = (stored or {}).get("items", {})
        items = {k: _item_state(v) for k, v in said.items()}
    return {"cp": cp, "cp_items": items, "item_keys": list(CoverageKey), "item_states": [(v, str(n)) for v, n in ITEM_STATES]}


def _item_state(said: Any) -> tuple[str, str]:
    """A stored item (true, false, an amount, or a policy's item with its terms) as the form's state and amount."""
    if isinstance(said, dict):
        limit = said.get("limit_jpy")
        return ("yes" if said.get("covered", True) else "no"), ("" if limit is None else f"{limit:,}")
    if said is False:
        return "no", ""
    return "yes", "" if said is True else f"{said:,}"


def read_current(cp: CurrentPolicyForm) -> tuple[Any, bool]:
    """The current policy the form gives (None when none is), and whether it was read without errors."""
    if not cp.given:
        return None, True
    try:
        return current_from_data(cp.current_data()), True
    except ApplicantInputError as exc:
        cp.show_errors(exc.errors)
        return None, False


@bp.route("/", methods=["GET", "POST"])
def index() -> Any:
    form = QuoteForm()
    cp = CurrentPolicyForm(prefix="cp")
    localize(form, current_lang())
    form.start_date.render_kw = {"min": today().isoformat(), "max": latest_start(today()).isoformat()}
    if request.method == "POST":
        valid = form.validate_on_submit()
        current, current_ok = read_current(cp)
        start = form.start_date.data or today()
        try:
            check_start(start, today())
        except ApplicantError as exc:
            form.start_date.errors = [*form.start_date.errors, exc.reason]
            valid = False
        if valid:
            try:
                applicant = applicant_from_data(form.applicant_data())
            except ApplicantInputError as exc:
                for error in exc.errors:
                    target = {
                        "annual_revenue_jpy": "annual_revenue",
                        "largest_contract_jpy": "largest_contract",
                        "contract.liability_cap_jpy": "liability_cap_amount",
                    }.get(error.field, error.field)
                    field = form._fields.get(target, form.company)
                    field.errors = [*field.errors, error.reason]
            else:
                if current_ok:
                    created = storage.create_request(
                        rater(),
                        applicant,
                        priorities_from_data(form.priorities_data()),
                        as_of=storage.rating_day(start),
                        current=current,
                        start_date=start if start != today() else None,
                        lang=current_lang(),
                        cache=current_app.extensions["comparisons"],
                    )
                    mail.request_created(current_app, created, url_for("public.quote", token=created.token, _external=True))
                    return redirect(url_for("public.quote", token=created.token))
        return render_template("index.html", form=form, **current_fields(cp)), 400
    return render_template("index.html", form=form, **current_fields(cp))


def comparison_table(version: QuoteVersion, comparison: Any, fresh: bool, applicant: Any) -> Markup:
    """The comparison table's HTML, rendered once per version and language: a version never changes."""
    cache: SharedCache[tuple[int, str, bool], Markup] = current_app.extensions["fragments"]
    key = (version.id, current_lang(), fresh)
    html = cache.get(key)
    if html is None:
        html = Markup(render_template("_comparison_table.html", comparison=comparison, columns=comparison.columns, applicant=applicant))
        cache[key] = html
    return html


@bp.get("/policies/<name>")
def policy(name: str) -> Any:
    """The agency's policies, which a comparison site must publish: 比較推奨販売の方針, 勧誘方針, the privacy policy."""
    from webapp import agency

    titles = {
        "recommendation": _("比較推奨販売の方針"),
        "solicitation": _("勧誘方針"),
        "privacy": _("個人情報の取扱い(プライバシーポリシー)"),
    }
    if name not in titles:
        abort(404)
    text = agency.policy(name, current_lang())
    return render_template("policy.html", name=name, title=titles[name], text=text, blocks=agency.blocks(text.text))


@bp.get("/quotes/<token>")
def quote(token: str) -> Any:
    number = int_arg("v")
    line = request.args.get("line")
    line = line if line in {member.value for member in Line} else None  # another value: the newest version
    version_id, proposal_id = storage.page_key(token, number, line) or abort(404)
    # A version never changes: its page is rendered once per language (and per confirmed proposal: a broker's
    # proposal changes what it says) and kept, with the session's CSRF token put back in on every request.
    token_now = generate_csrf()
    pages: SharedCache[tuple[int, str], str] = current_app.extensions["fragments"]
    key = (version_id, f"page:{current_lang()}:{proposal_id}")
    page = pages.get(key)
    if page is None:
        found, version = storage.find_with_version(token, number, line) or abort(404)
        page = _render_quote(found, version).replace(token_now, CSRF_SLOT)
        pages[key] = page
    return page.replace(CSRF_SLOT, token_now)


CSRF_SLOT = "\x00csrf\x00"


def confirmed_record(found: QuoteRequest) -> AdviceRecord | None:
    """The broker's confirmed proposal for the request, as the customer's page and workbook show it; None before one."""
    from webapp.advice import record_of

    proposal = storage.confirmed_proposal(found.id)
    if proposal is None:
        return None
    number = db.session.scalar(select(QuoteVersion.number).where(QuoteVersion.id == proposal.version_id))
    return record_of(proposal, number)


def _render_quote(found: QuoteRequest, version: QuoteVersion, assumptions_form: AssumptionsForm | None = None) -> str:
    comparison, fresh = storage.comparison_of(rater(), version, current_app.extensions["comparisons"])
    applicant = storage.version_applicant(version)
    form = RequoteForm(data={"line": version.line, "limit_jpy": str(version.limit_jpy), "deductible_jpy": str(version.deductible_jpy)})
    localize(form, current_lang())
    asked = [Line(code) for code in found.lines.split(",") if code]
    assumptions_form = assumptions_form or AssumptionsForm.of(comparison.needs.assumptions)
    localize(assumptions_form, current_lang())
    return render_template(
        "quote.html",
        request_row=found,
        version=version,
        comparison=comparison,
        comparison_html=comparison_table(version, comparison, fresh, applicant),
        advice=recommend(comparison),
        lines_asked=asked,
        overlapping=cyber_inside_it_eo(rater()) if {Line.CYBER, Line.IT_EO} <= set(asked) else (),
        assumptions_form=assumptions_form,
        assumptions_action=url_for("public.assumptions", token=found.token, v=version.number),
        confirmed=confirmed_record(found),
        fresh=fresh,
        form=form,
        applicant=applicant,
    )


@bp.post("/quotes/<token>/assumptions")
def assumptions(token: str) -> Any:
    """The needs' assumptions changed: the version shown quoted again with them, as a new version."""
    found, version = storage.find_with_version(token, int_arg("v")) or abort(404)
    base = Assumptions.from_data(version.record.get("assumptions", {}))
    form = AssumptionsForm()
    changed = form.changed(base)
    if changed is None:
        return _render_quote(found, version, assumptions_form=form), 400
    added = storage.requote_as_shown(
        rater(), found, version, by="customer", assumptions=changed, cache=current_app.extensions["comparisons"]
    )
    mail.version_made(current_app, found, added, url_for("public.quote", token=token, v=added.number, _external=True))
    return redirect(url_for("public.quote", token=token, v=added.number))


@bp.post("/quotes/<token>/requote")
def requote(token: str) -> Response:
    found = storage.find_request(token) or abort(404)
    terms = RequoteForm().terms() or abort(400)
    line, limit, deductible = terms
    version = storage.add_version(
        rater(),
        found,
        line=line,
        limit_jpy=limit,
        deductible_jpy=deductible,
        as_of=storage.rating_day(found.start_date),
        by="customer",
        cache=current_app.extensions["comparisons"],
    )
    mail.version_made(current_app, found, version, url_for("public.quote", token=token, v=version.number, _external=True))
    return redirect(url_for("public.quote", token=token, v=version.number))


@bp.get("/quotes/<token>/comparison.xlsx")
def workbook(token: str) -> Response:
    found, version = storage.find_with_version(token, int_arg("v")) or abort(404)
    return send_workbook(version, found)


def send_workbook(version: QuoteVersion, found: QuoteRequest) -> Response:
    """The version's comparison workbook, in the page's language, built in memory and streamed."""
    from aggregator.export import write_comparison
    from webapp import agency

    comparison, _fresh = storage.comparison_of(rater(), version, current_app.extensions["comparisons"])
    buffer = io.BytesIO()
    lang: Lang = "en" if current_lang() == "en" else "ja"
    write_comparison(
        comparison,
        buffer,
        lang=lang,
        applicant=storage.version_applicant(version),
        as_of=version.as_of,
        agency=agency.current(),
        record=confirmed_record(found),
    )
    buffer.seek(0)
    title = _("保険見積比較表")
    name = f"{title}_{version.as_of.isoformat()}_v{version.number}.xlsx"
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=name)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_errorhandler(404)
def not_found(_error: Any) -> Any:
    if request.path.startswith("/api/"):
        return {"error": {"code": "not_found", "message": "見つかりません / not found"}}, 404
    return render_template(
        "error.html",
        title=_("ページが見つかりません"),
        message=_("URLをご確認ください。見積結果のURLはお送りしたメールにあるものをそのままお使いください。")
        if mail.enabled(current_app)
        else _("URLをご確認ください。見積結果のURLは、見積もりの後に表示されたページのアドレスです。"),
    ), 404


@bp.app_errorhandler(400)
def bad_request(_error: Any) -> Any:
    if request.path.startswith("/api/"):
        return {"error": {"code": "bad_request", "message": "リクエストが正しくありません / bad request"}}, 400
    return render_template(
        "error.html", title=_("送信内容を確認できませんでした"), message=_("ページを開き直して、もう一度お試しください。")
    ), 400


@bp.app_errorhandler(429)
def too_many(_error: Any) -> Any:
    if request.path.startswith("/api/"):
        return {
            "error": {"code": "rate_limited", "message": "リクエストが多すぎます。しばらくしてからお試しください / too many requests"}
        }, 429
    return render_template("error.html", title=_("アクセスが集中しています"), message=_("しばらくしてからもう一度お試しください。")), 429


@bp.app_errorhandler(413)
def too_large(_error: Any) -> Any:
    if request.path.startswith("/api/"):
        return {"error": {"code": "too_large", "message": "送信データが大きすぎます / request too large"}}, 413
    return render_template("error.html", title=_("ファイルが大きすぎます"), message=_("25MBまでのファイルを送信してください。")), 413
