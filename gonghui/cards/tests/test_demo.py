"""The demo seeder: cards for the demo members, 陈静's active card, nothing more on a rerun."""

from __future__ import annotations

import random

import pytest

from gonghui.cards import selectors
from gonghui.cards.demo import seed_cards
from gonghui.cards.models import Card, CardStatus, IssueBatch
from gonghui.members.models import Member

pytestmark = pytest.mark.django_db


def test_the_demo_seeder_is_idempotent(tree, people, make_member) -> None:
    members = [make_member(tree["a" if i % 2 else "b"]) for i in range(40)]
    members[0].account = people["member"]
    members[0].save(update_fields=["account"])

    created = seed_cards(random.Random(1))

    assert created == 40
    assert seed_cards(random.Random(1)) == 0
    assert Card.objects.count() == 40
    chen = Card.objects.get(member=members[0])
    assert chen.status == CardStatus.ACTIVE and chen.citizen_last4 and chen.bank_last4
    assert selectors.credential_lookup(chen.citizen_card_no).member == members[0]
    statuses = set(Card.objects.values_list("status", flat=True))
    assert CardStatus.ACTIVE in statuses and len(statuses) >= 3
    for batch in IssueBatch.objects.all():
        unions = set(batch.cards.values_list("member__union", flat=True))
        assert unions == {batch.union_id}  # a batch never mixes unions
    assert Member.objects.filter(cards__isnull=True).count() == 0
