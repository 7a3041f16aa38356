"""Quote requests in and out of the database; views call these, never SQL themselves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from aggregator import clock
from aggregator.applicants import applicant_from_data
from aggregator.exposure import Assumptions
from aggregator.matching import Comparison, Priorities
from aggregator.rating import Rater
from aggregator.recommendation import build_comparison, fingerprint, make_record, priorities_from_data
from aggregator.schema import Applicant, Line
from aggregator.serialize import comparison_to_data, to_data
from webapp.extensions import db
from webapp.models import Proposal, QuoteRequest, QuoteVersion, now
from webapp.params import is_token


def create_request(rater: Rater, applicant: Applicant, priorities: Priorities, *, as_of: date, source: str = "web") -> QuoteRequest:
    """Store a new request and its first quoting, in one transaction."""
    request = QuoteRequest(
        company=applicant.company,
        contact_email=applicant.contact_email,
        industry=applicant.industry.value,
        lines=",".join(line.value for line in applicant.lines),
        applicant=to_data(applicant),
        priorities=to_data(priorities),
        consent_at=now(),
        source=source,
    )
    db.session.add(request)
    _add_version(rater, request, applicant, applicant.lines[0], as_of=as_of, by="customer")
    db.session.commit()
    return request


def add_version(
    rater: Rater, request: QuoteRequest, *, line: Line, limit_jpy: int, deductible_jpy: int, as_of: date, by: str
) -> QuoteVersion:
    """Quote the same request again with another line, limit or deductible; earlier versions stay."""
    applicant = replace(applicant_of(request), limit_jpy=limit_jpy, deductible_jpy=deductible_jpy)
    if line not in applicant.lines:
        applicant = replace(applicant, lines=(*applicant.lines, line))
    version = _add_version(rater, request, applicant, line, as_of=as_of, by=by)
    try:
        db.session.commit()
    except IntegrityError:  # two re-quotes at once took the same version number: number this one after
        db.session.rollback()
        db.session.refresh(request)
        version = _add_version(rater, request, applicant, line, as_of=as_of, by=by)
        db.session.commit()
    return version


def _add_version(rater: Rater, request: QuoteRequest, applicant: Applicant, line: Line, *, as_of: date, by: str) -> QuoteVersion:
    priorities = priorities_from_data(request.priorities)
    record = make_record(rater, applicant, as_of, line=line, priorities=priorities)
    version = QuoteVersion(
        number=len(request.versions) + 1,
        created_by=by,
        as_of=as_of,
        line=line.value,
        limit_jpy=applicant.limit_jpy,
        deductible_jpy=applicant.deductible_jpy,
        record=record,
        fingerprint=record["comparison_sha256"],
        note="",
    )
    request.versions.append(version)
    return version


def applicant_of(request: QuoteRequest) -> Applicant:
    return applicant_from_data(request.applicant)


def version_applicant(version: QuoteVersion) -> Applicant:
    data: dict[str, Any] = dict(version.record["applicant"])
    return applicant_from_data(data)


def find_request(token: str) -> QuoteRequest | None:
    if not is_token(token):
        return None
    return db.session.scalars(select(QuoteRequest).where(QuoteRequest.token == token)).one_or_none()


@dataclass(frozen=True)
class Computed:
    """A version's comparison as recomputed now, its JSON, and whether that equals what was stored."""

    comparison: Comparison
    data: dict[str, Any]
    fresh: bool


def computed(rater: Rater, version: QuoteVersion, cache: dict[int, Computed]) -> Computed:
    """The version's comparison recomputed from its stored inputs, cached per version.

    `fresh` is False when carrier data changed since: the stored record still says what was quoted
    then. A version never changes once stored, so the cache (which lives as long as the rater it
    was computed with) needs no invalidation of its own.
    """
    hit = cache.get(version.id)
    if hit is None:
        record = version.record

        def compare_on(day: date) -> Comparison:
            return build_comparison(
                rater,
                applicant_from_data(record["applicant"]),
                day,
                line=Line(record["line"]),
                assumptions=Assumptions(**record["assumptions"]),
                priorities=priorities_from_data(record["priorities"]),
            )

        comparison = compare_on(date.fromisoformat(record["as_of"]))
        data = comparison_to_data(comparison)
        fresh = fingerprint(data) == version.fingerprint
        if not fresh:
            # The rates changed since: on the quote date a newer table would not yet be in force and
            # every carrier that changed would show as declined. Show today's rates instead, and say so.
            comparison = compare_on(clock.today())
            data = comparison_to_data(comparison)
        hit = Computed(comparison, data, fresh)
        if len(cache) >= CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[version.id] = hit
    return hit


