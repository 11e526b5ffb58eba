"""Reads on the mutual-aid plan, always from the actor's scope (or the member's own rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.accounts.scoping import get_scoped, grants_of, scoped
from gonghui.core.errors import DomainError, NotFound
from gonghui.members.models import Member
from gonghui.mutualaid import rules
from gonghui.mutualaid.models import (
    Claim,
    ClaimDocument,
    ClaimStatus,
    Enrolment,
    EnrolmentBatch,
    EnrolmentStatus,
    LedgerEntry,
    Payment,
    PayoutBatch,
    PayoutLine,
    PayoutLineStatus,
    PlanYear,
    RuleVersion,
)
from gonghui.orgs.models import Union

# Claims that use up an item's annual cap.
COUNTED = (ClaimStatus.APPROVED, ClaimStatus.PAID)

# Which statuses wait for which review level (the queue a reviewer works from).
QUEUE_STATUSES: dict[str, tuple[str, ...]] = {
    rules.FIRST: (ClaimStatus.SUBMITTED,),
    rules.RECHECK: (ClaimStatus.FIRST_REVIEWED,),
    rules.APPROVE: (ClaimStatus.RECHECKED, ClaimStatus.APPEALED),
}


def _not_found() -> NotFound:
    from django.utils.translation import gettext as _

    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


# -- plans -----------------------------------------------------------------------------------


def plan_years() -> QuerySet[PlanYear]:
    return PlanYear.objects.order_by("-starts_on")


def plan_get(*, code: str) -> PlanYear:
    plan = PlanYear.objects.filter(code=code).first()
    if plan is None:
        raise _not_found()
    return plan


def plan_for_day(day: date) -> PlanYear | None:
    return PlanYear.objects.filter(starts_on__lte=day, ends_on__gte=day).first()


def plan_open_for_enrolment(today: date | None = None) -> QuerySet[PlanYear]:
    today = today or timezone.localdate()
    return PlanYear.objects.filter(enrol_opens_on__lte=today, enrol_closes_on__gte=today)


def versions_of(plan: PlanYear) -> list[RuleVersion]:
    return list(plan.versions.order_by("number"))


def version_in_force(plan: PlanYear, day: date) -> RuleVersion:
    return rules.version_in_force(((v.effective_from, v) for v in plan.versions.all()), day)


# -- who reviews -----------------------------------------------------------------------------


def reviewer_grants(user: Any) -> list[rules.ReviewerGrant]:
    return [
        rules.ReviewerGrant(g.union_path, g.union_kind)
        for g in grants_of(user)
        if "mutualaid.change" in g.permissions
    ]


def levels_on(user: Any, claim: Claim) -> frozenset[str]:
    return rules.reviewer_levels(reviewer_grants(user), claim.union.path)


def is_plan_manager(user: Any) -> bool:
    """Plans and their rules are the city federation's (保障部) to set."""
    return any(g.union_kind == "city" for g in reviewer_grants(user))


def _queue_condition(user: Any, level: str) -> Q | None:
    condition: Q | None = None
    for grant in reviewer_grants(user):
        if level == rules.FIRST:
            if grant.union_kind in {"grassroots", "branch"}:
                part = Q(union__path__startswith=grant.union_path)
            else:
                part = Q(union__path=grant.union_path)
        elif level in rules.reviewer_levels([grant], grant.union_path + "~"):
            # 复核 from county, industry or city; 审批 from the city: over the whole subtree.
            part = Q(union__path__startswith=grant.union_path)
        else:
            continue
        condition = part if condition is None else condition | part
    return condition


def queue_levels(user: Any) -> list[str]:
    """The review levels the user has a queue at, in workflow order."""
    return [level for level in rules.REVIEW_LEVELS if _queue_condition(user, level) is not None]


# -- enrolment -------------------------------------------------------------------------------


