"""Races only a real database shows: two editors deciding one publication at once, an editor
adopting while another returns the same piece, two editors adding a points table version at
once. PostgreSQL only, real threads, each with its own connection."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.conftest import make_user, race
from gonghui.core.errors import DomainError
from gonghui.infowork import rules, services
from gonghui.infowork.models import PointsTable, Publication, Submission, SubmissionEvent
from gonghui.infowork.tests.conftest import adopted, published, submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture
def yuki(tree) -> Any:
    return make_user("yuki", assignments=[(tree["city"], "dept_staff", "publicity")])


def test_two_editors_deciding_one_publication_one_wins(officer_a, xena, yuki, table) -> None:
    claim = published(adopted(officer_a, xena), officer_a.user, verify=False)
    results = race(
        lambda: services.publication_verify(by=xena, publication=claim, approve=True),
        lambda: services.publication_verify(
            by=yuki, publication=claim, approve=False, reason="不符"
        ),
    )
    assert sum(isinstance(r, Publication) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert Publication.objects.get().status in {"verified", "rejected"}


def test_adopt_and_return_at_once_one_wins(officer_a, xena, yuki) -> None:
    piece = submit(officer_a)
    results = race(
        lambda: services.submission_transition(by=xena, submission=piece, to="adopted"),
        lambda: services.submission_transition(
            by=yuki, submission=piece, to="returned", reason="补充"
        ),
    )
    assert sum(isinstance(r, Submission) for r in results) == 1
    assert SubmissionEvent.objects.filter(submission=piece).count() == 2


def test_two_new_versions_at_once_get_two_numbers(xena, yuki, table) -> None:
    year = timezone.localdate().year

    def add(by: Any, day: date) -> Any:
        return services.points_table_create(
            by=by,
            effective_from=day,
            publication_points=rules.DEFAULT_PUBLICATION_POINTS,
            instruction_points=rules.DEFAULT_INSTRUCTION_POINTS,
            shortfall_penalty="2",
            error_penalty="5",
        )

    first, second = date(year + 1, 1, 1), date(year + 1, 1, 1) + timedelta(days=31)
    results = race(lambda: add(xena, first), lambda: add(yuki, second))
    assert all(isinstance(r, PointsTable) for r in results), results
    assert sorted(PointsTable.objects.values_list("number", flat=True)) == [1, 2, 3]
