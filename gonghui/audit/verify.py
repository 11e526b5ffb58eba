"""Recompute the hash chain and name the first entry that does not match."""

from __future__ import annotations

from dataclasses import dataclass

from gonghui.audit.log import GENESIS_HASH, entry_hash
from gonghui.audit.models import AuditChainHead, AuditEntry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.reason


def verify_chain() -> ChainReport:
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.id, "prev_hash does not match the entry before it")
        if entry_hash(entry) != entry.hash:
            return ChainReport(checked, entry.id, "content does not match its hash")
        prev = entry.hash
        last_id = entry.id
        checked += 1
    # The head records the newest entry written: it is how a cut-off end of the log shows.
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if checked:
            return ChainReport(checked, None, "the chain head row is missing")
        return ChainReport(checked, None, "")
    if head.last_id != last_id:
        return ChainReport(
            checked,
            head.last_id,
            f"the log ends at entry {last_id} but entry {head.last_id} was written: "
            "entries at the end were removed",
        )
    if head.last_hash != prev:
        return ChainReport(checked, None, "the chain head does not match the last entry")
    return ChainReport(checked, None, "")
