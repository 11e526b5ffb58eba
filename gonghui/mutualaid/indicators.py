"""The mutual-aid figures target assessment and benchmarking read (see gonghui.core.indicators).

Each is one aggregate (after looking up the plan year) with a path-prefix filter on the union.
A department scope has figures only for the department that runs the plan, and then city-wide."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.indicators import Indicator, Scope, register
from gonghui.members.models import Member, MemberStatus
from gonghui.mutualaid.models import Claim, ClaimStatus, Enrolment, EnrolmentStatus, PlanYear
from gonghui.orgs.models import Department

CENT = Decimal("0.01")


def _union_filter(scope: Scope, field: str) -> Q | None:
    """The rows' union condition, or None when the scope has no mutual-aid data at all."""
    if scope.department is not None:
        programs = (
            Department.objects.filter(code=scope.department)
            .values_list("programs", flat=True)
            .first()
        )
        return Q() if programs and "mutualaid" in programs else None
    if scope.union_path is None:
        return Q()
    return Q(**{f"{field}__prefix": scope.union_path})


def _period(scope: Scope) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(scope.starts_on, time.min, tzinfo=zone)
    end = datetime.combine(scope.ends_on + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def enrolment_rate(scope: Scope) -> Decimal | None:
    """% of the members 在会 in scope who are enrolled in the plan year covering `ends_on`."""
    unions = _union_filter(scope, "union__path")
    if unions is None:
        return None
    plan = PlanYear.objects.filter(starts_on__lte=scope.ends_on, ends_on__gte=scope.ends_on).first()
    if plan is None:
        return None
    enrolled = Enrolment.objects.filter(
        plan_year=plan, member=OuterRef("pk"), status=EnrolmentStatus.ACTIVE
    )
    figures = (
        Member.objects.filter(unions, status=MemberStatus.ACTIVE)
        .filter(Q(join_date__isnull=True) | Q(join_date__lte=scope.ends_on))
        .aggregate(total=Count("pk"), enrolled=Count("pk", filter=Q(Exists(enrolled))))
    )
    if not figures["total"]:
        return None
    rate = Decimal(figures["enrolled"]) * 100 / Decimal(figures["total"])
    return rate.quantize(CENT, rounding=ROUND_HALF_UP)


def _paid_claims(scope: Scope) -> Q | None:
    unions = _union_filter(scope, "union__path")
    if unions is None:
        return None
    start, end = _period(scope)
    return unions & Q(status=ClaimStatus.PAID, paid_at__gte=start, paid_at__lt=end)


def claims_paid_fen(scope: Scope) -> Decimal | None:
    """Benefit paid out in the period; no data when no plan year overlaps it."""
    condition = _paid_claims(scope)
    if condition is None:
        return None
    if not PlanYear.objects.filter(
        starts_on__lte=scope.ends_on, ends_on__gte=scope.starts_on
    ).exists():
        return None
    total = Claim.objects.filter(condition).aggregate(total=Sum("payable_fen"))["total"]
    return Decimal(total or 0)


def payout_days_avg(scope: Scope) -> Decimal | None:
    """Average days from a claim's submission to its payment, over claims paid in the period."""
    condition = _paid_claims(scope)
    if condition is None:
        return None
    waited = ExpressionWrapper(F("paid_at") - F("submitted_at"), output_field=DurationField())
    average = Claim.objects.filter(condition).aggregate(
        days=Avg(waited, output_field=DurationField())
    )["days"]
    if average is None:
        return None
    days = Decimal(average.total_seconds()) / Decimal(86400)
    return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


register(
    Indicator(
        code="mutualaid.enrolment_rate",
        program="mutualaid",
        label=_("职工医疗互助参保率"),
        unit="%",
        compute=enrolment_rate,
        description=_("期末在会会员中参加当期保障的比例"),
    )
)
register(
    Indicator(
        code="mutualaid.claims_paid_fen",
        program="mutualaid",
        label=_("互助金支付金额"),
        unit=_("分"),
        compute=claims_paid_fen,
        description=_("期内支付的互助金合计（分）"),
    )
)
register(
    Indicator(
        code="mutualaid.payout_days_avg",
        program="mutualaid",
        label=_("互助金平均支付天数"),
        unit=_("天"),
        compute=payout_days_avg,
        higher_is_better=False,
        description=_("期内支付的申请从提交到支付的平均天数"),
    )
)
