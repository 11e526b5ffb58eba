"""Races only a real database shows, with real threads each on its own connection
(PostgreSQL only: SQLite serialises every writer anyway): duplicate confirms with one
Idempotency-Key, two terminals against one day cap, one quote confirmed twice, refunds
racing past what was paid, a nonce replayed at once, and one merchant's ledger chain under
load."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection

from gonghui.conftest import ensure_reference_data, race
from gonghui.pos import ledger
from gonghui.pos.models import DayUsage, LedgerEntry, Refund, Transaction
from gonghui.pos.tests.conftest import (
    Terminal,
    make_card,
    make_key,
    make_member,
    make_merchant,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _roles(transactional_db: Any) -> None:
    ensure_reference_data()


def fresh(terminal: Terminal) -> Terminal:
    """The same key with its own test client: one per thread."""
    return Terminal(terminal.key, terminal.secret)


def test_eight_identical_confirms_make_one_sale(terminal_a, card):
    quote = terminal_a.quote(card, 12800).json()

    results = race(
        *[lambda: fresh(terminal_a).confirm(quote["quote_id"], key="same-key") for _ in range(8)]
    )

    assert all(r.status_code == 201 for r in results), [getattr(r, "content", r) for r in results]
    assert len({r.content for r in results}) == 1
    replayed = [r for r in results if r.get("Idempotent-Replayed") == "true"]
    assert len(replayed) == 7
    assert Transaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 1
    assert DayUsage.objects.get().discount_fen == 1920


def test_two_terminals_cannot_pass_the_day_cap_together(tree, card, member):
    shop = make_merchant(tree["county_a"], per_member_day_cap_fen=2500)
    first, second = Terminal(*make_key(shop)), Terminal(*make_key(shop))
    quotes = [t.quote(card, 12800).json() for t in (first, second)]
    assert [q["discount_fen"] for q in quotes] == [1920, 1920]

    results = race(
        lambda: fresh(first).confirm(quotes[0]["quote_id"]),
        lambda: fresh(second).confirm(quotes[1]["quote_id"]),
    )

    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 409], [r.content for r in results]
    refused = next(r for r in results if r.status_code == 409)
    assert refused.json()["code"] == "pos.cap_exceeded"
    assert DayUsage.objects.get(merchant=shop, member=member).discount_fen == 1920
    assert Transaction.objects.count() == 1


def test_one_quote_confirmed_twice_at_once_makes_one_sale(terminal_a, card):
    quote = terminal_a.quote(card, 1000).json()

    results = race(
        lambda: fresh(terminal_a).confirm(quote["quote_id"], key="cashier-1"),
        lambda: fresh(terminal_a).confirm(quote["quote_id"], key="cashier-2"),
    )

    assert sorted(r.status_code for r in results) == [201, 409]
    assert next(r for r in results if r.status_code == 409).json()["code"] == "pos.quote_used"
    assert Transaction.objects.count() == 1


def test_refunds_racing_cannot_return_more_than_was_paid(terminal_a, card):
    sale = terminal_a.sale(card, 12800)  # paid 10880

    results = race(
        lambda: fresh(terminal_a).refund(sale["id"], 6000),
        lambda: fresh(terminal_a).refund(sale["id"], 6000),
    )

    assert sorted(r.status_code for r in results) == [201, 409]
    assert Refund.objects.count() == 1
    assert Transaction.objects.get().refunded_fen == 6000


def test_a_nonce_sent_twice_at_once_is_accepted_once(terminal_a):
    signed = {"nonce": "raced-nonce-0123456789", "timestamp": int(time.time())}

    results = race(
        lambda: fresh(terminal_a).request("GET", "/api/v1/pos/transactions", sign=signed),
        lambda: fresh(terminal_a).request("GET", "/api/v1/pos/transactions", sign=signed),
    )

    assert sorted(r.status_code for r in results) == [200, 401]
    assert next(r for r in results if r.status_code == 401).json()["code"] == "pos.nonce_replayed"


def test_one_merchants_chain_stays_whole_under_concurrent_sales(terminal_a, tree):
    cards = [make_card(make_member(tree["a"], f"周{'一二三四五六七八'[i]}")) for i in range(8)]
    quotes = [terminal_a.quote(c, 1000 + i).json() for i, c in enumerate(cards)]

    results = race(*[lambda q=q: fresh(terminal_a).confirm(q["quote_id"]) for q in quotes])

    assert all(r.status_code == 201 for r in results), [r.content for r in results]
    seqs = sorted(LedgerEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 9))
    assert ledger.verify() is None
