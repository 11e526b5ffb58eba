"""Reads of information work, always from the actor's scope; an officer also reads their own
submissions (and nothing else) through `my_submissions` and `submission_get`."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import grants_of, has_perm, scoped
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.infowork import rules
from gonghui.infowork.models import (
    Correction,
    InfoOfficer,
    Instruction,
    PointsTable,
    Publication,
    PublicationStatus,
    Quota,
    Submission,
    SubmissionStatus,
)
from gonghui.orgs.models import Department, Union

RANK_KINDS = ("union", "department", "officer")
NIL = Decimal("0.0")  # points show with their one decimal place


def not_found() -> NotFound:
    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


# -- who is who ------------------------------------------------------------------------------


def is_editor(user: Any) -> bool:
    """宣教部 (or 办公室) at the city federation: they edit, adopt, verify and set the rules."""
    return any(
        g.union_kind == "city" and "infowork.change" in g.permissions for g in grants_of(user)
    )


def require_editor(user: Any) -> None:
    if not is_editor(user):
        raise Forbidden("auth.forbidden", _("这项工作由市总工会宣教部办理"))


def can_view(user: Any) -> bool:
    return has_perm(user, "infowork.view")


def officer_roles(user: Any) -> list[InfoOfficer]:
    """The user's active 信息员 posts where they also hold `infowork.submit`."""
    if not getattr(user, "pk", None):
        return []
    rows = InfoOfficer.objects.filter(user=user, active=True).select_related("union", "department")
    return [row for row in rows if has_perm(user, "infowork.submit", row.union.path)]


def officer_list(*, actor: Any) -> QuerySet[InfoOfficer]:
    return (
        scoped(InfoOfficer.objects.all(), actor, "infowork.view")
        .select_related("user", "union", "department")
        .order_by("-active", "union__path", "department__sort_order", "id")
    )


def officer_get(*, actor: Any, public_id: Any) -> InfoOfficer:
    row = officer_list(actor=actor).filter(public_id=public_id).first()
    if row is None:
        raise not_found()
    return row


def union_by_code(*, actor: Any, code: str, permission: str = "infowork.view") -> Union:
    union = scoped(Union.objects.all(), actor, permission).filter(code=code).first()
    if union is None:
        raise DomainError("infowork.union_unknown", _("没有找到工会代码 %(code)s") % {"code": code})
    return union


def department_by_code(code: str) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise DomainError("infowork.department_unknown", _("没有这个部门"))
    return department


# -- submissions -----------------------------------------------------------------------------


def submission_list(
    *, actor: Any, status: str = "", category: str = "", query: str = ""
) -> QuerySet[Submission]:
    qs = scoped(Submission.objects.all(), actor, "infowork.view")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if query:
        qs = qs.filter(title__icontains=query)
    return qs.select_related("union", "department", "officer__user").order_by(
        "-submitted_at", "-id"
    )


def my_submissions(*, user: Any) -> QuerySet[Submission]:
    if not getattr(user, "pk", None):
        return Submission.objects.none()
    return (
        Submission.objects.filter(officer__user=user)
        .select_related("union", "department")
        .annotate(
            published=Count("publications"),
            points=Sum(
                "publications__points",
                filter=Q(publications__status=PublicationStatus.VERIFIED),
            ),
        )
        .order_by("-submitted_at", "-id")
    )


def is_owner(user: Any, submission: Submission) -> bool:
    return bool(getattr(user, "pk", None)) and submission.officer.user_id == user.pk


def submission_get(*, actor: Any, public_id: Any) -> Submission:
    """Staff who see the union see it; its officer sees their own; anyone else gets 404."""
    row = (
        Submission.objects.select_related("union", "department", "officer__user")
        .filter(public_id=public_id)
        .first()
    )
    if row is None:
        raise not_found()
    if is_owner(actor, row) or has_perm(actor, "infowork.view", row.union.path):
        return row
    raise not_found()


