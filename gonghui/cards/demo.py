"""Demo cards: most demo members hold an active card with a fictitious 市民卡 number, a few
are lost, applied for or being made; the portal's demo member 陈静 holds an active card.
Idempotent: a second run adds nothing."""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.cards.citizen_card import fictitious_bank_no, fictitious_citizen_no
from gonghui.cards.models import Card, CardEvent, CardStatus, IssueBatch
from gonghui.cards.services import citizen_index
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Union

S = CardStatus
DEMO_CARD_LIMIT = 5000  # `make run` stays quick however many demo members there are
DEMO_NOTE = "演示数据"
DEMO_BATCH_NO = "ZK202601010001"
DEMO_BATCH_UNION = "D01E001"
DEMO_PRODUCING = 3
# The fictitious 市民卡 number of the demo member 陈静 (account "member"), for POS demos.
CHEN_JING_SEED = "demo-member-chen-jing"


def _numbers(card: Card, seed: str, *, bank: bool) -> None:
    card.citizen_card_no = fictitious_citizen_no(seed)
    card.citizen_index = citizen_index(card.citizen_card_no)
    card.citizen_last4 = card.citizen_card_no[-4:]
    if bank:
        card.bank_card_no = fictitious_bank_no(seed)
        card.bank_last4 = card.bank_card_no[-4:]


def _status_for(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.80:
        return S.ACTIVE
    if roll < 0.85:
        return S.LOST
    if roll < 0.90:
        return S.MADE
    if roll < 0.95:
        return S.APPLIED
    return S.PRODUCING


def seed_cards(rng: random.Random, *, members: int = 0) -> int:
    own = random.Random("demo-cards")  # noqa: S311 (fictitious; independent of other seeders)
    created = _seed_chen_jing()
    if Card.objects.exclude(member__account__username="member").exists():
        return created
    candidates = list(
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .exclude(account__username="member")
        .select_related("union")
        .order_by("id")[:DEMO_CARD_LIMIT]
    )
    if not candidates:
        return created
    now = timezone.now()
    # The demo officer's union (D01E001) has a few cards at the bureau, for the fake answer.
    home = Union.objects.filter(code=DEMO_BATCH_UNION).first()
    batch: IssueBatch | None = None
    producing = 0
    cards: list[Card] = []
    for member in candidates:
        card = Card(member=member, status=_status_for(own))
        if home is not None and member.union_id == home.pk and producing < DEMO_PRODUCING:
            batch = batch or _demo_batch(home, now)
            card.status, card.batch = S.PRODUCING, batch
            producing += 1
        elif card.status == S.PRODUCING:
            card.status = S.APPLIED  # a batch holds one union's cards only
        if card.status in {S.ACTIVE, S.LOST, S.MADE}:
            _numbers(card, f"demo:{member.member_no}", bank=own.random() < 0.6)
        if card.status in {S.ACTIVE, S.LOST}:
            card.activated_at = now
        cards.append(card)
    with transaction.atomic():
        Card.objects.bulk_create(cards, batch_size=1000)
        CardEvent.objects.bulk_create(
            [CardEvent(card=c, to_status=c.status, note=DEMO_NOTE) for c in cards],
            batch_size=1000,
        )
    return created + len(cards)


def _demo_batch(union: Union, now: Any) -> IssueBatch:
    batch, _new = IssueBatch.objects.get_or_create(
        batch_no=DEMO_BATCH_NO,
        defaults={"union": union, "status": IssueBatch.Status.SENT, "sent_at": now},
    )
    return batch


def _seed_chen_jing() -> int:
    member = Member.objects.filter(account__username="member").first()
    if member is None or member.cards.exists():
        return 0
    card = Card(member=member, status=S.ACTIVE, activated_at=timezone.now())
    _numbers(card, CHEN_JING_SEED, bank=True)
    with transaction.atomic():
        card.save()
        CardEvent.objects.create(card=card, to_status=S.ACTIVE, note=DEMO_NOTE)
    return 1
