"""The hardship figures target assessment and benchmarking read (see gonghui.core.indicators).

A department scope has figures only for the department that runs the program (保障部), and
then city-wide."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import workdays
from gonghui.core.indicators import Indicator, Scope, register
from gonghui.hardship.models import AidApplication, Disbursement, Policy
from gonghui.orgs.models import Department

CENT = Decimal("0.01")


def _union_filter(scope: Scope) -> Q | None:
    if scope.department is not None:
        programs = (
            Department.objects.filter(code=scope.department)
            .values_list("programs", flat=True)
            .first()
        )
        return Q() if programs and "hardship" in programs else None
    if scope.union_path is None:
        return Q()
    return Q(union__path__prefix=scope.union_path)


def _period(scope: Scope) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(scope.starts_on, time.min, tzinfo=zone)
    end = datetime.combine(scope.ends_on + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def aid_paid_on_time(scope: Scope) -> Decimal | None:
    """% of the money aid approved in the period that was paid within the year's limit of
    working days after approval (帮扶工作规则, 10 by default); None when nothing was approved."""
    unions = _union_filter(scope)
    if unions is None:
        return None
    start, end = _period(scope)
    rows = (
        AidApplication.objects.filter(
            unions, approved_at__gte=start, approved_at__lt=end, approved_fen__gt=0
        )
        .values_list("approved_at", "paid_at", "year")
        .order_by()
    )
    limits = dict(Policy.objects.values_list("year", "paid_within_working_days"))
    total = on_time = 0
    for approved_at, paid_at, year in rows.iterator(chunk_size=2000):
        total += 1
        if paid_at is None:
            continue
        approved_on = timezone.localtime(approved_at).date()
        deadline = workdays.add_working_days(approved_on, limits.get(year, 10))
        if timezone.localtime(paid_at).date() <= deadline:
            on_time += 1
    if not total:
        return None
    return (Decimal(on_time * 100) / Decimal(total)).quantize(CENT, ROUND_HALF_UP)


def aid_paid_fen(scope: Scope) -> Decimal | None:
    """Aid paid in the period (the ledger), in 元; None when nothing was paid."""
    unions = _union_filter(scope)
    if unions is None:
        return None
    start, end = _period(scope)
    total = Disbursement.objects.filter(unions, at__gte=start, at__lt=end).aggregate(
        t=Sum("amount_fen")
    )["t"]
    if total is None:
        return None
    return (Decimal(int(total)) / 100).quantize(CENT)


register(
    Indicator(
        code="hardship.aid_paid_on_time",
        program="hardship",
        label=_("帮扶救助及时发放率"),
        unit="%",
        compute=aid_paid_on_time,
        description=_("期间内批准的帮扶救助中，在规定工作日内发放到位的比例"),
    )
)
register(
    Indicator(
        code="hardship.aid_paid_fen",
        program="hardship",
        label=_("帮扶救助发放金额"),
        unit=_("元"),
        compute=aid_paid_fen,
        description=_("期间内实际发放的帮扶救助资金合计（含应急救援）"),
    )
)
