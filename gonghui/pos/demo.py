"""Six months of fictitious discount sales for the demo city, so the savings page, the monthly
statements and the statistics have something to show. Written as the services write them
(quote, sale, ledger entry on the merchant's chain), but dated in the past."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from gonghui.cards.models import Card, CardStatus
from gonghui.merchants.models import Merchant, MerchantStatus
from gonghui.merchants.rules import discount_for
from gonghui.pos import ledger, rules
from gonghui.pos.models import EntryKind, LedgerEntry, Quote, Refund, Transaction

MONTHS = 6
SALES_PER_MERCHANT = (2, 12)
REFUND_SHARE = 0.03


def seed_pos(rng: random.Random, *, members: int = 0) -> int:
    if LedgerEntry.objects.exists():
        return 0
    merchants = [
        m
        for m in Merchant.objects.filter(status=MerchantStatus.ACTIVE)
        .prefetch_related("contracts")
        .order_by("code")
        if m.contracts.all()
    ]
    holders = list(
        Card.objects.filter(status=CardStatus.ACTIVE, member__status="active")
        .select_related("member")
        .order_by("id")[:3000]
    )
    if not merchants or not holders:
        return 0
    now = timezone.now()
    start = now - timedelta(days=30 * MONTHS)
    plan: list[tuple[datetime, Merchant, Card]] = []
    demo_member = (
        Card.objects.filter(status=CardStatus.ACTIVE, member__account__username="member")
        .select_related("member")
        .first()
    )
    for merchant in merchants:
        for _ in range(rng.randint(*SALES_PER_MERCHANT)):
            at = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
            plan.append((at, merchant, rng.choice(holders)))
    if demo_member is not None:
        for days_ago in (3, 11, 26, 40, 58, 75):
            at = now - timedelta(days=days_ago, hours=rng.randint(1, 8))
            plan.append((at, rng.choice(merchants[:20]), demo_member))
    plan.sort(key=lambda item: item[0])
    with transaction.atomic():
        for at, merchant, card in plan:
            sale = _sale(rng, merchant, card, at)
            if sale is not None and rng.random() < REFUND_SHARE:
                _refund(sale, at + timedelta(hours=2))
    return len(plan)


def _sale(rng: random.Random, merchant: Merchant, card: Card, at: datetime) -> Any:
    day = timezone.localdate(at)
    contract = next((c for c in merchant.contracts.all() if c.covers(day)), None)
    if contract is None:
        return None
    amount = rng.choice((1800, 2600, 3850, 5200, 6800, 9900, 12800, 18800, 26600, 45000))
    discount = discount_for(contract, amount_fen=amount, day_used_fen=0)
    quote = Quote.objects.create(
        merchant=merchant,
        contract=contract,
        member=card.member,
        card=card,
        credential_kind="card",
        amount_fen=amount,
        discount_fen=discount.discount_fen,
        payable_fen=discount.payable_fen,
        rule=discount.rule,
        expires_at=at + rules.QUOTE_TTL,
    )
    sale = Transaction.objects.create(
        merchant=merchant,
        member=card.member,
        card=card,
        quote=quote,
        credential_kind="card",
        amount_fen=amount,
        discount_fen=discount.discount_fen,
        payable_fen=discount.payable_fen,
        rule=discount.rule,
        external_ref=f"DEMO-{quote.public_id.hex[:10]}",
        local_date=day,
    )
    Transaction.objects.filter(pk=sale.pk).update(created_at=at)
    ledger.append(
        merchant_id=merchant.pk,
        kind=EntryKind.SALE,
        member_id=card.member_id,
        transaction_id=sale.pk,
        refund_id=None,
        amount_fen=amount,
        discount_fen=discount.discount_fen,
        payable_fen=discount.payable_fen,
        at=at,
        local_date=day,
    )
    return sale


def _refund(sale: Transaction, at: datetime) -> None:
    amount = sale.payable_fen // 2
    if amount <= 0:
        return
    reversed_fen = rules.discount_reversal(
        discount_fen=sale.discount_fen,
        payable_fen=sale.payable_fen,
        refunded_before_fen=0,
        reversed_before_fen=0,
        refund_fen=amount,
    )
    day = timezone.localdate(at)
    refund = Refund.objects.create(
        transaction=sale, amount_fen=amount, discount_reversed_fen=reversed_fen, local_date=day
    )
    Refund.objects.filter(pk=refund.pk).update(created_at=at)
    Transaction.objects.filter(pk=sale.pk).update(
        refunded_fen=amount, discount_reversed_fen=reversed_fen
    )
    ledger.append(
        merchant_id=sale.merchant_id,
        kind=EntryKind.REFUND,
        member_id=sale.member_id,
        transaction_id=sale.pk,
        refund_id=refund.pk,
        amount_fen=-(amount + reversed_fen),
        discount_fen=-reversed_fen,
        payable_fen=-amount,
        at=at,
        local_date=day,
    )
