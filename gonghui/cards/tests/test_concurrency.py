"""Races only a real database shows: two applications for one member, two officers sending
or importing the same batch at once. PostgreSQL only, real threads."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from gonghui.cards import selectors, services
from gonghui.cards.citizen_card import RESULT_HEADERS, FakeBureau
from gonghui.cards.models import Card, CardStatus, IssueBatch
from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.core.excel import write_xlsx

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _roles(transactional_db: Any) -> None:
    ensure_reference_data()


@pytest.fixture
def alice(tree):
    return make_user("alice", assignments=[(tree["a"], "union_officer", None)])


def test_two_applications_for_one_member_make_one_card(tree, alice, make_member) -> None:
    member = make_member(tree["a"])
    bea = make_user("bea", assignments=[(tree["a"], "union_officer", None)])

    results = race(
        lambda: services.card_apply(by=alice, member=member),
        lambda: services.card_apply(by=bea, member=member),
    )

    made = [r for r in results if isinstance(r, Card)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1, results
    assert [e.code for e in refused] == ["cards.already_has_card"]
    assert Card.objects.filter(member=member).count() == 1


def test_two_officers_reporting_the_same_card_lost(tree, alice, make_member, make_card) -> None:
    card = make_card(make_member(tree["a"]), CardStatus.ACTIVE)
    bea = make_user("bea", assignments=[(tree["a"], "union_officer", None)])

    results = race(
        lambda: services.card_report_lost(by=alice, card=card, reason="一"),
        lambda: services.card_report_lost(by=bea, card=card, reason="二"),
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert [e.code for e in refused] == ["cards.transition_invalid"], results
    assert card.events.filter(to_status=CardStatus.LOST).count() == 1


def test_two_imports_of_one_result_file(tree, alice, make_member, tmp_path) -> None:
    members = [make_member(tree["a"]) for _ in range(5)]
    batch = services.batch_create(by=alice, union=tree["a"], members=members)
    batch = services.batch_send(by=alice, batch=batch)
    pairs = [(batch.batch_no, m.member_no) for m in members]
    path = tmp_path / "result.xlsx"
    write_xlsx(path, RESULT_HEADERS, FakeBureau().answer_rows(pairs))

    summaries = race(
        lambda: services.batch_result_apply(by=alice, batch=batch, path=path),
        lambda: services.batch_result_apply(by=alice, batch=batch, path=path),
    )

    assert not [s for s in summaries if isinstance(s, Exception)], summaries
    assert sorted((s.made, s.unchanged) for s in summaries) == [(0, 5), (5, 0)]
    assert batch.cards.filter(status=CardStatus.MADE).count() == 5
    assert IssueBatch.objects.get(pk=batch.pk).status == IssueBatch.Status.RETURNED


def test_two_tills_spending_one_qr_code(tree, make_member) -> None:
    from django.db import transaction
    from django.utils import timezone

    member = make_member(tree["a"])
    now = timezone.now()
    code = services.qr_codes(member, start=now, count=1)[0][1]

    def spend() -> str:
        with transaction.atomic():
            credential = selectors.credential_lookup(code, now=now)
            selectors.qr_consume(credential)
        return "paid"

    results = race(spend, spend)

    assert results.count("paid") == 1, results
    (refused,) = [r for r in results if isinstance(r, DomainError)]
    assert refused.code == "cards.qr_used"
