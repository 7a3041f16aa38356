"""Quote requests in and out of the database; views call these, never SQL themselves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from aggregator import clock
from aggregator.applicants import applicant_from_data
from aggregator.current import CurrentPolicy
from aggregator.current_data import current_from_data, current_to_data
from aggregator.exposure import Assumptions
from aggregator.matching import Comparison, Priorities
from aggregator.rating import Rater
from aggregator.recommendation import PreparedRecord, build_comparison, current_of, prepare_record, priorities_from_data
from aggregator.schema import Applicant, ContractTerms, Line
from aggregator.serialize import comparison_to_data, dumps, fingerprint_of, loads, to_data
from webapp.cache import SharedCache
from webapp.extensions import db
from webapp.models import Proposal, QuoteRequest, QuoteVersion, now
from webapp.params import is_token


def create_request(
    rater: Rater,
    applicant: Applicant,
    priorities: Priorities,
    *,
    as_of: date,
    source: str = "web",
    assumptions: Assumptions | None = None,
    cache: SharedCache[int, Computed] | None = None,
    current: CurrentPolicy | None = None,
    start_date: date | None = None,
    lang: str = "ja",
    bulk_job_id: int | None = None,
    bulk_row: int | None = None,
    commit: bool = True,
) -> QuoteRequest:
    """Store a new request and its quoting of each line asked, in one transaction (its first line's version first).

    `as_of` is the day its rates are taken from: the start of cover when one was asked (rating_day).
    The comparison is worked out once: stored, and (with `cache`) kept for the page and the API
    to show, instead of being built again from the stored inputs on the first view."""
    request = QuoteRequest(
        company=applicant.company,
        contact_email=applicant.contact_email,
        industry=applicant.industry.value,
        lines=",".join(line.value for line in applicant.lines),
        applicant=to_data(applicant),
        priorities=to_data(priorities),
        consent_at=now(),
        source=source,
        current_policy=current_to_data(current) if current is not None else None,
        start_date=start_date,
        lang=lang if lang in ("ja", "en") else "ja",
        bulk_job_id=bulk_job_id,
        bulk_row=bulk_row,
    )
    db.session.add(request)
    # One version per line asked; the link opens on the first line's (see _pick).
    by = "customer" if source in ("web", "api") else source
    made = [_add_version(rater, request, applicant, line, as_of=as_of, by=by, assumptions=assumptions) for line in applicant.lines]
    if commit:
        _commit_and_keep(made, cache)
    return request


def _commit_and_keep(made: list[tuple[QuoteVersion, PreparedRecord]], cache: SharedCache[int, Computed] | None) -> None:
    """Commit, keeping what was just written loaded: the response is made from it without reading it back."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    if cache is not None:
        for version, prepared in made:
            cache[version.id] = Computed(prepared.comparison, prepared.comparison_json, fresh=True)


def rating_day(start_date: date | None) -> date:
    """The day a quoting takes its rates from: the start of cover asked, unless that day has passed (then today)."""
    today = clock.today()
    return start_date if start_date is not None and start_date > today else today


def current_policy_of(request: QuoteRequest) -> CurrentPolicy | None:
    return current_from_data(request.current_policy)


def requote_as_shown(
    rater: Rater,
    request: QuoteRequest,
    version: QuoteVersion,
    *,
    by: str,
    assumptions: Assumptions | None = None,
    cache: SharedCache[int, Computed] | None = None,
) -> QuoteVersion:
    """The version shown, quoted again on its own line, limit and deductible for the request's start of cover: after its
    assumptions or the request's current policy changed."""
    return add_version(
        rater,
        request,
        line=Line(version.line),
        limit_jpy=version.limit_jpy,
        deductible_jpy=version.deductible_jpy,
        as_of=rating_day(request.start_date),
        by=by,
        assumptions=assumptions,
        cache=cache,
    )


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
    cache: SharedCache[int, Computed] | None = None,
) -> QuoteVersion:
    """Quote the same request again with another line, limit, deductible or assumptions; earlier versions stay.

    Assumptions not given are the newest version's: a change made once is kept for later re-quotes.
    """
    applicant = replace(applicant_of(request), limit_jpy=limit_jpy, deductible_jpy=deductible_jpy)
    if line not in applicant.lines:
        applicant = replace(applicant, lines=(*applicant.lines, line))
    if assumptions is None:
        assumptions = latest_assumptions(request)
    version, prepared = _add_version(rater, request, applicant, line, as_of=as_of, by=by, assumptions=assumptions)
    try:
        _commit_and_keep([(version, prepared)], cache)
    except IntegrityError:  # two re-quotes at once took the same version number: number this one after
        db.session.rollback()
        db.session.refresh(request)
        version, prepared = _add_version(rater, request, applicant, line, as_of=as_of, by=by, assumptions=assumptions)
        _commit_and_keep([(version, prepared)], cache)
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
) -> tuple[QuoteVersion, PreparedRecord]:
    priorities = priorities_from_data(request.priorities, stored=True)
    prepared = prepare_record(
        rater, applicant, as_of, line=line, priorities=priorities, assumptions=assumptions, current=current_policy_of(request)
    )
    version = QuoteVersion(
        number=len(request.versions) + 1,
        created_by=by,
        as_of=as_of,
        line=line.value,
        limit_jpy=applicant.limit_jpy,
        deductible_jpy=applicant.deductible_jpy,
        record=prepared.record,
        fingerprint=prepared.fingerprint,
        note="",
    )
    request.versions.append(version)
    return version, prepared


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
    """A version's comparison as recomputed now, its JSON (encoded), and whether that equals what was stored."""

    comparison: Comparison
    json: bytes
    fresh: bool

    @property
    def data(self) -> dict[str, Any]:
        decoded: dict[str, Any] = loads(self.json)
        return decoded


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
                priorities=priorities_from_data(record["priorities"], stored=True),
                current=current_of(record),
            )

        quoted_on = date.fromisoformat(record["as_of"])
        comparison = compare_on(quoted_on)
        data = comparison_to_data(comparison, deep=False)
        encoded = dumps(data)
        # Keys the JSON gained after the record was made (the contract check, the scenarios) are left
        # out of the check: a record made before them is not stale for lacking them.
        stored = record.get("comparison")
        kept = {k: v for k, v in data.items() if k in stored} if isinstance(stored, dict) else data
        fresh = fingerprint_of(kept) == version.fingerprint
        if not fresh:
            # The rates changed since: on the quote date a newer table would not yet be in force and
            # every carrier that changed would show as declined. Show today's rates instead (or those of a start
            # of cover still to come), and say so.
            comparison = compare_on(max(clock.today(), quoted_on))
            encoded = dumps(comparison_to_data(comparison, deep=False))
        hit = Computed(comparison, encoded, fresh)
        cache[version.id] = hit
    return hit


