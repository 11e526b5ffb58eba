from __future__ import annotations

import random
import time

import pytest

from gonghui.assessment.demo import seed_assessment
from gonghui.assessment.models import Body, BodyState, Node, Plan
from gonghui.conftest import ensure_reference_data
from gonghui.core import demo

pytestmark = pytest.mark.django_db


def test_demo_seeds_fast_and_once(db) -> None:
    ensure_reference_data()
    rng = random.Random(2026)
    demo.build_accounts(demo.build_tree(rng))
    started = time.process_time()  # CPU time: the shared test machine's load does not count
    assert seed_assessment(rng, members=0) == 1
    assert time.process_time() - started < 2
    plan = Plan.objects.get(year=2026)
    assert Body.objects.filter(plan=plan, kind="county").count() == 6
    assert Body.objects.filter(plan=plan, kind="department").count() == 6
    assert Body.objects.filter(plan=plan, state=BodyState.REVIEW).count() == 2
    final = Body.objects.get(plan=plan, state=BodyState.FINAL)
    assert final.total_score is not None
    assert Node.objects.filter(plan=plan, body_kind="county", parent__isnull=False).count() == 8
    counts = (Node.objects.count(), Body.objects.count())
    assert seed_assessment(rng, members=0) == 0
    assert (Node.objects.count(), Body.objects.count()) == counts
