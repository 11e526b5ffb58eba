from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.assessment import rules
from gonghui.core.errors import DomainError

D = Decimal
W = D(20)

actuals = st.decimals(min_value=-10, max_value=10**6, places=2, allow_nan=False)
weights = st.decimals(min_value=D("0.01"), max_value=100, places=2, allow_nan=False)
curves = st.one_of(
    st.builds(
        rules.Curve,
        kind=st.sampled_from([rules.LINEAR, rules.BONUS]),
        target=st.decimals(min_value=D("0.01"), max_value=10**5, places=2),
        cap=st.decimals(min_value=1, max_value=3, places=2),
        lower_is_better=st.booleans(),
    ),
    st.builds(
        rules.Curve,
        kind=st.just(rules.THRESHOLD),
        steps=st.lists(
            st.tuples(
                st.decimals(min_value=0, max_value=1000, places=0),
                st.decimals(min_value=0, max_value=1, places=2),
            ),
            min_size=1,
            max_size=4,
        ).map(tuple),
        lower_is_better=st.booleans(),
    ),
    st.builds(
        rules.Curve,
        kind=st.just(rules.DEDUCTION),
        per_unit=st.decimals(min_value=D("0.01"), max_value=50, places=2),
    ),
)


def test_linear_scores_the_share_of_the_target_up_to_the_weight() -> None:
    curve = rules.Curve(rules.LINEAR, target=D(200))
    assert rules.score(W, curve, D(50)) == D("5.00")
    assert rules.score(W, curve, D(200)) == D("20.00")
    assert rules.score(W, curve, D(400)) == D("20.00")


def test_bonus_pays_above_target_up_to_the_cap() -> None:
    curve = rules.Curve(rules.BONUS, target=D(100), cap=D("1.2"))
    assert rules.score(W, curve, D(110)) == D("22.00")
    assert rules.score(W, curve, D(500)) == D("24.00")


def test_lower_is_better_linear() -> None:
    curve = rules.Curve(rules.LINEAR, target=D(15), lower_is_better=True)
    assert rules.score(W, curve, D(10)) == D("20.00")
    assert rules.score(W, curve, D(30)) == D("10.00")
    assert rules.score(W, curve, D(0)) == D("20.00")


def test_threshold_pays_the_best_step_reached() -> None:
    curve = rules.Curve(rules.THRESHOLD, steps=((D(100), D("0.6")), (D(300), D("0.8"))))
    assert rules.score(W, curve, D(99)) == D("0.00")
    assert rules.score(W, curve, D(100)) == D("12.00")
    assert rules.score(W, curve, D(1000)) == D("16.00")


def test_deduction_per_overdue_item_never_below_zero() -> None:
    curve = rules.Curve(rules.DEDUCTION, per_unit=D(5))
    assert rules.score(W, curve, D(0)) == D("20.00")
    assert rules.score(W, curve, D(3)) == D("5.00")
    assert rules.score(W, curve, D(9)) == D("0.00")


def test_no_actual_value_means_no_score_not_zero() -> None:
    assert rules.score(W, rules.Curve(rules.LINEAR, target=D(1)), None) is None


# The shared test machine can stall a draw for seconds: no deadline, no slowness check.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(weight=weights, curve=curves, actual=actuals)
def test_a_score_is_never_above_weight_times_cap_nor_negative(weight, curve, actual) -> None:
    points = rules.score(weight, curve, actual)
    assert points is not None
    assert D(0) <= points <= rules.max_points(weight, curve).quantize(D("0.01"))


@RELAXED
@given(weight=weights, curve=curves, a=actuals, b=actuals)
def test_a_score_is_monotonic_in_the_actual_value(weight, curve, a, b) -> None:
    low, high = sorted((a, b))
    s_low, s_high = rules.score(weight, curve, low), rules.score(weight, curve, high)
    assert s_low is not None and s_high is not None
    if curve.lower_is_better or curve.kind == rules.DEDUCTION:
        assert s_low >= s_high
    else:
        assert s_low <= s_high


@pytest.mark.parametrize(
    "curve",
    [
        rules.Curve(rules.LINEAR),
        rules.Curve(rules.BONUS, target=D(10), cap=D("0.5")),
        rules.Curve(rules.THRESHOLD),
        rules.Curve(rules.THRESHOLD, steps=((D(1), D(2)),)),
        rules.Curve(rules.DEDUCTION),
        rules.Curve("bogus", target=D(1)),
    ],
)
def test_curves_that_cannot_score_are_refused(curve) -> None:
    with pytest.raises(DomainError):
        rules.curve_check(curve)


def test_sibling_weights_must_sum_to_100() -> None:
    rules.weights_check([D(40), D("35.5"), D("24.5")])
    with pytest.raises(DomainError) as exc:
        rules.weights_check([D(40), D(50)])
    assert exc.value.code == "assessment.weights_not_100"
    with pytest.raises(DomainError):
        rules.weights_check([D(120), D(-20)])


def test_category_points_scale_by_its_weight() -> None:
    roots = [
        rules.Node("a", D(60), children=[rules.Node(1, D(50), D(50)), rules.Node(2, D(50), None)]),
        rules.Node("b", D(40), children=[rules.Node(3, D(100), D(80))]),
    ]
    assert rules.node_points(roots[0]) == D("30.00")
    assert rules.total_points(roots) == D("62.00")


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    ranked = rules.rank([("a", D(90)), ("b", D(95)), ("c", D(90)), ("d", None), ("e", D(80))])
    assert ranked == [("b", 1), ("a", 2), ("c", 2), ("e", 4), ("d", None)]
    assert [r for _, r in rules.rank([("x", D(1)), ("y", D(1)), ("z", D(0))])] == [1, 1, 3]


def test_workflow_table_refuses_illegal_moves() -> None:
    rules.transition_check(rules.SELF, rules.REVIEW, frozenset({rules.BODY}))
    with pytest.raises(DomainError) as exc:
        rules.transition_check(rules.SELF, rules.FINAL, frozenset({rules.OFFICE}))
    assert exc.value.code == "assessment.transition_invalid"
    with pytest.raises(DomainError) as exc:
        rules.transition_check(rules.REVIEW, rules.FINAL, frozenset({rules.BODY}))
    assert exc.value.code == "assessment.transition_forbidden"
    with pytest.raises(DomainError):
        rules.transition_check(rules.FINAL, rules.SELF, frozenset({rules.OFFICE}))
    assert rules.moves_from(rules.REVIEW, frozenset({rules.OFFICE})) == [rules.SELF, rules.FINAL]
    assert rules.moves_from(rules.FINAL, frozenset({rules.OFFICE, rules.BODY})) == []
