"""Quote requests in and out of the database; views call these, never SQL themselves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from aggregator import clock
from aggregator.applicants import applicant_from_data
from aggregator.exposure import Assumptions
from aggregator.matching import Comparison, Priorities
from aggregator.rating import Rater
from aggregator.recommendation import build_comparison, make_record, matches_record, priorities_from_data
from aggregator.schema import Applicant, ContractTerms, Line
from aggregator.serialize import comparison_to_data, to_data
from webapp.cache import SharedCache
from webapp.extensions import db
from webapp.models import QuoteRequest, QuoteVersion, now
from webapp.params import is_token


def create_request(
    rater: Rater,
    applicant: Applicant,
    priorities: Priorities,
    *,
    as_of: date,
    source: str = "web",
    assumptions: Assumptions | None = None,
) -> QuoteRequest:
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
    # One version per line asked; the link opens on the first line's (see _pick).
    for line in applicant.lines:
        _add_version(rater, request, applicant, line, as_of=as_of, by="customer", assumptions=assumptions)
    db.session.commit()
    return request


def add_version(
    rater: Rater,
    request: QuoteRequest,
    *,
    line: Line,
    limit_jpy: int,
    deductible_jpy: int,
    as_of: date,
    by: str,
    assumptions: Assumptions | None = None,
) -> QuoteVersion:
    """Quote the same request again with another line, limit, deductible or assumptions; earlier versions stay.

    Assumptions not given are the newest version's: a change made once is kept for later re-quotes.
    """
    applicant = replace(applicant_of(request), limit_jpy=limit_jpy, deductible_jpy=deductible_jpy)
    if line not in applicant.lines:
        applicant = replace(applicant, lines=(*applicant.lines, line))
    if assumptions is None:
        assumptions = latest_assumptions(request)
    version = _add_version(rater, request, applicant, line, as_of=as_of, by=by, assumptions=assumptions)
    try:
        db.session.commit()
    except IntegrityError:  # two re-quotes at once took the same version number: number this one after
        db.session.rollback()
        db.session.refresh(request)
        version = _add_version(rater, request, applicant, line, as_of=as_of, by=by, assumptions=assumptions)
        db.session.commit()
    return version


def latest_assumptions(request: QuoteRequest) -> Assumptions:
    newest = version_of(request)
    return Assumptions() if newest is None else Assumptions.from_data(newest.record.get("assumptions", {}))


def change_contract(rater: Rater, request: QuoteRequest, contract: ContractTerms, *, as_of: date, by: str) -> QuoteVersion:
    """The contract check answered anew: the newest version's terms quoted again with it; later re-quotes keep it."""
    latest = version_of(request)
    assert latest is not None  # a request is stored with its first version
    applicant = replace(applicant_of(request), contract=contract)
    request.applicant = to_data(applicant)  # a new value, so the JSON column is written
    db.session.flush()
    return add_version(
        rater, request, line=Line(latest.line), limit_jpy=latest.limit_jpy, deductible_jpy=latest.deductible_jpy, as_of=as_of, by=by
    )


def _add_version(
    rater: Rater, request: QuoteRequest, applicant: Applicant, line: Line, *, as_of: date, by: str, assumptions: Assumptions | None
) -> QuoteVersion:
    priorities = priorities_from_data(request.priorities)
    record = make_record(rater, applicant, as_of, line=line, priorities=priorities, assumptions=assumptions)
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


def computed(rater: Rater, version: QuoteVersion, cache: SharedCache[int, Computed]) -> Computed:
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
                assumptions=Assumptions.from_data(record["assumptions"]),
                priorities=priorities_from_data(record["priorities"]),
            )

        comparison = compare_on(date.fromisoformat(record["as_of"]))
        data = comparison_to_data(comparison)
        fresh = matches_record(data, {"comparison": record.get("comparison"), "comparison_sha256": version.fingerprint})
        if not fresh:
            # The rates changed since: on the quote date a newer table would not yet be in force and
            # every carrier that changed would show as declined. Show today's rates instead, and say so.
            comparison = compare_on(clock.today())
            data = comparison_to_data(comparison)
        hit = Computed(comparison, data, fresh)
        cache[version.id] = hit
    return hit


def comparison_of(rater: Rater, version: QuoteVersion, cache: SharedCache[int, Computed]) -> tuple[Comparison, bool]:
    hit = computed(rater, version, cache)
    return hit.comparison, hit.fresh


def version_of(request_row: QuoteRequest, number: int | None = None) -> QuoteVersion | None:
    """One version of a request (the newest unless a number is given), without loading the others."""
    query = select(QuoteVersion).where(QuoteVersion.request_id == request_row.id)
    query = query.where(QuoteVersion.number == number) if number is not None else query.order_by(QuoteVersion.number.desc()).limit(1)
    found: QuoteVersion | None = db.session.scalars(query).first()
    return found


def _pick(query: Any, number: int | None, line: str | None) -> Any:
    """One version: the one numbered, else the newest of the line asked for, else the newest of the first line asked."""
    if number is not None:
        return query.where(QuoteVersion.number == number)
    if line is not None:
        query = query.where(QuoteVersion.line == line)
    else:  # the request's first line: `lines` is "cyber,it_eo", so its first line is what comes before a comma
        first = QuoteRequest.lines.like(QuoteVersion.line + ",%") | (QuoteRequest.lines == QuoteVersion.line)
        query = query.order_by(first.desc())
    return query.order_by(QuoteVersion.number.desc()).limit(1)


def version_id(token: str, number: int | None = None, line: str | None = None) -> int | None:
    """Just the id of a request's version (the newest unless a number is given): enough to serve a cached page."""
    if not is_token(token):
        return None
    query = select(QuoteVersion.id).join(QuoteRequest, QuoteVersion.request_id == QuoteRequest.id).where(QuoteRequest.token == token)
    query = _pick(query, number, line)
    found: int | None = db.session.execute(query).scalar()
    return found


def find_with_version(token: str, number: int | None = None, line: str | None = None) -> tuple[QuoteRequest, QuoteVersion] | None:
    """A request by its token with one of its versions (the newest unless a number is given), in one query."""
    if not is_token(token):
        return None
    query = (
        select(QuoteRequest, QuoteVersion).join(QuoteVersion, QuoteVersion.request_id == QuoteRequest.id).where(QuoteRequest.token == token)
    )
    query = _pick(query, number, line)
    row = db.session.execute(query).first()
    return None if row is None else (row[0], row[1])


CACHE_SIZE = 512
