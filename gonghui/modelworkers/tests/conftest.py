"""Model workers in union A (county A) and union B (county B); pat is the city's 生产保护部
(policies and allowance batches), carol county A's staff, bea county B's (the outsider)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.cards.models import Card, CardStatus
from gonghui.conftest import make_user
from gonghui.members.models import Member
from gonghui.modelworkers import rules, services
from gonghui.modelworkers.models import ModelWorker, Policy
from gonghui.mutualaid.tests.conftest import make_member
from gonghui.orgs.models import Union

RATES = {
    (rules.NATIONAL, rules.WORKING, False): 50000,
    (rules.NATIONAL, rules.RETIRED, False): 80000,
    (rules.NATIONAL, rules.RETIRED, True): 120000,
    (rules.PROVINCIAL, rules.RETIRED, False): 50000,
    (rules.CITY, rules.RETIRED, False): 20000,
}
HEALTH = {rules.NATIONAL: 1, rules.PROVINCIAL: 1, rules.CITY: 0}


@pytest.fixture
def pat(tree: dict[str, Union]) -> User:
    return make_user("pat", assignments=[(tree["city"], "dept_staff", "production")])


@pytest.fixture
def bea(tree: dict[str, Union]) -> User:
    return make_user("bea", assignments=[(tree["county_b"], "county_staff", None)])


def give_card(member: Member, number: str = "") -> Card:
    bank = number or f"62{member.pk:014d}"
    return Card.objects.create(
        member=member,
        status=CardStatus.ACTIVE,
        citizen_card_no=f"41{member.pk:014d}",
        citizen_index=f"idx{member.pk}",
        citizen_last4=bank[-4:],
        bank_card_no=bank,
        bank_last4=bank[-4:],
    )


def register(
    by: User,
    member: Member,
    *,
    level: str = rules.NATIONAL,
    year: int = 2010,
    status: str = rules.RETIRED,
    title: str = "",
) -> ModelWorker:
    return services.model_worker_register(
        by=by,
        member=member,
        honour=services.HonourData(
            title
            or {"national": "全国劳动模范", "provincial": "省劳动模范", "city": "市劳动模范"}[
                level
            ],
            level,
            year,
            "测试机械厂",
        ),
        status=status,
        status_since=date(2020, 1, 1) if status != rules.WORKING else None,
    )


def policy(by: User, year: int) -> Policy:
    return services.policy_save(by=by, year=year, rates=RATES, health=HEALTH, note="测试")


@pytest.fixture
def workers(tree: dict[str, Union], pat: User) -> dict[str, Any]:
    """Two model workers in A (one with a card), one in B with a card."""
    a1 = make_member(tree["a"], 1, name="甲劳模")
    a2 = make_member(tree["a"], 2, name="乙劳模")
    b1 = make_member(tree["b"], 3, name="丙劳模")
    give_card(a1)
    give_card(b1)
    return {
        "a1": register(pat, a1, level=rules.NATIONAL, status=rules.RETIRED),
        "a2": register(pat, a2, level=rules.PROVINCIAL, status=rules.RETIRED),
        "b1": register(pat, b1, level=rules.CITY, status=rules.RETIRED),
    }
