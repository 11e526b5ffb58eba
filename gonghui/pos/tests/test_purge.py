"""`manage.py pos_purge`: idempotency records go after 24 h, nonces once no timestamp could
carry them back; newer ones stay."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gonghui.pos.models import IdempotencyRecord, Nonce

pytestmark = pytest.mark.django_db


def record(merchant, key: str, age: timedelta) -> None:
    row = IdempotencyRecord.objects.create(
        merchant=merchant, key=key, request_hash="0" * 64, status_code=201, response={}
    )
    IdempotencyRecord.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)


def test_old_records_and_nonces_go_and_new_ones_stay(shop_a):
    record(shop_a, "old", timedelta(hours=25))
    record(shop_a, "new", timedelta(hours=23))
    now = timezone.now()
    Nonce.objects.create(key_id="k", nonce="old-nonce-000000000", seen_at=now - timedelta(hours=1))
    Nonce.objects.create(
        key_id="k", nonce="new-nonce-000000000", seen_at=now - timedelta(minutes=5)
    )
    out = StringIO()

    call_command("pos_purge", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {"idempotency_records": 1, "nonces": 1}
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert list(Nonce.objects.values_list("nonce", flat=True)) == ["new-nonce-000000000"]


def test_keys_are_kept_at_least_24_hours(db):
    with pytest.raises(CommandError, match="at least 24"):
        call_command("pos_purge", "--hours", "2")
