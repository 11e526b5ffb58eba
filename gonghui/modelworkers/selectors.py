"""Reads of the model-worker program, always from the actor's scope (or the member's own rows)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import get_scoped, grants_of, require_perm, scoped
from gonghui.core.money import format_fen
from gonghui.members.models import Member
from gonghui.modelworkers import rules
from gonghui.modelworkers.models import (
    AllowanceBatch,
    AllowanceLine,
    AllowancePaid,
    HealthCheck,
    Honour,
    Invitation,
    Lecture,
    ModelWorker,
    Policy,
    SignUp,
    Trip,
    WorkerStatus,
)
from gonghui.orgs.models import Union

VIEW, CHANGE = "modelworkers.view", "modelworkers.change"


def require_view(user: Any) -> None:
    require_perm(user, VIEW)


def is_city_manager(user: Any) -> bool:
    """Policies and the monthly allowance batches are the city federation's (生产保护部)."""
    return any(g.union_kind == "city" and CHANGE in g.permissions for g in grants_of(user))


def city_union() -> Union | None:
    return Union.objects.filter(kind="city", status="active").order_by("id").first()


# -- registry -------------------------------------------------------------------------------


def registry(
    *,
    actor: Any,
    level: str = "",
    status: str = "",
    union: Union | None = None,
    query: str = "",
    registered: bool = True,
) -> QuerySet[ModelWorker]:
    qs = scoped(ModelWorker.objects.all(), actor, VIEW).filter(registered=registered)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if union is not None:
        qs = qs.filter(member__union__path__startswith=union.path)
    if query.strip():
        text = query.strip()
        qs = qs.filter(Q(member__name__startswith=text) | Q(member__member_no=text.upper()))
    return qs.select_related("member__union").order_by("member__member_no")


def model_worker_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> ModelWorker:
    return get_scoped(
        ModelWorker.objects.select_related("member__union"), actor, permission, public_id=public_id
    )


def honours_of(model_worker: ModelWorker) -> QuerySet[Honour]:
    return model_worker.honours.order_by("year", "id")


def model_worker_of(member: Member) -> ModelWorker | None:
    return ModelWorker.objects.filter(member=member).first()


def aid_summary(member: Member) -> list[str]:
    """精准帮扶 for a 困难劳模, as lines of text, from the hardship program when it offers
    `gonghui.hardship.selectors.member_aid_summary(*, member)` (a mapping with `file_no`,
    `status`, `paid_count`, `paid_fen`, or None); empty when it does not or has nothing."""
    try:
        from gonghui.hardship import selectors as hardship_selectors
    except ImportError:
        return []
    summary = getattr(hardship_selectors, "member_aid_summary", None)
    result = summary(member=member) if summary is not None else None
    if not result:
        return []
    if isinstance(result, str):
        return [result]
    if not isinstance(result, Mapping):
        return [str(line) for line in result]
    lines = []
    if result.get("file_no"):
        lines.append(
            _("困难职工档案 %(no)s（%(status)s）")
            % {"no": result["file_no"], "status": result.get("status", "")}
        )
    if result.get("paid_count"):
        lines.append(
            _("已获帮扶 %(n)d 笔，共 %(amount)s")
            % {
                "n": int(result["paid_count"]),
                "amount": format_fen(int(result.get("paid_fen") or 0)),
            }
        )
    return lines


def counts_by(actor: Any, field: str) -> dict[str, int]:
    rows = (
        scoped(ModelWorker.objects.filter(registered=True), actor, VIEW)
        .values(field)
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row[field]: int(row["n"]) for row in rows}


def paid_by_month(
    actor: Any, *, months: int = 12, today: date | None = None
) -> list[tuple[date, int]]:
    """Allowances paid (the ledger) per allowance month, the last `months` months."""
    end = rules.month_start(today or timezone.localdate())
    start = end
    for _i in range(months - 1):
        start = rules.previous_month(start)
    rows = (
        scoped(AllowancePaid.objects.all(), actor, VIEW)
        .filter(for_month__gte=start, for_month__lte=end)
        .values("for_month")
        .annotate(t=Sum("amount_fen"))
        .order_by()
    )
    totals = {row["for_month"]: int(row["t"] or 0) for row in rows}
    result = []
    month = start
    while month <= end:
        result.append((month, totals.get(month, 0)))
        month = rules.next_month(month)
    return result


