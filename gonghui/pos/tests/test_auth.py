"""Signed requests: a good signature passes; a wrong secret, a changed body or path, a stale
timestamp, a replayed nonce, missing headers, an unknown or revoked key are each refused with
401 and a stable code; a suspended or expired merchant's keys stop working at once (403)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.merchants.models import Contract, TerminalKey
from gonghui.pos.models import Nonce
from gonghui.pos.tests.conftest import Terminal, assert_error, make_key

pytestmark = pytest.mark.django_db

LIST = "/api/v1/pos/transactions"


def test_a_good_signature_passes(terminal_a):
    response = terminal_a.request("GET", LIST)

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


def test_the_first_use_stamps_the_key(terminal_a):
    terminal_a.request("GET", LIST)

    terminal_a.key.refresh_from_db()
    assert terminal_a.key.last_used_at is not None


def test_a_wrong_secret_is_refused(terminal_a):
    response = terminal_a.request("GET", LIST, sign={"secret": "not-the-secret"})

    assert_error(response, 401, "pos.signature_invalid")


def test_a_changed_body_is_refused(terminal_a, card):
    response = terminal_a.request(
        "POST",
        "/api/v1/pos/quote",
        {"credential": card, "amount_fen": 100000},
        sign={"body": b'{"credential": "%s", "amount_fen": 100}' % card.encode()},
    )

    assert_error(response, 401, "pos.signature_invalid")


def test_a_changed_query_string_is_refused(terminal_a):
    response = terminal_a.request(
        "GET", LIST + "?date=2026-01-02", sign={"path": LIST + "?date=2026-01-01"}
    )

    assert_error(response, 401, "pos.signature_invalid")


def test_a_path_signed_with_its_query_string_passes(terminal_a):
    response = terminal_a.request("GET", LIST + "?date=2026-01-02&page_size=10")

    assert response.status_code == 200, response.content
    assert response.json()["page_size"] == 10


@pytest.mark.parametrize("seconds", [-301, 301, -3600])
def test_a_stale_timestamp_is_refused(terminal_a, seconds):
    response = terminal_a.request("GET", LIST, sign={"timestamp": int(time.time()) + seconds})

    body = assert_error(response, 401, "pos.timestamp_stale")
    assert abs(body["details"]["skew_seconds"] - seconds) <= 2


def test_a_timestamp_within_the_window_passes(terminal_a):
    response = terminal_a.request("GET", LIST, sign={"timestamp": int(time.time()) - 250})

    assert response.status_code == 200


def test_a_replayed_nonce_is_refused(terminal_a):
    signed = {"nonce": "replay-me-0123456789", "timestamp": int(time.time())}
    first = terminal_a.request("GET", LIST, sign=signed)

    again = terminal_a.request("GET", LIST, sign=signed)

    assert first.status_code == 200
    assert_error(again, 401, "pos.nonce_replayed")
    assert Nonce.objects.filter(nonce="replay-me-0123456789").count() == 1


def test_another_key_may_use_the_same_nonce(terminal_a, shop_a):
    other = Terminal(*make_key(shop_a))
    signed = {"nonce": "shared-nonce-0123456789"}

    assert terminal_a.request("GET", LIST, sign=signed).status_code == 200
    assert other.request("GET", LIST, sign=signed).status_code == 200


@pytest.mark.parametrize(
    "nonce", ["short", "has spaces in it 12345", "x" * 101, "非ASCII的随机串随机串随机串随机串"]
)
def test_a_malformed_nonce_is_refused(terminal_a, nonce):
    response = terminal_a.request("GET", LIST, sign={"nonce": nonce})

    assert_error(response, 401, "pos.nonce_invalid")


@pytest.mark.parametrize("header", ["X-Merchant-Key", "X-Timestamp", "X-Nonce", "X-Signature"])
def test_a_missing_header_is_refused(terminal_a, header):
    response = terminal_a.request("GET", LIST, omit=(header,))

    body = assert_error(response, 401, "pos.signature_missing")
    assert body["details"]["missing"] == [header]


def test_an_unsigned_request_is_refused(client, db):
    assert_error(client.get(LIST), 401, "pos.signature_missing")


def test_a_staff_session_is_no_way_in(login_as, people):
    assert_error(login_as(people["alice"]).get(LIST), 401, "pos.signature_missing")


def test_an_unknown_key_is_refused(terminal_a):
    terminal_a.key.key_id = "pk_nobody"

    assert_error(terminal_a.request("GET", LIST), 401, "pos.key_unknown")


def test_a_revoked_key_stops_working_at_once(terminal_a):
    assert terminal_a.request("GET", LIST).status_code == 200
    TerminalKey.objects.filter(pk=terminal_a.key.pk).update(revoked_at=timezone.now())

    assert_error(terminal_a.request("GET", LIST), 401, "pos.key_unknown")


def test_a_suspended_merchant_is_refused_at_once(terminal_a, shop_a):
    assert terminal_a.request("GET", LIST).status_code == 200
    type(shop_a).objects.filter(pk=shop_a.pk).update(status="suspended")

    assert_error(terminal_a.request("GET", LIST), 403, "merchant.suspended")


def test_an_expired_contract_is_refused(terminal_a, shop_a):
    yesterday = timezone.localdate() - timedelta(days=1)
    Contract.objects.filter(merchant=shop_a).update(
        valid_from=yesterday - timedelta(days=30), valid_to=yesterday
    )

    assert_error(terminal_a.request("GET", LIST), 403, "merchant.expired")


def test_a_refused_signature_records_no_nonce(terminal_a):
    terminal_a.request("GET", LIST, sign={"secret": "wrong", "nonce": "never-stored-0123456789"})

    assert not Nonce.objects.filter(nonce="never-stored-0123456789").exists()


def test_the_openapi_schema_documents_the_signature(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    quote = schema["paths"]["/api/v1/pos/quote"]["post"]
    assert quote["security"] == [{"PosSignatureAuth": []}]
    confirm = schema["paths"]["/api/v1/pos/transactions"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in confirm["parameters"])
    assert "fen" in str(schema["components"]["schemas"]["QuoteIn"])


def test_a_signature_of_odd_characters_is_refused_not_crashed(terminal_a):
    response = terminal_a.request(
        "GET", LIST, headers={"X-Signature": "签名".encode().decode("latin-1")}
    )

    assert_error(response, 401, "pos.signature_invalid")


def test_a_timestamp_of_odd_digits_is_refused(terminal_a):
    response = terminal_a.request("GET", LIST, headers={"X-Timestamp": "１７９５０００"})

    assert_error(response, 401, "pos.timestamp_stale")
