from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import log_action
from gonghui.audit.models import AuditEntry

EXPORT_HEADERS = (
    "时间",
    "操作人",
    "来源地址",
    "渠道",
    "操作",
    "对象类型",
    "对象编号",
    "对象",
    "变更内容",
)


def audit_export_rows(
    *, by: Any, entries: QuerySet[AuditEntry], filters: Mapping[str, Any] | None = None
) -> Iterator[list[Any]]:
    """Rows for an export of the (already scoped and filtered) log.

    The permission check and the audit entry for the export happen now, not when the rows are
    first read, so an export nobody reads to the end is still on record."""
    require_perm(by, "audit.export")
    log_action(
        "audit.exported",
        actor=by,
        object_repr=_("审计日志导出"),
        changes={"filters": {k: str(v) for k, v in (filters or {}).items() if v}},
    )
    return _rows(entries)


def _rows(entries: QuerySet[AuditEntry]) -> Iterator[list[Any]]:
    for entry in entries.iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_label,
            entry.ip or "",
            entry.source,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else "",
        ]
