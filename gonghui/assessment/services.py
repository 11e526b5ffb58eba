"""Writes for target assessment: plans and their trees (the office), values entered by the
bodies and adjusted by the office, and the workflow up to the frozen final score. Every write
is one transaction and audited."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assessment import rules, selectors
from gonghui.assessment.models import (
    Body,
    BodyEvent,
    BodyKind,
    BodyState,
    CurveKind,
    Node,
    Plan,
    Source,
    Value,
)
from gonghui.audit.log import log_action
from gonghui.core import filetypes, indicators
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.orgs.models import Department, Union

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


def _forbidden() -> Forbidden:
    return Forbidden("auth.forbidden", _("您没有执行此操作的权限"))


# -- plans, bodies and trees (the office) ------------------------------------------------------


def plan_create(*, by: Any, year: int, name: str, note: str = "") -> Plan:
    selectors.require_office(by)
    if not 2000 <= year <= 2100:
        raise DomainError("assessment.year_invalid", _("考核年度无效"))
    with transaction.atomic():
        if Plan.objects.filter(year=year).exists():
            raise Conflict(
                "assessment.plan_exists", _("%(year)s 年度的考核方案已经建立") % {"year": year}
            )
        plan = Plan.objects.create(year=year, name=name.strip(), note=note, created_by=by)
        log_action("assessment.plan.created", actor=by, obj=plan, changes={"year": year})
    return plan


def _frozen_check(plan: Plan) -> None:
    if plan.bodies.filter(state=BodyState.FINAL).exists():
        raise DomainError("assessment.plan_frozen", _("已有单位终评，考核指标不能再修改"))


def body_add(
    *, by: Any, plan: Plan, union: Union | None = None, department: Department | None = None
) -> Body:
    selectors.require_office(by)
    city = Union.objects.get(parent__isnull=True)
    kind: str
    if department is not None:
        kind, name, anchor = BodyKind.DEPARTMENT, department.name, city
        exists = plan.bodies.filter(department=department).exists()
    elif union is not None and union.kind in (BodyKind.COUNTY, BodyKind.INDUSTRY):
        kind, name, anchor = union.kind, union.name, union
        exists = plan.bodies.filter(union=union, department__isnull=True).exists()
    else:
        raise DomainError(
            "assessment.body_invalid", _("被考核单位只能是市总机关部门、县(市、区)总工会或产业工会")
        )
    if exists:
        raise Conflict("assessment.body_exists", _("%(name)s 已在考核名单中") % {"name": name})
    with transaction.atomic():
        body = Body.objects.create(
            plan=plan, kind=kind, union=anchor, department=department, name=name
        )
        log_action("assessment.body.added", actor=by, obj=body, changes={"kind": kind})
    return body


def bodies_add_all(*, by: Any, plan: Plan) -> int:
    """Every open county and industry union and every department not yet in the plan."""
    selectors.require_office(by)
    added = 0
    for union in Union.objects.filter(
        kind__in=[BodyKind.COUNTY, BodyKind.INDUSTRY], status="active"
    ):
        if not plan.bodies.filter(union=union, department__isnull=True).exists():
            body_add(by=by, plan=plan, union=union)
            added += 1
    for department in Department.objects.all():
        if not plan.bodies.filter(department=department).exists():
            body_add(by=by, plan=plan, department=department)
            added += 1
    return added


@dataclass(frozen=True)
class NodeData:
    name: str
    weight: Decimal
    source: str = ""
    indicator_code: str = ""
    unit: str = ""
    curve: str = rules.LINEAR
    target: Decimal | None = None
    cap: Decimal = Decimal(1)
    lower_is_better: bool = False
    steps: tuple[tuple[Decimal, Decimal], ...] = ()
    per_unit: Decimal = Decimal(0)
    description: str = ""


def node_add(
    *,
    by: Any,
    plan: Plan,
    data: NodeData,
    body_kind: str = "",
    body: Body | None = None,
    parent: Node | None = None,
) -> Node:
    """A category (no parent) or an indicator under one, in the tree of a body kind or of one
    body. Sibling weights are checked as a whole before the tree is used (tree_problems)."""
    selectors.require_office(by)
    if data.weight <= 0:
        raise DomainError("assessment.weight_invalid", _("权重须大于零"))
    if parent is not None:
        if parent.plan_id != plan.pk or parent.parent_id is not None:
            raise DomainError("assessment.parent_invalid", _("指标只能加在本方案的类别下"))
        body_kind, body = parent.body_kind, parent.body
        if data.source not in Source.values:
            raise DomainError("assessment.source_invalid", _("请选择数据来源"))
        # A program not built yet may be bound now: its indicator says 无数据 until then.
        if data.source == Source.COMPUTED and "." not in data.indicator_code:
            raise DomainError("assessment.indicator_invalid", _("请填写平台指标代码"))
        if data.curve not in CurveKind.values:
            raise DomainError("assessment.curve_invalid", _("计分方法无效"))
        rules.curve_check(
            rules.Curve(
                kind=data.curve,
                target=data.target,
                cap=data.cap,
                lower_is_better=data.lower_is_better,
                steps=data.steps,
                per_unit=data.per_unit,
            )
        )
    elif body is None and body_kind not in BodyKind.values:
        raise DomainError("assessment.body_kind_invalid", _("请选择适用的单位类型"))
    if body is not None:
        body_kind = ""
    with transaction.atomic():
        _frozen_check(plan)
        registered = indicators.get(data.indicator_code) if parent is not None else None
        node = Node.objects.create(
            plan=plan,
            body_kind=body_kind,
            body=body,
            parent=parent,
            name=data.name.strip(),
            weight=data.weight,
            sort_order=Node.objects.filter(plan=plan, parent=parent).count(),
            source=data.source if parent is not None else "",
            indicator_code=data.indicator_code if data.source == Source.COMPUTED else "",
            unit=data.unit or (str(registered.unit) if registered else ""),
            curve=data.curve if parent is not None else "",
            target=data.target,
            cap=data.cap if data.curve == rules.BONUS else Decimal(1),
            lower_is_better=data.lower_is_better,
            steps=[[str(t), str(f)] for t, f in data.steps],
            per_unit=data.per_unit,
            description=data.description,
        )
        log_action(
            "assessment.node.added",
            actor=by,
            obj=node,
            object_repr=node.name,
            changes={"weight": str(node.weight), "parent": parent.name if parent else ""},
        )
    return node


# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    data: bytes
    name: str


def _locked(body: Body) -> Body:
    # Lock the body: a value entered while the office moves it on must see the new state.
    return (
        Body.objects.select_for_update(of=("self",))
        .select_related("plan", "union", "department")
        .get(pk=body.pk)
    )


def _leaf_of(body: Body, node: Node) -> Node:
    tree = selectors.tree_nodes(plan=body.plan, body=body)
    if node.parent_id is None or node.parent_id not in {c.pk for c in tree}:
        raise DomainError("assessment.node_invalid", _("该指标不属于这个单位的考核指标"))
    return node


def value_enter(
    *,
    by: Any,
    body: Body,
    node: Node,
    value: Decimal | None,
    comment: str = "",
    evidence_link: str = "",
    evidence: Evidence | None = None,
) -> Value:
    """自评: the body's staff give a manual indicator its value with evidence (a file or a
    link), or comment on a computed one."""
    if rules.BODY not in selectors.roles_on(by, body) and rules.OFFICE not in selectors.roles_on(
        by, body
    ):
        raise _forbidden()
    _leaf_of(body, node)
    manual = node.source == Source.MANUAL
    if manual and value is None:
        raise DomainError("assessment.value_missing", _("请填写自评值"))
    if value is not None and value < 0:
        raise DomainError("assessment.value_invalid", _("自评值不能为负数"))
    kind = None
    if evidence is not None:
        if len(evidence.data) > EVIDENCE_MAX_BYTES:
            raise DomainError("assessment.evidence_too_big", _("佐证材料不能超过 5 MB"))
        kind = filetypes.sniff(evidence.data[:16])
        if kind is None:
            raise DomainError("assessment.evidence_type", _("佐证材料只能是 PDF、JPG 或 PNG 文件"))
    with transaction.atomic():
        body = _locked(body)
        if body.state != BodyState.SELF:
            raise DomainError(
                "assessment.not_self", _("自评已提交，不能再修改；如需修改请联系办公室退回")
            )
        row, _created = Value.objects.select_for_update().get_or_create(body=body, node=node)
        if (
            manual
            and evidence is None
            and not evidence_link
            and not row.evidence_file
            and not (row.evidence_link)
        ):
            raise DomainError(
                "assessment.evidence_missing", _("人工填报的指标须上传佐证材料或填写佐证链接")
            )
        before = {"self_value": str(row.self_value), "evidence_link": row.evidence_link}
        row.self_value = value if manual else None
        row.self_comment = comment.strip()
        if evidence_link:
            row.evidence_link = evidence_link
        if evidence is not None and kind is not None:
            from django.core.files.base import ContentFile

            if row.evidence_file:
                row.evidence_file.delete(save=False)
            row.evidence_file.save(f"evidence.{kind[0]}", ContentFile(evidence.data), save=False)
            row.evidence_name = evidence.name[:120]
            row.evidence_type = kind[1]
        row.entered_by = by
        row.entered_at = timezone.now()
        row.save()
        log_action(
            "assessment.value.entered",
            actor=by,
            obj=row,
            object_repr=f"{body.name} · {node.name}",
            union_path=body.union.path,
            changes={
                "self_value": [before["self_value"], str(row.self_value)],
                "evidence_link": [before["evidence_link"], row.evidence_link],
                "evidence_file": row.evidence_name,
            },
        )
    return row


def value_review(*, by: Any, body: Body, node: Node, value: Decimal | None, reason: str) -> Value:
    """审核: the office sets the value it accepts for an indicator (None: take back its
    adjustment), always with a reason."""
    if rules.OFFICE not in selectors.roles_on(by, body):
        raise _forbidden()
    _leaf_of(body, node)
    if not reason.strip():
        raise DomainError("assessment.reason_missing", _("调整须说明理由"))
    if value is not None and value < 0:
        raise DomainError("assessment.value_invalid", _("认定值不能为负数"))
    with transaction.atomic():
        body = _locked(body)
        if body.state != BodyState.REVIEW:
            raise DomainError("assessment.not_review", _("只有审核中的单位才能调整指标值"))
        row, _created = Value.objects.select_for_update().get_or_create(body=body, node=node)
        before = str(row.reviewed_value)
        row.reviewed_value = value
        row.review_reason = reason.strip()
        row.reviewed_by = by
        row.reviewed_at = timezone.now()
        row.save()
        log_action(
            "assessment.value.adjusted",
            actor=by,
            obj=row,
            object_repr=f"{body.name} · {node.name}",
            union_path=body.union.path,
            changes={"reviewed_value": [before, str(value)], "reason": row.review_reason},
        )
    return row


# -- workflow ----------------------------------------------------------------------------------


def body_transition(*, by: Any, body: Body, to: str, note: str = "") -> Body:
    """Submit the self-assessment, return it, or make the score final (frozen: each indicator's
    actual value and points are copied, computed ones as they are at this moment)."""
    roles = selectors.roles_on(by, body)
    if not roles:
        raise _forbidden()
    with transaction.atomic():
        # Lock the body: two office staff finalising at once must not both snapshot it.
        body = _locked(body)
        current = body.state
        rules.transition_check(current, to, roles)
        card = selectors.scorecard(body)
        if to in (BodyState.REVIEW, BodyState.FINAL) and card.problems:
            raise DomainError(
                "assessment.tree_invalid",
                _("考核指标的权重设置有误：%(problems)s") % {"problems": "；".join(card.problems)},
            )
        if to == BodyState.REVIEW:
            missing = [
                line.node.name
                for line in card.lines
                if line.node.source == Source.MANUAL
                and (line.value is None or line.value.self_value is None)
            ]
            if missing:
                raise DomainError(
                    "assessment.values_missing",
                    _("还有指标没有自评：%(names)s") % {"names": "、".join(missing)},
                )
        if to == BodyState.SELF and not note.strip():
            raise DomainError("assessment.reason_missing", _("退回须说明理由"))
        if to == BodyState.FINAL:
            for line in card.lines:
                row = line.value or Value(body=body, node=line.node)
                row.final_actual = line.actual
                row.final_points = line.points
                row.save()
            body.total_score = card.total
            body.final_at = timezone.now()
            body.final_by = by
        body.state = to
        body.save()
        BodyEvent.objects.create(body=body, by=by, from_state=current, to_state=to, note=note)
        log_action(
            f"assessment.body.{to}",
            actor=by,
            obj=body,
            union_path=body.union.path,
            changes={
                "state": [current, to],
                "note": note,
                "total_score": str(body.total_score) if to == BodyState.FINAL else "",
            },
        )
    return body


def evidence_read(*, by: Any, value: Value) -> bytes:
    with value.evidence_file.open("rb") as handle:
        data = handle.read()
    log_action(
        "assessment.evidence.read",
        actor=by,
        obj=value,
        object_repr=value.evidence_name,
        union_path=value.body.union.path,
    )
    return data


def export_logged(*, by: Any, what: str, plan: Plan, body: Body | None = None) -> None:
    log_action(
        "assessment.exported",
        actor=by,
        obj=body or plan,
        object_repr=str(body or plan),
        changes={"table": what, "year": plan.year},
    )
