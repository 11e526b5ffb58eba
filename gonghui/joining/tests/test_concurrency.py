"""Races only a real database shows: two reviewers accepting one application, an acceptance
against a withdrawal, and one person submitting twice at once. PostgreSQL only (SQLite
serialises every writer anyway), real threads, each with its own connection."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.joining import rules, services
from gonghui.joining.models import ApplicationStatus, JoinApplication
from gonghui.joining.tests.conftest import person
from gonghui.members.models import Member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _roles(transactional_db: Any) -> None:
    ensure_reference_data()


def submit(union: Any, seed: int) -> JoinApplication:
    return services.application_submit(
        data=person(seed), union=union, consent_version=rules.CONSENT_VERSION
    )


def test_two_reviewers_accepting_at_once_make_one_member(tree) -> None:
    alice = make_user("alice", assignments=[(tree["a"], "union_officer", None)])
    anna = make_user("anna", assignments=[(tree["a"], "union_officer", None)])
    application = submit(tree["a"], 1)

    results = race(
        lambda: services.application_accept(by=alice, application=application),
        lambda: services.application_accept(by=anna, application=application),
    )

    accepted = [r for r in results if isinstance(r, JoinApplication)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(accepted) == 1, results
    assert [e.code for e in refused] == ["joining.transition_invalid"]
    assert Member.objects.count() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.member == Member.objects.get()
    assert application.decided_by == accepted[0].decided_by


def test_an_acceptance_racing_a_withdrawal_has_one_outcome(tree) -> None:
    alice = make_user("alice", assignments=[(tree["a"], "union_officer", None)])
    application = submit(tree["a"], 2)

    results = race(
        lambda: services.application_accept(by=alice, application=application),
        lambda: services.application_withdraw(
            application=application, id_last4=application.id_number[-4:]
        ),
    )

    winners = [r for r in results if isinstance(r, JoinApplication)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and [e.code for e in refused] == ["joining.transition_invalid"]
    application.refresh_from_db()
    assert application.status == winners[0].status
    assert Member.objects.count() == (1 if application.status == "accepted" else 0)


def test_one_person_submitting_twice_at_once_has_one_pending_application(tree) -> None:
    results = race(lambda: submit(tree["a"], 3), lambda: submit(tree["b"], 3))

    submitted = [r for r in results if isinstance(r, JoinApplication)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(submitted) == 1, results
    assert [e.code for e in refused] == ["joining.pending_exists"]
    assert JoinApplication.objects.count() == 1
