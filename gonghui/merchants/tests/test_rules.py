"""The discount arithmetic, the rule text, contract checks, the status table and distances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.merchants import rules
from gonghui.merchants.models import MerchantStatus
from gonghui.merchants.rules import ContractTerms, discount_for

RATE = ContractTerms(discount_kind="rate", discount_rate=Decimal("0.85"))


def test_a_rate_pays_the_rate_rounded_half_up_to_the_fen() -> None:
    # 999 × 0.85 = 849.15 → pays 849; 1001 × 0.85 = 850.85 → pays 851; 10 × 0.85 = 8.5 → 9.
    assert discount_for(RATE, amount_fen=999, day_used_fen=0).payable_fen == 849
    assert discount_for(RATE, amount_fen=1001, day_used_fen=0).payable_fen == 851
    assert discount_for(RATE, amount_fen=10, day_used_fen=0).payable_fen == 9
    result = discount_for(RATE, amount_fen=10000, day_used_fen=0)
    assert (result.discount_fen, result.payable_fen, result.rule) == (1500, 8500, "8.5折")


def test_the_per_transaction_cap_holds() -> None:
    terms = ContractTerms(discount_kind="rate", discount_rate=Decimal("0.50"), per_txn_cap_fen=5000)
    result = discount_for(terms, amount_fen=30000, day_used_fen=0)
    assert (result.discount_fen, result.payable_fen) == (5000, 25000)
    assert result.rule == "5折，单笔最多优惠¥50.00（已按单笔上限优惠）"


def test_the_daily_cap_counts_what_the_member_had_today() -> None:
    terms = ContractTerms(
        discount_kind="rate", discount_rate=Decimal("0.80"), per_member_day_cap_fen=10000
    )
    assert discount_for(terms, amount_fen=20000, day_used_fen=7000).discount_fen == 3000
    spent = discount_for(terms, amount_fen=20000, day_used_fen=12000)
    assert (spent.discount_fen, spent.payable_fen) == (0, 20000)
    assert "今日优惠额度已用完" in spent.rule


def test_a_fixed_amount_off_is_at_most_the_bill_and_needs_the_minimum() -> None:
    terms = ContractTerms(discount_kind="fixed", fixed_off_fen=500, min_amount_fen=2000)
    assert discount_for(terms, amount_fen=2000, day_used_fen=0).discount_fen == 500
    under = discount_for(terms, amount_fen=1999, day_used_fen=0)
    assert (under.discount_fen, under.payable_fen) == (0, 1999)
    assert under.rule == "立减¥5.00，满¥20.00可用（未满¥20.00，本笔不享受优惠）"
    small = ContractTerms(discount_kind="fixed", fixed_off_fen=500)
    assert discount_for(small, amount_fen=300, day_used_fen=0).payable_fen == 0


def test_the_rule_text_says_everything_once() -> None:
    terms = ContractTerms(
        discount_kind="rate",
        discount_rate=Decimal("0.85"),
        min_amount_fen=2000,
        per_txn_cap_fen=5000,
        per_member_day_cap_fen=10000,
    )
    assert rules.rule_text(terms) == (
        "8.5折，满¥20.00可用，单笔最多优惠¥50.00，每人每日最多优惠¥100.00"
    )
    assert rules.rate_text(Decimal("0.80")) == "8折"
    assert rules.rate_text(Decimal("0.88")) == "8.8折"


def test_a_negative_amount_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        discount_for(RATE, amount_fen=-1, day_used_fen=0)
    assert caught.value.code == "merchant.amount_invalid"


rates = st.integers(min_value=50, max_value=90).map(lambda n: Decimal(n) / 100)
caps = st.none() | st.integers(min_value=1, max_value=100_000)
amounts = st.integers(min_value=0, max_value=10_000_000)


@st.composite
def terms_strategy(draw: st.DrawFn) -> ContractTerms:
    kind = draw(st.sampled_from(["rate", "fixed"]))
    return ContractTerms(
        discount_kind=kind,
        discount_rate=draw(rates) if kind == "rate" else None,
        fixed_off_fen=draw(st.integers(1, 100_000)) if kind == "fixed" else None,
        min_amount_fen=draw(st.sampled_from([0, 0, 1000, 5000])),
        per_txn_cap_fen=draw(caps),
        per_member_day_cap_fen=draw(caps),
    )


@given(terms=terms_strategy(), amount=amounts, used=st.integers(0, 200_000))
def test_parts_always_sum_to_the_whole_and_caps_hold(
    terms: ContractTerms, amount: int, used: int
) -> None:
    result = discount_for(terms, amount_fen=amount, day_used_fen=used)
    assert result.discount_fen + result.payable_fen == amount
    assert 0 <= result.discount_fen <= amount
    if terms.per_txn_cap_fen is not None:
        assert result.discount_fen <= terms.per_txn_cap_fen
    if terms.per_member_day_cap_fen is not None:
        assert result.discount_fen <= max(0, terms.per_member_day_cap_fen - used)
    if amount < terms.min_amount_fen:
        assert result.discount_fen == 0


@given(rate=rates, amount=amounts)
def test_a_rate_is_exact_to_half_a_fen_before_caps(rate: Decimal, amount: int) -> None:
    terms = ContractTerms(discount_kind="rate", discount_rate=rate)
    payable = discount_for(terms, amount_fen=amount, day_used_fen=0).payable_fen
    exact = Decimal(amount) * rate
    assert exact - Decimal("0.5") <= payable <= exact + Decimal("0.5")


# -- contract checks ------------------------------------------------------------------------

START = date(2026, 1, 1)
END = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("terms", "valid_to", "code"),
    [
        (ContractTerms("rate", Decimal("0.49")), date(2026, 12, 31), "merchant.rate_invalid"),
        (ContractTerms("rate", Decimal("0.91")), date(2026, 12, 31), "merchant.rate_invalid"),
        (ContractTerms("rate", Decimal("0.855")), date(2026, 12, 31), "merchant.rate_invalid"),
        (ContractTerms("rate", None), date(2026, 12, 31), "merchant.rate_invalid"),
        (ContractTerms("fixed", None, 0), date(2026, 12, 31), "merchant.fixed_invalid"),
        (ContractTerms("rate", Decimal("0.8"), per_txn_cap_fen=0), END, "merchant.cap_invalid"),
        (ContractTerms("rate", Decimal("0.8"), None, 0, None, -5), END, "merchant.cap_invalid"),
        (ContractTerms("rate", Decimal("0.8")), date(2025, 12, 31), "merchant.period_invalid"),
        (ContractTerms("rate", Decimal("0.8")), date(2029, 1, 1), "merchant.period_too_long"),
        (ContractTerms("other", None), date(2026, 12, 31), "merchant.terms_invalid"),
    ],
)  # fmt: skip
def test_a_bad_contract_is_refused_with_its_reason(
    terms: ContractTerms, valid_to: date, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        rules.validate_terms(terms, valid_from=START, valid_to=valid_to)
    assert caught.value.code == code


def test_three_years_to_the_day_before_is_the_longest_contract() -> None:
    rules.validate_terms(
        ContractTerms("rate", Decimal("0.50")), valid_from=START, valid_to=date(2028, 12, 31)
    )
    rules.validate_terms(ContractTerms("rate", Decimal("0.90")), valid_from=START, valid_to=START)
    rules.validate_terms(
        ContractTerms("fixed", None, 500), valid_from=date(2028, 2, 29), valid_to=date(2031, 2, 27)
    )


# -- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("applied", "active"),
        ("applied", "rejected"),
        ("active", "suspended"),
        ("active", "expired"),
        ("active", "terminated"),
        ("suspended", "active"),
        ("suspended", "terminated"),
        ("expired", "active"),
    ],
)
def test_the_allowed_moves(current: str, target: str) -> None:
    rules.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("rejected", "active"),
        ("terminated", "active"),
        ("applied", "suspended"),
        ("expired", "suspended"),
        ("suspended", "expired"),
    ],
)
def test_other_moves_are_refused(current: str, target: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_transition(current, target)
    assert caught.value.code == "merchant.transition_invalid"
    assert str(MerchantStatus(current).label) in caught.value.message


def test_every_status_is_in_the_table() -> None:
    assert set(rules.TRANSITIONS) == set(MerchantStatus.values)


# -- numbers and distances ------------------------------------------------------------------


def test_codes_and_keys_have_their_shapes() -> None:
    assert rules.code_for(7) == "SH00007"
    assert rules.code_number("SH00123") == 123
    assert rules.code_number("XX1") == 0
    assert rules.new_key_id().startswith("pk_") and len(rules.new_key_id()) == 19
    assert len(rules.new_key_secret()) >= 43
    assert rules.new_application_no().startswith("SQ")


def test_distance_is_the_great_circle() -> None:
    assert rules.distance_m(32.39, 119.42, 32.39, 119.42) == 0
    # One degree of latitude is about 111.2 km anywhere.
    assert rules.distance_m(32.0, 119.0, 33.0, 119.0) == pytest.approx(111_195, rel=1e-3)
    # Beijing–Shanghai, about 1,067 km.
    assert rules.distance_m(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(
        1_067_000, rel=0.01
    )
    assert rules.distance_text(849) == "850 米"
    assert rules.distance_text(3240) == "3.2 公里"


def test_rates_are_read_strictly() -> None:
    assert rules.parse_rate("0.85") == Decimal("0.85")
    assert rules.parse_rate("85%") == Decimal("0.85")
    with pytest.raises(DomainError):
        rules.parse_rate("八五折")
