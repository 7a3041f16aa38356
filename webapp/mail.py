"""Mail through the task queue (Flask-Mailman over SMTP): the customer's link to the results, brokers' alerts and renewal reminders.

Nothing is sent inside a web request: a page enqueues a message and a worker renders and sends it
(webapp/tasks.py), retrying when the server does not answer. With no MAIL_SERVER nothing is queued
and no page promises an e-mail. Templates are text files in templates/mail/, one per language: the
customer's in the language of the page they used, the brokers' in Japanese with the English below.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask, current_app
from sqlalchemy import or_, select, update

from aggregator import clock
from aggregator.labels import carrier_name, line_name
from aggregator.money import format_premium, format_yen
from aggregator.policy import RENEWAL_WINDOWS, days_left, window_of
from aggregator.schema import INDUSTRY_NAMES, Carrier, Industry, Line

SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER")
BROKER_LANGS = ("ja", "en")
SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def enabled(app: Flask) -> bool:
    return bool(app.config.get("MAIL_SERVER"))


def setup(app: Flask) -> None:
    if enabled(app):
        from flask_mailman import Mail

        Mail().init_app(app)


def broker_addresses(app: Flask) -> list[str]:
    return [a.strip() for a in str(app.config.get("BROKER_MAIL_TO") or "").split(",") if a.strip()]


def status_line(app: Flask) -> str:
    """What `make run` says about mail: where it goes, or how to turn it on."""
    if not enabled(app):
        return (
            "メール送信: 無効です。MAIL_SERVER(と MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER)を"
            "設定すると、お客様へ見積結果のURLを、BROKER_MAIL_TO の代理店あてに新しい見積依頼と満期のお知らせを送ります(README「メール」)。"
        )
    c = app.config
    tls = "STARTTLS" if c.get("MAIL_USE_TLS") else "TLSなし"
    brokers = "、".join(broker_addresses(app)) or "なし(BROKER_MAIL_TO 未設定)"
    return f"メール送信: 有効 — SMTP {c['MAIL_SERVER']}:{c['MAIL_PORT']}({tls})、送信元 {c['MAIL_DEFAULT_SENDER']}、代理店あて {brokers}"


# ------------------------------------------------------------------ queue and send ---


def enqueue(app: Flask, to: list[str], template: str, langs: tuple[str, ...], **context: Any) -> bool:
    """Queue one message for a worker to send; False (nothing queued) without a mail server or an address."""
    if not enabled(app) or not to:
        return False
    app.extensions["mail_task"](list(to), template, list(langs), context)
    return True


def render(template: str, langs: list[str], context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body: each language's template (its first line is `Subject: …`), Japanese first when there are two."""
    subjects, bodies = [], []
    for lang in langs:
        text = current_app.jinja_env.get_template(f"mail/{template}.{lang}.txt").render(**context)  # no request: no context processors
        head, _, body = text.partition("\n")
        subjects.append(head.removeprefix("Subject:").strip())
        bodies.append(body.strip("\n"))
    return " / ".join(subjects), SEPARATOR.join(bodies) + "\n"


def deliver(app: Flask, to: list[str], template: str, langs: list[str], context: dict[str, Any]) -> None:
    """Send one message now (a worker calls this): SMTP errors propagate, so the queue retries."""
    from flask_mailman import EmailMessage

    subject, body = render(template, langs, context)
    EmailMessage(subject=subject, body=body, from_email=app.config["MAIL_DEFAULT_SENDER"], to=to).send()


# ------------------------------------------------------------------------ messages ---


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def request_created(app: Flask, request_row: Any, url: str) -> None:
    """A new request from the site or the API: its link to the customer, an alert to the brokers."""
    from flask import url_for

    version = request_row.versions[0]
    customer_mail(app, request_row, version, url)
    current = request_row.current_policy or {}
    enqueue(
        app,
        broker_addresses(app),
        "new_request",
        BROKER_LANGS,
        company=request_row.company,
        industry=INDUSTRY_NAMES[Industry(request_row.industry)],
        lines=[(line_name(Line(code)), line_name(Line(code), "en")) for code in request_row.lines.split(",")],
        source=request_row.source,
        email=request_row.contact_email,
        start_date=_day(request_row.start_date),
        current=_current_words(current),
        broker_url=url_for("broker.request_detail", request_id=request_row.id, _external=True),
    )


