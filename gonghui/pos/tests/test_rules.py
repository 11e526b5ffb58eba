"""Pure rules: the day cap, the share of the discount a refund takes back (hypothesis: partial
refunds that add up to everything paid take back exactly the whole discount), the name mask."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.masking import mask_name
from gonghui.pos import rules


def test_a_discount_within_the_cap_fits():
    assert rules.fits_day_cap(cap_fen=5000, used_fen=3000, discount_fen=2000)


def test_a_discount_beyond_the_cap_does_not_fit():
    assert not rules.fits_day_cap(cap_fen=5000, used_fen=3000, discount_fen=2001)


def test_no_cap_means_anything_fits():
    assert rules.fits_day_cap(cap_fen=None, used_fen=10**9, discount_fen=10**6)


def test_a_zero_discount_fits_a_used_up_cap():
    assert rules.fits_day_cap(cap_fen=5000, used_fen=5000, discount_fen=0)


def test_half_the_money_back_takes_half_the_discount_rounded_half_up():
    reversed_fen = rules.discount_reversal(
        discount_fen=15,
        payable_fen=100,
        refunded_before_fen=0,
        reversed_before_fen=0,
        refund_fen=50,
    )

    assert reversed_fen == 8  # 7.5 rounds up


def test_a_refund_beyond_what_was_paid_is_an_error():
    with pytest.raises(ValueError):
        rules.discount_reversal(
            discount_fen=15,
            payable_fen=100,
            refunded_before_fen=60,
            reversed_before_fen=9,
            refund_fen=41,
        )


@st.composite
def sale_and_refunds(draw):
    amount = draw(st.integers(min_value=1, max_value=10**8))
    discount = draw(st.integers(min_value=0, max_value=amount - 1))
    payable = amount - discount
    # Cut [0, payable] at random points: refunds that add up to everything paid.
    cuts = draw(st.lists(st.integers(min_value=1, max_value=payable), max_size=12, unique=True))
    points = sorted({*cuts, payable})
    refunds = [b - a for a, b in zip([0, *points], points, strict=False)]
    return discount, payable, refunds


def _apply(discount, payable, refunds):
    refunded = reversed_total = 0
    steps = []
    for refund in refunds:
        step = rules.discount_reversal(
            discount_fen=discount,
            payable_fen=payable,
            refunded_before_fen=refunded,
            reversed_before_fen=reversed_total,
            refund_fen=refund,
        )
        steps.append(step)
        refunded += refund
        reversed_total += step
    return steps


@given(sale_and_refunds())
def test_refunds_adding_up_to_everything_paid_take_back_the_whole_discount(case):
    discount, payable, refunds = case

    steps = _apply(discount, payable, refunds)

    assert sum(refunds) == payable
    assert sum(steps) == discount
    assert all(step >= 0 for step in steps)


@given(sale_and_refunds(), st.data())
def test_partial_refunds_never_take_back_more_than_their_share_rounded(case, data):
    discount, payable, refunds = case
    kept = refunds[: data.draw(st.integers(min_value=0, max_value=len(refunds)))]

    steps = _apply(discount, payable, kept)

    exact = discount * sum(kept) / payable
    assert abs(sum(steps) - exact) <= 0.5
    assert 0 <= sum(steps) <= discount


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张明", "张*"),
        ("张小明", "张*明"),
        ("欧阳小峰", "欧**峰"),
        ("李", "李"),
        ("", ""),
        (" 王 芳 ", "王*"),
    ],
)
def test_a_name_is_masked_keeping_first_and_last(name, masked):
    assert mask_name(name) == masked
