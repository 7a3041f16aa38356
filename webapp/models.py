"""What is stored: quote requests, each quoted version with its comparison and recommendation record."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aggregator import clock
from webapp.extensions import db


def now() -> datetime:
    return clock.now()


def new_token() -> str:
    """An unguessable id for a customer's link: 192 bits of randomness."""
    return secrets.token_urlsafe(24)


class QuoteRequest(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "quote_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    company: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    industry: Mapped[str] = mapped_column(String(40))
    lines: Mapped[str] = mapped_column(String(100))  # comma-separated line codes, for filtering
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON)
    priorities: Mapped[dict[str, Any]] = mapped_column(JSON)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    source: Mapped[str] = mapped_column(String(10), default="web")  # web, api, bulk, renewal
    # The broker's book (issue 15): what the customer holds today, when cover should start, the page's language
    # (for mail), and the client-list row a bulk request came from.
    current_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # aggregator.current's data
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # 始期日 asked; None: from the day of quoting
    lang: Mapped[str] = mapped_column(String(2), default="ja")
    bulk_job_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # BulkJob.id; jobs are never deleted
    bulk_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    versions: Mapped[list[QuoteVersion]] = relationship(
        back_populates="request", order_by="QuoteVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest(self) -> QuoteVersion:
        return self.versions[-1]


class QuoteVersion(db.Model):  # type: ignore[name-defined,misc]
    """One quoting of a request: the line, limit and deductible asked, and the record of what was compared."""

    __tablename__ = "quote_versions"
    __table_args__ = (UniqueConstraint("request_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(100), default="customer")
    as_of: Mapped[date] = mapped_column(Date)
    line: Mapped[str] = mapped_column(String(30))
    limit_jpy: Mapped[int] = mapped_column(BigInteger)
    deductible_jpy: Mapped[int] = mapped_column(BigInteger)
    record: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)  # make_record; large: read only when needed
    fingerprint: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    request: Mapped[QuoteRequest] = relationship(back_populates="versions")


class User(db.Model):  # type: ignore[name-defined,misc]
    """A broker who can log in. Passwords are kept only as argon2 hashes."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    session_nonce: Mapped[str] = mapped_column(String(64), default=new_token)  # changes on password change: old sessions end

    # Flask-Login's interface
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """Who did what, to what, and when: kept for the agency's records."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # what `detail` says, as data the log page words


class Proposal(db.Model):  # type: ignore[name-defined,misc]
    """The broker's recommendation (比較推奨): the customer's wishes as first heard and as confirmed, the plan proposed
    and why, each departure from the wishes with its reason, and the comparison it came from.

    A proposal without `confirmed_at` was recorded before the 意向確認 step existed: it is not a confirmed proposal.
    """

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("quote_versions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(80))
    wishes: Mapped[str] = mapped_column(Text)  # 意向把握: in the customer's words
    carrier: Mapped[str] = mapped_column(String(40))
    plan_code: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[str] = mapped_column(Text)
    comparison_sha256: Mapped[str] = mapped_column(String(64))
    initial_wishes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # 意向把握 (compliance.Wishes)
    final_wishes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # 意向確認
    wish_changes: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # [{field, before, after, before_en, after_en}]
    change_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    proposed: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the plan as quoted (compliance.ProposedPlan)
    compared: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # every plan it was chosen from
    departures: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # [{kind, key, wished, proposed, reason}]
    explained_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 重要事項説明 (契約概要・注意喚起情報) given
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # wishes confirmed, plan checked


class BulkJob(db.Model):  # type: ignore[name-defined,misc]
    """A client list quoted in the background: its progress, and its result or what went wrong."""

    __tablename__ = "bulk_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)  # queued, running, done, failed
    stage: Mapped[str] = mapped_column(String(20), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    clients: Mapped[int] = mapped_column(Integer, default=0)
    bad_rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    row_errors: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [row, column, value, reason] of the first bad rows
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # last sign of life
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), default="quote")  # quote (a client list), requests (its rows to requests), renewal
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, default=dict)  # what a requests or renewal job works on


class Policy(db.Model):  # type: ignore[name-defined,misc]
    """A policy placed when a request was won (成約): what was bound, when it runs, and what drives its renewal."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("quote_versions.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(80))
    company: Mapped[str] = mapped_column(String(200))
    carrier: Mapped[str] = mapped_column(String(40))
    plan_code: Mapped[str] = mapped_column(String(40))
    plan_name: Mapped[str] = mapped_column(String(200))
    line: Mapped[str] = mapped_column(String(30))
    limit_jpy: Mapped[int] = mapped_column(BigInteger)
    deductible_jpy: Mapped[int] = mapped_column(BigInteger)
    premium_jpy: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    expiry_date: Mapped[date] = mapped_column(Date, index=True)
    policy_number: Mapped[str] = mapped_column(String(50), default="")
    items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the plan's items as quoted, as a current policy's items
    status: Mapped[str] = mapped_column(String(20), default="in_force", index=True)  # in_force, cancelled, renewed
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    renewal_request_id: Mapped[int | None] = mapped_column(ForeignKey("quote_requests.id", ondelete="SET NULL"), nullable=True)
    reminded_days: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the smallest renewal window a reminder went for


class CarrierDataset(db.Model):  # type: ignore[name-defined,misc]
    """One version of a carrier's files: active, superseded, or rejected with the reason."""

    __tablename__ = "carrier_datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20))  # active, superseded, rejected
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(255))
    folder: Mapped[str] = mapped_column(String(500), default="")  # the full set of files, kept for history
    rate_versions: Mapped[str] = mapped_column(String(200), default="")
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    unclassified: Mapped[list[Any]] = mapped_column(JSON, default=list)


class WordingMapping(db.Model):  # type: ignore[name-defined,misc]
    """A carrier's wording a broker mapped to a coverage item by hand; used on every later load."""

    __tablename__ = "wording_mappings"
    __table_args__ = (UniqueConstraint("carrier", "wording"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40))
    wording: Mapped[str] = mapped_column(String(500))
    coverage_key: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AddedCarrier(db.Model):  # type: ignore[name-defined,misc]
    """A carrier a broker added from a canonical plan workbook: its code and names, as the workbook declared them.

    Its data is kept as CarrierDataset versions like any carrier's; this row is what makes the code known to every
    process, so its versions are loaded, listed and quoted without code.
    """

    __tablename__ = "added_carriers"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    words: Mapped[list[str]] = mapped_column(JSON, default=list)  # where the Japanese name may break
    added_by: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
