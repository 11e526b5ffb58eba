"""The demo seeder: officers (张伟 among them), a points table, about 60 submissions, mostly
verified publications and quotas; twice is once."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.conftest import ensure_reference_data
from gonghui.core.demo import build_accounts, build_tree
from gonghui.infowork import selectors
from gonghui.infowork.demo import seed_infowork
from gonghui.infowork.models import InfoOfficer, PointsTable, Publication, Quota, Submission

pytestmark = pytest.mark.django_db


def test_the_demo_is_seeded_once_and_fast() -> None:
    ensure_reference_data()
    rng = random.Random(1)
    city = build_tree(rng)
    build_accounts(city)
    # Fast by construction: rows in bulk, a bounded number of queries whatever the load.
    with CaptureQueriesContext(connection) as queries:
        assert seed_infowork(rng, members=0) == 60
    assert len(queries) < 300, len(queries)
    counts = (Submission.objects.count(), Publication.objects.count(), Quota.objects.count())
    assert seed_infowork(rng, members=0) == 0
    assert (
        Submission.objects.count(),
        Publication.objects.count(),
        Quota.objects.count(),
    ) == counts
    assert PointsTable.objects.count() == 1
    zhang = InfoOfficer.objects.get(user__username="officer")
    assert zhang.union.code == "D01E001" and selectors.officer_roles(zhang.user) == [zhang]
    verified = Publication.objects.filter(status="verified").count()
    assert verified > counts[1] // 2
    assert set(Publication.objects.values_list("level", flat=True)) == {
        "national",
        "provincial",
        "city",
    }
