"""困难职工档案、帮扶救助、应急救援.

A hardship file (困难职工档案) is filed by the worker or their union with the household, is
reviewed 基层 → 县区 → 市总, publicly noticed (公示) and then kept (在档) until the worker is out
of hardship (脱困) or the file is closed (注销). Aid is applied for against a kept file (or, on
the emergency fast track, for any member), approved within a union's budget for the category
and year, and paid in cash, to a bank account or onto the member's union card; every payment
is an entry of a hash-chained, append-only ledger. Money is integer fen throughout."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.ledger import ChainedEntry

# -- reference data ----------------------------------------------------------------------------


class Threshold(models.Model):
    """The local minimum-living threshold (城乡居民最低生活保障标准) of a district for a year:
    monthly, per person. A file's per-capita household income is compared with the threshold
    of the member's district (the county-level union above the member's union)."""

    district = models.ForeignKey(
        "orgs.Union", verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    monthly_fen = models.PositiveIntegerField(_("低保标准（每人每月，分）"))
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "district__path"

    class Meta:
        verbose_name = _("低保标准")
        verbose_name_plural = _("低保标准")
        ordering = ["-year", "district__code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="hardship_threshold_once"),
            models.CheckConstraint(
                condition=models.Q(monthly_fen__gt=0), name="hardship_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.year}"


class Policy(models.Model):
    """The year's working rules as data: how long the 公示 runs, how long an emergency approval
    may take, and when the documents of an emergency payment are due."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    notice_working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    emergency_hours = models.PositiveSmallIntegerField(_("应急救援审批时限（小时）"), default=24)
    emergency_document_working_days = models.PositiveSmallIntegerField(
        _("应急救援补交材料期限（工作日）"), default=10
    )
    paid_within_working_days = models.PositiveSmallIntegerField(
        _("审批后及时发放期限（工作日）"), default=10
    )
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("帮扶工作规则")
        verbose_name_plural = _("帮扶工作规则")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Cause(models.TextChoices):
    EMPLOYMENT = "employment", _("就业困难")
    LIVING = "living", _("生活困难")
    MEDICAL = "medical", _("医疗负担重")
    HOUSING = "housing", _("住房困难")
    SCHOOLING = "schooling", _("子女上学")
    DISASTER = "disaster", _("因灾")
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    ACCIDENT = "accident", _("意外致困")


class AidCategory(models.TextChoices):
    LIVING = "living", _("生活救助")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学（金秋助学）")
    EMPLOYMENT = "employment", _("就业帮扶")
    HOUSING = "housing", _("住房救助")
    EMERGENCY = "emergency", _("应急救援")


class SchoolStage(models.TextChoices):
    NONE = "", _("不适用")
    HIGH = "high", _("高中（中职）")
    COLLEGE = "college", _("大学专科")
    UNDERGRADUATE = "undergraduate", _("大学本科")
    GRADUATE = "graduate", _("研究生")


