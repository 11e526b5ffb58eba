"""Reads of the hardship program, always from the actor's scope (or the member's own rows)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import get_scoped, grants_of, require_perm, scoped
from gonghui.core.errors import NotFound
from gonghui.hardship import rules
from gonghui.hardship.models import (
    AidApplication,
    AidState,
    Budget,
    Disbursement,
    FileState,
    FileStatus,
    HardshipFile,
    PayoutBatch,
    Policy,
    Standard,
    Threshold,
)
from gonghui.members.models import Member
from gonghui.orgs.models import Union

VIEW = "hardship.view"
CHANGE = "hardship.change"

# Which states wait for which level (a reviewer's queue).
FILE_QUEUE: dict[str, tuple[str, ...]] = {
    rules.GRASSROOTS: (FileState.GRASSROOTS,),
    rules.COUNTY: (FileState.COUNTY,),
    rules.CITY: (FileState.CITY, FileState.NOTICE, FileState.OBJECTED),
}
AID_QUEUE: dict[str, tuple[str, ...]] = {
    rules.GRASSROOTS: (AidState.SUBMITTED,),
    rules.COUNTY: (AidState.FIRST_REVIEWED,),
    rules.CITY: (AidState.RECHECKED,),
}


def _not_found() -> NotFound:
    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


def require_view(user: Any) -> None:
    require_perm(user, VIEW)


# -- who acts ----------------------------------------------------------------------------------


def reviewer_grants(user: Any) -> list[rules.ReviewerGrant]:
    return [
        rules.ReviewerGrant(g.union_path, g.union_kind)
        for g in grants_of(user)
        if CHANGE in g.permissions
    ]


def levels_on(user: Any, union: Union) -> frozenset[str]:
    return rules.reviewer_levels(reviewer_grants(user), union.path)


def is_city_staff(user: Any) -> bool:
    """Standards, policies and the city's budgets are the city federation's (保障部) to set."""
    return any(g.union_kind == "city" for g in reviewer_grants(user))


def _queue_condition(user: Any, level: str) -> Q | None:
    condition: Q | None = None
    for grant in reviewer_grants(user):
        if level == rules.GRASSROOTS:
            if grant.union_kind in {"grassroots", "branch"}:
                part = Q(union__path__startswith=grant.union_path)
            else:
                part = Q(union__path=grant.union_path)
        elif level in rules.reviewer_levels([grant], grant.union_path + "~"):
            part = Q(union__path__startswith=grant.union_path)
        else:
            continue
        condition = part if condition is None else condition | part
    return condition


def queue_levels(user: Any) -> list[str]:
    return [lvl for lvl in rules.REVIEW_LEVELS if _queue_condition(user, lvl) is not None]


# -- reference data ----------------------------------------------------------------------------


def district_of(union: Union) -> Union:
    """The county-level union above (or at) `union`; the city for unions under no county
    (industry unions), whose thresholds then apply."""
    paths = rules.ancestor_paths(union.path)
    nodes = {u.path: u for u in Union.objects.filter(path__in=paths)}
    for path in paths:
        node = nodes.get(path)
        if node is not None and node.kind == "county":
            return node
    return nodes[paths[-1]]


def threshold_for(district: Union, year: int) -> Threshold | None:
    """The district's threshold for the year, else the city's."""
    rows = {
        t.district_id: t
        for t in Threshold.objects.filter(
            year=year, district__path__in=rules.ancestor_paths(district.path)
        ).select_related("district")
    }
    for path in rules.ancestor_paths(district.path):
        for row in rows.values():
            if row.district.path == path:
                return row
    return None


def thresholds(*, year: int | None = None) -> QuerySet[Threshold]:
    qs = Threshold.objects.select_related("district").order_by("-year", "district__code")
    return qs.filter(year=year) if year else qs


def policy_for(year: int) -> Policy:
    """The year's rules; the defaults when none were set."""
    return Policy.objects.filter(year=year).first() or Policy(year=year)


