"""Discount transactions at member service merchants: quotes, confirmed transactions, refunds,
the append-only hash-chained ledger, idempotency records, nonces and monthly settlements.
All amounts are integer fen."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CredentialKind(models.TextChoices):
    CARD = "card", _("会员卡")
    QR = "qr", _("动态码")


class Quote(models.Model):
    """What the terminal shows before the member pays: valid for a few minutes, used once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    terminal = models.ForeignKey(
        "merchants.TerminalKey", null=True, on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey("merchants.Contract", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    card = models.ForeignKey(
        "cards.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credential_kind = models.CharField(max_length=8, choices=CredentialKind.choices)
    amount_fen = models.PositiveBigIntegerField()
    discount_fen = models.PositiveBigIntegerField()
    payable_fen = models.PositiveBigIntegerField()
    rule = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("优惠报价")
        verbose_name_plural = _("优惠报价")

    def __str__(self) -> str:
        return str(self.public_id)


class Transaction(models.Model):
    """A confirmed discount sale. `local_date` is the day in Asia/Shanghai, the day caps and
    reconciliation count by."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("商户"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # pos_txn_merchant_date leads with merchant
    )
    terminal = models.ForeignKey(
        "merchants.TerminalKey", null=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("会员"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # pos_txn_member_at leads with member
    )
    card = models.ForeignKey(
        "cards.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="transaction")
    credential_kind = models.CharField(_("凭证"), max_length=8, choices=CredentialKind.choices)
    amount_fen = models.PositiveBigIntegerField(_("消费金额（分）"))
    discount_fen = models.PositiveBigIntegerField(_("优惠金额（分）"))
    payable_fen = models.PositiveBigIntegerField(_("实付金额（分）"))
    refunded_fen = models.PositiveBigIntegerField(_("已退款（分）"), default=0)
    discount_reversed_fen = models.PositiveBigIntegerField(_("已冲回优惠（分）"), default=0)
    rule = models.CharField(_("优惠规则"), max_length=200)
    external_ref = models.CharField(_("商户流水号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("交易时间"), auto_now_add=True)
    local_date = models.DateField(_("交易日期"))

    class Meta:
        verbose_name = _("优惠交易")
        verbose_name_plural = _("优惠交易")
        indexes = [
            models.Index(fields=["merchant", "local_date"], name="pos_txn_merchant_date"),
            models.Index(fields=["member", "created_at"], name="pos_txn_member_at"),
            models.Index(fields=["local_date"], name="pos_txn_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded_fen__lte=models.F("payable_fen")),
                name="pos_txn_refund_not_above_paid",
            ),
            models.CheckConstraint(
                condition=models.Q(payable_fen=models.F("amount_fen") - models.F("discount_fen")),
                name="pos_txn_payable_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Refund(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveBigIntegerField(_("退款金额（分）"))
    discount_reversed_fen = models.PositiveBigIntegerField(_("冲回优惠（分）"))
    created_at = models.DateTimeField(_("退款时间"), auto_now_add=True)
    local_date = models.DateField(_("退款日期"))

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")

    def __str__(self) -> str:
        return str(self.public_id)


class DayUsage(models.Model):
    """Discount a member has had at one merchant on one day: the row locked to hold the
    per-member-per-day cap when two terminals confirm at once."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    discount_fen = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "member", "day"], name="pos_day_usage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.member_id}/{self.day}"


class EntryKind(models.TextChoices):
    SALE = "sale", _("消费")
    REFUND = "refund", _("退款")


class LedgerEntry(models.Model):
    """Append-only: one entry per sale and per refund, signed amounts (a refund is negative).
    Each merchant's entries form a hash chain (`seq`, `prev_hash`, `hash`) so a changed or
    removed entry is detected by `manage.py pos_ledger_verify`."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="+")
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_fen = models.BigIntegerField(_("消费金额（分）"))
    discount_fen = models.BigIntegerField(_("优惠金额（分）"))
    payable_fen = models.BigIntegerField(_("实付金额（分）"))
    at = models.DateTimeField(_("时间"))
    local_date = models.DateField(_("日期"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("优惠台账")
        verbose_name_plural = _("优惠台账")
        indexes = [
            models.Index(fields=["member", "at"], name="pos_ledger_member_at"),
            models.Index(fields=["local_date", "merchant"], name="pos_ledger_date_merchant"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "seq"], name="pos_ledger_merchant_seq")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}#{self.seq}"


class LedgerHead(models.Model):
    """The newest entry of a merchant's chain; locked while an entry is appended."""

    merchant = models.OneToOneField(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.merchant_id}#{self.seq}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an `Idempotency-Key`, replayed for 24 h."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "key"], name="pos_idempotency_unique")
        ]

    def __str__(self) -> str:
        return self.key


class Nonce(models.Model):
    """A signed request's nonce, refused when seen again within the timestamp window."""

    key_id = models.CharField(max_length=40)
    nonce = models.CharField(max_length=100)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key_id", "nonce"], name="pos_nonce_unique")]

    def __str__(self) -> str:
        return self.nonce


class Settlement(models.Model):
    """A merchant's monthly statement, summed from the ledger."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("商户"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    sales = models.PositiveIntegerField(_("消费笔数"))
    refunds = models.PositiveIntegerField(_("退款笔数"))
    amount_fen = models.BigIntegerField(_("消费金额（分）"))
    discount_fen = models.BigIntegerField(_("优惠金额（分）"))
    payable_fen = models.BigIntegerField(_("实收金额（分）"))
    last_seq = models.PositiveBigIntegerField(_("台账截止序号"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    generated_at = models.DateTimeField(_("生成时间"), auto_now=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("月度结算单")
        verbose_name_plural = _("月度结算单")
        ordering = ["-month", "merchant_id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "month"], name="pos_settlement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.month:%Y-%m}"
