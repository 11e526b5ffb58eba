"""先进城市对标、差距、问题、措施和学习考察.

Benchmark cities and the indicators compared are the federation's own reference data; values
are entered per city and year with their source. The own city's value comes live from the
indicator registry where the platform computes it, else from a manual entry. From a gap the
method's chain: Problem (摆问题) → Measures (定措施, each a followup ActionItem) → progress →
closure with evidence. Study visits (学习考察) feed takeaways into measures or next year's work
plan."""

from __future__ import annotations

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]{0,39}$",
    _("代码只能由小写字母、数字、点、下划线或连字符组成"),
    code="benchmarking.code_invalid",
)


class BenchmarkCity(models.Model):
    code = models.CharField(_("代码"), max_length=40, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("城市"), max_length=40)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("参与对标"), default=True)

    class Meta:
        verbose_name = _("对标城市")
        verbose_name_plural = _("对标城市")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class BenchmarkIndicator(models.Model):
    code = models.CharField(_("代码"), max_length=40, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("指标"), max_length=80)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    higher_is_better = models.BooleanField(_("越高越好"), default=True)
    registry_code = models.CharField(
        _("平台指标代码"),
        max_length=60,
        blank=True,
        help_text=_("平台能计算本市数值时填写，如 members.registered；否则手工填报本市数值"),
    )
    note = models.CharField(_("口径说明"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("参与对标"), default=True)

    class Meta:
        verbose_name = _("对标指标")
        verbose_name_plural = _("对标指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CityValue(models.Model):
    """A benchmark city's figure for a year, as published (source and date kept)."""

    city = models.ForeignKey(
        BenchmarkCity, verbose_name=_("对标城市"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        BenchmarkIndicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    source = models.CharField(_("来源"), max_length=200)
    source_date = models.DateField(_("来源日期"))
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        verbose_name = _("对标城市数值")
        verbose_name_plural = _("对标城市数值")
        ordering = ["indicator", "year", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "indicator", "year"], name="benchmarking_city_value_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.indicator_id} {self.year}: {self.value}"


class OwnValue(models.Model):
    """The own city's figure entered by hand, for indicators the platform does not compute."""

    indicator = models.ForeignKey(
        BenchmarkIndicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    source = models.CharField(_("来源"), max_length=200)
    source_date = models.DateField(_("来源日期"))
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        verbose_name = _("本市填报数值")
        verbose_name_plural = _("本市填报数值")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="benchmarking_own_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"


class Problem(models.Model):
    """摆问题: what lies behind a gap, and the department that owns it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        BenchmarkIndicator,
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("问题"))
    department = models.ForeignKey(
        "orgs.Department", verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["indicator", "year", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Measure(models.Model):
    """定措施: an action item of 督查督办 with the effect it is expected to have."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="measures"
    )
    item = models.OneToOneField(
        "followup.ActionItem",
        verbose_name=_("督办事项"),
        on_delete=models.PROTECT,
        related_name="measure",
    )
    expected_effect = models.CharField(_("预期效果"), max_length=300)

    scope_path = "problem__union__path"

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["problem", "id"]

    def __str__(self) -> str:
        return self.expected_effect


class StudyVisit(models.Model):
    """学习考察 to a benchmark city."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(
        BenchmarkCity, verbose_name=_("考察城市"), on_delete=models.PROTECT, related_name="visits"
    )
    title = models.CharField(_("考察主题"), max_length=120)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    participants = models.ManyToManyField(
        "accounts.User", verbose_name=_("参加人员"), related_name="+", blank=True
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("学习考察")
        verbose_name_plural = _("学习考察")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="benchmarking_visit_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CounterpartMeeting(models.Model):
    """对口交流: one of our departments met its counterpart one-on-one."""

    visit = models.ForeignKey(
        StudyVisit,
        verbose_name=_("学习考察"),
        on_delete=models.CASCADE,
        related_name="counterparts",
    )
    our_department = models.ForeignKey(
        "orgs.Department", verbose_name=_("我方部门"), on_delete=models.PROTECT, related_name="+"
    )
    their_department = models.CharField(_("对方部门"), max_length=80)
    notes = models.TextField(_("交流要点"), blank=True)

    class Meta:
        verbose_name = _("对口交流")
        verbose_name_plural = _("对口交流")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.their_department


class Reflection(models.Model):
    """心得体会: one per participant, written by the participant."""

    visit = models.ForeignKey(
        StudyVisit, verbose_name=_("学习考察"), on_delete=models.CASCADE, related_name="reflections"
    )
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("撰写人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("心得体会"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now=True)

    class Meta:
        verbose_name = _("心得体会")
        verbose_name_plural = _("心得体会")
        ordering = ["visit", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "author"], name="benchmarking_reflection_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.author_id}"


class WorkPlan(models.Model):
    """Next year's work plan (工作计划) the takeaways feed."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=120)

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class WorkPlanItem(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="items"
    )
    text = models.TextField(_("工作任务"))
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作计划任务")
        verbose_name_plural = _("工作计划任务")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Takeaway(models.Model):
    """启示: what the visit taught, turned into a measure or a work plan item."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit = models.ForeignKey(
        StudyVisit, verbose_name=_("学习考察"), on_delete=models.CASCADE, related_name="takeaways"
    )
    text = models.TextField(_("启示"))
    measure = models.OneToOneField(
        Measure,
        verbose_name=_("转为措施"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="takeaway",
    )
    plan_item = models.OneToOneField(
        WorkPlanItem,
        verbose_name=_("转为计划任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="takeaway",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考察启示")
        verbose_name_plural = _("考察启示")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.text[:40]
