"""Business days: weekdays that are not holidays of the configured calendar.

Source: seeds/pm-notification-process.md, "Response Time" (2-3 business days) and
"Escalation Process" (5 business days); DESIGN.md: "within N business days of D"
counts the business days *after* D. The holiday calendar is NYSE by default, taken
from the ``holidays`` package; ``none`` means weekends only.

The holiday dates come from the ``holidays`` package and are cached per year in
govtool's per-user cache (its directory set by the command layer). The counting is
simple arithmetic over those dates, whole weeks at a time, rather than the package's
working-day API (``get_working_days_count``, ``get_nth_working_day``): that API needs
the package imported (~40 ms, more than the rest of `govtool status`) and counts one
day at a time. tests/test_core_business_days.py holds the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from contextlib import suppress
from functools import lru_cache

from govtool import cache

CALENDARS = ("NYSE", "none")


def holidays_in(calendar: str, year: int) -> frozenset[dt.date]:
    """The holiday dates of one calendar year.

    Computed with the ``holidays`` package the first time and then kept in govtool's
    per-user cache (:mod:`govtool.cache`), keyed by the installed ``holidays`` files:
    building the NYSE calendar costs more than the rest of `govtool status`. Cached
    dates are used only where the cache allows reads (the read-only views); a command
    that writes computes them (and stores them for the views).

    Args:
        calendar: ``NYSE`` or ``none``.
        year: a calendar year.

    Returns:
        The dates on which the market is closed (weekends not included).

    Raises:
        ValueError: an unknown calendar.
    """
    return _holidays_in(calendar, year, cache.reads_allowed())


@lru_cache(maxsize=64)
def _holidays_in(calendar: str, year: int, from_cache: bool) -> frozenset[dt.date]:
    if calendar == "none":
        return frozenset()
    if calendar != "NYSE":
        raise ValueError(f"unknown holiday calendar {calendar!r}; expected one of {', '.join(CALENDARS)}")
    item = _cache_entry(calendar)
    years = _CACHED.get((item, from_cache))
    if years is None:
        found = cache.read_json(item) if item and from_cache else None
        years = _CACHED[item, from_cache] = found if isinstance(found, dict) else {}
    with suppress(KeyError, TypeError, ValueError):  # a year not cached yet, or a damaged entry
        return frozenset(dt.date.fromisoformat(day) for day in years[str(year)])
    import holidays

    dates = holidays.financial_holidays(calendar, years=year)
    years[str(year)] = sorted(day.isoformat() for day in dates)
    if item:
        cache.write_json(item, years)
    return frozenset(dates)


#: Holiday years of this process: (cache entry, read from the cache) -> {year: [ISO dates]}.
#: What was read from the cache is kept apart from what was computed, so a command that
#: trusts no cached entry never meets one here.
_CACHED: dict[tuple[cache.Entry | None, bool], dict] = {}


@lru_cache(maxsize=4)
def _cache_entry(calendar: str) -> cache.Entry | None:
    """The cache entry of a calendar, keyed by where and when ``holidays`` was installed."""
    spec = importlib.util.find_spec("holidays")
    origin = spec.origin if spec and spec.origin else ""
    try:
        stamp = os.stat(origin)
    except OSError:
        return None
    return cache.entry("holidays", calendar, origin, str(stamp.st_mtime_ns), str(stamp.st_size))


def is_business_day(day: dt.date, calendar: str = "NYSE") -> bool:
    """True when ``day`` is a weekday and not a holiday of ``calendar``."""
    return day.weekday() < 5 and day not in holidays_in(calendar, day.year)


def business_days_between(start: dt.date, end: dt.date, calendar: str = "NYSE") -> int:
    """The number of business days after ``start`` up to and including ``end``.

    Example: notified Saturday 2026-01-17, as of Friday 2026-01-23 gives 4
    (Monday 2026-01-19 is Martin Luther King Jr. Day, an NYSE holiday).

    Args:
        start: the day of the event (not counted).
        end: the day of reference (counted when it is a business day).
        calendar: ``NYSE`` or ``none``.

    Returns:
        Business days, 0 when ``end <= start``.
    """
    if end <= start:
        return 0
    total = 0
    day = start + dt.timedelta(days=1)
    # Whole weeks at once, then the remainder day by day.
    full_weeks = (end - start).days // 7
    if full_weeks:
        week_end = start + dt.timedelta(days=7 * full_weeks)
        total += 5 * full_weeks
        for year in range(day.year, week_end.year + 1):
            total -= sum(1 for h in holidays_in(calendar, year) if start < h <= week_end and h.weekday() < 5)
        day = week_end + dt.timedelta(days=1)
    while day <= end:
        total += is_business_day(day, calendar)
        day += dt.timedelta(days=1)
    return total


def add_business_days(start: dt.date, count: int, calendar: str = "NYSE") -> dt.date:
    """The ``count``-th business day after ``start``.

    Example: ``add_business_days(2026-01-17, 5)`` is Monday 2026-01-26.

    Args:
        start: the day of the event (not counted).
        count: business days to move forward, >= 1.
        calendar: ``NYSE`` or ``none``.
    """
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, calendar):
            remaining -= 1
    return day
