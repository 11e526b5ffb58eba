from __future__ import annotations

from collections.abc import Iterator
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


def audit_export_rows(*, by: Any, entries: QuerySet[AuditEntry]) -> Iterator[list[Any]]:
    """Rows for an export of the (already scoped and filtered) log; the export itself is audited."""
    require_perm(by, "audit.export")
    log_action(
        "audit.exported",
        actor=by,
        object_repr=_("审计日志导出"),
        changes={"filter": str(entries.query.where)[:500]},
    )
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
            str(entry.changes) if entry.changes else "",
        ]
