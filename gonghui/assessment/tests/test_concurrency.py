"""Two office staff making one body's score final at once: exactly one snapshot is taken, the
other is told the move is no longer possible. PostgreSQL only, real threads."""

from __future__ import annotations

import pytest
from django.db import connection

from gonghui.assessment import services
from gonghui.assessment.models import Body, BodyEvent, BodyState
from gonghui.assessment.tests.conftest import self_assess
from gonghui.conftest import make_user, race
from gonghui.core.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


def test_two_finalisations_at_once_one_wins(tree, bodies, carol, olga) -> None:
    body = bodies["a"]
    self_assess(carol, body)
    services.body_transition(by=carol, body=body, to=BodyState.REVIEW)
    otto = make_user("otto", assignments=[(tree["city"], "dept_staff", "office")])

    def finalise(user):
        return lambda: services.body_transition(
            by=user, body=Body.objects.get(pk=body.pk), to=BodyState.FINAL
        )

    results = race(finalise(olga), finalise(otto))
    assert sum(isinstance(r, Body) for r in results) == 1
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == "assessment.transition_invalid"
    assert BodyEvent.objects.filter(body=body, to_state=BodyState.FINAL).count() == 1