def comparison_of(rater: Rater, version: QuoteVersion, cache: SharedCache[int, Computed]) -> tuple[Comparison, bool]:
    hit = computed(rater, version, cache)
    return hit.comparison, hit.fresh


def all_plans_of(
    rater: Rater, version: QuoteVersion, cache: SharedCache[int, Comparison], comparisons: SharedCache[int, Computed]
) -> Comparison:
    """Every plan of every carrier quoted for the version (a broker may propose any, not only the one a column shows),
    on the same day as the version's comparison (its quote date, or today's rates when they changed since)."""
    hit = cache.get(version.id)
    if hit is None:
        fresh = computed(rater, version, comparisons).fresh
        record = version.record
        quoted_on = date.fromisoformat(record["as_of"])
        hit = build_comparison(
            rater,
            applicant_from_data(record["applicant"]),
            quoted_on if fresh else max(clock.today(), quoted_on),
            line=Line(record["line"]),
            assumptions=Assumptions.from_data(record["assumptions"]),
            priorities=priorities_from_data(record["priorities"], stored=True),
            all_plans=True,
        )
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


def version_to_show(request_row: QuoteRequest, number: int | None = None) -> QuoteVersion | None:
    """The version a page shows (see _pick): the one numbered, else the newest of the first line asked, as the
    customer's page opens."""
    query = select(QuoteVersion).join(QuoteRequest, QuoteVersion.request_id == QuoteRequest.id).where(QuoteRequest.id == request_row.id)
    found: QuoteVersion | None = db.session.scalars(_pick(query, number, None)).first()
    return found


