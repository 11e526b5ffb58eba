from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.assessment import selectors, services
from gonghui.assessment.models import BodyKind, BodyState, CurveKind, Node, Source
from gonghui.core.api import Paged
from gonghui.core.errors import DomainError, NotFound
from gonghui.orgs.models import Department, Union

router = Router(tags=["assessment"])


class IndicatorOut(Schema):
    code: str
    label: str
    unit: str
    program: str
    higher_is_better: bool
    description: str


class PlanOut(Schema):
    year: int
    name: str
    note: str


class PlanIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    name: str = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=2000)


class BodyOut(Schema):
    id: UUID = Field(description="public id of the assessed body")
    name: str
    kind: BodyKind
    union: str = Field(description="code of the union (the city's for a department)")
    department: str | None
    state: BodyState
    total_score: Decimal | None = Field(description="set once final")
    final_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.code if obj.department else None


class BodyIn(Schema):
    union: str | None = Field(None, description="code of a county or industry union")
    department: str | None = Field(None, description="code of a federation department")


class LeafOut(Schema):
    id: UUID
    name: str
    weight: Decimal
    source: Source
    indicator_code: str
    unit: str
    curve: CurveKind
    target: Decimal | None
    cap: Decimal
    lower_is_better: bool
    per_unit: Decimal
    steps: list[list[str]]

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id


class CategoryOut(Schema):
    id: UUID
    name: str
    weight: Decimal
    body_kind: str
    indicators: list[LeafOut]

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_indicators(obj: Any) -> list[Any]:
        return list(obj.children.all())


class TreeOut(Schema):
    kind: BodyKind
    categories: list[CategoryOut]
    problems: list[str] = Field(description="what is wrong with the weights; empty when valid")


class NodeIn(Schema):
    parent: UUID | None = Field(
        None, description="the category of an indicator; none for a category"
    )
    body_kind: BodyKind | None = Field(None, description="the tree a category belongs to")
    body: UUID | None = Field(None, description="a category of one body's own tree instead")
    name: str = Field(..., min_length=1, max_length=100)
    weight: Decimal = Field(..., gt=0, max_digits=6, decimal_places=2)
    source: Source | None = None
    indicator_code: str = Field("", max_length=64)
    unit: str = Field("", max_length=16)
    curve: CurveKind = CurveKind.LINEAR
    target: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    cap: Decimal = Field(Decimal(1), max_digits=4, decimal_places=2)
    lower_is_better: bool = False
    steps: list[tuple[Decimal, Decimal]] = []
    per_unit: Decimal = Field(Decimal(0), ge=0, max_digits=6, decimal_places=2)
    description: str = Field("", max_length=300)


class LineOut(Schema):
    indicator: UUID
    name: str
    weight: Decimal
    target: Decimal | None
    unit: str
    source: Source
    indicator_code: str
    actual: Decimal | None = Field(description="null: no data (无数据), never a zero")
    points: Decimal | None
    max_points: Decimal
    adjusted: bool
    self_value: Decimal | None
    self_comment: str
    evidence_link: str
    has_evidence_file: bool
    review_reason: str


class GroupOut(Schema):
    category: UUID
    name: str
    weight: Decimal
    points: Decimal
    lines: list[LineOut]


class ScorecardOut(Schema):
    body: BodyOut
    total: Decimal
    frozen: bool
    problems: list[str]
    groups: list[GroupOut]


class ValueIn(Schema):
    value: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    comment: str = Field("", max_length=500)
    evidence_link: str = Field("", max_length=300, pattern=r"^(https?://\S+)?$")


class ReviewIn(Schema):
    value: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    reason: str = Field(..., min_length=1, max_length=300)


class TransitionIn(Schema):
    to: BodyState
    note: str = Field("", max_length=300)


class PlacingOut(Schema):
    rank: int | None
    body: BodyOut
    score: Decimal | None


def _card_out(card: selectors.Scorecard) -> dict[str, Any]:
    return {
        "body": card.body,
        "total": card.total,
        "frozen": card.frozen,
        "problems": card.problems,
        "groups": [
            {
                "category": g.node.public_id,
                "name": g.node.name,
                "weight": g.node.weight,
                "points": g.points,
                "lines": [
                    {
                        "indicator": line.node.public_id,
                        "name": line.node.name,
                        "weight": line.node.weight,
                        "target": line.node.target,
                        "unit": line.node.unit,
                        "source": line.node.source,
                        "indicator_code": line.node.indicator_code,
                        "actual": line.actual,
                        "points": line.points,
                        "max_points": line.max_points,
                        "adjusted": line.adjusted,
                        "self_value": line.value.self_value if line.value else None,
                        "self_comment": line.value.self_comment if line.value else "",
                        "evidence_link": line.value.evidence_link if line.value else "",
                        "has_evidence_file": bool(line.value and line.value.evidence_file),
                        "review_reason": line.value.review_reason if line.value else "",
                    }
                    for line in g.lines
                ],
            }
            for g in card.groups
        ],
    }


def _node(body: Any, node_id: UUID) -> Node:
    node = Node.objects.filter(plan=body.plan, public_id=node_id).first()
    if node is None:
        raise NotFound("not_found", _("没有找到该指标"))
    return node


@router.get("/indicators", response=list[IndicatorOut])
def list_indicators(request: HttpRequest) -> Any:
    """The registry of figures the programs compute (code, label, unit, program)."""
    selectors.require_part(request.user)
    return [
        {
            "code": i.code,
            "label": str(i.label),
            "unit": str(i.unit),
            "program": i.program,
            "higher_is_better": i.higher_is_better,
            "description": str(i.description),
        }
        for i in selectors.registry()
    ]


