"""The demo seeder: 320 merchants with codes, the demo accounts at SH00001, a fixed key."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.merchants import selectors
from gonghui.merchants.demo import MERCHANTS, demo_key, seed_merchants
from gonghui.merchants.models import Category, Merchant, MerchantStatus
from gonghui.orgs.services import union_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_tree(people):
    city = union_create(by=None, code="HC", name="鹤川市总工会", kind="city", parent=None)
    for code, name in [("D01", "鹤山区总工会"), ("D02", "川东区总工会"), ("D05", "临河县总工会")]:
        union_create(by=None, code=code, name=name, kind="county", parent=city)
    User.objects.create_user(username="merchant", password="x", kind="merchant")
    return city


def test_the_demo_city_has_its_merchants_once(demo_tree, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(60):
        created = seed_merchants(random.Random(1))
    assert created == MERCHANTS + 5
    assert seed_merchants(random.Random(1)) == 0
    assert Merchant.objects.filter(code__startswith="SH").count() == MERCHANTS
    assert set(Merchant.objects.values_list("category", flat=True)) == set(Category.values)
    statuses = set(Merchant.objects.values_list("status", flat=True))
    assert {"active", "suspended", "expired", "applied"} <= statuses
    first = Merchant.objects.get(code="SH00001")
    assert selectors.staff_merchant(User.objects.get(username="merchant")) == first
    assert selectors.staff_merchant(User.objects.get(username="cashier")) == first
    key_id, secret = demo_key()
    key = selectors.till_for_key(key_id, timezone.localdate()).terminal
    assert key.merchant == first and key.secret == secret
    for merchant in Merchant.objects.filter(status=MerchantStatus.ACTIVE)[:50]:
        assert abs(float(merchant.latitude) - 32.39) <= 0.12
        assert abs(float(merchant.longitude) - 119.42) <= 0.12
    assert selectors.directory().count() > 250
