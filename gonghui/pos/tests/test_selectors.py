"""What the member portal reads: "已为您节省 ¥X" and the history of sales and refunds."""

from __future__ import annotations

import pytest

from gonghui.pos import selectors
from gonghui.pos.tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_savings_are_the_discounts_less_what_refunds_took_back(
    terminal_a, terminal_b, card, member
):
    first = terminal_a.sale(card, 12800)  # 1920 off
    terminal_b.sale(card, 1000)  # 150 off
    terminal_a.refund(first["id"], 5440)  # 960 back

    assert selectors.member_savings_fen(member) == 1920 + 150 - 960


def test_a_member_without_sales_saved_nothing(tree):
    assert selectors.member_savings_fen(make_member(tree["b"], "钱无")) == 0


def test_the_history_is_the_members_own_newest_first(terminal_a, terminal_b, card, member, tree):
    sale = terminal_a.sale(card, 12800)
    terminal_b.sale(card, 1000)
    terminal_a.refund(sale["id"], 100)

    rows = list(selectors.member_ledger(member))

    assert [(r.kind, r.merchant.name) for r in rows] == [
        ("refund", "甲区会员餐厅"),
        ("sale", "乙区会员宾馆"),
        ("sale", "甲区会员餐厅"),
    ]
    assert not selectors.member_ledger(make_member(tree["b"], "孙别人")).exists()


def test_merchant_transactions_hold_the_merchants_own(terminal_a, terminal_b, card):
    own = terminal_a.sale(card, 1000)
    terminal_b.sale(card, 1000)

    rows = selectors.merchant_transactions(terminal_a.merchant)

    assert [str(r.public_id) for r in rows] == [own["id"]]
