"""Target groups, who is listed where (once), budgets and splits, without the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.warmth import rules
from gonghui.warmth.rules import DEFAULT_GROUPS, Person, TargetGroup

ON = date(2026, 12, 1)


def person(**facts) -> Person:
    values = {
        "status": "active",
        "is_hardship": False,
        "is_model_worker": False,
        "category": "employee",
        "gender": "M",
        "birth_date": date(1985, 5, 5),
    }
    return Person(**(values | facts))


def chosen(**facts) -> str | None:
    group = rules.choose_group(DEFAULT_GROUPS, person(**facts), ON)
    return group.code if group else None


def test_each_default_group_takes_its_people() -> None:
    assert chosen(is_hardship=True) == "hardship"
    assert chosen(is_hardship=True, is_model_worker=True) == "hardship_model"
    assert chosen(is_model_worker=True) == "model_worker"
    assert chosen(is_hardship=True, category="rider") == "hardship"  # ¥700 beats ¥500
    assert chosen(birth_date=date(1966, 12, 1)) == "elderly"  # 60 on the start day
    assert chosen() is None
    assert chosen(category="migrant") is None  # the new-form group is for those in hardship


def test_the_new_form_group_when_it_is_the_highest_it_matches() -> None:
    groups = (DEFAULT_GROUPS[3],)
    assert rules.choose_group(groups, person(is_hardship=True, category="courier"), ON)
    assert rules.choose_group(groups, person(is_hardship=True, category="employee"), ON) is None


def test_retirement_age_differs_by_gender_and_counts_on_the_start_day() -> None:
    assert chosen(birth_date=date(1966, 12, 2)) is None  # a man turning 60 a day later
    assert chosen(gender="F", birth_date=date(1971, 12, 1)) == "elderly"  # a woman of 55
    assert chosen(gender="F", birth_date=date(1971, 12, 2)) is None


def test_a_person_in_two_groups_is_listed_in_the_higher_standard() -> None:
    assert chosen(is_hardship=True, is_model_worker=True, birth_date=date(1950, 1, 1)) == (
        "hardship_model"
    )
    assert chosen(is_model_worker=True, birth_date=date(1950, 1, 1)) == "model_worker"


def test_equal_standards_go_to_the_group_listed_first() -> None:
    first = TargetGroup("first", "甲类", 10_000, hardship=True)
    second = TargetGroup("second", "乙类", 5_000, "油", 5_000, model_worker=True)
    both = person(is_hardship=True, is_model_worker=True)
    assert rules.choose_group((first, second), both, ON) == first
    assert rules.choose_group((second, first), both, ON) == second


@pytest.mark.parametrize("status", ["left", "transferring"])
def test_members_who_left_or_are_leaving_are_not_listed(status: str) -> None:
    assert chosen(is_hardship=True, status=status) is None


def test_retained_members_are_listed() -> None:
    assert chosen(is_hardship=True, status="retained") == "hardship"


def test_groups_round_trip_and_bad_groups_are_refused() -> None:
    data = [g.as_data() for g in DEFAULT_GROUPS]
    assert rules.parse_groups(data) == DEFAULT_GROUPS
    for bad in (
        [],
        [data[0], data[0]],
        [{"code": "x", "name": "无条件", "cash_fen": 100}],
        [data[0] | {"cash_fen": -1}],
        [data[0] | {"cash_fen": 0, "goods_value_fen": 0}],
        [data[0] | {"categories": ["astronaut"]}],
        [data[0] | {"min_age": 200}],
        [data[0] | {"hardship": "yes"}],
        "not a list",
    ):
        with pytest.raises(DomainError) as caught:
            rules.parse_groups(bad)
        assert caught.value.code == "warmth.groups_invalid"


def test_the_campaign_moves_forward_only() -> None:
    rules.check_transition("preparing", "active")
    rules.check_transition("active", "closed")
    for current, to in [("preparing", "closed"), ("closed", "active"), ("active", "preparing")]:
        with pytest.raises(DomainError):
            rules.check_transition(current, to)
    assert rules.is_open("active") and not rules.is_open("closed")


def test_an_allocation_stays_within_the_parent_and_above_what_is_committed() -> None:
    rules.check_allocation(
        new_fen=500, current_fen=0, parent_remaining_fen=500, own_committed_fen=0
    )
    rules.check_allocation(
        new_fen=800, current_fen=300, parent_remaining_fen=500, own_committed_fen=0
    )
    with pytest.raises(DomainError) as over:
        rules.check_allocation(
            new_fen=801, current_fen=300, parent_remaining_fen=500, own_committed_fen=0
        )
    assert over.value.code == "warmth.allocation_over_parent"
    with pytest.raises(DomainError) as below:
        rules.check_allocation(
            new_fen=99, current_fen=300, parent_remaining_fen=0, own_committed_fen=100
        )
    assert below.value.code == "warmth.allocation_below_committed"


def test_spending_up_to_the_last_fen_passes() -> None:
    rules.check_spending(amount_fen=100, remaining=100)
    with pytest.raises(DomainError):
        rules.check_spending(amount_fen=101, remaining=100)


def test_ages_and_leap_days() -> None:
    assert rules.age_on(date(1966, 12, 1), ON) == 60
    assert rules.age_on(date(1966, 12, 2), ON) == 59
    assert rules.latest_birth_for(59, date(2028, 2, 29)) == date(1969, 2, 28)


@given(
    st.dates(date(1930, 1, 1), date(2010, 12, 31)), st.dates(date(2020, 1, 1), date(2040, 12, 31))
)
def test_the_database_birth_cut_agrees_with_the_age_rule(birth: date, on: date) -> None:
    for age in (50, 55, 60):
        assert (birth <= rules.latest_birth_for(age, on)) == (rules.age_on(birth, on) >= age)


def test_percent_is_one_decimal_and_none_without_a_whole() -> None:
    assert rules.percent(1, 3) == Decimal("33.3")
    assert rules.percent(2, 3) == Decimal("66.7")
    assert rules.percent(0, 0) is None


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8),
)
def test_proportional_parts_always_add_up(total: int, weights: list[int]) -> None:
    parts = rules.split_by_weights(total, weights)
    whole = sum(weights)
    if whole == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / whole
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0
