"""The reference client against a live server: one round trip of quote, confirm (and its
retry), refund and list, signed as a terminal would; and its command line."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from gonghui.pos import client as pos_client
from gonghui.pos.client import PosClient, PosError
from gonghui.pos.tests.conftest import make_card, make_key, make_member, make_merchant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(live_server, tree):
    from gonghui.conftest import ensure_reference_data

    ensure_reference_data()
    shop = make_merchant(tree["county_a"], name="甲区会员餐厅")
    key, secret = make_key(shop)
    number = make_card(make_member(tree["a"], "张小明"))
    return live_server.url, key.key_id, secret, number


def test_a_round_trip(setup):
    url, key_id, secret, number = setup
    pos = PosClient(url, key_id, secret)

    quote = pos.quote(number, 12800)
    first = pos.confirm_response(quote["quote_id"], idempotency_key="till-1-0001")
    retry = pos.confirm_response(quote["quote_id"], idempotency_key="till-1-0001")
    sale = first.body
    refund = pos.refund(sale["id"], 10880)
    listed = pos.transactions(date=timezone.localdate().isoformat())
    pos.close()

    assert (quote["member"], quote["discount_fen"], quote["payable_fen"]) == ("张*明", 1920, 10880)
    assert first.status == retry.status == 201
    assert (first.replayed, retry.replayed) == (False, True)
    assert retry.body == sale
    assert refund["discount_reversed_fen"] == 1920
    assert listed["count"] == 1
    assert listed["items"][0]["refunded_fen"] == 10880


def test_an_error_answer_is_raised_with_its_code(setup):
    url, key_id, _secret, number = setup
    pos = PosClient(url, key_id, "not-the-secret")

    with pytest.raises(PosError) as caught:
        pos.quote(number, 100)

    assert (caught.value.status, caught.value.code) == (401, "pos.signature_invalid")


def test_the_command_line(setup, capsys):
    url, key_id, secret, number = setup
    common = ["--url", url, "--key-id", key_id, "--secret", secret]

    assert pos_client.main([*common, "quote", number, "5000"]) == 0
    quote = json.loads(capsys.readouterr().out)
    assert pos_client.main([*common, "confirm", quote["quote_id"], "--external-ref", "R-1"]) == 0
    sale = json.loads(capsys.readouterr().out)
    assert pos_client.main([*common, "refund", sale["id"], "99999"]) == 1
    refused = json.loads(capsys.readouterr().out)

    assert sale["external_ref"] == "R-1"
    assert refused["code"] == "pos.refund_exceeds_paid"
