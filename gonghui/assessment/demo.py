"""Demo data for target assessment: the 2026 plan with an indicator tree for county unions and
for departments (computed figures from members, mutual aid and, when that program is
there, information work; manual ones with evidence), every county and department
assessed, two counties waiting for review and one final. Fictitious; a second run
adds nothing."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from gonghui.accounts.models import User
from gonghui.assessment import services
from gonghui.assessment.models import Body, BodyKind, BodyState, Plan
from gonghui.assessment.services import NodeData
from gonghui.orgs.models import Department, Union

YEAR = 2026
D = Decimal

UNION_TREE: list[tuple[str, int, list[NodeData]]] = [
    (
        "组织建设",
        40,
        [
            NodeData(
                "在会会员人数", D(40), "computed", "members.registered", "", "linear", D(50000)
            ),
            NodeData(
                "新入会会员人数",
                D(30),
                "computed",
                "members.joined",
                "",
                "bonus",
                D(2000),
                D("1.2"),
            ),
            NodeData(
                "新就业形态劳动者入会",
                D(30),
                "computed",
                "members.new_form_workers",
                "",
                "threshold",
                steps=((D(100), D("0.6")), (D(300), D("0.8")), (D(500), D(1))),
            ),
        ],
    ),
    (
        "服务职工",
        40,
        [
            NodeData(
                "职工医疗互助参保率",
                D(40),
                "computed",
                "mutualaid.enrolment_rate",
                "%",
                "linear",
                D(60),
            ),
            NodeData(
                "互助金平均支付天数",
                D(20),
                "computed",
                "mutualaid.payout_days_avg",
                "天",
                "linear",
                D(15),
                lower_is_better=True,
            ),
            NodeData(
                "困难职工帮扶建档户数",
                D(40),
                "manual",
                unit="户",
                curve="linear",
                target=D(100),
                description="本年度新建档并开展帮扶的困难职工户数，附帮扶台账",
            ),
        ],
    ),
    (
        "宣传与基础工作",
        20,
        [
            NodeData("信息工作积分", D(50), "computed", "infowork.points", "分", "linear", D(100)),
            NodeData(
                "督查督办事项逾期件数",
                D(50),
                "manual",
                unit="件",
                curve="deduction",
                per_unit=D(10),
                description="市总交办事项逾期未办结的件数，每件扣 10 分",
            ),
        ],
    ),
]

DEPARTMENT_TREE: list[tuple[str, int, list[NodeData]]] = [
    (
        "部门重点工作",
        100,
        [
            NodeData(
                "年度重点工作完成率", D(60), "manual", unit="%", curve="linear", target=D(100)
            ),
            NodeData("信息工作积分", D(20), "computed", "infowork.points", "分", "linear", D(50)),
            NodeData(
                "督查督办事项逾期件数",
                D(20),
                "manual",
                unit="件",
                curve="deduction",
                per_unit=D(5),
            ),
        ],
    ),
]

# County code → (帮扶户数, 逾期件数); D01 is left for its staff to self-assess.
SELF_ASSESSED = {"D02": (D(86), D(1)), "D03": (D(120), D(0))}
FINAL = {"D04": (D(95), D(2))}


def seed_assessment(rng: random.Random, *, members: int = 0) -> int:
    office = User.objects.filter(username="bangong").first()
    if office is None or Plan.objects.filter(year=YEAR).exists():
        return 0
    with transaction.atomic():  # one commit: all of it or nothing, and fast on SQLite
        _seed(office)
    return 1


def _seed(office: User) -> None:
    plan = services.plan_create(
        by=office,
        year=YEAR,
        name="2026年度目标考核方案",
        note="按《目标管理考核办法》对市总机关各部门和县(市、区)、产业工会进行年度考核。",
    )
    for kind, tree in ((BodyKind.COUNTY, UNION_TREE), (BodyKind.DEPARTMENT, DEPARTMENT_TREE)):
        for name, weight, leaves in tree:
            category = services.node_add(
                by=office, plan=plan, body_kind=kind, data=NodeData(name, D(weight))
            )
            for leaf in leaves:
                services.node_add(by=office, plan=plan, parent=category, data=leaf)
    for union in Union.objects.filter(kind=BodyKind.COUNTY, status="active").order_by("code"):
        services.body_add(by=office, plan=plan, union=union)
    for department in Department.objects.all():
        services.body_add(by=office, plan=plan, department=department)
    bodies = {b.union.code: b for b in Body.objects.filter(plan=plan).select_related("union")}
    d01 = bodies.get("D01")
    if d01 is not None:
        _enter(office, d01, "督查督办事项逾期件数", D(0))
    for code, (households, overdue) in SELF_ASSESSED.items():
        if code in bodies:
            _self_assess(office, bodies[code], households, overdue)
    for code, (households, overdue) in FINAL.items():
        if code in bodies:
            body = _self_assess(office, bodies[code], households, overdue)
            services.body_transition(by=office, body=body, to=BodyState.FINAL, note="审核通过")


def _enter(by: User, body: Body, name: str, value: Decimal) -> None:
    node = body.plan.nodes.get(body_kind=body.kind, name=name)
    services.value_enter(
        by=by,
        body=body,
        node=node,
        value=value,
        comment="见工作台账",
        evidence_link="https://example.org/gonghui-demo/ledger",
    )


def _self_assess(by: User, body: Body, households: Decimal, overdue: Decimal) -> Body:
    _enter(by, body, "困难职工帮扶建档户数", households)
    _enter(by, body, "督查督办事项逾期件数", overdue)
    return services.body_transition(by=by, body=body, to=BodyState.REVIEW)
