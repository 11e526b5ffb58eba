"""Reads on 送温暖, always from the actor's scope. Campaigns and their funds are city-wide and
hold no personal data: anyone running the hardship program sees them; budgets, lists and
hand-outs only within the actor's subtree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from gonghui.accounts.scoping import get_scoped, grants_of, has_perm, require_perm, scope_paths
from gonghui.core.errors import NotFound
from gonghui.members.models import Member
from gonghui.orgs.models import Union
from gonghui.warmth import rules
from gonghui.warmth.models import (
    HANDED_OUT,
    Allocation,
    Campaign,
    Distribution,
    DistributionBatch,
    Fund,
    LineStatus,
    PayoutStatus,
    Target,
    TargetStatus,
)

VIEW = "hardship.view"
CHANGE = "hardship.change"


def _not_found() -> NotFound:
    from django.utils.translation import gettext as _

    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


def is_manager(user: Any) -> bool:
    """Campaigns, their funds and the first budgets are set by the city's 保障部."""
    return any(g.union_kind == "city" and CHANGE in g.permissions for g in grants_of(user))


def can_change(user: Any, union: Union) -> bool:
    return has_perm(user, CHANGE, union.path)


def home_unions(user: Any, permission: str = VIEW) -> QuerySet[Union]:
    """The top unions of the actor's scope (where their pages start)."""
    paths = scope_paths(user, permission)
    return Union.objects.filter(path__in=paths).order_by("path")


# -- campaigns and funds ---------------------------------------------------------------------


def campaign_list(*, actor: Any) -> QuerySet[Campaign]:
    require_perm(actor, VIEW)
    return Campaign.objects.select_related("union").order_by("-starts_on", "-id")


def campaign_get(*, actor: Any, code: str) -> Campaign:
    require_perm(actor, VIEW)
    campaign = Campaign.objects.select_related("union").filter(code=code).first()
    if campaign is None:
        raise _not_found()
    return campaign


def funds_of(campaign: Campaign) -> QuerySet[Fund]:
    return campaign.funds.order_by("received_on", "id")


def funds_total(campaign: Campaign) -> int:
    return int(campaign.funds.aggregate(t=Sum("amount_fen"))["t"] or 0)


def funds_by_source(campaign: Campaign) -> list[tuple[str, int]]:
    rows = campaign.funds.values("source").annotate(t=Sum("amount_fen")).order_by("source")
    return [(row["source"], int(row["t"] or 0)) for row in rows]


# -- budgets ---------------------------------------------------------------------------------


def allocation_list(*, actor: Any, campaign: Campaign) -> QuerySet[Allocation]:
    return (
        scoped_allocations(actor, campaign)
        .select_related("union", "parent_union")
        .order_by("union__path")
    )


def scoped_allocations(actor: Any, campaign: Campaign) -> QuerySet[Allocation]:
    from gonghui.accounts.scoping import scoped

    return scoped(Allocation.objects.filter(campaign=campaign), actor, VIEW)


def budget_of(campaign: Campaign, union: Union) -> int | None:
    """The union's budget: the funds raised for the organiser, its allocation for others,
    None when it holds none."""
    if union.pk == campaign.union_id:
        return funds_total(campaign)
    allocation = Allocation.objects.filter(campaign=campaign, union=union).first()
    return None if allocation is None else int(allocation.amount_fen)


def allocated_below(campaign: Campaign, union: Union) -> int:
    return int(
        Allocation.objects.filter(campaign=campaign, parent_union=union).aggregate(
            t=Sum("amount_fen")
        )["t"]
        or 0
    )


def spent_from(campaign: Campaign, union: Union) -> int:
    """What `union`'s budget is committed to: every hand-out from it but the bank payments
    that failed (their people are back on the list)."""
    return int(
        Distribution.objects.filter(campaign=campaign, budget_union=union)
        .exclude(status=LineStatus.FAILED)
        .aggregate(t=Sum("amount_fen"))["t"]
        or 0
    )


@dataclass
class Budget:
    union: Union
    budget_fen: int
    allocated_fen: int
    spent_fen: int

    @property
    def remaining_fen(self) -> int:
        return rules.remaining_fen(self.budget_fen, self.allocated_fen, self.spent_fen)


def budget_state(campaign: Campaign, union: Union) -> Budget | None:
    budget = budget_of(campaign, union)
    if budget is None:
        return None
    return Budget(union, budget, allocated_below(campaign, union), spent_from(campaign, union))


def budget_holder(campaign: Campaign, union: Union) -> Union | None:
    """The union whose budget pays for hand-outs in `union`: itself or its nearest ancestor
    holding a budget (the organiser at the latest); None outside the organiser's subtree."""
    if not union.path.startswith(campaign.union.path):
        return None
    parts = [p for p in union.path.split("/") if p]
    prefixes = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    holder = (
        Allocation.objects.filter(campaign=campaign, union__path__in=prefixes)
        .select_related("union")
        .order_by("-union__path")
        .first()
    )
    return holder.union if holder is not None else campaign.union


