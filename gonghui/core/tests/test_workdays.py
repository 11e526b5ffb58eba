"""Working-day deadlines: weekends and Chinese public holidays skipped, 调休 make-up days
worked, and the CalendarOverride table honoured."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.models import CalendarOverride
from gonghui.core.workdays import add_working_days, is_national_working_day, is_working_day

NO_OVERRIDES: dict[date, bool] = {}
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
counts = st.integers(min_value=1, max_value=60)
override_tables = st.dictionaries(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), st.booleans(), max_size=30
)


def test_national_day_week_is_skipped_and_the_make_up_saturday_worked() -> None:
    # 2026-10-01…07 are off (with 10-04 a Sunday); Saturday 10-10 is a 调休 working day.
    start = date(2026, 9, 30)
    assert add_working_days(start, 1, overrides=NO_OVERRIDES) == date(2026, 10, 8)
    assert add_working_days(start, 2, overrides=NO_OVERRIDES) == date(2026, 10, 9)
    assert add_working_days(start, 3, overrides=NO_OVERRIDES) == date(2026, 10, 10)
    assert add_working_days(start, 4, overrides=NO_OVERRIDES) == date(2026, 10, 12)
    assert add_working_days(start, 15, overrides=NO_OVERRIDES) == date(2026, 10, 27)


def test_fifteen_working_days_from_a_plain_friday_is_three_weeks_later() -> None:
    assert add_working_days(date(2026, 11, 27), 15, overrides=NO_OVERRIDES) == date(2026, 12, 18)


def test_spring_festival_and_its_make_up_weekends() -> None:
    assert not is_national_working_day(date(2026, 2, 17))  # 春节
    assert is_national_working_day(date(2026, 2, 14))  # Saturday, 调休
    assert is_national_working_day(date(2026, 2, 28))  # Saturday, 调休
    assert not is_national_working_day(date(2026, 2, 21))  # an ordinary Saturday


def test_overrides_win_over_the_national_calendar() -> None:
    local_holiday = date(2026, 11, 30)  # a Monday
    extra_workday = date(2026, 11, 28)  # a Saturday
    overrides = {local_holiday: False, extra_workday: True}
    assert not is_working_day(local_holiday, overrides)
    assert is_working_day(extra_workday, overrides)
    assert add_working_days(date(2026, 11, 27), 1, overrides=overrides) == extra_workday
    assert add_working_days(date(2026, 11, 27), 2, overrides=overrides) == date(2026, 12, 1)


@pytest.mark.django_db
def test_the_override_table_is_read_when_no_mapping_is_given() -> None:
    CalendarOverride.objects.create(date=date(2026, 12, 1), is_workday=False, note="地方假日")
    CalendarOverride.objects.create(date=date(2027, 1, 2), is_workday=True, note="调休上班")
    assert add_working_days(date(2026, 11, 30), 1) == date(2026, 12, 2)
    # Crossing into the next year reads that year's rows too (2027-01-01 is New Year's Day).
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 2)


def test_days_below_one_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), 0, overrides=NO_OVERRIDES)


def test_a_calendar_without_working_days_fails_instead_of_looping() -> None:
    start = date(2026, 1, 1)
    closed = {start + timedelta(days=n): False for n in range(1, 400)}
    with pytest.raises(ValueError):
        add_working_days(start, 1, overrides=closed)


@settings(max_examples=200, deadline=None)
@given(start=starts, days=counts)
def test_the_result_is_a_working_day_strictly_after_the_start(start: date, days: int) -> None:
    result = add_working_days(start, days, overrides=NO_OVERRIDES)
    assert result > start
    assert is_working_day(result, NO_OVERRIDES)


@settings(max_examples=200, deadline=None)
@given(start=starts, days=counts)
def test_exactly_days_working_days_are_counted(start: date, days: int) -> None:
    result = add_working_days(start, days, overrides=NO_OVERRIDES)
    between = [start + timedelta(days=n) for n in range(1, (result - start).days + 1)]
    assert sum(is_working_day(d, NO_OVERRIDES) for d in between) == days


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 12, 31)),
    days=counts,
    extra=st.integers(min_value=1, max_value=20),
    overrides=override_tables,
)
def test_more_days_never_give_an_earlier_date(
    start: date, days: int, extra: int, overrides: dict[date, bool]
) -> None:
    earlier = add_working_days(start, days, overrides=overrides)
    later = add_working_days(start, days + extra, overrides=overrides)
    assert later > earlier
    assert is_working_day(later, overrides)