@router.get("/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> Any:
    selectors.require_part(request.user)
    return list(selectors.plans()[:50])


@router.post("/plans", response={201: PlanOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    """A year's plan; the office (办公室) only."""
    return Status(201, services.plan_create(by=request.user, **payload.dict()))


@router.get("/plans/{year}/bodies", response=list[BodyOut])
@paginate(Paged)
def list_bodies(request: HttpRequest, year: int, kind: BodyKind | None = None) -> Any:
    """The bodies of the plan the caller may see: their own, and every body once final."""
    selectors.require_part(request.user)
    plan = selectors.plan_get(year=year)
    return selectors.body_list(actor=request.user, plan=plan, kind=kind or "")


@router.post("/plans/{year}/bodies", response={201: BodyOut})
def add_body(request: HttpRequest, year: int, payload: BodyIn) -> Any:
    selectors.require_office(request.user)
    plan = selectors.plan_get(year=year)
    union = Union.objects.filter(code=payload.union).first() if payload.union else None
    department = (
        Department.objects.filter(code=payload.department).first() if payload.department else None
    )
    if union is None and department is None:
        raise DomainError("assessment.body_invalid", _("请指定工会代码或部门代码"))
    return Status(
        201, services.body_add(by=request.user, plan=plan, union=union, department=department)
    )


@router.get("/plans/{year}/tree", response=list[TreeOut])
def get_tree(request: HttpRequest, year: int) -> Any:
    """The indicator tree of each body kind, with what is wrong with its weights."""
    selectors.require_part(request.user)
    plan = selectors.plan_get(year=year)
    trees = []
    for kind in BodyKind.values:
        categories = selectors.tree_nodes(plan=plan, kind=kind)
        if categories:
            trees.append(
                {
                    "kind": kind,
                    "categories": categories,
                    "problems": selectors.tree_problems(categories),
                }
            )
    return trees


@router.post("/plans/{year}/indicators", response={201: LeafOut | CategoryOut})
def add_node(request: HttpRequest, year: int, payload: NodeIn) -> Any:
    """Add a category (`body_kind`, no `parent`) or an indicator under a category."""
    selectors.require_office(request.user)
    plan = selectors.plan_get(year=year)
    parent = None
    if payload.parent is not None:
        parent = Node.objects.filter(plan=plan, public_id=payload.parent).first()
        if parent is None:
            raise NotFound("not_found", _("没有找到该类别"))
    body = None
    if payload.body is not None:
        body = plan.bodies.filter(public_id=payload.body).first()
        if body is None:
            raise NotFound("not_found", _("没有找到该记录，或您无权查看"))
    node = services.node_add(
        by=request.user,
        plan=plan,
        parent=parent,
        body=body,
        body_kind=payload.body_kind or "",
        data=services.NodeData(
            name=payload.name,
            weight=payload.weight,
            source=payload.source or "",
            indicator_code=payload.indicator_code,
            unit=payload.unit,
            curve=payload.curve,
            target=payload.target,
            cap=payload.cap,
            lower_is_better=payload.lower_is_better,
            steps=tuple(payload.steps),
            per_unit=payload.per_unit,
            description=payload.description,
        ),
    )
    return Status(201, node)


@router.get("/bodies/{public_id}/scorecard", response=ScorecardOut)
def get_scorecard(request: HttpRequest, public_id: UUID) -> Any:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    return _card_out(selectors.scorecard(body))


@router.put("/bodies/{public_id}/values/{indicator_id}", response=LineOut)
def enter_value(request: HttpRequest, public_id: UUID, indicator_id: UUID, payload: ValueIn) -> Any:
    """自评: the body's value for a manual indicator, with a link to its evidence (files are
    uploaded on the page)."""
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    services.value_enter(
        by=request.user,
        body=body,
        node=_node(body, indicator_id),
        value=payload.value,
        comment=payload.comment,
        evidence_link=payload.evidence_link,
    )
    return _line(body, indicator_id)


@router.put("/bodies/{public_id}/values/{indicator_id}/review", response=LineOut)
def review_value(
    request: HttpRequest, public_id: UUID, indicator_id: UUID, payload: ReviewIn
) -> Any:
    """审核: the office's accepted value (null takes its adjustment back), with a reason."""
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    services.value_review(
        by=request.user,
        body=body,
        node=_node(body, indicator_id),
        value=payload.value,
        reason=payload.reason,
    )
    return _line(body, indicator_id)


def _line(body: Any, indicator_id: UUID) -> dict[str, Any]:
    card = _card_out(selectors.scorecard(body))
    return next(
        line
        for group in card["groups"]
        for line in group["lines"]
        if line["indicator"] == indicator_id
    )


@router.post("/bodies/{public_id}/transitions", response=BodyOut)
def transition(request: HttpRequest, public_id: UUID, payload: TransitionIn) -> Any:
    """Submit the self-assessment (review), return it (self, with a note) or make it final;
    refused with `assessment.transition_invalid` when the table does not allow it."""
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    return services.body_transition(by=request.user, body=body, to=payload.to, note=payload.note)


@router.get("/plans/{year}/rankings", response=list[PlacingOut])
def rankings(request: HttpRequest, year: int, kind: BodyKind = BodyKind.COUNTY) -> Any:
    """Final scores of one kind of body ranked, ties sharing a rank (1, 1, 3)."""
    selectors.require_part(request.user)
    plan = selectors.plan_get(year=year)
    return [
        {"rank": p.rank, "body": p.body, "score": p.score}
        for p in selectors.ranking(actor=request.user, plan=plan, kind=kind)
    ]
