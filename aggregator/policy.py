"""Dates of a policy: the start of cover a quote is rated on, its expiry, and the renewal windows it falls in."""

from __future__ import annotations

import calendar
from datetime import date

from aggregator.errors import ApplicantError

START_MONTHS_AHEAD = 6  # the furthest start of cover a quote is made for: carriers quote a few months ahead, not a year
RENEWAL_WINDOWS = (30, 60, 90)  # days before expiry a renewal is listed (満期管理) and the broker reminded


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (8/31 + 6 months = 2/28 or 2/29)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_start(today: date) -> date:
    return add_months(today, START_MONTHS_AHEAD)


def check_start(start: date, today: date, field: str = "start_date") -> date:
    """The start of cover asked for, when it is a day a quote can be made for: from today to six months ahead."""
    last = latest_start(today)
    if not today <= start <= last:
        raise ApplicantError(
            field,
            start.isoformat(),
            f"始期日は本日({_ja(today)})から{START_MONTHS_AHEAD}か月以内({_ja(last)}まで)の日付を指定してください",
        )
    return start


def parse_start(value: object, today: date, field: str = "start_date") -> date:
    """A start of cover from JSON (YYYY-MM-DD) or a date; checked with check_start."""
    if isinstance(value, date):
        return check_start(value, today, field)
    if not isinstance(value, str):
        raise ApplicantError(field, value, "始期日は YYYY-MM-DD の形式で指定してください")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ApplicantError(field, value, "始期日は YYYY-MM-DD の形式で指定してください") from None
    return check_start(day, today, field)


def default_expiry(start: date) -> date:
    """A one-year policy: it expires on the same day a year later (2/29 → 2/28)."""
    return add_months(start, 12)


def days_left(expiry: date, today: date) -> int:
    return (expiry - today).days


def window_of(expiry: date, today: date) -> int | None:
    """The smallest renewal window (30, 60 or 90 days) the expiry falls in; None when it is further off or past."""
    left = days_left(expiry, today)
    if left < 0:
        return None
    return next((w for w in RENEWAL_WINDOWS if left <= w), None)


def _ja(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
