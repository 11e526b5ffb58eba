"""A plan year open for enrolment, members of union A and union B enrolled, and reviewers at each
level: alice (officer of A, 初审), carol (county A staff, 复核), dora (city 保障部, 审批)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.core import idnumbers
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Claim, Enrolment, PlanYear
from gonghui.orgs.models import Union


@pytest.fixture
def dora(tree: dict[str, Union]) -> User:
    return make_user("dora", assignments=[(tree["city"], "dept_staff", "security")])


@pytest.fixture
def erin(tree: dict[str, Union]) -> User:
    """A second 保障部 staff member at the city."""
    return make_user("erin", assignments=[(tree["city"], "dept_staff", "security")])


def make_member(union: Union, seed: int, *, birth: date | None = None, **extra: Any) -> Member:
    rng = random.Random(seed)
    birth = birth or date(1980 + seed % 20, 1 + seed % 12, 1 + seed % 28)
    registrar = User.objects.filter(username="registrar").first() or make_user(
        "registrar", assignments=[(union.parent.parent or union.parent, "county_staff", None)]
    )
    return member_services.member_create(
        by=registrar,
        union=union,
        data=member_services.MemberData(
            name=extra.pop(
                "name", "会员" + "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(seed))
            ),
            id_number=idnumbers.generate(rng, "410102", birth, "MF"[seed % 2]),
            phone=f"139{rng.randrange(10**8):08d}",
            join_date=date(2010, 1, 1),
            **extra,
        ),
    )


@pytest.fixture
def plan(dora: User) -> PlanYear:
    """A plan year that began 200 days ago and is still open for enrolment today."""
    today = timezone.localdate()
    starts = today - timedelta(days=200)
    return services.plan_year_create(
        by=dora,
        code="P1",
        name="测试保障期",
        starts_on=starts,
        ends_on=starts + timedelta(days=364),
        enrol_opens_on=starts - timedelta(days=30),
        enrol_closes_on=today + timedelta(days=30),
    )


def enrol(by: User, plan: PlanYear, union: Union, members: list[Member], **kw: Any) -> Any:
    return services.enrol_members(
        by=by,
        plan=plan,
        union=union,
        members=Member.objects.filter(pk__in=[m.pk for m in members]).select_related("union"),
        source="filter",
        **kw,
    )


@pytest.fixture
def member_a(tree: dict[str, Union], people: dict[str, User], plan: PlanYear) -> Member:
    """A member of union A, enrolled on the plan's first enrolment day (so out of the waiting
    period long ago), with the portal account `member`."""
    member = make_member(tree["a"], 1, name="甲会员")
    member.account = people["member"]
    member.save(update_fields=["account"])
    enrol(people["alice"], plan, tree["a"], [member], today=plan.enrol_opens_on)
    return member


@pytest.fixture
def member_b(tree: dict[str, Union], people: dict[str, User], plan: PlanYear) -> Member:
    member = make_member(tree["b"], 2, name="乙会员")
    enrol(people["bob"], plan, tree["b"], [member], today=plan.enrol_opens_on)
    return member


def claim_data(**fields: Any) -> services.ClaimData:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "item_code": "inpatient",
        "event_date": today - timedelta(days=10),
        "hospital": "测试市人民医院",
        "hospital_level": "tertiary",
        "invoices": [services.InvoiceData("INV0000001", 500000)],
        "health_details": "肺炎住院 5 天",
    }
    return services.ClaimData(**(values | fields))


def file_claim(by: User, member: Member, **fields: Any) -> Claim:
    return services.claim_submit(
        by=by,
        member=member,
        data=claim_data(**fields),
        consent_version=services.CONSENT_VERSION,
    )


@pytest.fixture
def claim_a(member_a: Member, people: dict[str, User]) -> Claim:
    return file_claim(people["member"], member_a)


@pytest.fixture
def claim_b(member_b: Member, people: dict[str, User]) -> Claim:
    return file_claim(
        people["bob"], member_b, invoices=[services.InvoiceData("INVB000001", 300000)]
    )


def enrolment_of(member: Member) -> Enrolment:
    return Enrolment.objects.get(member=member)
