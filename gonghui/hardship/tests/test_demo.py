"""The demo seeder: reference data, 陈静 kept with living aid paid, files at other steps;
quick at members=0, and twice is once."""

from __future__ import annotations

import random
import time

import pytest

from gonghui.conftest import ensure_reference_data
from gonghui.core import demo
from gonghui.core.ledger import verify
from gonghui.hardship.demo import seed_hardship
from gonghui.hardship.models import AidApplication, Budget, Disbursement, HardshipFile, Threshold
from gonghui.members.demo import seed_members

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        HardshipFile.objects.count(),
        AidApplication.objects.count(),
        Disbursement.objects.count(),
        Budget.objects.count(),
        Threshold.objects.count(),
    )


def test_the_small_demo_seeds_quickly_and_once(monkeypatch) -> None:
    ensure_reference_data()
    monkeypatch.setattr(demo, "DEMO_SEEDERS", [seed_members])
    demo.seed(members=0)

    started = time.perf_counter()
    seed_hardship(random.Random(1), members=0)
    elapsed = time.perf_counter() - started
    before = counts()
    seed_hardship(random.Random(1), members=0)

    assert elapsed < 10  # the bound leaves room for a busy CI machine
    assert counts() == before
    assert {"active", "notice", "county", "grassroots"} <= set(
        HardshipFile.objects.values_list("state", flat=True)
    )
    chen = HardshipFile.objects.get(member__account__username="member")
    assert chen.status == "active" and chen.member.is_hardship
    assert before[2] == 2 and verify(Disbursement) is None
    assert AidApplication.objects.filter(emergency=True, state="paid").count() == 1
