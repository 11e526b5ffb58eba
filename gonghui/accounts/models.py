"""Accounts of every kind, roles as permission sets, and staff assignments to tree nodes."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    MEMBER = "member", _("会员")
    MERCHANT = "merchant", _("服务商户")
    PROFESSOR = "professor", _("义工教授")
    ENTERPRISE = "enterprise", _("企业")


class User(AbstractUser):
    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        _("账号类型"), max_length=16, choices=UserKind.choices, default=UserKind.STAFF
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_kind(self) -> bool:
        return self.kind == UserKind.STAFF


class Role(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    permissions = models.JSONField(_("权限"), default=list)
    needs_department = models.BooleanField(_("须指定部门"), default=False)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.name)


class Assignment(models.Model):
    """user × union node × role (× department): what a staff member may do, and where."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="assignments"
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.ForeignKey(Role, verbose_name=_("角色"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "union", "role", "department"],
                name="accounts_assignment_unique_dept",
                condition=models.Q(department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "union", "role"],
                name="accounts_assignment_unique",
                condition=models.Q(department__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.union.code} · {self.role}"


class PersonalAccessToken(models.Model):
    """An API token: only its SHA-256 is stored; it acts with its owner's scope."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Not a field: the plain secret, set only on the token the create endpoint returns.
    secret: str

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
