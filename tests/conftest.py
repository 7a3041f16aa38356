"""Shared fixtures: the command-line runner, the sample carriers loaded once, and the day the tests run on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pytest
from click.testing import CliRunner

from aggregator import clock
from aggregator.rating import Rater

# Every test runs on this day, whatever the calendar says: the sample rates take effect on
# 2026-04-01, and a test that needs another day moves the clock itself (`clock.travel`).
# The environment carries it to the worker and server processes tests start.
TODAY = date(2026, 11, 21)
os.environ[clock.ENV_VAR] = TODAY.isoformat()


@pytest.fixture(autouse=True)
def _the_test_day() -> Iterator[None]:
    with clock.travel(TODAY):
        yield


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def rater() -> Rater:
    from carriers.registry import load_all

    report = load_all()
    assert report.clean, report.errors
    return Rater(report.loaded.values())
