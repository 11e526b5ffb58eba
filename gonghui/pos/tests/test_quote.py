"""POST /api/v1/pos/quote: the discount for the card or QR code read, for members in good
standing only; a QR code pays for one sale."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from gonghui.cards.models import Card
from gonghui.pos.models import DayUsage, Quote
from gonghui.pos.tests.conftest import (
    Terminal,
    assert_error,
    make_card,
    make_key,
    make_member,
    make_merchant,
    make_qr,
    qr_code_now,
)

pytestmark = pytest.mark.django_db


def test_a_card_gets_the_contract_discount(terminal_a, card, member):
    before = timezone.now()

    response = terminal_a.quote(card, 12800)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["member"] == "张*明"
    assert (body["amount_fen"], body["discount_fen"], body["payable_fen"]) == (12800, 1920, 10880)
    assert body["credential_kind"] == "card"
    assert "8.5折" in body["rule"]
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=4) < expires - before <= timedelta(minutes=5, seconds=5)
    quote = Quote.objects.get(public_id=body["quote_id"])
    assert (quote.member, quote.merchant, quote.terminal) == (
        member,
        terminal_a.merchant,
        terminal_a.key,
    )


def test_the_card_number_may_be_typed_with_spaces(terminal_a, card):
    response = terminal_a.quote(" ".join([card[:4], card[4:8], card[8:12], card[12:]]), 1000)

    assert response.status_code == 201, response.content


def test_the_name_alone_is_all_the_terminal_learns(terminal_a, card, member):
    body = terminal_a.quote(card, 1000).json()

    assert member.name not in str(body)
    assert member.member_no not in str(body)


def test_a_member_who_left_gets_no_discount(terminal_a, tree):
    left = make_member(tree["a"], "李退会", status="left")
    number = make_card(left)

    body = assert_error(terminal_a.quote(number, 1000), 400, "pos.member_inactive")
    assert "退会" in body["message"]


def test_a_lost_card_is_refused(terminal_a, tree):
    owner = make_member(tree["a"], "王挂失")
    number = make_card(owner, status="lost")

    body = assert_error(terminal_a.quote(number, 1000), 400, "cards.card_not_active")
    assert "挂失" in body["message"]


def test_an_unknown_card_is_refused(terminal_a, card):
    assert_error(terminal_a.quote("3109999999999999", 1000), 404, "cards.credential_unknown")


def test_a_qr_code_pays_for_one_sale_only(terminal_a, member):
    code = qr_code_now(make_qr(member))

    first = terminal_a.quote(code, 1000)
    again = terminal_a.quote(code, 1000)

    assert first.status_code == 201, first.content
    assert first.json()["credential_kind"] == "qr"
    assert_error(again, 409, "cards.qr_used")


def test_a_qr_code_used_at_one_shop_is_used_everywhere(terminal_a, terminal_b, member):
    code = qr_code_now(make_qr(member))
    assert terminal_a.quote(code, 1000).status_code == 201

    assert_error(terminal_b.quote(code, 1000), 409, "cards.qr_used")


def test_a_refused_quote_does_not_use_up_the_qr_code(terminal_a, tree):
    left = make_member(tree["a"], "赵退会", status="left")
    code = qr_code_now(make_qr(left))
    assert_error(terminal_a.quote(code, 1000), 400, "pos.member_inactive")
    type(left).objects.filter(pk=left.pk).update(status="active")

    assert terminal_a.quote(code, 1000).status_code == 201


@pytest.mark.parametrize("amount", [0, -5, 100_000_001])
def test_an_amount_out_of_range_is_refused(terminal_a, card, amount):
    assert_error(terminal_a.quote(card, amount), 422, "request.invalid")


def test_the_day_cap_already_used_lowers_the_discount(tree, card, member):
    shop = make_merchant(tree["county_a"], per_member_day_cap_fen=2000)
    terminal = Terminal(*make_key(shop))
    DayUsage.objects.create(
        merchant=shop, member=member, day=timezone.localdate(), discount_fen=1500
    )

    body = terminal.quote(card, 12800).json()

    assert (body["discount_fen"], body["payable_fen"]) == (500, 12300)


def test_a_fixed_amount_off(tree, card):
    shop = make_merchant(tree["county_a"], fixed_off_fen=500, min_amount_fen=3000)
    terminal = Terminal(*make_key(shop))

    assert terminal.quote(card, 4000).json()["discount_fen"] == 500
    assert terminal.quote(card, 2000).json()["discount_fen"] == 0


def test_a_replaced_card_is_refused(terminal_a, member, card):
    Card.objects.filter(member=member).update(status="cancelled")

    assert_error(terminal_a.quote(card, 1000), 400, "cards.card_not_active")
