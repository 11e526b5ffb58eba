"""People around the action items: olga (city 办公室, runs 督查督办 city-wide), carol (county A
staff, her subtree only), sam (city 保障部: no assessment permission, owns items), and bob
(officer of union B, an outsider). Items of the city, of county A and of county B."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.followup import services
from gonghui.followup.models import ActionItem
from gonghui.orgs.models import Department, Union

TODAY = date(2026, 11, 27)  # a Friday
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def today(monkeypatch: Any) -> date:
    """Time frozen on TODAY for everything that asks `timezone.localdate()`."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def olga(tree: dict[str, Union]) -> User:
    return make_user("olga", assignments=[(tree["city"], "dept_staff", "office")])


@pytest.fixture
def sam(tree: dict[str, Union]) -> User:
    return make_user("sam", assignments=[(tree["city"], "dept_staff", "security")])


def make_item(by: User, owner: User, union: Union, deadline: date, **extra: Any) -> ActionItem:
    return services.action_item_create(
        by=by,
        title=extra.pop("title", f"事项 {union.code} {deadline}"),
        owner=owner,
        deadline=deadline,
        union=union,
        department=extra.pop("department", Department.objects.get(code="security")),
        **extra,
    )


@pytest.fixture
def city_item(tree: dict[str, Union], olga: User, sam: User, today: date) -> ActionItem:
    return make_item(olga, sam, tree["city"], date(2026, 12, 31), title="市级事项")


@pytest.fixture
def item_a(tree: dict[str, Union], people: dict[str, User], today: date) -> ActionItem:
    carol = people["carol"]
    return make_item(carol, carol, tree["county_a"], date(2026, 11, 20), title="甲区事项")


@pytest.fixture
def item_b(tree: dict[str, Union], olga: User, sam: User, today: date) -> ActionItem:
    return make_item(olga, sam, tree["county_b"], date(2026, 11, 30), title="乙区事项")