def version_id(token: str, number: int | None = None, line: str | None = None) -> int | None:
    """Just the id of a request's version (see _pick): enough to serve a cached API body."""
    row = _read_one(_VERSION_ID, token, number, line)
    return None if row is None else int(row[0])


def page_key(token: str, number: int | None = None, line: str | None = None) -> tuple[int, int | None] | None:
    """A request's version id (see _pick) and its latest confirmed proposal's id, in one query: what a cached
    customer page depends on."""
    row = _read_one(_PAGE_KEY, token, number, line)
    return None if row is None else (row[0], row[1])


def _read_one(statements: dict[str, Any], token: str, number: int | None, line: str | None) -> Any:
    """One row of a prepared read. Every page view and API read asks one, so the statements are built once
    (`_VERSION_ID`, `_PAGE_KEY`), not per request: building a select costs more than running it."""
    if not is_token(token):
        return None
    statement = statements["number" if number is not None else "line" if line is not None else "first"]
    with _reader(db.engine).connect() as connection:
        return connection.execute(statement, {"token": token, "number": number or 0, "line": line or ""}).first()


def _reader(engine: Engine) -> Engine:
    """The engine for one-statement reads: a pooled connection without a session's bookkeeping, in
    autocommit (a single SELECT needs no transaction: on PostgreSQL that spares the BEGIN and the
    ROLLBACK, two of its four round trips). Kept with the app, so it goes when the app goes."""
    readers: dict[Engine, Engine] = current_app.extensions.setdefault("autocommit_readers", {})
    found = readers.get(engine)
    if found is None:
        found = readers[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


def _pick(query: Any, number: Any, line: Any) -> Any:
    """One version: the one numbered, else the newest of the line asked for, else the newest of the first line asked."""
    if number is not None:
        return query.where(QuoteVersion.number == number)
    if line is not None:
        query = query.where(QuoteVersion.line == line)
    else:  # the request's first line: `lines` is "cyber,it_eo", so its first line is what comes before a comma
        first = QuoteRequest.lines.like(QuoteVersion.line + ",%") | (QuoteRequest.lines == QuoteVersion.line)
        query = query.order_by(first.desc())
    return query.order_by(QuoteVersion.number.desc()).limit(1)


def _version_id_query(by: str, *, with_proposal: bool) -> Any:
    """The version's id; with the request's latest confirmed proposal's id when a customer page depends on it too."""
    confirmed = (
        select(func.max(Proposal.id))
        .where(Proposal.request_id == QuoteRequest.id, Proposal.confirmed_at.is_not(None))
        .correlate(QuoteRequest)
        .scalar_subquery()
    )
    query = (
        select(QuoteVersion.id, *((confirmed,) if with_proposal else ()))
        .join(QuoteRequest, QuoteVersion.request_id == QuoteRequest.id)
        .where(QuoteRequest.token == bindparam("token"))
    )
    return _pick(query, bindparam("number") if by == "number" else None, bindparam("line") if by == "line" else None)


_VERSION_ID = {by: _version_id_query(by, with_proposal=False) for by in ("number", "line", "first")}
_PAGE_KEY = {by: _version_id_query(by, with_proposal=True) for by in ("number", "line", "first")}


def find_with_version(token: str, number: int | None = None, line: str | None = None) -> tuple[QuoteRequest, QuoteVersion] | None:
    """A request by its token with one of its versions (see _pick), in one query."""
    if not is_token(token):
        return None
    query = (
        select(QuoteRequest, QuoteVersion).join(QuoteVersion, QuoteVersion.request_id == QuoteRequest.id).where(QuoteRequest.token == token)
    )
    query = _pick(query, number, line)
    row = db.session.execute(query).first()
    return None if row is None else (row[0], row[1])


CACHE_SIZE = 512
