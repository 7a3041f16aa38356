"""Shared fixtures: the command-line runner and the sample carriers loaded once."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aggregator.rating import Rater


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def rater() -> Rater:
    from carriers.registry import load_all

    report = load_all()
    assert report.clean, report.errors
    return Rater(report.loaded.values())
