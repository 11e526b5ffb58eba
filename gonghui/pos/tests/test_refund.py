"""POST /api/v1/pos/transactions/{id}/refund: partial refunds allowed, never more than was
paid in total; the discount goes back in proportion, all of it with a full refund."""

from __future__ import annotations

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.pos import ledger, selectors
from gonghui.pos.models import DayUsage, LedgerEntry, Refund, Transaction
from gonghui.pos.tests.conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(terminal_a, card) -> dict:
    return terminal_a.sale(card, 12800)  # discount 1920, paid 10880


def test_a_partial_refund(terminal_a, sale, member):
    response = terminal_a.refund(sale["id"], 5440)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount_fen"], body["discount_reversed_fen"]) == (5440, 960)
    assert body["transaction"]["refunded_fen"] == 5440
    assert body["transaction"]["discount_reversed_fen"] == 960
    usage = DayUsage.objects.get(merchant=terminal_a.merchant, member=member)
    assert usage.discount_fen == 960
    entry = LedgerEntry.objects.get(kind="refund")
    assert (entry.amount_fen, entry.discount_fen, entry.payable_fen, entry.seq) == (
        -6400,
        -960,
        -5440,
        2,
    )


def test_partial_refunds_add_up_and_a_full_refund_takes_back_the_whole_discount(
    terminal_a, sale, member
):
    for amount in (3333, 3333, 4214):
        assert terminal_a.refund(sale["id"], amount).status_code == 201

    row = Transaction.objects.get(public_id=sale["id"])
    assert (row.refunded_fen, row.discount_reversed_fen) == (10880, 1920)
    assert sum(Refund.objects.values_list("discount_reversed_fen", flat=True)) == 1920
    assert DayUsage.objects.get(merchant=terminal_a.merchant, member=member).discount_fen == 0
    assert selectors.member_savings_fen(member) == 0
    totals = [
        sum(e)
        for e in zip(
            *LedgerEntry.objects.values_list("amount_fen", "discount_fen", "payable_fen"),
            strict=True,
        )
    ]
    assert totals == [0, 0, 0]
    assert ledger.verify() is None


def test_a_refund_over_what_was_paid_is_refused(terminal_a, sale):
    assert terminal_a.refund(sale["id"], 10000).status_code == 201

    body = assert_error(terminal_a.refund(sale["id"], 881), 409, "pos.refund_exceeds_paid")

    assert body["details"] == {"refundable_fen": 880}
    assert Refund.objects.count() == 1
    assert terminal_a.refund(sale["id"], 880).status_code == 201


def test_a_first_refund_over_the_total_is_refused(terminal_a, sale):
    assert_error(terminal_a.refund(sale["id"], 10881), 409, "pos.refund_exceeds_paid")


def test_a_refund_of_nothing_is_refused(terminal_a, sale):
    assert_error(terminal_a.refund(sale["id"], 0), 422, "request.invalid")


def test_a_refund_is_audited(terminal_a, sale):
    refund = terminal_a.refund(sale["id"], 1000).json()

    entry = AuditEntry.objects.get(action="pos.transaction.refunded")
    assert entry.object_id == sale["id"]
    assert entry.changes["refund"] == refund["id"]
    assert entry.changes["amount_fen"] == 1000
    assert entry.changes["terminal"] == terminal_a.key.key_id
    assert entry.union_path == terminal_a.merchant.district.path


def test_an_unknown_transaction_is_not_found(terminal_a, db):
    assert_error(
        terminal_a.refund("00000000-0000-4000-8000-000000000000", 100),
        404,
        "pos.transaction_not_found",
    )
