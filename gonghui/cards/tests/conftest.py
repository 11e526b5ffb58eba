"""Fixtures for the card tests: members of union A and B made through the member service
(the member tests' helpers), cards put straight into any state, and the portal member."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gonghui.cards.citizen_card import fictitious_bank_no, fictitious_citizen_no
from gonghui.cards.models import Card, CardEvent, CardStatus
from gonghui.cards.services import citizen_index
from gonghui.members.models import Member
from gonghui.members.tests.conftest import make_member, registrar  # noqa: F401  (fixtures)

NUMBERED = {
    CardStatus.MADE,
    CardStatus.ACTIVE,
    CardStatus.LOST,
    CardStatus.REPLACED,
    CardStatus.CANCELLED,
}
MakeCard = Callable[..., Card]


@pytest.fixture
def make_card() -> MakeCard:
    """A card in any state, written directly (the transitions are tested on their own)."""
    counter = iter(range(1, 10_000))

    def make(member: Member, status: str = CardStatus.ACTIVE, **fields: Any) -> Card:
        card = Card(member=member, status=status, **fields)
        if status in NUMBERED and "citizen_card_no" not in fields:
            seed = f"test:{member.member_no}:{next(counter)}"
            card.citizen_card_no = fictitious_citizen_no(seed)
            card.citizen_index = citizen_index(card.citizen_card_no)
            card.citizen_last4 = card.citizen_card_no[-4:]
            card.bank_card_no = fictitious_bank_no(seed)
            card.bank_last4 = card.bank_card_no[-4:]
        card.save()
        CardEvent.objects.create(card=card, to_status=status, note="test")
        return card

    return make


@pytest.fixture
def member_a(make_member, tree) -> Member:  # noqa: F811
    return make_member(tree["a"], name="张三", phone="13812345678")


@pytest.fixture
def member_b(make_member, tree) -> Member:  # noqa: F811
    return make_member(tree["b"], name="李四", phone="13987654321")


@pytest.fixture
def card_a(make_card, member_a) -> Card:
    return make_card(member_a, CardStatus.ACTIVE)


@pytest.fixture
def card_b(make_card, member_b) -> Card:
    return make_card(member_b, CardStatus.ACTIVE)


@pytest.fixture
def portal_member(people, member_a) -> Member:
    """Union A's 张三 is the portal account `member`."""
    member_a.account = people["member"]
    member_a.save(update_fields=["account"])
    return member_a
