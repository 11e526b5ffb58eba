"""Figures of the model-worker program for target assessment and benchmarking."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.indicators import Indicator, Scope, register
from gonghui.modelworkers.models import AllowancePaid, Invitation, InvitationState, Trip

DEPARTMENT = "production"  # 生产保护部 runs the program


def _outside(scope: Scope) -> bool:
    return scope.department is not None and scope.department != DEPARTMENT


def allowance_paid_fen(scope: Scope) -> Decimal | None:
    """Allowances paid (by the bank's result) within the dates, to model workers of the subtree."""
    if _outside(scope):
        return None
    ledger = AllowancePaid.objects.all()
    if scope.union_path:
        ledger = ledger.filter(union__path__startswith=scope.union_path)
    if not ledger.exists():
        return None
    total = ledger.filter(paid_on__gte=scope.starts_on, paid_on__lte=scope.ends_on).aggregate(
        t=Sum("amount_fen")
    )["t"]
    return Decimal(int(total or 0))


def recuperation_participants(scope: Scope) -> Decimal | None:
    """Model workers who took part in a 疗休养 trip starting within the dates."""
    if _outside(scope):
        return None
    trips = Trip.objects.all()
    if scope.union_path:
        trips = trips.filter(union__path__startswith=scope.union_path)
    if not trips.exists():
        return None
    went = Invitation.objects.filter(
        trip__in=trips,
        state=InvitationState.ATTENDED,
        trip__starts_on__gte=scope.starts_on,
        trip__starts_on__lte=scope.ends_on,
    )
    return Decimal(went.values("model_worker").distinct().count())


register(
    Indicator(
        code="modelworkers.allowance_paid_fen",
        program="modelworkers",
        label=_("劳模津贴发放金额"),
        unit=_("分"),
        compute=allowance_paid_fen,
        description=_("期间内银行回盘确认已发放的劳模津贴合计"),
    )
)
register(
    Indicator(
        code="modelworkers.recuperation_participants",
        program="modelworkers",
        label=_("劳模疗休养人数"),
        unit=_("人"),
        compute=recuperation_participants,
        description=_("期间内出发的疗休养中实际参加的劳模人数"),
    )
)
