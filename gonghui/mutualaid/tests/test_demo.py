"""The demo seeder: a plan year, unions enrolled, 陈静 with a paid claim (through a settled payout
batch), one waiting for payment and one in review, 50 members of her union left for the
officer; twice is once."""

from __future__ import annotations

import random
import time

import pytest

from gonghui.conftest import ensure_reference_data
from gonghui.core import demo
from gonghui.core.ledger import verify
from gonghui.members.demo import seed_members
from gonghui.members.models import Member
from gonghui.mutualaid import selectors
from gonghui.mutualaid.demo import seed_mutualaid
from gonghui.mutualaid.models import Claim, Enrolment, LedgerEntry, PayoutBatch, PlanYear

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        PlanYear.objects.count(),
        Enrolment.objects.count(),
        Claim.objects.count(),
        PayoutBatch.objects.count(),
        LedgerEntry.objects.count(),
        Member.objects.count(),
    )


def test_the_demo_is_seeded_once(monkeypatch) -> None:
    ensure_reference_data()
    monkeypatch.setattr(demo, "DEMO_SEEDERS", [seed_members, seed_mutualaid])
    demo.seed(members=300)
    before = counts()
    demo.seed(members=300)

    assert counts() == before
    assert before[0] == 1 and before[1] > 1 and before[3] == 1
    claims = Claim.objects.filter(member__account__username="member")
    assert sorted(claims.values_list("status", flat=True)) == [
        "approved",
        "first_reviewed",
        "paid",
    ]
    assert claims.first().member.name == "陈静"
    plan = PlanYear.objects.get()
    assert selectors.fund_balance(plan)["payout_fen"] > 0
    assert verify(LedgerEntry) is None
    home = Member.objects.filter(union__code="D01E001", status="active")
    assert home.exclude(mutualaid_enrolments__plan_year=plan).count() >= 50


def test_the_small_demo_seeds_quickly(monkeypatch) -> None:
    """Everything the journey needs at members=0, in well under two seconds on a laptop (the
    bound here leaves room for a busy CI machine)."""
    ensure_reference_data()
    monkeypatch.setattr(demo, "DEMO_SEEDERS", [seed_members])
    demo.seed(members=0)

    started = time.perf_counter()
    seed_mutualaid(random.Random(1), members=0)
    elapsed = time.perf_counter() - started

    assert elapsed < 6
    assert PayoutBatch.objects.count() == 1
    assert Member.objects.filter(union__code="D01E001").count() == 51


def test_at_scale_most_grassroots_unions_are_enrolled(monkeypatch) -> None:
    """Seeded at 20,000 members or more (`seed_demo --members 100000` gives about 70,000
    participants), about 70% of the grassroots unions enrol their rosters; the size decides
    which unions, so a small city stands in for a large one here."""
    from gonghui.mutualaid.demo import AT_SCALE
    from gonghui.mutualaid.models import EnrolmentBatch
    from gonghui.orgs.models import Union

    ensure_reference_data()
    monkeypatch.setattr(demo, "DEMO_SEEDERS", [seed_members])
    demo.seed(members=600)

    seed_mutualaid(random.Random(1), members=AT_SCALE)

    grassroots = Union.objects.filter(kind="grassroots", status="active").count()
    enrolled_unions = EnrolmentBatch.objects.values("union").distinct().count()
    assert enrolled_unions >= grassroots * 6 // 10
    plan = PlanYear.objects.get()
    report = selectors.transparency_report(plan)
    assert report.participants == Enrolment.objects.count() > 300
    assert verify(LedgerEntry) is None