def payments_of(model_worker: ModelWorker) -> QuerySet[AllowancePaid]:
    return model_worker.payments.order_by("-for_month", "-id")


def lines_of(model_worker: ModelWorker) -> QuerySet[AllowanceLine]:
    return model_worker.lines.select_related("batch").order_by("-for_month", "-id")


# -- policies -------------------------------------------------------------------------------


def policies() -> QuerySet[Policy]:
    return Policy.objects.prefetch_related("rates", "health").order_by("-year")


def policy_for_year(year: int) -> Policy | None:
    return Policy.objects.filter(year=year).first()


def rates_of(policy: Policy) -> dict[rules.RateKey, int]:
    return {(r.level, r.status, r.hardship): r.monthly_fen for r in policy.rates.all()}


def health_of(policy: Policy) -> dict[str, int]:
    return {h.level: h.checks_per_year for h in policy.health.all()}


# -- allowance batches ----------------------------------------------------------------------


def batch_list(*, actor: Any) -> QuerySet[AllowanceBatch]:
    return (
        scoped(AllowanceBatch.objects.all(), actor, VIEW)
        .annotate(
            line_count=Count("lines", filter=Q(lines__state__in=("pending", "paid", "failed"))),
            total_fen=Sum(
                "lines__amount_fen", filter=Q(lines__state__in=("pending", "paid", "failed"))
            ),
        )
        .order_by("-month")
    )


def batch_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> AllowanceBatch:
    return get_scoped(
        AllowanceBatch.objects.select_related("policy", "union"),
        actor,
        permission,
        public_id=public_id,
    )


def batch_lines(*, actor: Any, batch: AllowanceBatch, state: str = "") -> QuerySet[AllowanceLine]:
    qs = scoped(AllowanceLine.objects.filter(batch=batch), actor, VIEW)
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("model_worker__member", "union").order_by("id")


def batch_summary(batch: AllowanceBatch) -> dict[str, dict[str, int]]:
    rows = batch.lines.values("state").annotate(n=Count("id"), t=Sum("amount_fen")).order_by()
    return {row["state"]: {"count": int(row["n"]), "fen": int(row["t"] or 0)} for row in rows}


# -- health checks --------------------------------------------------------------------------


def health_due(*, actor: Any, year: int) -> QuerySet[ModelWorker]:
    """Model workers entitled to a check in `year` (by the year's policy) without one yet."""
    policy = policy_for_year(year)
    if policy is None:
        return ModelWorker.objects.none()
    levels = [level for level, n in health_of(policy).items() if n > 0]
    return (
        scoped(ModelWorker.objects.filter(registered=True), actor, VIEW)
        .filter(level__in=levels, status__in=rules.PAYABLE_STATUSES)
        .exclude(checks__year=year)
        .select_related("member__union")
        .order_by("member__member_no")
    )


def health_done(*, actor: Any, year: int) -> QuerySet[HealthCheck]:
    return (
        scoped(HealthCheck.objects.filter(year=year), actor, VIEW)
        .select_related("model_worker__member__union")
        .order_by("-done_on", "-id")
    )


# -- 疗休养 ---------------------------------------------------------------------------------


def trip_list(*, actor: Any) -> QuerySet[Trip]:
    return (
        scoped(Trip.objects.all(), actor, VIEW)
        .select_related("union")
        .annotate(
            holding=Count(
                "invitations", filter=Q(invitations__state__in=("invited", "accepted", "attended"))
            )
        )
        .order_by("-starts_on", "-id")
    )


def trip_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> Trip:
    return get_scoped(Trip.objects.select_related("union"), actor, permission, public_id=public_id)


def invitations_of(trip: Trip) -> QuerySet[Invitation]:
    return trip.invitations.select_related("model_worker__member__union").order_by("position")


def candidates_for(trip: Trip) -> list[rules.Candidate]:
    """Everyone the trip may invite (registered, not deceased, in the organiser's subtree, not
    yet invited to it) with the date of their last trip taken."""
    last_trip = Max(
        "invitations__trip__starts_on",
        filter=Q(invitations__state__in=rules.WENT, invitations__trip__cancelled=False)
        & ~Q(invitations__trip=trip),
    )
    rows = (
        ModelWorker.objects.filter(registered=True, member__union__path__startswith=trip.union.path)
        .exclude(status=WorkerStatus.DECEASED)
        .exclude(invitations__trip=trip)
        .annotate(last_trip=last_trip)
        .values_list("id", "last_trip", "level", "award_year", "member__member_no")
    )
    return [rules.Candidate(pk, last, level, year, no) for pk, last, level, year, no in rows]