# -- targets ---------------------------------------------------------------------------------


def target_list(
    *,
    actor: Any,
    campaign: Campaign,
    union: Union | None = None,
    exact: bool = False,
    group: str = "",
    status: str = "",
    query: str = "",
) -> QuerySet[Target]:
    from gonghui.accounts.scoping import scoped

    qs = scoped(Target.objects.filter(campaign=campaign), actor, VIEW)
    if union is not None:
        qs = qs.filter(union=union) if exact else qs.filter(union__path__startswith=union.path)
    if group:
        qs = qs.filter(group_code=group)
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(member__name__startswith=query) | Q(member__member_no=query.upper()))
    return qs.select_related("member", "union").order_by("union__path", "id")


def with_last_failure(targets: QuerySet[Target]) -> QuerySet[Target]:
    """Each person's last failed bank payment's reason (why they are back on the list)."""
    failures = Distribution.objects.filter(
        target=OuterRef("pk"), status=LineStatus.FAILED
    ).order_by("-id")
    return targets.annotate(last_failure=Subquery(failures.values("reason")[:1]))


def target_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> Target:
    return get_scoped(
        Target.objects.select_related("member", "union", "campaign__union"),
        actor,
        permission,
        public_id=public_id,
    )


def group_condition(group: rules.TargetGroup, on: date) -> Q:
    """The group's rule as a database filter (the same conditions as rules.matches)."""
    condition = Q()
    if group.hardship is not None:
        condition &= Q(is_hardship=group.hardship)
    if group.model_worker is not None:
        condition &= Q(is_model_worker=group.model_worker)
    if group.categories:
        condition &= Q(category__in=group.categories)
    if group.min_age is not None:
        male = Q(birth_date__lte=rules.latest_birth_for(group.min_age, on))
        if group.min_age_female is not None:
            female = Q(birth_date__lte=rules.latest_birth_for(group.min_age_female, on))
            condition &= (Q(gender="F") & female) | (~Q(gender="F") & male)
        else:
            condition &= male
    return condition


def candidates(*, actor: Any, campaign: Campaign, union: Union) -> QuerySet[Member]:
    """Members in the union's subtree and the actor's view who fall in some group and are not
    on the list yet (a removed person stays off): filtered in the database."""
    from gonghui.accounts.scoping import scoped

    groups = rules.parse_groups(campaign.groups)
    anyone = Q()
    for group in groups:
        anyone |= group_condition(group, campaign.starts_on)
    return (
        scoped(Member.objects.all(), actor, "members.view")
        .filter(union__path__startswith=union.path, status__in=rules.ELIGIBLE_STATUSES)
        .filter(anyone)
        .exclude(warmth_targets__campaign=campaign)
        .select_related("union")
        .order_by("id")
    )


# -- hand-outs -------------------------------------------------------------------------------


def batch_list(
    *, actor: Any, campaign: Campaign | None = None, union: Union | None = None
) -> QuerySet[DistributionBatch]:
    from gonghui.accounts.scoping import scoped

    qs = scoped(DistributionBatch.objects.all(), actor, VIEW)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if union is not None:
        qs = qs.filter(union__path__startswith=union.path)
    return qs.select_related("campaign", "union").order_by("-created_at", "-id")


def batch_get(*, actor: Any, public_id: Any, permission: str = VIEW) -> DistributionBatch:
    return get_scoped(
        DistributionBatch.objects.select_related("campaign", "union", "budget_union"),
        actor,
        permission,
        public_id=public_id,
    )


def batch_lines(batch: DistributionBatch) -> QuerySet[Distribution]:
    return batch.lines.select_related("target__member").order_by("line_no")


def waiting_batches(campaign: Campaign) -> int:
    return campaign.batches.filter(payout_status=PayoutStatus.WAITING).count()


def groups_editable(campaign: Campaign) -> bool:
    return rules.is_open(campaign.status) and not campaign.batches.exists()


def distribution_list(
    *, actor: Any, campaign: Campaign, union: Union | None = None
) -> QuerySet[Distribution]:
    from gonghui.accounts.scoping import scoped

    qs = scoped(Distribution.objects.filter(campaign=campaign), actor, VIEW)
    if union is not None:
        qs = qs.filter(union__path__startswith=union.path)
    return qs.select_related("batch", "target__member", "union").order_by("-batch_id", "id")


# -- completion ------------------------------------------------------------------------------


