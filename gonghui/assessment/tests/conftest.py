"""A plan for this year with a county tree (a computed members figure, the professors' figure
no program provides yet, a manual indicator), county A and county B assessed, and the people:
olga (city 办公室, runs the assessment), carol (county A staff), dave (county B staff), and
two members of union A."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.assessment import services
from gonghui.assessment.models import Body, BodyKind, Node, Plan
from gonghui.assessment.services import NodeData
from gonghui.conftest import make_user
from gonghui.mutualaid.tests.conftest import make_member
from gonghui.orgs.models import Union

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def olga(tree: dict[str, Union]) -> User:
    return make_user("olga", assignments=[(tree["city"], "dept_staff", "office")])


@pytest.fixture
def dave(tree: dict[str, Union]) -> User:
    return make_user("dave", assignments=[(tree["county_b"], "county_staff", None)])


@pytest.fixture
def plan(olga: User) -> Plan:
    plan = services.plan_create(by=olga, year=timezone.localdate().year, name="年度目标考核")
    work = services.node_add(
        by=olga, plan=plan, body_kind=BodyKind.COUNTY, data=NodeData("组织建设", Decimal(60))
    )
    services.node_add(
        by=olga,
        plan=plan,
        parent=work,
        data=NodeData(
            "在会会员", Decimal(50), "computed", "members.registered", "", "linear", Decimal(4)
        ),
    )
    services.node_add(
        by=olga,
        plan=plan,
        parent=work,
        data=NodeData(
            "义工教授授课场次",
            Decimal(50),
            "computed",
            "professors.sessions_held",
            "场",
            "linear",
            Decimal(10),
        ),
    )
    service = services.node_add(
        by=olga, plan=plan, body_kind=BodyKind.COUNTY, data=NodeData("服务职工", Decimal(40))
    )
    services.node_add(
        by=olga,
        plan=plan,
        parent=service,
        data=NodeData(
            "帮扶户数", Decimal(100), "manual", unit="户", curve="linear", target=Decimal(10)
        ),
    )
    return plan


@pytest.fixture
def bodies(plan: Plan, olga: User, tree: dict[str, Union]) -> dict[str, Body]:
    return {
        "a": services.body_add(by=olga, plan=plan, union=tree["county_a"]),
        "b": services.body_add(by=olga, plan=plan, union=tree["county_b"]),
    }


@pytest.fixture
def members_a(tree: dict[str, Union]) -> list[Any]:
    return [make_member(tree["a"], 1), make_member(tree["a"], 2)]


def leaf(plan: Plan, name: str) -> Node:
    return Node.objects.get(plan=plan, name=name)


def self_assess(by: User, body: Body, households: str = "8") -> None:
    services.value_enter(
        by=by,
        body=body,
        node=leaf(body.plan, "帮扶户数"),
        value=Decimal(households),
        comment="见台账",
        evidence_link="https://example.org/ledger",
    )


@pytest.fixture
def carol(people: dict[str, User]) -> User:
    """County A's staff."""
    return people["carol"]
