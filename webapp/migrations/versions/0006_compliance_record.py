"""The broker's record of advice (意向把握 → 意向確認 → 比較推奨) on each proposal, and audit entries kept as data.

A proposal keeps the wishes as first heard and as confirmed, how they changed, the plan proposed as it was quoted,
the plans compared, each departure from the wishes with its reason, and the day the key facts were explained.
An audit entry keeps what it records as data too, so the log is written in the reader's language.

Revision ID: 0006_compliance_record
Revises: 0005_broker_book
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_compliance_record"
down_revision = "0005_broker_book"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("initial_wishes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("final_wishes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("wish_changes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("change_note", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("proposed", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("compared", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("departures", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("explained_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("data", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("data")
    with op.batch_alter_table("proposals") as batch:
        for name in (
            "confirmed_at",
            "explained_on",
            "departures",
            "compared",
            "proposed",
            "change_note",
            "wish_changes",
            "final_wishes",
            "initial_wishes",
        ):
            batch.drop_column(name)