def submission_history(submission: Submission) -> list[Any]:
    return list(submission.events.select_related("by").order_by("at", "id"))


# -- publications ----------------------------------------------------------------------------


def publication_list(
    *, actor: Any, status: str = "", year: int | None = None
) -> QuerySet[Publication]:
    qs = scoped(Publication.objects.all(), actor, "infowork.view")
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(published_on__year=year)
    return qs.select_related(
        "submission", "union", "department", "officer__user", "points_table"
    ).order_by("-published_on", "-id")


def publication_get(*, actor: Any, public_id: Any) -> Publication:
    row = (
        Publication.objects.select_related("submission__officer", "union", "points_table")
        .filter(public_id=public_id)
        .first()
    )
    if row is None:
        raise not_found()
    if is_owner(actor, row.submission) or has_perm(actor, "infowork.view", row.union.path):
        return row
    raise not_found()


def publications_of(submission: Submission) -> list[Publication]:
    return list(submission.publications.select_related("points_table").order_by("published_on"))


def instructions_of(submission: Submission) -> list[Instruction]:
    return list(submission.instructions.order_by("instructed_on"))


def correction_list(*, actor: Any, year: int | None = None) -> QuerySet[Correction]:
    qs = scoped(Correction.objects.all(), actor, "infowork.view")
    if year:
        qs = qs.filter(occurred_on__year=year)
    return qs.select_related("union", "department", "submission").order_by("-occurred_on", "-id")


# -- points tables ---------------------------------------------------------------------------


def points_tables() -> QuerySet[PointsTable]:
    return PointsTable.objects.order_by("-effective_from")


def table_in_force(day: date) -> PointsTable:
    """The version with the latest effective date not after `day` (rules.version_in_force)."""
    row = PointsTable.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if row is None:
        raise rules.no_table(day)
    return row


# -- rankings --------------------------------------------------------------------------------


def period(year: int, month: int | None = None) -> tuple[date, date]:
    if month:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


_GROUP = {"union": "union_id", "department": "department_id", "officer": "officer_id"}


def _restrict(qs: QuerySet[Any], kind: str) -> QuerySet[Any]:
    if kind == "union":
        return qs.filter(department__isnull=True)
    if kind == "department":
        return qs.filter(department__isnull=False)
    return qs


def _sums(qs: QuerySet[Any], key: str, value: str) -> dict[int, Decimal]:
    return {
        row[key]: row["total"] or NIL
        for row in qs.values(key).annotate(total=Sum(value)).order_by()
        if row[key] is not None
    }


def standings(
    *, actor: Any, year: int, month: int | None = None, kind: str = "union"
) -> list[tuple[int, rules.Standing]]:
    """Ranked standings in the actor's scope for a month or a year: verified publication points,
    批示 bonuses, 差错 penalties and adopted pieces. Five aggregate queries and one for names,
    whatever the number of publications."""
    if kind not in RANK_KINDS:
        kind = "union"
    start, end = period(year, month)
    key = _GROUP[kind]
    publications = _restrict(
        scoped(Publication.objects.all(), actor, "infowork.view").filter(
            status=PublicationStatus.VERIFIED, published_on__range=(start, end)
        ),
        kind,
    )
    points = _sums(publications, key, "points")
    bonus = _sums(
        _restrict(
            scoped(Instruction.objects.all(), actor, "infowork.view").filter(
                instructed_on__range=(start, end)
            ),
            kind,
        ),
        key,
        "points",
    )
    corrections = _restrict(
        scoped(Correction.objects.all(), actor, "infowork.view").filter(
            occurred_on__range=(start, end)
        ),
        kind,
    )
    penalty = _sums(corrections, "submission__officer_id" if kind == "officer" else key, "points")
    adopted = _restrict(
        scoped(Submission.objects.all(), actor, "infowork.view").filter(
            status=SubmissionStatus.ADOPTED,
            adopted_at__date__range=(start, end),
        ),
        kind,
    )
    pieces = {row[key]: row["n"] for row in adopted.values(key).annotate(n=Count("id")).order_by()}
    ids = set(points) | set(bonus) | set(penalty) | set(pieces)
    labels = _labels(kind, ids)
    return rules.rank(
        rules.Standing(
            key=code,
            label=label,
            points=points.get(pk, NIL),
            bonus=bonus.get(pk, NIL),
            penalty=penalty.get(pk, NIL),
            pieces=pieces.get(pk, 0),
        )
        for pk, (code, label) in labels.items()
    )


