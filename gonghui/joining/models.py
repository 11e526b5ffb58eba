"""入会申请: a worker's online application to join, routed to one union, answered by a deadline."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.members.models import WorkerCategory


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待答复")
    ACCEPTED = "accepted", _("已同意入会")
    REJECTED = "rejected", _("未同意入会")
    WITHDRAWN = "withdrawn", _("已撤回")


class JoinApplication(models.Model):
    """Staff pages and the API name an application by `public_id`; the applicant knows it by
    `application_no`, which is random rather than sequential so numbers cannot be walked."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application_no = models.CharField(_("申请编号"), max_length=9, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedTextField(_("公民身份号码"))
    id_index = models.CharField(max_length=32, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号码"))
    phone_index = models.CharField(max_length=32, db_index=True, editable=False)
    category = models.CharField(_("职工类别"), max_length=16, choices=WorkerCategory.choices)
    employer_name = models.CharField(_("工作单位"), max_length=120, blank=True)
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("受理工会"),
        on_delete=models.PROTECT,
        related_name="join_applications",
        db_index=False,  # joining_union_status_deadline leads with union
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    reason = models.CharField(_("不同意的原因"), max_length=200, blank=True)
    consent_version = models.CharField(_("同意书版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    deadline = models.DateField(_("答复期限"))
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applicant = models.ForeignKey(
        "accounts.User",
        verbose_name=_("申请人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="join_applications",
    )

    scope_path = "union__path"

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")
        indexes = [
            models.Index(
                fields=["union", "status", "deadline"], name="joining_union_status_deadline"
            ),
        ]
        constraints = [
            # One open application per person, even when two submissions race.
            models.UniqueConstraint(
                fields=["id_index"],
                condition=models.Q(status="pending"),
                name="joining_one_pending_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_no} {self.name}"

    @property
    def days_left(self) -> int:
        from gonghui.joining.rules import days_left

        return days_left(self.deadline, timezone.localdate())

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_overdue(self) -> bool:
        return self.status == ApplicationStatus.PENDING and self.days_left < 0
