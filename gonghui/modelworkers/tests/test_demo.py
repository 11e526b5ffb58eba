"""The demo seeder: about 40 model workers and 陈静, this year's policy, last month paid, a trip
planned with 陈静's invitation open, two lectures coming; twice is once."""

from __future__ import annotations

import random

import pytest

from gonghui.conftest import ensure_reference_data
from gonghui.core import demo
from gonghui.modelworkers.demo import PLANNED_TRIP, seed_modelworkers
from gonghui.modelworkers.models import (
    AllowanceBatch,
    AllowancePaid,
    Invitation,
    Lecture,
    ModelWorker,
    Trip,
)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        ModelWorker.objects.count(),
        AllowanceBatch.objects.count(),
        AllowancePaid.objects.count(),
        Trip.objects.count(),
        Lecture.objects.count(),
        Invitation.objects.count(),
    )


def test_the_demo_is_seeded_once(settings) -> None:
    ensure_reference_data()
    demo.seed(members=0)
    first = counts()
    seed_modelworkers(random.Random(1), members=0)
    assert counts() == first
    assert first[0] == 41 and first[1] == 1 and first[2] > 10 and first[3] == 2 and first[4] == 2
    batch = AllowanceBatch.objects.get()
    assert batch.status == "closed"
    assert batch.lines.filter(state="no_account").exists()
    assert set(ModelWorker.objects.values_list("level", flat=True)) == {
        "national",
        "provincial",
        "city",
    }
    # 陈静, the portal's demo member, is a model worker with an invitation still to answer.
    chen = ModelWorker.objects.get(member__account__username="member")
    assert chen.member.name == "陈静" and chen.member.is_model_worker
    planned = Trip.objects.get(destination=PLANNED_TRIP)
    assert planned.invitations.count() == planned.quota
    invitation = planned.invitations.get(model_worker=chen)
    assert invitation.state == "invited"
    assert planned.deadline >= planned.created_at.date()
