"""Writes on meetings and action items: each one user action, in one transaction, audited.

Any program makes an action item through `action_item_create` with its own `source_kind`
("benchmarking.problem", "followup.decision" …) and `source_ref` (the public id of what the item
follows up)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.models import User
from gonghui.accounts.scoping import has_perm, require_perm, scope_paths
from gonghui.audit.log import log_action
from gonghui.core import filetypes, workdays
from gonghui.core.errors import DomainError, Forbidden
from gonghui.followup import rules
from gonghui.followup.models import (
    ActionEvent,
    ActionItem,
    Decision,
    EventKind,
    ItemStatus,
    Meeting,
    Priority,
    Reminder,
)
from gonghui.orgs.models import Department, Union

CHANGE = "assessment.change"


@dataclass
class Upload:
    name: str
    data: bytes


def city_union() -> Union:
    union = Union.objects.filter(kind="city", parent__isnull=True).first()
    if union is None:
        raise DomainError("followup.no_city", _("还没有市总工会，请先建立组织架构"))
    return union


def default_union(by: Any) -> Union:
    """Where an item of `by` belongs when no union is named: the top of their scope."""
    paths = scope_paths(by, CHANGE)
    union = Union.objects.filter(path=paths[0]).first() if paths else None
    return union or city_union()


def _require_change(by: Any, union: Union) -> None:
    require_perm(by, CHANGE, union.path)


def _may_work_on(by: Any, item: ActionItem) -> bool:
    """The owner reports progress and closes; so do the program's staff over the item."""
    return item.owner_id == getattr(by, "pk", None) or has_perm(by, CHANGE, item.union.path)


# -- meetings --------------------------------------------------------------------------------


def meeting_create(
    *,
    by: Any,
    kind: str,
    title: str,
    held_on: date,
    agenda: str = "",
    minutes: str = "",
    attendees: str = "",
    location: str = "",
    union: Union | None = None,
) -> Meeting:
    union = union or default_union(by)
    _require_change(by, union)
    if not title.strip():
        raise DomainError("followup.meeting_title", _("请填写会议名称"))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            union=union,
            kind=kind,
            title=title.strip(),
            held_on=held_on,
            agenda=agenda.strip(),
            minutes=minutes.strip(),
            attendees=attendees.strip(),
            location=location.strip(),
            created_by=by,
        )
        log_action(
            "followup.meeting.created",
            actor=by,
            obj=meeting,
            object_repr=str(meeting),
            union_path=union.path,
            changes={"kind": kind, "held_on": held_on.isoformat()},
        )
    return meeting


def meeting_update(*, by: Any, meeting: Meeting, minutes: str, attendees: str) -> Meeting:
    _require_change(by, meeting.union)
    with transaction.atomic():
        changed = [
            name
            for name, value in (("minutes", minutes), ("attendees", attendees))
            if getattr(meeting, name) != value.strip()
        ]
        meeting.minutes, meeting.attendees = minutes.strip(), attendees.strip()
        meeting.save(update_fields=["minutes", "attendees"])
        log_action(
            "followup.meeting.updated",
            actor=by,
            obj=meeting,
            object_repr=str(meeting),
            union_path=meeting.union.path,
            changes={"fields": changed},
        )
    return meeting


def decision_add(*, by: Any, meeting: Meeting, text: str) -> Decision:
    _require_change(by, meeting.union)
    if not text.strip():
        raise DomainError("followup.decision_text", _("请填写议定事项"))
    with transaction.atomic():
        # Lock the meeting: two decisions added at once must not get the same number.
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        number = (
            meeting.decisions.order_by("-number").values_list("number", flat=True).first()
        ) or 0
        decision = Decision.objects.create(meeting=meeting, number=number + 1, text=text.strip())
        log_action(
            "followup.decision.added",
            actor=by,
            obj=decision,
            object_repr=f"{meeting} #{decision.number}",
            union_path=meeting.union.path,
        )
    return decision


