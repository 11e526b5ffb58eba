"""The append-only discount ledger: one entry per sale and per refund, each merchant's entries
a hash chain. The table refuses UPDATE, DELETE and TRUNCATE at the database level (migration
0002, under the audit log's guard); `verify` recomputes the chains and names the first entry
that does not match."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction

from gonghui.core import sql
from gonghui.core.ledger import GENESIS_HASH, BrokenEntry, check_chains
from gonghui.pos.models import EntryKind, LedgerEntry, LedgerHead


def _canonical(entry: LedgerEntry) -> bytes:
    """Primary keys, not public ids: verifying must not need a join per entry."""
    body = {
        "merchant": entry.merchant_id,
        "seq": entry.seq,
        "kind": entry.kind,
        "member": entry.member_id,
        "transaction": entry.transaction_id,
        "refund": entry.refund_id,
        "amount_fen": entry.amount_fen,
        "discount_fen": entry.discount_fen,
        "payable_fen": entry.payable_fen,
        "at": entry.at.isoformat(),
        "local_date": entry.local_date.isoformat(),
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: LedgerEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def append(
    *,
    merchant_id: int,
    kind: EntryKind | str,
    member_id: int,
    transaction_id: int,
    refund_id: int | None,
    amount_fen: int,
    discount_fen: int,
    payable_fen: int,
    at: datetime,
    local_date: date,
) -> LedgerEntry:
    """Append one entry to the merchant's chain; call inside the transaction that moves the
    money, so the entry and the sale or refund commit together."""
    if amount_fen != discount_fen + payable_fen:
        raise ValueError("a ledger entry's amount must be its discount plus what was paid")
    # No savepoint of its own: nothing here raises an error to recover from.
    with transaction.atomic(savepoint=False):
        head_id, head_seq, head_hash = _locked_head(merchant_id)
        entry = LedgerEntry(
            merchant_id=merchant_id,
            seq=head_seq + 1,
            kind=kind,
            member_id=member_id,
            transaction_id=transaction_id,
            refund_id=refund_id,
            amount_fen=amount_fen,
            discount_fen=discount_fen,
            payable_fen=payable_fen,
            # In UTC, the form the column gives back, so the hash verifies after a round trip.
            at=at.astimezone(UTC),
            local_date=local_date,
            prev_hash=head_hash,
        )
        entry.hash = entry_hash(entry)
        sql.insert(entry)
        sql.execute(
            "UPDATE pos_ledgerhead SET seq = %s, hash = %s WHERE id = %s",
            [entry.seq, entry.hash, head_id],
        )
    return entry


def _locked_head(merchant_id: int) -> tuple[int, int, str]:
    """The merchant's head (id, seq, hash), locked: two terminals appending at once would
    both take seq n+1. Made on the merchant's first entry; a concurrent first insert makes
    ours wait for its commit and insert nothing. Hand-written SQL (gonghui.core.sql): every
    sale and refund runs it."""
    lock = sql.for_update("pos_ledgerhead")
    query = f"SELECT id, seq, hash FROM pos_ledgerhead WHERE merchant_id = %s{lock}"  # noqa: S608
    row = sql.first(query, [merchant_id])
    if row is None:
        sql.execute(
            "INSERT INTO pos_ledgerhead (merchant_id, seq, hash) VALUES (%s, 0, %s) "
            "ON CONFLICT (merchant_id) DO NOTHING",
            [merchant_id, GENESIS_HASH],
        )
        row = sql.first(query, [merchant_id])
    assert row is not None
    return int(row[0]), int(row[1]), str(row[2])


def verify(merchant: Any = None) -> BrokenEntry | None:
    """The first broken entry of every merchant's chain (or of one merchant's), None when all
    match; `chain` of the answer is the merchant's id. Streams the entries in (merchant, seq)
    order, the order of the unique index."""
    entries = LedgerEntry.objects.order_by("merchant_id", "seq")
    heads = LedgerHead.objects.all()
    if merchant is not None:
        entries = entries.filter(merchant_id=merchant.pk)
        heads = heads.filter(merchant_id=merchant.pk)
    return check_chains(
        entries.iterator(chunk_size=2000),
        {h.merchant_id: h for h in heads.only("merchant_id", "seq", "hash")},
        chain_of=lambda entry: entry.merchant_id,
        hash_of=entry_hash,
    )
