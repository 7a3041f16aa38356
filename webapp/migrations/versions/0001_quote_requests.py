"""Quote requests and their quoted versions.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quote_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("lines", sa.String(100), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("priorities", sa.JSON(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
    )
    op.create_index("ix_quote_requests_token", "quote_requests", ["token"], unique=True)
    op.create_index("ix_quote_requests_status", "quote_requests", ["status"])
    op.create_table(
        "quote_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("quote_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("line", sa.String(30), nullable=False),
        sa.Column("limit_jpy", sa.BigInteger(), nullable=False),
        sa.Column("deductible_jpy", sa.BigInteger(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("request_id", "number"),
    )
    op.create_index("ix_quote_versions_request_id", "quote_versions", ["request_id"])


def downgrade() -> None:
    op.drop_table("quote_versions")
    op.drop_table("quote_requests")