def decision_item_create(
    *,
    by: Any,
    decision: Decision,
    title: str,
    owner: User,
    deadline: date,
    department: Department | None = None,
    priority: str = Priority.NORMAL,
    description: str = "",
) -> ActionItem:
    """A decision becomes an action item of the meeting's union."""
    return action_item_create(
        by=by,
        title=title,
        owner=owner,
        deadline=deadline,
        department=department,
        union=decision.meeting.union,
        priority=priority,
        source_kind="followup.decision",
        source_ref=str(decision.public_id),
        description=description or decision.text,
        decision=decision,
    )


# -- action items ----------------------------------------------------------------------------


def deadline_after_working_days(start: date, days: int) -> date:
    """A deadline counted in working days (holidays and 调休 from the calendar)."""
    return workdays.add_working_days(start, days)


def action_item_create(
    *,
    by: Any,
    title: str,
    owner: User,
    deadline: date,
    department: Department | None = None,
    union: Union | None = None,
    priority: str = Priority.NORMAL,
    source_kind: str = "",
    source_ref: str = "",
    description: str = "",
    decision: Decision | None = None,
) -> ActionItem:
    union = union or default_union(by)
    _require_change(by, union)
    if not title.strip():
        raise DomainError("followup.item_title", _("请填写督办事项"))
    if owner is None or not owner.is_active or owner.kind != "staff":
        raise DomainError("followup.owner_invalid", _("责任人须是在用的工作人员账号"))
    if priority not in Priority.values:
        raise DomainError("followup.priority_invalid", _("紧急程度不正确"))
    with transaction.atomic():
        item = ActionItem.objects.create(
            union=union,
            department=department,
            owner=owner,
            title=title.strip(),
            description=description.strip(),
            deadline=deadline,
            priority=priority,
            decision=decision,
            source_kind=source_kind,
            source_ref=source_ref,
            created_by=by,
        )
        ActionEvent.objects.create(item=item, kind=EventKind.CREATED, by=by, to_status=item.status)
        log_action(
            "followup.item.created",
            actor=by,
            obj=item,
            object_repr=item.title,
            union_path=union.path,
            changes={
                "owner": owner.username,
                "deadline": deadline.isoformat(),
                "department": department.code if department else "",
                "source": f"{source_kind}:{source_ref}" if source_kind else "",
            },
        )
    return item


def _locked(item: ActionItem) -> ActionItem:
    # Lock the row: the owner closing and the office cancelling at once must not both win.
    return ActionItem.objects.select_for_update().select_related("union").get(pk=item.pk)


def _move(
    by: Any, item: ActionItem, to: str, kind: str, text: str = "", percent: int | None = None
) -> None:
    if not rules.can_move(item.status, to):
        raise DomainError(
            "followup.item.transition_invalid",
            _("“%(status)s”的事项不能这样办理") % {"status": item.get_status_display()},
            {"from": item.status, "to": to},
        )
    ActionEvent.objects.create(
        item=item,
        kind=kind,
        by=by,
        text=text,
        percent=percent,
        from_status=item.status,
        to_status=to,
    )
    item.status = to


def action_item_progress(*, by: Any, item: ActionItem, text: str, percent: int) -> ActionItem:
    if not _may_work_on(by, item):
        raise Forbidden("auth.forbidden", _("只有责任人或督办部门可以报告进展"))
    if not text.strip():
        raise DomainError("followup.progress_text", _("请写明进展情况"))
    if not rules.percent_valid(percent):
        raise DomainError(
            "followup.progress_percent", _("进度填 0 到 99 之间的整数；全部完成请办结并上传佐证")
        )
    with transaction.atomic():
        item = _locked(item)
        if item.status not in rules.LIVE:
            raise DomainError(
                "followup.item.not_live",
                _("“%(status)s”的事项不能再报告进展") % {"status": item.get_status_display()},
            )
        before = (item.status, item.progress_percent)
        if item.status == ItemStatus.OPEN:
            _move(by, item, ItemStatus.IN_PROGRESS, EventKind.PROGRESS, text.strip(), percent)
        else:
            ActionEvent.objects.create(
                item=item,
                kind=EventKind.PROGRESS,
                by=by,
                text=text.strip(),
                percent=percent,
                from_status=item.status,
                to_status=item.status,
            )
        item.progress_percent = percent
        item.save(update_fields=["status", "progress_percent", "updated_at"])
        log_action(
            "followup.item.progress",
            actor=by,
            obj=item,
            object_repr=item.title,
            union_path=item.union.path,
            changes={"status": [before[0], item.status], "percent": [before[1], percent]},
        )
    return item


