from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.accounts.scoping import require_perm, scope_paths, scoped
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
    """The log as the audit administrator sees it; nobody else holds audit.view.

    Logins, accounts and exports belong to no union (their union_path is empty), so a holder at
    the root of the tree reads the whole log; one lower down reads only their subtree's entries."""
    require_perm(actor, "audit.view")
    if any(_is_root(path) for path in scope_paths(actor, "audit.view")):
        qs: QuerySet[AuditEntry] = AuditEntry.objects.all()
    else:
        qs = scoped(AuditEntry.objects.all(), actor, "audit.view")
    if action:
        qs = qs.filter(action__startswith=action)
    if username:
        # Failed logins have no actor: the username they tried is what they are about.
        qs = qs.filter(
            Q(actor_label=username) | Q(action="auth.login_failed", object_repr=username)
        )
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__gte=_start_of(since))
    if until:
        qs = qs.filter(at__lt=_start_of(until + timedelta(days=1)))
    return qs.order_by("-id")


def _is_root(path: str) -> bool:
    return path.count("/") == 2


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
