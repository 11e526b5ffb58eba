"""Reads on meetings and action items: the caller's subtree (assessment.view), plus the items a
staff member owns wherever they are (the owner reports progress on them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gonghui.accounts.scoping import get_scoped, has_perm, scoped
from gonghui.core.errors import NotFound
from gonghui.followup import rules
from gonghui.followup.models import ActionEvent, ActionItem, Decision, Meeting

VIEW = "assessment.view"


def _not_found() -> NotFound:
    from django.utils.translation import gettext as _

    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


def can_view(actor: Any) -> bool:
    return has_perm(actor, VIEW)


def meeting_list(*, actor: Any, kind: str = "") -> QuerySet[Meeting]:
    meetings = scoped(Meeting.objects.all(), actor, VIEW).select_related("union")
    if kind:
        meetings = meetings.filter(kind=kind)
    return meetings.annotate(decision_count=Count("decisions")).order_by("-held_on", "-id")


def meeting_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> Meeting:
    return get_scoped(
        Meeting.objects.select_related("union"), actor, permission, public_id=public_id
    )


def decision_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> Decision:
    return get_scoped(
        Decision.objects.select_related("meeting__union"), actor, permission, public_id=public_id
    )


def decisions_of(meeting: Meeting) -> QuerySet[Decision]:
    return meeting.decisions.order_by("number")


def items_of_decisions(meeting: Meeting) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(decision__meeting=meeting)
        .select_related("owner", "department", "decision")
        .order_by("decision__number", "deadline", "id")
    )


def _visible(actor: Any) -> QuerySet[ActionItem]:
    """Items in the actor's subtree, and the items they own."""
    in_scope = scoped(ActionItem.objects.all(), actor, VIEW)
    owned = Q(owner_id=getattr(actor, "pk", None))
    return ActionItem.objects.filter(Q(pk__in=in_scope.values("pk")) | owned)


def item_list(
    *,
    actor: Any,
    status: str = "",
    overdue: bool = False,
    department: str = "",
    mine: bool = False,
    source_kind: str = "",
    today: date | None = None,
) -> QuerySet[ActionItem]:
    today = today or timezone.localdate()
    items = (
        ActionItem.objects.filter(owner_id=actor.pk) if mine else _visible(actor)
    ).select_related("owner", "department", "union")
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.filter(status__in=rules.LIVE, deadline__lt=today)
    if department:
        items = items.filter(department__code=department)
    if source_kind:
        items = items.filter(source_kind=source_kind)
    return items.order_by("deadline", "id")


def item_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> ActionItem:
    """The owner always reaches their item; others through their scope (404 outside it)."""
    base = ActionItem.objects.select_related(
        "owner", "department", "union", "decision__meeting", "created_by"
    )
    owned = base.filter(public_id=public_id, owner_id=getattr(actor, "pk", None)).first()
    if owned is not None:
        return owned
    return get_scoped(base, actor, permission, public_id=public_id)


def item_events(item: ActionItem) -> QuerySet[ActionEvent]:
    return item.events.select_related("by").order_by("at", "id")


def overdue_by_department(*, actor: Any, today: date | None = None) -> list[dict[str, Any]]:
    """Overdue items per department, the most first (one grouped query)."""
    today = today or timezone.localdate()
    rows = (
        _visible(actor)
        .filter(status__in=rules.LIVE, deadline__lt=today)
        .values("department__code", "department__name")
        .annotate(count=Count("id"))
        .order_by("-count", "department__code")
    )
    return [
        {
            "code": r["department__code"] or "",
            "name": r["department__name"] or "",
            "count": r["count"],
        }
        for r in rows
    ]


def item_counts(*, actor: Any, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return _visible(actor).aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=rules.LIVE)),
        overdue=Count("id", filter=Q(status__in=rules.LIVE, deadline__lt=today)),
        closed=Count("id", filter=Q(status=rules.CLOSED)),
    )
