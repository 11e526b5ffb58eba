"""The one helper every service calls to write the audit log (pretix's `log_action`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from gonghui.audit.context import current_origin
from gonghui.audit.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


@dataclass
class Event:
    """One thing that happened, before it is chained into the log."""

    action: str
    obj: models.Model | None = None
    changes: Mapping[str, Any] = field(default_factory=dict)
    object_repr: str = ""
    union_path: str = ""


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "ip": entry.ip,
        "source": entry.source,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "union_path": entry.union_path,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


PUBLIC_KEYS = ("public_id", "code", "member_no")


def _object_fields(obj: models.Model | None) -> tuple[str, str]:
    """The object's public key (the one URLs and the API use), the primary key as a last resort."""
    if obj is None:
        return "", ""
    public = next((getattr(obj, k) for k in PUBLIC_KEYS if getattr(obj, k, None)), obj.pk)
    return obj._meta.label_lower, str(public)


def _union_path_of(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    if hasattr(obj, "path") and obj._meta.label_lower == "orgs.union":
        return str(obj.path)
    union = getattr(obj, "union", None)
    return str(getattr(union, "path", "") or "")


def log_many(actor: Any, events: Iterable[Event]) -> list[AuditEntry]:
    """Append events in one transaction; the chain head row lock orders concurrent writers."""
    origin = current_origin()
    now = timezone.now()
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_label = getattr(actor, "username", "") if actor is not None else "system"
    # Hash the address in the form the column stores it (IPv6 is compressed on the way in).
    ip = AuditEntry._meta.get_field("ip").to_python(origin.ip) or None
    with transaction.atomic():
        # Lock the head: two writers reading the same last hash would fork the chain.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH}
        )
        prev = head.last_hash
        entries = []
        for event in events:
            object_type, object_id = _object_fields(event.obj)
            entry = AuditEntry(
                at=now,
                actor_id=actor_id,
                actor_label=actor_label or "",
                ip=ip,
                source=origin.source,
                action=event.action,
                object_type=object_type,
                object_id=object_id,
                object_repr=(event.object_repr or (str(event.obj) if event.obj else ""))[:200],
                union_path=event.union_path or _union_path_of(event.obj),
                changes=json.loads(json.dumps(dict(event.changes), default=str)),
                prev_hash=prev,
            )
            entry.hash = entry_hash(entry)
            prev = entry.hash
            entries.append(entry)
        if not entries:
            return []
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        last = AuditEntry.objects.filter(hash=prev).values_list("id", flat=True).get()
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev, last_id=last)
    return entries


def log_action(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    object_repr: str = "",
    union_path: str = "",
) -> AuditEntry:
    return log_many(
        actor,
        [Event(action, obj, changes or {}, object_repr=object_repr, union_path=union_path)],
    )[0]


def field_changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    masks: Mapping[str, Callable[[Any], str]] | None = None,
) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields that differ, sensitive ones through their mask."""
    masks = masks or {}
    changed: dict[str, list[Any]] = {}
    for name in after:
        old, new = before.get(name), after[name]
        if old != new:
            mask = masks.get(name)
            changed[name] = [mask(old), mask(new)] if mask else [old, new]
    return changed
