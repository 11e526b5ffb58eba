"""Staff pages of 目标考核: plans and their indicator trees, each body's scorecard with
self-assessment and review, the printable report, rankings and their exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.assessment import rules, selectors, services
from gonghui.assessment.forms import (
    MOVE_LABELS,
    CategoryForm,
    IndicatorForm,
    MoveForm,
    PlanForm,
    ReviewForm,
    ValueForm,
)
from gonghui.assessment.models import Body, BodyKind, BodyState, Node, Plan
from gonghui.core.errors import DomainError
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import form_error, staff_page, xlsx_download


def _plan(request: AuthedRequest, year: int) -> Plan:
    selectors.require_part(request.user)
    return selectors.plan_get(year=year)


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


# -- plans -------------------------------------------------------------------------------------


@staff_page()
def home(request: AuthedRequest) -> HttpResponseBase:
    selectors.require_part(request.user)
    office = selectors.is_office(request.user)
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        selectors.require_office(request.user)
        if form.is_valid():
            try:
                plan = services.plan_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("已建立考核方案"))
                return redirect("assessment:plan", year=plan.year)
    return render(
        request,
        "assessment/home.html",
        {"plans": selectors.plans(), "form": form if office else None},
    )


def _trees(plan: Plan) -> list[dict[str, Any]]:
    trees = []
    for kind, label in BodyKind.choices:
        categories = selectors.tree_nodes(plan=plan, kind=kind)
        trees.append(
            {
                "kind": kind,
                "label": label,
                "categories": categories,
                "problems": selectors.tree_problems(categories) if categories else [],
            }
        )
    return trees


def _indicator_form(plan: Plan, data: Any = None) -> IndicatorForm:
    parents = [
        (str(c.public_id), f"{c.get_body_kind_display() or c.body} · {c.name}")
        for c in Node.objects.filter(plan=plan, parent__isnull=True).select_related("body")
    ]
    codes = [(i.code, f"{i.code} · {i.label}") for i in selectors.registry()]
    return IndicatorForm(data, parents=parents, codes=codes, prefix="leaf")


def _score_chart(bodies: list[Body]) -> dict[str, Any] | None:
    final = [b for b in bodies if b.state == BodyState.FINAL and b.total_score is not None]
    if not final:
        return None
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 24, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [b.name for b in final],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "name": _("得分")},
        "series": [
            {
                "name": _("终评得分"),
                "type": "bar",
                "data": [float(b.total_score or 0) for b in final],
            }
        ],
    }


@staff_page()
def plan_detail(request: AuthedRequest, year: int) -> HttpResponseBase:
    plan = _plan(request, year)
    office = selectors.is_office(request.user)
    category_form = CategoryForm(prefix="cat")
    indicator_form = _indicator_form(plan)
    if request.method == "POST":
        selectors.require_office(request.user)
        action = request.POST.get("action")
        try:
            if action == "bodies":
                added = services.bodies_add_all(by=request.user, plan=plan)
                messages.success(request, _("已加入 %(n)s 个被考核单位") % {"n": added})
                return redirect("assessment:plan", year=plan.year)
            if action == "category":
                category_form = CategoryForm(request.POST, prefix="cat")
                if category_form.is_valid():
                    data = category_form.cleaned_data
                    services.node_add(
                        by=request.user,
                        plan=plan,
                        body_kind=data["body_kind"],
                        data=services.NodeData(name=data["name"], weight=data["weight"]),
                    )
                    messages.success(request, _("已添加类别"))
                    return redirect("assessment:plan", year=plan.year)
            if action == "indicator":
                indicator_form = _indicator_form(plan, request.POST)
                if indicator_form.is_valid():
                    parent = Node.objects.get(
                        plan=plan, public_id=indicator_form.cleaned_data["parent"]
                    )
                    services.node_add(
                        by=request.user, plan=plan, parent=parent, data=indicator_form.node_data()
                    )
                    messages.success(request, _("已添加指标"))
                    return redirect("assessment:plan", year=plan.year)
        except DomainError as exc:
            messages.error(request, exc.message)
    bodies = list(selectors.body_list(actor=request.user, plan=plan))
    chart = _score_chart(bodies)
    return render(
        request,
        "assessment/plan.html",
        {
            "plan": plan,
            "bodies": bodies,
            "trees": _trees(plan),
            "office": office,
            "category_form": category_form if office else None,
            "indicator_form": indicator_form if office else None,
            "chart": chart,
        },
    )


# -- scorecards --------------------------------------------------------------------------------


def _category_chart(card: selectors.Scorecard) -> dict[str, Any] | None:
    if not card.groups:
        return None
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [g.node.name for g in card.groups],
            "axisLabel": {"interval": 0},
        },
        "yAxis": {"type": "value", "name": _("分")},
        "series": [
            {"name": _("得分"), "type": "bar", "data": [float(g.points) for g in card.groups]},
            {"name": _("满分"), "type": "bar", "data": [float(g.max_points) for g in card.groups]},
        ],
    }


@staff_page()
def body_detail(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    card = selectors.scorecard(body)
    roles = selectors.roles_on(request.user, body)
    can_enter = body.state == BodyState.SELF and bool(roles)
    can_review = body.state == BodyState.REVIEW and rules.OFFICE in roles
    return render(
        request,
        "assessment/body.html",
        {
            "body": body,
            "plan": body.plan,
            "card": card,
            "can_enter": can_enter,
            "can_review": can_review,
            "moves": [(to, MOVE_LABELS[to]) for to in rules.moves_from(body.state, roles)],
            "events": body.events.select_related("by").order_by("at", "id"),
            "chart": _category_chart(card),
        },
    )


@staff_page()
def body_report(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    return render(
        request,
        "assessment/report.html",
        {"body": body, "plan": body.plan, "card": selectors.scorecard(body)},
    )


def _scorecard_rows(card: selectors.Scorecard) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for group in card.groups:
        rows.append(
            [group.node.name, "", _number(group.node.weight), "", "", "", _number(group.points), ""]
        )
        for line in group.lines:
            rows.append(
                [
                    group.node.name,
                    line.node.name,
                    _number(line.node.weight),
                    _number(line.node.target),
                    _("无数据") if line.actual is None else _number(line.actual),
                    line.node.unit,
                    "" if line.points is None else _number(line.points),
                    str(line.node.get_source_display()),
                ]
            )
    rows.append([_("合计"), "", "100", "", "", "", _number(card.total), ""])
    return rows


@staff_page()
def body_export(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    card = selectors.scorecard(body)
    services.export_logged(by=request.user, what="scorecard", plan=body.plan, body=body)
    headers = [
        _("类别"),
        _("指标"),
        _("权重"),
        _("目标值"),
        _("实际值"),
        _("单位"),
        _("得分"),
        _("数据来源"),
    ]
    return xlsx_download(
        f"assessment-{body.plan.year}-scorecard",
        headers,
        _scorecard_rows(card),
        sheet_name=_("考核得分"),
    )


def _node_of(body: Body, node_id: str) -> Node:
    node = Node.objects.filter(plan=body.plan, public_id=node_id).first()
    if node is None:
        raise Http404
    return node


@staff_page()
@require_POST
def value_enter(request: AuthedRequest, public_id: str, node_id: str) -> HttpResponse:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    node = _node_of(body, node_id)
    form = ValueForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("assessment:body", public_id=body.public_id)
    upload = form.cleaned_data.get("evidence_file")
    evidence = (
        services.Evidence(upload.read(services.EVIDENCE_MAX_BYTES + 1), upload.name)
        if upload
        else None
    )
    try:
        services.value_enter(
            by=request.user,
            body=body,
            node=node,
            value=form.cleaned_data["value"],
            comment=form.cleaned_data["comment"],
            evidence_link=form.cleaned_data["evidence_link"],
            evidence=evidence,
        )
    except DomainError as exc:
        messages.error(request, f"{node.name}：{exc.message}")
    else:
        messages.success(request, _("已保存“%(name)s”的自评") % {"name": node.name})
    return redirect("assessment:body", public_id=body.public_id)


@staff_page()
@require_POST
def value_review(request: AuthedRequest, public_id: str, node_id: str) -> HttpResponse:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    node = _node_of(body, node_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("assessment:body", public_id=body.public_id)
    try:
        services.value_review(
            by=request.user,
            body=body,
            node=node,
            value=form.cleaned_data["value"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, f"{node.name}：{exc.message}")
    else:
        messages.success(request, _("已调整“%(name)s”的认定值") % {"name": node.name})
    return redirect("assessment:body", public_id=body.public_id)


@staff_page()
@require_POST
def body_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要办理的操作"))
        return redirect("assessment:body", public_id=body.public_id)
    try:
        body = services.body_transition(
            by=request.user, body=body, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s 现为“%(state)s”") % {"name": body.name, "state": body.get_state_display()},
        )
    return redirect("assessment:body", public_id=body.public_id)


@staff_page()
def evidence(request: AuthedRequest, public_id: str, node_id: str) -> HttpResponse:
    selectors.require_part(request.user)
    body = selectors.body_get(actor=request.user, public_id=public_id)
    value = body.values.filter(node__public_id=node_id).exclude(evidence_file="").first()
    if value is None:
        raise Http404
    data = services.evidence_read(by=request.user, value=value)
    response = HttpResponse(data, content_type=value.evidence_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        value.evidence_type, "bin"
    )
    response["Content-Disposition"] = f'attachment; filename="evidence.{extension}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- rankings ----------------------------------------------------------------------------------


def _rankings(request: AuthedRequest, plan: Plan) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "label": label, "placings": placings}
        for kind, label in BodyKind.choices
        if (placings := selectors.ranking(actor=request.user, plan=plan, kind=kind))
    ]


@staff_page()
def ranking(request: AuthedRequest, year: int) -> HttpResponseBase:
    plan = _plan(request, year)
    tables = _rankings(request, plan)
    charts = []
    for table in tables:
        scored = [p for p in table["placings"] if p.rank is not None]
        if scored:
            charts.append(
                {
                    "id": f"chart-rank-{table['kind']}",
                    "title": table["label"],
                    "option": {
                        "tooltip": {"trigger": "axis"},
                        "grid": {
                            "left": 8,
                            "right": 48,
                            "bottom": 8,
                            "top": 24,
                            "containLabel": True,
                        },
                        "xAxis": {"type": "value", "name": _("得分")},
                        "yAxis": {
                            "type": "category",
                            "inverse": True,
                            "data": [p.body.name for p in scored],
                        },
                        "series": [
                            {
                                "name": _("终评得分"),
                                "type": "bar",
                                "data": [float(p.score or 0) for p in scored],
                            }
                        ],
                    },
                }
            )
    return render(
        request, "assessment/ranking.html", {"plan": plan, "tables": tables, "charts": charts}
    )


@staff_page()
def ranking_export(request: AuthedRequest, year: int) -> HttpResponseBase:
    plan = _plan(request, year)
    services.export_logged(by=request.user, what="ranking", plan=plan)
    rows = [
        [
            str(table["label"]),
            "" if p.rank is None else p.rank,
            p.body.name,
            "" if p.score is None else _number(p.score),
            str(p.body.get_state_display()),
        ]
        for table in _rankings(request, plan)
        for p in table["placings"]
    ]
    headers = [_("单位类型"), _("名次"), _("单位"), _("终评得分"), _("状态")]
    return xlsx_download(f"assessment-{plan.year}-ranking", headers, rows, sheet_name=_("考核排名"))
