"""Merchants on both sides of the tree: county A (carol's, alice's union lies under it) and
county B (bob's), a federation reviewer at the city root, and helpers to make applications,
merchants with a contract in force, and credit codes with valid check characters."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.merchants import rules, services
from gonghui.merchants.models import Contract, Merchant, MerchantStatus
from gonghui.orgs.models import Union

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(seed: int) -> str:
    rng = random.Random(seed)
    body = "92419902" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def application_data(seed: int = 1, **fields: Any) -> services.MerchantData:
    values: dict[str, Any] = {
        "name": f"甲区好味面馆{seed}",
        "uscc": make_uscc(seed),
        "category": "food",
        "address": f"甲区人民路{seed}号",
        "latitude": "32.390000",
        "longitude": "119.420000",
        "opening_hours": "每天 09:00–21:00",
        "phone": "13912345678",
        "contact_name": "王店长",
        "proposal": "全场8.5折",
    }
    return services.MerchantData(**(values | fields))


RATE_TERMS = rules.ContractTerms(
    discount_kind="rate", discount_rate=Decimal("0.85"), per_txn_cap_fen=5000
)


def year_from(day: date) -> date:
    return rules.add_years(day, 1) - timedelta(days=1)


@pytest.fixture
def reviewer(tree: dict[str, Union]) -> User:
    """保障部 staff at the city root: cards.change everywhere."""
    return make_user("baozhang", assignments=[(tree["city"], "dept_staff", "security")])


Apply = Callable[..., Merchant]


@pytest.fixture
def apply(tree: dict[str, Union]) -> Apply:
    seeds = iter(range(1, 10_000))

    def make(district: Union | None = None, **fields: Any) -> Merchant:
        return services.merchant_apply(
            data=application_data(next(seeds), **fields), district=district or tree["county_a"]
        )

    return make


MakeMerchant = Callable[..., Merchant]


@pytest.fixture
def make_merchant(tree: dict[str, Union]) -> MakeMerchant:
    """An approved merchant straight in the database (code, contract covering today)."""
    numbers = iter(range(1, 10_000))

    def make(
        district: Union | None = None,
        *,
        status: str = MerchantStatus.ACTIVE,
        lat: str = "32.390000",
        lng: str = "119.420000",
        contract: bool = True,
        **fields: Any,
    ) -> Merchant:
        number = next(numbers)
        values: dict[str, Any] = {
            "code": rules.code_for(number),
            "name": f"测试商户{number}",
            "uscc": make_uscc(1000 + number),
            "category": "food",
            "district": district or tree["county_a"],
            "address": f"测试路{number}号",
            "latitude": Decimal(lat),
            "longitude": Decimal(lng),
            "phone": "13800000000",
            "status": status,
        }
        merchant = Merchant.objects.create(**(values | fields))
        if contract:
            today = timezone.localdate()
            Contract.objects.create(
                merchant=merchant,
                contract_no=rules.contract_no_for(merchant.code, today, 1),
                valid_from=today - timedelta(days=30),
                valid_to=year_from(today - timedelta(days=30)),
                discount_kind="rate",
                discount_rate=Decimal("0.85"),
                per_txn_cap_fen=5000,
            )
        return merchant

    return make


@pytest.fixture
def merchant_a(make_merchant: MakeMerchant, tree: dict[str, Union]) -> Merchant:
    return make_merchant(tree["county_a"], name="甲区老字号饭店")


@pytest.fixture
def merchant_b(make_merchant: MakeMerchant, tree: dict[str, Union]) -> Merchant:
    return make_merchant(tree["county_b"], name="乙区悦来客栈", category="lodging")
