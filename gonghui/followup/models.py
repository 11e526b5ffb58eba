"""会议、决定事项、督办事项和逾期提醒.

Meetings (联席会议, 办公会, 专题会) record decisions; a decision, or any program through
`services.action_item_create`, makes action items (督办事项) that their owner moves from open
to closed with evidence. Items hang from a union node for scoping (the city's items from the
city federation)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.followup import rules


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("联席会议")
    OFFICE = "office", _("办公会")
    TOPIC = "topic", _("专题会")


class Meeting(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("主办工会"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    held_on = models.DateField(_("会议日期"))
    location = models.CharField(_("地点"), max_length=120, blank=True)
    agenda = models.TextField(_("议题"), blank=True, help_text=_("每行一个议题"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    attendees = models.TextField(_("出席人员"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class Decision(models.Model):
    """One decision (议定事项) of a meeting; action items follow it up."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定事项"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "meeting__union__path"

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="followup_decision_no"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"


class ItemStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    CLOSED = "closed", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


class Priority(models.TextChoices):
    HIGH = "high", _("紧急")
    NORMAL = "normal", _("一般")
    LOW = "low", _("较缓")


def evidence_path(instance: ActionItem, filename: str) -> str:
    """A random name: the content type was checked, the uploader's name tells nothing."""
    return f"followup/{uuid.uuid4().hex}.bin"


class ActionItem(models.Model):
    """A 督办事项: who does what by when, its progress, and the evidence it was done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        "accounts.User", verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("具体要求"), blank=True)
    deadline = models.DateField(_("完成时限"))
    priority = models.CharField(
        _("紧急程度"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    progress_percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("议定事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    source_kind = models.CharField(_("来源类型"), max_length=40, blank=True)
    source_ref = models.CharField(_("来源"), max_length=100, blank=True)
    evidence_text = models.TextField(_("办结说明"), blank=True)
    evidence_link = models.URLField(_("佐证链接"), max_length=500, blank=True)
    evidence_file = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    evidence_type = models.CharField(_("材料类型"), max_length=40, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="followup_item_status_due"),
            models.Index(fields=["source_kind", "source_ref"], name="followup_item_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="followup_item_percent"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | (
                    ~models.Q(evidence_text="")
                    & (~models.Q(evidence_link="") | ~models.Q(evidence_file=""))
                ),
                name="followup_item_closed_has_evidence",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="followup_item_cancel_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return rules.is_overdue(self.status, self.deadline, timezone.localdate())


class EventKind(models.TextChoices):
    CREATED = "created", _("交办")
    PROGRESS = "progress", _("进展")
    CLOSED = "closed", _("办结")
    CANCELLED = "cancelled", _("撤销")
    REOPENED = "reopened", _("重新打开")


class ActionEvent(models.Model):
    """The item's history: progress reports and every change of status, who and when."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("说明"), blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("即将到期")
    DUE_TODAY = "due_today", _("今天到期")
    OVERDUE = "overdue", _("已逾期")


class Reminder(models.Model):
    """One reminder of one kind per item per day: running the command twice a day sends none
    twice."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("提醒类型"), max_length=16, choices=ReminderKind.choices)
    on_date = models.DateField(_("提醒日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办提醒")
        verbose_name_plural = _("督办提醒")
        ordering = ["-on_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "on_date"], name="followup_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.on_date}"
