"""One clock: today and now come from `aggregator.clock`, which tests and operators can set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from aggregator import clock
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_runs_on_the_stated_day() -> None:
    assert clock.today() == TODAY


def test_travel_moves_the_day_and_puts_it_back() -> None:
    with clock.travel(date(2028, 2, 29)):
        assert clock.today() == date(2028, 2, 29)
        assert clock.now().astimezone(clock.JST).hour == 12  # noon in Japan, running on from there
    assert clock.today() == TODAY


def test_time_runs_on_after_travel() -> None:
    with clock.travel(date(2030, 12, 31)):
        first = clock.now()
        second = clock.now()
    assert second >= first
    assert first.tzinfo is not None


def test_today_is_japans_date_not_the_servers() -> None:
    # 23:30 UTC on 31 March is already 1 April in Japan, the day new rates take effect.
    with clock.travel(datetime(2027, 3, 31, 23, 30, tzinfo=UTC)):
        assert clock.today() == date(2027, 4, 1)


def test_a_bad_day_in_the_environment_is_refused_with_its_format() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        clock.parse_day("2027/04/01")


def test_the_command_line_quotes_on_the_day_the_environment_sets() -> None:
    """A process started with AGGREGATOR_TODAY quotes on that day: the offer is valid for 30 days from it."""
    env = {**os.environ, clock.ENV_VAR: "2026-05-01"}
    out = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "quote", str(ROOT / "fixtures/applicants/si_vendor.json"), "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    valid = {c["valid_until"] for c in json.loads(out)["columns"]}
    assert valid == {(date(2026, 5, 1) + timedelta(days=30)).isoformat()}
