"""The membership figures target assessment and benchmarking read (see gonghui.core.indicators).

Each is one aggregate over the member table with a path-prefix filter on the union, so it stays
one indexed query at a million members. Membership belongs to no federation department: a scope
naming one has no data here."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core.indicators import Indicator, Scope, register
from gonghui.members.models import Member, MemberStatus, WorkerCategory

NEW_FORM_CATEGORIES = (
    WorkerCategory.COURIER,
    WorkerCategory.DELIVERY_RIDER,
    WorkerCategory.RIDE_HAILING,
    WorkerCategory.TRUCK_DRIVER,
    WorkerCategory.DOMESTIC,
    WorkerCategory.OTHER_NEW_FORM,
)


def _in_scope(scope: Scope) -> QuerySet[Member] | None:
    if scope.department is not None:
        return None
    qs = Member.objects.all()
    if scope.union_path is not None:
        qs = qs.filter(union__path__prefix=scope.union_path)
    return qs


def _registered_on(scope: Scope) -> Q:
    """在会 on the last day: active now and joined by then (a member without a join date is
    counted; the registry has no dated status history to do better)."""
    return Q(status=MemberStatus.ACTIVE) & (
        Q(join_date__isnull=True) | Q(join_date__lte=scope.ends_on)
    )


def registered(scope: Scope) -> Decimal | None:
    qs = _in_scope(scope)
    if qs is None:
        return None
    return Decimal(qs.filter(_registered_on(scope)).count())


def joined(scope: Scope) -> Decimal | None:
    qs = _in_scope(scope)
    if qs is None:
        return None
    return Decimal(qs.filter(join_date__gte=scope.starts_on, join_date__lte=scope.ends_on).count())


def new_form_workers(scope: Scope) -> Decimal | None:
    qs = _in_scope(scope)
    if qs is None:
        return None
    return Decimal(qs.filter(_registered_on(scope), category__in=NEW_FORM_CATEGORIES).count())


register(
    Indicator(
        code="members.registered",
        program="members",
        label=_("在会会员人数"),
        unit=_("人"),
        compute=registered,
        description=_("期末在会的会员人数"),
    )
)
register(
    Indicator(
        code="members.joined",
        program="members",
        label=_("新入会会员人数"),
        unit=_("人"),
        compute=joined,
        description=_("期内入会的会员人数"),
    )
)
register(
    Indicator(
        code="members.new_form_workers",
        program="members",
        label=_("新就业形态劳动者入会人数"),
        unit=_("人"),
        compute=new_form_workers,
        description=_(
            "期末在会的快递员、外卖送餐员、网约车司机、货车司机、家政服务员等新就业形态劳动者"
        ),
    )
)
