from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gonghui.accounts.scoping import require_perm, scoped
from gonghui.audit.models import AuditEntry


def audit_search(
    *,
    actor: Any,
    action: str = "",
    username: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The log as the audit administrator sees it; nobody else holds audit.view."""
    require_perm(actor, "audit.view")
    qs = scoped(AuditEntry.objects.all(), actor, "audit.view")
    if action:
        qs = qs.filter(action__startswith=action)
    if username:
        qs = qs.filter(actor_label=username)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__gte=_start_of(since))
    if until:
        qs = qs.filter(at__lt=_start_of(until + timedelta(days=1)))
    return qs.order_by("-id")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
