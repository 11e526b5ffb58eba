"""Shared data the whole platform reads: the working-day calendar's local corrections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose status differs from what weekends and the national holiday table say:
    a 调休 make-up working Saturday the holiday data lacks, or a local holiday."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'workday' if self.is_workday else 'holiday'}"


class LedgerHead(models.Model):
    """The last sequence number and hash of each chain of each hash-chained ledger
    (gonghui/core/ledger.py): what `verify` compares the end of a chain with."""

    ledger = models.CharField(
        max_length=60
    )  # the ledger model's label, e.g. "mutualaid.ledgerentry"
    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ledger", "chain"], name="core_ledger_head_chain")
        ]

    def __str__(self) -> str:
        return f"{self.ledger}:{self.chain}@{self.seq}"
