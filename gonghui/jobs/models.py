from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """A long piece of work (import, export, batch payout) run by the worker, with its progress."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("任务类型"), max_length=60)
    title = models.CharField(_("名称"), max_length=120)
    owner = models.ForeignKey(
        "accounts.User", verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="jobs"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    params = models.JSONField(_("参数"), default=dict)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    messages = models.JSONField(_("消息"), default=list)
    summary = models.JSONField(_("结果摘要"), default=dict)
    input_file = models.FileField(_("上传文件"), upload_to="jobs/in/%Y/%m/", blank=True)
    result_file = models.FileField(_("结果文件"), upload_to="jobs/out/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="jobs_owner_created")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.finished and self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
