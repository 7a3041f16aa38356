"""What a load balancer and a deploy check ask a host: can it reach the database and the queue, and which carrier data does it serve."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.carrierdata import refresh_if_changed
from webapp.extensions import db


def report(app: Flask) -> tuple[dict[str, Any], int]:
    """Every check with its answer; 200 when all pass, 503 when one does not (the host should get no traffic)."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        refresh_if_changed(app)  # skipped before the request (a failing database would answer 500, not 503)
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    queue = app.extensions["huey"]
    pending: int | None = None
    try:
        pending = int(queue.pending_count())
        checks["queue"] = "ok"
    except Exception as exc:  # redis, sqlite3 or OS errors, whichever backend: the host cannot queue work
        checks["queue"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    body = {
        "ok": ok,
        **checks,
        "queue_backend": "redis" if app.config.get("REDIS_URL") else "sqlite",
        "queue_pending": pending,
        "carriers": len(app.extensions["carriers"]),
        "carrier_data": carrier_data_digest(app) if checks["database"] == "ok" else None,
    }
    return body, 200 if ok else 503


def carrier_data_digest(app: Flask) -> str:
    """A short digest of the carrier files this process quotes with: every host behind the proxy must show the same."""
    rater = app.extensions["rater"]
    cached: tuple[int, str] | None = app.extensions.get("carrier_digest")
    if cached is not None and cached[0] == id(rater):
        return cached[1]
    from aggregator.schema import Carrier
    from webapp.carrierdata import active_folder

    digest = hashlib.sha256()
    for carrier in sorted(app.extensions["carriers"], key=lambda c: c.value):
        folder = active_folder(app, Carrier(carrier))
        for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
            digest.update(f"{carrier.value}/{path.name}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    value = digest.hexdigest()[:16]
    app.extensions["carrier_digest"] = (id(rater), value)
    return value
