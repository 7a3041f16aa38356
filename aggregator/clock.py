"""Today and now, from one place: the system clock, or a day set by an operator or a test.

Everything that asks what day it is (quoting, rate validity, scheduled carrier data,
bulk jobs, timestamps, heartbeats) asks here. `AGGREGATOR_TODAY=2026-06-01` in the
environment, or `travel(date(2026, 6, 1))` in code, moves the clock to noon of that day
in Japan; time then runs on from there, so heartbeats and timeouts still see it pass.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")  # Japan keeps no daylight saving time
ENV_VAR = "AGGREGATOR_TODAY"


class _Offset:
    """How far the clock is set from the system's: one value, behind a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = timedelta(0)


_offset = _Offset()


def _system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return _system_now() + _offset.value


def today() -> date:
    """Today's date in Japan, where the carriers' rates take effect."""
    return now().astimezone(JST).date()


def _offset_to(moment: date | datetime) -> timedelta:
    if isinstance(moment, datetime):
        target = moment if moment.tzinfo is not None else moment.replace(tzinfo=JST)
    else:
        target = datetime.combine(moment, time(12, 0), tzinfo=JST)
    return target - _system_now()


def set_to(moment: date | datetime | None) -> None:
    """Move the clock to `moment` (a date means noon of that day in Japan); None puts it back."""
    with _offset.lock:
        _offset.value = timedelta(0) if moment is None else _offset_to(moment)


@contextmanager
def travel(moment: date | datetime) -> Iterator[None]:
    """The clock at `moment` inside the block, and back where it was afterwards."""
    with _offset.lock:
        before = _offset.value
        _offset.value = _offset_to(moment)
    try:
        yield
    finally:
        with _offset.lock:
            _offset.value = before


def parse_day(text: str) -> date:
    """A day as written in AGGREGATOR_TODAY: YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{ENV_VAR} は YYYY-MM-DD で指定してください: {text!r}") from None


def _from_environment() -> None:
    text = os.environ.get(ENV_VAR, "").strip()
    if text:
        set_to(parse_day(text))


_from_environment()
