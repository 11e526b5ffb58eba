"""Reads for target assessment: plans, the bodies a user may see, trees and scorecards.

Who sees a body: those holding `assessment.view` over its union (a county's staff their own
county; the city's office and leaders every body), the staff of a department its own
department's body, and, once a body's score is final, everyone who takes part."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from gonghui.accounts.scoping import grants_of, has_perm, scoped
from gonghui.accounts.selectors import own_assignments
from gonghui.assessment import rules
from gonghui.assessment.models import Body, BodyKind, BodyState, Node, Plan, Source, Value
from gonghui.core import indicators
from gonghui.core.errors import Forbidden, NotFound


def _not_found() -> NotFound:
    from django.utils.translation import gettext as _

    return NotFound("not_found", _("没有找到该记录，或您无权查看"))


# -- who ---------------------------------------------------------------------------------------


def is_office(user: Any) -> bool:
    """办公室 runs the assessment: `assessment.change` held at the city."""
    return any(
        g.union_kind == "city" and "assessment.change" in g.permissions for g in grants_of(user)
    )


def departments_of(user: Any) -> frozenset[str]:
    """Codes of the federation departments the user works in (cached for the request)."""
    cached = getattr(user, "_assessment_departments", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            return frozenset()
        cached = frozenset(
            a.department.code
            for a in own_assignments(actor=user)
            if a.department is not None and a.union.kind == "city"
        )
        user._assessment_departments = cached
    return frozenset(cached)


def takes_part(user: Any) -> bool:
    """The program's pages are for those who hold it somewhere or whose department is assessed."""
    return has_perm(user, "assessment.view") or bool(departments_of(user))


def require_part(user: Any) -> None:
    if not takes_part(user):
        from django.utils.translation import gettext as _

        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))


def require_office(user: Any) -> None:
    if not is_office(user):
        from django.utils.translation import gettext as _

        raise Forbidden("auth.forbidden", _("考核方案由市总工会办公室制定和审核"))


def roles_on(user: Any, body: Body) -> frozenset[str]:
    roles: set[str] = set()
    if is_office(user):
        roles.add(rules.OFFICE)
    if body.kind == BodyKind.DEPARTMENT:
        if body.department is not None and body.department.code in departments_of(user):
            roles.add(rules.BODY)
    elif has_perm(user, "assessment.change", body.union.path):
        roles.add(rules.BODY)
    return frozenset(roles)


# -- plans and bodies --------------------------------------------------------------------------


def plans() -> QuerySet[Plan]:
    return Plan.objects.order_by("-year")


def plan_get(*, year: int) -> Plan:
    plan = Plan.objects.filter(year=year).first()
    if plan is None:
        raise _not_found()
    return plan


def visible_bodies(actor: Any) -> QuerySet[Body]:
    if not takes_part(actor):
        return Body.objects.none()
    own = scoped(Body.objects.all(), actor, "assessment.view").values("pk")
    condition = Q(pk__in=own) | Q(state=BodyState.FINAL)
    departments = departments_of(actor)
    if departments:
        condition |= Q(department__code__in=departments)
    return Body.objects.filter(condition)


def body_list(*, actor: Any, plan: Plan, kind: str = "") -> QuerySet[Body]:
    qs = visible_bodies(actor).filter(plan=plan)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("union", "department").order_by("kind", "union__path", "name")


def body_get(*, actor: Any, public_id: Any) -> Body:
    body = (
        visible_bodies(actor)
        .select_related("plan", "union", "department")
        .filter(public_id=public_id)
        .first()
    )
    if body is None:
        raise _not_found()
    return body


def scope_of(body: Body) -> indicators.Scope:
    if body.kind == BodyKind.DEPARTMENT and body.department is not None:
        return indicators.Scope.year(body.plan.year, department=body.department.code)
    return indicators.Scope.year(body.plan.year, union_path=body.union.path)


# -- trees -------------------------------------------------------------------------------------


def tree_nodes(*, plan: Plan, kind: str = "", body: Body | None = None) -> list[Node]:
    """The categories (with their indicators prefetched) of a body, or of a body kind."""
    qs = Node.objects.filter(plan=plan, parent__isnull=True)
    if body is not None:
        own = list(qs.filter(body=body).prefetch_related("children"))
        if own:
            return own
        kind = body.kind
    return list(qs.filter(body__isnull=True, body_kind=kind).prefetch_related("children"))


