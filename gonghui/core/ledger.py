"""Hash-chained, append-only money ledgers (mutual-aid fund, hardship aid, allowances…).

A ledger is a model that inherits `ChainedEntry` and names the fields that make an entry's
content in `HASHED_FIELDS`. Entries form chains (one per `chain` key, e.g. a plan year's code):
each carries its sequence number, the previous entry's hash and its own hash over its content,
and `LedgerHead` keeps each chain's last sequence number and hash, so an entry changed, removed
or cut off the end is found by `verify`. The table itself refuses UPDATE/DELETE/TRUNCATE
(`gonghui.core.appendonly.append_only` in the ledger's migration)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Protocol, TypeVar

from django.db import models, transaction

from gonghui.core.models import LedgerHead

GENESIS_HASH = "0" * 64


class ChainedEntry(models.Model):
    chain = models.CharField(max_length=40, editable=False)
    seq = models.PositiveBigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    HASHED_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="%(app_label)s_%(class)s_chain_seq"
            )
        ]


E = TypeVar("E", bound=ChainedEntry)


def ledger_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical(entry: ChainedEntry) -> bytes:
    """Foreign keys by their column (no join per entry when verifying)."""
    meta = entry._meta
    body = {
        name: _plain(getattr(entry, getattr(meta.get_field(name), "attname", name)))
        for name in entry.HASHED_FIELDS
    }
    body |= {"chain": entry.chain, "seq": entry.seq, "prev_hash": entry.prev_hash}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: ChainedEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def append(model: type[E], *, chain: str, **values: Any) -> E:
    """Append one entry to `chain`; call inside the transaction that moves the money, so the
    entry and what it records commit together."""
    for name, value in values.items():
        if isinstance(value, datetime):
            # In UTC, the form the column gives back, so the hash verifies after a round trip.
            values[name] = value.astimezone(UTC)
    with transaction.atomic(savepoint=False):
        # Lock the chain's head: two writers appending at once would both take seq n+1.
        head, _created = LedgerHead.objects.select_for_update().get_or_create(
            ledger=ledger_label(model), chain=chain
        )
        entry = model(chain=chain, seq=head.seq + 1, prev_hash=head.hash, **values)
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        LedgerHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash)
    return entry


@dataclass(frozen=True)
class BrokenEntry:
    """Where a chain stops matching: the entry (or, for a cut-off end, the last sequence
    number the head says was written) and why. `chain` is the chain's key (a merchant's id for
    the POS ledger)."""

    chain: str | int
    seq: int
    entry_id: int | None
    reason: str

    def describe(self) -> str:
        where = f"entry {self.entry_id} " if self.entry_id is not None else ""
        return f"chain {self.chain} {where}(seq {self.seq}): {self.reason}"


class Head(Protocol):
    seq: int
    hash: str


def _check_end(chain: Any, seq: int, last_hash: str, head: Head | None) -> BrokenEntry | None:
    if head is None:
        return BrokenEntry(chain, seq, None, "the chain head row is missing") if seq else None
    if head.seq != seq:
        return BrokenEntry(
            chain,
            head.seq,
            None,
            f"the chain ends at seq {seq} but seq {head.seq} was written: "
            "entries at the end were removed",
        )
    if head.hash != last_hash:
        return BrokenEntry(chain, seq, None, "the chain head does not match the last entry")
    return None


def check_chains(
    entries: Iterable[Any],
    heads: dict[Any, Head],
    *,
    chain_of: Callable[[Any], Any],
    hash_of: Callable[[Any], str],
) -> BrokenEntry | None:
    """Walk entries given in (chain, seq) order against the chains' heads; the first entry
    that does not follow, does not match its hash, or ends a chain short of its head."""
    heads = dict(heads)
    current: Any = None
    seq, prev = 0, GENESIS_HASH
    for entry in entries:
        chain = chain_of(entry)
        if chain != current:
            if current is not None:
                broken = _check_end(current, seq, prev, heads.pop(current, None))
                if broken:
                    return broken
            current, seq, prev = chain, 0, GENESIS_HASH
        if entry.seq != seq + 1 or entry.prev_hash != prev:
            return BrokenEntry(
                chain, entry.seq, entry.pk, "prev_hash or seq does not follow the entry before it"
            )
        if hash_of(entry) != entry.hash:
            return BrokenEntry(chain, entry.seq, entry.pk, "content does not match its hash")
        seq, prev = entry.seq, entry.hash
    if current is not None:
        broken = _check_end(current, seq, prev, heads.pop(current, None))
        if broken:
            return broken
    for chain, head in sorted(heads.items()):  # heads of chains whose every entry is gone
        broken = _check_end(chain, 0, GENESIS_HASH, head)
        if broken:
            return broken
    return None


def verify(model: type[ChainedEntry], chain: str | None = None) -> BrokenEntry | None:
    """The first broken entry of every chain of the ledger (or of one chain), None when all
    match. Streams the entries in (chain, seq) order, the order of the unique index."""
    entries = model._default_manager.order_by("chain", "seq")
    heads = LedgerHead.objects.filter(ledger=ledger_label(model))
    if chain is not None:
        entries = entries.filter(chain=chain)
        heads = heads.filter(chain=chain)
    return check_chains(
        entries.iterator(chunk_size=2000),
        {h.chain: h for h in heads},
        chain_of=lambda entry: entry.chain,
        hash_of=entry_hash,
    )