class Standard(models.Model):
    """What one aid item pays in a year: a fixed amount (min = max) or a range the approver
    chooses in. 助学 has one row per school stage."""

    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("救助类别"), max_length=16, choices=AidCategory.choices)
    stage = models.CharField(
        _("学段"), max_length=16, choices=SchoolStage.choices, blank=True, default=""
    )
    min_fen = models.PositiveIntegerField(_("最低金额（分）"))
    max_fen = models.PositiveIntegerField(_("最高金额（分）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("救助标准")
        verbose_name_plural = _("救助标准")
        ordering = ["-year", "category", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category", "stage"], name="hardship_standard_once"
            ),
            models.CheckConstraint(
                condition=models.Q(max_fen__gte=models.F("min_fen")),
                name="hardship_standard_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.category} {self.stage}"


class Budget(models.Model):
    """A union's money for one aid category in one year. Approval moves `used_fen` under a row
    lock; the check constraint is the last word: never more than `amount_fen`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("救助类别"), max_length=16, choices=AidCategory.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount_fen = models.PositiveBigIntegerField(_("预算金额（分）"))
    used_fen = models.PositiveBigIntegerField(_("已批准（分）"), default=0)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("帮扶预算")
        verbose_name_plural = _("帮扶预算")
        ordering = ["-year", "union__path", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "category", "year"], name="hardship_budget_once"
            ),
            models.CheckConstraint(
                condition=models.Q(used_fen__lte=models.F("amount_fen")),
                name="hardship_budget_never_exceeded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union_id} {self.category} {self.year}"

    @property
    def left_fen(self) -> int:
        return self.amount_fen - self.used_fen


class Consent(models.Model):
    """单独同意 to process the household's income and health details, recorded before any is
    stored."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="+"
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
        verbose_name = _("收入和健康信息单独同意")
        verbose_name_plural = _("收入和健康信息单独同意")

    def __str__(self) -> str:
        return f"{self.member_id} {self.text_version}"


# -- hardship files ----------------------------------------------------------------------------


class FileState(models.TextChoices):
    GRASSROOTS = "grassroots", _("待基层审核")
    COUNTY = "county", _("待县区审核")
    CITY = "city", _("待市总审核")
    NOTICE = "notice", _("公示中")
    OBJECTED = "objected", _("公示异议处理中")
    RETURNED = "returned", _("退回补充材料")
    ACTIVE = "active", _("在档")
    RELIEVED = "relieved", _("已脱困")
    CANCELLED = "cancelled", _("已注销")


class FileStatus(models.TextChoices):
    TEMPORARY = "temporary", _("临时")
    ACTIVE = "active", _("在档")
    RELIEVED = "relieved", _("脱困")
    CANCELLED = "cancelled", _("注销")


class HardshipFile(models.Model):
    """One worker's file. `state` is the step of the workflow (rules.TRANSITIONS); `status` the
    file's standing that the workflow implies (临时 while in review and 公示). Income and health
    details are stored encrypted, and only with the consent this row points to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_no = models.CharField(_("档案编号"), max_length=12, unique=True, editable=False)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="hardship_files",
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("所在工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # hardship_file_union_state leads with union
    )
    district = models.ForeignKey(
        "orgs.Union", verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("办理环节"), max_length=16, choices=FileState.choices, default=FileState.GRASSROOTS
    )
    status = models.CharField(
        _("档案状态"), max_length=16, choices=FileStatus.choices, default=FileStatus.TEMPORARY
    )
    primary_cause = models.CharField(_("主要致困原因"), max_length=16, choices=Cause.choices)
    causes = models.JSONField(_("致困原因"), default=list)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    # Sensitive (单独同意): encrypted, shown to the program's staff only.
    household_income = EncryptedTextField(_("家庭月收入合计（分）"), blank=True)
    per_capita_income = EncryptedTextField(_("家庭人均月收入（分）"), blank=True)
    health_details = EncryptedTextField(_("本人健康状况"), blank=True)
    situation = EncryptedTextField(_("困难情况说明"), blank=True)
    threshold_fen = models.PositiveIntegerField(_("当地低保标准（分）"))
    below_threshold = models.BooleanField(_("人均收入低于低保标准"))
    consent = models.ForeignKey(
        Consent, verbose_name=_("单独同意"), on_delete=models.PROTECT, related_name="files"
    )
    reason = models.CharField(_("退回、注销或脱困的原因"), max_length=300, blank=True)
    notice_starts_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止日期"), null=True, blank=True)
    established_on = models.DateField(_("建档日期"), null=True, blank=True)
    next_check_on = models.DateField(_("下次年度复核日期"), null=True, blank=True)
    check_reminded_on = models.DateField(_("复核提醒日期"), null=True, blank=True)
    closed_on = models.DateField(_("脱困或注销日期"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("最近办理时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    purged_at = models.DateTimeField(_("收入、健康信息和材料删除时间"), null=True, blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(
                fields=["union", "state", "submitted_at"], name="hardship_file_union_state"
            ),
            models.Index(fields=["status", "last_activity_at"], name="hardship_file_status"),
            models.Index(fields=["status", "next_check_on"], name="hardship_file_check"),
            models.Index(fields=["status", "closed_on"], name="hardship_file_closed"),
        ]
        constraints = [
            # One open file per member: a new application waits until the last is closed.
            models.UniqueConstraint(
                fields=["member"],
                condition=~models.Q(status__in=["relieved", "cancelled"]),
                name="hardship_one_open_file",
            ),
        ]

    def __str__(self) -> str:
        return self.file_no


class Relation(models.TextChoices):
    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    OTHER = "other", _("其他共同生活成员")


class JobStatus(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")
    STUDENT = "student", _("在校学生")
    NONE = "none", _("无劳动能力")


class HouseholdMember(models.Model):
    """A person of the household. The income and health columns are encrypted like the file's."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    relation = models.CharField(_("与申请人关系"), max_length=8, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=40)
    age = models.PositiveSmallIntegerField(_("年龄"))
    job_status = models.CharField(_("就业状况"), max_length=12, choices=JobStatus.choices)
    monthly_income = EncryptedTextField(_("月收入（分）"), blank=True)
    health = EncryptedTextField(_("健康状况"), blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.relation}"


class FileEvent(models.Model):
    """The file's history: every transition, re-check and objection, who and why."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(_("原环节"), max_length=16, choices=FileState.choices, blank=True)
    to_state = models.CharField(_("新环节"), max_length=16, choices=FileState.choices)
    level = models.CharField(_("办理层级"), max_length=16, blank=True)
    note = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("档案办理记录")
        verbose_name_plural = _("档案办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.from_state}→{self.to_state}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DISMISSED = "dismissed", _("异议不成立")
    UPHELD = "upheld", _("异议成立")


class Objection(models.Model):
    """An objection received during the 公示: it holds the file until resolved."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"), max_length=1000)
    status = models.CharField(
        _("处理结果"), max_length=12, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolution = models.CharField(_("核查情况"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.received_on}"


# -- aid -----------------------------------------------------------------------------------------


class AidState(models.TextChoices):
    SUBMITTED = "submitted", _("待基层审核")
    FIRST_REVIEWED = "first_reviewed", _("待县区审核")
    RECHECKED = "rechecked", _("待市总审批")
    APPROVED = "approved", _("已批准待发放")
    PAID = "paid", _("已发放")
    REFERRED = "referred", _("已转介")
    RETURNED = "returned", _("退回补充材料")
    REJECTED = "rejected", _("不予救助")


class EmergencyKind(models.TextChoices):
    ACCIDENT = "accident", _("意外事故")
    FIRE = "fire", _("火灾等灾害")
    ILLNESS = "illness", _("突发重病")


class Channel(models.TextChoices):
    CARD = "card", _("打卡发放（工会会员卡）")
    BANK = "bank", _("银行转账")
    CASH = "cash", _("现金发放")


class AidApplication(models.Model):
    """A request for one aid item in one period (`period`: the year, or the event date of an
    emergency). Counted aid (approved, paid) is unique per member, item and period."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    aid_no = models.CharField(_("申请编号"), max_length=12, unique=True, editable=False)
    file = models.ForeignKey(
        HardshipFile,
        verbose_name=_("困难职工档案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid",
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="hardship_aid",
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("所在工会"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # hardship_aid_union_state leads with union
    )
    category = models.CharField(_("救助类别"), max_length=16, choices=AidCategory.choices)
    stage = models.CharField(
        _("学段"), max_length=16, choices=SchoolStage.choices, blank=True, default=""
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    period = models.CharField(_("救助期间"), max_length=10)
    requested_fen = models.PositiveIntegerField(_("申请金额（分）"), default=0)
    approved_fen = models.PositiveIntegerField(_("批准金额（分）"), default=0)
    reason_text = models.CharField(_("申请理由"), max_length=500)
    referral_to = models.CharField(_("转介去向（招聘会、培训）"), max_length=200, blank=True)
    emergency = models.BooleanField(_("应急救援"), default=False)
    emergency_kind = models.CharField(
        _("突发情况"), max_length=12, choices=EmergencyKind.choices, blank=True
    )
    event_date = models.DateField(_("发生日期"), null=True, blank=True)
    approve_by = models.DateTimeField(_("审批时限"), null=True, blank=True)
    documents_due_on = models.DateField(_("补交材料截止日期"), null=True, blank=True)
    documents_completed_at = models.DateTimeField(_("材料补齐时间"), null=True, blank=True)
    documents_reminded_on = models.DateField(_("补交材料提醒日期"), null=True, blank=True)
    channel = models.CharField(
        _("发放方式"), max_length=8, choices=Channel.choices, default=Channel.CARD
    )
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = EncryptedTextField(_("收款银行账号"), blank=True)
    budget = models.ForeignKey(
        Budget,
        verbose_name=_("列支预算"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=AidState.choices, default=AidState.SUBMITTED
    )
    reason = models.CharField(_("退回或不予救助的原因"), max_length=300, blank=True)
    payout_note = models.CharField(_("最近一次发放失败的原因"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("发放时间"), null=True, blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("帮扶救助申请")
        verbose_name_plural = _("帮扶救助申请")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(
                fields=["union", "state", "submitted_at"], name="hardship_aid_union_state"
            ),
            models.Index(fields=["state", "submitted_at"], name="hardship_aid_state"),
            models.Index(fields=["category", "year"], name="hardship_aid_category_year"),
        ]
        constraints = [
            # The same aid item once per member and period: two approvals at once, one wins.
            models.UniqueConstraint(
                fields=["member", "category", "stage", "period"],
                condition=models.Q(state__in=["approved", "paid", "referred"]),
                name="hardship_aid_once_per_period",
            ),
        ]

    def __str__(self) -> str:
        return self.aid_no


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random name: the file holds encrypted bytes, its extension tells nothing."""
    return f"hardship/{uuid.uuid4().hex}.bin"


class EvidenceKind(models.TextChoices):
    INCOME = "income", _("收入证明")
    MEDICAL = "medical", _("病历或医疗费用票据")
    DISABILITY = "disability", _("残疾证")
    SCHOOL = "school", _("录取通知书或学籍证明")
    DISASTER = "disaster", _("受灾或事故证明")
    OTHER = "other", _("其他材料")


class Evidence(models.Model):
    """An uploaded proof (of a file, or of an aid application), stored encrypted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.ForeignKey(
        HardshipFile, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    aid = models.ForeignKey(
        AidApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("材料类型"), max_length=16, choices=EvidenceKind.choices)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    stored = models.FileField(upload_to=evidence_path)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(file__isnull=False) | models.Q(aid__isnull=False),
                name="hardship_evidence_belongs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class AidEvent(models.Model):
    aid = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(_("原状态"), max_length=16, choices=AidState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=AidState.choices)
    level = models.CharField(_("办理层级"), max_length=16, blank=True)
    note = models.CharField(_("意见"), max_length=300, blank=True)
    amount_fen = models.PositiveIntegerField(_("金额（分）"), null=True, blank=True)

    class Meta:
        verbose_name = _("救助办理记录")
        verbose_name_plural = _("救助办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.aid_id} {self.from_state}→{self.to_state}"


# -- money out -----------------------------------------------------------------------------------


class Disbursement(ChainedEntry):
    """The aid paid: one entry per payment, chained per budget year, written only through
    `gonghui.core.ledger.append`; the table refuses UPDATE and DELETE."""

    aid = models.ForeignKey(
        AidApplication, verbose_name=_("救助申请"), on_delete=models.DO_NOTHING, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.DO_NOTHING, related_name="+"
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("工会"), on_delete=models.DO_NOTHING, related_name="+"
    )
    category = models.CharField(_("救助类别"), max_length=16, choices=AidCategory.choices)
    emergency = models.BooleanField(_("应急救援"), default=False)
    channel = models.CharField(_("发放方式"), max_length=8, choices=Channel.choices)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    reference = models.CharField(_("发放凭证"), max_length=60)
    at = models.DateTimeField(_("发放时间"), default=timezone.now)
    # Not SET_NULL: the row is append-only and `by` is part of its hash.
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )

    HASHED_FIELDS = (
        "aid",
        "member",
        "union",
        "category",
        "emergency",
        "channel",
        "amount_fen",
        "reference",
        "at",
        "by",
    )

    scope_path = "union__path"

    class Meta(ChainedEntry.Meta):
        verbose_name = _("救助发放记录")
        verbose_name_plural = _("救助发放记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["category", "at"], name="hardship_disb_category_at")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_fen}"


class PayoutBatchStatus(models.TextChoices):
    SENT = "sent", _("待银行回盘")
    SETTLED = "settled", _("已回盘")


class PayoutBatch(models.Model):
    """Approved aid sent to the bank in one file; the bank's result file settles it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch_no = models.CharField(_("发放批次号"), max_length=20, unique=True, editable=False)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("发放单位"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("发放方式"), max_length=8, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=PayoutBatchStatus.choices, default=PayoutBatchStatus.SENT
    )
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_fen = models.PositiveBigIntegerField(_("金额合计（分）"), default=0)
    paid_count = models.PositiveIntegerField(_("成功笔数"), default=0)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    settled_at = models.DateTimeField(_("回盘时间"), null=True, blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("救助发放批次")
        verbose_name_plural = _("救助发放批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.batch_no


class PayoutLineStatus(models.TextChoices):
    PENDING = "pending", _("待回盘")
    PAID = "paid", _("发放成功")
    FAILED = "failed", _("发放失败")


class PayoutLine(models.Model):
    batch = models.ForeignKey(
        PayoutBatch, verbose_name=_("发放批次"), on_delete=models.PROTECT, related_name="lines"
    )
    aid = models.ForeignKey(
        AidApplication, verbose_name=_("救助申请"), on_delete=models.PROTECT, related_name="lines"
    )
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    account_no = EncryptedTextField(_("收款账号"))
    status = models.CharField(
        _("状态"), max_length=8, choices=PayoutLineStatus.choices, default=PayoutLineStatus.PENDING
    )
    reason = models.CharField(_("失败原因"), max_length=200, blank=True)

    scope_path = "aid__union__path"

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["id"]
        constraints = [
            # An aid is in at most one batch waiting for the bank.
            models.UniqueConstraint(
                fields=["aid"], condition=models.Q(status="pending"), name="hardship_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.aid_id}"
