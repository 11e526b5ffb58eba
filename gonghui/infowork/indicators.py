"""Information-work figures for target assessment (目标考核) and benchmarking (对标)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.indicators import Indicator, Scope, register
from gonghui.infowork import rules
from gonghui.infowork.models import (
    Correction,
    InfoOfficer,
    Instruction,
    Publication,
    PublicationStatus,
    Quota,
    Submission,
    SubmissionStatus,
)
from gonghui.infowork.selectors import scope_filter, shortfall_penalty


def points(scope: Scope) -> Decimal | None:
    """Verified publication points + 批示 − 差错 of the subtree (or department) in the period;
    None when it has neither information officers nor any record."""
    where = scope_filter(union_path=scope.union_path, department=scope.department)
    period = (scope.starts_on, scope.ends_on)
    published = Publication.objects.filter(
        where, status=PublicationStatus.VERIFIED, published_on__range=period
    ).aggregate(t=Sum("points"))["t"]
    bonus = Instruction.objects.filter(where, instructed_on__range=period).aggregate(
        t=Sum("points")
    )["t"]
    penalty = Correction.objects.filter(where, occurred_on__range=period).aggregate(
        t=Sum("points")
    )["t"]
    if published is None and bonus is None and penalty is None:
        has_officers = InfoOfficer.objects.filter(where).exists()
        return Decimal("0.0") if has_officers else None
    return (published or Decimal(0)) + (bonus or Decimal(0)) - (penalty or Decimal(0))


def _own_totals(quota: Quota) -> tuple[int, Decimal]:
    """Adopted pieces and net points of the quota's own union (or department) in its year."""
    own = Q(union=quota.union) & (
        Q(department=quota.department) if quota.department else Q(department__isnull=True)
    )
    year = quota.year
    pieces = Submission.objects.filter(
        own, status=SubmissionStatus.ADOPTED, adopted_at__year=year
    ).count()
    published = Publication.objects.filter(
        own, status=PublicationStatus.VERIFIED, published_on__year=year
    ).aggregate(t=Sum("points"))["t"]
    bonus = Instruction.objects.filter(own, instructed_on__year=year).aggregate(t=Sum("points"))[
        "t"
    ]
    penalty = Correction.objects.filter(own, occurred_on__year=year).aggregate(t=Sum("points"))["t"]
    return pieces, (published or Decimal(0)) + (bonus or Decimal(0)) - (penalty or Decimal(0))


def quota_rate(scope: Scope) -> Decimal | None:
    """% of the annual quotas in the scope that were met (both pieces and points), for the
    years the period touches; None without quotas."""
    quotas = list(
        Quota.objects.filter(
            scope_filter(union_path=scope.union_path, department=scope.department),
            year__range=(scope.starts_on.year, scope.ends_on.year),
        ).select_related("union", "department")
    )
    if not quotas:
        return None
    outcomes = []
    for quota in quotas:
        pieces, achieved = _own_totals(quota)
        outcomes.append(
            rules.quota_outcome(
                pieces_target=quota.pieces,
                pieces_done=pieces,
                points_target=quota.points,
                points_done=achieved,
                shortfall_penalty=shortfall_penalty(quota.year),
            )
        )
    return rules.quota_rate(outcomes)


register(
    Indicator(
        code="infowork.points",
        program="infowork",
        label=_("信息工作积分"),
        unit=_("分"),
        compute=points,
        description=_("已核实的刊用积分加领导批示加分、减差错扣分"),
    )
)
register(
    Indicator(
        code="infowork.quota_rate",
        program="infowork",
        label=_("信息工作任务完成率"),
        unit="%",
        compute=quota_rate,
        description=_("完成年度采用篇数和积分任务的单位所占比例"),
    )
)
