"""Broker accounts: argon2 password hashes, a rate-limited login that starts a new session, and logout."""

from __future__ import annotations

import hmac
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from webapp.extensions import db, limiter, login_manager
from webapp.models import AuditEntry, User
from webapp.params import has_control, without_control

bp = Blueprint("auth", __name__)
hasher = PasswordHasher()
MIN_PASSWORD = 12
# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hasher.hash("not-a-real-password-only-for-timing")


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("ユーザー名"), validators=[DataRequired(_l("入力してください"))])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(_l("入力してください"))])


class AccountError(ValueError):
    pass


def create_user(username: str, password: str, display_name: str = "") -> User:
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("ユーザー名は1〜80文字です")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"パスワードは{MIN_PASSWORD}文字以上にしてください")
    if db.session.scalars(select(User).where(User.username == username)).first() is not None:
        raise AccountError(f"ユーザー {username} はすでにあります")
    user = User(username=username, display_name=display_name or username, password_hash=hasher.hash(password))
    db.session.add(user)
    db.session.add(AuditEntry(username="system", action="user.create", target=username))
    db.session.commit()
    return user


def check_password(username: str, password: str) -> User | None:
    # A name with control characters (NUL, CR, LF) is nobody's, and PostgreSQL refuses to compare NUL.
    user = None if has_control(username) else db.session.scalars(select(User).where(User.username == username)).first()
    try:
        hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.commit()
    return user


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    ident, _, nonce = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or not hmac.compare_digest(user.session_nonce, nonce):
        return None
    return user


def audit(action: str, target: str = "", detail: str = "", data: dict[str, Any] | None = None) -> None:
    """Record what the logged-in broker did (committed with the change it describes).

    `detail` is the entry in a few plain words; `data` the same as data, from which the log page writes it in the
    reader's language (webapp/auditlog.py).
    """
    name = current_user.username if current_user.is_authenticated else "anonymous"
    db.session.add(AuditEntry(username=name, action=action, target=target, detail=detail[:2000], data=data))


@bp.route("/broker/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = check_password(form.username.data.strip(), form.password.data)
        if user is None:
            db.session.add(AuditEntry(username=without_control(form.username.data.strip())[:80], action="login.failed"))
            db.session.commit()
            form.password.errors = [*form.password.errors, _l("ユーザー名かパスワードが違います")]
            return render_template("broker/login.html", form=form, show_sample_notice=False), 401
        lang = session.get("lang")
        session.clear()  # a new session on login: nothing from before it carries over
        if lang:
            session["lang"] = lang
        login_user(user)
        db.session.add(AuditEntry(username=user.username, action="login"))
        db.session.commit()
        return redirect(_next_page(request.args.get("next", "")))
    return render_template("broker/login.html", form=form, show_sample_notice=False)


def _next_page(target: str) -> str:
    """Where to go after logging in: a broker page of this site, or the dashboard.

    Another site (//evil, /\\evil) and control characters (a CR/LF would split the Location header) fall back.
    """
    if (target == "/broker" or target.startswith("/broker/")) and "\\" not in target and not has_control(target):
        return target
    return url_for("broker.dashboard")


@bp.post("/broker/logout")
@login_required
def logout() -> Response:
    audit("logout")
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
