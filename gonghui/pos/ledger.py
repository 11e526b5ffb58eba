"""The append-only discount ledger: one entry per sale and per refund, each merchant's entries
a hash chain. The table refuses UPDATE, DELETE and TRUNCATE at the database level (migration
0002, under the audit log's guard); `verify` recomputes the chains and names the first entry
that does not match."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction

from gonghui.pos.models import EntryKind, LedgerEntry, LedgerHead

GENESIS_HASH = "0" * 64


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
        # Lock the merchant's head: two terminals appending at once would both take seq n+1.
        head, _created = LedgerHead.objects.select_for_update().get_or_create(
            merchant_id=merchant_id
        )
        entry = LedgerEntry(
            merchant_id=merchant_id,
            seq=head.seq + 1,
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
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        LedgerHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash)
    return entry


@dataclass(frozen=True)
class BrokenEntry:
    """Where a chain stops matching: the entry (or, for a cut-off end, the last sequence
    number the head says was written) and why."""

    merchant_id: int
    seq: int
    entry_id: int | None
    reason: str

    def describe(self) -> str:
        where = f"entry {self.entry_id} " if self.entry_id is not None else ""
        return f"merchant {self.merchant_id} {where}(seq {self.seq}): {self.reason}"


def _check_end(merchant_id: int, seq: int, last_hash: str, head: Any) -> BrokenEntry | None:
    if head is None:
        if seq:
            return BrokenEntry(merchant_id, seq, None, "the chain head row is missing")
        return None
    if head.seq != seq:
        return BrokenEntry(
            merchant_id,
            head.seq,
            None,
            f"the chain ends at seq {seq} but seq {head.seq} was written: "
            "entries at the end were removed",
        )
    if head.hash != last_hash:
        return BrokenEntry(merchant_id, seq, None, "the chain head does not match the last entry")
    return None


def verify(merchant: Any = None) -> BrokenEntry | None:
    """The first broken entry of every chain (or of one merchant's), None when all match.
    Streams the entries in (merchant, seq) order, the order of the unique index."""
    entries = LedgerEntry.objects.order_by("merchant_id", "seq")
    heads = LedgerHead.objects.all()
    if merchant is not None:
        entries = entries.filter(merchant_id=merchant.pk)
        heads = heads.filter(merchant_id=merchant.pk)
    head_of = {h.merchant_id: h for h in heads.only("merchant_id", "seq", "hash")}
    current: int | None = None
    seq, prev = 0, GENESIS_HASH
    for entry in entries.iterator(chunk_size=2000):
        if entry.merchant_id != current:
            if current is not None:
                broken = _check_end(current, seq, prev, head_of.pop(current, None))
                if broken:
                    return broken
            current, seq, prev = entry.merchant_id, 0, GENESIS_HASH
        if entry.seq != seq + 1 or entry.prev_hash != prev:
            return BrokenEntry(
                entry.merchant_id,
                entry.seq,
                entry.id,
                "prev_hash or seq does not follow the entry before it",
            )
        if entry_hash(entry) != entry.hash:
            return BrokenEntry(
                entry.merchant_id, entry.seq, entry.id, "content does not match its hash"
            )
        seq, prev = entry.seq, entry.hash
    if current is not None:
        broken = _check_end(current, seq, prev, head_of.pop(current, None))
        if broken:
            return broken
    # Heads of chains whose every entry is gone.
    for merchant_id, head in sorted(head_of.items()):
        broken = _check_end(merchant_id, 0, GENESIS_HASH, head)
        if broken:
            return broken
    return None
