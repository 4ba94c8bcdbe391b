"""Business days (DESIGN.md, "Commands"): weekdays that are not holidays of the calendar
(NYSE by default, ``none`` for weekends only); "within N business days of D" counts the
business days *after* D. On the core alone: no CLI, no files of the repo.
"""

from __future__ import annotations

import datetime as dt

import pytest

from govtool.business_days import add_business_days, business_days_between, holidays_in, is_business_day
from govtool.settings import DEFAULT_SETTINGS

D = dt.date.fromisoformat

#: NYSE closures of 2026 (the New York Stock Exchange's published holiday calendar).
NYSE_2026 = {
    "2026-01-01": "New Year's Day",
    "2026-01-19": "Martin Luther King Jr. Day",
    "2026-02-16": "Washington's Birthday",
    "2026-04-03": "Good Friday",
    "2026-05-25": "Memorial Day",
    "2026-06-19": "Juneteenth",
    "2026-07-03": "Independence Day (observed: July 4 is a Saturday)",
    "2026-09-07": "Labor Day",
    "2026-11-26": "Thanksgiving Day",
    "2026-12-25": "Christmas Day",
}


def naive_count(start: dt.date, end: dt.date, calendar: str = "NYSE") -> int:
    """Business days after ``start`` up to and including ``end``, one day at a time."""
    return sum(is_business_day(start + dt.timedelta(days=n), calendar) for n in range(1, (end - start).days + 1))


def test_the_default_calendar_is_nyse():
    assert DEFAULT_SETTINGS["calendar"] == "NYSE"
    assert not is_business_day(D("2026-01-19"))  # the default of the functions too


def test_weekends_are_not_business_days():
    week = [D("2026-01-05") + dt.timedelta(days=n) for n in range(7)]  # Monday to Sunday
    assert [is_business_day(day) for day in week] == [True] * 5 + [False] * 2
    assert [is_business_day(day, "none") for day in week] == [True] * 5 + [False] * 2


def test_the_nyse_holidays_of_2026():
    assert {day.isoformat() for day in holidays_in("NYSE", 2026)} == set(NYSE_2026)
    for day in NYSE_2026:
        assert not is_business_day(D(day), "NYSE"), NYSE_2026[day]
        assert is_business_day(D(day), "none"), NYSE_2026[day]
    assert is_business_day(D("2026-07-06"))  # the Monday after the observed Independence Day
    assert is_business_day(D("2026-10-12"))  # Columbus Day: banks close, the NYSE does not


@pytest.mark.parametrize(
    ("day", "name"), [("2025-04-18", "Good Friday 2025"), ("2026-04-03", "Good Friday 2026"), ("2027-03-26", "2027")]
)
def test_good_friday_moves_with_easter(day, name):
    assert not is_business_day(D(day)), name
    assert is_business_day(D(day) - dt.timedelta(days=1)) and is_business_day(D(day) + dt.timedelta(days=3))


def test_calendar_none_has_no_holidays():
    assert holidays_in("none", 2026) == frozenset()
    assert business_days_between(D("2026-01-16"), D("2026-01-20"), "none") == 2  # MLK day counts


