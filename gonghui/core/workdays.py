"""Deadlines in working days: weekends and Chinese public holidays (the `holidays` package,
including its 调休 make-up working weekends) are skipped, and the CalendarOverride table has
the last word for days the package does not know (a newly announced 调休, a local holiday)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays

# Longest run of days off a calendar may hold before it is taken as broken (no working day in
# a year would make every deadline loop forever).
MAX_DAYS_OFF_IN_A_ROW = 366


@lru_cache(maxsize=64)
def _national(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The year's public holidays and its make-up working weekend days."""
    calendar = holidays.country_holidays("CN", years=year)
    days_off = frozenset(calendar)
    make_up = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return days_off, make_up


def is_national_working_day(day: date) -> bool:
    days_off, make_up = _national(day.year)
    if day in make_up:
        return True
    return day.weekday() < 5 and day not in days_off


class _StoredOverrides(Mapping[date, bool]):
    """CalendarOverride rows read one year at a time, as the walk reaches the year."""

    def __init__(self) -> None:
        self._years: dict[int, dict[date, bool]] = {}

    def _year(self, year: int) -> dict[date, bool]:
        if year not in self._years:
            from gonghui.core.models import CalendarOverride

            rows = CalendarOverride.objects.filter(date__year=year).values_list(
                "date", "is_workday"
            )
            self._years[year] = dict(rows)
        return self._years[year]

    def __getitem__(self, day: date) -> bool:
        return self._year(day.year)[day]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in self._year(day.year)

    def __iter__(self) -> Iterator[date]:
        for year in sorted(self._years):
            yield from self._years[year]

    def __len__(self) -> int:
        return sum(len(days) for days in self._years.values())


def is_working_day(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    overrides = _StoredOverrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    return is_national_working_day(day)


def add_working_days(
    start: date, days: int, *, overrides: Mapping[date, bool] | None = None
) -> date:
    """The `days`-th working day after `start` (which itself never counts). Overrides default
    to the CalendarOverride table; tests pass a mapping to stay off the database."""
    if days < 1:
        raise ValueError("days must be at least 1")
    overrides = _StoredOverrides() if overrides is None else overrides
    day, counted, off_in_a_row = start, 0, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            counted += 1
            off_in_a_row = 0
        else:
            off_in_a_row += 1
            if off_in_a_row > MAX_DAYS_OFF_IN_A_ROW:
                raise ValueError(f"no working day in the year after {day - timedelta(days=366)}")
    return day