def standards(*, year: int | None = None) -> QuerySet[Standard]:
    qs = Standard.objects.order_by("-year", "category", "stage")
    return qs.filter(year=year) if year else qs


def standard_for(*, year: int, category: str, stage: str) -> Standard | None:
    return Standard.objects.filter(year=year, category=category, stage=stage).first()


def budgets(*, actor: Any, year: int | None = None) -> QuerySet[Budget]:
    qs = scoped(Budget.objects.all(), actor, VIEW).select_related("union")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "union__path", "category")


def budget_for(union: Union, *, category: str, year: int) -> Budget | None:
    """The budget the aid is paid from: the nearest union on the member's path (own union,
    then upwards to the city) with a budget row for the category and year."""
    paths = rules.ancestor_paths(union.path)
    rows = list(
        Budget.objects.filter(category=category, year=year, union__path__in=paths).select_related(
            "union"
        )
    )
    rows.sort(key=lambda b: -len(b.union.path))
    return rows[0] if rows else None


# -- files -------------------------------------------------------------------------------------


def _paid_aid() -> Any:
    return AidApplication.objects.filter(file=OuterRef("pk"), state=AidState.PAID)


def file_list(
    *,
    actor: Any,
    status: str = "",
    state: str = "",
    cause: str = "",
    level: str = "",
    flag: str = "",
    query: str = "",
    today: date | None = None,
) -> QuerySet[HardshipFile]:
    """Files in the actor's scope with the flags the list shows: `never_helped` (kept and no
    aid paid on it) and `untouched` (no action for a year); filters run in the database."""
    now = timezone.now()
    today = today or timezone.localdate()
    qs = scoped(HardshipFile.objects.all(), actor, VIEW).annotate(helped=Exists(_paid_aid()))
    if level:
        condition = _queue_condition(actor, level)
        if condition is None:
            return qs.none()
        qs = qs.filter(condition, state__in=FILE_QUEUE[level])
    if status:
        qs = qs.filter(status=status)
    if state:
        qs = qs.filter(state=state)
    if cause:
        qs = qs.filter(primary_cause=cause)
    if query:
        qs = qs.filter(
            Q(member__name__startswith=query)
            | Q(member__member_no=query.upper())
            | Q(file_no=query.upper())
        )
    stale = now - timedelta(days=rules.UNTOUCHED_DAYS)
    if flag == "never_helped":
        qs = qs.filter(status=FileStatus.ACTIVE, helped=False)
    elif flag == "untouched":
        qs = qs.filter(last_activity_at__lt=stale).exclude(status__in=rules.CLOSED_STATES)
    elif flag == "recheck_due":
        qs = qs.filter(status=FileStatus.ACTIVE, next_check_on__lte=today + timedelta(days=30))
    return qs.select_related("member", "union", "district").order_by("-submitted_at", "-id")


def file_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> HardshipFile:
    return get_scoped(
        HardshipFile.objects.select_related("member", "union", "district", "consent"),
        actor,
        permission,
        public_id=public_id,
    )


def file_events(file: HardshipFile) -> QuerySet[Any]:
    return file.events.select_related("by").order_by("at", "id")


def open_file_of(member: Member) -> HardshipFile | None:
    return (
        HardshipFile.objects.filter(member=member)
        .exclude(status__in=rules.CLOSED_STATES)
        .select_related("union", "district")
        .first()
    )


def files_of_member(member: Member) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.filter(member=member).order_by("-submitted_at", "-id")


def member_file_get(*, member: Member, public_id: Any) -> HardshipFile:
    found = HardshipFile.objects.filter(member=member, public_id=public_id).first()
    if found is None:
        raise _not_found()
    return found


def recheck_due(*, today: date, within_days: int = 30) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.filter(
        status=FileStatus.ACTIVE, next_check_on__lte=today + timedelta(days=within_days)
    ).select_related("member", "union")


def notice_over(*, today: date) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.filter(state=FileState.NOTICE, notice_ends_on__lt=today)


# -- aid ---------------------------------------------------------------------------------------