def comparison_of(rater: Rater, version: QuoteVersion, cache: dict[int, Computed]) -> tuple[Comparison, bool]:
    hit = computed(rater, version, cache)
    return hit.comparison, hit.fresh


def all_plans_of(rater: Rater, version: QuoteVersion, cache: dict[int, Comparison], comparisons: dict[int, Computed]) -> Comparison:
    """Every plan of every carrier quoted for the version (a broker may propose any, not only the one a column shows),
    on the same day as the version's comparison (its quote date, or today's rates when they changed since)."""
    hit = cache.get(version.id)
    if hit is None:
        fresh = computed(rater, version, comparisons).fresh
        record = version.record
        hit = build_comparison(
            rater,
            applicant_from_data(record["applicant"]),
            date.fromisoformat(record["as_of"]) if fresh else clock.today(),
            line=Line(record["line"]),
            assumptions=Assumptions(**record["assumptions"]),
            priorities=priorities_from_data(record["priorities"]),
            all_plans=True,
        )
        if len(cache) >= CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[version.id] = hit
    return hit


def confirmed_proposal(request_id: int) -> Proposal | None:
    """The request's latest proposal a broker confirmed (意向確認 done, plan checked against the wishes), if any."""
    query = (
        select(Proposal).where(Proposal.request_id == request_id, Proposal.confirmed_at.is_not(None)).order_by(Proposal.id.desc()).limit(1)
    )
    found: Proposal | None = db.session.scalars(query).first()
    return found


def version_of(request_row: QuoteRequest, number: int | None = None) -> QuoteVersion | None:
    """One version of a request (the newest unless a number is given), without loading the others."""
    query = select(QuoteVersion).where(QuoteVersion.request_id == request_row.id)
    query = query.where(QuoteVersion.number == number) if number is not None else query.order_by(QuoteVersion.number.desc()).limit(1)
    found: QuoteVersion | None = db.session.scalars(query).first()
    return found


def version_id(token: str, number: int | None = None) -> int | None:
    """Just the id of a request's version (the newest unless a number is given): enough to serve a cached page."""
    if not is_token(token):
        return None
    query = select(QuoteVersion.id).join(QuoteRequest, QuoteVersion.request_id == QuoteRequest.id).where(QuoteRequest.token == token)
    query = query.where(QuoteVersion.number == number) if number is not None else query.order_by(QuoteVersion.number.desc()).limit(1)
    found: int | None = db.session.execute(query).scalar()
    return found


def page_key(token: str, number: int | None = None) -> tuple[int, int | None] | None:
    """A request's version id and its latest confirmed proposal's id, in one query: what a cached customer page depends on."""
    if not is_token(token):
        return None
    confirmed = (
        select(func.max(Proposal.id))
        .where(Proposal.request_id == QuoteRequest.id, Proposal.confirmed_at.is_not(None))
        .correlate(QuoteRequest)
        .scalar_subquery()
    )
    query = (
        select(QuoteVersion.id, confirmed).join(QuoteRequest, QuoteVersion.request_id == QuoteRequest.id).where(QuoteRequest.token == token)
    )
    query = query.where(QuoteVersion.number == number) if number is not None else query.order_by(QuoteVersion.number.desc()).limit(1)
    row = db.session.execute(query).first()
    return None if row is None else (row[0], row[1])


def find_with_version(token: str, number: int | None = None) -> tuple[QuoteRequest, QuoteVersion] | None:
    """A request by its token with one of its versions (the newest unless a number is given), in one query."""
    if not is_token(token):
        return None
    query = (
        select(QuoteRequest, QuoteVersion).join(QuoteVersion, QuoteVersion.request_id == QuoteRequest.id).where(QuoteRequest.token == token)
    )
    query = query.where(QuoteVersion.number == number) if number is not None else query.order_by(QuoteVersion.number.desc()).limit(1)
    row = db.session.execute(query).first()
    return None if row is None else (row[0], row[1])


CACHE_SIZE = 512
