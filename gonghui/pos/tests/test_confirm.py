"""POST /api/v1/pos/transactions: a quote becomes one sale, within the member's day cap, with
its ledger entry; an expired or used quote is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.cards.models import Card
from gonghui.pos import ledger
from gonghui.pos.models import DayUsage, LedgerEntry, Quote, Transaction
from gonghui.pos.tests.conftest import Terminal, assert_error, make_key, make_merchant

pytestmark = pytest.mark.django_db


def test_a_confirmed_quote_is_a_sale(terminal_a, card, member):
    quote = terminal_a.quote(card, 12800).json()

    response = terminal_a.confirm(quote["quote_id"], external_ref=" POS-0001 ")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quote_id"] == quote["quote_id"]
    assert (body["amount_fen"], body["discount_fen"], body["payable_fen"]) == (12800, 1920, 10880)
    assert (body["refunded_fen"], body["external_ref"], body["member"]) == (0, "POS-0001", "张*明")
    assert body["local_date"] == timezone.localdate().isoformat()
    sale = Transaction.objects.get(public_id=body["id"])
    assert (sale.merchant, sale.member, sale.terminal) == (
        terminal_a.merchant,
        member,
        terminal_a.key,
    )
    usage = DayUsage.objects.get(merchant=terminal_a.merchant, member=member)
    assert usage.discount_fen == 1920
    entry = LedgerEntry.objects.get(transaction=sale)
    assert (entry.kind, entry.seq, entry.amount_fen, entry.discount_fen, entry.payable_fen) == (
        "sale",
        1,
        12800,
        1920,
        10880,
    )
    assert ledger.verify() is None


def test_a_quote_makes_one_sale_only(terminal_a, card):
    quote = terminal_a.quote(card, 1000).json()
    assert terminal_a.confirm(quote["quote_id"]).status_code == 201

    again = terminal_a.confirm(quote["quote_id"])  # another Idempotency-Key: a new attempt

    assert_error(again, 409, "pos.quote_used")
    assert Transaction.objects.count() == 1


def test_an_expired_quote_is_refused(terminal_a, card):
    quote = terminal_a.quote(card, 1000).json()
    Quote.objects.filter(public_id=quote["quote_id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert_error(terminal_a.confirm(quote["quote_id"]), 409, "pos.quote_expired")
    assert not Transaction.objects.exists()


def test_an_unknown_quote_is_not_found(terminal_a, db):
    assert_error(
        terminal_a.confirm("00000000-0000-4000-8000-000000000000"), 404, "pos.quote_not_found"
    )


def test_a_card_lost_after_the_quote_is_refused(terminal_a, card, member):
    quote = terminal_a.quote(card, 1000).json()
    Card.objects.filter(member=member).update(status="lost")

    assert_error(terminal_a.confirm(quote["quote_id"]), 400, "cards.card_not_active")


def test_the_day_cap_is_checked_again_at_confirmation(tree, card, member):
    """Two quotes made before either is confirmed both saw the whole cap."""
    shop = make_merchant(tree["county_a"], per_member_day_cap_fen=2500)
    terminal = Terminal(*make_key(shop))
    first = terminal.quote(card, 12800).json()
    second = terminal.quote(card, 12800).json()
    assert first["discount_fen"] == second["discount_fen"] == 1920

    assert terminal.confirm(first["quote_id"]).status_code == 201
    refused = terminal.confirm(second["quote_id"])

    body = assert_error(refused, 409, "pos.cap_exceeded")
    assert body["details"] == {"cap_fen": 2500, "used_fen": 1920}
    assert DayUsage.objects.get(merchant=shop, member=member).discount_fen == 1920
    # A fresh quote gets what is left of the cap.
    assert terminal.quote(card, 12800).json()["discount_fen"] == 580


def test_the_cap_is_per_merchant(tree, card, member):
    capped = [make_merchant(tree["county_a"], per_member_day_cap_fen=2000) for _ in range(2)]

    for shop in capped:
        sale = Terminal(*make_key(shop)).sale(card, 12800)
        assert sale["discount_fen"] == 1920
