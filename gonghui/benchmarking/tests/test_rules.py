"""Gap arithmetic: absolute and relative, either direction, no data, and the chain's state."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gonghui.benchmarking import rules

D = Decimal


def test_higher_is_better_gap_is_how_far_behind() -> None:
    gap = rules.gap(D("80"), D("100"), higher_is_better=True)
    assert (gap.absolute, gap.relative, gap.behind) == (D("20"), D("20.00"), True)
    ahead = rules.gap(D("120"), D("100"), higher_is_better=True)
    assert (ahead.absolute, ahead.relative, ahead.behind) == (D("-20"), D("-20.00"), False)


def test_lower_is_better_counts_the_other_way() -> None:
    gap = rules.gap(D("15"), D("9"), higher_is_better=False)
    assert (gap.absolute, gap.relative) == (D("6"), D("66.67"))
    assert not rules.gap(D("8"), D("9"), higher_is_better=False).behind


def test_no_data_is_no_gap_never_zero() -> None:
    assert rules.gap(None, D("10"), higher_is_better=True) == rules.NO_GAP
    assert rules.gap(D("10"), None, higher_is_better=True) == rules.NO_GAP
    assert rules.gap(D("0"), D("0"), higher_is_better=True) == rules.Gap(D("0"), None)
    assert rules.gap(D("5"), D("0"), higher_is_better=False).relative is None


def test_the_best_city_by_direction() -> None:
    values = [D("12"), None, D("10")]
    assert rules.best(values, higher_is_better=True) == D("12")
    assert rules.best(values, higher_is_better=False) == D("10")
    assert rules.best([None, None], higher_is_better=True) is None


def test_chain_state() -> None:
    assert rules.chain_state(behind=True, measures=0, closed=0, overdue=0) == rules.NO_MEASURES
    assert rules.chain_state(behind=False, measures=0, closed=0, overdue=0) == rules.AHEAD
    assert rules.chain_state(behind=True, measures=2, closed=1, overdue=1) == rules.OVERDUE
    assert rules.chain_state(behind=True, measures=2, closed=1, overdue=0) == rules.IN_PROGRESS
    assert rules.chain_state(behind=True, measures=2, closed=2, overdue=0) == rules.CLOSED


def test_sorting_puts_the_biggest_gap_first_and_no_data_last() -> None:
    gaps = [D("5"), None, D("40"), D("-3")]
    assert sorted(gaps, key=rules.sort_key) == [D("40"), D("5"), D("-3"), None]


def test_trend_between_first_and_last_known() -> None:
    assert rules.trend([(2025, D("30")), (2026, D("20"))]) == D("-10")
    assert rules.trend([(2025, None), (2026, D("20"))]) is None


figures = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False)


@given(own=figures, benchmark=figures, higher=st.booleans())
def test_directions_mirror_and_relative_follows_absolute(
    own: Decimal, benchmark: Decimal, higher: bool
) -> None:
    gap = rules.gap(own, benchmark, higher_is_better=higher)
    mirrored = rules.gap(own, benchmark, higher_is_better=not higher)
    assert gap.absolute == -mirrored.absolute  # type: ignore[operator]
    if benchmark == 0:
        assert gap.relative is None
    else:
        assert gap.relative is not None and gap.absolute is not None
        assert (gap.relative > 0) <= (gap.absolute > 0)
        assert abs(gap.relative - gap.absolute * 100 / abs(benchmark)) <= D("0.005")
