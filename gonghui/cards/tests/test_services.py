"""The card services: each user action one transaction, audited, with its own history, and
only on the cards of the actor's unions."""

from __future__ import annotations

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.cards import services
from gonghui.cards.models import Card, CardEvent, CardStatus
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.members.models import MemberStatus

pytestmark = pytest.mark.django_db
S = CardStatus


def actions_of(card: Card) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(card.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


# -- 申领 ------------------------------------------------------------------------------------


def test_an_officer_applies_for_a_members_card(people, member_a) -> None:
    card = services.card_apply(by=people["alice"], member=member_a)

    assert card.status == S.APPLIED
    assert card.batch is None
    event = card.events.get()
    assert (event.from_status, event.to_status, event.by) == ("", S.APPLIED, people["alice"])
    entry = AuditEntry.objects.get(action="cards.card.applied")
    assert entry.object_id == str(card.public_id)
    assert entry.actor_label == "alice"
    assert entry.union_path == member_a.union.path


def test_one_live_card_per_member(people, member_a) -> None:
    services.card_apply(by=people["alice"], member=member_a)
    with pytest.raises(DomainError) as caught:
        services.card_apply(by=people["alice"], member=member_a)
    assert caught.value.code == "cards.already_has_card"
    assert Card.objects.filter(member=member_a).count() == 1


def test_a_cancelled_card_does_not_block_a_new_one(people, member_a, make_card) -> None:
    make_card(member_a, S.CANCELLED)
    card = services.card_apply(by=people["alice"], member=member_a)
    assert card.status == S.APPLIED


def test_only_members_in_good_standing_may_apply(people, member_a) -> None:
    member_a.status = MemberStatus.LEFT
    member_a.save(update_fields=["status"])
    with pytest.raises(DomainError) as caught:
        services.card_apply(by=people["alice"], member=member_a)
    assert caught.value.code == "cards.member_not_active"
    assert "退会" in caught.value.message


def test_bob_cannot_apply_for_union_as_member(people, member_a) -> None:
    with pytest.raises(Forbidden):
        services.card_apply(by=people["bob"], member=member_a)
    assert not Card.objects.exists()


def test_a_member_applies_on_the_portal(people, portal_member) -> None:
    card = services.card_apply(by=people["member"], member=portal_member)
    assert card.events.get().by == people["member"]


# -- the life cycle --------------------------------------------------------------------------


def test_the_whole_life_cycle_is_recorded_and_audited(people, member_a, make_card) -> None:
    alice = people["alice"]
    card = make_card(member_a, S.MADE)

    card = services.card_activate(by=alice, card=card)
    assert card.status == S.ACTIVE and card.activated_at is not None
    card = services.card_report_lost(by=alice, card=card, reason="丢失")
    card = services.card_unlock(by=alice, card=card)
    card = services.card_report_lost(by=alice, card=card, reason="又丢了")
    new = services.card_replace(by=alice, card=card, reason="补办")

    card.refresh_from_db()
    assert card.status == S.REPLACED
    assert new.status == S.APPLIED and new.replaces == card
    assert actions_of(card) == [
        "cards.card.activated",
        "cards.card.lost",
        "cards.card.unlocked",
        "cards.card.lost",
        "cards.card.replaced",
    ]
    assert actions_of(new) == ["cards.card.applied"]
    history = list(card.events.order_by("id").values_list("from_status", "to_status", "note"))
    assert history[1:] == [
        (S.MADE, S.ACTIVE, "激活"),
        (S.ACTIVE, S.LOST, "丢失"),
        (S.LOST, S.ACTIVE, "解除挂失"),
        (S.ACTIVE, S.LOST, "又丢了"),
        (S.LOST, S.REPLACED, "补办"),
    ]
    assert card.citizen_last4 in new.events.get().note

    services.card_cancel(by=alice, card=new, reason="会员放弃")
    new.refresh_from_db()
    assert new.status == S.CANCELLED
    assert actions_of(new)[-1] == "cards.card.cancelled"


def test_an_illegal_move_changes_nothing(people, card_a) -> None:
    with pytest.raises(DomainError) as caught:
        services.card_activate(by=people["alice"], card=card_a)
    assert caught.value.code == "cards.transition_invalid"
    assert "已激活" in caught.value.message
    card_a.refresh_from_db()
    assert card_a.status == S.ACTIVE
    assert actions_of(card_a) == []
    assert card_a.events.count() == 1


def test_a_stale_card_object_is_checked_against_the_locked_row(people, card_a) -> None:
    stale = Card.objects.get(pk=card_a.pk)
    services.card_report_lost(by=people["alice"], card=card_a, reason="丢失")
    services.card_replace(by=people["alice"], card=card_a)
    with pytest.raises(DomainError) as caught:
        services.card_report_lost(by=people["alice"], card=stale, reason="再挂失")
    assert caught.value.code == "cards.transition_invalid"


@pytest.mark.parametrize("service", [services.card_report_lost, services.card_cancel])
def test_lost_and_cancel_need_a_reason(people, card_a, service) -> None:
    with pytest.raises(DomainError) as caught:
        service(by=people["alice"], card=card_a, reason=" ")
    assert caught.value.code == "cards.reason_required"


def test_replacing_needs_the_member_in_good_standing(people, member_a, make_card) -> None:
    card = make_card(member_a, S.LOST)
    member_a.status = MemberStatus.RETAINED
    member_a.save(update_fields=["status"])
    with pytest.raises(DomainError) as caught:
        services.card_replace(by=people["alice"], card=card)
    assert caught.value.code == "cards.member_not_active"
    card.refresh_from_db()
    assert card.status == S.LOST


def test_bob_cannot_move_union_as_cards(people, card_a) -> None:
    with pytest.raises(Forbidden):
        services.card_report_lost(by=people["bob"], card=card_a, reason="丢失")
    card_a.refresh_from_db()
    assert card_a.status == S.ACTIVE


def test_the_county_above_may(people, card_a) -> None:
    services.card_report_lost(by=people["carol"], card=card_a, reason="会员电话挂失")
    card_a.refresh_from_db()
    assert card_a.status == S.LOST


def test_a_member_reports_their_own_card_lost(people, portal_member, make_card) -> None:
    card = make_card(portal_member, S.ACTIVE)
    services.card_report_lost(by=people["member"], card=card, reason="卡片丢失")
    card.refresh_from_db()
    assert card.status == S.LOST
    assert actions_of(card) == ["cards.card.lost"]
    assert AuditEntry.objects.get(action="cards.card.lost").actor_label == "member"


def test_a_member_can_do_nothing_else_nor_touch_others(people, portal_member, make_card, card_b):
    card = make_card(portal_member, S.LOST)
    with pytest.raises(Forbidden):
        services.card_unlock(by=people["member"], card=card)
    with pytest.raises(NotFound):
        services.card_report_lost(by=people["member"], card=card_b, reason="不是我的")


# -- reveal ------------------------------------------------------------------------------------


def test_reveal_is_audited_and_scoped(people, card_a) -> None:
    value = services.card_reveal(by=people["alice"], card=card_a, field_name="citizen_card_no")
    assert value == card_a.citizen_card_no
    entry = AuditEntry.objects.get(action="cards.card.revealed")
    assert entry.changes == {"field": "citizen_card_no"}
    assert card_a.citizen_card_no not in str(entry.changes)
    with pytest.raises(Forbidden):
        services.card_reveal(by=people["bob"], card=card_a, field_name="citizen_card_no")
    with pytest.raises(DomainError):
        services.card_reveal(by=people["alice"], card=card_a, field_name="member")


def test_numbers_are_stored_encrypted(card_a) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citizen_card_no, bank_card_no FROM cards_card WHERE id = %s", [card_a.pk]
        )
        raw_citizen, raw_bank = cursor.fetchone()
    assert card_a.citizen_card_no not in raw_citizen
    assert card_a.bank_card_no not in raw_bank
    assert CardEvent.objects.filter(card=card_a).exists()
