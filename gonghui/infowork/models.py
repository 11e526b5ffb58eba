"""信息工作目标管理: information officers (信息员) of unions and federation departments submit
pieces (投稿); 宣教部 edits, adopts (采用) or returns them; adopted pieces published in outlets
(刊用) score points from a versioned points table once verified; leaders' written instructions
(批示) add bonuses, errors (差错) and missed quotas deduct."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InfoOfficer(models.Model):
    """A 信息员 of a union, or of a federation department (then `union` is the city)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        related_name="info_officers",
    )
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
    active = models.BooleanField(_("在任"), default=True)
    appointed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("任命时间"), auto_now_add=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("信息员")
        verbose_name_plural = _("信息员")
        ordering = ["union__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "union", "department"],
                name="infowork_officer_unique_dept",
                condition=models.Q(department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "union"],
                name="infowork_officer_unique",
                condition=models.Q(department__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.union_id}"


class Category(models.TextChoices):
    NEWS = "news", _("工作动态")
    PRACTICE = "practice", _("经验做法")
    SPECIAL = "special", _("信息专报")
    RESEARCH = "research", _("调研报告")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    ADOPTED = "adopted", _("已采用")
    WITHDRAWN = "withdrawn", _("已撤回")


class Submission(models.Model):
    """A piece an officer submits for their union or department. Its union (and department)
    are fixed from the officer when submitted; they carry the piece's points."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(
        InfoOfficer, verbose_name=_("信息员"), on_delete=models.PROTECT, related_name="submissions"
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("报送单位"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # infowork_submission_union leads with union
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("报送部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=20000)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
    )
    reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    adopted_at = models.DateTimeField(_("采用时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("投稿")
        verbose_name_plural = _("投稿")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["union", "status"], name="infowork_submission_union"),
            models.Index(fields=["status", "submitted_at"], name="infowork_submission_status"),
        ]

    def __str__(self) -> str:
        return self.title


def photo_path(instance: SubmissionPhoto, filename: str) -> str:
    """A random name; the extension is the one found by content."""
    extension = filename.rsplit(".", 1)[-1]
    return f"infowork/photos/{uuid.uuid4().hex}.{extension}"


class SubmissionPhoto(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=photo_path)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投稿照片")
        verbose_name_plural = _("投稿照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.file.name)


class SubmissionEvent(models.Model):
    """The piece's history: every transition and edit, who made it and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=SubmissionStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=SubmissionStatus.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("投稿办理记录")
        verbose_name_plural = _("投稿办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.from_status}→{self.to_status}"


class Level(models.TextChoices):
    NATIONAL = "national", _("全国/全总")
    PROVINCIAL = "provincial", _("省/省总")
    CITY = "city", _("市/市委")


class OutletKind(models.TextChoices):
    NEWSPAPER = "newspaper", _("报纸")
    MAGAZINE = "magazine", _("杂志")
    WEBSITE = "website", _("网站")
    NEW_MEDIA = "new_media", _("新媒体")


class Placement(models.TextChoices):
    FRONT = "front", _("头版")
    HEADLINE = "headline", _("要闻")
    GENERAL = "general", _("一般")


class PointsTable(models.Model):
    """The points rules as data; a change is a new version. A publication scores with the
    version in force on its publication date (the latest `effective_from` not after it)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveSmallIntegerField(_("版本号"), unique=True)
    effective_from = models.DateField(_("生效日期"), unique=True)
    publication_points = models.JSONField(_("刊用积分"), default=dict)
    instruction_points = models.JSONField(_("批示加分"), default=dict)
    shortfall_penalty = models.DecimalField(
        _("每少一篇扣分"), max_digits=6, decimal_places=1, default=Decimal("0")
    )
    error_penalty = models.DecimalField(
        _("每次差错扣分"), max_digits=6, decimal_places=1, default=Decimal("0")
    )
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分标准版本")
        verbose_name_plural = _("积分标准版本")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"v{self.number}"


class PublicationStatus(models.TextChoices):
    CLAIMED = "claimed", _("待核实")
    VERIFIED = "verified", _("已核实")
    REJECTED = "rejected", _("未通过核实")


def scan_path(instance: Publication, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1]
    return f"infowork/scans/{uuid.uuid4().hex}.{extension}"


class Publication(models.Model):
    """An adopted piece published in an outlet (刊用). It scores only once verified by 宣教部;
    `points` is fixed from the table version in force on `published_on` and recomputed when a
    version is added that covers that date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        Submission, verbose_name=_("投稿"), on_delete=models.PROTECT, related_name="publications"
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("报送单位"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # infowork_publication_union leads with union
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("报送部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officer = models.ForeignKey(
        InfoOfficer, verbose_name=_("信息员"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("刊用级别"), max_length=16, choices=Level.choices)
    outlet_kind = models.CharField(_("媒体类型"), max_length=16, choices=OutletKind.choices)
    outlet_name = models.CharField(_("媒体名称"), max_length=80)
    published_on = models.DateField(_("刊用日期"))
    placement = models.CharField(_("版面位置"), max_length=16, choices=Placement.choices)
    link = models.URLField(_("链接"), max_length=500, blank=True)
    scan = models.FileField(_("版面扫描件"), upload_to=scan_path, blank=True)
    scan_type = models.CharField(_("扫描件类型"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PublicationStatus.choices,
        default=PublicationStatus.CLAIMED,
    )
    reason = models.CharField(_("未通过原因"), max_length=300, blank=True)
    points_table = models.ForeignKey(
        PointsTable,
        verbose_name=_("积分标准版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.DecimalField(_("积分"), max_digits=7, decimal_places=1, default=Decimal("0"))
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    verified_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("刊用记录")
        verbose_name_plural = _("刊用记录")
        ordering = ["-published_on", "-id"]
        indexes = [
            models.Index(
                fields=["union", "status", "published_on"], name="infowork_publication_union"
            ),
            models.Index(fields=["status", "published_on"], name="infowork_publication_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "level", "outlet_name", "published_on"],
                name="infowork_publication_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outlet_name} {self.published_on}"


class Instruction(models.Model):
    """A leader's written instruction (批示) on an adopted piece: a bonus by the leader's level,
    recorded by 宣教部 from the document itself."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        Submission, verbose_name=_("投稿"), on_delete=models.PROTECT, related_name="instructions"
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("报送部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officer = models.ForeignKey(
        InfoOfficer, verbose_name=_("信息员"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("批示级别"), max_length=16, choices=Level.choices)
    leader = models.CharField(_("批示领导"), max_length=60)
    instructed_on = models.DateField(_("批示日期"))
    points_table = models.ForeignKey(
        PointsTable, verbose_name=_("积分标准版本"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("加分"), max_digits=7, decimal_places=1)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-instructed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.leader} {self.instructed_on}"


class Correction(models.Model):
    """An error (差错) in a union's or department's information work: a penalty."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("投稿"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    occurred_on = models.DateField(_("差错日期"))
    description = models.CharField(_("差错说明"), max_length=300)
    points_table = models.ForeignKey(
        PointsTable, verbose_name=_("积分标准版本"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("扣分"), max_digits=7, decimal_places=1)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("差错记录")
        verbose_name_plural = _("差错记录")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.union_id} {self.occurred_on}"


class Quota(models.Model):
    """The annual target of a union or a department (then `union` is the city)."""

    year = models.PositiveSmallIntegerField(_("年度"))
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
    pieces = models.PositiveSmallIntegerField(_("采用篇数任务"))
    points = models.DecimalField(_("积分任务"), max_digits=7, decimal_places=1)
    set_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("年度任务")
        verbose_name_plural = _("年度任务")
        ordering = ["-year", "union__path", "department__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "union", "department"],
                name="infowork_quota_dept_once",
                condition=models.Q(department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["year", "union"],
                name="infowork_quota_once",
                condition=models.Q(department__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.union_id}"
