"""The broker's book: current policies and start of cover on requests, policies placed, renewal and request jobs.

Revision ID: 0005_broker_book
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_broker_book"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a copied table: quote_requests is what versions and proposals hang from, and SQLite
    # drops a copied table's children with it (ON DELETE CASCADE). The bulk job a request came from is a plain id.
    for column in (
        sa.Column("current_policy", sa.JSON(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("lang", sa.String(2), nullable=False, server_default="ja"),
        sa.Column("bulk_job_id", sa.Integer(), nullable=True),
        sa.Column("bulk_row", sa.Integer(), nullable=True),
    ):
        op.add_column("quote_requests", column)
    op.create_index("ix_quote_requests_bulk_job_id", "quote_requests", ["bulk_job_id"])
    op.add_column("bulk_jobs", sa.Column("kind", sa.String(20), nullable=False, server_default="quote"))
    op.add_column("bulk_jobs", sa.Column("params", sa.JSON(), nullable=True))
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("quote_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("quote_versions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("carrier", sa.String(40), nullable=False),
        sa.Column("plan_code", sa.String(40), nullable=False),
        sa.Column("plan_name", sa.String(200), nullable=False),
        sa.Column("line", sa.String(30), nullable=False),
        sa.Column("limit_jpy", sa.BigInteger(), nullable=False),
        sa.Column("deductible_jpy", sa.BigInteger(), nullable=False),
        sa.Column("premium_jpy", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("policy_number", sa.String(50), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("renewal_request_id", sa.Integer(), sa.ForeignKey("quote_requests.id", ondelete="SET NULL"), nullable=True),
        sa.Column("reminded_days", sa.Integer(), nullable=True),
    )
    op.create_index("ix_policies_request_id", "policies", ["request_id"])
    op.create_index("ix_policies_expiry_date", "policies", ["expiry_date"])
    op.create_index("ix_policies_status", "policies", ["status"])


def downgrade() -> None:
    op.drop_table("policies")
    for table, column in (("bulk_jobs", "params"), ("bulk_jobs", "kind")):
        op.drop_column(table, column)
    op.drop_index("ix_quote_requests_bulk_job_id", "quote_requests")
    for column in ("bulk_row", "bulk_job_id", "lang", "start_date", "current_policy"):
        op.drop_column("quote_requests", column)
