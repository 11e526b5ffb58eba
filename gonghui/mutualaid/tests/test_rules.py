"""The plan's arithmetic and its state machine, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.mutualaid import rules

ITEMS = {item.code: item for item in rules.parse_benefits(rules.DEFAULT_BENEFITS)}


# -- the contribution split ------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])  # the machine is shared in CI
@given(
    total=st.integers(min_value=0, max_value=10**10),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=5).filter(
        lambda w: sum(w) > 0
    ),
)
def test_parts_always_sum_to_the_whole_and_stay_within_a_fen(total, weights) -> None:
    parts = rules.split_contribution(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(total * weight, sum(weights))
        assert abs(part - exact) < 1
        assert part >= 0
        if weight == 0:
            assert part == 0


def test_a_third_each_gives_leftover_fen_to_employer_then_union() -> None:
    assert rules.split_contribution(6000, (1, 1, 1)) == (2000, 2000, 2000)
    assert rules.split_contribution(6001, (1, 1, 1)) == (2001, 2000, 2000)
    assert rules.split_contribution(6002, (1, 1, 1)) == (2001, 2001, 2000)
    assert rules.split_contribution(100, (0, 1, 1)) == (0, 50, 50)
    assert rules.split_contribution(101, (0, 1, 2)) == (0, 34, 67)


def test_weights_must_pay_something() -> None:
    with pytest.raises(ValueError):
        rules.split_contribution(100, (0, 0, 0))
    with pytest.raises(DomainError):
        rules.check_contribution(6000, (0, 0, 0))
    with pytest.raises(DomainError):
        rules.check_contribution(0, (1, 1, 1))


# -- benefits --------------------------------------------------------------------------------


def test_inpatient_pays_the_part_above_the_deductible_at_the_level_ratio() -> None:
    result = rules.compute_claim(ITEMS["inpatient"], total_fen=500000, hospital_level="tertiary")
    # (5000.00 - 800.00) * 50% = 2100.00
    assert result.payable_fen == 210000
    texts = [rules.line_text(line) for line in result.as_json()]
    assert "减去起付线 ¥800.00，可报销部分 ¥4,200.00" in texts
    assert "按三级医院报销比例 50% 计 ¥2,100.00（不足一分的部分舍去）" in texts
    assert texts[-1] == "本次应付 ¥2,100.00"


def test_a_lower_level_hospital_pays_a_higher_ratio() -> None:
    primary = rules.compute_claim(ITEMS["inpatient"], total_fen=500000, hospital_level="primary")
    assert primary.payable_fen == 252000  # 4200 * 60%


def test_nothing_below_the_deductible_and_at_it_exactly() -> None:
    for total in (0, 50000, 80000):
        result = rules.compute_claim(ITEMS["inpatient"], total_fen=total, hospital_level="primary")
        assert result.payable_fen == 0
    assert (
        rules.compute_claim(ITEMS["inpatient"], total_fen=80001, hospital_level="tertiary")
    ).payable_fen == 0  # half a fen is rounded down
    assert (
        rules.compute_claim(ITEMS["inpatient"], total_fen=80002, hospital_level="tertiary")
    ).payable_fen == 1


def test_the_annual_cap_limits_what_is_left() -> None:
    item = ITEMS["inpatient"]  # cap ¥30,000
    big = rules.compute_claim(item, total_fen=10_000_000, hospital_level="tertiary")
    assert big.payable_fen == 3000000
    partly_used = rules.compute_claim(
        item, total_fen=500000, hospital_level="tertiary", used_fen=2950000
    )
    assert partly_used.payable_fen == 50000
    assert "尚可给付 ¥500.00" in rules.line_text(partly_used.as_json()[-2])
    used_up = rules.compute_claim(
        item, total_fen=500000, hospital_level="tertiary", used_fen=3000000
    )
    assert used_up.payable_fen == 0


@given(
    total=st.integers(min_value=0, max_value=10**9),
    used=st.integers(min_value=0, max_value=4_000_000),
    level=st.sampled_from(rules.HOSPITAL_LEVELS),
)
def test_a_reimbursement_never_exceeds_ratio_or_cap(total, used, level) -> None:
    item = ITEMS["inpatient"]
    payable = rules.compute_claim(item, total_fen=total, hospital_level=level, used_fen=used)
    ratio = item.ratio_for(level)
    assert 0 <= payable.payable_fen <= max(0, item.annual_cap_fen - used)
    assert payable.payable_fen <= Decimal(max(0, total - item.deductible_fen)) * ratio


def test_critical_illness_pays_the_listed_lump_sum_once_to_the_cap() -> None:
    item = ITEMS["critical"]
    assert rules.compute_claim(item, condition_code="cancer", total_fen=0).payable_fen == 1000000
    assert rules.compute_claim(item, condition_code="stroke", total_fen=0).payable_fen == 500000
    again = rules.compute_claim(item, condition_code="heart", total_fen=0, used_fen=700000)
    assert again.payable_fen == 300000
    with pytest.raises(DomainError) as exc:
        rules.compute_claim(item, condition_code="flu", total_fen=0)
    assert exc.value.code == "mutualaid.condition_unknown"


def test_accident_uses_its_default_ratio_at_any_hospital() -> None:
    result = rules.compute_claim(ITEMS["accident"], total_fen=110000, hospital_level="secondary")
    assert result.payable_fen == 80000  # (1100 - 100) * 80%
    assert ITEMS["accident"].waiting_period is False


def test_benefits_are_checked_with_plain_messages() -> None:
    bad = [dict(rules.DEFAULT_BENEFITS[0], ratios={"primary": "1.5"})]
    with pytest.raises(DomainError, match="报销比例须在 0 到 1 之间"):
        rules.parse_benefits(bad)
    with pytest.raises(DomainError, match="类型须是"):
        rules.parse_benefits([dict(rules.DEFAULT_BENEFITS[0], kind="cash")])
    with pytest.raises(DomainError, match="重复"):
        rules.parse_benefits([rules.DEFAULT_BENEFITS[0], rules.DEFAULT_BENEFITS[0]])
    with pytest.raises(DomainError, match="年度封顶金额"):
        rules.parse_benefits([dict(rules.DEFAULT_BENEFITS[0], annual_cap_fen=12.5)])
    with pytest.raises(DomainError):
        rules.parse_benefits([])


# -- versions, cover, age --------------------------------------------------------------------


def test_the_version_in_force_on_the_event_date_applies() -> None:
    versions = [(date(2026, 7, 1), "v1"), (date(2026, 10, 1), "v2")]
    assert rules.version_in_force(versions, date(2026, 9, 30)) == "v1"
    assert rules.version_in_force(versions, date(2026, 10, 1)) == "v2"
    assert rules.version_in_force(versions, date(2027, 6, 30)) == "v2"
    with pytest.raises(DomainError):
        rules.version_in_force(versions, date(2026, 6, 30))


def test_a_new_enrolment_waits_and_a_renewal_does_not() -> None:
    starts = date(2026, 7, 1)
    assert rules.cover_starts(
        plan_starts=starts, enrolled_on=date(2026, 8, 1), waiting_days=90, renewed=False
    ) == date(2026, 10, 30)
    assert (
        rules.cover_starts(plan_starts=starts, enrolled_on=starts, waiting_days=90, renewed=True)
        == starts
    )


def test_a_claim_in_the_waiting_period_is_refused_with_the_date_cover_starts() -> None:
    kwargs = {
        "plan_starts": date(2026, 7, 1),
        "enrolled_on": date(2026, 8, 1),
        "cover_starts_on": date(2026, 10, 30),
        "cover_ends_on": date(2027, 6, 30),
    }
    with pytest.raises(DomainError) as exc:
        rules.check_covered(event_date=date(2026, 10, 29), waiting_period=True, **kwargs)
    assert exc.value.code == "mutualaid.claim.waiting_period"
    assert "2026-10-30" in exc.value.message
    rules.check_covered(event_date=date(2026, 10, 30), waiting_period=True, **kwargs)
    rules.check_covered(event_date=date(2026, 8, 1), waiting_period=False, **kwargs)
    with pytest.raises(DomainError) as exc:
        rules.check_covered(event_date=date(2027, 7, 1), waiting_period=False, **kwargs)
    assert exc.value.code == "mutualaid.claim.after_cover"


def test_age_limits() -> None:
    rules.check_age(birth=date(1961, 7, 2), day=date(2026, 7, 1), min_age=16, max_age=65)
    with pytest.raises(DomainError):
        rules.check_age(birth=date(1960, 7, 1), day=date(2026, 7, 1), min_age=16, max_age=65)


# -- invoices and uploads --------------------------------------------------------------------


def test_invoice_numbers_normalise_full_width_spaces_and_case() -> None:
    assert rules.normalise_invoice_no(" ２６４１-0000 abc ") == "26410000ABC"
    with pytest.raises(DomainError):
        rules.normalise_invoice_no("12")
    with pytest.raises(DomainError):
        rules.normalise_invoice_no("发票一二三四五六")


# -- the state machine and who moves it ------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("submitted", "approved"),
        ("submitted", "paid"),
        ("first_reviewed", "approved"),
        ("paid", "rejected"),
        ("rejected", "approved"),
        ("approved", "rejected"),
        ("returned", "approved"),
    ],
)
def test_illegal_transitions_are_refused(current, target) -> None:
    with pytest.raises(DomainError) as exc:
        rules.transition_level(current, target)
    assert exc.value.code == "mutualaid.claim.transition_invalid"


def test_each_step_belongs_to_its_level() -> None:
    assert rules.transition_level("submitted", "first_reviewed") == rules.FIRST
    assert rules.transition_level("first_reviewed", "rechecked") == rules.RECHECK
    assert rules.transition_level("rechecked", "approved") == rules.APPROVE
    assert rules.transition_level("rejected", "appealed") == rules.SUBMITTER


def test_reviewer_levels_follow_the_tree() -> None:
    officer = rules.ReviewerGrant("/C/CA/UA/", "grassroots")
    county = rules.ReviewerGrant("/C/CA/", "county")
    city = rules.ReviewerGrant("/C/", "city")
    other = rules.ReviewerGrant("/C/CB/UB/", "grassroots")
    assert rules.reviewer_levels([officer], "/C/CA/UA/") == {rules.FIRST}
    assert rules.reviewer_levels([other], "/C/CA/UA/") == frozenset()
    assert rules.reviewer_levels([county], "/C/CA/UA/") == {rules.RECHECK}
    assert rules.reviewer_levels([county], "/C/CA/") == {rules.FIRST, rules.RECHECK}
    assert rules.reviewer_levels([city], "/C/CA/UA/") == {rules.RECHECK, rules.APPROVE}


def test_one_person_signs_one_level() -> None:
    rules.check_separation(rules.RECHECK, [])
    rules.check_separation(rules.RECHECK, [rules.SUBMITTER])
    with pytest.raises(DomainError):
        rules.check_separation(rules.APPROVE, [rules.RECHECK])
