"""Races only a real database shows: two approvals of the same aid item for one member, two
approvals drawing on the last of a budget. PostgreSQL only, real threads."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.hardship import services
from gonghui.hardship.models import AidApplication, Budget
from gonghui.hardship.tests.conftest import (
    kept_file,
    make_member,
    rechecked_aid,
    setup_reference,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture
def setting(transactional_db: Any, tree) -> dict[str, Any]:
    ensure_reference_data()
    city = tree["city"]
    people = {
        "alice": make_user("alice", assignments=[(tree["a"], "union_officer", None)]),
        "carol": make_user("carol", assignments=[(tree["county_a"], "county_staff", None)]),
        "dora": make_user("dora", assignments=[(city, "dept_staff", "security")]),
        "erin": make_user("erin", assignments=[(city, "dept_staff", "security")]),
    }
    setup_reference(tree, people["dora"], budget_fen=300_000)
    member = make_member(tree["a"], 1)
    kept_file(people, people["dora"], member)
    return people | {"member": member, "tree": tree}


def test_two_approvals_of_the_same_item_at_once_pay_it_once(setting) -> None:
    first = rechecked_aid(setting, setting["member"], requested_fen=100_000)
    second = rechecked_aid(setting, setting["member"], requested_fen=100_000)

    results = race(
        lambda: services.aid_transition(aid=first, to="approved", by=setting["dora"]),
        lambda: services.aid_transition(aid=second, to="approved", by=setting["erin"]),
    )

    approved = [r for r in results if isinstance(r, AidApplication)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(approved) == 1, results
    assert [e.code for e in refused] == ["hardship.aid.already_received"]
    assert Budget.objects.get(category="living").used_fen == 100_000


def test_two_approvals_on_the_last_of_a_budget_never_exceed_it(setting) -> None:
    other = make_member(setting["tree"]["a"], 2)
    kept_file(setting, setting["dora"], other)
    first = rechecked_aid(setting, setting["member"], requested_fen=200_000)
    second = rechecked_aid(setting, other, requested_fen=200_000)

    results = race(
        lambda: services.aid_transition(aid=first, to="approved", by=setting["dora"]),
        lambda: services.aid_transition(aid=second, to="approved", by=setting["erin"]),
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert [e.code for e in refused] == ["hardship.aid.over_budget"], results
    budget = Budget.objects.get(category="living", year=timezone.localdate().year)
    assert budget.used_fen == 200_000 <= budget.amount_fen
