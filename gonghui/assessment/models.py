"""年度指标体系、自评、审核、得分和排名.

A plan (考核方案) per year; its assessed bodies (federation departments, county and industry
unions); an indicator tree per body kind, or per body when one needs its own; each body's values
per leaf (self-assessed, reviewed, and frozen at the final score)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.assessment import rules


class Plan(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("考核年度"), unique=True)
    name = models.CharField(_("方案名称"), max_length=100)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name


class BodyKind(models.TextChoices):
    DEPARTMENT = "department", _("市总机关部门")
    COUNTY = "county", _("县(市、区)总工会")
    INDUSTRY = "industry", _("产业工会")


class BodyState(models.TextChoices):
    SELF = rules.SELF, _("自评中")
    REVIEW = rules.REVIEW, _("审核中")
    FINAL = rules.FINAL, _("已终评")


class Body(models.Model):
    """An assessed body in one plan. A department hangs from the city union, so only the city's
    staff see it; a union body is seen by its own staff and those above."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        Plan, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="bodies"
    )
    kind = models.CharField(_("单位类型"), max_length=16, choices=BodyKind.choices)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("单位名称"), max_length=120)
    state = models.CharField(
        _("状态"), max_length=16, choices=BodyState.choices, default=BodyState.SELF
    )
    total_score = models.DecimalField(
        _("终评得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    final_at = models.DateTimeField(_("终评时间"), null=True, blank=True)
    final_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_comment = models.TextField(_("自评总结"), blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("被考核单位")
        verbose_name_plural = _("被考核单位")
        ordering = ["plan", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "department"],
                condition=models.Q(department__isnull=False),
                name="assessment_body_department_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "union"],
                condition=models.Q(department__isnull=True),
                name="assessment_body_union_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="department", department__isnull=False)
                | (~models.Q(kind="department") & models.Q(department__isnull=True)),
                name="assessment_body_department_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    COMPUTED = "computed", _("平台数据自动计算")
    MANUAL = "manual", _("人工填报")


class CurveKind(models.TextChoices):
    LINEAR = rules.LINEAR, _("按完成比例计分")
    BONUS = rules.BONUS, _("超额加分（封顶）")
    THRESHOLD = rules.THRESHOLD, _("分档计分")
    DEDUCTION = rules.DEDUCTION, _("按件扣分")


class Node(models.Model):
    """A category (no parent) or an indicator under one. It belongs to the tree of a body kind,
    or of one body (a body with nodes of its own uses only those)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        Plan, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="nodes"
    )
    body_kind = models.CharField(
        _("适用单位类型"), max_length=16, choices=BodyKind.choices, blank=True
    )
    body = models.ForeignKey(
        Body,
        verbose_name=_("适用单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_nodes",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("名称"), max_length=100)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, blank=True)
    indicator_code = models.CharField(_("平台指标"), max_length=64, blank=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    curve = models.CharField(_("计分方法"), max_length=16, choices=CurveKind.choices, blank=True)
    target = models.DecimalField(
        _("目标值"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    cap = models.DecimalField(_("封顶倍数"), max_digits=4, decimal_places=2, default=1)
    lower_is_better = models.BooleanField(_("数值越低越好"), default=False)
    steps = models.JSONField(_("分档"), default=list, blank=True)
    per_unit = models.DecimalField(_("每件扣分"), max_digits=6, decimal_places=2, default=0)
    description = models.CharField(_("考核内容"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="assessment_node_weight_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(body_kind="") | models.Q(body__isnull=False),
                name="assessment_node_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None

    def curve_rules(self) -> rules.Curve:
        from decimal import Decimal

        return rules.Curve(
            kind=self.curve or rules.LINEAR,
            target=self.target,
            cap=self.cap,
            lower_is_better=self.lower_is_better,
            steps=tuple((Decimal(str(t)), Decimal(str(f))) for t, f in self.steps),
            per_unit=self.per_unit,
        )


def evidence_path(instance: Value, filename: str) -> str:
    return f"assessment/{uuid.uuid4().hex}.bin"


class Value(models.Model):
    """One body's figure for one indicator: the self-assessed value, the office's adjustment, and
    at the final score the frozen actual value and points."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        Body, verbose_name=_("被考核单位"), on_delete=models.CASCADE, related_name="values"
    )
    node = models.ForeignKey(
        Node, verbose_name=_("考核指标"), on_delete=models.CASCADE, related_name="values"
    )
    self_value = models.DecimalField(
        _("自评值"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    self_comment = models.CharField(_("自评说明"), max_length=500, blank=True)
    evidence_link = models.URLField(_("佐证链接"), max_length=300, blank=True)
    evidence_file = models.FileField(upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("佐证材料"), max_length=120, blank=True)
    evidence_type = models.CharField(max_length=40, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"), null=True, blank=True)
    reviewed_value = models.DecimalField(
        _("审核认定值"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    review_reason = models.CharField(_("调整理由"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    final_actual = models.DecimalField(
        _("终评实际值"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    final_points = models.DecimalField(
        _("终评得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    scope_path = "body__union__path"

    class Meta:
        verbose_name = _("指标填报")
        verbose_name_plural = _("指标填报")
        constraints = [
            models.UniqueConstraint(fields=["body", "node"], name="assessment_value_once"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id} {self.node_id}"


class BodyEvent(models.Model):
    """The body's workflow history: who moved it, when, and why."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(_("原状态"), max_length=16, choices=BodyState.choices)
    to_state = models.CharField(_("新状态"), max_length=16, choices=BodyState.choices)
    note = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考核办理记录")
        verbose_name_plural = _("考核办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.body_id} {self.from_state}→{self.to_state}"