def batch_list(*, actor: Any, plan: PlanYear | None = None) -> QuerySet[EnrolmentBatch]:
    qs = scoped(EnrolmentBatch.objects.all(), actor, "mutualaid.view")
    if plan is not None:
        qs = qs.filter(plan_year=plan)
    return qs.select_related("plan_year", "union").order_by("-created_at", "-id")


def batch_get(*, actor: Any, public_id: Any, permission: str = "mutualaid.view") -> EnrolmentBatch:
    return get_scoped(
        EnrolmentBatch.objects.select_related("plan_year", "union"),
        actor,
        permission,
        public_id=public_id,
    )


def batch_payments(batch: EnrolmentBatch) -> list[Payment]:
    return list(batch.payments.order_by("id"))


def batch_enrolments(batch: EnrolmentBatch) -> QuerySet[Enrolment]:
    return batch.enrolments.select_related("member").order_by("id")


def enrolment_list(
    *, actor: Any, plan: PlanYear | None = None, union: Union | None = None
) -> QuerySet[Enrolment]:
    qs = scoped(Enrolment.objects.all(), actor, "mutualaid.view")
    if plan is not None:
        qs = qs.filter(plan_year=plan)
    if union is not None:
        qs = qs.filter(union__path__startswith=union.path)
    return qs.select_related("member", "union", "plan_year").order_by("-id")


def roster_to_enrol(
    *, actor: Any, union: Union, plan: PlanYear, category: str = ""
) -> QuerySet[Member]:
    """Members in the union's subtree, in the actor's scope, in the union and not yet enrolled
    in the plan year: filtered in the database."""
    qs = scoped(Member.objects.all(), actor, "members.view").filter(
        union__path__startswith=union.path, status="active"
    )
    if category:
        qs = qs.filter(category=category)
    return qs.exclude(mutualaid_enrolments__plan_year=plan).select_related("union").order_by("id")


def unions_to_enrol(*, actor: Any) -> QuerySet[Union]:
    return scoped(Union.objects.all(), actor, "mutualaid.change").filter(status="active")


def enrolment_of_member(member: Member, day: date | None = None) -> Enrolment | None:
    """The member's enrolment covering `day` (today by default), else their latest."""
    day = day or timezone.localdate()
    qs = member.mutualaid_enrolments.select_related("plan_year", "union", "rule_version").filter(
        status=EnrolmentStatus.ACTIVE
    )
    return (
        qs.filter(plan_year__starts_on__lte=day, plan_year__ends_on__gte=day).first()
        or qs.order_by("-plan_year__starts_on").first()
    )


def enrolment_for_event(member: Member, day: date) -> Enrolment | None:
    return (
        member.mutualaid_enrolments.select_related("plan_year")
        .filter(
            status=EnrolmentStatus.ACTIVE,
            plan_year__starts_on__lte=day,
            plan_year__ends_on__gte=day,
        )
        .first()
    )


def used_fen(enrolment: Enrolment, item_code: str, *, excluding: Claim | None = None) -> int:
    """What the member has been granted under the item this plan year (approved or paid)."""
    qs = Claim.objects.filter(enrolment=enrolment, item_code=item_code, status__in=COUNTED)
    if excluding is not None:
        qs = qs.exclude(pk=excluding.pk)
    return int(qs.aggregate(total=Sum("payable_fen"))["total"] or 0)


# -- claims ----------------------------------------------------------------------------------


def claim_list(*, actor: Any, status: str = "", level: str = "") -> QuerySet[Claim]:
    qs = scoped(Claim.objects.all(), actor, "mutualaid.view")
    if level:
        condition = _queue_condition(actor, level)
        if condition is None:
            return qs.none()
        qs = qs.filter(condition, status__in=QUEUE_STATUSES[level])
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "union").order_by("submitted_at", "id")


def claim_get(*, actor: Any, public_id: Any, permission: str = "mutualaid.view") -> Claim:
    return get_scoped(
        Claim.objects.select_related(
            "member", "union", "enrolment__plan_year", "rule_version", "consent"
        ),
        actor,
        permission,
        public_id=public_id,
    )


