"""The demo seeder: the 2027 元旦春节 campaign, funds from three sources, budgets, the list with
陈静 on it, part handed out; twice is once."""

from __future__ import annotations

import random
import time

import pytest

from gonghui.conftest import ensure_reference_data
from gonghui.core import demo
from gonghui.members.demo import seed_members
from gonghui.warmth.demo import seed_warmth
from gonghui.warmth.models import Allocation, Campaign, DistributionBatch, Fund, Target

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Campaign.objects.count(),
        Fund.objects.count(),
        Allocation.objects.count(),
        Target.objects.count(),
        DistributionBatch.objects.count(),
    )


def seed(members: int) -> None:
    """The city, its accounts and members, then this app's seeder (not the other apps')."""
    rng = random.Random(2026)
    city = demo.build_tree(rng)
    demo.build_accounts(city)
    seed_members(rng, members=members)
    seed_warmth(rng, members=members)


def test_the_demo_is_seeded_once() -> None:
    ensure_reference_data()
    seed(300)
    first = counts()
    started = time.monotonic()
    seed(300)
    assert counts() == first
    assert first[:3] == (1, 3, 6) and first[3] > 1 and first[4] >= 1
    chen = Target.objects.get(member__account__username="member")
    assert chen.status == "listed" and chen.source == "manual" and chen.union.code == "D01E001"
    assert Campaign.objects.get().status == "active"
    assert time.monotonic() - started < 30