@dataclass
class Completion:
    union: Union
    targets: int = 0
    delivered: int = 0
    due_fen: int = 0
    spent_fen: int = 0  # handed out: cash and goods, bank payments once the bank paid them
    pending_fen: int = 0  # sent to the bank, its result not imported yet
    budget_fen: int | None = None

    @property
    def rate(self) -> Any:
        return rules.percent(self.delivered, self.targets)

    @property
    def budget_used(self) -> Any:
        return rules.percent(self.spent_fen + self.pending_fen, self.budget_fen or 0)


@dataclass
class Report:
    root: Completion
    rows: list[Completion] = field(default_factory=list)
    by_group: list[tuple[str, int, int, int]] = field(default_factory=list)
    by_source: list[tuple[str, int, int]] = field(default_factory=list)


def _listed(qs: QuerySet[Target]) -> QuerySet[Target]:
    return qs.exclude(status=TargetStatus.REMOVED)


def completion_report(*, actor: Any, campaign: Campaign, union: Union) -> Report:
    """Figures for `union` (which must lie in the actor's view) and one row per child union,
    rolled up from per-union sums: the queries group by union, never by person."""
    from gonghui.accounts.scoping import scoped

    if not has_perm(actor, VIEW, union.path):
        raise _not_found()
    targets = _listed(
        scoped(Target.objects.filter(campaign=campaign), actor, VIEW).filter(
            union__path__startswith=union.path
        )
    )
    children = list(Union.objects.filter(parent=union).order_by("path"))
    rows = {child.path: Completion(child) for child in children}
    root = Completion(union, budget_fen=budget_of(campaign, union))

    def bucket(path: str) -> Completion | None:
        for child_path, row in rows.items():
            if path.startswith(child_path):
                return row
        return None

    per_union = targets.values("union__path").annotate(
        n=Count("id"),
        done=Count("id", filter=Q(status=TargetStatus.DELIVERED)),
        due=Sum("cash_fen") + Sum("goods_value_fen"),
    )
    for row in per_union:
        for completion in (root, bucket(row["union__path"])):
            if completion is not None:
                completion.targets += row["n"]
                completion.delivered += row["done"]
                completion.due_fen += int(row["due"] or 0)
    lines = scoped(Distribution.objects.filter(campaign=campaign), actor, VIEW).filter(
        union__path__startswith=union.path
    )
    spent = lines.values("union__path").annotate(
        t=Sum("amount_fen", filter=Q(status__in=HANDED_OUT)),
        p=Sum("amount_fen", filter=Q(status=LineStatus.PENDING)),
    )
    for spent_row in spent:
        for completion in (root, bucket(spent_row["union__path"])):
            if completion is not None:
                completion.spent_fen += int(spent_row["t"] or 0)
                completion.pending_fen += int(spent_row["p"] or 0)
    budgets = Allocation.objects.filter(campaign=campaign, union__in=children).values_list(
        "union__path", "amount_fen"
    )
    for path, amount in budgets:
        rows[path].budget_fen = int(amount)
    groups = {g.code: g.name for g in rules.parse_groups(campaign.groups)}
    spent_by_group = dict(
        lines.filter(status__in=HANDED_OUT)
        .values("group_code")
        .annotate(t=Sum("amount_fen"))
        .values_list("group_code", "t")
    )
    by_group = [
        (
            groups.get(row["group_code"], row["group_code"]),
            row["n"],
            row["done"],
            int(spent_by_group.get(row["group_code"]) or 0),
        )
        for row in targets.values("group_code")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=TargetStatus.DELIVERED)))
        .order_by("group_code")
    ]
    sources = funds_by_source(campaign)
    shares = rules.split_by_weights(root.spent_fen, [amount for _, amount in sources])
    by_source = [
        (source, amount, share) for (source, amount), share in zip(sources, shares, strict=True)
    ]
    return Report(
        root=root,
        rows=[row for row in rows.values() if row.targets or row.budget_fen is not None],
        by_group=by_group,
        by_source=by_source,
    )


def completion_in(
    *, starts_on: date, ends_on: date, union_path: str | None
) -> tuple[int, int] | None:
    """(listed, delivered) over campaigns ending in the period, for the indicator: delivered
    counts people whose hand-out reached them (a bank payment once the bank paid it)."""
    targets = _listed(
        Target.objects.filter(
            campaign__ends_on__gte=starts_on,
            campaign__ends_on__lte=ends_on,
        )
    )
    if union_path:
        targets = targets.filter(union__path__startswith=union_path)
    figures = targets.aggregate(
        n=Count("id"), done=Count("id", filter=Q(status=TargetStatus.DELIVERED))
    )
    if not figures["n"]:
        return None
    return int(figures["n"]), int(figures["done"])


def days_left(campaign: Campaign, today: date) -> int:
    return max((campaign.ends_on - today + timedelta(days=1)).days, 0)
