"""The Flask web app: the customer's quote form and results, the JSON API, and the broker workspace."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session

from webapp import config as settings
from webapp.extensions import babel, csrf, db, limiter, login_manager


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, instance_path=settings.instance_path())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(settings.load(Path(app.instance_path), test_config))
    from webapp.params import BoundedInt

    app.url_map.converters["int"] = BoundedInt  # before any route is added: every <int:…> is bounded
    _setup_proxy(app)
    _setup_database(app)
    _setup_extensions(app)
    _setup_agency(app)
    _setup_carriers(app)
    _setup_security(app)
    _setup_blueprints(app)
    return app


def _setup_proxy(app: Flask) -> None:
    """Behind PROXY_FIX_X_FOR proxies, the client's address is the one they put in X-Forwarded-For.

    Off by default: without a proxy that sets the header, anyone could send it and pick their own
    rate-limit bucket. The address decides the public and login rate limits.
    """
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]


def _setup_database(app: Flask) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file on this host cannot go away between requests: no test query before each one.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    db.init_app(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            # WAL lets readers go on while one writer commits; FULL sync keeps a commit through power loss.
            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000", "foreign_keys=ON"):
                    cursor.execute(f"PRAGMA {pragma}")
                cursor.close()

        if app.config["AUTO_MIGRATE"]:
            from webapp.migrate import upgrade

            upgrade(str(engine.url.render_as_string(hide_password=False)))


def current_lang() -> str:
    """The page's language: ?lang= switches it and the session remembers it; Japanese by default.

    Worked out once per request (every filter asks); outside a request (a worker, a mail, a script) Japanese.
    """
    if not has_request_context():
        return "ja"
    cached: str | None = g.get("lang")
    if cached is not None:
        return cached
    lang = request.args.get("lang")
    if lang in ("ja", "en"):
        session["lang"] = lang
    else:
        stored = session.get("lang")
        lang = stored if stored in ("ja", "en") else "ja"
    g.lang = lang
    return lang


def _setup_extensions(app: Flask) -> None:
    from webapp import mail, tasks

    csrf.init_app(app)
    login_manager.init_app(app)
    mail.setup(app)
    tasks.setup(app)
    babel.init_app(app, locale_selector=current_lang, default_translation_directories=_compile_translations(app))
    limiter.init_app(app)
    from webapp import filters

    filters.register(app)


def _setup_agency(app: Flask) -> None:
    from webapp import agency

    agency.setup(app)


def _compile_translations(app: Flask) -> str:
    """Compile the committed .po catalogues into the instance folder (no build step to forget)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = Path(__file__).parent / "translations"
    target = Path(app.instance_path) / "translations"
    for po in source.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f)
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as f:
            write_mo(f, catalog)
        partial.replace(mo)
    return str(target)


def _setup_carriers(app: Flask) -> None:
    """Carrier data is loaded once at start-up (the active version of each carrier), then only when it changes."""
    from webapp import carrierdata

    with app.app_context():
        carrierdata.sweep_interrupted_uploads(app)
        carrierdata.install(app)

    @app.before_request
    def _fresh_carrier_data() -> None:
        if request.endpoint and not request.endpoint.startswith("static") and request.endpoint != "public.healthz":
            carrierdata.refresh_if_changed(app)


def _setup_security(app: Flask) -> None:
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.path.startswith(("/quotes/", "/api/", "/broker")):
            response.headers["Cache-Control"] = "no-store"
        return response


def _setup_blueprints(app: Flask) -> None:
    from webapp import api, auth, book_views, broker, public

    book_views.install()  # the broker's book: its routes are on the broker blueprint, added before it is registered

    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(broker.bp)
    csrf.exempt(api.bp)  # JSON API: no cookies, no forms; CSRF tokens guard the HTML forms
    if not _LIMITS_SET:  # once per process: a second app (tests, a CLI command) would count every request twice
        limiter.limit(_public_rate_limit, methods=["POST"])(public.bp)
        limiter.limit(_public_rate_limit)(api.bp)
        _LIMITS_SET.append(True)


_LIMITS_SET: list[bool] = []


def _public_rate_limit() -> str:
    limit: str = current_app.config["PUBLIC_RATE_LIMIT"]
    return limit