def _labels(kind: str, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    ids = list(ids)
    if not ids:
        return {}
    if kind == "union":
        return {u.pk: (u.code, u.name) for u in Union.objects.filter(pk__in=ids)}
    if kind == "department":
        return {d.pk: (d.code, d.name) for d in Department.objects.filter(pk__in=ids)}
    return {
        o.pk: (
            str(o.public_id),
            f"{o.user} · {o.department.name if o.department else o.union.name}",
        )
        for o in InfoOfficer.objects.filter(pk__in=ids).select_related(
            "user", "union", "department"
        )
    }


def monthly_points(*, actor: Any, year: int) -> list[Decimal]:
    """Verified publication points in the actor's scope, month by month (12 figures)."""
    rows = (
        scoped(Publication.objects.all(), actor, "infowork.view")
        .filter(status=PublicationStatus.VERIFIED, published_on__year=year)
        .annotate(month=ExtractMonth("published_on"))
        .values("month")
        .annotate(total=Sum("points"))
        .order_by()
    )
    by_month = {row["month"]: row["total"] or NIL for row in rows}
    return [by_month.get(m, NIL) for m in range(1, 13)]


# -- quotas ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaRow:
    quota: Quota
    pieces_done: int
    points_done: Decimal
    outcome: rules.QuotaOutcome


def quota_list(*, actor: Any, year: int) -> QuerySet[Quota]:
    return (
        scoped(Quota.objects.all(), actor, "infowork.view")
        .filter(year=year)
        .select_related("union", "department")
        .order_by("department__sort_order", "union__path")
    )


def shortfall_penalty(year: int) -> Decimal:
    """The per-piece penalty of the table in force at the year's end (or today, if earlier)."""
    day = min(date(year, 12, 31), max(timezone.localdate(), date(year, 1, 1)))
    try:
        return table_in_force(day).shortfall_penalty
    except DomainError:
        return Decimal(0)


def quota_rows(*, actor: Any, year: int, quotas: Iterable[Quota] | None = None) -> list[QuotaRow]:
    """Each quota with what was achieved in the year: adopted pieces and net points (verified
    publication points + 批示 − 差错) of the union itself or the department."""
    rows = list(quotas if quotas is not None else quota_list(actor=actor, year=year))
    if not rows:
        return []
    by_union = {s.key: s for _r, s in standings(actor=actor, year=year, kind="union")}
    by_department = {s.key: s for _r, s in standings(actor=actor, year=year, kind="department")}
    penalty = shortfall_penalty(year)
    result = []
    for quota in rows:
        standing = (
            by_department.get(quota.department.code)
            if quota.department
            else by_union.get(quota.union.code)
        )
        pieces = standing.pieces if standing else 0
        total = standing.total if standing else Decimal(0)
        result.append(
            QuotaRow(
                quota=quota,
                pieces_done=pieces,
                points_done=total,
                outcome=rules.quota_outcome(
                    pieces_target=quota.pieces,
                    pieces_done=pieces,
                    points_target=quota.points,
                    points_done=total,
                    shortfall_penalty=penalty,
                ),
            )
        )
    return result


def scope_filter(*, union_path: str | None, department: str | None, prefix: str = "") -> Q:
    """Rows of a union subtree or one department (for indicators)."""
    condition = Q()
    if union_path:
        condition &= Q(**{f"{prefix}union__path__startswith": union_path})
    if department:
        condition &= Q(**{f"{prefix}department__code": department})
    return condition