def version_made(app: Flask, request_row: Any, version: Any, url: str) -> None:
    """A new version the customer made on their page: its link, to them."""
    customer_mail(app, request_row, version, url)


def customer_mail(app: Flask, request_row: Any, version: Any, url: str) -> bool:
    """The link to one version's results, to the customer's address, in the language of their page."""
    if not request_row.contact_email:
        return False
    lang = request_row.lang if request_row.lang in ("ja", "en") else "ja"
    return enqueue(
        app,
        [request_row.contact_email],
        "quote_ready",
        (lang,),
        company=request_row.company,
        url=url,
        version=version.number,
        carriers=len(app.extensions.get("carriers", ())),  # the carriers compared: the data loaded, one a broker added included
        line=line_name(Line(version.line), "en" if lang == "en" else "ja"),
        as_of=version.as_of.isoformat(),
        limit=format_yen(version.limit_jpy, "en" if lang == "en" else "ja"),
        deductible=format_yen(version.deductible_jpy, "en" if lang == "en" else "ja"),
    )


def _current_words(current: dict[str, Any]) -> tuple[str, str] | None:
    if not current:
        return None
    insurer = current.get("insurer", "")
    names = (
        (current.get("insurer_name", ""),) * 2
        if insurer not in {c.value for c in Carrier}
        else (carrier_name(Carrier(insurer)), carrier_name(Carrier(insurer), "en"))
    )
    expiry = current.get("expiry") or "—"
    product = current.get("product", "")
    return f"{names[0]} {product}(満期 {expiry})".strip(), f"{names[1]} {product} (expires {expiry})".strip()


def send_due_reminders(app: Flask) -> int:
    """Renewal reminders for policies newly inside a window (90, 60, 30 days): one message to the brokers. Returns how many policies.

    Each policy is claimed for its window in one statement before the message is queued, so two
    workers (or the hourly task and the button on the renewals page) never remind of the same one twice.
    """
    from webapp.extensions import db
    from webapp.models import Policy

    if not enabled(app) or not broker_addresses(app):
        return 0
    today = clock.today()
    furthest = date.fromordinal(today.toordinal() + max(RENEWAL_WINDOWS))
    rows = db.session.scalars(
        select(Policy)
        .where(Policy.status == "in_force", Policy.expiry_date >= today, Policy.expiry_date <= furthest)
        .order_by(Policy.expiry_date, Policy.id)
    ).all()
    due = []
    for policy in rows:
        window = window_of(policy.expiry_date, today)
        if window is None or (policy.reminded_days is not None and policy.reminded_days <= window):
            continue
        claimed = db.session.execute(
            update(Policy)
            .where(Policy.id == policy.id, or_(Policy.reminded_days.is_(None), Policy.reminded_days > window))
            .values(reminded_days=window)
        )
        if claimed.rowcount:  # type: ignore[attr-defined]
            due.append((policy, window))
    db.session.commit()
    if not due:
        return 0
    enqueue(
        app,
        broker_addresses(app),
        "renewal_reminder",
        BROKER_LANGS,
        today=today.isoformat(),
        policies=[
            {
                "company": p.company,
                "carrier": (carrier_name(Carrier(p.carrier)), carrier_name(Carrier(p.carrier), "en")),
                "plan": p.plan_name,
                "number": p.policy_number or "—",
                "expiry": p.expiry_date.isoformat(),
                "days": days_left(p.expiry_date, today),
                "window": window,
                "premium": (format_premium(p.premium_jpy), format_premium(p.premium_jpy, "en")),
            }
            for p, window in due
        ],
    )
    return len(due)