def test_an_unknown_calendar_is_refused():
    with pytest.raises(ValueError, match="LSE"):
        is_business_day(D("2026-01-05"), "LSE")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-01-17", "2026-01-23", 4),  # notified Saturday; Monday the 19th is MLK day
        ("2026-01-16", "2026-01-20", 1),  # Friday to Tuesday over MLK day
        ("2026-01-16", "2026-01-19", 0),
        ("2026-01-05", "2026-01-05", 0),  # D itself never counts
        ("2026-01-05", "2026-01-06", 1),
        ("2026-01-09", "2026-01-12", 1),  # Friday to Monday
        ("2026-01-10", "2026-01-11", 0),  # Saturday to Sunday
        ("2026-01-10", "2026-01-12", 1),
        ("2026-01-23", "2026-01-17", 0),  # the end before the start
        ("2026-04-02", "2026-04-06", 1),  # over Good Friday
        ("2026-01-17", "2026-01-26", 5),
        ("2026-01-17", "2026-02-02", 10),
    ],
)
def test_business_days_are_counted_after_d(start, end, expected):
    assert business_days_between(D(start), D(end)) == expected


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        ("2026-01-17", 5, "2026-01-26"),  # DESIGN's example: level 2 escalation day
        ("2026-01-17", 10, "2026-02-02"),
        ("2026-01-16", 1, "2026-01-20"),  # Friday + 1 over MLK day
        ("2026-01-09", 1, "2026-01-12"),  # Friday + 1
        ("2026-01-05", 1, "2026-01-06"),
        ("2026-04-02", 1, "2026-04-06"),  # Thursday + 1 over Good Friday
        ("2026-07-02", 1, "2026-07-06"),  # over the observed Independence Day
        ("2026-01-17", 3, "2026-01-22"),  # the expected answer: 2-3 business days
    ],
)
def test_add_business_days(start, count, expected):
    assert add_business_days(D(start), count) == D(expected)
    assert business_days_between(D(start), D(expected)) == count


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-12-31", "2026-01-02", 1),  # New Year's Day
        ("2025-12-24", "2026-01-05", 6),  # Christmas and New Year's Day
        ("2026-12-31", "2027-01-04", 1),  # New Year's Day 2027 is a Friday
        ("2026-12-24", "2026-12-28", 1),  # Christmas 2026 is a Friday
        ("2027-12-23", "2027-12-27", 1),  # Christmas 2027 (Saturday) is observed Friday the 24th
        ("2027-12-30", "2028-01-03", 2),  # New Year 2028 is a Saturday: the NYSE keeps Dec 31 open
    ],
)
def test_year_boundaries(start, end, expected):
    assert business_days_between(D(start), D(end)) == expected
    assert naive_count(D(start), D(end)) == expected


def test_add_business_days_across_a_year_boundary():
    assert add_business_days(D("2025-12-31"), 1) == D("2026-01-02")
    assert add_business_days(D("2026-12-31"), 1) == D("2027-01-04")
    assert add_business_days(D("2026-12-24"), 1) == D("2026-12-28")


@pytest.mark.parametrize("calendar", ["NYSE", "none"])
def test_counting_by_whole_weeks_agrees_with_counting_day_by_day(calendar):
    """Long spans are counted a week at a time: the result must be the day-by-day count,
    across year boundaries and from every weekday."""
    starts = [D("2025-12-20") + dt.timedelta(days=n) for n in range(9)] + [D("2026-12-24"), D("2027-12-29")]
    for start in starts:
        for days in (6, 7, 8, 13, 14, 15, 30, 45, 365, 400, 800):
            end = start + dt.timedelta(days=days)
            assert business_days_between(start, end, calendar) == naive_count(start, end, calendar), (start, end)


@pytest.mark.parametrize("calendar", ["NYSE", "none"])
def test_add_business_days_is_the_inverse_of_counting(calendar):
    for start in (D("2025-12-19") + dt.timedelta(days=n) for n in range(0, 30, 3)):
        for count in (1, 2, 3, 5, 10, 20, 60):
            day = add_business_days(start, count, calendar)
            assert is_business_day(day, calendar)
            assert business_days_between(start, day, calendar) == count
            assert business_days_between(start, day - dt.timedelta(days=1), calendar) == count - 1


def test_counts_agree_with_the_holidays_packages_working_day_api():
    """govtool counts with its own arithmetic over the package's holiday dates (importing
    ``holidays`` costs ~40 ms, more than the rest of `govtool status`); the package's own
    working-day API (``get_working_days_count``, ``get_nth_working_day``) must agree."""
    import random

    import holidays

    nyse = holidays.financial_holidays("NYSE", years=range(2019, 2033))
    rng = random.Random(20261121)
    for _ in range(300):
        start = D("2020-01-01") + dt.timedelta(days=rng.randrange(0, 3650))
        end = start + dt.timedelta(days=rng.randrange(0, 400))
        # The package counts the closed interval [start, end]; govtool counts the days after start.
        expected = nyse.get_working_days_count(start + dt.timedelta(days=1), end) if end > start else 0
        assert business_days_between(start, end) == expected, (start, end)
        count = rng.randrange(1, 30)
        assert add_business_days(start, count) == nyse.get_nth_working_day(start, count), (start, count)
