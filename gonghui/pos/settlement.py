"""Monthly settlement with merchants: one statement per merchant and month, summed in the
database from the ledger.

A statement is a draft until the federation confirms it; regenerating a month refreshes the
drafts and never touches a confirmed statement. A refund counts in the month it happened (its
ledger entry carries that day), so a confirmed month never has to be reopened. `last_seq` is the
newest ledger entry a statement covers: its lines are that merchant's entries of the month up
to it, and they add up to the statement exactly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import get_scoped, require_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import Conflict, DomainError, NotFound
from gonghui.core.masking import mask_name
from gonghui.jobs.registry import ProgressReporter
from gonghui.merchants.models import Category, Merchant
from gonghui.pos.models import EntryKind, LedgerEntry, Settlement
from gonghui.pos.reports import merchants_in_scope, month_start, next_month, yuan
from gonghui.pos.selectors import MEMBER_SECRETS

TOTALS: dict[str, Any] = {
    "sales": Count("pk", filter=Q(kind=EntryKind.SALE)),
    "refunds": Count("pk", filter=Q(kind=EntryKind.REFUND)),
    "amount_fen": Coalesce(Sum("amount_fen"), 0),
    "discount_fen": Coalesce(Sum("discount_fen"), 0),
    "payable_fen": Coalesce(Sum("payable_fen"), 0),
    "last_seq": Coalesce(Max("seq"), 0),
}
TOTAL_FIELDS = tuple(TOTALS)


def parse_month(text: str) -> date:
    """`2026-11` (or `2026-11-05`) → 2026-11-01."""
    try:
        parts = [int(part) for part in str(text).strip().split("-")]
        return date(parts[0], parts[1], 1)
    except (ValueError, IndexError) as exc:
        raise DomainError(
            "pos.month_invalid", _("月份格式应为“年-月”，例如 2026-11"), {"value": str(text)}
        ) from exc


def month_entries(month: date) -> QuerySet[LedgerEntry]:
    month = month_start(month)
    return LedgerEntry.objects.filter(local_date__gte=month, local_date__lt=next_month(month))


def _totals(row: Mapping[str, Any]) -> dict[str, int]:
    return {name: int(row[name] or 0) for name in TOTAL_FIELDS}


def settlement_generate(
    *,
    by: Any,
    month: date,
    merchant: Merchant | None = None,
    progress: ProgressReporter | None = None,
) -> int:
    """Write or refresh the draft statements of `month` for every merchant with ledger entries
    that month (those in `by`'s scope, or all of them when `by` is None: the command line).
    Confirmed statements stay as they are. Returns the number of drafts written."""
    month = month_start(month)
    entries = month_entries(month)
    if by is not None:
        entries = entries.filter(
            merchant_id__in=merchants_in_scope(by, "cards.change").values("pk")
        )
    if merchant is not None:
        entries = entries.filter(merchant=merchant)
    # One grouped query over the month's entries: no row of the ledger reaches Python.
    rows = list(entries.values("merchant_id").annotate(**TOTALS).order_by("merchant_id"))
    if progress is not None:
        progress.set_total(len(rows))
    written = 0
    for row in rows:
        if _write_draft(merchant_id=row["merchant_id"], month=month, totals=_totals(row)):
            written += 1
        if progress is not None:
            progress.advance()
    log_action(
        "pos.settlement.generated",
        actor=by,
        object_repr=_("%(month)s 月度结算单") % {"month": f"{month:%Y-%m}"},
        changes={
            "month": f"{month:%Y-%m}",
            "merchant": merchant.code if merchant else "",
            "drafts": written,
            "confirmed_kept": len(rows) - written,
        },
        union_path=merchant.district.path if merchant else "",
    )
    return written


def _write_draft(*, merchant_id: int, month: date, totals: dict[str, int]) -> bool:
    """False when the statement is confirmed already (it is left alone)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                # Locked against a confirmation of the same statement running now.
                current = (
                    Settlement.objects.select_for_update()
                    .filter(merchant_id=merchant_id, month=month)
                    .first()
                )
                if current is None:
                    Settlement.objects.create(merchant_id=merchant_id, month=month, **totals)
                    return True
                if current.status == Settlement.Status.CONFIRMED:
                    return False
                for name, value in totals.items():
                    setattr(current, name, value)
                current.save(update_fields=[*TOTAL_FIELDS, "generated_at"])
                return True
        except IntegrityError:
            continue  # created by a concurrent run between our read and our insert: retry
    return False


def settlement_confirm(*, by: Any, settlement: Settlement) -> Settlement:
    """Freeze a statement once its month is over: the totals are summed again under the lock,
    so what is confirmed is exactly the ledger."""
    require_perm(by, "cards.change", settlement.merchant.district.path)
    with transaction.atomic():
        # Two staff confirming at once: the row lock lets one win, the other sees it confirmed.
        locked = Settlement.objects.select_for_update().get(pk=settlement.pk)
        if locked.status == Settlement.Status.CONFIRMED:
            raise Conflict("pos.settlement_confirmed", _("该结算单已确认，不能重复确认"))
        if next_month(locked.month) > timezone.localdate():
            raise DomainError(
                "pos.settlement_month_open",
                _("%(month)s 还没有结束，月末之后才能确认结算单")
                % {"month": f"{locked.month:%Y-%m}"},
            )
        row = month_entries(locked.month).filter(merchant_id=locked.merchant_id).aggregate(**TOTALS)
        totals = _totals(row)
        for name, value in totals.items():
            setattr(locked, name, value)
        locked.status = Settlement.Status.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = by
        locked.save()
        log_action(
            "pos.settlement.confirmed",
            actor=by,
            obj=locked,
            object_repr=f"{settlement.merchant.name} {locked.month:%Y-%m}",
            changes={"month": f"{locked.month:%Y-%m}", **totals},
            union_path=settlement.merchant.district.path,
        )
    locked.merchant = settlement.merchant
    return locked


# -- reads ----------------------------------------------------------------------------------


def settlement_list(
    *, actor: Any, month: date | None = None, status: str = ""
) -> QuerySet[Settlement]:
    qs = Settlement.objects.filter(merchant_id__in=merchants_in_scope(actor).values("pk"))
    if month is not None:
        qs = qs.filter(month=month_start(month))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("merchant", "merchant__district", "confirmed_by").order_by(
        "-month", "merchant__code"
    )


def _public_uuid(public_id: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看")) from exc


def settlement_get(*, actor: Any, public_id: Any, permission: str = "cards.view") -> Settlement:
    """404 outside the actor's merchants, 403 when seen but `permission` is not held there."""
    found = (
        Settlement.objects.select_related("merchant", "merchant__district", "confirmed_by")
        .filter(public_id=_public_uuid(public_id))
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    get_scoped(Merchant.objects.all(), actor, permission, pk=found.merchant_id)
    return found


def merchant_settlements(merchant: Merchant) -> QuerySet[Settlement]:
    return Settlement.objects.filter(merchant=merchant).order_by("-month")


def merchant_settlement_get(merchant: Merchant, public_id: Any) -> Settlement:
    found = (
        Settlement.objects.select_related("merchant", "merchant__district")
        .filter(merchant=merchant, public_id=_public_uuid(public_id))
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    return found


def statement_lines(settlement: Settlement) -> QuerySet[LedgerEntry]:
    """The ledger entries a statement sums, in chain order."""
    return (
        month_entries(settlement.month)
        .filter(merchant_id=settlement.merchant_id, seq__lte=settlement.last_seq)
        .select_related("member", "transaction")
        .defer(*MEMBER_SECRETS)
        .order_by("seq")
    )


def statement_line_totals(settlement: Settlement) -> dict[str, int]:
    """The statement summed again from its lines (what a reviewer checks it against)."""
    return _totals(statement_lines(settlement).order_by().aggregate(**TOTALS))


# -- spreadsheets -----------------------------------------------------------------------------


def statement_headers(settlement: Settlement) -> list[str]:
    merchant = settlement.merchant
    return [
        _("月度结算单"),
        f"{merchant.name} ({merchant.code})",
        f"{settlement.month:%Y-%m}",
        str(settlement.get_status_display()),
    ]


def statement_rows(
    *, by: Any, settlement: Settlement, with_member_no: bool = True
) -> Iterator[list[Any]]:
    """The statement's header block, then every ledger line and the total; a merchant's copy
    leaves out member numbers (it does not need them)."""
    log_action(
        "pos.settlement.exported",
        actor=by,
        obj=settlement,
        object_repr=f"{settlement.merchant.name} {settlement.month:%Y-%m}",
        union_path=settlement.merchant.district.path,
    )
    merchant = settlement.merchant
    yield [_("商户编号"), merchant.code]
    yield [_("商户名称"), merchant.name]
    yield [_("结算月份"), f"{settlement.month:%Y-%m}"]
    yield [_("状态"), str(settlement.get_status_display())]
    yield [_("消费笔数"), settlement.sales]
    yield [_("退款笔数"), settlement.refunds]
    yield [_("消费金额（元）"), yuan(settlement.amount_fen)]
    yield [_("优惠金额（元）"), yuan(settlement.discount_fen)]
    yield [_("实收金额（元）"), yuan(settlement.payable_fen)]
    yield [_("台账截止序号"), settlement.last_seq]
    if settlement.confirmed_at:
        yield [
            _("确认时间"),
            timezone.localtime(settlement.confirmed_at).strftime("%Y-%m-%d %H:%M"),
        ]
    yield []
    yield [
        _("台账序号"),
        _("类型"),
        _("时间"),
        _("交易编号"),
        *([_("会员号")] if with_member_no else []),
        _("会员"),
        _("消费金额（元）"),
        _("优惠金额（元）"),
        _("实收金额（元）"),
    ]
    for entry in statement_lines(settlement).iterator(chunk_size=1000):
        yield [
            entry.seq,
            entry.get_kind_display(),
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            str(entry.transaction.public_id),
            *([entry.member.member_no] if with_member_no else []),
            mask_name(entry.member.name),
            yuan(entry.amount_fen),
            yuan(entry.discount_fen),
            yuan(entry.payable_fen),
        ]
    yield [
        _("合计"),
        "",
        "",
        "",
        *([""] if with_member_no else []),
        "",
        yuan(settlement.amount_fen),
        yuan(settlement.discount_fen),
        yuan(settlement.payable_fen),
    ]


def summary_headers() -> list[str]:
    return [
        _("结算月份"),
        _("商户编号"),
        _("商户名称"),
        _("类别"),
        _("所在县区"),
        _("状态"),
        _("消费笔数"),
        _("退款笔数"),
        _("消费金额（元）"),
        _("优惠金额（元）"),
        _("实收金额（元）"),
        _("台账截止序号"),
        _("确认时间"),
    ]


def summary_rows(
    *, by: Any, settlements: QuerySet[Settlement], month: date | None
) -> Iterator[list[Any]]:
    log_action(
        "pos.settlements.exported",
        actor=by,
        object_repr=_("月度结算汇总导出"),
        changes={"month": f"{month:%Y-%m}" if month else "all"},
    )
    categories = dict(Category.choices)
    for item in settlements.iterator(chunk_size=500):
        yield [
            f"{item.month:%Y-%m}",
            item.merchant.code,
            item.merchant.name,
            str(categories.get(item.merchant.category, "")),
            item.merchant.district.name,
            str(item.get_status_display()),
            item.sales,
            item.refunds,
            yuan(item.amount_fen),
            yuan(item.discount_fen),
            yuan(item.payable_fen),
            item.last_seq,
            timezone.localtime(item.confirmed_at).strftime("%Y-%m-%d %H:%M")
            if item.confirmed_at
            else "",
        ]
