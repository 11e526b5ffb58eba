"""Reads of the discount program. A merchant reads only its own rows: every query here starts
from the merchant the caller acts for (the verified terminal, or the cashier's employer)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from gonghui.core.errors import NotFound
from gonghui.pos.models import LedgerEntry, Transaction

# What a list of sales needs of the member: the name (masked on the way out), not the
# encrypted identity number and phone, which would be decrypted row by row for nothing.
MEMBER_SECRETS = ("member__id_number", "member__phone")


def member_savings_fen(member: Any) -> int:
    """ "已为您节省 ¥X": the member's discounts less what refunds took back."""
    total = LedgerEntry.objects.filter(member=member).aggregate(total=Sum("discount_fen"))["total"]
    return int(total or 0)


def member_ledger(member: Any) -> QuerySet[LedgerEntry]:
    """The member's sales and refunds, newest first (index pos_ledger_member_at)."""
    return (
        LedgerEntry.objects.filter(member=member).select_related("merchant").order_by("-at", "-id")
    )


def merchant_transactions(merchant: Any, *, day: date | None = None) -> QuerySet[Transaction]:
    """The merchant's sales (of one local day when given), newest first."""
    rows = Transaction.objects.filter(merchant=merchant)
    if day is not None:
        rows = rows.filter(local_date=day)
    return (
        rows.select_related("member", "quote").defer(*MEMBER_SECRETS).order_by("-created_at", "-id")
    )


def transaction_get(merchant: Any, public_id: UUID) -> Transaction:
    """One of the merchant's sales; another merchant's is as unknown as a made-up id."""
    row = (
        Transaction.objects.filter(merchant=merchant, public_id=public_id)
        .select_related("member", "quote")
        .defer(*MEMBER_SECRETS)
        .first()
    )
    if row is None:
        raise NotFound("pos.transaction_not_found", _("交易不存在"))
    return row
