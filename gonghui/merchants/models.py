"""会员服务基地: merchants that give members a discount, under a contract with the federation,
with cashier accounts and POS terminal keys."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField


class Category(models.TextChoices):
    FOOD = "food", _("餐饮")
    LODGING = "lodging", _("住宿")
    TRANSPORT = "transport", _("乘车")
    HEALTH = "health", _("健康")
    CLINIC = "clinic", _("就诊")
    SHOPPING = "shopping", _("购物")
    CULTURE = "culture", _("文旅")
    OTHER = "other", _("其他")


class MerchantStatus(models.TextChoices):
    APPLIED = "applied", _("待审核")
    REJECTED = "rejected", _("未通过")
    ACTIVE = "active", _("合作中")
    SUSPENDED = "suspended", _("已暂停")
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已终止")


class Merchant(models.Model):
    """URLs and the API name a merchant by `code` (SH + 5 digits, given on approval and never
    reused), never by the primary key. An application has no code yet: the applicant follows it
    by `application_no` and the phone given."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("商户编号"), max_length=12, unique=True, null=True, blank=True)
    application_no = models.CharField(
        _("申请编号"), max_length=12, unique=True, null=True, blank=True
    )
    name = models.CharField(_("商户名称"), max_length=80)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    district = models.ForeignKey(
        "orgs.Union",
        verbose_name=_("所在县区"),
        on_delete=models.PROTECT,
        related_name="merchants",
        help_text=_("所在县区的总工会，负责日常联系"),
    )
    address = models.CharField(_("地址"), max_length=160)
    # Optional on an application (the reviewer fixes them); required before approval.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    opening_hours = models.CharField(_("营业时间"), max_length=80, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    description = models.TextField(_("简介"), blank=True)
    proposal = models.CharField(
        _("拟给予会员的优惠"), max_length=200, blank=True, help_text=_("申请时填写，审核时参考")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MerchantStatus.choices, default=MerchantStatus.APPLIED
    )
    status_note = models.CharField(_("状态说明"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "district__path"

    class Meta:
        verbose_name = _("会员服务基地")
        verbose_name_plural = _("会员服务基地")
        indexes = [
            models.Index(fields=["status", "category"], name="merchants_status_category"),
            models.Index(fields=["district", "status"], name="merchants_district_status"),
        ]
        constraints = [
            # One open application per credit code: a second one waits for the first answer.
            models.UniqueConstraint(
                fields=["uscc"],
                condition=models.Q(status="applied") & ~models.Q(uscc=""),
                name="merchants_one_open_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code or self.application_no})"


class DiscountKind(models.TextChoices):
    RATE = "rate", _("按折扣")
    FIXED = "fixed", _("立减金额")


class Contract(models.Model):
    """The discount a merchant agreed to for a period. A renewal or a changed rule is a new
    contract; a transaction uses the one in force on its day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="contracts")
    contract_no = models.CharField(_("协议编号"), max_length=30, unique=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("到期日期"))
    discount_kind = models.CharField(_("优惠方式"), max_length=8, choices=DiscountKind.choices)
    discount_rate = models.DecimalField(
        _("折扣率"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("会员实付比例，0.50–0.90，即五折到九折"),
    )
    fixed_off_fen = models.PositiveIntegerField(_("立减金额（分）"), null=True, blank=True)
    min_amount_fen = models.PositiveIntegerField(_("最低消费（分）"), default=0)
    per_txn_cap_fen = models.PositiveIntegerField(_("单笔优惠上限（分）"), null=True, blank=True)
    per_member_day_cap_fen = models.PositiveIntegerField(
        _("每人每日优惠上限（分）"), null=True, blank=True
    )
    signed_at = models.DateTimeField(_("签订时间"), auto_now_add=True)
    signed_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("优惠协议")
        verbose_name_plural = _("优惠协议")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["merchant", "valid_from"], name="merchants_contract_from")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="merchants_contract_period",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        discount_kind="rate",
                        discount_rate__gte="0.50",
                        discount_rate__lte="0.90",
                        fixed_off_fen__isnull=True,
                    )
                    | models.Q(
                        discount_kind="fixed",
                        discount_rate__isnull=True,
                        fixed_off_fen__gt=0,
                    )
                ),
                name="merchants_contract_discount",
            ),
        ]

    def __str__(self) -> str:
        return self.contract_no

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


def photo_path(instance: MerchantPhoto, filename: str) -> str:
    """A random name under the merchant; the extension is the one photo_add found by content."""
    extension = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"merchants/{instance.merchant.public_id}/{uuid.uuid4().hex}{extension}"


class MerchantPhoto(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=photo_path)
    caption = models.CharField(_("说明"), max_length=60, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("商户照片")
        verbose_name_plural = _("商户照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or str(self.pk)

    @property
    def file_name(self) -> str:
        """The random file name, which page URLs use for the photo."""
        return str(self.image.name).rsplit("/", 1)[-1]


class StaffRole(models.TextChoices):
    MANAGER = "manager", _("店长")
    CASHIER = "cashier", _("收银员")


class MerchantStaff(models.Model):
    """A merchant-kind account working for one merchant (cashier page, own statements)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="merchant_staff"
    )
    role = models.CharField(_("岗位"), max_length=16, choices=StaffRole.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("商户人员")
        verbose_name_plural = _("商户人员")

    def __str__(self) -> str:
        return f"{self.merchant.code} {self.user}"


class TerminalKey(models.Model):
    """A POS terminal's signing key. The secret is kept encrypted because verifying an HMAC
    needs it; it is shown once, when issued."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="keys")
    key_id = models.CharField(_("密钥编号"), max_length=40, unique=True)
    secret = EncryptedTextField(_("密钥"))
    label = models.CharField(_("终端名称"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("终端密钥")
        verbose_name_plural = _("终端密钥")

    def __str__(self) -> str:
        return self.key_id


class MerchantEvent(models.Model):
    """A merchant's history: application, review, contracts, suspension, keys."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.kind}"
