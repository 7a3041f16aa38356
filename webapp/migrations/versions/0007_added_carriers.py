"""Carriers a broker adds from the canonical plan workbook, known by code and names to every process.

Revision ID: 0007_added_carriers
Revises: 0006_compliance_record
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_added_carriers"
down_revision = "0006_compliance_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "added_carriers",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name_ja", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("words", sa.JSON(), nullable=True),
        sa.Column("added_by", sa.String(80), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("added_carriers")