def aid_list(
    *,
    actor: Any,
    state: str = "",
    category: str = "",
    level: str = "",
    emergency: str = "",
    query: str = "",
) -> QuerySet[AidApplication]:
    qs = scoped(AidApplication.objects.all(), actor, VIEW)
    if level:
        condition = _queue_condition(actor, level)
        if condition is None:
            return qs.none()
        qs = qs.filter(condition, state__in=AID_QUEUE[level], emergency=False)
    if emergency == "yes":
        qs = qs.filter(emergency=True)
    elif emergency == "no":
        qs = qs.filter(emergency=False)
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if query:
        qs = qs.filter(
            Q(member__name__startswith=query)
            | Q(member__member_no=query.upper())
            | Q(aid_no=query.upper())
        )
    return qs.select_related("member", "union", "file").order_by("-submitted_at", "-id")


def aid_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> AidApplication:
    return get_scoped(
        AidApplication.objects.select_related("member", "union", "file", "budget__union"),
        actor,
        permission,
        public_id=public_id,
    )


def aid_events(aid: AidApplication) -> QuerySet[Any]:
    return aid.events.select_related("by").order_by("at", "id")


def aid_of_member(member: Member) -> QuerySet[AidApplication]:
    return AidApplication.objects.filter(member=member).order_by("-submitted_at", "-id")


def member_aid_get(*, member: Member, public_id: Any) -> AidApplication:
    found = AidApplication.objects.filter(member=member, public_id=public_id).first()
    if found is None:
        raise _not_found()
    return found


def counted_exists(
    *, member: Member, category: str, stage: str, period: str, excluding: int | None = None
) -> bool:
    qs = AidApplication.objects.filter(
        member=member,
        category=category,
        stage=stage,
        period=period,
        state__in=rules.COUNTED_STATES,
    )
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.exists()


def emergency_waiting(*, actor: Any) -> QuerySet[AidApplication]:
    return (
        scoped(AidApplication.objects.all(), actor, VIEW)
        .filter(emergency=True, state=AidState.SUBMITTED)
        .select_related("member", "union")
        .order_by("approve_by")
    )


def documents_due(*, today: date, within_days: int = 2) -> QuerySet[AidApplication]:
    """Emergency aid paid or approved whose documents are still missing and due soon or late."""
    return AidApplication.objects.filter(
        emergency=True,
        state__in=(AidState.APPROVED, AidState.PAID),
        documents_completed_at__isnull=True,
        documents_due_on__lte=today + timedelta(days=within_days),
    ).select_related("member", "union")


def payable(*, actor: Any, channel: str, union: Union) -> QuerySet[AidApplication]:
    """Approved money aid waiting to be sent to the bank on `channel`, in the union's subtree."""
    return (
        scoped(AidApplication.objects.all(), actor, CHANGE)
        .filter(
            state=AidState.APPROVED,
            channel=channel,
            approved_fen__gt=0,
            union__path__startswith=union.path,
        )
        .exclude(lines__status="pending")
        .select_related("member", "union")
        .order_by("approved_at", "id")
    )


def disbursements(*, actor: Any, member: Member | None = None) -> QuerySet[Disbursement]:
    qs = scoped(Disbursement.objects.all(), actor, VIEW)
    if member is not None:
        qs = qs.filter(member=member)
    return qs.select_related("member", "union", "aid").order_by("-at", "-id")


def paid_of_member(member: Member) -> QuerySet[Disbursement]:
    return Disbursement.objects.filter(member=member).select_related("aid").order_by("-at", "-id")


def payout_batches(*, actor: Any) -> QuerySet[PayoutBatch]:
    return (
        scoped(PayoutBatch.objects.all(), actor, VIEW)
        .select_related("union")
        .order_by("-created_at", "-id")
    )


def payout_batch_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> PayoutBatch:
    return get_scoped(
        PayoutBatch.objects.select_related("union"), actor, permission, public_id=public_id
    )