def tree_problems(categories: Iterable[Node]) -> list[str]:
    """What is wrong with the weights of a tree (empty: it can be scored)."""
    from gonghui.core.errors import DomainError

    categories = list(categories)
    problems: list[str] = []
    groups: list[tuple[str, list[Decimal]]] = [("", [c.weight for c in categories])]
    groups += [(c.name, [leaf.weight for leaf in c.children.all()]) for c in categories]
    if not categories:
        from django.utils.translation import gettext as _

        return [_("还没有考核指标")]
    for name, weights in groups:
        try:
            rules.weights_check(weights)
        except DomainError as exc:
            problems.append(f"{name}：{exc.message}" if name else exc.message)
    return problems


# -- scorecards --------------------------------------------------------------------------------


@dataclass
class Line:
    node: Node
    value: Value | None
    actual: Decimal | None
    points: Decimal | None
    max_points: Decimal
    computed: bool
    adjusted: bool


@dataclass
class Group:
    node: Node
    lines: list[Line]
    points: Decimal
    max_points: Decimal


@dataclass
class Scorecard:
    body: Body
    groups: list[Group]
    total: Decimal
    frozen: bool
    problems: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [line for group in self.groups for line in group.lines]


def values_of(body: Body) -> dict[int, Value]:
    return {v.node_id: v for v in body.values.all()}


def scorecard(body: Body) -> Scorecard:
    """The body's tree with targets, actual values and points: frozen once final, else computed
    now (computed indicators read the registry for the body's scope and year)."""
    categories = tree_nodes(plan=body.plan, body=body)
    values = values_of(body)
    frozen = body.state == BodyState.FINAL
    scope = scope_of(body)
    cache: dict[str, Decimal | None] = {}
    groups: list[Group] = []
    roots: list[rules.Node] = []
    for category in categories:
        lines: list[Line] = []
        leaves: list[rules.Node] = []
        for leaf in category.children.all():
            value = values.get(leaf.pk)
            computed = leaf.source == Source.COMPUTED
            adjusted = value is not None and value.reviewed_value is not None
            curve = leaf.curve_rules()
            if frozen:
                actual = value.final_actual if value else None
                points = value.final_points if value else None
            else:
                if adjusted:
                    actual = value.reviewed_value if value else None
                elif computed:
                    if leaf.indicator_code not in cache:
                        cache[leaf.indicator_code] = indicators.value(leaf.indicator_code, scope)
                    actual = cache[leaf.indicator_code]
                else:
                    actual = value.self_value if value else None
                points = rules.score(leaf.weight, curve, actual)
            lines.append(
                Line(
                    node=leaf,
                    value=value,
                    actual=actual,
                    points=points,
                    max_points=rules.max_points(leaf.weight, curve),
                    computed=computed,
                    adjusted=adjusted,
                )
            )
            leaves.append(rules.Node(leaf.pk, leaf.weight, points))
        root = rules.Node(category.pk, category.weight, children=leaves)
        roots.append(root)
        groups.append(
            Group(
                node=category,
                lines=lines,
                points=rules.node_points(root) if leaves else Decimal(0),
                max_points=category.weight,
            )
        )
    total = rules.total_points(roots)
    if frozen and body.total_score is not None:
        total = body.total_score
    return Scorecard(
        body=body,
        groups=groups,
        total=total,
        frozen=frozen,
        problems=[] if frozen else tree_problems(categories),
    )


# -- rankings ----------------------------------------------------------------------------------


@dataclass
class Placing:
    body: Body
    rank: int | None
    score: Decimal | None


def ranking(*, actor: Any, plan: Plan, kind: str) -> list[Placing]:
    """Final scores of one kind of body ranked (1, 1, 3); bodies not yet final come last."""
    bodies = list(body_list(actor=actor, plan=plan, kind=kind))
    by_pk = {b.pk: b for b in bodies}
    ranked = rules.rank(
        (b.pk, b.total_score if b.state == BodyState.FINAL else None) for b in bodies
    )
    return [
        Placing(body=by_pk[pk], rank=place, score=by_pk[pk].total_score if place else None)
        for pk, place in ranked
    ]


def registry() -> list[indicators.Indicator]:
    return indicators.all_indicators()