def claim_events(claim: Claim) -> QuerySet[Any]:
    return claim.events.select_related("by").order_by("at", "id")


def claims_of_member(member: Member) -> QuerySet[Claim]:
    return member.mutualaid_claims.order_by("-submitted_at", "-id")


def member_claim_get(*, member: Member, public_id: Any) -> Claim:
    claim = (
        Claim.objects.select_related("enrolment__plan_year", "rule_version", "union")
        .filter(member=member, public_id=public_id)
        .first()
    )
    if claim is None:
        raise _not_found()
    return claim


def document_get(*, claim: Claim, public_id: Any) -> ClaimDocument:
    document = claim.documents.filter(public_id=public_id).first()
    if document is None:
        raise _not_found()
    return document


# -- the fund --------------------------------------------------------------------------------


def fund_balance(plan: PlanYear) -> dict[str, int]:
    """Income, payouts and balance of a plan year, from the ledger."""
    rows = LedgerEntry.objects.filter(plan_year=plan).values("kind").annotate(t=Sum("amount_fen"))
    totals = {row["kind"]: int(row["t"] or 0) for row in rows}
    income = totals.get("contribution", 0)
    payouts = -totals.get("payout", 0)
    return {"income_fen": income, "payout_fen": payouts, "balance_fen": income - payouts}


def ledger_list(*, actor: Any, plan: PlanYear) -> QuerySet[LedgerEntry]:
    """The plan year's ledger entries of the unions in the actor's scope, in chain order."""
    return (
        scoped(LedgerEntry.objects.filter(plan_year=plan), actor, "mutualaid.view")
        .select_related("union", "by")
        .order_by("seq")
    )


# -- payouts ---------------------------------------------------------------------------------


def payout_queue(*, actor: Any) -> QuerySet[Claim]:
    """Approved claims in the actor's scope not waiting in a batch for the bank's answer: the
    ones a failed payout sent back included. Oldest approval first."""
    return (
        scoped(Claim.objects.filter(status=ClaimStatus.APPROVED), actor, "mutualaid.change")
        .exclude(payout_lines__status=PayoutLineStatus.PENDING)
        .select_related("member", "union")
        .order_by("approved_at", "id")
    )


def payout_batch_list(*, actor: Any) -> QuerySet[PayoutBatch]:
    return (
        scoped(PayoutBatch.objects.all(), actor, "mutualaid.view")
        .select_related("union", "created_by")
        .order_by("-created_at", "-id")
    )


def payout_batch_get(
    *, actor: Any, public_id: Any, permission: str = "mutualaid.view"
) -> PayoutBatch:
    return get_scoped(
        PayoutBatch.objects.select_related("union"), actor, permission, public_id=public_id
    )


def payout_lines(batch: PayoutBatch) -> QuerySet[PayoutLine]:
    return batch.lines.select_related("claim__member", "claim__union").order_by("id")


# -- the transparency report ------------------------------------------------------------------


@dataclass
class ItemFigures:
    code: str
    name: str
    claims: int = 0
    paid_claims: int = 0
    paid_fen: int = 0


@dataclass
class AreaFigures:
    code: str
    name: str
    participants: int = 0
    paid_claims: int = 0
    paid_fen: int = 0


@dataclass
class Report:
    """A plan year in figures, city-wide and by county (never below): nothing personal."""

    plan: PlanYear
    participants: int
    income_fen: int
    income_by_payer: dict[str, int]
    payout_fen: int
    balance_fen: int
    claims: int
    paid_claims: int
    payout_ratio: Decimal | None
    average_days_to_pay: Decimal | None
    items: list[ItemFigures] = field(default_factory=list)
    areas: list[AreaFigures] = field(default_factory=list)


def _areas() -> list[Union]:
    """The level below the city: county/district and industry unions."""
    return list(
        Union.objects.filter(parent__kind="city", kind__in=("county", "industry")).order_by("code")
    )


