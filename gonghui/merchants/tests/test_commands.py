"""`manage.py pos_key` and `manage.py expire_merchants`."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.merchants import selectors
from gonghui.merchants.models import Contract, MerchantStatus, TerminalKey

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_pos_key_prints_the_secret_once_and_keeps_it_for_verifying(merchant_a) -> None:
    printed = json.loads(run("pos_key", merchant_a.code.lower(), "--label", "1号机", "--json"))
    assert printed["merchant"] == merchant_a.code
    key = TerminalKey.objects.get(key_id=printed["key_id"])
    assert key.secret == printed["secret"] and key.label == "1号机"
    assert selectors.till_for_key(printed["key_id"], timezone.localdate()).terminal == key
    entry = AuditEntry.objects.get(action="merchants.key.issued")
    assert entry.actor_id is None and printed["secret"] not in str(entry.changes)


def test_pos_key_in_words(merchant_a) -> None:
    text = run("pos_key", merchant_a.code)
    key = TerminalKey.objects.get()
    assert f"key_id:   {key.key_id}" in text
    assert f"secret:   {key.secret}" in text


def test_pos_key_revokes(merchant_a) -> None:
    key_id = json.loads(run("pos_key", merchant_a.code, "--json"))["key_id"]
    revoked = json.loads(run("pos_key", "--revoke", key_id, "--json"))
    assert revoked["key_id"] == key_id and revoked["already_revoked"] is False
    assert selectors.till_for_key(key_id, timezone.localdate()) is None
    assert json.loads(run("pos_key", "--revoke", key_id, "--json"))["already_revoked"] is True
    with pytest.raises(CommandError):
        run("pos_key", "--revoke", "pk_nothing")


def test_pos_key_refuses_a_merchant_that_is_not_active(make_merchant) -> None:
    suspended = make_merchant(status=MerchantStatus.SUSPENDED)
    with pytest.raises(CommandError, match=r"merchant\.not_active"):
        run("pos_key", suspended.code)
    with pytest.raises(CommandError, match="no merchant"):
        run("pos_key", "SH99999")
    assert not TerminalKey.objects.exists()


def test_expire_merchants_is_safe_to_run_daily(make_merchant, merchant_a) -> None:
    ended = make_merchant(contract=False)
    Contract.objects.create(
        merchant=ended,
        contract_no="E-1",
        valid_from=timezone.localdate() - timedelta(days=60),
        valid_to=timezone.localdate() - timedelta(days=1),
        discount_kind="fixed",
        fixed_off_fen=500,
    )
    first = json.loads(run("expire_merchants", "--json"))
    assert first["expired"] == 1 and first["codes"] == [ended.code]
    assert json.loads(run("expire_merchants", "--json"))["expired"] == 0
    assert "0 merchant(s) expired" in run("expire_merchants")
