"""The member registry (会员实名制): one person is one member in the whole city."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField, KeyField

if TYPE_CHECKING:
    from gonghui.orgs.models import Union


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在会")
    TRANSFERRING = "transferring", _("转出中")
    LEFT = "left", _("退会")
    RETAINED = "retained", _("保留会籍")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class WorkerCategory(models.TextChoices):
    EMPLOYEE = "employee", _("职工")
    MIGRANT = "migrant", _("农民工")
    COURIER = "courier", _("快递员")
    DELIVERY_RIDER = "rider", _("外卖送餐员")
    RIDE_HAILING = "ride_hailing", _("网约车司机")
    TRUCK_DRIVER = "truck_driver", _("货车司机")
    DOMESTIC = "domestic", _("家政服务员")
    OTHER_NEW_FORM = "new_form", _("其他新就业形态劳动者")


class Education(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专/技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class Member(models.Model):
    """URLs and the API name a member by `member_no`, never by the primary key."""

    member_no = KeyField(_("会员号"), max_length=12, editable=False)
    name = models.CharField(_("姓名"), max_length=40)
    name_pinyin = models.CharField(_("姓名全拼"), max_length=160)
    name_initials = models.CharField(_("姓名首字母"), max_length=40)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("公民身份号码"))
    id_index = KeyField(max_length=32, editable=False)
    id_last4 = KeyField(max_length=4, editable=False)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, editable=False)
    phone_last4 = KeyField(max_length=4, blank=True, editable=False)
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    category = models.CharField(
        _("职工类别"),
        max_length=16,
        choices=WorkerCategory.choices,
        default=WorkerCategory.EMPLOYEE,
    )
    union = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("所在工会"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # members_union_status leads with union
    )
    join_date = models.DateField(_("入会日期"), null=True, blank=True)
    status = models.CharField(
        _("会籍状态"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    is_hardship = models.BooleanField(_("困难职工"), default=False)
    is_model_worker = models.BooleanField(_("劳模"), default=False)
    account = models.OneToOneField(
        "accounts.User",
        verbose_name=_("会员服务账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_record",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        # Exact-match keys get plain constraints and indexes: `unique=True`/`db_index=True` on a
        # CharField would add a second, pattern-ops copy of each on PostgreSQL that no query
        # uses and every insert pays for. A phone is found through its last four digits and
        # then its blind index, which needs no index of its own.
        constraints = [
            models.UniqueConstraint(fields=["member_no"], name="members_member_no"),
            # One person is one member in the whole city.
            models.UniqueConstraint(fields=["id_index"], name="members_one_person"),
        ]
        indexes = [
            models.Index(fields=["union", "status"], name="members_union_status"),
            models.Index(fields=["id_last4"], name="members_id_last4"),
            models.Index(fields=["phone_last4"], name="members_phone_last4"),
            # Prefix search (`__prefix`): pattern operator class for LIKE on PostgreSQL.
            models.Index(fields=["name"], name="members_name", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["name_pinyin"], name="members_pinyin", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["name_initials"], name="members_initials", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.member_no})"


class MemberNumberBlock(models.Model):
    """The last member number issued: numbers are taken in blocks under a row lock and are never
    reused."""

    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last)


class MemberEvent(models.Model):
    """A member's own history: every change and transition, who made it and when."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("事项"), max_length=40)
    changes = models.JSONField(_("变更内容"), default=dict)
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="+", verbose_name=_("工会")
    )

    class Meta:
        verbose_name = _("会员变更记录")
        verbose_name_plural = _("会员变更记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "-at"], name="members_event_member_at")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("已拒绝")
    CANCELLED = "cancelled", _("已撤回")


class Transfer(models.Model):
    """转会: the side that did not start the transfer decides (the receiving union when the
    member's union sends them, the member's union when the receiving union asks for them, as
    an import does); the member keeps the member number and history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_union = models.ForeignKey(
        "orgs.Union", verbose_name=_("转出工会"), on_delete=models.PROTECT, related_name="+"
    )
    to_union = models.ForeignKey(
        "orgs.Union", verbose_name=_("转入工会"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_receiver = models.BooleanField(_("由转入工会发起"), default=False)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("转会申请")
        verbose_name_plural = _("转会申请")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="pending"),
                name="members_one_pending_transfer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_union_id} → {self.to_union_id}"

    @property
    def deciding_union(self) -> Union:
        return self.from_union if self.requested_by_receiver else self.to_union

    @property
    def requesting_union(self) -> Union:
        return self.to_union if self.requested_by_receiver else self.from_union


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("已更正")
    REJECTED = "rejected", _("未更正")


class CorrectionRequest(models.Model):
    """A member asks their union to correct their own data (PIPL: the right to correction).
    The proposed value may be an identity number, so it is stored encrypted."""

    class Field(models.TextChoices):
        NAME = "name", _("姓名")
        ID_NUMBER = "id_number", _("身份证号")
        PHONE = "phone", _("手机号码")
        ETHNICITY = "ethnicity", _("民族")
        EDUCATION = "education", _("学历")
        CATEGORY = "category", _("职工类别")
        JOIN_DATE = "join_date", _("入会日期")
        OTHER = "other", _("其他")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        Member, verbose_name=_("会员"), on_delete=models.CASCADE, related_name="corrections"
    )
    field = models.CharField(_("要更正的项目"), max_length=16, choices=Field.choices)
    proposed = EncryptedTextField(_("正确的内容"))
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)

    scope_path = "member__union__path"

    class Meta:
        verbose_name = _("信息更正申请")
        verbose_name_plural = _("信息更正申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "field"],
                condition=models.Q(status="pending"),
                name="members_one_pending_correction_per_field",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.field}"