def _checked_file(upload: Upload | None) -> tuple[Upload, str] | None:
    if upload is None or not upload.data:
        return None
    if len(upload.data) > rules.EVIDENCE_MAX_BYTES:
        raise DomainError(
            "followup.evidence_too_large",
            _("文件“%(name)s”超过 10 MB，请压缩或分页后再上传") % {"name": upload.name},
        )
    found = filetypes.sniff(upload.data[:16])
    if found is None:
        raise DomainError(
            "followup.evidence_type",
            _("文件“%(name)s”不是 PDF、JPEG 或 PNG，请扫描或拍照后上传") % {"name": upload.name},
        )
    return upload, found[1]


EVIDENCE_MESSAGES = {
    "text": gettext_lazy("请写明办结情况"),
    "link_invalid": gettext_lazy("佐证链接须以 http:// 或 https:// 开头"),
    "missing": gettext_lazy("办结须有佐证：填写链接或上传文件（PDF、JPEG、PNG）"),
}


def action_item_close(
    *,
    by: Any,
    item: ActionItem,
    evidence_text: str,
    evidence_link: str = "",
    evidence_file: Upload | None = None,
) -> ActionItem:
    """办结: only with evidence, a written account plus a link or a checked file."""
    if not _may_work_on(by, item):
        raise Forbidden("auth.forbidden", _("只有责任人或督办部门可以办结"))
    checked = _checked_file(evidence_file)
    problem = rules.evidence_problem(evidence_text, evidence_link, checked is not None)
    if problem is not None:
        raise DomainError(f"followup.evidence_{problem}", str(EVIDENCE_MESSAGES[problem]))
    with transaction.atomic():
        item = _locked(item)
        before = item.status
        _move(by, item, ItemStatus.CLOSED, EventKind.CLOSED, evidence_text.strip(), 100)
        item.evidence_text = evidence_text.strip()
        item.evidence_link = evidence_link.strip()
        if checked is not None:
            item.evidence_file.save("evidence.bin", ContentFile(checked[0].data), save=False)
            item.evidence_type = checked[1]
        item.progress_percent = 100
        item.closed_at = timezone.now()
        item.save()
        log_action(
            "followup.item.closed",
            actor=by,
            obj=item,
            object_repr=item.title,
            union_path=item.union.path,
            changes={
                "status": [before, item.status],
                "evidence_link": item.evidence_link,
                "evidence_file": item.evidence_type,
            },
        )
    return item


def action_item_cancel(*, by: Any, item: ActionItem, reason: str) -> ActionItem:
    _require_change(by, item.union)
    if not reason.strip():
        raise DomainError("followup.cancel_reason", _("撤销须写明原因"))
    with transaction.atomic():
        item = _locked(item)
        before = item.status
        _move(by, item, ItemStatus.CANCELLED, EventKind.CANCELLED, reason.strip())
        item.cancel_reason = reason.strip()[:300]
        item.save(update_fields=["status", "cancel_reason", "updated_at"])
        log_action(
            "followup.item.cancelled",
            actor=by,
            obj=item,
            object_repr=item.title,
            union_path=item.union.path,
            changes={"status": [before, item.status], "reason": item.cancel_reason},
        )
    return item


def action_item_reopen(*, by: Any, item: ActionItem, reason: str) -> ActionItem:
    """A closed item goes back to 办理中 when its evidence does not hold."""
    _require_change(by, item.union)
    if not reason.strip():
        raise DomainError("followup.reopen_reason", _("重新打开须写明原因"))
    with transaction.atomic():
        item = _locked(item)
        _move(by, item, ItemStatus.IN_PROGRESS, EventKind.REOPENED, reason.strip())
        item.closed_at = None
        item.progress_percent = min(item.progress_percent, 99)
        item.save(update_fields=["status", "closed_at", "progress_percent", "updated_at"])
        log_action(
            "followup.item.reopened",
            actor=by,
            obj=item,
            object_repr=item.title,
            union_path=item.union.path,
            changes={"status": [ItemStatus.CLOSED, item.status], "reason": reason.strip()},
        )
    return item


