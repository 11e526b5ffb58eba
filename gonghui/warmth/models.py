"""送温暖活动：预算、对象名单、发放和签收.

A campaign is city-wide and organised by one union (the city federation): its funds are
recorded by source, its budget flows down the tree as allocations, its target list is built
from the member registry by the campaign's group rules, and each union hands out what its
listed people are due in batches with a signed receipt list. Money is integer fen."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    """A 送温暖 campaign. `groups` holds the target groups as data (see rules.parse_groups):
    who belongs to each and what each person is due."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("活动代码"), max_length=16, unique=True)
    name = models.CharField(_("活动名称"), max_length=60)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PREPARING
    )
    groups = models.JSONField(_("慰问对象类别和标准"), default=list)
    # Bumped by every change of the groups: a list build that started under an older version
    # stops instead of writing people with outdated standards (see services._guard_version).
    groups_version = models.PositiveIntegerField(_("类别版本"), default=1)
    targets_stale = models.BooleanField(
        _("对象名单需重新生成"),
        default=False,
        help_text=_("类别或标准改过，名单还是按原来的规则生成的：重新生成前不能发放"),
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("送温暖活动")
        verbose_name_plural = _("送温暖活动")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="warmth_campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignEvent(models.Model):
    """Who moved the campaign from one status to the next, and when."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=16, choices=CampaignStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=CampaignStatus.choices)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("活动状态记录")
        verbose_name_plural = _("活动状态记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.from_status}→{self.to_status}"


class FundSource(models.TextChoices):
    FEDERATION = "federation", _("本级工会经费")
    SUPERIOR = "superior", _("上级工会下拨")
    ENTERPRISE = "enterprise", _("企业捐助")
    DONATION = "donation", _("社会捐赠")
    OTHER = "other", _("其他")


class Fund(models.Model):
    """Money raised for the campaign, one record per receipt, by source."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="funds"
    )
    source = models.CharField(_("资金来源"), max_length=16, choices=FundSource.choices)
    donor = models.CharField(_("出资单位或个人"), max_length=100)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    received_on = models.DateField(_("到账日期"))
    reference = models.CharField(_("凭证号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动资金")
        verbose_name_plural = _("活动资金")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="warmth_fund_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.source} {self.amount_fen}"


class Allocation(models.Model):
    """The budget a union holds for the campaign, given by `parent_union` (its parent, which
    holds a budget itself or is the campaign's organiser, whose budget is the funds raised)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="allocations"
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # warmth_allocation_once leads with campaign, union
    )
    parent_union = models.ForeignKey(
        "orgs.Union", verbose_name=_("下拨单位"), on_delete=models.PROTECT, related_name="+"
    )
    amount_fen = models.PositiveBigIntegerField(_("预算（分）"))
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("预算分配")
        verbose_name_plural = _("预算分配")
        ordering = ["campaign", "union__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "union"], name="warmth_allocation_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "parent_union"], name="warmth_allocation_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.union_id} {self.amount_fen}"


class TargetSource(models.TextChoices):
    RULE = "rule", _("按规则生成")
    MANUAL = "manual", _("人工添加")


class TargetStatus(models.TextChoices):
    LISTED = "listed", _("待发放")
    PAYING = "paying", _("待银行回盘")
    DELIVERED = "delivered", _("已发放")
    REMOVED = "removed", _("已移出")


class Target(models.Model):
    """A person on the campaign's list, once (the group with the highest standard wins, see
    rules.choose_group). The standard is copied when listed; a change of the campaign's groups
    (only possible before the first hand-out) marks the list stale until it is rebuilt.
    A person paid by card or bank is 待银行回盘 until the bank's result file says paid
    (已发放) or failed (back to 待发放)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="targets"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="warmth_targets",
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("所在工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # warmth_target_union leads with union
    )
    group_code = models.CharField(_("慰问类别"), max_length=32)
    group_name = models.CharField(_("慰问类别名称"), max_length=40)
    cash_fen = models.PositiveBigIntegerField(_("慰问金（分）"), default=0)
    goods = models.CharField(_("慰问品"), max_length=100, blank=True)
    goods_value_fen = models.PositiveBigIntegerField(_("慰问品价值（分）"), default=0)
    source = models.CharField(_("来源"), max_length=16, choices=TargetSource.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=TargetStatus.choices, default=TargetStatus.LISTED
    )
    note = models.CharField(_("添加或移出的理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("列入时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("慰问对象")
        verbose_name_plural = _("慰问对象")
        ordering = ["union__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="warmth_target_once"),
        ]
        indexes = [
            models.Index(fields=["union", "campaign", "status"], name="warmth_target_union"),
            models.Index(fields=["campaign", "status"], name="warmth_target_status"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.member_id}"

    @property
    def amount_fen(self) -> int:
        return self.cash_fen + self.goods_value_fen


class Method(models.TextChoices):
    CASH = "cash", _("现金")
    GOODS = "goods", _("实物")
    CARD = "card", _("打入工会卡")
    BANK = "bank", _("银行转账")


class PayoutStatus(models.TextChoices):
    NONE = "none", _("无需回盘")
    WAITING = "waiting", _("待银行回盘")
    SETTLED = "settled", _("已回盘")


class LineStatus(models.TextChoices):
    DELIVERED = "delivered", _("已发放")
    PENDING = "pending", _("待银行回盘")
    PAID = "paid", _("银行已支付")
    FAILED = "failed", _("支付失败")


# Lines whose money has reached the person: what completion figures count.
HANDED_OUT = (LineStatus.DELIVERED, LineStatus.PAID)


def scan_path(instance: DistributionBatch, filename: str) -> str:
    """A random name: the file holds encrypted bytes (names and signatures)."""
    return f"warmth/{uuid.uuid4().hex}.bin"


class DistributionBatch(models.Model):
    """One hand-out by one union: the people in it sign one receipt list (签收表)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch_no = models.CharField(_("批次号"), max_length=24, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="batches"
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("发放工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # warmth_batch_union leads with union
    )
    budget_union = models.ForeignKey(
        "orgs.Union", verbose_name=_("列支预算的工会"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("发放方式"), max_length=16, choices=Method.choices)
    distributed_on = models.DateField(_("发放日期"))
    line_count = models.PositiveIntegerField(_("人数"), default=0)
    total_fen = models.PositiveBigIntegerField(_("金额合计（分）"), default=0)
    signed_scan = models.FileField(_("签收表扫描件"), upload_to=scan_path, blank=True)
    scan_content_type = models.CharField(max_length=40, blank=True)
    signed_at = models.DateTimeField(_("签收确认时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payout_status = models.CharField(
        _("银行回盘"), max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.NONE
    )
    settled_at = models.DateTimeField(_("回盘导入时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_count = models.PositiveIntegerField(_("支付成功笔数"), default=0)
    paid_fen = models.PositiveBigIntegerField(_("支付成功金额（分）"), default=0)
    failed_count = models.PositiveIntegerField(_("支付失败笔数"), default=0)
    failed_fen = models.PositiveBigIntegerField(_("支付失败金额（分）"), default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["union", "campaign", "-created_at"], name="warmth_batch_union"),
        ]

    def __str__(self) -> str:
        return self.batch_no


class Distribution(models.Model):
    """What one listed person received: the amounts are the target's standard. A line the bank
    failed stays as the record of the attempt (with the bank's reason) and no longer counts
    against the budget; the person may then be handed out to again in a later batch."""

    batch = models.ForeignKey(
        DistributionBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="lines"
    )
    line_no = models.PositiveIntegerField(_("批次内序号"))
    target = models.ForeignKey(
        Target,
        verbose_name=_("慰问对象"),
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="+"
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("所在工会"), on_delete=models.PROTECT, related_name="+"
    )
    budget_union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("列支预算的工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # warmth_distribution_budget leads with campaign, budget_union
    )
    group_code = models.CharField(_("慰问类别"), max_length=32)
    cash_fen = models.PositiveBigIntegerField(_("慰问金（分）"))
    goods_value_fen = models.PositiveBigIntegerField(_("慰问品价值（分）"))
    amount_fen = models.PositiveBigIntegerField(_("合计（分）"))
    status = models.CharField(
        _("状态"), max_length=16, choices=LineStatus.choices, default=LineStatus.DELIVERED
    )
    reason = models.CharField(_("失败原因"), max_length=200, blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        ordering = ["batch", "line_no"]
        indexes = [
            models.Index(fields=["campaign", "budget_union"], name="warmth_distribution_budget"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen=models.F("cash_fen") + models.F("goods_value_fen")),
                name="warmth_distribution_parts_sum",
            ),
            # One hand-out per person that is not a failed bank payment: a person handed out
            # to twice at once gets one line, a failed payment may be followed by another.
            models.UniqueConstraint(
                fields=["target"],
                condition=~models.Q(status="failed"),
                name="warmth_distribution_live_once",
            ),
            models.UniqueConstraint(fields=["batch", "line_no"], name="warmth_distribution_line"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.target_id}"

    @property
    def reference(self) -> str:
        """The line's 业务编号 in the bank's payout and result files (batch numbers are
        unique, so this is too)."""
        return line_reference(self.batch.batch_no, self.line_no)


def line_reference(batch_no: str, line_no: int) -> str:
    return f"{batch_no}-{line_no:04d}"
