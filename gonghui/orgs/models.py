"""The union tree (市总工会 → 县区/产业工会 → 基层工会 → 分会) and federation departments."""

from __future__ import annotations

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,31}$",
    _("代码只能由1–32位大写字母、数字或连字符组成"),
    code="org.code_invalid",
)


class UnionKind(models.TextChoices):
    CITY = "city", _("市总工会")
    COUNTY = "county", _("县(市、区)总工会")
    INDUSTRY = "industry", _("产业工会")
    GRASSROOTS = "grassroots", _("基层工会")
    BRANCH = "branch", _("分会")


class UnionStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    CLOSED = "closed", _("已撤销")


class Union(models.Model):
    """A node of the tree. `path` is the materialised path of codes, e.g. `/CITY/D01/E0001/`:
    a subtree is `path LIKE '<node path>%'`, one indexed range scan at any depth."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=UnionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级工会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=400, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), editable=False)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=UnionStatus.choices, default=UnionStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "path"

    class Meta:
        verbose_name = _("工会")
        verbose_name_plural = _("工会")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs the pattern operator class to use an index.
            models.Index(
                fields=["path"], name="orgs_union_path_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["parent", "name"], name="orgs_union_parent_name"),
            models.Index(fields=["name"], name="orgs_union_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, kind="city")
                | models.Q(parent__isnull=False) & ~models.Q(kind="city"),
                name="orgs_union_only_city_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_open(self) -> bool:
        return self.status == UnionStatus.ACTIVE


class Department(models.Model):
    """A federation department (办公室, 保障部 …) and the programs it runs."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    programs = models.JSONField(_("业务"), default=list)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
