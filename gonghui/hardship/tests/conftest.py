"""Reference data for this year (the city's threshold ¥900.00, standards, the city's budgets),
reviewers at each level: alice (officer of A, 基层), carol (county A staff, 县区), dora and erin
(city 保障部, 市总); members of union A and B; helpers walking a file through the workflow."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.core import idnumbers
from gonghui.hardship import services
from gonghui.hardship.models import AidApplication, HardshipFile
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.orgs.models import Union

THRESHOLD_FEN = 90_000
NO_HOLIDAYS: dict[date, bool] = {}


@pytest.fixture
def dora(tree: dict[str, Union]) -> User:
    return make_user("dora", assignments=[(tree["city"], "dept_staff", "security")])


@pytest.fixture
def erin(tree: dict[str, Union]) -> User:
    return make_user("erin", assignments=[(tree["city"], "dept_staff", "security")])


def make_member(union: Union, seed: int, **extra: Any) -> Member:
    rng = random.Random(seed)
    birth = date(1980 + seed % 20, 1 + seed % 12, 1 + seed % 28)
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


def setup_reference(tree: dict[str, Union], dora: User, *, budget_fen: int = 10_000_000) -> None:
    year = timezone.localdate().year
    services.threshold_set(by=dora, district=tree["city"], year=year, monthly_fen=THRESHOLD_FEN)
    for category, stage, low, high in [
        ("living", "", 100_000, 300_000),
        ("medical", "", 200_000, 1_000_000),
        ("education", "college", 300_000, 300_000),
        ("emergency", "", 100_000, 2_000_000),
    ]:
        services.standard_set(
            by=dora, year=year, category=category, stage=stage, min_fen=low, max_fen=high
        )
    for category in ("living", "medical", "education", "emergency"):
        services.budget_set(
            by=dora, union=tree["city"], category=category, year=year, amount_fen=budget_fen
        )


@pytest.fixture
def reference(tree: dict[str, Union], dora: User) -> None:
    setup_reference(tree, dora)


@pytest.fixture
def member_a(tree: dict[str, Union], people: dict[str, User]) -> Member:
    member = make_member(tree["a"], 1, name="甲会员")
    member.account = people["member"]
    member.save(update_fields=["account"])
    return member


@pytest.fixture
def member_b(tree: dict[str, Union]) -> Member:
    return make_member(tree["b"], 2, name="乙会员")


def file_data(
    *, income_fen: int = 60_000, cause: str = "living", size: int = 2
) -> services.FileData:
    household = [services.HouseholdRow("self", "本人", 45, "employed", income_fen)]
    household += [
        services.HouseholdRow("child", f"孩子{n}", 10 + n, "student", 0) for n in range(size - 1)
    ]
    return services.FileData(
        primary_cause=cause,
        causes=[cause],
        household=household,
        situation="下岗后打零工",
        health_details="高血压",
    )


def submit_file(by: User, member: Member, **kw: Any) -> HardshipFile:
    return services.file_submit(
        by=by, member=member, data=file_data(**kw), consent_version=services.CONSENT_VERSION
    )


def to_notice(
    people: dict[str, User], dora: User, member: Member, *, on: date | None = None
) -> HardshipFile:
    file = submit_file(people["alice"], member)
    file = services.file_transition(file=file, to="county", by=people["alice"])
    file = services.file_transition(file=file, to="city", by=people["carol"])
    return services.file_transition(
        file=file, to="notice", by=dora, today=on or timezone.localdate() - timedelta(days=30)
    )


def kept_file(people: dict[str, User], dora: User, member: Member) -> HardshipFile:
    file = to_notice(people, dora, member)
    return services.file_transition(file=file, to="active", by=dora)


@pytest.fixture
def file_a(reference: None, people: dict[str, User], dora: User, member_a: Member) -> HardshipFile:
    return kept_file(people, dora, member_a)


def aid_data(**fields: Any) -> services.AidData:
    values: dict[str, Any] = {
        "category": "living",
        "requested_fen": 200_000,
        "reason_text": "生活困难",
    }
    return services.AidData(**(values | fields))


def rechecked_aid(people: dict[str, User], member: Member, **fields: Any) -> AidApplication:
    aid = services.aid_submit(by=people["alice"], member=member, data=aid_data(**fields))
    aid = services.aid_transition(aid=aid, to="first_reviewed", by=people["alice"])
    return services.aid_transition(aid=aid, to="rechecked", by=people["carol"])
