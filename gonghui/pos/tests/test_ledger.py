"""The discount ledger: each merchant's entries chain from the genesis hash; the table refuses
changes at the database level; `pos_ledger_verify` names the first entry that was changed,
removed or cut off (after the guard is switched off, as an attacker with the database would)."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gonghui.audit.triggers import set_guard
from gonghui.core.ledger import GENESIS_HASH
from gonghui.pos import ledger
from gonghui.pos.models import LedgerEntry, LedgerHead

pytestmark = pytest.mark.django_db


@contextmanager
def guard_off() -> Iterator[None]:
    set_guard(connection, False)
    try:
        yield
    finally:
        set_guard(connection, True)


def raw(sql: str, params: list) -> None:
    with guard_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("pos_ledger_verify", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def entries(terminal_a, terminal_b, card) -> list[LedgerEntry]:
    sale = terminal_a.sale(card, 12800)
    terminal_a.refund(sale["id"], 1000)
    terminal_a.sale(card, 5000)
    terminal_b.sale(card, 3000)
    return list(LedgerEntry.objects.order_by("id"))


def test_each_merchants_entries_chain_from_the_genesis_hash(entries, terminal_a):
    own = [e for e in entries if e.merchant_id == terminal_a.merchant.pk]

    assert [e.seq for e in own] == [1, 2, 3]
    assert own[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(own))
    head = LedgerHead.objects.get(merchant=terminal_a.merchant)
    assert (head.seq, head.hash) == (3, own[-1].hash)


def test_an_intact_ledger_verifies(entries):
    assert "pos ledger intact: 4 entries" in verify()
    assert json.loads(verify("--json"))["ok"] is True


def test_one_merchant_can_be_verified(entries, terminal_b):
    assert "intact: 1 entries" in verify("--merchant", terminal_b.merchant.code)


def test_the_ledger_refuses_an_update(entries):
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entries[0].pk).update(discount_fen=0)


def test_the_ledger_refuses_a_delete(entries):
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entries[-1].pk).delete()


def test_a_changed_entry_is_named(entries):
    target = entries[1]
    raw("UPDATE pos_ledgerentry SET discount_fen = %s WHERE id = %s", [0, target.pk])

    with pytest.raises(CommandError, match=rf"entry {target.pk}\b"):
        verify()


def test_a_changed_entry_is_named_in_json(entries):
    target = entries[0]
    raw("UPDATE pos_ledgerentry SET payable_fen = %s WHERE id = %s", [1, target.pk])
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("pos_ledger_verify", "--json", stdout=out)

    assert json.loads(out.getvalue())["broken_id"] == target.pk


def test_a_rehashed_entry_breaks_the_link_to_the_next(entries):
    target, following = entries[0], entries[1]
    forged = LedgerEntry.objects.get(pk=target.pk)
    forged.discount_fen = 0
    forged.amount_fen = forged.payable_fen
    raw(
        "UPDATE pos_ledgerentry SET discount_fen = 0, amount_fen = %s, hash = %s WHERE id = %s",
        [forged.amount_fen, ledger.entry_hash(forged), target.pk],
    )

    with pytest.raises(CommandError, match=rf"entry {following.pk}\b"):
        verify()


def test_a_deleted_entry_in_the_middle_is_detected_at_the_next_one(entries):
    raw("DELETE FROM pos_ledgerentry WHERE id = %s", [entries[1].pk])

    broken = ledger.verify()

    assert broken is not None and broken.entry_id == entries[2].pk


def test_deleting_the_last_entry_is_detected(entries, terminal_a):
    last = [e for e in entries if e.merchant_id == terminal_a.merchant.pk][-1]
    raw("DELETE FROM pos_ledgerentry WHERE id = %s", [last.pk])

    broken = ledger.verify()

    assert broken is not None and broken.seq == last.seq
    with pytest.raises(CommandError, match="removed"):
        verify()


def test_an_empty_ledger_verifies(db):
    assert ledger.verify() is None


def test_an_entry_must_add_up(db):
    with pytest.raises(ValueError):
        ledger.append(
            merchant_id=1,
            kind="sale",
            member_id=1,
            transaction_id=1,
            refund_id=None,
            amount_fen=100,
            discount_fen=10,
            payable_fen=80,
            at=None,
            local_date=None,
        )
