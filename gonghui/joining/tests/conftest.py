"""Applicants and their applications, on both sides of the tree (union A and union B), plus
the unions a new-form worker may also turn to."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.core import idnumbers
from gonghui.joining import rules, services
from gonghui.joining.models import JoinApplication
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.orgs.models import Union
from gonghui.orgs.services import union_create


def person(seed: int, **fields: Any) -> services.ApplicationData:
    rng = random.Random(seed)
    birth = date(1975, 1, 1).replace(year=1975 + seed % 25, month=1 + seed % 12)
    values: dict[str, Any] = {
        "name": "王" + "小大明华强芳"[seed % 6] + "申请",
        "id_number": idnumbers.generate(rng, "410102", birth, "MF"[seed % 2]),
        "phone": f"139{rng.randrange(10**8):08d}",
        "category": "employee",
        "employer_name": "甲厂",
    }
    return services.ApplicationData(**(values | fields))


@pytest.fixture
def industry(tree: dict[str, Union]) -> Union:
    return union_create(
        by=None, code="IND", name="快递物流产业工会", kind="industry", parent=tree["city"]
    )


@pytest.fixture
def registrar(tree: dict[str, Union]) -> User:
    return make_user("registrar", assignments=[(tree["city"], "county_staff", None)])


Submit = Callable[..., JoinApplication]


@pytest.fixture
def submit(tree: dict[str, Union]) -> Submit:
    seeds = iter(range(1, 10_000))

    def make(union: Union | None = None, **fields: Any) -> JoinApplication:
        return services.application_submit(
            data=person(next(seeds), **fields),
            union=union or tree["a"],
            consent_version=rules.CONSENT_VERSION,
        )

    return make


@pytest.fixture
def application_a(submit: Submit, tree: dict[str, Union]) -> JoinApplication:
    return submit(tree["a"], name="张小工")


@pytest.fixture
def application_b(submit: Submit, tree: dict[str, Union]) -> JoinApplication:
    return submit(tree["b"], name="李乙方")


@pytest.fixture
def make_member(registrar: User) -> Callable[..., Member]:
    def make(union: Union, data: services.ApplicationData) -> Member:
        return member_services.member_create(
            by=registrar,
            union=union,
            data=member_services.MemberData(
                name=data.name, id_number=data.id_number, phone=data.phone
            ),
        )

    return make
