"""职工医疗互助互济保障计划: plan years with versioned rules, enrolments paid by three payers,
claims reviewed at three levels, and the fund's ledger. Money is integer fen throughout."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.ledger import ChainedEntry
from gonghui.core.masking import mask_account


class PlanYear(models.Model):
    """A 保障期 (normally one year). City-wide: every enrolment and claim hangs from one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("保障期代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    starts_on = models.DateField(_("保障开始日期"))
    ends_on = models.DateField(_("保障结束日期"))
    enrol_opens_on = models.DateField(_("参保登记开始日期"))
    enrol_closes_on = models.DateField(_("参保登记截止日期"))
    allow_individual = models.BooleanField(_("允许会员在手机上个人参保"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保障期")
        verbose_name_plural = _("保障期")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="mutualaid_plan_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(enrol_closes_on__gte=models.F("enrol_opens_on")),
                name="mutualaid_plan_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleVersion(models.Model):
    """The plan's rules as data. A change is a new version; a claim is computed with the version
    in force on its event date (the latest `effective_from` not after it)."""

    plan_year = models.ForeignKey(
        PlanYear, verbose_name=_("保障期"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    effective_from = models.DateField(_("生效日期"))
    contribution_fen = models.PositiveIntegerField(_("每人每期缴费（分）"))
    employer_weight = models.PositiveSmallIntegerField(_("行政负担份额"), default=1)
    union_weight = models.PositiveSmallIntegerField(_("工会负担份额"), default=1)
    worker_weight = models.PositiveSmallIntegerField(_("个人负担份额"), default=1)
    waiting_days = models.PositiveSmallIntegerField(_("新参保等待期（天）"), default=90)
    min_age = models.PositiveSmallIntegerField(_("最低参保年龄"), default=16)
    max_age = models.PositiveSmallIntegerField(_("最高参保年龄"), default=65)
    benefits = models.JSONField(_("保障项目"), default=list)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保障规则版本")
        verbose_name_plural = _("保障规则版本")
        ordering = ["plan_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "number"], name="mutualaid_version_no"),
            models.UniqueConstraint(
                fields=["plan_year", "effective_from"], name="mutualaid_version_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(employer_weight__gt=0)
                | models.Q(union_weight__gt=0)
                | models.Q(worker_weight__gt=0),
                name="mutualaid_version_some_payer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_year.code} v{self.number}"

    @property
    def weights(self) -> tuple[int, int, int]:
        return (self.employer_weight, self.union_weight, self.worker_weight)


class Payer(models.TextChoices):
    EMPLOYER = "employer", _("行政（单位）")
    UNION = "union", _("工会")
    WORKER = "worker", _("职工个人")


class EnrolmentBatch(models.Model):
    """One bulk enrolment by a union: the amounts due per payer are fixed when it is made."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan_year = models.ForeignKey(
        PlanYear, verbose_name=_("保障期"), on_delete=models.PROTECT, related_name="batches"
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("参保工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # mutualaid_batch_union leads with union
    )
    source = models.CharField(_("名单来源"), max_length=16)
    enrolled_count = models.PositiveIntegerField(_("参保人数"), default=0)
    skipped_count = models.PositiveIntegerField(_("未参保人数"), default=0)
    skipped = models.JSONField(_("未参保名单及原因"), default=list)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("批量参保")
        verbose_name_plural = _("批量参保")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["union", "-created_at"], name="mutualaid_batch_union")]

    def __str__(self) -> str:
        return f"{self.plan_year.code} {self.union_id} {self.created_at:%Y-%m-%d}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("保障中")
    CANCELLED = "cancelled", _("已撤销")


class Enrolment(models.Model):
    """A member in a plan year: the member's plan-year row. Approvals lock it, so two reviewers
    approving two claims of one member at once are served one after the other (annual cap)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    certificate_no = models.CharField(_("凭证编号"), max_length=20, unique=True, editable=False)
    plan_year = models.ForeignKey(
        PlanYear, verbose_name=_("保障期"), on_delete=models.PROTECT, related_name="enrolments"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="mutualaid_enrolments",
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("参保工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # mutualaid_enrolment_union leads with union
    )
    batch = models.ForeignKey(
        EnrolmentBatch,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name=_("参保时的规则版本"), on_delete=models.PROTECT, related_name="+"
    )
    contribution_fen = models.PositiveIntegerField(_("缴费（分）"))
    employer_fen = models.PositiveIntegerField(_("行政负担（分）"))
    union_fen = models.PositiveIntegerField(_("工会负担（分）"))
    worker_fen = models.PositiveIntegerField(_("个人负担（分）"))
    enrolled_on = models.DateField(_("参保日期"))
    renewed = models.BooleanField(_("连续参保"), default=False)
    cover_starts_on = models.DateField(_("等待期满日期"))
    cover_ends_on = models.DateField(_("保障截止日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("参保记录")
        verbose_name_plural = _("参保记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["union", "plan_year"], name="mutualaid_enrolment_union"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "member"], name="mutualaid_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(
                    contribution_fen=models.F("employer_fen")
                    + models.F("union_fen")
                    + models.F("worker_fen")
                ),
                name="mutualaid_enrolment_parts_sum",
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_no


class Payment(models.Model):
    """One record per payer per batch: what is due (fixed with the batch) and what was paid."""

    batch = models.ForeignKey(
        EnrolmentBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="payments"
    )
    payer = models.CharField(_("缴费方"), max_length=16, choices=Payer.choices)
    due_fen = models.PositiveBigIntegerField(_("应缴（分）"))
    paid_fen = models.PositiveBigIntegerField(_("实缴（分）"), default=0)
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    reference = models.CharField(_("缴费凭证号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    scope_path = "batch__union__path"

    class Meta:
        verbose_name = _("缴费记录")
        verbose_name_plural = _("缴费记录")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "payer"], name="mutualaid_one_payment_each"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.payer}"

    @property
    def owed_fen(self) -> int:
        """Positive: still owed; negative: paid too much."""
        return self.due_fen - self.paid_fen


class HealthConsent(models.Model):
    """单独同意 to process health details for claims, recorded before any is stored."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="mutualaid_consents",
    )
    text_version = models.CharField(_("同意书版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_paper = models.BooleanField(_("书面同意（工会代办）"), default=False)

    class Meta:
        verbose_name = _("健康信息单独同意")
        verbose_name_plural = _("健康信息单独同意")

    def __str__(self) -> str:
        return f"{self.member_id} {self.text_version}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待初审")
    FIRST_REVIEWED = "first_reviewed", _("待复核")
    RECHECKED = "rechecked", _("待审批")
    APPROVED = "approved", _("待支付")
    PAID = "paid", _("已支付")
    RETURNED = "returned", _("退回补充材料")
    REJECTED = "rejected", _("不予给付")
    APPEALED = "appealed", _("申诉中")


class HospitalLevel(models.TextChoices):
    PRIMARY = "primary", _("一级及以下医院")
    SECONDARY = "secondary", _("二级医院")
    TERTIARY = "tertiary", _("三级医院")


class Claim(models.Model):
    """A request for benefit. `union` is the member's union when filed: its officers do the
    初审 and the claim is scoped by it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim_no = models.CharField(_("申请编号"), max_length=12, unique=True, editable=False)
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("参保记录"), on_delete=models.PROTECT, related_name="claims"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="mutualaid_claims",
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("初审工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # mutualaid_claim_union_status leads with union
    )
    item_code = models.CharField(_("保障项目"), max_length=32)
    item_name = models.CharField(_("保障项目名称"), max_length=60)
    condition_code = models.CharField(_("疾病"), max_length=32, blank=True)
    event_date = models.DateField(_("发生日期"))
    hospital = models.CharField(_("医院"), max_length=100)
    hospital_level = models.CharField(
        _("医院等级"), max_length=16, choices=HospitalLevel.choices, blank=True
    )
    total_fen = models.PositiveBigIntegerField(_("个人自付合计（分）"), default=0)
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name=_("适用规则版本"), on_delete=models.PROTECT, related_name="+"
    )
    payable_fen = models.PositiveBigIntegerField(_("应付金额（分）"), default=0)
    explanation = models.JSONField(_("计算说明"), default=list)
    health_details = EncryptedTextField(_("病情说明"), blank=True)
    consent = models.ForeignKey(
        HealthConsent, verbose_name=_("单独同意"), on_delete=models.PROTECT, related_name="claims"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    reason = models.CharField(_("退回或不予给付的原因"), max_length=300, blank=True)
    appealed = models.BooleanField(_("已申诉"), default=False)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    bank_account = EncryptedTextField(_("收款银行账号"), blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    payout_note = models.CharField(_("最近一次支付失败的原因"), max_length=200, blank=True)
    purged_at = models.DateTimeField(_("健康信息和材料删除时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("互助金申请")
        verbose_name_plural = _("互助金申请")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(
                fields=["union", "status", "submitted_at"], name="mutualaid_claim_union_status"
            ),
            models.Index(fields=["status", "submitted_at"], name="mutualaid_claim_status"),
            models.Index(fields=["enrolment", "item_code"], name="mutualaid_claim_usage"),
        ]

    def __str__(self) -> str:
        return self.claim_no

    @property
    def bank_account_masked(self) -> str:
        return mask_account(self.bank_account)


class ClaimInvoice(models.Model):
    """An invoice is claimed once in the whole city: the normalised number is unique."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(_("发票号码"), max_length=40)
    number_normalised = models.CharField(max_length=40, editable=False)
    amount_fen = models.PositiveBigIntegerField(_("个人自付金额（分）"))

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_normalised"], name="mutualaid_invoice_claimed_once"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("发票")
    DISCHARGE = "discharge", _("出院小结")
    DIAGNOSIS = "diagnosis", _("诊断证明")
    OTHER = "other", _("其他材料")


def document_path(instance: ClaimDocument, filename: str) -> str:
    """A random name: the file holds encrypted bytes, its extension tells nothing."""
    return f"mutualaid/{uuid.uuid4().hex}.bin"


class ClaimDocument(models.Model):
    """An uploaded document, stored encrypted (it is health information) and served only to the
    claim's reviewers and the member."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=16, choices=DocumentKind.choices)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    file = models.FileField(upload_to=document_path)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind}"


class ClaimEvent(models.Model):
    """The claim's history: every transition, who made it, at which review level, and why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=ClaimStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=ClaimStatus.choices)
    level = models.CharField(_("办理环节"), max_length=16, blank=True)
    note = models.CharField(_("意见"), max_length=300, blank=True)
    payable_fen = models.PositiveBigIntegerField(_("应付金额（分）"), null=True, blank=True)

    class Meta:
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.from_status}→{self.to_status}"


class LedgerKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("缴费收入")
    PAYOUT = "payout", _("互助金支出")


class LedgerEntry(ChainedEntry):
    """The fund's book: every contribution received and every payout made. Income is positive,
    payouts negative; the balance of a plan year is their sum. One hash chain per plan year
    (its code), written only through `gonghui.core.ledger.append`; the table refuses UPDATE
    and DELETE."""

    plan_year = models.ForeignKey(
        PlanYear, verbose_name=_("保障期"), on_delete=models.PROTECT, related_name="ledger"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=LedgerKind.choices)
    payer = models.CharField(_("缴费方"), max_length=16, choices=Payer.choices, blank=True)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("关联单据"), max_length=60)
    at = models.DateTimeField(_("记账时间"), default=timezone.now)
    # Not SET_NULL: the row is append-only and `by` is part of its hash.
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )

    HASHED_FIELDS = ("plan_year", "kind", "payer", "amount_fen", "union", "reference", "at", "by")

    scope_path = "union__path"

    class Meta(ChainedEntry.Meta):
        verbose_name = _("互助基金账目")
        verbose_name_plural = _("互助基金账目")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["plan_year", "kind"], name="mutualaid_ledger_year_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_fen}"


class PayoutChannel(models.TextChoices):
    CARD = "card", _("打卡发放（工会会员卡）")
    BANK = "bank", _("银行转账（申请时填写的账户）")


class PayoutBatchStatus(models.TextChoices):
    SENT = "sent", _("待银行回盘")
    SETTLED = "settled", _("已回盘")


class PayoutBatch(models.Model):
    """Approved claims sent to the bank in one file; the bank's result file settles it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch_no = models.CharField(_("支付批次号"), max_length=20, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("发放单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("支付渠道"), max_length=8, choices=PayoutChannel.choices)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=PayoutBatchStatus.choices,
        default=PayoutBatchStatus.SENT,
    )
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_fen = models.PositiveBigIntegerField(_("金额合计（分）"), default=0)
    paid_count = models.PositiveIntegerField(_("成功笔数"), default=0)
    paid_fen = models.PositiveBigIntegerField(_("成功金额（分）"), default=0)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)
    without_account = models.JSONField(_("缺少收款账户的申请"), default=list)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    settled_at = models.DateTimeField(_("回盘时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = "union__path"

    class Meta:
        verbose_name = _("互助金支付批次")
        verbose_name_plural = _("互助金支付批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.batch_no


class PayoutLineStatus(models.TextChoices):
    PENDING = "pending", _("待回盘")
    PAID = "paid", _("支付成功")
    FAILED = "failed", _("支付失败")


class PayoutLine(models.Model):
    """One claim in a payout batch, with the account it was sent to (encrypted)."""

    batch = models.ForeignKey(
        PayoutBatch, verbose_name=_("支付批次"), on_delete=models.PROTECT, related_name="lines"
    )
    claim = models.ForeignKey(
        Claim, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="payout_lines"
    )
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    account_no = EncryptedTextField(_("收款账号"))
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=PayoutLineStatus.choices,
        default=PayoutLineStatus.PENDING,
    )
    reason = models.CharField(_("失败原因"), max_length=200, blank=True)

    scope_path = "claim__union__path"

    class Meta:
        verbose_name = _("支付明细")
        verbose_name_plural = _("支付明细")
        ordering = ["id"]
        constraints = [
            # A claim is in at most one batch waiting for the bank: two clerks building batches
            # at once cannot both send it.
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(status="pending"),
                name="mutualaid_payout_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.claim_id}"

    @property
    def account_masked(self) -> str:
        return mask_account(self.account_no)