def evidence_read(*, by: Any, item: ActionItem) -> bytes:
    if not item.evidence_file:
        raise DomainError("followup.no_evidence_file", _("该事项没有上传佐证材料"))
    log_action(
        "followup.item.evidence_viewed",
        actor=by,
        obj=item,
        object_repr=item.title,
        union_path=item.union.path,
    )
    with item.evidence_file.open("rb") as handle:
        return bytes(handle.read())


# -- reminders -------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    on_date: date
    due: list[dict[str, Any]]
    new: int

    def summary(self) -> dict[str, Any]:
        counts = {
            kind: sum(1 for row in self.due if row["kind"] == kind)
            for kind in (rules.DUE_SOON, rules.DUE_TODAY, rules.OVERDUE)
        }
        return {"date": self.on_date.isoformat(), "new": self.new, **counts, "items": self.due}


def reminders_run(*, today: date | None = None) -> ReminderRun:
    """Record today's reminders (due soon, due today, overdue) for every live item; a second
    run on the same day records nothing new (one row per item, kind and day)."""
    today = today or timezone.localdate()
    soon_until = workdays.add_working_days(today, rules.REMIND_BEFORE_WORKING_DAYS)
    items = (
        ActionItem.objects.filter(status__in=rules.LIVE, deadline__lte=soon_until)
        .select_related("owner", "department", "union")
        .order_by("deadline", "id")
    )
    due: list[dict[str, Any]] = []
    wanted: list[Reminder] = []
    for item in items.iterator(chunk_size=1000):
        kind = rules.reminder_kind(item.status, item.deadline, today, soon_until)
        if kind is None:
            continue
        wanted.append(Reminder(item=item, kind=kind, on_date=today))
        due.append(
            {
                "id": str(item.public_id),
                "title": item.title,
                "kind": kind,
                "deadline": item.deadline.isoformat(),
                "days_overdue": rules.days_overdue(item.deadline, today),
                "owner": item.owner.username,
                "department": item.department.name if item.department else "",
                "union": item.union.code,
            }
        )
    with transaction.atomic():
        before = Reminder.objects.filter(on_date=today).count()
        Reminder.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
        new = Reminder.objects.filter(on_date=today).count() - before
        if new:
            log_action(
                "followup.reminders.recorded",
                actor=None,
                object_repr=_("督办提醒"),
                changes={"date": today.isoformat(), "new": new},
            )
    return ReminderRun(on_date=today, due=due, new=new)


# -- exports ---------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "事项",
    "责任部门",
    "责任人",
    "所属工会",
    "完成时限",
    "紧急程度",
    "状态",
    "进度(%)",
    "逾期天数",
    "来源",
    "办结说明",
    "佐证链接",
]


def items_export_rows(
    *, by: Any, items: QuerySet[ActionItem], filters: dict[str, str], today: date | None = None
) -> Iterator[list[Any]]:
    """The list as spreadsheet rows; on record when asked for."""
    today = today or timezone.localdate()
    log_action(
        "followup.items.exported",
        actor=by,
        object_repr=_("督办事项导出"),
        changes={k: v for k, v in filters.items() if v},
    )

    def rows() -> Iterator[list[Any]]:
        for item in items.iterator(chunk_size=1000):
            overdue = rules.days_overdue(item.deadline, today) if item.status in rules.LIVE else 0
            yield [
                item.title,
                item.department.name if item.department else "",
                str(item.owner),
                item.union.name,
                item.deadline.isoformat(),
                item.get_priority_display(),
                item.get_status_display(),
                item.progress_percent,
                overdue,
                item.source_kind,
                item.evidence_text,
                item.evidence_link,
            ]

    return rows()