def transparency_report(plan: PlanYear) -> Report:
    """Participants, income by payer, claims by item, what was paid, the payout ratio and the
    average days from claim to payment. A fixed number of queries whatever the size."""
    from gonghui.mutualaid.models import Payer

    income_by_payer = {payer: 0 for payer in Payer.values}
    payout = 0
    for entry_row in (
        LedgerEntry.objects.filter(plan_year=plan)
        .values("kind", "payer")
        .annotate(t=Sum("amount_fen"))
        .order_by()
    ):
        amount = int(entry_row["t"] or 0)
        if entry_row["kind"] == "contribution":
            payer = entry_row["payer"]
            income_by_payer[payer] = income_by_payer.get(payer, 0) + amount
        else:
            payout -= amount
    income = sum(income_by_payer.values())
    claims = Claim.objects.filter(enrolment__plan_year=plan)
    items: dict[str, ItemFigures] = {}
    for version in plan.versions.order_by("number"):
        try:
            for item in rules.parse_benefits(version.benefits):
                items.setdefault(item.code, ItemFigures(item.code, item.name))
        except DomainError:  # a version that cannot be read names no items
            continue
    paid_q = Q(status=ClaimStatus.PAID)
    for row in (
        claims.values("item_code", "item_name")
        .annotate(
            n=Count("id"),
            paid_n=Count("id", filter=paid_q),
            paid_fen=Sum("payable_fen", filter=paid_q),
        )
        .order_by("item_code")
    ):
        figures = items.setdefault(
            row["item_code"], ItemFigures(row["item_code"], row["item_name"])
        )
        figures.claims += row["n"]
        figures.paid_claims += row["paid_n"]
        figures.paid_fen += int(row["paid_fen"] or 0)
    seconds, paid_claims = 0, 0
    for submitted, paid in (
        claims.filter(paid_q, paid_at__isnull=False)
        .values_list("submitted_at", "paid_at")
        .iterator(chunk_size=2000)
    ):
        if paid is not None:
            seconds += int((paid - submitted).total_seconds())
        paid_claims += 1
    enrolments = Enrolment.objects.filter(plan_year=plan, status=EnrolmentStatus.ACTIVE)
    areas = _areas()
    area_figures = []
    if areas:
        counted = enrolments.aggregate(
            **{
                f"a{i}": Count("id", filter=Q(union__path__startswith=a.path))
                for i, a in enumerate(areas)
            }
        )
        paid_by_area = claims.filter(paid_q).aggregate(
            **{
                f"n{i}": Count("id", filter=Q(union__path__startswith=a.path))
                for i, a in enumerate(areas)
            },
            **{
                f"f{i}": Sum("payable_fen", filter=Q(union__path__startswith=a.path))
                for i, a in enumerate(areas)
            },
        )
        area_figures = [
            AreaFigures(
                a.code,
                a.name,
                int(counted[f"a{i}"] or 0),
                int(paid_by_area[f"n{i}"] or 0),
                int(paid_by_area[f"f{i}"] or 0),
            )
            for i, a in enumerate(areas)
        ]
    return Report(
        plan=plan,
        participants=enrolments.count(),
        income_fen=income,
        income_by_payer=income_by_payer,
        payout_fen=payout,
        balance_fen=income - payout,
        claims=claims.count(),
        paid_claims=paid_claims,
        payout_ratio=rules.payout_ratio(payout, income),
        average_days_to_pay=rules.average_days(seconds, paid_claims),
        items=list(items.values()),
        areas=area_figures,
    )


def roster_to_enrol_scope(*, actor: Any, union: Union) -> QuerySet[Member]:
    """Every member in the union's subtree the actor may see (any status: the enrolment says
    why one who is not 在会 is skipped)."""
    return (
        scoped(Member.objects.all(), actor, "members.view")
        .filter(union__path__startswith=union.path)
        .select_related("union")
    )


def require_view(user: Any) -> None:
    """The program's pages and API are for those who hold it somewhere."""
    from gonghui.accounts.scoping import require_perm

    require_perm(user, "mutualaid.view")
