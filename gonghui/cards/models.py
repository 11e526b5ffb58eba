"""The union member card merged with the city's citizen card (市民卡), and the member's dynamic
QR code. The citizen-card bureau makes the cards; see `citizen_card.py` for the exchange."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField


class CardStatus(models.TextChoices):
    APPLIED = "applied", _("已申领")
    PRODUCING = "producing", _("制卡中")
    MADE = "made", _("待激活")
    ACTIVE = "active", _("已激活")
    LOST = "lost", _("已挂失")
    REPLACED = "replaced", _("已补卡作废")
    CANCELLED = "cancelled", _("已注销")


# A member holds at most one card in these states; the others are history.
LIVE_STATUSES = ("applied", "producing", "made", "active", "lost")


class IssueBatch(models.Model):
    """A union's bulk issuance: the cards sent to the bureau in one production file."""

    class Status(models.TextChoices):
        OPEN = "open", _("待报送")
        SENT = "sent", _("已报送制卡")
        RETURNED = "returned", _("已回盘")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch_no = models.CharField(_("批次号"), max_length=20, unique=True)
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("申领工会"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("回盘时间"), null=True, blank=True)

    scope_path = "union__path"

    class Meta:
        verbose_name = _("制卡批次")
        verbose_name_plural = _("制卡批次")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.batch_no


class Card(models.Model):
    """URLs and the API name a card by `public_id`. The citizen-card and bank-card numbers are
    encrypted; `citizen_index` finds a card by the number a POS terminal reads."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        "members.Member", verbose_name=_("会员"), on_delete=models.PROTECT, related_name="cards"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CardStatus.choices, default=CardStatus.APPLIED
    )
    citizen_card_no = EncryptedTextField(_("市民卡号"), blank=True)
    citizen_index = models.CharField(max_length=32, blank=True, editable=False)
    citizen_last4 = models.CharField(max_length=4, blank=True, editable=False)
    bank_card_no = EncryptedTextField(_("联名银行卡号"), blank=True)
    bank_last4 = models.CharField(max_length=4, blank=True, editable=False)
    batch = models.ForeignKey(
        IssueBatch,
        verbose_name=_("制卡批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cards",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("补办自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    applied_at = models.DateTimeField(_("申领时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "member__union__path"

    class Meta:
        verbose_name = _("会员卡")
        verbose_name_plural = _("会员卡")
        indexes = [models.Index(fields=["batch", "status"], name="cards_batch_status")]
        constraints = [
            # One live card per member, even when two applications race.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="cards_one_live_card_per_member",
            ),
            models.UniqueConstraint(
                fields=["citizen_index"],
                condition=~models.Q(citizen_index=""),
                name="cards_citizen_card_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status}"


class CardEvent(models.Model):
    """A card's history: every transition, who made it and when."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("会员卡变更记录")
        verbose_name_plural = _("会员卡变更记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.card_id} {self.from_status}→{self.to_status}"


class QrKey(models.Model):
    """The member's dynamic-QR secret. `handle` names the member inside a code without the
    member number; `last_step` is the newest 30-second step already used, so a code (and every
    older one) is good for one transaction only."""

    member = models.OneToOneField("members.Member", on_delete=models.CASCADE, related_name="qr_key")
    handle = models.CharField(max_length=10, unique=True)
    secret = EncryptedTextField()
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会员动态码密钥")
        verbose_name_plural = _("会员动态码密钥")

    def __str__(self) -> str:
        return self.handle
