"""The demo seeders (followup and benchmarking) at members=0: cities, figures, problems with one
overdue and one closed measure, the joint meeting, the visit; twice is once."""

from __future__ import annotations

import time

import pytest

from gonghui.benchmarking.models import CityValue, Measure, Problem, Reflection, StudyVisit
from gonghui.conftest import ensure_reference_data
from gonghui.core import demo
from gonghui.followup.models import ActionItem, Meeting

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (CityValue, Problem, Measure, StudyVisit, Reflection, Meeting, ActionItem)
    )


def test_the_demo_is_seeded_once() -> None:
    from gonghui.benchmarking.demo import seed_benchmarking
    from gonghui.followup.demo import seed_followup

    ensure_reference_data()
    demo.seed(members=0)
    before = counts()
    assert before[:6] == (32, 2, 2, 1, 2, 1)
    started = time.monotonic()
    import random

    seed_followup(random.Random(1), members=0)
    seed_benchmarking(random.Random(1), members=0)
    assert time.monotonic() - started < 2
    assert counts() == before
    states = sorted(m.item.status for m in Measure.objects.select_related("item"))
    assert states == ["closed", "open"]
    overdue = Measure.objects.get(item__status="open").item
    assert overdue.is_overdue and overdue.deadline.isoformat() == "2026-10-31"
    assert Meeting.objects.get().decisions.count() == 3
