"""The reads others rely on: the POS checks, the staff scope and the members' directory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.merchants import selectors, services
from gonghui.merchants.models import MerchantStaff, MerchantStatus

pytestmark = pytest.mark.django_db


# -- the POS --------------------------------------------------------------------------------


def test_an_active_merchant_trades_under_its_contract(merchant_a) -> None:
    contract = selectors.contract_for_trade(merchant_a, timezone.localdate())
    assert contract.merchant_id == merchant_a.pk


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (MerchantStatus.SUSPENDED, "merchant.suspended"),
        (MerchantStatus.EXPIRED, "merchant.expired"),
        (MerchantStatus.TERMINATED, "merchant.not_active"),
        (MerchantStatus.APPLIED, "merchant.not_active"),
        (MerchantStatus.REJECTED, "merchant.not_active"),
    ],
)
def test_a_merchant_that_may_not_trade_is_refused(make_merchant, status, code) -> None:
    merchant = make_merchant(status=status)
    with pytest.raises(DomainError) as caught:
        selectors.contract_for_trade(merchant, timezone.localdate())
    assert caught.value.code == code
    assert caught.value.status == 403


def test_a_day_without_a_contract_is_refused_as_expired(merchant_a) -> None:
    with pytest.raises(DomainError) as caught:
        selectors.contract_for_trade(merchant_a, timezone.localdate() + timedelta(days=800))
    assert caught.value.code == "merchant.expired"


def test_a_suspension_stops_the_terminal_at_once(
    merchant_a, reviewer, django_assert_num_queries
) -> None:
    key, _ = services.key_issue(by=reviewer, merchant=merchant_a)
    # The POS holds the merchant from till_for_key; a suspension lands in between.
    held = selectors.till_for_key(key.key_id, timezone.localdate()).merchant
    services.merchant_suspend(by=reviewer, merchant=merchant_a, reason="核查")
    with django_assert_num_queries(1), pytest.raises(DomainError) as caught:
        selectors.contract_for_trade(held, timezone.localdate())
    assert caught.value.code == "merchant.suspended"


def test_till_for_key_finds_live_keys_with_merchant_and_contract_in_one_query(
    merchant_a, reviewer, django_assert_num_queries
) -> None:
    key, secret = services.key_issue(by=reviewer, merchant=merchant_a)
    today = timezone.localdate()
    with django_assert_num_queries(1):
        till = selectors.till_for_key(key.key_id, today)
        assert till.terminal.secret == secret
        assert till.terminal.merchant is till.merchant
        assert till.merchant.code == merchant_a.code
        traded = till.trade_contract()
    assert traded == selectors.contract_for_trade(merchant_a, today)
    assert traded.discount_rate == selectors.contract_for_trade(merchant_a, today).discount_rate
    assert selectors.till_for_key("pk_0000000000000000", today) is None
    assert selectors.till_for_key("", today) is None
    services.key_revoke(by=reviewer, key=key)
    assert selectors.till_for_key(key.key_id, today) is None


def test_till_for_key_answers_without_a_contract_and_the_trade_check_refuses(
    merchant_a, reviewer
) -> None:
    key, _ = services.key_issue(by=reviewer, merchant=merchant_a)
    till = selectors.till_for_key(key.key_id, timezone.localdate() + timedelta(days=800))
    assert till is not None and till.contract is None
    with pytest.raises(DomainError) as caught:
        till.trade_contract()
    assert caught.value.code == "merchant.expired"


def test_staff_merchant_is_the_shop_an_active_account_works_for(merchant_a, people) -> None:
    user = User.objects.create_user(username="cashier1", password="x", kind="merchant")
    assert selectors.staff_merchant(user) is None
    row = MerchantStaff.objects.create(merchant=merchant_a, user=user, role="cashier")
    assert selectors.staff_merchant(user) == merchant_a
    assert selectors.staff_merchant(people["alice"]) is None
    row.is_active = False
    row.save()
    assert selectors.staff_merchant(user) is None


# -- staff scope ----------------------------------------------------------------------------


def test_carol_sees_her_county_and_bob_nothing(people, merchant_a, merchant_b, reviewer) -> None:
    assert list(selectors.merchant_search(actor=people["carol"])) == [merchant_a]
    assert list(selectors.merchant_search(actor=people["bob"])) == []
    assert list(selectors.merchant_search(actor=people["alice"])) == []
    assert set(selectors.merchant_search(actor=reviewer)) == {merchant_a, merchant_b}
    with pytest.raises(DomainError) as caught:
        selectors.merchant_get(actor=people["carol"], key=merchant_b.code)
    assert caught.value.status == 404


def test_search_by_name_code_and_credit_code(reviewer, merchant_a, merchant_b) -> None:
    assert list(selectors.merchant_search(actor=reviewer, q="老字号")) == [merchant_a]
    assert list(selectors.merchant_search(actor=reviewer, q=merchant_b.code.lower())) == [
        merchant_b
    ]
    assert list(selectors.merchant_search(actor=reviewer, q=merchant_b.uscc)) == [merchant_b]
    assert list(selectors.merchant_search(actor=reviewer, category="lodging")) == [merchant_b]
    assert list(selectors.merchant_search(actor=reviewer, district="CA")) == [merchant_a]


def test_the_review_queue_is_scoped_and_oldest_first(apply, people, tree) -> None:
    first = apply(tree["county_a"])
    second = apply(tree["county_a"])
    apply(tree["county_b"])
    assert list(selectors.review_queue(actor=people["carol"])) == [first, second]
    assert selectors.merchant_get(actor=people["carol"], key=first.application_no) == first


# -- the directory --------------------------------------------------------------------------


def test_the_directory_lists_only_merchants_trading_today(make_merchant, merchant_a) -> None:
    make_merchant(status=MerchantStatus.SUSPENDED)
    make_merchant(status=MerchantStatus.EXPIRED)
    make_merchant(contract=False)
    make_merchant(status=MerchantStatus.APPLIED, code=None, application_no="SQ00000001")
    assert list(selectors.directory()) == [merchant_a]


def test_nearest_first_is_ordered_in_the_database(make_merchant, django_assert_num_queries) -> None:
    far = make_merchant(lat="32.480000", lng="119.420000")  # ~10 km north
    near = make_merchant(lat="32.391000", lng="119.421000")  # ~150 m
    # 0.03° of longitude is shorter than 0.03° of latitude at this latitude: cos φ matters.
    east = make_merchant(lat="32.390000", lng="119.450000")
    north = make_merchant(lat="32.420000", lng="119.420000")
    point = selectors.Point(32.39, 119.42)
    qs = selectors.directory(near=point)
    assert "distance_sq" in str(qs.query)
    with django_assert_num_queries(2):  # the rows, their contracts in force
        rows = selectors.page_rows(qs[:10], point)
    assert [m.pk for m in rows] == [near.pk, east.pk, north.pk, far.pk]
    assert rows[0].distance_m == pytest.approx(145, abs=5)
    assert rows[1].distance_m == pytest.approx(2820, rel=0.01)
    assert rows[0].rule_text == "8.5折，单笔最多优惠¥50.00"


def test_the_directory_filters_by_category_and_district(make_merchant, tree) -> None:
    food_a = make_merchant(tree["county_a"], category="food")
    make_merchant(tree["county_b"], category="food")
    make_merchant(tree["county_a"], category="clinic")
    assert list(selectors.directory(category="food", district="CA")) == [food_a]


def test_map_points_are_the_listed_merchants(merchant_a, make_merchant) -> None:
    make_merchant(status=MerchantStatus.SUSPENDED)
    points = selectors.map_points()
    assert points == [
        {
            "code": merchant_a.code,
            "name": merchant_a.name,
            "category": "food",
            "lat": 32.39,
            "lng": 119.42,
        }
    ]
