"""The Alembic migrations run up and down on both databases, and match the models."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from webapp.extensions import db
from webapp.migrate import downgrade, upgrade


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_go_up_down_and_up_again(backend: str) -> None:
    upgrade(backend)
    assert {
        "quote_requests",
        "quote_versions",
        "users",
        "bulk_jobs",
        "carrier_datasets",
        "wording_mappings",
        "audit_log",
        "proposals",
        "policies",
    } <= _tables(backend)
    downgrade(backend, "base")
    assert _tables(backend) <= {"alembic_version"}
    upgrade(backend)


def test_migrated_columns_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        for table in db.metadata.sorted_tables:
            migrated = {c["name"] for c in inspector.get_columns(table.name)}
            assert migrated == {c.name for c in table.columns}, table.name
    finally:
        engine.dispose()
