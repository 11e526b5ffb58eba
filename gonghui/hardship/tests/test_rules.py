"""The income rule at the threshold's edges, the two state machines, who acts where."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.hardship import rules


def test_per_capita_income_is_rounded_down_to_the_fen() -> None:
    assert rules.per_capita_fen([100_001, 0, 0], 3) == 33_333
    assert rules.per_capita_fen([90_000, 90_000], 2) == 90_000


@given(st.lists(st.integers(0, 10_000_000), min_size=1, max_size=12))
def test_per_capita_never_overstates_the_household(incomes: list[int]) -> None:
    size = len(incomes)
    per_capita = rules.per_capita_fen(incomes, size)
    assert per_capita * size <= sum(incomes) < (per_capita + 1) * size


@pytest.mark.parametrize(
    ("per_capita", "below"),
    [(89_999, True), (90_000, False), (90_001, False), (0, True)],
)
def test_below_the_threshold_means_strictly_below(per_capita: int, below: bool) -> None:
    assert rules.below_threshold(per_capita, 90_000) is below


def test_at_the_threshold_only_a_spending_cause_keeps_a_file() -> None:
    assert rules.check_eligible(per_capita=89_999, threshold_fen=90_000, causes=["living"]) is True
    with pytest.raises(DomainError) as refused:
        rules.check_eligible(
            per_capita=90_000, threshold_fen=90_000, causes=["living", "employment"]
        )
    assert refused.value.code == "hardship.income_above_threshold"
    assert "¥900.00" in refused.value.message
    assert (
        rules.check_eligible(per_capita=90_000, threshold_fen=90_000, causes=["illness"]) is False
    )


def test_household_size_and_income_limits() -> None:
    with pytest.raises(DomainError):
        rules.per_capita_fen([], 0)
    with pytest.raises(DomainError):
        rules.per_capita_fen([-1], 1)


def test_the_file_workflow_table() -> None:
    assert rules.file_transition_level("grassroots", "county") == rules.GRASSROOTS
    assert rules.file_transition_level("city", "notice") == rules.CITY
    assert rules.file_transition_level("notice", "objected") == rules.STAFF
    with pytest.raises(DomainError) as refused:
        rules.file_transition_level("grassroots", "active")
    assert refused.value.code == "hardship.file.transition_invalid"
    assert {rules.STATUS_OF[s] for s in ("grassroots", "notice", "objected")} == {"temporary"}
    assert rules.STATUS_OF["active"] == "active" and rules.STATUS_OF["relieved"] == "relieved"


def test_the_notice_must_run_out_without_open_objections() -> None:
    end = date(2026, 12, 4)
    with pytest.raises(DomainError) as running:
        rules.check_notice_over(notice_ends_on=end, today=end, open_objections=0)
    assert running.value.code == "hardship.file.notice_running"
    with pytest.raises(DomainError) as held:
        rules.check_notice_over(
            notice_ends_on=end, today=end + timedelta(days=9), open_objections=1
        )
    assert held.value.code == "hardship.file.objection_open"
    rules.check_notice_over(notice_ends_on=end, today=end + timedelta(days=1), open_objections=0)


def test_aid_moves_depend_on_track_and_category() -> None:
    assert ("approved", rules.CITY) in rules.aid_moves_from(
        "rechecked", emergency=False, category="living"
    )
    assert ("referred", rules.CITY) not in rules.aid_moves_from(
        "rechecked", emergency=False, category="living"
    )
    employment = rules.aid_moves_from("rechecked", emergency=False, category="employment")
    assert ("referred", rules.CITY) in employment and all(to != "approved" for to, _ in employment)
    assert rules.aid_transition_level("submitted", "approved", emergency=True) == rules.COUNTY
    with pytest.raises(DomainError):
        rules.aid_transition_level("submitted", "approved", emergency=False)


def test_periods_amounts_and_budgets() -> None:
    assert rules.aid_period(category="living", year=2026, event_date=None) == "2026"
    assert (
        rules.aid_period(category="emergency", year=2026, event_date=date(2026, 5, 1))
        == "2026-05-01"
    )
    with pytest.raises(DomainError):
        rules.aid_period(category="emergency", year=2026, event_date=None)
    rules.check_amount(300_000, min_fen=300_000, max_fen=300_000)
    with pytest.raises(DomainError) as outside:
        rules.check_amount(300_001, min_fen=100_000, max_fen=300_000)
    assert "¥1,000.00 至 ¥3,000.00" in outside.value.message
    rules.check_budget(amount_fen=500, amount_total_fen=1_000, used_fen=500)
    with pytest.raises(DomainError) as over:
        rules.check_budget(amount_fen=501, amount_total_fen=1_000, used_fen=500)
    assert over.value.code == "hardship.aid.over_budget"


def test_ancestor_paths_deepest_first() -> None:
    assert rules.ancestor_paths("/HC/D01/E1/") == ["/HC/D01/E1/", "/HC/D01/", "/HC/"]


def test_levels_by_where_a_grant_sits() -> None:
    grassroots = rules.ReviewerGrant("/C/CA/UA/", "grassroots")
    county = rules.ReviewerGrant("/C/CA/", "county")
    city = rules.ReviewerGrant("/C/", "city")
    assert rules.reviewer_levels([grassroots], "/C/CA/UA/") == {rules.GRASSROOTS, rules.STAFF}
    assert rules.reviewer_levels([county], "/C/CA/UA/") == {rules.COUNTY, rules.STAFF}
    assert rules.reviewer_levels([city], "/C/CA/UA/") == {rules.COUNTY, rules.CITY, rules.STAFF}
    assert rules.reviewer_levels([grassroots], "/C/CB/UB/") == frozenset()
    with pytest.raises(DomainError):
        rules.check_separation(rules.CITY, [rules.COUNTY])


def test_annual_recheck_and_untouched() -> None:
    assert rules.next_check(date(2028, 2, 29)) == date(2029, 2, 28)
    now = datetime(2026, 11, 27, 12, 0)
    assert rules.untouched(now - timedelta(days=366), now)
    assert not rules.untouched(now - timedelta(days=364), now)
