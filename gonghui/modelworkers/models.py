"""劳模名册、津贴、疗休养、劳模大讲堂.

A model worker is a member of the registry with one or more honours (titles); the highest level
among the honours not revoked counts for policies. Allowances are integer fen, paid in monthly
batches through payout files; the ledger records what each person was paid."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.ledger import ChainedEntry
from gonghui.modelworkers import rules


class Level(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class WorkerStatus(models.TextChoices):
    WORKING = "working", _("在职")
    RETIRED = "retired", _("退休")
    DECEASED = "deceased", _("已故")


class ModelWorker(models.Model):
    """One registry entry per member; `level` and `award_year` are those of the highest honour
    in force, kept by the services whenever an honour is added or revoked."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="model_worker",
    )
    level = models.CharField(_("最高荣誉级别"), max_length=16, choices=Level.choices)
    award_year = models.PositiveSmallIntegerField(_("最高荣誉授予年份"))
    status = models.CharField(
        _("状态"), max_length=16, choices=WorkerStatus.choices, default=WorkerStatus.WORKING
    )
    status_since = models.DateField(_("状态变更日期"), null=True, blank=True)
    registered = models.BooleanField(_("在册"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "member__union__path"

    class Meta:
        verbose_name = _("劳模")
        verbose_name_plural = _("劳模名册")
        ordering = ["-id"]
        indexes = [models.Index(fields=["registered", "level", "status"], name="mw_registry")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.level}"


class Honour(models.Model):
    """A title awarded (全国劳动模范, 五一劳动奖章…). Revoked honours stay, marked."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    model_worker = models.ForeignKey(
        ModelWorker, verbose_name=_("劳模"), on_delete=models.CASCADE, related_name="honours"
    )
    title = models.CharField(_("荣誉称号"), max_length=60)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("授予年份"))
    unit = models.CharField(_("获奖时所在单位"), max_length=120)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_worker", "title", "year"], name="mw_honour_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Policy(models.Model):
    """The year's policies as data: allowance rates and health-check entitlements. A year's
    policy is replaced by editing its rates (each change audited); batches keep the amounts
    they computed."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    note = models.CharField(_("依据文件"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("劳模政策")
        verbose_name_plural = _("劳模政策")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class PolicyRate(models.Model):
    """Monthly allowance for one level and status; `hardship` rows are the extra 困难补助
    rate for model workers whose member record is flagged 困难职工."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="rates")
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=16, choices=WorkerStatus.choices)
    hardship = models.BooleanField(_("困难劳模"), default=False)
    monthly_fen = models.PositiveIntegerField(_("每月津贴（分）"))

    class Meta:
        verbose_name = _("津贴标准")
        verbose_name_plural = _("津贴标准")
        ordering = ["policy", "level", "status", "hardship"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "level", "status", "hardship"], name="mw_rate_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.level} {self.status} {self.hardship}"


class HealthEntitlement(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="health")
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    checks_per_year = models.PositiveSmallIntegerField(_("每年体检次数"), default=1)

    class Meta:
        verbose_name = _("体检待遇")
        verbose_name_plural = _("体检待遇")
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="mw_health_once"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.level}"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已审批")
    SENT = "sent", _("已出盘")
    CLOSED = "closed", _("已回盘")


class AllowanceBatch(models.Model):
    """The allowances of one month for everyone entitled, organised by the city federation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    month = models.DateField(_("月份"), unique=True)  # the first day of the month
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("发放单位"), on_delete=models.PROTECT, related_name="+"
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("适用政策"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("出盘时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("回盘时间"), null=True, blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("津贴发放批次")
        verbose_name_plural = _("津贴发放批次")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class LineState(models.TextChoices):
    PENDING = "pending", _("待发放")
    NO_ACCOUNT = "no_account", _("需补充账户")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")
    CARRIED = "carried", _("已转入下一批次")


# A person has at most one line per month in these states (a failed line is carried over into
# the next batch as a new line of the same month).
LIVE_STATES = (LineState.PENDING, LineState.NO_ACCOUNT, LineState.PAID)


class AllowanceLine(models.Model):
    batch = models.ForeignKey(
        AllowanceBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="lines"
    )
    reference = models.CharField(_("业务编号"), max_length=24, unique=True)
    model_worker = models.ForeignKey(
        ModelWorker, verbose_name=_("劳模"), on_delete=models.PROTECT, related_name="lines"
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("所在工会"), on_delete=models.PROTECT, related_name="+"
    )
    for_month = models.DateField(_("津贴月份"))
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=16, choices=WorkerStatus.choices)
    hardship = models.BooleanField(_("困难劳模"), default=False)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    state = models.CharField(
        _("发放状态"), max_length=16, choices=LineState.choices, default=LineState.PENDING
    )
    reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    carried_from = models.OneToOneField(
        "self",
        verbose_name=_("上批次失败记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
    )

    scope_path = "union__path"

    class Meta:
        verbose_name = _("津贴发放明细")
        verbose_name_plural = _("津贴发放明细")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_worker", "for_month"],
                condition=models.Q(state__in=LIVE_STATES),
                name="mw_line_once_a_month",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class AllowancePaid(ChainedEntry):
    """The ledger: one row per allowance paid to a person, written when the bank's result says
    so; hash-chained per year (`chain` is the allowance month's year) and append-only in the
    database. Totals per person and month are sums of these rows."""

    line = models.OneToOneField(
        AllowanceLine, verbose_name=_("发放明细"), on_delete=models.DO_NOTHING, related_name="paid"
    )
    model_worker = models.ForeignKey(
        ModelWorker, verbose_name=_("劳模"), on_delete=models.DO_NOTHING, related_name="payments"
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("所在工会"), on_delete=models.DO_NOTHING, related_name="+"
    )
    for_month = models.DateField(_("津贴月份"))
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    paid_on = models.DateField(_("到账日期"))
    # Not SET_NULL: the row is append-only and `by` is part of its hash.
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    at = models.DateTimeField(_("记账时间"), default=timezone.now)

    HASHED_FIELDS = (
        "line",
        "model_worker",
        "union",
        "for_month",
        "amount_fen",
        "paid_on",
        "by",
        "at",
    )

    scope_path = "union__path"

    class Meta(ChainedEntry.Meta):
        verbose_name = _("津贴发放台账")
        verbose_name_plural = _("津贴发放台账")
        ordering = ["-for_month", "id"]
        indexes = [models.Index(fields=["paid_on"], name="mw_paid_on")]

    def __str__(self) -> str:
        return f"{self.model_worker_id} {self.for_month:%Y-%m}"


class HealthCheck(models.Model):
    """That the year's check was done, where and when. No health details are stored."""

    model_worker = models.ForeignKey(
        ModelWorker, verbose_name=_("劳模"), on_delete=models.PROTECT, related_name="checks"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    done_on = models.DateField(_("体检日期"))
    institution = models.CharField(_("体检机构"), max_length=100)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path = "model_worker__member__union__path"

    class Meta:
        verbose_name = _("年度体检")
        verbose_name_plural = _("年度体检")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model_worker", "year"], name="mw_check_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.model_worker_id} {self.year}"


class Trip(models.Model):
    """A 疗休养 trip organised by a union for the model workers of its subtree."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=100, blank=True)
    destination = models.CharField(_("目的地"), max_length=100)
    starts_on = models.DateField(_("出发日期"))
    ends_on = models.DateField(_("返回日期"))
    quota = models.PositiveSmallIntegerField(_("名额"))
    # Empty: the day before departure (rules.reply_deadline).
    answer_by = models.DateField(_("答复截止日期"), null=True, blank=True)
    cancelled = models.BooleanField(_("已取消"), default=False)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("疗休养")
        verbose_name_plural = _("疗休养")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="mw_trip_dates"
            ),
            models.CheckConstraint(condition=models.Q(quota__gt=0), name="mw_trip_quota"),
            models.CheckConstraint(
                condition=models.Q(answer_by__isnull=True)
                | models.Q(answer_by__lt=models.F("starts_on")),
                name="mw_trip_answer_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination} {self.starts_on}"

    @property
    def name(self) -> str:
        return self.title or self.destination

    @property
    def deadline(self) -> date:
        return rules.reply_deadline(answer_by=self.answer_by, starts_on=self.starts_on)


class InvitationState(models.TextChoices):
    INVITED = "invited", _("已邀请")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已婉拒")
    ATTENDED = "attended", _("已参加")
    ABSENT = "absent", _("未参加")


# Invitations that hold one of the trip's places.
HOLDING_STATES = (InvitationState.INVITED, InvitationState.ACCEPTED, InvitationState.ATTENDED)


class Invitation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trip = models.ForeignKey(
        Trip, verbose_name=_("疗休养"), on_delete=models.CASCADE, related_name="invitations"
    )
    model_worker = models.ForeignKey(
        ModelWorker, verbose_name=_("劳模"), on_delete=models.PROTECT, related_name="invitations"
    )
    position = models.PositiveIntegerField(_("轮候序号"))
    state = models.CharField(
        _("状态"), max_length=16, choices=InvitationState.choices, default=InvitationState.INVITED
    )
    invited_at = models.DateTimeField(_("邀请时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reason = models.CharField(_("婉拒原因"), max_length=200, blank=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = "model_worker__member__union__path"

    class Meta:
        verbose_name = _("疗休养邀请")
        verbose_name_plural = _("疗休养邀请")
        ordering = ["trip", "position"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "model_worker"], name="mw_invited_once"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id} {self.model_worker_id} {self.state}"


class Lecture(models.Model):
    """A 劳模大讲堂 session, open to the members of the organising union's subtree."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("主题"), max_length=100)
    speaker = models.ForeignKey(
        ModelWorker, verbose_name=_("主讲劳模"), on_delete=models.PROTECT, related_name="lectures"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    place = models.CharField(_("地点"), max_length=120)
    capacity = models.PositiveIntegerField(_("名额"))
    signed_up = models.PositiveIntegerField(_("已报名人数"), default=0)
    cancelled = models.BooleanField(_("已取消"), default=False)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # Sign-ups cancelled with the lecture carry this same instant as their cancelled_at.
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("劳模大讲堂")
        verbose_name_plural = _("劳模大讲堂")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_up__lte=models.F("capacity")), name="mw_lecture_full"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.signed_up, 0)


class SignUp(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lecture = models.ForeignKey(
        Lecture, verbose_name=_("劳模大讲堂"), on_delete=models.CASCADE, related_name="signups"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="lecture_signups",
    )
    active = models.BooleanField(_("有效"), default=True)
    attended = models.BooleanField(_("已出席"), default=False)
    signed_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    scope_path = "member__union__path"

    class Meta:
        verbose_name = _("大讲堂报名")
        verbose_name_plural = _("大讲堂报名")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "member"], name="mw_signup_once"),
        ]

    def __str__(self) -> str:
        return f"{self.lecture_id} {self.member_id}"
