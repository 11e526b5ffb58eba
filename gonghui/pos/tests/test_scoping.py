"""A terminal sees and changes only its own merchant's quotes and sales: another merchant's
are as unknown as made-up ids (404)."""

from __future__ import annotations

import pytest

from gonghui.pos.models import Refund, Transaction
from gonghui.pos.tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def test_another_merchants_quote_cannot_be_confirmed(terminal_a, terminal_b, card):
    quote = terminal_a.quote(card, 1000).json()

    assert_error(terminal_b.confirm(quote["quote_id"]), 404, "pos.quote_not_found")
    assert not Transaction.objects.exists()


def test_another_merchants_sale_cannot_be_refunded(terminal_a, terminal_b, card):
    sale = terminal_a.sale(card, 1000)

    assert_error(terminal_b.refund(sale["id"], 100), 404, "pos.transaction_not_found")
    assert not Refund.objects.exists()


def test_another_merchants_sale_cannot_be_read(terminal_a, terminal_b, card):
    sale = terminal_a.sale(card, 1000)

    assert terminal_a.request("GET", f"/api/v1/pos/transactions/{sale['id']}").status_code == 200
    assert_error(
        terminal_b.request("GET", f"/api/v1/pos/transactions/{sale['id']}"),
        404,
        "pos.transaction_not_found",
    )


def test_the_list_holds_only_the_merchants_own_sales(terminal_a, terminal_b, card):
    own = terminal_b.sale(card, 700)
    terminal_a.sale(card, 1000)

    body = terminal_b.request("GET", "/api/v1/pos/transactions").json()

    assert body["count"] == 1
    assert [row["id"] for row in body["items"]] == [own["id"]]
