"""Idempotency-Key on the writes: required; the same key and body return the first answer
and write nothing; the same key with another body is refused; refusals are answers too."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.pos.models import IdempotencyRecord, LedgerEntry, Quote, Refund, Transaction
from gonghui.pos.tests.conftest import assert_error

pytestmark = pytest.mark.django_db

CONFIRM = "/api/v1/pos/transactions"


@pytest.fixture
def quote(terminal_a, card) -> dict:
    return terminal_a.quote(card, 12800).json()


def test_a_write_without_a_key_is_refused(terminal_a, quote):
    response = terminal_a.request("POST", CONFIRM, {"quote_id": quote["quote_id"]})

    assert_error(response, 400, "pos.idempotency_key_required")
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "k" * 101, "键"])
def test_a_malformed_key_is_refused(terminal_a, quote, key):
    response = terminal_a.request(
        "POST", CONFIRM, {"quote_id": quote["quote_id"]}, headers={"Idempotency-Key": key}
    )

    assert_error(response, 400, "pos.idempotency_key_required")


def test_a_retry_returns_the_first_answer_and_writes_nothing(terminal_a, quote):
    first = terminal_a.confirm(quote["quote_id"], key="order-42")

    retry = terminal_a.confirm(quote["quote_id"], key="order-42")

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Transaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(terminal_a, quote, card):
    assert terminal_a.confirm(quote["quote_id"], key="order-43").status_code == 201
    other = terminal_a.quote(card, 500).json()

    response = terminal_a.confirm(other["quote_id"], key="order-43")

    assert_error(response, 409, "pos.idempotency_key_reused")
    assert Transaction.objects.count() == 1


def test_a_refusal_is_stored_and_replayed(terminal_a, quote):
    Quote.objects.filter(public_id=quote["quote_id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    first = terminal_a.confirm(quote["quote_id"], key="order-44")
    Quote.objects.filter(public_id=quote["quote_id"]).update(
        expires_at=timezone.now() + timedelta(minutes=1)
    )

    retry = terminal_a.confirm(quote["quote_id"], key="order-44")

    assert_error(first, 409, "pos.quote_expired")
    assert retry.status_code == 409 and retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert not Transaction.objects.exists()
    # A new attempt is a new key.
    assert terminal_a.confirm(quote["quote_id"], key="order-45").status_code == 201


def test_a_request_refused_before_the_service_stores_nothing(terminal_a, quote):
    response = terminal_a.request(
        "POST", CONFIRM, {"quote_id": "not-a-uuid"}, headers={"Idempotency-Key": "order-46"}
    )

    assert_error(response, 422, "request.invalid")
    assert not IdempotencyRecord.objects.exists()


def test_keys_belong_to_one_merchant(terminal_a, terminal_b, quote, card):
    other = terminal_b.quote(card, 800).json()

    a = terminal_a.confirm(quote["quote_id"], key="shared-key")
    b = terminal_b.confirm(other["quote_id"], key="shared-key")

    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b
    assert Transaction.objects.count() == 2


def test_a_refund_retry_refunds_once(terminal_a, quote):
    sale = terminal_a.confirm(quote["quote_id"]).json()

    first = terminal_a.refund(sale["id"], 1000, key="refund-1")
    retry = terminal_a.refund(sale["id"], 1000, key="refund-1")

    assert first.status_code == retry.status_code == 201
    assert json.loads(retry.content) == json.loads(first.content)
    assert retry["Idempotent-Replayed"] == "true"
    assert Refund.objects.count() == 1
    assert Transaction.objects.get().refunded_fen == 1000


def test_the_record_holds_the_answer(terminal_a, quote):
    key = uuid.uuid4().hex
    body = terminal_a.confirm(quote["quote_id"], key=key).json()

    record = IdempotencyRecord.objects.get(key=key)
    assert (record.merchant, record.status_code, record.response) == (
        terminal_a.merchant,
        201,
        body,
    )