def invitations_of_member(member: Member, *, today: date | None = None) -> QuerySet[Invitation]:
    """The member's own invitations to trips not yet over, the soonest first."""
    return (
        Invitation.objects.filter(
            model_worker__member=member, trip__ends_on__gte=today or timezone.localdate()
        )
        .select_related("trip__union")
        .order_by("trip__starts_on", "id")
    )


def invitation_for_member(member: Member, public_id: Any) -> Invitation | None:
    """One of the member's own invitations; None for anyone else's (the page answers 404)."""
    return (
        Invitation.objects.filter(model_worker__member=member, public_id=public_id)
        .select_related("trip__union", "model_worker__member__union")
        .first()
    )


def rotation_queue(trip: Trip, *, limit: int = 50) -> list[tuple[rules.Candidate, ModelWorker]]:
    """The head of the queue as the page shows it, each with its model worker."""
    head = rules.rotation_order(candidates_for(trip))[:limit]
    workers = ModelWorker.objects.select_related("member__union").in_bulk([c.key for c in head])
    return [(c, workers[c.key]) for c in head]


# -- 劳模大讲堂 -----------------------------------------------------------------------------


def lecture_list(*, actor: Any, upcoming: bool | None = None) -> QuerySet[Lecture]:
    qs = scoped(Lecture.objects.all(), actor, VIEW).select_related("speaker__member", "union")
    now = timezone.now()
    if upcoming is True:
        qs = qs.filter(starts_at__gte=now)
    elif upcoming is False:
        qs = qs.filter(starts_at__lt=now)
    return qs.order_by("-starts_at", "-id")


def lecture_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> Lecture:
    return get_scoped(
        Lecture.objects.select_related("speaker__member", "union"),
        actor,
        permission,
        public_id=public_id,
    )


def signups_of(*, actor: Any, lecture: Lecture) -> QuerySet[SignUp]:
    return (
        scoped(SignUp.objects.filter(lecture=lecture, active=True), actor, VIEW)
        .select_related("member__union")
        .order_by("signed_at", "id")
    )


def _open_to(member: Member) -> Q:
    """Lectures organised by the member's union or one above it."""
    parts = [p for p in member.union.path.split("/") if p]
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return Q(union__path__in=paths)


def lectures_for_member(member: Member, *, now: datetime | None = None) -> QuerySet[Lecture]:
    return (
        Lecture.objects.filter(
            _open_to(member), cancelled=False, starts_at__gte=now or timezone.now()
        )
        .select_related("speaker__member")
        .order_by("starts_at", "id")
    )


def lecture_for_member(member: Member, public_id: Any) -> Lecture | None:
    return Lecture.objects.filter(_open_to(member), public_id=public_id).first()


def _cancelled_with_lecture() -> Q:
    """Sign-ups ended by the lecture's cancellation (not by the member): they carry the
    lecture's cancellation instant."""
    return Q(active=False, lecture__cancelled=True, cancelled_at=F("lecture__cancelled_at"))


def signups_cancelled_with(*, actor: Any, lecture: Lecture) -> QuerySet[SignUp]:
    return (
        scoped(SignUp.objects.filter(_cancelled_with_lecture(), lecture=lecture), actor, VIEW)
        .select_related("member__union")
        .order_by("signed_at", "id")
    )


def cancelled_lectures_of_member(
    member: Member, *, now: datetime | None = None
) -> QuerySet[SignUp]:
    """The member's sign-ups to upcoming sessions that were called off, to tell them why."""
    return (
        SignUp.objects.filter(
            _cancelled_with_lecture(),
            member=member,
            lecture__starts_at__gte=now or timezone.now(),
        )
        .select_related("lecture")
        .order_by("lecture__starts_at")
    )


def signups_of_member(member: Member) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(member=member, active=True)
        .select_related("lecture__speaker__member")
        .order_by("lecture__starts_at")
    )