def payout_unions(*, actor: Any) -> QuerySet[Union]:
    """Unions the actor may send payouts for: where they hold the program at county or city."""
    paths = [
        g.union_path
        for g in reviewer_grants(actor)
        if g.union_kind in {"county", "industry", "city"}
    ]
    return Union.objects.filter(path__in=paths).order_by("path")


# -- reports -----------------------------------------------------------------------------------


def files_by_cause(*, actor: Any) -> list[tuple[str, int]]:
    rows = (
        scoped(HardshipFile.objects.filter(status=FileStatus.ACTIVE), actor, VIEW)
        .values("primary_cause")
        .annotate(n=Count("id"))
        .order_by("-n", "primary_cause")
    )
    return [(row["primary_cause"], int(row["n"])) for row in rows]


def files_by_district(*, actor: Any) -> list[tuple[str, int]]:
    rows = (
        scoped(HardshipFile.objects.filter(status=FileStatus.ACTIVE), actor, VIEW)
        .values("district__name")
        .annotate(n=Count("id"))
        .order_by("-n", "district__name")
    )
    return [(row["district__name"], int(row["n"])) for row in rows]


def paid_by_category_month(
    *, actor: Any, year: int, emergency: bool
) -> list[tuple[date, str, int]]:
    rows = (
        disbursements(actor=actor)
        .filter(at__year=year, emergency=emergency)
        .annotate(month=TruncMonth("at"))
        .values("month", "category")
        .annotate(total=Sum("amount_fen"))
        .order_by("month", "category")
    )
    return [
        (
            row["month"].date() if hasattr(row["month"], "date") else row["month"],
            row["category"],
            int(row["total"]),
        )
        for row in rows
    ]


def emergency_summary(*, actor: Any, year: int) -> dict[str, int]:
    qs = scoped(AidApplication.objects.filter(emergency=True, year=year), actor, VIEW)
    figures = qs.aggregate(
        total=Count("id"),
        paid=Count("id", filter=Q(state=AidState.PAID)),
        waiting=Count("id", filter=Q(state=AidState.SUBMITTED)),
        documents_missing=Count(
            "id",
            filter=Q(
                state__in=(AidState.APPROVED, AidState.PAID), documents_completed_at__isnull=True
            ),
        ),
    )
    paid = (
        disbursements(actor=actor)
        .filter(at__year=year, emergency=True)
        .aggregate(t=Sum("amount_fen"))
    )
    return {k: int(v or 0) for k, v in figures.items()} | {"paid_fen": int(paid["t"] or 0)}


def home_counts(*, actor: Any) -> dict[str, int]:
    files = scoped(HardshipFile.objects.all(), actor, VIEW).aggregate(
        active=Count("id", filter=Q(status=FileStatus.ACTIVE)),
        temporary=Count("id", filter=Q(status=FileStatus.TEMPORARY)),
    )
    aid = scoped(AidApplication.objects.all(), actor, VIEW).aggregate(
        waiting=Count(
            "id",
            filter=Q(state__in=(AidState.SUBMITTED, AidState.FIRST_REVIEWED, AidState.RECHECKED)),
        ),
        to_pay=Count("id", filter=Q(state=AidState.APPROVED, approved_fen__gt=0)),
        emergency=Count("id", filter=Q(state=AidState.SUBMITTED, emergency=True)),
    )
    return {k: int(v or 0) for k, v in (files | aid).items()}


def member_aid_summary(*, member: Member) -> dict[str, Any] | None:
    """What the model-worker pages show of a 困难劳模's precise aid: the open file and the aid
    paid. None when the member has neither."""
    file = HardshipFile.objects.filter(member=member).order_by("-submitted_at").first()
    paid = Disbursement.objects.filter(member=member).aggregate(
        total=Sum("amount_fen"), n=Count("id")
    )
    if file is None and not paid["n"]:
        return None
    return {
        "file_no": file.file_no if file else "",
        "status": file.get_status_display() if file else "",
        "paid_count": int(paid["n"] or 0),
        "paid_fen": int(paid["total"] or 0),
    }
