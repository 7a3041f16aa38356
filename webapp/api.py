"""JSON API v1: an applicant in, the comparison out; errors name the field, in Japanese and English."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, request, url_for
from werkzeug.wrappers import Response

from aggregator import clock
from aggregator.applicants import ApplicantInputError, applicant_from_data
from aggregator.current_data import current_from_data
from aggregator.errors import ApplicantError, SchemaError
from aggregator.exposure import Assumptions
from aggregator.policy import parse_start
from aggregator.recommendation import priorities_from_data, recommend
from aggregator.serialize import dumps, fragment
from webapp import mail, storage
from webapp.cache import SharedCache
from webapp.models import QuoteRequest, QuoteVersion
from webapp.openapi import spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_BODY = 1024 * 1024  # an applicant is a few hundred bytes; the 25 MB cap is for the broker's uploads
MAX_DEPTH = 16  # an applicant nests three deep; json.loads would recurse to a crash on 100,000
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


@bp.before_request
def _small_bodies() -> None:
    app_cap = current_app.config.get("MAX_CONTENT_LENGTH")
    request.max_content_length = min(MAX_BODY, app_cap) if app_cap else MAX_BODY


def nesting(raw: bytes) -> int:
    """How deep a JSON text nests, brackets inside strings not counted; found without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


class APIError(Exception):
    """An error the API reports as JSON with its HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []


class NotJSON(APIError):
    status = 415
    code = "unsupported_media_type"


class InvalidJSON(APIError):
    code = "invalid_json"


class ValidationFailed(APIError):
    status = 422
    code = "validation_failed"


class NotFound(APIError):
    status = 404
    code = "not_found"


@bp.errorhandler(APIError)
def _api_error(error: APIError) -> tuple[dict[str, Any], int]:
    return {"error": {"code": error.code, "message": error.message, "fields": error.fields}}, error.status


def _body() -> dict[str, Any]:
    if not request.is_json:
        raise NotJSON("Content-Type は application/json にしてください / send application/json")
    if nesting(request.get_data(cache=True)) > MAX_DEPTH:
        raise InvalidJSON(f"JSONの入れ子が深すぎます({MAX_DEPTH}段まで) / JSON nested more than {MAX_DEPTH} deep")
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidJSON("JSONとして読めません / the body is not valid JSON")
    if not isinstance(data, dict):
        raise InvalidJSON("JSONオブジェクトを送ってください / send a JSON object")
    return data


def _payload(found: QuoteRequest, version: QuoteVersion) -> dict[str, Any]:
    hit = storage.computed(current_app.extensions["rater"], version, current_app.extensions["comparisons"])
    advice = recommend(hit.comparison)
    # The comparison goes in as the JSON encoded when it was computed (serialize.dumps writes it as it is).
    return {
        "id": found.token,
        "url": url_for("public.quote", token=found.token, _external=True),
        "created_at": found.created_at.isoformat(),
        "version": version.number,
        "as_of": version.as_of.isoformat(),
        "rates_unchanged": hit.fresh,
        "start_date": found.start_date.isoformat() if found.start_date else None,
        "current_policy": hit.data.get("current_policy") if hit.comparison.current is not None else None,
        "comparison": fragment(hit.json),
        "recommendation": {
            "column": advice.proposed,
            "cheapest_column": advice.cheapest,
            "broadest_column": advice.broadest,
            "reasons_ja": list(advice.reasons_ja),
            "reasons_en": list(advice.reasons_en),
            "tradeoffs_ja": list(advice.tradeoffs_ja),
            "tradeoffs_en": list(advice.tradeoffs_en),
        },
    }


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    return current_app.response_class(dumps(payload), status=status, mimetype="application/json")


@bp.post("/quotes")
def create_quote() -> Response:
    data = _body()
    consent = data.pop("consent", None)
    priorities = data.pop("priorities", None)
    changes = data.pop("assumptions", None)
    current_data = data.pop("current_policy", None)
    start_data = data.pop("start_date", None)
    if consent is not True:
        raise ValidationFailed(
            "見積もりのため取扱保険会社に情報を提供することへの同意(consent: true)が必要です / consent must be true",
            [{"field": "consent", "reason": "同意が必要です / consent is required", "value": consent}],
        )
    try:
        assumptions = Assumptions.from_request(changes)
    except SchemaError as exc:
        raise ValidationFailed(
            "assumptions が正しくありません / invalid assumptions", [{"field": exc.field, "reason": exc.reason, "value": None}]
        ) from exc
    try:
        errors: list[ApplicantError] = []
        try:
            current = current_from_data(current_data)
        except ApplicantInputError as exc:
            errors += exc.errors
        try:
            start = None if start_data is None else parse_start(start_data, clock.today())
        except ApplicantError as exc:
            errors.append(exc)
        try:
            applicant = applicant_from_data(data)
        except ApplicantInputError as exc:
            errors = exc.errors + errors
        if errors:
            try:  # the note's error (the form's rule) comes with the applicant's, as the form and the CLI give them
                priorities_from_data(priorities if isinstance(priorities, dict) else None)
            except SchemaError as exc:
                if exc.field == "priorities.note":
                    errors.append(ApplicantError(exc.field, exc.value, exc.reason))
            raise ApplicantInputError(errors)
        parsed = priorities_from_data(priorities if isinstance(priorities, dict) else None)
    except ApplicantInputError as exc:
        fields = [
            {
                "field": e.field,
                "reason": e.reason,
                "value": e.value if isinstance(e.value, (str, int, float, bool, type(None))) else str(e.value),
            }
            for e in exc.errors
        ]
        raise ValidationFailed("入力内容に誤りがあります / some fields are invalid", fields) from exc
    except SchemaError as exc:
        raise ValidationFailed(
            "priorities が正しくありません / invalid priorities", [{"field": exc.field, "reason": exc.reason, "value": None}]
        ) from exc
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            "priorities が正しくありません / invalid priorities", [{"field": "priorities", "reason": str(exc), "value": None}]
        ) from exc

    found = storage.create_request(
        current_app.extensions["rater"],
        applicant,
        parsed,
        as_of=storage.rating_day(start),
        source="api",
        assumptions=assumptions,
        cache=current_app.extensions["comparisons"],
        current=current,
        start_date=start if start != clock.today() else None,
    )
    mail.request_created(current_app, found, url_for("public.quote", token=found.token, _external=True))
    return _json(_payload(found, found.versions[0]), 201)


@bp.get("/quotes/<token>")
def get_quote(token: str) -> Response:
    version_id = storage.version_id(token)
    if version_id is None:
        raise NotFound("見積もりが見つかりません / no such quote")
    # The payload of a stored version never changes: encode it once, send the same bytes after.
    bodies: SharedCache[tuple[int, str], bytes] = current_app.extensions["fragments"]
    key = (version_id, "api")
    body = bodies.get(key)
    if body is None:
        found, version = storage.find_with_version(token) or (None, None)
        if found is None or version is None:
            raise NotFound("見積もりが見つかりません / no such quote")
        body = dumps(_payload(found, version))
        bodies[key] = body
    return current_app.response_class(body, mimetype="application/json")


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    return spec(clock.today())
