"""The demo seeder: a plan year, unions enrolled, 陈静 with a claim in review; twice is once."""

from __future__ import annotations

import pytest

from gonghui.conftest import ensure_reference_data
from gonghui.core import demo
from gonghui.mutualaid.models import Claim, Enrolment, PlanYear
from gonghui.mutualaid.tests.conftest import officers_run_mutual_aid

pytestmark = pytest.mark.django_db


def test_the_demo_is_seeded_once(settings) -> None:
    ensure_reference_data()
    officers_run_mutual_aid()
    demo.seed(members=300)
    counts = (PlanYear.objects.count(), Enrolment.objects.count(), Claim.objects.count())
    demo.seed(members=300)

    assert (PlanYear.objects.count(), Enrolment.objects.count(), Claim.objects.count()) == counts
    assert counts[0] == 1 and counts[1] > 1
    claim = Claim.objects.get(member__account__username="member")
    assert claim.status == "first_reviewed" and claim.member.name == "陈静"
